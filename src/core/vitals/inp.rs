//! Interaction to Next Paint.
//!
//! `event` entries (at least [`DEFAULT_DURATION_THRESHOLD`] long) and the
//! `first-input` entry are grouped by `interactionId`; an interaction's
//! latency is its longest entry. Only the 10 longest interactions are kept.
//! INP is the one at index min(len − 1, ⌊interactionCount / 50⌋) of that
//! longest-first list: one outlier is dropped per 50 interactions.
//! `interactionCount` is `performance.interactionCount` (or the shell's
//! estimate of it), counted from the last bfcache restore.
//!
//! Entries with `interactionId` 0 are not interactions (hovers, scrolls…);
//! they are skipped, except the `first-input` entry, which counts under id 0
//! when the browser gives it none. They still share frames with
//! interactions for the attribution.
//!
//! Where web-vitals v6 changed v5, v6 is followed: a batch is ordered by end
//! time, the input delay ends at the frame's earliest `processingStart`, the
//! target is the first entry of the interaction that has one, 10 frames are
//! kept open, and after a bfcache restore interactions all under the
//! threshold give INP = 8 ms.

use super::attribution::{Attribution, InpAttribution, InteractionType};
use super::entries::{EventEntryType, EventTiming};
use super::report::{MetricState, NavigationType, VitalName, VitalReport};

/// web-vitals' default `durationThreshold` for the `event` observer.
pub const DEFAULT_DURATION_THRESHOLD: f64 = 40.0;
/// Browsers never report `event` entries shorter than this.
pub const MIN_DURATION_THRESHOLD: f64 = 16.0;
/// Interactions kept as INP candidates.
pub const MAX_INTERACTIONS_TO_CONSIDER: usize = 10;
/// One outlier is skipped for every this many interactions.
pub const INTERACTIONS_PER_OUTLIER: f64 = 50.0;
/// Entries whose end times are this close were presented in the same frame.
const SAME_FRAME_MS: f64 = 8.0;
/// Recent frames kept for grouping entries (web-vitals v6).
const MAX_PENDING_FRAMES: usize = 10;
/// After a bfcache restore, interactions that were all under the threshold
/// still give an INP of one frame (web-vitals v6).
const RESTORED_FALLBACK_LATENCY: f64 = 8.0;

/// An entry and the frame it was presented in.
#[derive(Debug, Clone)]
struct Framed {
    entry: EventTiming,
    frame: u64,
}

#[derive(Debug, Clone)]
struct Interaction {
    id: u64,
    latency: f64,
    /// The entries with the longest duration (ties with the same start).
    entries: Vec<Framed>,
    target: Option<String>,
}

/// Entries presented in one frame, merged.
#[derive(Debug, Clone)]
struct Frame {
    id: u64,
    processing_start: f64,
    processing_end: f64,
    render_time: f64,
    /// Still open to new entries; closed frames are kept only while referenced.
    pending: bool,
}

#[derive(Debug, Clone)]
pub struct Inp {
    state: MetricState,
    /// Longest first.
    candidates: Vec<Interaction>,
    frames: Vec<Frame>,
    next_frame_id: u64,
    /// `metric.entries[0]`; `None` with the restored fallback value.
    metric_entry: Option<Framed>,
    interaction_count_at_restore: f64,
    duration_threshold: f64,
    report_all_changes: bool,
}

impl Inp {
    /// `duration_threshold`: the `durationThreshold` the shell observes with
    /// (browsers raise anything under 16 to 16).
    pub fn new(id: String, navigation_type: NavigationType, report_all_changes: bool, duration_threshold: f64) -> Inp {
        Inp {
            state: MetricState::new(VitalName::Inp, id, navigation_type, None, report_all_changes),
            candidates: Vec::new(),
            frames: Vec::new(),
            next_frame_id: 0,
            metric_entry: None,
            interaction_count_at_restore: 0.0,
            duration_threshold: duration_threshold.max(MIN_DURATION_THRESHOLD),
            report_all_changes,
        }
    }

    pub fn value(&self) -> Option<f64> {
        self.state.value
    }

