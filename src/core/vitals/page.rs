//! Page-wide facts every metric reads: the navigation entry, the activation
//! start of a prerendered page, the first time the page was hidden, and
//! whether it has been restored from the back/forward cache.

use super::entries::{NavigationTiming, VisibilityState, VisibilityStateEntry};
use super::report::NavigationType;

/// First-hidden time (web-vitals' `getVisibilityWatcher`). Paint metrics only
/// count entries from before it; it is infinite while the page has not been
/// hidden.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisibilityWatcher {
    first_hidden_time: f64,
}

impl VisibilityWatcher {
    /// The first `hidden` `visibility-state` entry at or after activation
    /// wins (v6; v5 required strictly after, which misread background loads); without one, a page hidden now is taken as hidden since
    /// navigation start (0), else infinity. While prerendering the page is
    /// "hidden" but that does not count.
    pub fn new(entries: &[VisibilityStateEntry], activation_start: f64, hidden_now: bool, prerendering: bool) -> Self {
        let from_entries = if prerendering {
            None
        } else {
            entries
                .iter()
                .find(|e| e.name == VisibilityState::Hidden && e.start_time >= activation_start)
                .map(|e| e.start_time)
        };
        VisibilityWatcher { first_hidden_time: from_entries.unwrap_or_else(|| initial_hidden_time(hidden_now, prerendering)) }
    }

    pub fn first_hidden_time(&self) -> f64 {
        self.first_hidden_time
    }

    /// A `visibilitychange` event with its `timeStamp`.
    pub fn on_visibility_change(&mut self, hidden: bool, timestamp: f64) {
        if hidden && self.first_hidden_time.is_infinite() {
            self.first_hidden_time = timestamp;
        }
    }

    /// `prerenderingchange`: activated while in a background tab means always hidden.
    pub fn on_prerendering_change(&mut self, hidden: bool) {
        if hidden && self.first_hidden_time.is_infinite() {
            self.first_hidden_time = 0.0;
        }
    }

    /// After a bfcache restore, once the visibility state has settled.
    pub fn on_bfcache_restore(&mut self, hidden_now: bool) {
        self.first_hidden_time = initial_hidden_time(hidden_now, false);
    }
}

fn initial_hidden_time(hidden_now: bool, prerendering: bool) -> f64 {
    if hidden_now && !prerendering {
        0.0
    } else {
        f64::INFINITY
    }
}

/// What the shell reads once the page is activated (after
/// `prerenderingchange` for a prerendered page, at once otherwise).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageStart {
    pub navigation: Option<NavigationTiming>,
    /// `performance.now()`.
    pub now: f64,
    pub visibility_entries: Vec<VisibilityStateEntry>,
    /// `document.visibilityState === 'hidden'`.
    pub hidden: bool,
    /// `document.wasDiscarded`.
    pub was_discarded: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// As read at start, before the usability check (TTFB checks it again at load).
    navigation_as_read: Option<NavigationTiming>,
    navigation: Option<NavigationTiming>,
    visibility: VisibilityWatcher,
    initial_navigation_type: NavigationType,
    restored_from_bfcache: bool,
}

impl Page {
    pub fn new(start: &PageStart) -> Page {
        let navigation = start.navigation.filter(|n| n.is_usable(start.now));
        let activation_start = navigation.map_or(0.0, |n| n.activation_start);
        Page {
            navigation_as_read: start.navigation,
            navigation,
            visibility: VisibilityWatcher::new(&start.visibility_entries, activation_start, start.hidden, false),
            initial_navigation_type: NavigationType::for_page(navigation.as_ref(), start.was_discarded),
            restored_from_bfcache: false,
        }
    }

    /// The navigation entry, if it was usable when the page started.
    pub fn navigation(&self) -> Option<&NavigationTiming> {
        self.navigation.as_ref()
    }

    /// The navigation entry whether or not it was usable at start.
    pub fn navigation_as_read(&self) -> Option<&NavigationTiming> {
        self.navigation_as_read.as_ref()
    }

