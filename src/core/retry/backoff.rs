//! Exponential backoff with full jitter.
//!
//! After the n-th consecutive failure (n = 0 for the first) the wait is drawn
//! uniformly from `[0, min(cap, base * 2^n)]`, so that many pages failing at
//! once do not come back at once. A server's `Retry-After` is a floor.

use super::retry_after::MAX_RETRY_AFTER_MS;

/// The ceiling of the first retry's delay.
pub const DEFAULT_BASE_DELAY_MS: u64 = 1_000;
/// No jittered delay exceeds this, however many failures in a row.
pub const DEFAULT_MAX_DELAY_MS: u64 = 60_000;

/// Backoff limits. `Default` gives 1 s doubling to 60 s, Retry-After up to 1 h.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffConfig {
    pub base_ms: u64,
    pub cap_ms: u64,
    /// The longest wait a server's `Retry-After` can impose.
    pub max_retry_after_ms: u64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig { base_ms: DEFAULT_BASE_DELAY_MS, cap_ms: DEFAULT_MAX_DELAY_MS, max_retry_after_ms: MAX_RETRY_AFTER_MS }
    }
}

impl BackoffConfig {
    /// `min(cap, base * 2^failures)`: the largest delay after `failures`
    /// earlier consecutive failures.
    pub fn ceiling(&self, failures: u32) -> u64 {
        let doubled = if failures >= u64::BITS { u64::MAX } else { self.base_ms.saturating_mul(1 << failures) };
        doubled.min(self.cap_ms)
    }
}

/// The delay generator for one destination: counts consecutive failures.
#[derive(Debug, Clone)]
pub struct Backoff {
    config: BackoffConfig,
    failures: u32,
}

impl Backoff {
    pub fn new(config: BackoffConfig) -> Self {
        Backoff { config, failures: 0 }
    }

    pub fn config(&self) -> &BackoffConfig {
        &self.config
    }

    /// Consecutive failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The ceiling the next failure's delay is drawn under.
    pub fn ceiling(&self) -> u64 {
        self.config.ceiling(self.failures)
    }

    /// Records a failure and returns how long to wait before the next attempt.
    ///
    /// `random` is a uniform draw in `[0, 1)` (out-of-range values and NaN are
    /// clamped). `retry_after_ms` is the server's `Retry-After`, if any: the
    /// wait is then at least that, up to `max_retry_after_ms`.
    pub fn next_delay(&mut self, random: f64, retry_after_ms: Option<u64>) -> u64 {
        let jittered = jitter(self.ceiling(), random);
        self.failures = self.failures.saturating_add(1);
        match retry_after_ms {
            Some(ra) => jittered.max(ra.min(self.config.max_retry_after_ms)),
            None => jittered,
        }
    }