    /// One observer callback of `event` and `first-input` entries.
    /// `interaction_count` is the page's interaction count now.
    pub fn handle_entries(&mut self, entries: &[EventTiming], interaction_count: f64) -> Vec<VitalReport> {
        let mut batch: Vec<&EventTiming> = entries
            .iter()
            .filter(|e| e.entry_type == EventEntryType::FirstInput || e.duration >= self.duration_threshold)
            .collect();
        // With two entry types observed, web-vitals orders a batch by end time.
        crate::core::sort::sort_by(&mut batch, |a, b| a.start_time + a.duration < b.start_time + b.duration);
        for entry in batch {
            self.process(entry);
        }
        let out = self.update(interaction_count);
        self.clean_up_frames();
        out
    }

    /// The page is being hidden: read `pending` (`takeRecords()`), then force a report.
    pub fn on_hidden(&mut self, pending: &[EventTiming], interaction_count: f64) -> Vec<VitalReport> {
        let mut out = self.handle_entries(pending, interaction_count);
        out.extend(self.report(true));
        out
    }

    /// A new measurement under a new id: candidates are dropped and the
    /// interaction count restarts from `interaction_count`.
    pub fn on_bfcache_restore(&mut self, id: String, interaction_count: f64) {
        self.interaction_count_at_restore = interaction_count;
        self.candidates.clear();
        self.metric_entry = None;
        self.state = MetricState::new(VitalName::Inp, id, NavigationType::BackForwardCache, None, self.report_all_changes);
        self.clean_up_frames();
    }

    fn process(&mut self, entry: &EventTiming) {
        let frame = self.frame_for(entry);
        if entry.interaction_id == 0 && entry.entry_type != EventEntryType::FirstInput {
            return;
        }
        let id = entry.interaction_id;
        let existing = self.candidates.iter().position(|i| i.id == id);
        let shortest = self.candidates.last().map_or(0.0, |i| i.latency);
        if existing.is_none() && self.candidates.len() >= MAX_INTERACTIONS_TO_CONSIDER && entry.duration <= shortest {
            return;
        }
        let framed = Framed { entry: entry.clone(), frame };
        match existing {
            Some(p) => {
                let it = &mut self.candidates[p];
                if entry.duration > it.latency {
                    it.latency = entry.duration;
                    it.entries.clear();
                    it.entries.push(framed);
                } else if entry.duration == it.latency && it.entries.first().is_some_and(|f| f.entry.start_time == entry.start_time) {
                    it.entries.push(framed);
                }
            }
            None => self.candidates.push(Interaction { id, latency: entry.duration, entries: vec![framed], target: None }),
        }
        // Stable, like Array.prototype.sort: equal latencies keep their order.
        crate::core::sort::sort_by(&mut self.candidates, |a, b| a.latency > b.latency);
        self.candidates.truncate(MAX_INTERACTIONS_TO_CONSIDER);
        if let Some(it) = self.candidates.iter_mut().find(|i| i.id == id) {
            if it.target.is_none() {
                it.target = it.entries.iter().find_map(|f| f.entry.target.clone());
            }
        }
    }

    /// The frame whose render time is within 8 ms of this entry's, newest
    /// first, or a new one.
    fn frame_for(&mut self, entry: &EventTiming) -> u64 {
        let render_time = entry.start_time + entry.duration;
        for f in self.frames.iter_mut().rev().filter(|f| f.pending) {
            if (render_time - f.render_time).abs() <= SAME_FRAME_MS {
                f.processing_start = f.processing_start.min(entry.processing_start);
                f.processing_end = f.processing_end.max(entry.processing_end);
                return f.id;
            }
        }
        let id = self.next_frame_id;
        self.next_frame_id += 1;
        self.frames.push(Frame {
            id,
            processing_start: entry.processing_start,
            processing_end: entry.processing_end,
            render_time,
            pending: true,
        });
        id
    }

    /// Keep the last few frames open plus those of the candidates; forget
    /// closed frames nothing refers to.
    fn clean_up_frames(&mut self) {
        let open = self.frames.iter().filter(|f| f.pending).count();
        let close_before = open.saturating_sub(MAX_PENDING_FRAMES);
        for (index, f) in self.frames.iter_mut().filter(|f| f.pending).enumerate() {
            if index < close_before && !self.candidates.iter().any(|i| i.entries.first().is_some_and(|e| e.frame == f.id)) {
                f.pending = false;
            }
        }
        let candidates = &self.candidates;
        let metric_frame = self.metric_entry.as_ref().map(|f| f.frame);
        self.frames.retain(|f| {
            f.pending || metric_frame == Some(f.id) || candidates.iter().any(|i| i.entries.iter().any(|e| e.frame == f.id))
        });
    }

