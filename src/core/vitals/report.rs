//! What a metric reports (value, delta, rating, id, navigation type) and when.
//!
//! [`MetricState`] is web-vitals' `bindReporter`: a metric without a value yet
//! reports nothing; a report is made when it is forced (the value is final, or
//! the page is being hidden) or on every change with `reportAllChanges`, and
//! only if the value moved since the last report (or nothing was reported yet).

use super::attribution::Attribution;
use super::entries::{NavigationEntryType, NavigationTiming};
use super::rating::{Thresholds, CLS_THRESHOLDS, FCP_THRESHOLDS, INP_THRESHOLDS, LCP_THRESHOLDS, TTFB_THRESHOLDS};
use crate::core::model::{Rating, Unit};
use crate::core::value::Map;

/// The version tag at the start of every metric id, as web-vitals v5 writes it.
pub const ID_PREFIX: &str = "v5";
const ID_RANDOM_SPAN: f64 = 9e12 - 1.0;
const ID_RANDOM_BASE: u64 = 1_000_000_000_000;

/// A web-vitals style metric id: `v5-<epoch ms>-<13-digit number>`.
/// `random` is a uniform draw in [0, 1) from the caller.
pub fn generate_id(now_ms: u64, random: f64) -> String {
    let r = if random.is_finite() { random.clamp(0.0, 1.0) } else { 0.0 };
    let n = (r * ID_RANDOM_SPAN).floor() as u64 + ID_RANDOM_BASE;
    let mut id = String::with_capacity(ID_PREFIX.len() + 36);
    id.push_str(ID_PREFIX);
    id.push('-');
    push_u64(&mut id, now_ms);
    id.push('-');
    push_u64(&mut id, n);
    id
}

use crate::core::model::write_u64 as push_u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VitalName {
    Lcp,
    Cls,
    Inp,
    Fcp,
    Ttfb,
}

impl VitalName {
    pub fn as_str(self) -> &'static str {
        match self {
            VitalName::Lcp => "LCP",
            VitalName::Cls => "CLS",
            VitalName::Inp => "INP",
            VitalName::Fcp => "FCP",
            VitalName::Ttfb => "TTFB",
        }
    }

    pub fn thresholds(self) -> Thresholds {
        match self {
            VitalName::Lcp => LCP_THRESHOLDS,
            VitalName::Cls => CLS_THRESHOLDS,
            VitalName::Inp => INP_THRESHOLDS,
            VitalName::Fcp => FCP_THRESHOLDS,
            VitalName::Ttfb => TTFB_THRESHOLDS,
        }
    }

    /// CLS is a unitless score; the others are milliseconds.
    pub fn unit(self) -> Unit {
        match self {
            VitalName::Cls => Unit::Score,
            _ => Unit::Ms,
        }
    }
}

/// web-vitals' `navigationType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavigationType {
    Navigate,
    Reload,
    BackForward,
    BackForwardCache,
    Prerender,
    Restore,
}

impl NavigationType {
    pub fn as_str(self) -> &'static str {
        match self {
            NavigationType::Navigate => "navigate",
            NavigationType::Reload => "reload",
            NavigationType::BackForward => "back-forward",
            NavigationType::BackForwardCache => "back-forward-cache",
            NavigationType::Prerender => "prerender",
            NavigationType::Restore => "restore",
        }
    }

    /// The page's type before any bfcache restore: `prerender` when it was
    /// activated from a prerender, `restore` when the tab was discarded and
    /// reloaded, else the navigation entry's type. Without a usable
    /// navigation entry it is `navigate`.
    pub fn for_page(navigation: Option<&NavigationTiming>, was_discarded: bool) -> NavigationType {
        match navigation {
            None => NavigationType::Navigate,
            Some(nav) if nav.activation_start > 0.0 => NavigationType::Prerender,
            Some(_) if was_discarded => NavigationType::Restore,
            Some(nav) => match nav.entry_type {
                NavigationEntryType::Navigate => NavigationType::Navigate,
                NavigationEntryType::Reload => NavigationType::Reload,
                NavigationEntryType::BackForward => NavigationType::BackForward,
                NavigationEntryType::Prerender => NavigationType::Prerender,
            },
        }
    }
}

/// One call of the page's metric callback.
#[derive(Debug, Clone, PartialEq)]
pub struct VitalReport {
    pub name: VitalName,
    /// Changes on bfcache restore; the same across the reports of one value's life.
    pub id: String,
    pub value: f64,
    /// `value` minus the value last reported under this id (the value itself the first time).
    pub delta: f64,
    pub rating: Rating,
    pub navigation_type: NavigationType,
    /// A forced report: LCP, FCP and TTFB will not change any more under this
    /// id; CLS and INP were reported because the page is being hidden (they
    /// report again only if the value still changes).
    pub is_final: bool,
    pub attribution: Attribution,
}

impl VitalReport {
    pub fn unit(&self) -> Unit {
        self.name.unit()
    }

    /// The attribution as a JSON object with web-vitals' camelCase keys.
    pub fn attribution_map(&self) -> Map {
        self.attribution.to_map()
    }
}

