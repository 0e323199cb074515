//! Browser, OS and device from a User-Agent string (the shell prefers User-Agent
//! Client Hints where the browser has them and falls back to this).

use crate::core::model::Device;
use crate::core::text;

/// What a User-Agent string says about the visitor's software and device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgentInfo {
    pub browser: Option<String>,
    pub os: Option<String>,
    pub device: Device,
}

/// Browser name and major version (`Chrome 126`), OS name (`Android 14`), device class.
pub fn parse_user_agent(ua: &str) -> UserAgentInfo {
    UserAgentInfo { browser: browser(ua), os: os(ua), device: device(ua) }
}

fn version_after(ua: &str, token: &str) -> Option<String> {
    let start = text::find(ua, token)? + token.len();
    let v = text::leading_digits(ua.get(start..)?).to_string();
    if v.is_empty() {
        None
    } else {
        Some(v)
    }
}

fn named(name: &str, version: Option<String>) -> Option<String> {
    Some(match version {
        Some(v) => {
            let mut s = String::with_capacity(name.len() + 1 + v.len());
            s.push_str(name);
            s.push(' ');
            s.push_str(&v);
            s
        }
        None => name.to_string(),
    })
}

fn browser(ua: &str) -> Option<String> {
    // Order matters: most UAs name several engines.
    const TOKENS: &[(&str, &str)] = &[
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("EdgiOS/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("HeadlessChrome/", "HeadlessChrome"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
    ];
    for (token, name) in TOKENS {
        if text::contains(ua, token) {
            return named(name, version_after(ua, token));
        }
    }
    if text::contains(ua, "Safari/") && text::contains(ua, "Version/") {
        return named("Safari", version_after(ua, "Version/"));
    }
    None
}

fn os(ua: &str) -> Option<String> {
    if let Some(v) = version_after(ua, "Android ") {
        return named("Android", Some(v));
    }
    if text::contains(ua, "Android") {
        return named("Android", None);
    }
    if text::contains(ua, "iPhone") || text::contains(ua, "iPad") || text::contains(ua, "iPod") {
        return named("iOS", version_after(ua, "OS "));
    }
    if text::contains(ua, "Windows") {
        return named("Windows", None);
    }
    if text::contains(ua, "CrOS") {
        return named("ChromeOS", None);
    }
    if text::contains(ua, "Mac OS X") || text::contains(ua, "Macintosh") {
        return named("macOS", None);
    }
    if text::contains(ua, "Linux") || text::contains(ua, "X11") {
        return named("Linux", None);
    }
    None
}

fn device(ua: &str) -> Device {
    if text::contains(ua, "iPad") || text::contains(ua, "Tablet") || (text::contains(ua, "Android") && !text::contains(ua, "Mobile")) {
        Device::Tablet
    } else if text::contains(ua, "Mobi") || text::contains(ua, "iPhone") || text::contains(ua, "iPod") {
        Device::Mobile
    } else {
        Device::Desktop
    }
}

/// User-Agent Client Hints as the browser gives them without asking
/// (`navigator.userAgentData`: brands with major versions, platform, mobile).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientHints {
    /// `(brand, version)` pairs, GREASE brands included.
    pub brands: Vec<(String, String)>,
    pub platform: String,
    pub mobile: bool,
}

/// Brands named by Client Hints, most specific first, with the name the agent reports.
const HINT_BRANDS: &[(&str, &str)] = &[
    ("Microsoft Edge", "Edge"),
    ("Opera", "Opera"),
    ("Opera GX", "Opera"),
    ("Samsung Internet", "Samsung Internet"),
    ("Brave", "Brave"),
    ("Vivaldi", "Vivaldi"),
    ("YaBrowser", "Yandex"),
    ("Google Chrome", "Chrome"),
    ("HeadlessChrome", "HeadlessChrome"),
    ("Chromium", "Chromium"),
];

/// A GREASE brand (`Not A;Brand`, `Not)A;Brand`, …) that browsers add to keep parsers honest.
fn is_grease(brand: &str) -> bool {
    text::contains(brand, "Not") && text::contains(brand, "Brand")
}