    /// Estimate the p98 interaction and report it if it changed.
    fn update(&mut self, interaction_count: f64) -> Vec<VitalReport> {
        let count = interaction_count - self.interaction_count_at_restore;
        let skip = (count / INTERACTIONS_PER_OUTLIER).floor();
        if count.is_nan() || skip < -1.0 {
            return Vec::new();
        }
        let (latency, entry) = match self.candidates.len() {
            0 => {
                let restored = self.state_navigation_is_restore();
                if count != 0.0 && restored {
                    (RESTORED_FALLBACK_LATENCY, None)
                } else {
                    return Vec::new();
                }
            }
            len => {
                if skip < 0.0 {
                    return Vec::new();
                }
                let it = &self.candidates[(skip as usize).min(len - 1)];
                (it.latency, it.entries.first().cloned())
            }
        };
        if self.state.value == Some(latency) {
            return Vec::new();
        }
        self.state.value = Some(latency);
        self.metric_entry = entry;
        self.report(false).into_iter().collect()
    }

    fn state_navigation_is_restore(&self) -> bool {
        self.state.navigation_type() == NavigationType::BackForwardCache
    }

    fn report(&mut self, force: bool) -> Option<VitalReport> {
        let due = self.state.report(force)?;
        let attribution = self.attribute(due.value());
        Some(due.with(Attribution::Inp(attribution)))
    }

    /// Phases of the INP interaction's first entry, over the whole frame it
    /// was presented in (web-vitals v6).
    fn attribute(&self, value: f64) -> InpAttribution {
        let Some(first) = self.metric_entry.as_ref() else {
            return InpAttribution { presentation_delay: value, ..Default::default() };
        };
        let e = &first.entry;
        let frame = self.frames.iter().find(|f| f.id == first.frame);
        let processing_start = frame.map_or(e.processing_start, |f| f.processing_start);
        let frame_processing_end = frame.map_or(e.processing_end, |f| f.processing_end);
        let next_paint_time = (e.start_time + e.duration).max(processing_start);
        let processing_end = frame_processing_end.min(next_paint_time);
        let interaction_type = if e.name.starts_with("key") { InteractionType::Keyboard } else { InteractionType::Pointer };
        InpAttribution {
            interaction_target: self.candidates.iter().find(|i| i.id == e.interaction_id).and_then(|i| i.target.clone()),
            interaction_type: Some(interaction_type),
            interaction_time: Some(e.start_time),
            next_paint_time: Some(next_paint_time),
            input_delay: processing_start - e.start_time,
            processing_duration: processing_end - processing_start,
            presentation_delay: next_paint_time - processing_end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Rating;

    fn ev(interaction_id: u64, start_time: f64, duration: f64) -> EventTiming {
        EventTiming {
            entry_type: EventEntryType::Event,
            name: "pointerup".to_string(),
            interaction_id,
            start_time,
            processing_start: start_time + 4.0,
            processing_end: start_time + 10.0,
            duration,
            target: None,
        }
    }

    fn inp(rac: bool) -> Inp {
        Inp::new("inp-1".to_string(), NavigationType::Navigate, rac, DEFAULT_DURATION_THRESHOLD)
    }

    /// `n` interactions with distinct latencies 48, 56, 64… (longest last).
    fn many(n: u64) -> Vec<EventTiming> {
        (1..=n).map(|i| ev(i, 1_000.0 * i as f64, 40.0 + 8.0 * i as f64)).collect()
    }

    #[test]
    fn the_longest_interaction_is_inp_below_fifty_interactions() {
        let mut m = inp(true);
        let rs = m.handle_entries(&[ev(1, 100.0, 80.0), ev(2, 900.0, 240.0), ev(3, 2_000.0, 120.0)], 3.0);
        assert_eq!(rs.len(), 1);
        assert_eq!((rs[0].value, rs[0].delta, rs[0].rating), (240.0, 240.0, Rating::NeedsImprovement));
        assert_eq!(m.handle_entries(&[], 49.0).len(), 0);
    }

    #[test]
    fn one_outlier_is_dropped_per_fifty_interactions() {
        let mut m = inp(false);
        m.handle_entries(&many(12), 12.0);
        assert_eq!(m.value(), Some(136.0), "12 interactions: the longest");
        m.handle_entries(&[], 49.0);
        assert_eq!(m.value(), Some(136.0));
        m.handle_entries(&[], 50.0);
        assert_eq!(m.value(), Some(128.0), "50 interactions: the second longest");
        m.handle_entries(&[], 99.0);
        assert_eq!(m.value(), Some(128.0));
        m.handle_entries(&[], 100.0);
        assert_eq!(m.value(), Some(120.0), "100 interactions: the third longest");
        m.handle_entries(&[], 1_000_000.0);
        assert_eq!(m.value(), Some(64.0), "never past the tenth candidate");
    }

    #[test]
    fn the_index_is_capped_by_the_candidates_kept() {
        let mut m = inp(false);
        m.handle_entries(&[ev(1, 100.0, 300.0)], 120.0);
        assert_eq!(m.value(), Some(300.0));
    }

    #[test]
    fn entries_of_one_interaction_keep_the_longest_duration() {
        let mut m = inp(true);
        let down = EventTiming { name: "pointerdown".to_string(), ..ev(7, 100.0, 48.0) };
        let up = EventTiming { name: "pointerup".to_string(), ..ev(7, 160.0, 96.0) };
        let click = EventTiming { name: "click".to_string(), ..ev(7, 160.0, 96.0) };
        let rs = m.handle_entries(&[down, up, click], 1.0);
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].value, 96.0);
        assert_eq!(m.candidates.len(), 1);
        assert_eq!(m.candidates[0].entries.len(), 2, "same duration and start: kept together");
    }

