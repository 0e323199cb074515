//! Plain records of the performance entries the shell observes.
//!
//! The shell copies each browser entry into one of these (and turns DOM nodes
//! into selector strings) before handing it in; nothing here touches the DOM.
//! Times are `DOMHighResTimeStamp`s: milliseconds since navigation start.

/// The `name` of the paint entry that FCP reads.
pub const FIRST_CONTENTFUL_PAINT: &str = "first-contentful-paint";

/// A `resource` timing entry, looked up by the shell by the LCP entry's `url`
/// (the first `resource` entry whose `name` equals it).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ResourceTiming {
    pub start_time: f64,
    /// 0 when the resource is cross-origin without `Timing-Allow-Origin`.
    pub request_start: f64,
    pub response_end: f64,
}

/// A `largest-contentful-paint` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LcpEntry {
    /// `renderTime` when non-zero, else `loadTime` (what the browser reports).
    pub start_time: f64,
    pub render_time: f64,
    pub load_time: f64,
    pub size: f64,
    /// Selector of `entry.element`, if the element is still known.
    pub element: Option<String>,
    /// The image URL; empty for text.
    pub url: String,
    /// The resource entry for `url`, if the shell found one.
    pub resource: Option<ResourceTiming>,
}

/// One `sources` item of a `layout-shift` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LayoutShiftSource {
    /// Selector of `source.node`; `None` when the node is null.
    pub node: Option<String>,
    /// Whether `source.node` is an element (`nodeType === 1`).
    pub is_element: bool,
}

/// A `layout-shift` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LayoutShift {
    pub start_time: f64,
    pub value: f64,
    pub had_recent_input: bool,
    pub sources: Vec<LayoutShiftSource>,
}

/// The `entryType` of an Event Timing entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventEntryType {
    #[default]
    Event,
    FirstInput,
}

/// An `event` or `first-input` entry (`PerformanceEventTiming`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventTiming {
    pub entry_type: EventEntryType,
    /// The event type: `pointerdown`, `keydown`, `click`…
    pub name: String,
    /// 0 for events that are not part of an interaction.
    pub interaction_id: u64,
    pub start_time: f64,
    pub processing_start: f64,
    pub processing_end: f64,
    /// Rounded by the browser to a multiple of 8 ms.
    pub duration: f64,
    /// Selector of `entry.target`, if any.
    pub target: Option<String>,
}

/// A `paint` entry (`first-paint` or `first-contentful-paint`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PaintEntry {
    pub name: String,
    pub start_time: f64,
}

/// The `name` of a `visibility-state` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisibilityState {
    Visible,
    Hidden,
}

/// A `visibility-state` entry (Chromium only; other browsers have none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisibilityStateEntry {
    pub name: VisibilityState,
    pub start_time: f64,
}

/// The `type` of the navigation entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NavigationEntryType {
    #[default]
    Navigate,
    Reload,
    BackForward,
    Prerender,
}

impl NavigationEntryType {
    /// Reads `PerformanceNavigationTiming.type`; anything unknown is a navigation.
    pub fn parse(s: &str) -> NavigationEntryType {
        match s {
            "reload" => NavigationEntryType::Reload,
            "back_forward" => NavigationEntryType::BackForward,
            "prerender" => NavigationEntryType::Prerender,
            _ => NavigationEntryType::Navigate,
        }
    }
}

/// The fields of the `navigation` entry that the metrics read.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NavigationTiming {
    pub entry_type: NavigationEntryType,
    /// 0 unless the page was prerendered.
    pub activation_start: f64,
    pub worker_start: f64,
    pub fetch_start: f64,
    pub domain_lookup_start: f64,
    pub connect_start: f64,
    pub connect_end: f64,
    pub response_start: f64,
}

impl NavigationTiming {
    /// web-vitals ignores a navigation entry whose `responseStart` is 0 (hidden
    /// for privacy), negative, or not before `now` (browser bugs).
    pub fn is_usable(&self, now: f64) -> bool {
        self.response_start > 0.0 && self.response_start < now
    }
}

/// JavaScript's `a || b` for numbers: `b` when `a` is 0 or NaN.
pub(crate) fn or_if_zero(a: f64, b: f64) -> f64 {
    if a == 0.0 || a.is_nan() {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_entry_is_usable_only_with_a_plausible_response_start() {
        let nav = |response_start| NavigationTiming { response_start, ..Default::default() };
        assert!(nav(120.0).is_usable(1_000.0));
        assert!(!nav(0.0).is_usable(1_000.0));
        assert!(!nav(-5.0).is_usable(1_000.0));
        assert!(!nav(1_000.0).is_usable(1_000.0));
        assert!(!nav(5_000.0).is_usable(1_000.0));
    }

    #[test]
    fn navigation_type_parses_the_entry_strings() {
        assert_eq!(NavigationEntryType::parse("back_forward"), NavigationEntryType::BackForward);
        assert_eq!(NavigationEntryType::parse("reload"), NavigationEntryType::Reload);
        assert_eq!(NavigationEntryType::parse("prerender"), NavigationEntryType::Prerender);
        assert_eq!(NavigationEntryType::parse(""), NavigationEntryType::Navigate);
    }

    #[test]
    fn or_if_zero_is_javascripts_or() {
        assert_eq!(or_if_zero(0.0, 7.0), 7.0);
        assert_eq!(or_if_zero(f64::NAN, 7.0), 7.0);
        assert_eq!(or_if_zero(3.0, 7.0), 3.0);
    }
}
