//! Largest Contentful Paint.
//!
//! value = max(startTime − activationStart, 0) of the latest
//! `largest-contentful-paint` entry from before the page was first hidden.
//! The value is final at the first trusted `keydown`, `click` or
//! `visibilitychange` (scrolling does not count: it can be scripted); after
//! that no entry is read. After a bfcache restore LCP is the time from
//! `pageshow` to the second animation frame.

use super::attribution::{Attribution, LcpAttribution};
use super::entries::{or_if_zero, LcpEntry};
use super::page::Page;
use super::report::{MetricState, NavigationType, VitalName, VitalReport};

/// The DOM inputs that make LCP final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Keydown,
    Click,
    Scroll,
    Other,
}

/// Whether an input event ends LCP observation. The shell then calls
/// [`Lcp::finalize`] when idle (or at once if the page is hidden).
pub fn input_finalizes_lcp(kind: InputKind, is_trusted: bool) -> bool {
    is_trusted && matches!(kind, InputKind::Keydown | InputKind::Click)
}

#[derive(Debug, Clone)]
pub struct Lcp {
    state: MetricState,
    /// The entry behind the current value (`metric.entries[0]`).
    entry: Option<LcpEntry>,
    /// The observer is disconnected: no further entries are read.
    finalized: bool,
    awaiting_bfcache_paint: bool,
    report_all_changes: bool,
}

impl Lcp {
    pub fn new(id: String, navigation_type: NavigationType, report_all_changes: bool) -> Lcp {
        Lcp {
            state: MetricState::new(VitalName::Lcp, id, navigation_type, None, report_all_changes),
            entry: None,
            finalized: false,
            awaiting_bfcache_paint: false,
            report_all_changes,
        }
    }

    pub fn value(&self) -> Option<f64> {
        self.state.value
    }

    pub fn is_finalized(&self) -> bool {
        self.finalized
    }

    /// One observer callback's entries. Without `reportAllChanges` only the
    /// last entry of the batch is looked at, as web-vitals does.
    pub fn handle_entries(&mut self, entries: &[LcpEntry], page: &Page) -> Vec<VitalReport> {
        let mut out = Vec::new();
        if self.finalized {
            return out;
        }
        let considered = if self.report_all_changes { entries } else { &entries[entries.len().saturating_sub(1)..] };
        for entry in considered {
            if entry.start_time < page.first_hidden_time() {
                self.state.value = Some((entry.start_time - page.activation_start()).max(0.0));
                self.entry = Some(entry.clone());
                out.extend(self.report(false, page));
            }
        }
        out
    }

    /// Stop observing: read `pending` (the observer's `takeRecords()`), then
    /// force the report. Only the first call does anything.
    pub fn finalize(&mut self, pending: &[LcpEntry], page: &Page) -> Vec<VitalReport> {
        if self.finalized {
            return Vec::new();
        }
        let mut out = self.handle_entries(pending, page);
        self.finalized = true;
        out.extend(self.report(true, page));
        out
    }

    /// A new measurement under a new id; entries are no longer observed.
    pub fn on_bfcache_restore(&mut self, id: String) {
        self.state = MetricState::new(VitalName::Lcp, id, NavigationType::BackForwardCache, None, self.report_all_changes);
        self.entry = None;
        self.finalized = true;
        self.awaiting_bfcache_paint = true;
    }

    /// `elapsed` = `performance.now()` at the second frame − `pageshow` `timeStamp`.
    pub fn on_bfcache_paint(&mut self, elapsed: f64, page: &Page) -> Vec<VitalReport> {
        if !self.awaiting_bfcache_paint {
            return Vec::new();
        }
        self.awaiting_bfcache_paint = false;
        self.state.value = Some(elapsed);
        self.report(true, page).into_iter().collect()
    }

    fn report(&mut self, force: bool, page: &Page) -> Option<VitalReport> {
        let due = self.state.report(force)?;
        let attribution = attribute(due.value(), self.entry.as_ref(), page);
        Some(due.with(Attribution::Lcp(attribution)))
    }
}

