//! Page views and page leave, as pure rules over URLs and times.
//!
//! The shell reports every URL change it sees (the initial load, `pushState`,
//! `replaceState`, `popstate`, `hashchange`) and every visibility change and
//! scroll position; [`PageTracker`] decides what is a page view:
//!
//! - a page is its path and query (and, for hash routers, its fragment route);
//!   a change to the same page is no page view, so the `popstate` + `hashchange`
//!   pair of one back step, a router that calls `replaceState` on every render,
//!   or a hash link in a History-API app count nothing;
//! - `replaceState` counts only when the path changes (and can be switched off);
//! - a new page is recorded once its URL has been stable for a short settle
//!   time ([`DEFAULT_SETTLE_MS`]): a redirect within it (`pushState` then
//!   `replaceState`, or a chain of pushes) counts once, for the final URL, and
//!   the title read at that point is the rendered one;
//! - the referrer of an in-app navigation is the previous page view's URL.
//!
//! Page leave: when a page view ends (navigation, or the page being hidden or
//! unloaded), the visible time since the last report and the deepest scroll.
//! A page that comes back into view continues the same page view, so its next
//! leave reports only the time visible since (and the running total).

use crate::core::text;
use std::borrow::Cow;

/// How long a new URL must stay before it is recorded as a page view.
pub const DEFAULT_SETTLE_MS: u64 = 100;
/// Campaign parameters taken from the page URL into page-view properties.
pub const CAMPAIGN_PARAMS: [&str; 6] = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id"];
/// Longest campaign value kept, in chars.
pub const MAX_CAMPAIGN_CHARS: usize = 200;

/// What changed the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Navigation {
    /// The page load itself.
    Initial,
    Push,
    Replace,
    /// Back or forward (`popstate`).
    Pop,
    Hash,
}

impl Navigation {
    pub fn parse(s: &str) -> Option<Navigation> {
        match s {
            "initial" => Some(Navigation::Initial),
            "push" => Some(Navigation::Push),
            "replace" => Some(Navigation::Replace),
            "pop" => Some(Navigation::Pop),
            "hash" => Some(Navigation::Hash),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Navigation::Initial => "initial",
            Navigation::Push => "push",
            Navigation::Replace => "replace",
            Navigation::Pop => "pop",
            Navigation::Hash => "hash",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// `pushState`, `replaceState` and `popstate` are page views (single-page apps).
    pub history: bool,
    /// `replaceState` is a page view when it changes the path.
    pub replace_state: bool,
    /// The app routes by fragment (`#/products`): fragment changes are page views.
    pub hash_routing: bool,
    pub settle_ms: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { history: true, replace_state: true, hash_routing: false, settle_ms: DEFAULT_SETTLE_MS }
    }
}

// ---------------------------------------------------------------------------
// URLs

/// An absolute URL cut into its parts; the parts put back together are the
/// input exactly. Never fails: a string without `scheme://` is all path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// `https://user@host:port`, or empty.
    pub origin: &'a str,
    pub path: &'a str,
    /// After `?`, before `#`.
    pub query: Option<&'a str>,
    /// After `#`.
    pub fragment: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    pub fn parse(url: &'a str) -> UrlParts<'a> {
        let (rest, fragment) = match text::find_byte(url, b'#') {
            Some(i) => (text::head(url, i), Some(text::tail(url, i + 1))),
            None => (url, None),
        };
        let (rest, query) = match text::find_byte(rest, b'?') {
            Some(i) => (text::head(rest, i), Some(text::tail(rest, i + 1))),
            None => (rest, None),
        };
        let origin_end = match crate::core::text::find(rest, "://") {
            Some(i) if text::head(rest, i).bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.') && i > 0 => {
                let start = i + 3;
                start + text::find_byte(text::tail(rest, start), b'/').unwrap_or(rest.len() - start)
            }
            _ => 0,
        };
        UrlParts { origin: text::head(rest, origin_end), path: text::tail(rest, origin_end), query, fragment }
    }

    /// The path, `/` when empty.
    pub fn path_or_root(&self) -> &'a str {
        if self.path.is_empty() {
            "/"
        } else {
            self.path
        }
    }

    /// The host without credentials or port, lower-cased (`None` when there is none).
    pub fn host(&self) -> Option<String> {
        let authority = crate::core::text::split_once(&self.origin, "://")?.1;
        let host_port = crate::core::text::after_last(authority, b'@');
        let host = if host_port.starts_with('[') {
            text::find_byte(host_port, b']').map_or(host_port, |i| text::head(host_port, i + 1))
        } else {
            text::before_any(host_port, b":")
        };
        if host.is_empty() {
            None
        } else {
            Some(host.to_ascii_lowercase())
        }
    }
}

/// The fragment as a route: without a leading `!` (`#!/x`), `/` when empty.
fn route(fragment: Option<&str>) -> &str {
    let f = fragment.unwrap_or("");
    let f = f.strip_prefix('!').unwrap_or(f);
    if f.is_empty() {
        "/"
    } else {
        f
    }
}

