//! First Contentful Paint.
//!
//! value = max(startTime − activationStart, 0) of the `first-contentful-paint`
//! entry, reported once, and only if the paint came before the page was first
//! hidden. After a bfcache restore FCP is the time from `pageshow` to the
//! second animation frame.

use super::attribution::{Attribution, FcpAttribution};
use super::entries::{PaintEntry, FIRST_CONTENTFUL_PAINT};
use super::page::Page;
use super::report::{MetricState, NavigationType, VitalName, VitalReport};

#[derive(Debug, Clone)]
pub struct Fcp {
    state: MetricState,
    /// `metric.entries` is non-empty: the value came from a paint entry.
    from_entry: bool,
    /// The paint entry was seen (reported or not); the observer is gone.
    disconnected: bool,
    awaiting_bfcache_paint: bool,
    report_all_changes: bool,
}

impl Fcp {
    pub fn new(id: String, navigation_type: NavigationType, report_all_changes: bool) -> Fcp {
        Fcp {
            state: MetricState::new(VitalName::Fcp, id, navigation_type, None, report_all_changes),
            from_entry: false,
            disconnected: false,
            awaiting_bfcache_paint: false,
            report_all_changes,
        }
    }

    pub fn value(&self) -> Option<f64> {
        self.state.value
    }

    /// One `paint` observer callback. `first-paint` entries are skipped.
    pub fn handle_entries(&mut self, entries: &[PaintEntry], page: &Page) -> Vec<VitalReport> {
        if self.disconnected {
            return Vec::new();
        }
        let Some(entry) = entries.iter().find(|e| e.name == FIRST_CONTENTFUL_PAINT) else {
            return Vec::new();
        };
        self.disconnected = true;
        if entry.start_time >= page.first_hidden_time() {
            return Vec::new();
        }
        self.state.value = Some((entry.start_time - page.activation_start()).max(0.0));
        self.from_entry = true;
        self.report(page).into_iter().collect()
    }

    pub fn on_bfcache_restore(&mut self, id: String) {
        self.state = MetricState::new(VitalName::Fcp, id, NavigationType::BackForwardCache, None, self.report_all_changes);
        self.from_entry = false;
        self.disconnected = true;
        self.awaiting_bfcache_paint = true;
    }

    /// `elapsed` = `performance.now()` at the second frame − `pageshow` `timeStamp`.
    pub fn on_bfcache_paint(&mut self, elapsed: f64, page: &Page) -> Vec<VitalReport> {
        if !self.awaiting_bfcache_paint {
            return Vec::new();
        }
        self.awaiting_bfcache_paint = false;
        self.state.value = Some(elapsed);
        self.report(page).into_iter().collect()
    }

    /// FCP is always reported as final.
    fn report(&mut self, page: &Page) -> Option<VitalReport> {
        let due = self.state.report(true)?;
        let value = due.value();
        let mut a = FcpAttribution { time_to_first_byte: 0.0, first_byte_to_fcp: value };
        if self.from_entry {
            if let Some(nav) = page.navigation() {
                let ttfb = (nav.response_start - nav.activation_start).max(0.0);
                a = FcpAttribution { time_to_first_byte: ttfb, first_byte_to_fcp: value - ttfb };
            }
        }
        Some(due.with(Attribution::Fcp(a)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Rating;
    use crate::core::vitals::entries::NavigationTiming;
    use crate::core::vitals::page::PageStart;

    fn page(activation_start: f64) -> Page {
        let nav = NavigationTiming { response_start: 300.0, activation_start, ..Default::default() };
        Page::new(&PageStart { navigation: Some(nav), now: 5_000.0, ..Default::default() })
    }

    fn paint(name: &str, start_time: f64) -> PaintEntry {
        PaintEntry { name: name.to_string(), start_time }
    }

    fn fcp() -> Fcp {
        Fcp::new("id".to_string(), NavigationType::Navigate, false)
    }

    #[test]
    fn reports_first_contentful_paint_once() {
        let p = page(0.0);
        let mut m = fcp();
        assert!(m.handle_entries(&[paint("first-paint", 900.0)], &p).is_empty());
        let rs = m.handle_entries(&[paint("first-paint", 900.0), paint(FIRST_CONTENTFUL_PAINT, 1_900.0)], &p);
        assert_eq!(rs.len(), 1);
        assert_eq!((rs[0].value, rs[0].delta, rs[0].is_final, rs[0].rating), (1_900.0, 1_900.0, true, Rating::NeedsImprovement));
        assert_eq!(rs[0].attribution, Attribution::Fcp(FcpAttribution { time_to_first_byte: 300.0, first_byte_to_fcp: 1_600.0 }));
        assert!(m.handle_entries(&[paint(FIRST_CONTENTFUL_PAINT, 2_000.0)], &p).is_empty());
    }

    #[test]
    fn a_paint_after_the_page_was_hidden_is_never_reported() {
        let mut p = page(0.0);
        p.on_visibility_change(true, 1_000.0);
        let mut m = fcp();
        assert!(m.handle_entries(&[paint(FIRST_CONTENTFUL_PAINT, 1_000.0)], &p).is_empty());
        assert_eq!(m.value(), None);
    }

    #[test]
    fn prerendered_pages_count_from_activation() {
        let p = page(1_000.0);
        let mut m = fcp();
        let r = m.handle_entries(&[paint(FIRST_CONTENTFUL_PAINT, 1_250.0)], &p).remove(0);
        assert_eq!(r.value, 250.0);
        // responseStart before activation: TTFB is 0 and all of FCP is rendering.
        assert_eq!(r.attribution, Attribution::Fcp(FcpAttribution { time_to_first_byte: 0.0, first_byte_to_fcp: 250.0 }));
        let mut early = fcp();
        assert_eq!(early.handle_entries(&[paint(FIRST_CONTENTFUL_PAINT, 600.0)], &p)[0].value, 0.0);
    }

    #[test]
    fn bfcache_restore_reports_the_time_to_the_next_frames() {
        let p = page(0.0);
        let mut m = fcp();
        m.handle_entries(&[paint(FIRST_CONTENTFUL_PAINT, 700.0)], &p);
        m.on_bfcache_restore("id2".to_string());
        let r = m.on_bfcache_paint(33.0, &p).remove(0);
        assert_eq!((r.id.as_str(), r.value, r.delta, r.navigation_type), ("id2", 33.0, 33.0, NavigationType::BackForwardCache));
        assert_eq!(r.attribution, Attribution::Fcp(FcpAttribution { time_to_first_byte: 0.0, first_byte_to_fcp: 33.0 }));
    }
}
