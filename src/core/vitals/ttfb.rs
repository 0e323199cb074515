//! Time to First Byte.
//!
//! value = max(responseStart − activationStart, 0), read once the page has
//! loaded, from a navigation entry whose `responseStart` is positive and
//! before `now` (otherwise nothing is ever reported). After a bfcache
//! restore TTFB is 0.

use super::attribution::{Attribution, TtfbAttribution};
use super::entries::{or_if_zero, NavigationTiming};
use super::report::{MetricState, NavigationType, VitalName, VitalReport};

#[derive(Debug, Clone)]
pub struct Ttfb {
    state: MetricState,
    /// The entry behind the value; `None` before load and after a restore.
    navigation: Option<NavigationTiming>,
    ready: bool,
    /// A usable entry was reported, so restores report too.
    measured: bool,
    report_all_changes: bool,
}

impl Ttfb {
    pub fn new(id: String, navigation_type: NavigationType, report_all_changes: bool) -> Ttfb {
        Ttfb {
            state: MetricState::new(VitalName::Ttfb, id, navigation_type, None, report_all_changes),
            navigation: None,
            ready: false,
            measured: false,
            report_all_changes,
        }
    }

    pub fn value(&self) -> Option<f64> {
        self.state.value
    }

    /// After `load` (in a task after it), with the navigation entry as read
    /// then and `performance.now()`. Only the first call counts.
    pub fn on_load(&mut self, navigation: Option<&NavigationTiming>, now: f64) -> Vec<VitalReport> {
        if self.ready {
            return Vec::new();
        }
        self.ready = true;
        let Some(nav) = navigation.filter(|n| n.is_usable(now)) else {
            return Vec::new();
        };
        self.state.value = Some((nav.response_start - nav.activation_start).max(0.0));
        self.navigation = Some(*nav);
        self.measured = true;
        self.report().into_iter().collect()
    }

    /// Reports 0 under the new id, if the first load was measured.
    pub fn on_bfcache_restore(&mut self, id: String) -> Vec<VitalReport> {
        if !self.measured {
            return Vec::new();
        }
        self.state = MetricState::new(VitalName::Ttfb, id, NavigationType::BackForwardCache, Some(0.0), self.report_all_changes);
        self.navigation = None;
        self.report().into_iter().collect()
    }

    fn report(&mut self) -> Option<VitalReport> {
        let due = self.state.report(true)?;
        let attribution = self.navigation.as_ref().map_or_else(TtfbAttribution::default, |nav| attribute(due.value(), nav));
        Some(due.with(Attribution::Ttfb(attribution)))
    }
}

/// Phases measured from activation: waiting (until the service worker or
/// fetch starts), cache (until DNS), DNS, connection, and request (the rest,
/// including any gap before `requestStart`).
fn attribute(value: f64, nav: &NavigationTiming) -> TtfbAttribution {
    let from_activation = |t: f64| (t - nav.activation_start).max(0.0);
    let wait_end = from_activation(or_if_zero(or_if_zero(nav.worker_start, nav.fetch_start), 0.0));
    let dns_start = from_activation(nav.domain_lookup_start);
    let connect_start = from_activation(nav.connect_start);
    let connect_end = from_activation(nav.connect_end);
    TtfbAttribution {
        waiting_duration: wait_end,
        cache_duration: dns_start - wait_end,
        dns_duration: connect_start - dns_start,
        connection_duration: connect_end - connect_start,
        request_duration: value - connect_end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Rating;
    use crate::core::vitals::entries::NavigationEntryType;

    fn nav() -> NavigationTiming {
        NavigationTiming {
            entry_type: NavigationEntryType::Navigate,
            activation_start: 0.0,
            worker_start: 0.0,
            fetch_start: 5.0,
            domain_lookup_start: 20.0,
            connect_start: 60.0,
            connect_end: 150.0,
            response_start: 450.0,
        }
    }

    fn ttfb() -> Ttfb {
        Ttfb::new("t-1".to_string(), NavigationType::Navigate, false)
    }

    #[test]
    fn reports_response_start_once_with_its_phases() {
        let mut m = ttfb();
        let rs = m.on_load(Some(&nav()), 3_000.0);
        assert_eq!((rs[0].value, rs[0].delta, rs[0].is_final, rs[0].rating), (450.0, 450.0, true, Rating::Good));
        assert_eq!(
            rs[0].attribution,
            Attribution::Ttfb(TtfbAttribution { waiting_duration: 5.0, cache_duration: 15.0, dns_duration: 40.0, connection_duration: 90.0, request_duration: 300.0 })
        );
        assert!(m.on_load(Some(&nav()), 4_000.0).is_empty());
    }

    #[test]
    fn ignores_entries_with_implausible_response_start() {
        for (response_start, now) in [(0.0, 3_000.0), (-20.0, 3_000.0), (3_000.0, 3_000.0), (9_000.0, 3_000.0)] {
            let mut m = ttfb();
            assert!(m.on_load(Some(&NavigationTiming { response_start, ..nav() }), now).is_empty(), "{response_start}");
            assert!(m.on_bfcache_restore("t-2".to_string()).is_empty(), "no restore report without a first one");
        }
        assert!(ttfb().on_load(None, 3_000.0).is_empty());
    }

    #[test]
    fn prerendered_pages_count_from_activation() {
        let mut m = ttfb();
        let prerendered = NavigationTiming { activation_start: 2_000.0, worker_start: 2.0, ..nav() };
        let rs = m.on_load(Some(&prerendered), 5_000.0);
        assert_eq!(rs[0].value, 0.0, "the first byte came before activation");
        assert_eq!(rs[0].attribution, Attribution::Ttfb(TtfbAttribution::default()));

        let mut m = ttfb();
        let late = NavigationTiming { activation_start: 100.0, response_start: 900.0, ..nav() };
        let r = m.on_load(Some(&late), 5_000.0).remove(0);
        assert_eq!(r.value, 800.0);
        assert_eq!(
            r.attribution,
            Attribution::Ttfb(TtfbAttribution { waiting_duration: 0.0, cache_duration: 0.0, dns_duration: 0.0, connection_duration: 50.0, request_duration: 750.0 })
        );
    }

    #[test]
    fn service_worker_start_takes_precedence_over_fetch_start() {
        let mut m = ttfb();
        let sw = NavigationTiming { worker_start: 12.0, fetch_start: 30.0, domain_lookup_start: 30.0, connect_start: 30.0, connect_end: 30.0, ..nav() };
        let Attribution::Ttfb(a) = m.on_load(Some(&sw), 3_000.0).remove(0).attribution else { panic!("not TTFB") };
        assert_eq!((a.waiting_duration, a.cache_duration, a.request_duration), (12.0, 18.0, 420.0));
    }

    #[test]
    fn bfcache_restore_reports_zero_under_a_new_id() {
        let mut m = ttfb();
        m.on_load(Some(&nav()), 3_000.0);
        let rs = m.on_bfcache_restore("t-2".to_string());
        assert_eq!((rs[0].id.as_str(), rs[0].value, rs[0].delta), ("t-2", 0.0, 0.0));
        assert_eq!(rs[0].navigation_type, NavigationType::BackForwardCache);
        assert_eq!(rs[0].attribution, Attribution::Ttfb(TtfbAttribution::default()));
    }
}