    #[test]
    fn entries_without_interaction_id_are_skipped_but_first_input_counts() {
        let mut m = inp(true);
        assert!(m.handle_entries(&[ev(0, 100.0, 400.0)], 0.0).is_empty());
        let first = EventTiming { entry_type: EventEntryType::FirstInput, name: "pointerdown".to_string(), ..ev(0, 500.0, 24.0) };
        let rs = m.handle_entries(&[first], 1.0);
        assert_eq!(rs[0].value, 24.0, "first-input is kept whatever its duration");
    }

    #[test]
    fn short_event_entries_are_below_the_threshold() {
        let mut m = inp(true);
        assert!(m.handle_entries(&[ev(1, 100.0, 32.0)], 1.0).is_empty());
        assert_eq!(m.handle_entries(&[ev(2, 300.0, 40.0)], 2.0)[0].value, 40.0);
    }

    #[test]
    fn only_ten_candidates_are_kept() {
        let mut m = inp(false);
        m.handle_entries(&many(15), 15.0);
        assert_eq!(m.candidates.len(), MAX_INTERACTIONS_TO_CONSIDER);
        assert_eq!(m.candidates.last().unwrap().latency, 88.0);
        // Not longer than the shortest kept: ignored.
        m.handle_entries(&[ev(99, 90_000.0, 88.0)], 16.0);
        assert!(m.candidates.iter().all(|i| i.id != 99));
        // An evicted interaction coming back with a longer entry is new again.
        m.handle_entries(&[ev(1, 91_000.0, 400.0)], 16.0);
        assert_eq!(m.candidates[0].id, 1);
        assert_eq!(m.value(), Some(400.0));
    }

    #[test]
    fn values_go_down_as_well_as_up_and_deltas_follow() {
        let mut m = inp(true);
        let rs = m.handle_entries(&[ev(1, 100.0, 304.0), ev(2, 900.0, 48.0)], 2.0);
        assert_eq!((rs[0].value, rs[0].delta), (304.0, 304.0));
        let rs = m.handle_entries(&[], 50.0);
        assert_eq!((rs[0].value, rs[0].delta, rs[0].rating), (48.0, -256.0, Rating::Good));
    }

    #[test]
    fn without_report_all_changes_only_hide_reports_and_only_changes() {
        let mut m = inp(false);
        assert!(m.handle_entries(&[ev(1, 100.0, 120.0)], 1.0).is_empty());
        let rs = m.on_hidden(&[ev(2, 500.0, 136.0)], 2.0);
        assert_eq!((rs[0].value, rs[0].delta, rs[0].is_final), (136.0, 136.0, true));
        assert!(m.on_hidden(&[], 3.0).is_empty());
        let rs = m.on_hidden(&[ev(3, 9_000.0, 600.0)], 4.0);
        assert_eq!((rs[0].value, rs[0].delta, rs[0].rating), (600.0, 464.0, Rating::Poor));
    }

    #[test]
    fn no_interactions_no_report() {
        let mut m = inp(false);
        assert!(m.on_hidden(&[], 0.0).is_empty());
        assert!(m.on_hidden(&[], 3.0).is_empty(), "short interactions only: nothing on a normal load");
    }

