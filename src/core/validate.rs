//! Validation helpers shared by the event model and the configuration.
//!
//! Every failing field is collected (not only the first) and named by its path,
//! for example `events[3].context.url`. Problems are static strings so that the
//! agent's wasm does not carry formatting code for them.

use crate::core::text;
use std::borrow::Cow;
use std::fmt;

/// One failing field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub problem: Cow<'static, str>,
}

/// All failing fields of one value.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, field: impl Into<String>, problem: impl Into<Cow<'static, str>>) {
        self.0.push(FieldError { field: field.into(), problem: problem.into() });
    }

    /// Fields in order, for tests and messages.
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.field.as_str()).collect()
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl ValidationErrors {
    /// `field: problem; field: problem`, written without `core::fmt`.
    pub fn write_to(&self, out: &mut String) {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            out.push_str(&e.field);
            out.push_str(": ");
            out.push_str(&e.problem);
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

/// Builds field paths under a prefix (`""`, `"context"`, `"events[2]"`).
pub struct Checker<'a> {
    prefix: &'a str,
    pub errors: &'a mut ValidationErrors,
}

impl<'a> Checker<'a> {
    pub fn new(prefix: &'a str, errors: &'a mut ValidationErrors) -> Self {
        Checker { prefix, errors }
    }

    pub fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_string()
        } else {
            let mut s = String::with_capacity(self.prefix.len() + 1 + field.len());
            s.push_str(self.prefix);
            s.push('.');
            s.push_str(field);
            s
        }
    }

    pub fn fail(&mut self, field: &str, problem: &'static str) {
        let p = self.path(field);
        self.errors.push(p, problem);
    }

    pub fn non_empty(&mut self, field: &str, value: &str) {
        if crate::core::text::is_blank(value) {
            self.fail(field, "must be a non-empty string");
        }
    }

    pub fn opt_non_empty(&mut self, field: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.non_empty(field, v);
        }
    }

    pub fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if value.len() > max {
            self.fail(field, "is longer than allowed");
        }
    }
}

/// A UUID in its hyphenated form, version 4, RFC 4122 variant.
pub fn is_uuid_v4(s: &str) -> bool {
    // Checked by hand: this runs for every event, and a parse with the uuid
    // crate was a tenth of track()'s cost.
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B')
}

#[cfg(test)]
mod uuid_tests {
    use super::is_uuid_v4;
    use proptest::prelude::*;

    fn by_the_uuid_crate(s: &str) -> bool {
        match uuid::Uuid::try_parse(s) {
            Ok(u) => s.len() == 36 && u.get_version_num() == 4 && u.get_variant() == uuid::Variant::RFC4122,
            Err(_) => false,
        }
    }

    proptest! {
        #[test]
        fn agrees_with_the_uuid_crate(bytes in any::<[u8; 16]>(), upper in any::<bool>(), edit in 0usize..40, ch in "[0-9a-gA-G{}-]") {
            let mut s = uuid::Builder::from_random_bytes(bytes).into_uuid().hyphenated().to_string();
            if upper {
                s = s.to_ascii_uppercase();
            }
            prop_assert!(is_uuid_v4(&s));
            if edit < s.len() {
                s.replace_range(edit..edit + 1, &ch);
            } else {
                s.push_str(&ch);
            }
            prop_assert_eq!(is_uuid_v4(&s), by_the_uuid_crate(&s), "{}", s);
        }
    }
}

/// An absolute URL: a scheme (RFC 3986), a colon, and a rest without spaces or
/// control characters; `http`, `https`, `ws` and `wss` also need `//` and a host.
pub fn is_absolute_url(s: &str) -> bool {
    let Some(colon) = text::find_byte(s, b':') else { return false };
    let (scheme, rest) = (text::head(s, colon), text::tail(s, colon + 1));
    let mut chars = scheme.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.') {
        return false;
    }
    if rest.is_empty() || rest.chars().any(|c| c.is_control() || c == ' ') {
        return false;
    }
    let hierarchical = matches!(
        scheme.to_ascii_lowercase().as_str(),
        "http" | "https" | "ws" | "wss"
    );
    if hierarchical {
        let Some(after) = rest.strip_prefix("//") else { return false };
        let authority = text::before_any(after, b"/?#");
        let host = crate::core::text::after_last(authority, b'@');
        let host = match crate::core::text::rfind_byte(host, b':') {
            Some(i) if !host.ends_with(']') => {
                let port = text::tail(host, i + 1);
                if !port.chars().all(|c| c.is_ascii_digit()) {
                    return false;
                }
                text::head(host, i)
            }
            _ => host,
        };
        if host.is_empty() {
            return false;
        }
    }
    true
}