/// The page's path as reported: the URL path, and for hash routers the
/// fragment route without its query (`/app#/products`).
pub fn page_path(url: &str, hash_routing: bool) -> String {
    let p = UrlParts::parse(url);
    let mut out = p.path_or_root().to_string();
    if hash_routing {
        let r = route(p.fragment);
        out.push('#');
        out.push_str(text::before_any(r, b"?"));
    }
    out
}

/// What makes two URLs the same page: path and query, and the fragment route
/// for hash routers. (Origin changes cannot happen within a document.)
pub fn page_key(url: &str, hash_routing: bool) -> String {
    let p = UrlParts::parse(url);
    let mut out = p.path_or_root().to_string();
    if let Some(q) = p.query.filter(|q| !q.is_empty()) {
        out.push('?');
        out.push_str(q);
    }
    if hash_routing {
        out.push('#');
        out.push_str(route(p.fragment));
    }
    out
}

/// Decodes `%XX` escapes and `+` (as in a query); invalid escapes stay as they are,
/// invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'+' {
            out.push(b' ');
        } else if c == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
            out.push(c);
        } else {
            out.push(c);
        }
        i += 1;
    }
    utf8_lossy(&out)
}

/// `b` as text, each invalid sequence one U+FFFD, as `String::from_utf8_lossy`
/// does (its chunk iterator is ~0.5 KB of code; `from_utf8`'s errors say the same).
fn utf8_lossy(mut b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    loop {
        match std::str::from_utf8(b) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (valid, rest) = b.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                b = rest.get(e.error_len().unwrap_or(rest.len())..).unwrap_or_default();
            }
        }
    }
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// `key=value` pairs of a query, decoded; pairs without `=` have an empty value.
pub fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    text::split_any(query, b"&").filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = text::split_once_byte(p, b'=').unwrap_or((p, ""));
        (percent_decode(k), percent_decode(v))
    })
}

fn is_campaign_pair(pair: &str) -> bool {
    let raw_key = text::before_any(pair, b"=");
    percent_decode(raw_key).to_ascii_lowercase().starts_with("utm_")
}

/// Campaign parameters of a URL (`utm_source`, …), from its query and the
/// fragment's query (hash routers): non-empty, first occurrence, values cut to
/// [`MAX_CAMPAIGN_CHARS`].
pub fn campaign(url: &str) -> Vec<(String, String)> {
    let p = UrlParts::parse(url);
    let fragment_query = p.fragment.and_then(|f| text::split_once_byte(f, b'?')).map(|(_, q)| q);
    let mut out: Vec<(String, String)> = Vec::new();
    for q in [p.query, fragment_query].into_iter().flatten() {
        for (k, v) in query_pairs(q) {
            let k = k.to_ascii_lowercase();
            if !CAMPAIGN_PARAMS.contains(&k.as_str()) || out.iter().any(|(seen, _)| *seen == k) {
                continue;
            }
            let v = crate::core::text::take_chars(v.trim(), MAX_CAMPAIGN_CHARS).to_string();
            if !v.is_empty() {
                out.push((k, v));
            }
        }
    }
    out
}

/// A query without its `utm_*` pairs (`None`: it has none).
fn strip_query(q: &str) -> Option<String> {
    if !text::split_any(q, b"&").any(is_campaign_pair) {
        return None;
    }
    // Joined by hand: `[..].join` costs a kilobyte of code for this one use.
    let mut out = String::with_capacity(q.len());
    for (i, pair) in text::split_any(q, b"&").filter(|p| !is_campaign_pair(p)).enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(pair);
    }
    Some(out)
}

/// The URL without `utm_*` parameters, in the query and in the fragment's
/// query: campaign data needs marketing consent. Other parameters keep their order.
pub fn strip_campaign_params(url: &str) -> Cow<'_, str> {
    let p = UrlParts::parse(url);
    let query = p.query.map(|q| strip_query(q).map_or(Cow::Borrowed(q), Cow::Owned));
    let fragment = p.fragment.map(|f| match text::split_once_byte(f, b'?') {
        Some((route, q)) => match strip_query(q) {
            Some(kept) if kept.is_empty() => Cow::Owned(route.to_string()),
            Some(kept) => {
                let mut s = String::with_capacity(route.len() + 1 + kept.len());
                s.push_str(route);
                s.push('?');
                s.push_str(&kept);
                Cow::Owned(s)
            }
            None => Cow::Borrowed(f),
        },
        None => Cow::Borrowed(f),
    });
    let changed = matches!(query, Some(Cow::Owned(_))) || matches!(fragment, Some(Cow::Owned(_)));
    if !changed {
        return Cow::Borrowed(url);
    }
    let mut out = String::with_capacity(url.len());
    out.push_str(p.origin);
    out.push_str(p.path);
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        out.push('?');
        out.push_str(&q);
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&f);
    }
    Cow::Owned(out)
}

