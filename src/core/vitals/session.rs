//! The five metrics wired together the way web-vitals wires them: one page
//! state, CLS waiting for FCP, page hide and bfcache restore fanned out.
//!
//! The shell creates a [`WebVitals`] once the page is activated and forwards
//! observer batches and page events; every method returns the reports due.

use super::cls::Cls;
use super::entries::{EventTiming, LayoutShift, LcpEntry, PaintEntry};
use super::fcp::Fcp;
use super::inp::{Inp, DEFAULT_DURATION_THRESHOLD};
use super::lcp::Lcp;
use super::page::{Page, PageStart};
use super::report::{generate_id, VitalReport};
use super::ttfb::Ttfb;

/// web-vitals' `ReportOpts`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VitalsOptions {
    /// Report every change, not only final values and values at page hide.
    pub report_all_changes: bool,
    /// `durationThreshold` of the `event` observer, in ms.
    pub duration_threshold: f64,
}

impl Default for VitalsOptions {
    fn default() -> Self {
        VitalsOptions { report_all_changes: false, duration_threshold: DEFAULT_DURATION_THRESHOLD }
    }
}

/// One id per metric, for the page load or for a bfcache restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VitalIds {
    pub lcp: String,
    pub cls: String,
    pub inp: String,
    pub fcp: String,
    pub ttfb: String,
}

impl VitalIds {
    /// Five [`generate_id`]s from `Date.now()` and the caller's random source.
    pub fn generate(now_ms: u64, mut random: impl FnMut() -> f64) -> VitalIds {
        VitalIds {
            lcp: generate_id(now_ms, random()),
            cls: generate_id(now_ms, random()),
            inp: generate_id(now_ms, random()),
            fcp: generate_id(now_ms, random()),
            ttfb: generate_id(now_ms, random()),
        }
    }
}

/// The observers' `takeRecords()` at page hide.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PendingRecords {
    pub lcp: Vec<LcpEntry>,
    pub layout_shifts: Vec<LayoutShift>,
    pub events: Vec<EventTiming>,
}

#[derive(Debug, Clone)]
pub struct WebVitals {
    page: Page,
    lcp: Lcp,
    cls: Cls,
    inp: Inp,
    fcp: Fcp,
    ttfb: Ttfb,
}

impl WebVitals {
    pub fn new(start: &PageStart, options: VitalsOptions, ids: VitalIds) -> WebVitals {
        let page = Page::new(start);
        let nav_type = page.navigation_type();
        let rac = options.report_all_changes;
        WebVitals {
            lcp: Lcp::new(ids.lcp, nav_type, rac),
            cls: Cls::new(ids.cls, rac),
            inp: Inp::new(ids.inp, nav_type, rac, options.duration_threshold),
            fcp: Fcp::new(ids.fcp, nav_type, rac),
            ttfb: Ttfb::new(ids.ttfb, nav_type, rac),
            page,
        }
    }

    pub fn page(&self) -> &Page {
        &self.page
    }

    /// A `largest-contentful-paint` observer batch.
    pub fn on_lcp_entries(&mut self, entries: &[LcpEntry]) -> Vec<VitalReport> {
        self.lcp.handle_entries(entries, &self.page)
    }

    /// A `paint` observer batch. Reporting FCP starts CLS.
    pub fn on_paint_entries(&mut self, entries: &[PaintEntry]) -> Vec<VitalReport> {
        let out = self.fcp.handle_entries(entries, &self.page);
        self.after_fcp(out)
    }

    /// A `layout-shift` observer batch.
    pub fn on_layout_shifts(&mut self, entries: &[LayoutShift]) -> Vec<VitalReport> {
        self.cls.handle_entries(entries)
    }

    /// An `event` + `first-input` observer batch, handled when idle, with
    /// the interaction count at that moment.
    pub fn on_event_entries(&mut self, entries: &[EventTiming], interaction_count: f64) -> Vec<VitalReport> {
        self.inp.handle_entries(entries, interaction_count)
    }

    /// In a task after `load`: TTFB from the navigation entry.
    pub fn on_load(&mut self, now: f64) -> Vec<VitalReport> {
        let navigation = self.page.navigation_as_read().copied();
        self.ttfb.on_load(navigation.as_ref(), now)
    }