/// A metric's identity and reporting state (web-vitals' `initMetric` + `bindReporter`).
#[derive(Debug, Clone)]
pub(crate) struct MetricState {
    name: VitalName,
    id: String,
    navigation_type: NavigationType,
    /// `None` is web-vitals' `-1`: nothing measured yet.
    pub(crate) value: Option<f64>,
    last_reported: Option<f64>,
    report_all_changes: bool,
}

/// A report decided but not yet given its attribution.
pub(crate) struct Due {
    name: VitalName,
    id: String,
    navigation_type: NavigationType,
    value: f64,
    delta: f64,
    is_final: bool,
}

impl Due {
    pub(crate) fn value(&self) -> f64 {
        self.value
    }

    pub(crate) fn with(self, attribution: Attribution) -> VitalReport {
        VitalReport {
            name: self.name,
            id: self.id,
            value: self.value,
            delta: self.delta,
            rating: self.name.thresholds().rate(self.value),
            navigation_type: self.navigation_type,
            is_final: self.is_final,
            attribution,
        }
    }
}

impl MetricState {
    pub(crate) fn new(name: VitalName, id: String, navigation_type: NavigationType, value: Option<f64>, report_all_changes: bool) -> Self {
        MetricState { name, id, navigation_type, value, last_reported: None, report_all_changes }
    }

    pub(crate) fn navigation_type(&self) -> NavigationType {
        self.navigation_type
    }

    /// Whether a report is due now; `force` for final values and page hide.
    pub(crate) fn report(&mut self, force: bool) -> Option<Due> {
        let value = self.value.filter(|v| *v >= 0.0)?;
        if !(force || self.report_all_changes) {
            return None;
        }
        let delta = value - self.last_reported.unwrap_or(0.0);
        if delta == 0.0 && self.last_reported.is_some() {
            return None;
        }
        self.last_reported = Some(value);
        Some(Due { name: self.name, id: self.id.clone(), navigation_type: self.navigation_type, value, delta, is_final: force })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_web_vitals_ids() {
        assert_eq!(generate_id(1_700_000_000_123, 0.0), "v5-1700000000123-1000000000000");
        assert_eq!(generate_id(5, 0.5), "v5-5-5499999999999");
        let top = generate_id(0, 0.999_999_999_999);
        assert!(top.starts_with("v5-0-99999999"), "{top}");
        assert_eq!(generate_id(7, f64::NAN), "v5-7-1000000000000");
        assert_eq!(generate_id(0, 2.0), "v5-0-9999999999999");
    }

    fn none() -> Attribution {
        Attribution::Cls(Default::default())
    }

    fn state(rac: bool) -> MetricState {
        MetricState::new(VitalName::Cls, "id".to_string(), NavigationType::Navigate, Some(0.0), rac)
    }

    #[test]
    fn without_report_all_changes_only_forced_reports_happen() {
        let mut m = state(false);
        m.value = Some(0.05);
        assert!(m.report(false).is_none());
        let r = m.report(true).unwrap().with(none());
        assert_eq!((r.value, r.delta, r.is_final), (0.05, 0.05, true));
        assert!(m.report(true).is_none(), "the same value is never reported twice");
        m.value = Some(0.3);
        let r = m.report(true).unwrap().with(none());
        assert_eq!((r.value, r.rating), (0.3, Rating::Poor));
        assert!((r.delta - 0.25).abs() < 1e-12);
    }

    #[test]
    fn with_report_all_changes_every_change_is_reported_once() {
        let mut m = state(true);
        let first = m.report(false).unwrap().with(none());
        assert_eq!((first.value, first.delta, first.is_final), (0.0, 0.0, false), "a first zero is still reported");
        assert!(m.report(false).is_none());
        assert!(m.report(true).is_none());
        m.value = Some(0.2);
        let r = m.report(false).unwrap().with(none());
        assert_eq!((r.delta, r.rating), (0.2, Rating::NeedsImprovement));
        m.value = Some(0.15);
        let r = m.report(false).unwrap().with(none());
        assert!((r.delta + 0.05).abs() < 1e-12, "deltas can be negative (INP)");
    }

    #[test]
    fn no_value_means_no_report() {
        let mut m = MetricState::new(VitalName::Lcp, "id".to_string(), NavigationType::Navigate, None, true);
        assert!(m.report(true).is_none());
    }

    #[test]
    fn navigation_type_follows_initmetric() {
        let nav = |entry_type, activation_start| NavigationTiming { entry_type, activation_start, response_start: 50.0, ..Default::default() };
        assert_eq!(NavigationType::for_page(None, true), NavigationType::Navigate);
        assert_eq!(NavigationType::for_page(Some(&nav(NavigationEntryType::Reload, 0.0)), false), NavigationType::Reload);
        assert_eq!(NavigationType::for_page(Some(&nav(NavigationEntryType::BackForward, 0.0)), false).as_str(), "back-forward");
        assert_eq!(NavigationType::for_page(Some(&nav(NavigationEntryType::Navigate, 300.0)), true), NavigationType::Prerender);
        assert_eq!(NavigationType::for_page(Some(&nav(NavigationEntryType::Reload, 0.0)), true), NavigationType::Restore);
    }
}