// ---------------------------------------------------------------------------
// Page views and page leave

/// A page view to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub url: String,
    pub path: String,
    /// The previous page view's URL, or the document's referrer for the first.
    pub referrer: Option<String>,
    pub referrer_domain: Option<String>,
    pub navigation: Navigation,
    pub campaign: Vec<(String, String)>,
}

/// The end (or a pause: the page was hidden) of a page view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leave {
    pub url: String,
    pub path: String,
    /// Visible time since the page view started, or since its previous leave.
    pub visible_ms: u64,
    /// Visible time over the whole page view so far.
    pub total_visible_ms: u64,
    /// Deepest scroll: percent of the page's height that has been in view (0–100).
    pub scroll_depth: u8,
}

/// What the shell records, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Leave(Leave),
    View(View),
}

#[derive(Debug, Clone)]
struct Engagement {
    visible_since: Option<u64>,
    total: u64,
    reported: u64,
    leaves: u32,
    max_scroll: u8,
}

impl Engagement {
    fn new(visible_from: Option<u64>) -> Engagement {
        Engagement { visible_since: visible_from, total: 0, reported: 0, leaves: 0, max_scroll: 0 }
    }

    /// Adds the visible time up to `now`; keeps counting if still visible.
    fn accumulate(&mut self, now: u64) {
        if let Some(since) = self.visible_since {
            self.total += now.saturating_sub(since);
            self.visible_since = Some(now.max(since));
        }
    }

    fn show(&mut self, now: u64) {
        if self.visible_since.is_none() {
            self.visible_since = Some(now);
        }
    }

    fn hide(&mut self, now: u64) {
        self.accumulate(now);
        self.visible_since = None;
    }

    /// The report of a leave: always the first; later ones only with new visible time.
    fn report(&mut self) -> Option<(u64, u64, u8)> {
        let delta = self.total - self.reported;
        if self.leaves > 0 && delta == 0 {
            return None;
        }
        self.reported = self.total;
        self.leaves += 1;
        Some((delta, self.total, self.max_scroll))
    }
}

#[derive(Debug, Clone)]
struct Page {
    url: String,
    path: String,
    engagement: Engagement,
}

#[derive(Debug, Clone)]
struct Pending {
    url: String,
    navigation: Navigation,
    /// When the current page was left (the first URL change of a redirect chain).
    first_at: u64,
    /// The latest URL change: the view is recorded `settle_ms` after it.
    last_at: u64,
}

/// Decides page views and page leaves from URL changes, visibility and scrolling.
#[derive(Debug, Clone)]
pub struct PageTracker {
    options: Options,
    document_referrer: Option<String>,
    visible: bool,
    visible_changed_at: u64,
    current: Option<Page>,
    pending: Option<Pending>,
}

impl PageTracker {
    /// `document_referrer`: `document.referrer` when non-empty; `visible`: the
    /// page's visibility now.
    pub fn new(options: Options, document_referrer: Option<String>, visible: bool, now: u64) -> PageTracker {
        PageTracker {
            options,
            document_referrer: document_referrer.filter(|r| !r.is_empty()),
            visible,
            visible_changed_at: now,
            current: None,
            pending: None,
        }
    }

    pub fn options(&self) -> Options {
        self.options
    }

    /// The page load, which started at `started_at` (the navigation's start, so
    /// that time on the page counts from then): recorded as a page view once
    /// settled, counted from `now`.
    pub fn load(&mut self, url: &str, started_at: u64, now: u64) {
        if self.current.is_none() && self.pending.is_none() {
            let first_at = started_at.min(now);
            self.pending = Some(Pending { url: url.to_string(), navigation: Navigation::Initial, first_at, last_at: now });
        }
    }

    /// A URL change. Returns whether a page view is now waiting to settle
    /// (the shell then asks again at [`PageTracker::settle_at`]).
    pub fn navigate(&mut self, navigation: Navigation, url: &str, now: u64) -> bool {
        let o = self.options;
        let allowed = match navigation {
            Navigation::Initial => true,
            Navigation::Push | Navigation::Pop => o.history,
            Navigation::Replace => o.history && o.replace_state,
            Navigation::Hash => o.hash_routing,
        };
        if !allowed {
            return false;
        }
        let hr = o.hash_routing;
        let same = |a: &str, b: &str| {
            if navigation == Navigation::Replace {
                page_path(a, hr) == page_path(b, hr)
            } else {
                page_key(a, hr) == page_key(b, hr)
            }
        };
        // The same page as the latest URL: nothing to record, but the latest URL is kept
        // (a redirect's final query, the referrer of the next page view).
        if let Some(p) = &mut self.pending {
            if same(url, &p.url) {
                p.url = url.to_string();
                return false;
            }
        } else if let Some(c) = &mut self.current {
            if same(url, &c.url) {
                c.url = url.to_string();
                return false;
            }
        }
        // Back to the current page before the pending one settled: no page view.
        if self.pending.is_some() {
            if let Some(c) = &mut self.current {
                if same(url, &c.url) {
                    c.url = url.to_string();
                    self.pending = None;
                    return false;
                }
            }
        }
        match &mut self.pending {
            Some(p) => {
                p.url = url.to_string();
                p.last_at = now;
            }
            None => self.pending = Some(Pending { url: url.to_string(), navigation, first_at: now, last_at: now }),
        }
        true
    }