    /// LCP is final: call when idle after a trusted `keydown` or `click` (see
    /// [`super::lcp::input_finalizes_lcp`]) or a `visibilitychange` to
    /// visible, with the LCP observer's `takeRecords()`.
    pub fn finalize_lcp(&mut self, pending: &[LcpEntry]) -> Vec<VitalReport> {
        self.lcp.finalize(pending, &self.page)
    }

    /// `visibilitychange` to hidden, with its `timeStamp`: LCP is final,
    /// CLS and INP report their current values.
    pub fn on_hidden(&mut self, timestamp: f64, pending: &PendingRecords, interaction_count: f64) -> Vec<VitalReport> {
        self.page.on_visibility_change(true, timestamp);
        let mut out = self.lcp.finalize(&pending.lcp, &self.page);
        out.extend(self.cls.on_hidden(&pending.layout_shifts));
        out.extend(self.inp.on_hidden(&pending.events, interaction_count));
        out
    }

    /// `pageshow` with `persisted`: new ids for every metric, TTFB reports 0,
    /// CLS and INP start again. `hidden` is the visibility state once it has
    /// settled (web-vitals reads it in a task after the event).
    pub fn on_bfcache_restore(&mut self, ids: VitalIds, interaction_count: f64, hidden: bool) -> Vec<VitalReport> {
        self.page.on_bfcache_restore(hidden);
        self.lcp.on_bfcache_restore(ids.lcp);
        self.fcp.on_bfcache_restore(ids.fcp);
        self.cls.on_bfcache_restore(ids.cls);
        self.inp.on_bfcache_restore(ids.inp, interaction_count);
        self.ttfb.on_bfcache_restore(ids.ttfb)
    }

    /// Two animation frames after the restore: `elapsed` is
    /// `performance.now()` − the `pageshow` event's `timeStamp`.
    pub fn on_bfcache_paint(&mut self, elapsed: f64) -> Vec<VitalReport> {
        let mut out = self.lcp.on_bfcache_paint(elapsed, &self.page);
        let fcp = self.fcp.on_bfcache_paint(elapsed, &self.page);
        out.extend(self.cls.on_bfcache_paint());
        out.extend(self.after_fcp(fcp));
        out
    }

