//! Cumulative Layout Shift.
//!
//! Shifts without recent input are grouped into session windows: a shift
//! joins the current window when it comes less than 1 s after the previous
//! shift and less than 5 s after the window's first shift; otherwise it opens
//! a new window. CLS is the largest window total.
//!
//! As in web-vitals, CLS is not measured until FCP has been reported (to
//! match CrUX): the shifts seen before are replayed as one buffered batch,
//! and a page whose FCP is never reported never reports CLS. The largest
//! window is compared at the end of each observer batch, not after every
//! shift, exactly like the library.

use super::attribution::{Attribution, ClsAttribution};
use super::entries::LayoutShift;
use super::report::{MetricState, NavigationType, VitalName, VitalReport};

/// A shift joins the window if it is less than this after the previous shift.
pub const SESSION_GAP_MS: f64 = 1_000.0;
/// …and less than this after the window's first shift.
pub const SESSION_MAX_MS: f64 = 5_000.0;

#[derive(Debug, Clone)]
pub struct Cls {
    session_value: f64,
    session_entries: Vec<LayoutShift>,
    /// `None` until FCP has been reported.
    state: Option<MetricState>,
    /// Identity for when measuring starts.
    pending_id: String,
    /// The shifts behind the current value (`metric.entries`).
    metric_entries: Vec<LayoutShift>,
    awaiting_bfcache_paint: bool,
    report_all_changes: bool,
}

impl Cls {
    /// `id` is used once FCP is reported (CLS's metric is created then).
    pub fn new(id: String, report_all_changes: bool) -> Cls {
        Cls {
            session_value: 0.0,
            session_entries: Vec::new(),
            state: None,
            pending_id: id,
            metric_entries: Vec::new(),
            awaiting_bfcache_paint: false,
            report_all_changes,
        }
    }

    pub fn is_started(&self) -> bool {
        self.state.is_some()
    }

    pub fn value(&self) -> Option<f64> {
        self.state.as_ref().and_then(|s| s.value)
    }

    /// One `layout-shift` observer callback.
    pub fn handle_entries(&mut self, entries: &[LayoutShift]) -> Vec<VitalReport> {
        for entry in entries {
            self.process(entry);
        }
        if self.state.is_none() {
            return Vec::new();
        }
        self.update_and_report(false)
    }

    /// FCP was reported: create the metric (value 0) and take in everything
    /// seen so far. `navigation_type` is the page's type at this moment.
    pub fn start(&mut self, navigation_type: NavigationType) -> Vec<VitalReport> {
        if self.state.is_some() {
            return Vec::new();
        }
        let id = std::mem::take(&mut self.pending_id);
        self.state = Some(MetricState::new(VitalName::Cls, id, navigation_type, Some(0.0), self.report_all_changes));
        self.update_and_report(false)
    }

    /// The page is being hidden: read `pending` (`takeRecords()`), then force a report.
    pub fn on_hidden(&mut self, pending: &[LayoutShift]) -> Vec<VitalReport> {
        let mut out = self.handle_entries(pending);
        if self.state.is_some() {
            out.extend(self.report(true));
        }
        out
    }

    /// A new measurement under a new id, starting from 0.
    pub fn on_bfcache_restore(&mut self, id: String) {
        if self.state.is_none() {
            // Not measuring yet: the restore only renames the future metric.
            self.pending_id = id;
            return;
        }
        self.session_value = 0.0;
        self.metric_entries.clear();
        self.state = Some(MetricState::new(VitalName::Cls, id, NavigationType::BackForwardCache, Some(0.0), self.report_all_changes));
        self.awaiting_bfcache_paint = true;
    }

    /// Two frames after a restore: with `reportAllChanges` the 0 is reported.
    pub fn on_bfcache_paint(&mut self) -> Vec<VitalReport> {
        if !self.awaiting_bfcache_paint {
            return Vec::new();
        }
        self.awaiting_bfcache_paint = false;
        self.report(false).into_iter().collect()
    }

    fn process(&mut self, entry: &LayoutShift) {
        if entry.had_recent_input {
            return;
        }
        let joins = match (self.session_entries.first(), self.session_entries.last()) {
            (Some(first), Some(last)) => {
                self.session_value != 0.0
                    && entry.start_time - last.start_time < SESSION_GAP_MS
                    && entry.start_time - first.start_time < SESSION_MAX_MS
            }
            _ => false,
        };
        if joins {
            self.session_value += entry.value;
            self.session_entries.push(entry.clone());
        } else {
            self.session_value = entry.value;
            self.session_entries.clear();
            self.session_entries.push(entry.clone());
        }
    }

    fn update_and_report(&mut self, force: bool) -> Vec<VitalReport> {
        if let Some(state) = self.state.as_mut() {
            if self.session_value > state.value.unwrap_or(0.0) {
                state.value = Some(self.session_value);
                self.metric_entries.clone_from(&self.session_entries);
            }
        }
        self.report(force).into_iter().collect()
    }