    /// When the waiting page view settles, if one is waiting.
    pub fn settle_at(&self) -> Option<u64> {
        self.pending.as_ref().map(|p| p.last_at + self.options.settle_ms)
    }

    /// Records the waiting page view if it has settled by `now`.
    pub fn settle(&mut self, now: u64) -> Vec<Output> {
        let mut out = Vec::new();
        if self.settle_at().is_some_and(|at| now >= at) {
            self.commit(&mut out);
        }
        out
    }

    /// Records the waiting page view now, settled or not (the page is going away).
    pub fn settle_now(&mut self) -> Vec<Output> {
        let mut out = Vec::new();
        self.commit(&mut out);
        out
    }

    fn commit(&mut self, out: &mut Vec<Output>) {
        let Some(p) = self.pending.take() else { return };
        if let Some(c) = &mut self.current {
            // A chain of changes that ended on the current page again.
            if page_key(&p.url, self.options.hash_routing) == page_key(&c.url, self.options.hash_routing) {
                c.url = p.url;
                return;
            }
        }
        let referrer = match &self.current {
            Some(c) => Some(c.url.clone()),
            None => self.document_referrer.clone(),
        };
        if let Some(mut old) = self.current.take() {
            old.engagement.accumulate(p.first_at);
            if let Some((visible_ms, total_visible_ms, scroll_depth)) = old.engagement.report() {
                out.push(Output::Leave(Leave { url: old.url, path: old.path, visible_ms, total_visible_ms, scroll_depth }));
            }
        }
        let path = page_path(&p.url, self.options.hash_routing);
        let visible_from = self.visible.then_some(p.first_at.max(self.visible_changed_at));
        self.current = Some(Page { url: p.url.clone(), path: path.clone(), engagement: Engagement::new(visible_from) });
        out.push(Output::View(View {
            referrer_domain: referrer.as_deref().and_then(|r| UrlParts::parse(r).host()),
            referrer,
            campaign: campaign(&p.url),
            navigation: p.navigation,
            path,
            url: p.url,
        }));
    }

    /// The page became visible or hidden. Hidden ends the visible stretch: a
    /// waiting page view is recorded, then a leave for the page view.
    pub fn visibility(&mut self, visible: bool, now: u64) -> Vec<Output> {
        let mut out = Vec::new();
        if !visible {
            self.commit(&mut out);
        }
        if visible != self.visible {
            self.visible = visible;
            self.visible_changed_at = now;
        }
        if let Some(c) = &mut self.current {
            if visible {
                c.engagement.show(now);
            } else {
                c.engagement.hide(now);
                if let Some((visible_ms, total_visible_ms, scroll_depth)) = c.engagement.report() {
                    out.push(Output::Leave(Leave { url: c.url.clone(), path: c.path.clone(), visible_ms, total_visible_ms, scroll_depth }));
                }
            }
        }
        out
    }

    /// The deepest scroll seen on the current page, in percent (clamped to 0–100).
    /// Readings while a new page view waits to settle are ignored: the app is
    /// rendering the next page, whose depth is read once it is recorded.
    pub fn scroll(&mut self, percent: f64) {
        if self.pending.is_some() {
            return;
        }
        if let Some(c) = &mut self.current {
            let p = if percent.is_finite() { percent.round().clamp(0.0, 100.0) as u8 } else { 0 };
            c.engagement.max_scroll = c.engagement.max_scroll.max(p);
        }
    }

    /// The current page view's URL.
    pub fn current_url(&self) -> Option<&str> {
        self.current.as_ref().map(|c| c.url.as_str())
    }
}