/// web-vitals' LCP breakdown. The resource's request starts no earlier than
/// the first byte, and its response ends no later than LCP.
fn attribute(value: f64, entry: Option<&LcpEntry>, page: &Page) -> LcpAttribution {
    let mut a = LcpAttribution { element_render_delay: value, ..Default::default() };
    let Some(entry) = entry else {
        return a;
    };
    a.target = entry.element.clone();
    let has_url = !entry.url.is_empty();
    if has_url {
        a.url = Some(entry.url.clone());
    }
    let Some(nav) = page.navigation() else {
        return a;
    };
    let activation_start = nav.activation_start;
    let resource = if has_url { entry.resource.as_ref() } else { None };
    let ttfb = (nav.response_start - activation_start).max(0.0);
    let request_start = ttfb.max(resource.map_or(0.0, |r| or_if_zero(r.request_start, r.start_time) - activation_start));
    let response_end = value.min(request_start.max(resource.map_or(0.0, |r| r.response_end - activation_start)));
    a.time_to_first_byte = ttfb;
    a.resource_load_delay = request_start - ttfb;
    a.resource_load_duration = response_end - request_start;
    a.element_render_delay = value - response_end;
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Rating;
    use crate::core::vitals::entries::{NavigationTiming, ResourceTiming};
    use crate::core::vitals::page::PageStart;

    fn page_with(activation_start: f64, hidden_at: Option<f64>) -> Page {
        let nav = NavigationTiming { response_start: 200.0, activation_start, ..Default::default() };
        let mut page = Page::new(&PageStart { navigation: Some(nav), now: 1_000.0, ..Default::default() });
        if let Some(t) = hidden_at {
            page.on_visibility_change(true, t);
        }
        page
    }

    fn entry(start_time: f64) -> LcpEntry {
        LcpEntry { start_time, render_time: start_time, size: 1_000.0, ..Default::default() }
    }

    fn lcp(rac: bool) -> Lcp {
        Lcp::new("v5-1-1000000000000".to_string(), NavigationType::Navigate, rac)
    }

    fn values(rs: &[VitalReport]) -> Vec<(f64, f64, bool)> {
        rs.iter().map(|r| (r.value, r.delta, r.is_final)).collect()
    }

    #[test]
    fn click_finalizes_with_the_latest_candidate() {
        let page = page_with(0.0, None);
        let mut m = lcp(false);
        assert!(m.handle_entries(&[entry(900.0), entry(1_400.0)], &page).is_empty());
        assert!(input_finalizes_lcp(InputKind::Click, true));
        let rs = m.finalize(&[entry(2_600.0)], &page);
        assert_eq!(values(&rs), vec![(2_600.0, 2_600.0, true)]);
        assert_eq!(rs[0].rating, Rating::NeedsImprovement);
        assert!(m.handle_entries(&[entry(3_000.0)], &page).is_empty(), "no entries after finalisation");
        assert!(m.finalize(&[], &page).is_empty());
        assert_eq!(m.value(), Some(2_600.0));
    }

    #[test]
    fn scroll_and_untrusted_input_do_not_finalize() {
        assert!(!input_finalizes_lcp(InputKind::Scroll, true));
        assert!(!input_finalizes_lcp(InputKind::Other, true));
        assert!(!input_finalizes_lcp(InputKind::Click, false));
        assert!(input_finalizes_lcp(InputKind::Keydown, true));
    }

    #[test]
    fn report_all_changes_reports_every_candidate() {
        let page = page_with(0.0, None);
        let mut m = lcp(true);
        let rs = m.handle_entries(&[entry(900.0), entry(1_400.0)], &page);
        assert_eq!(values(&rs), vec![(900.0, 900.0, false), (1_400.0, 500.0, false)]);
        let rs = m.finalize(&[], &page);
        assert!(rs.is_empty(), "the final value was already reported");
        assert!(m.is_finalized());
    }

    #[test]
    fn entries_after_first_hidden_are_ignored() {
        let page = page_with(0.0, Some(1_000.0));
        let mut m = lcp(true);
        let rs = m.handle_entries(&[entry(800.0), entry(1_000.0), entry(1_500.0)], &page);
        assert_eq!(values(&rs), vec![(800.0, 800.0, false)]);
        let rs = m.finalize(&[], &page);
        assert!(rs.is_empty());
        assert_eq!(m.value(), Some(800.0));
    }

    #[test]
    fn without_report_all_changes_a_late_last_entry_hides_the_batch() {
        // web-vitals only looks at the batch's last entry in this mode.
        let page = page_with(0.0, Some(1_000.0));
        let mut m = lcp(false);
        m.handle_entries(&[entry(800.0), entry(1_500.0)], &page);
        assert!(m.finalize(&[], &page).is_empty());
        assert_eq!(m.value(), None);
    }

    #[test]
    fn page_hidden_from_the_start_reports_nothing() {
        let page = Page::new(&PageStart { hidden: true, ..Default::default() });
        let mut m = lcp(true);
        assert!(m.handle_entries(&[entry(300.0)], &page).is_empty());
        assert!(m.finalize(&[], &page).is_empty());
    }

    #[test]
    fn prerendered_pages_count_from_activation_and_clamp_at_zero() {
        let page = page_with(1_000.0, None);
        let mut m = lcp(true);
        let rs = m.handle_entries(&[entry(400.0), entry(1_750.0)], &page);
        assert_eq!(values(&rs), vec![(0.0, 0.0, false), (750.0, 750.0, false)]);
    }

    #[test]
    fn bfcache_restore_measures_from_pageshow() {
        let page = page_with(0.0, None);
        let mut m = lcp(false);
        m.handle_entries(&[entry(1_200.0)], &page);
        m.finalize(&[], &page);
        m.on_bfcache_restore("v5-2-2000000000000".to_string());
        assert!(m.handle_entries(&[entry(5.0)], &page).is_empty());
        let rs = m.on_bfcache_paint(48.5, &page);
        assert_eq!(values(&rs), vec![(48.5, 48.5, true)]);
        assert_eq!(rs[0].id, "v5-2-2000000000000");
        assert_eq!(rs[0].navigation_type, NavigationType::BackForwardCache);
        assert_eq!(rs[0].attribution, Attribution::Lcp(LcpAttribution { element_render_delay: 48.5, ..Default::default() }));
        assert!(m.on_bfcache_paint(60.0, &page).is_empty());
    }

    #[test]
    fn attribution_splits_an_image_lcp() {
        let page = page_with(0.0, None);
        let mut m = lcp(false);
        let img = LcpEntry {
            element: Some("main>img.hero".to_string()),
            url: "https://cdn.example/hero.jpg".to_string(),
            resource: Some(ResourceTiming { start_time: 450.0, request_start: 500.0, response_end: 1_100.0 }),
            ..entry(1_600.0)
        };
        m.handle_entries(&[img], &page);
        let r = m.finalize(&[], &page).remove(0);
        let Attribution::Lcp(a) = r.attribution else { panic!("not LCP") };
        assert_eq!(a.target.as_deref(), Some("main>img.hero"));
        assert_eq!(a.url.as_deref(), Some("https://cdn.example/hero.jpg"));
        assert_eq!((a.time_to_first_byte, a.resource_load_delay, a.resource_load_duration, a.element_render_delay), (200.0, 300.0, 600.0, 500.0));
    }

    #[test]
    fn attribution_clamps_like_web_vitals() {
        // No Timing-Allow-Origin: requestStart is 0, startTime is used; the
        // response end past LCP (a video still loading) is capped at LCP.
        let page = page_with(0.0, None);
        let mut m = lcp(false);
        let video = LcpEntry {
            url: "https://cdn.example/v.mp4".to_string(),
            resource: Some(ResourceTiming { start_time: 100.0, request_start: 0.0, response_end: 9_000.0 }),
            ..entry(1_000.0)
        };
        m.handle_entries(&[video], &page);
        let Attribution::Lcp(a) = m.finalize(&[], &page).remove(0).attribution else { panic!("not LCP") };
        // The request cannot start before the first byte (200).
        assert_eq!((a.time_to_first_byte, a.resource_load_delay, a.resource_load_duration, a.element_render_delay), (200.0, 0.0, 800.0, 0.0));

        let mut text = lcp(false);
        text.handle_entries(&[entry(700.0)], &page);
        let Attribution::Lcp(a) = text.finalize(&[], &page).remove(0).attribution else { panic!("not LCP") };
        assert_eq!(a.url, None);
        assert_eq!((a.time_to_first_byte, a.resource_load_delay, a.resource_load_duration, a.element_render_delay), (200.0, 0.0, 0.0, 500.0));
    }
}