    /// A success: the next failure starts again from the base delay.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// A uniform point of `[0, ceiling]` chosen by `random`.
fn jitter(ceiling: u64, random: f64) -> u64 {
    let r = if random >= 0.0 { random.min(1.0) } else { 0.0 }; // NaN fails `>=`
    ((r * ceiling as f64) as u64).min(ceiling)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALMOST_ONE: f64 = 1.0 - f64::EPSILON;

    #[test]
    fn ceilings_double_from_the_base_to_the_cap() {
        let c = BackoffConfig::default();
        let ceilings: Vec<u64> = (0..9).map(|n| c.ceiling(n)).collect();
        assert_eq!(ceilings, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
        assert_eq!(c.ceiling(63), 60_000);
        assert_eq!(c.ceiling(64), 60_000);
        assert_eq!(c.ceiling(u32::MAX), 60_000);
    }

    #[test]
    fn the_delay_is_the_draw_times_the_ceiling() {
        let mut b = Backoff::new(BackoffConfig::default());
        assert_eq!(b.next_delay(0.5, None), 500);
        assert_eq!(b.next_delay(0.5, None), 1_000);
        assert_eq!(b.next_delay(0.0, None), 0);
        assert_eq!(b.next_delay(ALMOST_ONE, None), 7_999);
        assert_eq!(b.failures(), 4);
    }

    #[test]
    fn the_cap_is_reached_and_held() {
        let mut b = Backoff::new(BackoffConfig::default());
        let delays: Vec<u64> = (0..40).map(|_| b.next_delay(ALMOST_ONE, None)).collect();
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(delays[6], 59_999);
        assert!(delays.iter().all(|&d| d < DEFAULT_MAX_DELAY_MS));
        assert_eq!(*delays.last().unwrap(), 59_999);
    }

    #[test]
    fn success_resets_to_the_base() {
        let mut b = Backoff::new(BackoffConfig::default());
        for _ in 0..10 {
            b.next_delay(0.5, None);
        }
        assert_eq!(b.ceiling(), 60_000);
        b.reset();
        assert_eq!(b.failures(), 0);
        assert_eq!(b.ceiling(), 1_000);
        assert_eq!(b.next_delay(0.5, None), 500);
    }

    #[test]
    fn retry_after_is_a_floor_within_its_own_cap() {
        let mut b = Backoff::new(BackoffConfig::default());
        assert_eq!(b.next_delay(0.5, Some(30_000)), 30_000);
        assert_eq!(b.next_delay(0.5, Some(0)), 1_000);
        assert_eq!(b.next_delay(0.5, Some(u64::MAX)), MAX_RETRY_AFTER_MS);
        let mut late = Backoff::new(BackoffConfig::default());
        for _ in 0..10 {
            late.next_delay(0.5, None);
        }
        assert_eq!(late.next_delay(0.5, Some(10_000)), 30_000);
    }

    #[test]
    fn out_of_range_draws_are_clamped() {
        let c = BackoffConfig::default();
        for (r, want) in [(f64::NAN, 0), (-1.0, 0), (f64::NEG_INFINITY, 0), (1.0, 1_000), (7.0, 1_000), (f64::INFINITY, 1_000)] {
            assert_eq!(Backoff::new(c).next_delay(r, None), want, "{r}");
        }
    }

    #[test]
    fn limits_are_configurable() {
        let c = BackoffConfig { base_ms: 250, cap_ms: 5_000, max_retry_after_ms: 10_000 };
        let mut b = Backoff::new(c);
        let ceilings: Vec<u64> = (0..7)
            .map(|_| {
                let ceiling = b.ceiling();
                b.next_delay(0.0, None);
                ceiling
            })
            .collect();
        assert_eq!(ceilings, [250, 500, 1_000, 2_000, 4_000, 5_000, 5_000]);
        assert_eq!(b.next_delay(0.0, Some(60_000)), 10_000);
        assert_eq!(Backoff::new(BackoffConfig { base_ms: 0, ..c }).next_delay(0.9, None), 0);
        assert_eq!(BackoffConfig { base_ms: u64::MAX, cap_ms: u64::MAX, ..c }.ceiling(3), u64::MAX);
    }

    proptest! {
        #[test]
        fn every_delay_is_within_its_ceiling(draws in prop::collection::vec(0.0f64..1.0, 1..80)) {
            let config = BackoffConfig::default();
            let mut b = Backoff::new(config);
            for (n, &r) in draws.iter().enumerate() {
                let bound = DEFAULT_MAX_DELAY_MS.min(DEFAULT_BASE_DELAY_MS.saturating_mul(1u64.checked_shl(n as u32).unwrap_or(u64::MAX)));
                prop_assert_eq!(b.ceiling(), bound);
                let d = b.next_delay(r, None);
                prop_assert!(d <= bound, "delay {} over {} after {} failures", d, bound, n);
            }
        }

        #[test]
        fn reset_restarts_the_sequence(draws in prop::collection::vec(0.0f64..1.0, 1..20), r in 0.0f64..1.0) {
            let mut b = Backoff::new(BackoffConfig::default());
            for &d in &draws {
                b.next_delay(d, None);
            }
            b.reset();
            prop_assert!(b.next_delay(r, None) <= DEFAULT_BASE_DELAY_MS);
        }

        #[test]
        fn retry_after_bounds(r in any::<f64>(), ra in any::<u64>(), failures in 0u32..100, base in 0u64..100_000, cap in 0u64..10_000_000) {
            let config = BackoffConfig { base_ms: base, cap_ms: cap, max_retry_after_ms: MAX_RETRY_AFTER_MS };
            let mut b = Backoff::new(config);
            for _ in 0..failures {
                b.next_delay(0.5, None);
            }
            let ceiling = b.ceiling();
            let d = b.next_delay(r, Some(ra));
            prop_assert!(d >= ra.min(MAX_RETRY_AFTER_MS));
            prop_assert!(d <= ceiling.max(ra.min(MAX_RETRY_AFTER_MS)));
        }
    }
}