/// Percent of the page's height that is or has been in view at this scroll position.
pub fn scroll_percent(scroll_y: f64, viewport_height: f64, document_height: f64) -> f64 {
    if !(scroll_y.is_finite() && viewport_height.is_finite() && document_height.is_finite()) || document_height <= 0.0 {
        return 0.0;
    }
    ((scroll_y.max(0.0) + viewport_height.max(0.0)) / document_height * 100.0).clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Navigation::*;

    const T0: u64 = 1_750_000_000_000;
    const BASE: &str = "https://shop.example";

    fn u(path: &str) -> String {
        format!("{BASE}{path}")
    }

    #[test]
    fn urls_are_cut_into_parts() {
        let p = UrlParts::parse("https://jane:pw@Shop.Example:8443/a/b?x=1&y=2#frag?z");
        assert_eq!(p.origin, "https://jane:pw@Shop.Example:8443");
        assert_eq!(p.path, "/a/b");
        assert_eq!(p.query, Some("x=1&y=2"));
        assert_eq!(p.fragment, Some("frag?z"));
        assert_eq!(p.host().as_deref(), Some("shop.example"));
        let p = UrlParts::parse("http://[::1]:8080");
        assert_eq!((p.path, p.path_or_root()), ("", "/"));
        assert_eq!(p.host().as_deref(), Some("[::1]"));
        assert_eq!(UrlParts::parse("about:blank").host(), None);
        assert_eq!(UrlParts::parse("about:blank").path, "about:blank");
        assert_eq!(UrlParts::parse("android-app://com.example/").host().as_deref(), Some("com.example"));
        assert_eq!(UrlParts::parse("").host(), None);
    }

    #[test]
    fn pages_are_path_and_query_and_for_hash_routers_the_route() {
        assert_eq!(page_key(&u("/a?x=1#top"), false), "/a?x=1");
        assert_eq!(page_key(BASE, false), "/");
        assert_eq!(page_key(&u("/a?"), false), "/a");
        assert_eq!(page_path(&u("/a?x=1#top"), false), "/a");
        assert_eq!(page_key(&u("/app#/products?sort=price"), true), "/app#/products?sort=price");
        assert_eq!(page_path(&u("/app#/products?sort=price"), true), "/app#/products");
        assert_eq!(page_path(&u("/app#!/about"), true), "/app#/about");
        assert_eq!(page_path(&u("/app"), true), "/app#/");
        assert_eq!(page_key(&u("/app#"), true), page_key(&u("/app"), true));
    }

    #[test]
    fn campaign_parameters_are_extracted_and_can_be_stripped() {
        let url = u("/landing?utm_source=news%20letter&utm_medium=email&x=1&UTM_CAMPAIGN=spring+sale&utm_source=second&utm_term=");
        assert_eq!(
            campaign(&url),
            vec![
                ("utm_source".to_string(), "news letter".to_string()),
                ("utm_medium".into(), "email".into()),
                ("utm_campaign".into(), "spring sale".into()),
            ]
        );
        assert_eq!(campaign(&u("/app#/landing?utm_content=hero")), vec![("utm_content".to_string(), "hero".to_string())]);
        assert_eq!(strip_campaign_params(&url), u("/landing?x=1"));
        assert_eq!(strip_campaign_params(&u("/l?utm_source=a#/r?utm_id=7&k=v")), u("/l#/r?k=v"));
        assert_eq!(strip_campaign_params(&u("/l?utm_source=a#top")), u("/l#top"));
        assert!(matches!(strip_campaign_params(&u("/l?a=1#x")), Cow::Borrowed(_)));
        assert_eq!(strip_campaign_params(&u("/l?%75tm_source=a&b=2")), u("/l?b=2"), "an escaped key is still campaign data");
        let long = "v".repeat(500);
        assert_eq!(campaign(&u(&format!("/?utm_source={long}")))[0].1.chars().count(), MAX_CAMPAIGN_CHARS);
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }

    /// Views as (navigation, path, referrer path) for compact expectations.
    fn views(out: &[Output]) -> Vec<(Navigation, String, Option<String>)> {
        out.iter()
            .filter_map(|o| match o {
                Output::View(v) => Some((v.navigation, v.path.clone(), v.referrer.as_ref().map(|r| r.trim_start_matches(BASE).to_string()))),
                Output::Leave(_) => None,
            })
            .collect()
    }

    fn leaves(out: &[Output]) -> Vec<Leave> {
        out.iter()
            .filter_map(|o| match o {
                Output::Leave(l) => Some(l.clone()),
                Output::View(_) => None,
            })
            .collect()
    }

    /// Drives a tracker like the shell: every step waits `gap` ms, settles, collects.
    struct Visit {
        t: PageTracker,
        now: u64,
        out: Vec<Output>,
    }

    impl Visit {
        fn new(options: Options, path: &str) -> Visit {
            let mut t = PageTracker::new(options, Some("https://search.example/?q=shoes".into()), true, T0);
            t.load(&u(path), T0, T0);
            let mut v = Visit { t, now: T0, out: Vec::new() };
            v.wait(1_000);
            v
        }
        fn wait(&mut self, ms: u64) {
            // Settle as the shell's timer would, at the settle time.
            if let Some(at) = self.t.settle_at() {
                if at <= self.now + ms {
                    self.out.extend(self.t.settle(at));
                }
            }
            self.now += ms;
            self.out.extend(self.t.settle(self.now));
        }
        fn go(&mut self, nav: Navigation, path: &str) {
            self.t.navigate(nav, &u(path), self.now);
        }
        /// A router render: `replaceState` with the same URL.
        fn render(&mut self) {
            let url = self.t.pending.as_ref().map(|p| p.url.clone()).or_else(|| self.t.current_url().map(String::from)).unwrap();
            self.t.navigate(Replace, &url, self.now);
        }
    }

    #[test]
    fn a_single_page_app_visit_counts_each_page_once_with_the_previous_page_as_referrer() {
        let mut v = Visit::new(Options::default(), "/?utm_source=news");
        v.render();
        for (nav, path) in [(Push, "/products"), (Push, "/products/42")] {
            v.go(nav, path);
            v.render();
            v.render();
            v.wait(1_000);
        }
        // A redirect: /old-about replaced by /about within the settle time.
        v.go(Push, "/old-about");
        v.go(Replace, "/about");
        v.render();
        v.wait(1_000);
        // Back twice, forward once; each back step of a hash-free app is one popstate.
        v.go(Pop, "/products/42");
        v.wait(1_000);
        v.go(Pop, "/products");
        v.render();
        v.wait(1_000);
        v.go(Pop, "/products/42");
        v.wait(1_000);
        // A push of the same URL, a hash link and a same-path replace are no page views.
        v.go(Push, "/products/42");
        v.go(Hash, "/products/42#reviews");
        v.go(Pop, "/products/42#reviews");
        v.go(Replace, "/products/42?tab=reviews");
        v.wait(1_000);
        v.go(Push, "/");
        v.wait(1_000);
        let s = |x: &str| x.to_string();
        assert_eq!(
            views(&v.out),
            vec![
                (Initial, s("/"), Some(s("https://search.example/?q=shoes"))),
                (Push, s("/products"), Some(s("/?utm_source=news"))),
                (Push, s("/products/42"), Some(s("/products"))),
                (Push, s("/about"), Some(s("/products/42"))),
                (Pop, s("/products/42"), Some(s("/about"))),
                (Pop, s("/products"), Some(s("/products/42"))),
                (Pop, s("/products/42"), Some(s("/products"))),
                (Push, s("/"), Some(s("/products/42?tab=reviews"))),
            ]
        );
        let Output::View(first) = &v.out[0] else { panic!() };
        assert_eq!(first.referrer_domain.as_deref(), Some("search.example"));
        assert_eq!(first.campaign, vec![(s("utm_source"), s("news"))]);
        // One leave per page left, each with the second it was visible.
        let l = leaves(&v.out);
        assert_eq!(l.iter().map(|l| l.path.as_str()).collect::<Vec<_>>(), ["/", "/products", "/products/42", "/about", "/products/42", "/products", "/products/42"]);
        assert!(l[..6].iter().all(|l| l.visible_ms == 1_000 && l.total_visible_ms == 1_000), "{l:?}");
        assert_eq!(l[6].visible_ms, 2_000, "the last page stayed through the same-page steps");
        // Order: the leave of a page comes right before the next page's view.
        assert!(matches!((&v.out[1], &v.out[2]), (Output::Leave(_), Output::View(_))));
    }

    #[test]
    fn replace_state_counts_only_a_new_path_and_can_be_switched_off() {
        let mut v = Visit::new(Options::default(), "/a");
        v.go(Replace, "/a?step=2");
        v.wait(500);
        v.go(Replace, "/b");
        v.wait(500);
        assert_eq!(views(&v.out).iter().map(|x| x.1.as_str()).collect::<Vec<_>>(), ["/a", "/b"]);
        assert_eq!(views(&v.out)[1].2.as_deref(), Some("/a?step=2"));

        let mut v = Visit::new(Options { replace_state: false, ..Options::default() }, "/a");
        v.go(Replace, "/b");
        v.wait(500);
        v.go(Push, "/c");
        v.go(Replace, "/d");
        v.wait(500);
        assert_eq!(views(&v.out).iter().map(|x| x.1.as_str()).collect::<Vec<_>>(), ["/a", "/c"]);

        let mut v = Visit::new(Options { history: false, ..Options::default() }, "/a");
        v.go(Push, "/b");
        v.wait(500);
        assert_eq!(views(&v.out).len(), 1);
    }

    #[test]
    fn a_hash_router_counts_fragment_routes_once_per_step() {
        let o = Options { hash_routing: true, ..Options::default() };
        let mut v = Visit::new(o, "/app.html#/");
        // A link click fires popstate and hashchange for the same URL.
        v.go(Pop, "/app.html#/products");
        v.go(Hash, "/app.html#/products");
        v.wait(1_000);
        v.go(Hash, "/app.html#/about?utm_source=x");
        v.go(Replace, "/app.html#/about?utm_source=x");
        v.wait(1_000);
        // Back: both events again.
        v.go(Pop, "/app.html#/products");
        v.go(Hash, "/app.html#/products");
        v.wait(1_000);
        let got: Vec<_> = views(&v.out).into_iter().map(|(n, p, _)| (n, p)).collect();
        assert_eq!(
            got,
            vec![
                (Initial, "/app.html#/".to_string()),
                (Pop, "/app.html#/products".into()),
                (Hash, "/app.html#/about".into()),
                (Pop, "/app.html#/products".into()),
            ]
        );
        let Output::View(about) = v.out.iter().filter(|o| matches!(o, Output::View(_))).nth(2).unwrap() else { panic!() };
        assert_eq!(about.campaign, vec![("utm_source".to_string(), "x".to_string())]);
        // Without hash routing the same fragments are one page.
        let mut v = Visit::new(Options::default(), "/app.html#/");
        v.go(Hash, "/app.html#/products");
        v.go(Pop, "/app.html#/products");
        v.wait(1_000);
        assert_eq!(views(&v.out).len(), 1);
    }

    #[test]
    fn going_back_before_the_view_settled_records_nothing() {
        let mut v = Visit::new(Options::default(), "/a");
        v.go(Push, "/b");
        v.wait(50);
        v.go(Pop, "/a");
        v.wait(1_000);
        assert_eq!(views(&v.out).len(), 1);
        assert!(leaves(&v.out).is_empty());
        assert_eq!(v.t.settle_at(), None);
    }

    #[test]
    fn visible_time_excludes_hidden_stretches_and_scroll_depth_is_the_deepest() {
        let mut t = PageTracker::new(Options::default(), None, true, T0);
        t.load(&u("/article"), T0, T0);
        assert!(t.settle(T0 + 99).is_empty());
        let out = t.settle(T0 + 100);
        assert_eq!(views(&out).len(), 1);
        assert_eq!(views(&out)[0].2, None, "no referrer");
        t.scroll(35.4);
        t.scroll(80.6);
        t.scroll(20.0);
        // Visible 900 ms more, then hidden: the first leave.
        let out = t.visibility(false, T0 + 1_000);
        assert_eq!(leaves(&out), vec![Leave { url: u("/article"), path: "/article".into(), visible_ms: 1_000, total_visible_ms: 1_000, scroll_depth: 81 }]);
        // Hidden for a minute, then visible for 500 ms, then a navigation.
        assert!(t.visibility(true, T0 + 61_000).is_empty());
        t.scroll(f64::NAN);
        t.scroll(250.0);
        t.navigate(Push, &u("/next"), T0 + 61_500);
        t.scroll(5.0); // the next page rendering: not this page's depth, nor the next one's yet
        let out = t.settle(T0 + 61_600);
        let l = leaves(&out);
        assert_eq!(l.len(), 1);
        assert_eq!((l[0].visible_ms, l[0].total_visible_ms, l[0].scroll_depth), (500, 1_500, 100));
        // The new page counts from the navigation on; pagehide after hidden adds nothing.
        let out = t.visibility(false, T0 + 62_500);
        assert_eq!(leaves(&out)[0].visible_ms, 1_000);
        assert_eq!(leaves(&out)[0].scroll_depth, 0, "readings before the view settled are not counted");
        assert!(t.visibility(false, T0 + 62_600).is_empty());
    }

    #[test]
    fn hiding_records_a_waiting_view_before_its_leave() {
        let mut t = PageTracker::new(Options::default(), None, true, T0);
        t.load(&u("/"), T0, T0);
        t.settle(T0 + 100);
        t.navigate(Push, &u("/quick"), T0 + 1_000);
        let out = t.visibility(false, T0 + 1_030);
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(matches!(&out[0], Output::Leave(l) if l.path == "/" && l.visible_ms == 1_000));
        assert!(matches!(&out[1], Output::View(v) if v.path == "/quick"));
        assert!(matches!(&out[2], Output::Leave(l) if l.path == "/quick" && l.visible_ms == 30));
    }

    #[test]
    fn the_first_page_counts_from_the_navigation_start() {
        // The agent started 700 ms after the navigation began.
        let mut t = PageTracker::new(Options::default(), None, true, T0);
        t.load(&u("/"), T0, T0 + 700);
        assert_eq!(t.settle_at(), Some(T0 + 800), "settles counted from the agent's start");
        t.settle(T0 + 800);
        let out = t.visibility(false, T0 + 1_000);
        assert_eq!(leaves(&out)[0].visible_ms, 1_000);
    }

    #[test]
    fn a_page_loaded_hidden_counts_time_from_when_it_is_shown() {
        let mut t = PageTracker::new(Options::default(), None, false, T0);
        t.load(&u("/"), T0, T0);
        t.settle(T0 + 100);
        t.visibility(true, T0 + 5_000);
        let out = t.visibility(false, T0 + 6_000);
        assert_eq!(leaves(&out)[0].visible_ms, 1_000);
        let mut t = PageTracker::new(Options::default(), None, false, T0);
        t.load(&u("/"), T0, T0);
        let out = t.visibility(false, T0 + 10);
        assert_eq!(views(&out).len(), 1);
        assert_eq!(leaves(&out)[0].visible_ms, 0, "a page never seen reports no time");
    }

    #[test]
    fn scroll_percent_is_bounded() {
        assert_eq!(scroll_percent(0.0, 500.0, 2_000.0), 25.0);
        assert_eq!(scroll_percent(1_500.0, 500.0, 2_000.0), 100.0);
        assert_eq!(scroll_percent(0.0, 800.0, 400.0), 100.0);
        assert_eq!(scroll_percent(0.0, 500.0, 0.0), 0.0);
        assert_eq!(scroll_percent(f64::NAN, 500.0, 100.0), 0.0);
        assert_eq!(scroll_percent(-50.0, 500.0, 1_000.0), 50.0);
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use proptest::prelude::*;

    fn url_like() -> impl Strategy<Value = String> {
        prop_oneof![
            ".{0,80}",
            "(https?|android-app)://[a-zA-Z0-9.:@\\[\\]-]{0,20}(/[a-zA-Z0-9%._~-]{0,8}){0,4}(\\?[a-zA-Z0-9%=&_+#?-]{0,30})?(#[a-zA-Z0-9/?=&%_!-]{0,20})?",
        ]
    }

    proptest! {
        /// The hand-joined query is what `join("&")` gives, empty pairs included.
        #[test]
        fn a_stripped_query_keeps_the_other_pairs_in_order(q in "(&|utm_[a-z]{1,3}=[a-z]{0,2}|[a-z]{0,3}=?[a-z]{0,2}){0,8}") {
            let kept: Vec<&str> = q.split('&').filter(|p| !is_campaign_pair(p)).collect();
            let expected = q.split('&').any(is_campaign_pair).then(|| kept.join("&"));
            prop_assert_eq!(strip_query(&q), expected);
        }

        #[test]
        fn url_parts_put_back_are_the_url(url in url_like()) {
            let p = UrlParts::parse(&url);
            let mut back = String::new();
            back.push_str(p.origin);
            back.push_str(p.path);
            if let Some(q) = p.query { back.push('?'); back.push_str(q); }
            if let Some(f) = p.fragment { back.push('#'); back.push_str(f); }
            prop_assert_eq!(back, url.clone());
            let _ = p.host();
            let _ = page_key(&url, true);
            let _ = page_path(&url, false);
        }

        #[test]
        fn stripped_urls_carry_no_campaign_data(url in url_like(), tail in "[a-z]{0,5}") {
            let with = format!("{url}{}utm_source=s{tail}&keep=1", if url.contains('?') { "&" } else { "?" });
            let stripped = strip_campaign_params(&with);
            prop_assert!(campaign(&stripped).iter().all(|(k, _)| k != "utm_source"), "{}", stripped);
            prop_assert!(strip_campaign_params(&stripped) == stripped.as_ref(), "stripping is idempotent");
        }

        #[test]
        fn invalid_utf8_is_replaced_as_the_standard_library_does(b in proptest::collection::vec(proptest::sample::select(vec![0x41u8, 0x80, 0xbf, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0xed, 0xff]), 0..24)) {
            prop_assert_eq!(utf8_lossy(&b), String::from_utf8_lossy(&b).into_owned());
        }

        #[test]
        fn decoding_never_panics(s in ".{0,60}") {
            let _ = percent_decode(&s);
            let _ = campaign(&s);
        }

        /// Whatever the page does, the tracker never records the same page twice
        /// in a row, and a leave always closes the page recorded before it.
        #[test]
        fn no_page_is_recorded_twice_in_a_row(
            steps in proptest::collection::vec((0u8..6, 0usize..4, 0u64..300), 1..60),
            hash_routing in any::<bool>(),
        ) {
            let paths = ["/a", "/b?x=1", "/b?x=2#/r", "/c#/s"];
            let options = Options { hash_routing, ..Options::default() };
            let mut t = PageTracker::new(options, None, true, 0);
            t.load("https://x.example/a", 0, 0);
            let mut now = 0;
            let mut out = Vec::new();
            let kinds: Vec<u8> = steps.iter().map(|s| s.0).collect();
            for (kind, path, gap) in steps {
                now += gap;
                let url = format!("https://x.example{}", paths[path]);
                match kind {
                    0 => { t.navigate(Navigation::Push, &url, now); }
                    1 => { t.navigate(Navigation::Replace, &url, now); }
                    2 => { t.navigate(Navigation::Pop, &url, now); }
                    3 => { t.navigate(Navigation::Hash, &url, now); }
                    4 => out.extend(t.visibility(false, now)),
                    _ => out.extend(t.visibility(true, now)),
                }
                out.extend(t.settle(now));
            }
            // Without replaceState (which changes the current URL silently), no page is
            // recorded twice in a row; a leave always closes the last view.
            let any_replace = kinds.contains(&1);
            let mut last_key: Option<String> = None;
            let mut last_path: Option<String> = None;
            for o in &out {
                match o {
                    Output::View(v) => {
                        let key = page_key(&v.url, hash_routing);
                        if !any_replace {
                            prop_assert!(last_key.as_ref() != Some(&key), "{:?}", out);
                        }
                        last_key = Some(key);
                        last_path = Some(v.path.clone());
                    }
                    Output::Leave(l) => {
                        prop_assert_eq!(Some(&l.path), last_path.as_ref());
                        prop_assert!(l.visible_ms <= l.total_visible_ms);
                        prop_assert!(l.total_visible_ms <= now);
                    }
                }
            }
        }
    }
}