/// A semantic version (semver.org 2.0.0): `MAJOR.MINOR.PATCH[-pre][+build]`,
/// numeric parts without leading zeros.
pub fn is_semver(s: &str) -> bool {
    let (main_pre, build) = match text::split_once_byte(s, b'+') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let (main, pre) = match text::split_once_byte(main_pre, b'-') {
        Some((a, b)) => (a, Some(b)),
        None => (main_pre, None),
    };
    let nums: Vec<&str> = text::split_any(main, b".").collect();
    if nums.len() != 3 || !nums.iter().all(|n| is_numeric_id(n)) {
        return false;
    }
    let ident_ok = |id: &str| {
        !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if let Some(pre) = pre {
        for id in text::split_any(pre, b".") {
            if !ident_ok(id) {
                return false;
            }
            if id.chars().all(|c| c.is_ascii_digit()) && !is_numeric_id(id) {
                return false;
            }
        }
    }
    if let Some(build) = build {
        if !text::split_any(build, b".").all(ident_ok) {
            return false;
        }
    }
    true
}

fn is_numeric_id(n: &str) -> bool {
    !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
}

/// `WIDTHxHEIGHT` with positive integers, as in `1920x1080`.
pub fn is_screen_resolution(s: &str) -> bool {
    let Some((w, h)) = text::split_once_byte(s, b'x') else { return false };
    let positive = |p: &str| {
        !p.is_empty() && p.len() <= 6 && p.chars().all(|c| c.is_ascii_digit()) && !p.starts_with('0')
    };
    positive(w) && positive(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v4_only() {
        assert!(is_uuid_v4("3f2b8c1e-7d4a-4b9e-9c2d-1a2b3c4d5e6f"));
        // version 1
        assert!(!is_uuid_v4("3f2b8c1e-7d4a-1b9e-9c2d-1a2b3c4d5e6f"));
        // wrong variant
        assert!(!is_uuid_v4("3f2b8c1e-7d4a-4b9e-0c2d-1a2b3c4d5e6f"));
        // simple form is not accepted on the wire
        assert!(!is_uuid_v4("3f2b8c1e7d4a4b9e9c2d1a2b3c4d5e6f"));
        assert!(!is_uuid_v4(""));
    }

    #[test]
    fn absolute_urls() {
        for ok in [
            "https://example.com",
            "http://127.0.0.1:8080/a?b=c#d",
            "https://user@host.example/x",
            "http://[::1]:3000/",
            "about:blank",
            "file:///tmp/x.html",
        ] {
            assert!(is_absolute_url(ok), "{ok}");
        }
        for bad in ["", "/relative", "example.com", "https://", "https:///x", "http://a b/", "1http://x", "http://host:port/"] {
            assert!(!is_absolute_url(bad), "{bad}");
        }
    }

    #[test]
    fn semantic_versions() {
        for ok in ["0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha.1", "1.0.0+build.5", "1.0.0-rc-1+sha.abc"] {
            assert!(is_semver(ok), "{ok}");
        }
        for bad in ["", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.3-", "1.2.3-01", "v1.2.3", "1.2.3+", "1.2.x"] {
            assert!(!is_semver(bad), "{bad}");
        }
    }

    #[test]
    fn screen_resolutions() {
        assert!(is_screen_resolution("1920x1080"));
        assert!(is_screen_resolution("1x1"));
        for bad in ["", "1920", "1920x", "x1080", "0x10", "1920X1080", "19 20x1080", "-1x5"] {
            assert!(!is_screen_resolution(bad), "{bad}");
        }
    }

    #[test]
    fn errors_name_every_field() {
        let mut errs = ValidationErrors::default();
        let mut c = Checker::new("events[2]", &mut errs);
        c.non_empty("event", " ");
        c.opt_non_empty("userId", &Some(String::new()));
        c.opt_non_empty("sessionId", &None);
        assert_eq!(errs.fields(), vec!["events[2].event", "events[2].userId"]);
        assert_eq!(
            errs.to_string(),
            "events[2].event: must be a non-empty string; events[2].userId: must be a non-empty string"
        );
    }
}