    fn after_fcp(&mut self, mut fcp_reports: Vec<VitalReport>) -> Vec<VitalReport> {
        if !fcp_reports.is_empty() && !self.cls.is_started() {
            let started = self.cls.start(self.page.navigation_type());
            fcp_reports.extend(started);
        }
        fcp_reports
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::vitals::attribution::Attribution;
    use crate::core::vitals::entries::{NavigationTiming, FIRST_CONTENTFUL_PAINT};
    use crate::core::vitals::report::{NavigationType, VitalName};

    fn ids(tag: u64) -> VitalIds {
        let mut n = 0.0;
        VitalIds::generate(tag, || {
            n += 0.1;
            n
        })
    }

    fn start() -> PageStart {
        PageStart { navigation: Some(NavigationTiming { response_start: 250.0, ..Default::default() }), now: 400.0, ..Default::default() }
    }

    fn fcp_at(t: f64) -> PaintEntry {
        PaintEntry { name: FIRST_CONTENTFUL_PAINT.to_string(), start_time: t }
    }

    fn shift(start_time: f64, value: f64) -> LayoutShift {
        LayoutShift { start_time, value, ..Default::default() }
    }

    fn click(id: u64, start_time: f64, duration: f64) -> EventTiming {
        EventTiming { name: "click".to_string(), interaction_id: id, start_time, processing_start: start_time, processing_end: start_time, duration, ..Default::default() }
    }

    fn summary(rs: &[VitalReport]) -> Vec<(VitalName, f64, f64)> {
        rs.iter().map(|r| (r.name, r.value, r.delta)).collect()
    }

    #[test]
    fn a_whole_page_life_without_report_all_changes() {
        let mut v = WebVitals::new(&start(), VitalsOptions::default(), ids(1));
        assert!(v.on_layout_shifts(&[shift(300.0, 0.01)]).is_empty());
        let rs = v.on_paint_entries(&[fcp_at(900.0)]);
        assert_eq!(summary(&rs), vec![(VitalName::Fcp, 900.0, 900.0)], "CLS starts silently");
        assert!(v.on_lcp_entries(&[LcpEntry { start_time: 1_300.0, ..Default::default() }]).is_empty());
        assert_eq!(summary(&v.on_load(2_000.0)), vec![(VitalName::Ttfb, 250.0, 250.0)]);
        assert!(v.on_event_entries(&[click(3, 4_000.0, 160.0)], 1.0).is_empty());
        assert!(v.on_layout_shifts(&[shift(4_100.0, 0.2)]).is_empty());
        let rs = v.finalize_lcp(&[]);
        assert_eq!(summary(&rs), vec![(VitalName::Lcp, 1_300.0, 1_300.0)]);

        let rs = v.on_hidden(9_000.0, &PendingRecords::default(), 1.0);
        assert_eq!(summary(&rs), vec![(VitalName::Cls, 0.2, 0.2), (VitalName::Inp, 160.0, 160.0)]);
        assert!(rs.iter().all(|r| r.is_final && r.navigation_type == NavigationType::Navigate));
        // Visible again, more shifts, hidden again: only the change.
        let pending = PendingRecords { layout_shifts: vec![shift(12_000.0, 0.15), shift(12_500.0, 0.15)], ..Default::default() };
        let rs = v.on_hidden(13_000.0, &pending, 1.0);
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].name, VitalName::Cls);
        assert!((rs[0].value - 0.3).abs() < 1e-12 && (rs[0].delta - 0.1).abs() < 1e-12);
        assert_eq!(v.page().first_hidden_time(), 9_000.0);
    }

    #[test]
    fn ids_are_distinct_and_survive_until_restore() {
        let i = ids(1_700_000_000_000);
        let all = [&i.lcp, &i.cls, &i.inp, &i.fcp, &i.ttfb];
        for (n, a) in all.iter().enumerate() {
            assert!(a.starts_with("v5-1700000000000-"));
            assert!(all[n + 1..].iter().all(|b| b != a));
        }
        let mut v = WebVitals::new(&start(), VitalsOptions::default(), i.clone());
        let rs = v.on_paint_entries(&[fcp_at(500.0)]);
        assert_eq!(rs[0].id, i.fcp);
        let rs = v.on_hidden(1_000.0, &PendingRecords::default(), 0.0);
        assert_eq!(rs[0].id, i.cls);
    }

    #[test]
    fn a_page_hidden_before_fcp_reports_neither_fcp_nor_cls() {
        let mut v = WebVitals::new(&start(), VitalsOptions { report_all_changes: true, ..Default::default() }, ids(1));
        v.on_layout_shifts(&[shift(100.0, 0.4)]);
        let rs = v.on_hidden(500.0, &PendingRecords::default(), 0.0);
        assert!(rs.is_empty());
        assert!(v.on_paint_entries(&[fcp_at(700.0)]).is_empty());
        assert!(v.on_hidden(800.0, &PendingRecords::default(), 0.0).is_empty());
    }

    #[test]
    fn lcp_entries_are_read_until_hidden_and_not_after() {
        let mut v = WebVitals::new(&start(), VitalsOptions { report_all_changes: true, ..Default::default() }, ids(1));
        let lcp = |t| LcpEntry { start_time: t, ..Default::default() };
        assert_eq!(summary(&v.on_lcp_entries(&[lcp(600.0)])), vec![(VitalName::Lcp, 600.0, 600.0)]);
        let pending = PendingRecords { lcp: vec![lcp(1_000.0)], ..Default::default() };
        let rs = v.on_hidden(2_000.0, &pending, 0.0);
        assert_eq!(summary(&rs), vec![(VitalName::Lcp, 1_000.0, 400.0)]);
        assert!(v.on_lcp_entries(&[lcp(2_500.0)]).is_empty());
    }

    #[test]
    fn bfcache_restore_resets_everything_under_new_ids() {
        let opts = VitalsOptions { report_all_changes: true, ..Default::default() };
        let mut v = WebVitals::new(&start(), opts, ids(1));
        v.on_paint_entries(&[fcp_at(500.0)]);
        v.on_load(3_000.0);
        v.on_lcp_entries(&[LcpEntry { start_time: 800.0, ..Default::default() }]);
        v.on_layout_shifts(&[shift(900.0, 0.3)]);
        v.on_event_entries(&[click(1, 1_000.0, 400.0)], 1.0);
        v.on_hidden(5_000.0, &PendingRecords::default(), 1.0);

        let fresh = ids(2);
        let rs = v.on_bfcache_restore(fresh.clone(), 1.0, false);
        assert_eq!(summary(&rs), vec![(VitalName::Ttfb, 0.0, 0.0)]);
        assert_eq!(rs[0].id, fresh.ttfb);
        assert!(v.page().first_hidden_time().is_infinite());

        let rs = v.on_bfcache_paint(40.0);
        assert_eq!(summary(&rs), vec![(VitalName::Lcp, 40.0, 40.0), (VitalName::Cls, 0.0, 0.0), (VitalName::Fcp, 40.0, 40.0)]);
        assert!(rs.iter().all(|r| r.navigation_type == NavigationType::BackForwardCache));
        assert_eq!((rs[0].id.as_str(), rs[1].id.as_str(), rs[2].id.as_str()), (fresh.lcp.as_str(), fresh.cls.as_str(), fresh.fcp.as_str()));

        let rs = v.on_event_entries(&[click(2, 7_000.0, 96.0)], 2.0);
        assert_eq!(summary(&rs), vec![(VitalName::Inp, 96.0, 96.0)]);
        assert_eq!(rs[0].id, fresh.inp);
        let rs = v.on_layout_shifts(&[shift(7_100.0, 0.05)]);
        assert_eq!(summary(&rs), vec![(VitalName::Cls, 0.05, 0.05)]);
        assert!(matches!(rs[0].attribution, Attribution::Cls(_)));
    }

    #[test]
    fn a_restore_is_the_first_fcp_when_the_load_was_hidden() {
        let hidden_start = PageStart { hidden: true, ..start() };
        let mut v = WebVitals::new(&hidden_start, VitalsOptions::default(), ids(1));
        assert!(v.on_paint_entries(&[fcp_at(300.0)]).is_empty());
        let fresh = ids(2);
        v.on_bfcache_restore(fresh.clone(), 0.0, false);
        let rs = v.on_bfcache_paint(25.0);
        assert_eq!(summary(&rs), vec![(VitalName::Lcp, 25.0, 25.0), (VitalName::Fcp, 25.0, 25.0)]);
        let rs = v.on_hidden(9_000.0, &PendingRecords::default(), 0.0);
        assert_eq!(summary(&rs), vec![(VitalName::Cls, 0.0, 0.0)]);
        assert_eq!((rs[0].id.as_str(), rs[0].navigation_type), (fresh.cls.as_str(), NavigationType::BackForwardCache));
    }

    #[test]
    fn prerendered_pages_are_typed_and_measured_from_activation() {
        let pre = PageStart {
            navigation: Some(NavigationTiming { response_start: 100.0, activation_start: 3_000.0, ..Default::default() }),
            now: 3_500.0,
            ..Default::default()
        };
        let mut v = WebVitals::new(&pre, VitalsOptions::default(), ids(1));
        let rs = v.on_paint_entries(&[fcp_at(3_200.0)]);
        assert_eq!((rs[0].value, rs[0].navigation_type), (200.0, NavigationType::Prerender));
        assert_eq!(summary(&v.on_load(4_000.0)), vec![(VitalName::Ttfb, 0.0, 0.0)]);
    }

    #[test]
    fn ttfb_checks_the_navigation_entry_against_the_time_at_load() {
        let early = PageStart { now: 200.0, ..start() };
        let mut v = WebVitals::new(&early, VitalsOptions::default(), ids(1));
        assert_eq!(summary(&v.on_load(900.0)), vec![(VitalName::Ttfb, 250.0, 250.0)]);
        let mut v = WebVitals::new(&start(), VitalsOptions::default(), ids(1));
        assert!(v.on_load(250.0).is_empty(), "responseStart must be before now");
    }
}