/// Browser, OS and device from Client Hints, each falling back to the
/// User-Agent string where the hints say nothing (`ua`).
pub fn from_client_hints(hints: &ClientHints, ua: Option<&str>) -> UserAgentInfo {
    let from_ua = ua.map(parse_user_agent);
    let major = |v: &str| -> Option<String> {
        let m = text::leading_digits(v).to_string();
        if m.is_empty() {
            None
        } else {
            Some(m)
        }
    };
    let known = HINT_BRANDS.iter().find_map(|(brand, name)| {
        hints.brands.iter().find(|(b, _)| b == brand).map(|(_, v)| named(name, major(v)))
    });
    let other = || {
        hints.brands.iter().find(|(b, _)| !b.trim().is_empty() && !is_grease(b)).map(|(b, v)| named(b.trim(), major(v)))
    };
    let browser = known.or_else(other).flatten().or_else(|| from_ua.as_ref().and_then(|i| i.browser.clone()));
    let os = match hints.platform.as_str() {
        "Windows" => Some("Windows".to_string()),
        "macOS" => Some("macOS".to_string()),
        "Linux" => Some("Linux".to_string()),
        "Android" => Some("Android".to_string()),
        "Chrome OS" | "ChromeOS" | "Chromium OS" => Some("ChromeOS".to_string()),
        "iOS" => Some("iOS".to_string()),
        "" | "Unknown" => None,
        other => Some(other.to_string()),
    }
    .or_else(|| from_ua.as_ref().and_then(|i| i.os.clone()));
    let device = if hints.mobile {
        Device::Mobile
    } else if hints.platform == "Android" {
        // Android without the mobile hint: a tablet (or a desktop-mode phone).
        Device::Tablet
    } else if hints.platform.is_empty() {
        from_ua.as_ref().map_or(Device::Desktop, |i| i.device)
    } else {
        Device::Desktop
    };
    UserAgentInfo { browser, os, device }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(brands: &[(&str, &str)], platform: &str, mobile: bool) -> ClientHints {
        ClientHints { brands: brands.iter().map(|(b, v)| (b.to_string(), v.to_string())).collect(), platform: platform.into(), mobile }
    }

    #[test]
    fn client_hints_name_the_specific_brand_and_fall_back_to_the_user_agent() {
        let ua = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";
        let cases = [
            (hints(&[("Not/A)Brand", "8"), ("Chromium", "126"), ("Google Chrome", "126")], "Windows", false), Some("Chrome 126"), Some("Windows"), Device::Desktop),
            (hints(&[("Microsoft Edge", "125"), ("Not.A/Brand", "24"), ("Chromium", "125")], "macOS", false), Some("Edge 125"), Some("macOS"), Device::Desktop),
            (hints(&[("Chromium", "140"), ("Not=A?Brand", "24")], "Linux", false), Some("Chromium 140"), Some("Linux"), Device::Desktop),
            (hints(&[("Google Chrome", "126"), ("Chromium", "126")], "Android", true), Some("Chrome 126"), Some("Android"), Device::Mobile),
            (hints(&[("Google Chrome", "126")], "Android", false), Some("Chrome 126"), Some("Android"), Device::Tablet),
            (hints(&[("Not A;Brand", "99"), ("Whale", "3.2")], "Chrome OS", false), Some("Whale 3"), Some("ChromeOS"), Device::Desktop),
            // Empty hints (some embedded views): everything from the User-Agent string.
            (hints(&[], "", false), Some("Chrome 126"), Some("Android 10"), Device::Mobile),
        ];
        for (h, b, o, d) in cases {
            let info = from_client_hints(&h, Some(ua));
            assert_eq!(info.browser.as_deref(), b, "{h:?}");
            assert_eq!(info.os.as_deref(), o, "{h:?}");
            assert_eq!(info.device, d, "{h:?}");
        }
        assert_eq!(from_client_hints(&hints(&[("Not A;Brand", "99")], "", false), None), UserAgentInfo { browser: None, os: None, device: Device::Desktop });
    }

    #[test]
    fn common_user_agents() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
                Some("Chrome 126"), Some("Linux"), Device::Desktop,
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
                Some("HeadlessChrome 156"), Some("Linux"), Device::Desktop,
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
                Some("Edge 120"), Some("Windows"), Device::Desktop,
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
                Some("Safari 17"), Some("iOS 17"), Device::Mobile,
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
                Some("Chrome 124"), Some("Android 14"), Device::Mobile,
            ),
            (
                "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
                Some("Chrome 124"), Some("Android 13"), Device::Tablet,
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0",
                Some("Firefox 121"), Some("macOS"), Device::Desktop,
            ),
            ("curl/8.0", None, None, Device::Desktop),
        ];
        for (ua, b, o, d) in cases {
            let info = parse_user_agent(ua);
            assert_eq!(info.browser.as_deref(), b, "{ua}");
            assert_eq!(info.os.as_deref(), o, "{ua}");
            assert_eq!(info.device, d, "{ua}");
        }
    }
}