    #[test]
    fn bfcache_restore_resets_candidates_and_the_count() {
        let mut m = inp(false);
        m.on_hidden(&[ev(1, 100.0, 400.0)], 60.0);
        m.on_bfcache_restore("inp-2".to_string(), 60.0);
        assert!(m.on_hidden(&[], 60.0).is_empty(), "no interaction since the restore");
        let rs = m.on_hidden(&[ev(70, 50_000.0, 104.0)], 61.0);
        assert_eq!((rs[0].id.as_str(), rs[0].value, rs[0].delta), ("inp-2", 104.0, 104.0));
        assert_eq!(rs[0].navigation_type, NavigationType::BackForwardCache);
    }

    #[test]
    fn after_a_restore_short_interactions_give_one_frame() {
        let mut m = inp(false);
        m.on_bfcache_restore("inp-2".to_string(), 10.0);
        let rs = m.on_hidden(&[], 12.0);
        assert_eq!((rs[0].value, rs[0].delta), (8.0, 8.0));
        assert_eq!(rs[0].attribution, Attribution::Inp(InpAttribution { presentation_delay: 8.0, ..Default::default() }));
    }

    #[test]
    fn attribution_splits_the_interaction_into_phases() {
        let mut m = inp(false);
        let key = EventTiming {
            name: "keydown".to_string(),
            interaction_id: 5,
            start_time: 1_000.0,
            processing_start: 1_030.0,
            processing_end: 1_080.0,
            duration: 120.0,
            target: Some("input#q".to_string()),
            ..Default::default()
        };
        // Same frame (render 1120 vs 1116): widens the frame's processing.
        let other = EventTiming { processing_start: 1_020.0, processing_end: 1_100.0, start_time: 1_004.0, duration: 112.0, ..ev(0, 0.0, 0.0) };
        let rs = m.on_hidden(&[key, other], 1.0);
        let Attribution::Inp(a) = &rs[0].attribution else { panic!("not INP") };
        assert_eq!(a.interaction_target.as_deref(), Some("input#q"));
        assert_eq!(a.interaction_type, Some(InteractionType::Keyboard));
        assert_eq!((a.interaction_time, a.next_paint_time), (Some(1_000.0), Some(1_120.0)));
        assert_eq!((a.input_delay, a.processing_duration, a.presentation_delay), (20.0, 80.0, 20.0));
        assert_eq!(a.input_delay + a.processing_duration + a.presentation_delay, rs[0].value);
    }

    #[test]
    fn attribution_clamps_processing_to_the_next_paint() {
        // A sync alert(): processing ends after the rounded duration.
        let mut m = inp(false);
        let click = EventTiming { name: "click".to_string(), processing_start: 1_010.0, processing_end: 1_400.0, ..ev(3, 1_000.0, 304.0) };
        let rs = m.on_hidden(&[click], 1.0);
        let Attribution::Inp(a) = &rs[0].attribution else { panic!("not INP") };
        assert_eq!(a.interaction_type, Some(InteractionType::Pointer));
        assert_eq!((a.input_delay, a.processing_duration, a.presentation_delay), (10.0, 294.0, 0.0));
    }

    #[test]
    fn the_target_comes_from_the_first_entry_that_has_one() {
        let mut m = inp(false);
        let down = EventTiming { name: "pointerdown".to_string(), ..ev(9, 100.0, 200.0) };
        let up = EventTiming { name: "pointerup".to_string(), target: Some("button.buy".to_string()), ..ev(9, 100.0, 200.0) };
        let rs = m.on_hidden(&[down, up], 1.0);
        let Attribution::Inp(a) = &rs[0].attribution else { panic!("not INP") };
        assert_eq!(a.interaction_target.as_deref(), Some("button.buy"));
    }

    #[test]
    fn frames_are_bounded() {
        let mut m = inp(false);
        let noise: Vec<EventTiming> = (0..200).map(|i| ev(0, 100.0 * i as f64, 48.0)).collect();
        m.handle_entries(&noise, 0.0);
        assert!(m.frames.len() <= MAX_PENDING_FRAMES, "{}", m.frames.len());
        m.handle_entries(&many(20), 20.0);
        assert!(m.frames.len() <= MAX_PENDING_FRAMES + MAX_INTERACTIONS_TO_CONSIDER);
    }
}