    /// `activationStart` of a prerendered page, else 0.
    pub fn activation_start(&self) -> f64 {
        self.navigation.map_or(0.0, |n| n.activation_start)
    }

    pub fn first_hidden_time(&self) -> f64 {
        self.visibility.first_hidden_time()
    }

    /// The type a metric created now gets.
    pub fn navigation_type(&self) -> NavigationType {
        if self.restored_from_bfcache {
            NavigationType::BackForwardCache
        } else {
            self.initial_navigation_type
        }
    }

    pub fn on_visibility_change(&mut self, hidden: bool, timestamp: f64) {
        self.visibility.on_visibility_change(hidden, timestamp);
    }

    pub fn on_bfcache_restore(&mut self, hidden_now: bool) {
        self.restored_from_bfcache = true;
        self.visibility.on_bfcache_restore(hidden_now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden_at(start_time: f64) -> VisibilityStateEntry {
        VisibilityStateEntry { name: VisibilityState::Hidden, start_time }
    }

    fn visible_at(start_time: f64) -> VisibilityStateEntry {
        VisibilityStateEntry { name: VisibilityState::Visible, start_time }
    }

    #[test]
    fn first_hidden_comes_from_visibility_state_entries_when_available() {
        let w = VisibilityWatcher::new(&[visible_at(0.0), hidden_at(1_200.0), hidden_at(3_000.0)], 0.0, false, false);
        assert_eq!(w.first_hidden_time(), 1_200.0);
        // The entry wins even if the page is visible again now.
        let w = VisibilityWatcher::new(&[hidden_at(0.0), visible_at(900.0)], 0.0, false, false);
        assert_eq!(w.first_hidden_time(), 0.0);
    }

    #[test]
    fn hidden_entries_before_activation_are_ignored() {
        let w = VisibilityWatcher::new(&[hidden_at(100.0), hidden_at(2_500.0)], 2_000.0, false, false);
        assert_eq!(w.first_hidden_time(), 2_500.0);
        let w = VisibilityWatcher::new(&[hidden_at(100.0)], 2_000.0, false, false);
        assert!(w.first_hidden_time().is_infinite());
    }

    #[test]
    fn without_entries_hidden_at_load_means_zero_else_infinity() {
        assert_eq!(VisibilityWatcher::new(&[], 0.0, true, false).first_hidden_time(), 0.0);
        assert!(VisibilityWatcher::new(&[], 0.0, false, false).first_hidden_time().is_infinite());
        assert!(VisibilityWatcher::new(&[hidden_at(5.0)], 0.0, true, true).first_hidden_time().is_infinite(), "prerendering is not hidden");
    }

    #[test]
    fn only_the_first_hide_counts() {
        let mut w = VisibilityWatcher::new(&[], 0.0, false, false);
        w.on_visibility_change(false, 500.0);
        assert!(w.first_hidden_time().is_infinite());
        w.on_visibility_change(true, 4_000.0);
        w.on_visibility_change(true, 9_000.0);
        assert_eq!(w.first_hidden_time(), 4_000.0);
        w.on_bfcache_restore(false);
        assert!(w.first_hidden_time().is_infinite());
    }

    #[test]
    fn activation_in_a_background_tab_is_hidden_from_the_start() {
        let mut w = VisibilityWatcher::new(&[], 0.0, true, true);
        w.on_prerendering_change(true);
        assert_eq!(w.first_hidden_time(), 0.0);
    }

    #[test]
    fn an_unusable_navigation_entry_is_dropped() {
        let nav = NavigationTiming { response_start: 0.0, activation_start: 400.0, ..Default::default() };
        let page = Page::new(&PageStart { navigation: Some(nav), now: 1_000.0, ..Default::default() });
        assert!(page.navigation().is_none());
        assert_eq!(page.activation_start(), 0.0);
        assert_eq!(page.navigation_type(), NavigationType::Navigate);
    }
}