    fn report(&mut self, force: bool) -> Option<VitalReport> {
        let due = self.state.as_mut()?.report(force)?;
        Some(due.with(Attribution::Cls(attribute(&self.metric_entries))))
    }
}

/// The largest shift (the later one on ties) and, within it, the first
/// source that is an element, else the first source.
fn attribute(entries: &[LayoutShift]) -> ClsAttribution {
    let Some(largest) = entries.iter().reduce(|a, b| if a.value > b.value { a } else { b }) else {
        return ClsAttribution::default();
    };
    let Some(source) = largest.sources.iter().find(|s| s.is_element).or(largest.sources.first()) else {
        return ClsAttribution::default();
    };
    ClsAttribution {
        largest_shift_target: source.node.clone(),
        largest_shift_time: Some(largest.start_time),
        largest_shift_value: Some(largest.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Rating;
    use crate::core::vitals::entries::LayoutShiftSource;

    fn shift(start_time: f64, value: f64) -> LayoutShift {
        LayoutShift { start_time, value, ..Default::default() }
    }

    fn input_shift(start_time: f64, value: f64) -> LayoutShift {
        LayoutShift { had_recent_input: true, ..shift(start_time, value) }
    }

    fn started(rac: bool) -> Cls {
        let mut c = Cls::new("cls-1".to_string(), rac);
        c.start(NavigationType::Navigate);
        c
    }

    /// The value after feeding each shift as its own batch.
    fn value_of(shifts: &[LayoutShift]) -> f64 {
        let mut c = started(false);
        for s in shifts {
            c.handle_entries(std::slice::from_ref(s));
        }
        c.value().unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn one_window_sums_its_shifts() {
        assert!(close(value_of(&[shift(100.0, 0.05), shift(600.0, 0.05), shift(1_500.0, 0.05)]), 0.15));
    }

    #[test]
    fn the_largest_of_several_windows_wins() {
        let shifts = [
            shift(1_000.0, 0.1),
            shift(1_500.0, 0.1), // window 1: 0.2
            shift(4_000.0, 0.05),
            shift(4_200.0, 0.05),
            shift(4_900.0, 0.2), // window 2: 0.3
            shift(9_000.0, 0.25), // window 3: 0.25
        ];
        assert!(close(value_of(&shifts), 0.3));
    }

    #[test]
    fn a_gap_of_exactly_one_second_opens_a_new_window() {
        assert!(close(value_of(&[shift(1_000.0, 0.1), shift(2_000.0, 0.1)]), 0.1));
        assert!(close(value_of(&[shift(1_000.0, 0.1), shift(1_999.9, 0.1)]), 0.2));
    }

    #[test]
    fn a_window_is_capped_below_five_seconds() {
        let chain: Vec<LayoutShift> = (0..=5).map(|i| shift(1_000.0 + 900.0 * i as f64, 0.1)).collect();
        // Shifts at 1000..=5500 (<5 s from the first) form one window; 5500
        // is 4.5 s in. Add one at exactly 6000 (5 s after the first).
        let mut shifts = chain.clone();
        shifts.push(shift(6_000.0, 0.1));
        assert!(close(value_of(&chain), 0.6));
        assert!(close(value_of(&shifts), 0.6), "the shift at exactly 5 s starts a new window");
        let mut just_inside = chain;
        just_inside.push(shift(5_999.0, 0.1));
        assert!(close(value_of(&just_inside), 0.7));
    }

    #[test]
    fn shifts_after_input_are_skipped_and_do_not_break_windows() {
        let shifts = [shift(1_000.0, 0.1), input_shift(1_500.0, 0.5), shift(1_900.0, 0.1)];
        assert!(close(value_of(&shifts), 0.2));
        let mut c = started(false);
        c.handle_entries(&[input_shift(100.0, 0.9)]);
        assert_eq!(c.value(), Some(0.0));
    }

    #[test]
    fn nothing_is_reported_before_fcp_and_earlier_shifts_count_after() {
        let mut c = Cls::new("cls-1".to_string(), true);
        assert!(c.handle_entries(&[shift(50.0, 0.05)]).is_empty());
        assert!(c.on_hidden(&[shift(3_000.0, 0.03)]).is_empty(), "no FCP, no CLS");
        let rs = c.start(NavigationType::Reload);
        assert_eq!(rs.len(), 1);
        assert!(close(rs[0].value, 0.03), "only the current window survives the buffered batch");
        assert_eq!((rs[0].id.as_str(), rs[0].navigation_type), ("cls-1", NavigationType::Reload));
    }

    #[test]
    fn report_all_changes_reports_zero_at_start_then_each_growth() {
        let mut c = Cls::new("cls-1".to_string(), true);
        let rs = c.start(NavigationType::Navigate);
        assert_eq!((rs[0].value, rs[0].delta, rs[0].is_final), (0.0, 0.0, false));
        let rs = c.handle_entries(&[shift(100.0, 0.05)]);
        assert_eq!((rs[0].value, rs[0].delta), (0.05, 0.05));
        let rs = c.handle_entries(&[shift(300.0, 0.07)]);
        assert!(close(rs[0].value, 0.12) && close(rs[0].delta, 0.07));
        assert!(c.handle_entries(&[shift(8_000.0, 0.01)]).is_empty(), "a smaller window changes nothing");
        assert!(c.on_hidden(&[]).is_empty(), "already reported");
    }

    #[test]
    fn without_report_all_changes_each_hide_reports_the_change() {
        let mut c = started(false);
        assert!(c.handle_entries(&[shift(100.0, 0.05)]).is_empty());
        let rs = c.on_hidden(&[shift(400.0, 0.1)]);
        assert_eq!(rs.len(), 1);
        assert!(close(rs[0].value, 0.15) && close(rs[0].delta, 0.15) && rs[0].is_final);
        assert_eq!(rs[0].rating, Rating::NeedsImprovement);
        assert!(c.on_hidden(&[]).is_empty(), "same value is not reported again");
        let rs = c.on_hidden(&[shift(20_000.0, 0.3)]);
        assert!(close(rs[0].value, 0.3) && close(rs[0].delta, 0.15));
        assert_eq!(rs[0].rating, Rating::Poor);
    }

    #[test]
    fn zero_cls_is_reported_on_hide() {
        let mut c = started(false);
        let rs = c.on_hidden(&[]);
        assert_eq!((rs[0].value, rs[0].delta, rs[0].rating), (0.0, 0.0, Rating::Good));
        assert_eq!(rs[0].attribution, Attribution::Cls(ClsAttribution::default()));
    }

    #[test]
    fn the_window_is_compared_at_the_end_of_a_batch() {
        // Like web-vitals: a big window followed by a small one in the same
        // batch is never seen as the maximum.
        let mut c = started(false);
        c.handle_entries(&[shift(100.0, 0.3), shift(5_000.0, 0.01)]);
        assert_eq!(c.value(), Some(0.01));
    }

    #[test]
    fn bfcache_restore_starts_again_from_zero() {
        let mut c = started(true);
        c.handle_entries(&[shift(100.0, 0.2)]);
        c.on_bfcache_restore("cls-2".to_string());
        let rs = c.on_bfcache_paint();
        assert_eq!((rs[0].id.as_str(), rs[0].value, rs[0].delta), ("cls-2", 0.0, 0.0));
        assert_eq!(rs[0].navigation_type, NavigationType::BackForwardCache);
        // The next shift opens a fresh window even if it is close in time.
        let rs = c.handle_entries(&[shift(300.0, 0.04)]);
        assert_eq!((rs[0].value, rs[0].delta), (0.04, 0.04));
    }

    #[test]
    fn bfcache_restore_before_fcp_only_renames() {
        let mut c = Cls::new("cls-1".to_string(), false);
        c.on_bfcache_restore("cls-2".to_string());
        c.start(NavigationType::BackForwardCache);
        let rs = c.on_hidden(&[]);
        assert_eq!(rs[0].id, "cls-2");
        assert!(c.on_bfcache_paint().is_empty());
    }

    #[test]
    fn attribution_names_the_largest_shift_and_its_element() {
        let src = |node: Option<&str>, is_element| LayoutShiftSource { node: node.map(str::to_string), is_element };
        let mut c = started(false);
        c.handle_entries(&[
            LayoutShift { sources: vec![src(Some("#a"), true)], ..shift(100.0, 0.05) },
            LayoutShift { sources: vec![src(Some("#text"), false), src(Some("div.ad"), true)], ..shift(300.0, 0.08) },
            LayoutShift { sources: vec![src(Some("#c"), true)], ..shift(400.0, 0.08) },
        ]);
        let Attribution::Cls(a) = c.on_hidden(&[]).remove(0).attribution else { panic!("not CLS") };
        // Ties go to the later shift.
        assert_eq!(a, ClsAttribution { largest_shift_target: Some("#c".to_string()), largest_shift_time: Some(400.0), largest_shift_value: Some(0.08) });

        let mut c = started(false);
        c.handle_entries(&[LayoutShift { sources: vec![src(Some("#text"), false), src(Some("div.ad"), true)], ..shift(300.0, 0.08) }]);
        let Attribution::Cls(a) = c.on_hidden(&[]).remove(0).attribution else { panic!("not CLS") };
        assert_eq!(a.largest_shift_target.as_deref(), Some("div.ad"));

        let mut c = started(false);
        c.handle_entries(&[LayoutShift { sources: vec![src(None, false)], ..shift(300.0, 0.08) }]);
        let Attribution::Cls(a) = c.on_hidden(&[]).remove(0).attribution else { panic!("not CLS") };
        assert_eq!((a.largest_shift_target, a.largest_shift_value), (None, Some(0.08)));
    }
}
