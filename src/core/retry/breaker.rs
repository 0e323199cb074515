//! The circuit breaker: when sends keep failing, stop sending and probe.
//!
//! ```text
//!            N consecutive failures              backoff delay passed
//!   Closed ─────────────────────────▶ Open ─────────────────────────▶ HalfOpen
//!     ▲  ▲                             ▲  (allow_send gives one Probe)    │
//!     │  └── any success ◀─────────────┼──────── probe succeeded ◀────────┤
//!     │                                └──────── probe failed ◀───────────┘
//! ```
//!
//! While closed every send is allowed, but after a failure the next one waits
//! for its backoff delay. While open nothing is sent (the caller keeps storing
//! events); once the delay has passed one probe goes out, and its result closes
//! the breaker or opens it again with a longer delay. Times are ms from one
//! monotonic clock of the caller's choosing.

use super::backoff::{Backoff, BackoffConfig};

/// Consecutive failures that open the breaker.
pub const DEFAULT_FAILURE_THRESHOLD: u32 = 5;
/// A probe that has not reported after this long is taken as lost, and
/// another may go out: a lost result must not stop delivery for good.
pub const DEFAULT_PROBE_TIMEOUT_MS: u64 = 30_000;
/// A probe should carry at most this many events: it tests the endpoint, it
/// does not drain the queue.
pub const PROBE_MAX_EVENTS: usize = 1;

/// Breaker limits. `Default` gives 5 failures, a 30 s probe timeout and the
/// default backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    pub failure_threshold: u32,
    pub probe_timeout_ms: u64,
    pub backoff: BackoffConfig,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: DEFAULT_FAILURE_THRESHOLD,
            probe_timeout_ms: DEFAULT_PROBE_TIMEOUT_MS,
            backoff: BackoffConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Sends go out normally.
    Closed,
    /// Too many failures: nothing goes out until the next attempt time.
    Open,
    /// One probe is out; everything else waits for its result.
    HalfOpen,
}

impl BreakerState {
    /// The name shown in stats.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        }
    }
}

/// What the caller may send now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Send as usual.
    Normal,
    /// Send one small request (at most [`PROBE_MAX_EVENTS`] events) and report
    /// its result; nothing else goes out until then.
    Probe,
    /// Send nothing; ask again at this time.
    Wait(u64),
}

/// The breaker's state for `getStats()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerStats {
    pub state: BreakerState,
    pub consecutive_failures: u32,
    /// Earliest time of the next send (or probe); in the past when sending is
    /// allowed now.
    pub next_attempt_ms: u64,
}

/// Circuit breaker with exponential backoff for one endpoint.
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    state: BreakerState,
    threshold: u32,
    probe_timeout_ms: u64,
    backoff: Backoff,
    next_attempt_ms: u64,
}

impl Default for CircuitBreaker {
    fn default() -> Self {
        CircuitBreaker::new(BreakerConfig::default())
    }
}

impl CircuitBreaker {
    pub fn new(config: BreakerConfig) -> Self {
        CircuitBreaker {
            state: BreakerState::Closed,
            threshold: config.failure_threshold.max(1),
            probe_timeout_ms: config.probe_timeout_ms,
            backoff: Backoff::new(config.backoff),
            next_attempt_ms: 0,
        }
    }

    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Failures since the last success.
    pub fn consecutive_failures(&self) -> u32 {
        self.backoff.failures()
    }

    /// When the next send may go out; while half-open, when the outstanding
    /// probe is given up as lost.
    pub fn next_attempt_ms(&self) -> u64 {
        self.next_attempt_ms
    }

    pub fn stats(&self) -> BreakerStats {
        BreakerStats { state: self.state, consecutive_failures: self.consecutive_failures(), next_attempt_ms: self.next_attempt_ms }
    }

    /// May the caller send now? A [`Permit::Probe`] is handed out once: until
    /// its result is reported (or it times out) the answer is `Wait`.
    pub fn allow_send(&mut self, now_ms: u64) -> Permit {
        if now_ms < self.next_attempt_ms {
            return Permit::Wait(self.next_attempt_ms);
        }
        match self.state {
            BreakerState::Closed => Permit::Normal,
            BreakerState::Open | BreakerState::HalfOpen => {
                self.state = BreakerState::HalfOpen;
                self.next_attempt_ms = now_ms.saturating_add(self.probe_timeout_ms);
                Permit::Probe
            }
        }
    }

    /// The server answered (see [`super::Verdict::is_failure`]): close and
    /// forget the failures.
    pub fn on_success(&mut self, now_ms: u64) {
        self.state = BreakerState::Closed;
        self.backoff.reset();
        self.next_attempt_ms = now_ms;
    }

    /// An attempt failed. The next attempt waits for a backoff delay drawn with
    /// `random` (uniform in `[0, 1)`) and at least `retry_after_ms`. The
    /// breaker opens at the threshold, and a failed probe opens it again.
    ///
    /// While half-open any failure is taken as the probe's: only the probe
    /// should be out. A failure reported while open (a request sent before it
    /// opened) lengthens the wait like any other.
    pub fn on_failure(&mut self, now_ms: u64, retry_after_ms: Option<u64>, random: f64) {
        let delay = self.backoff.next_delay(random, retry_after_ms);
        self.next_attempt_ms = now_ms.saturating_add(delay);
        if self.state != BreakerState::Closed || self.backoff.failures() >= self.threshold {
            self.state = BreakerState::Open;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::retry::backoff::DEFAULT_MAX_DELAY_MS;
    use crate::core::retry::retry_after::MAX_RETRY_AFTER_MS;

    const T0: u64 = 1_000_000;
    const HALF: f64 = 0.5;

    /// Fails `n` times, each at the moment the breaker allows the next send.
    fn fail_n(b: &mut CircuitBreaker, clock: &mut u64, n: u32) {
        for _ in 0..n {
            *clock = (*clock).max(b.next_attempt_ms());
            assert!(!matches!(b.allow_send(*clock), Permit::Wait(_)));
            b.on_failure(*clock, None, HALF);
        }
    }

    #[test]
    fn starts_closed_and_allows_sending() {
        let mut b = CircuitBreaker::default();
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.allow_send(T0), Permit::Normal);
        assert_eq!(b.allow_send(T0), Permit::Normal);
        assert_eq!(b.stats(), BreakerStats { state: BreakerState::Closed, consecutive_failures: 0, next_attempt_ms: 0 });
    }

    #[test]
    fn a_failure_while_closed_delays_the_next_send() {
        let mut b = CircuitBreaker::default();
        b.on_failure(T0, None, HALF);
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.consecutive_failures(), 1);
        assert_eq!(b.allow_send(T0 + 499), Permit::Wait(T0 + 500));
        assert_eq!(b.allow_send(T0 + 500), Permit::Normal);
    }

    #[test]
    fn opens_after_exactly_the_threshold() {
        let mut clock = T0;
        let mut b = CircuitBreaker::default();
        fail_n(&mut b, &mut clock, DEFAULT_FAILURE_THRESHOLD - 1);
        assert_eq!(b.state(), BreakerState::Closed);
        fail_n(&mut b, &mut clock, 1);
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(b.consecutive_failures(), DEFAULT_FAILURE_THRESHOLD);
        // 5th failure: ceiling 16 s, half of it.
        assert_eq!(b.next_attempt_ms(), clock + 8_000);
        assert_eq!(b.allow_send(clock), Permit::Wait(clock + 8_000));
        assert_eq!(b.allow_send(clock + 7_999), Permit::Wait(clock + 8_000));
    }

    #[test]
    fn the_threshold_is_configurable() {
        let mut clock = T0;
        let mut b = CircuitBreaker::new(BreakerConfig { failure_threshold: 2, ..Default::default() });
        fail_n(&mut b, &mut clock, 1);
        assert_eq!(b.state(), BreakerState::Closed);
        fail_n(&mut b, &mut clock, 1);
        assert_eq!(b.state(), BreakerState::Open);
        let mut one = CircuitBreaker::new(BreakerConfig { failure_threshold: 0, ..Default::default() });
        one.on_failure(T0, None, HALF);
        assert_eq!(one.state(), BreakerState::Open);
    }

    #[test]
    fn only_one_probe_at_a_time() {
        let mut clock = T0;
        let mut b = CircuitBreaker::default();
        fail_n(&mut b, &mut clock, DEFAULT_FAILURE_THRESHOLD);
        let at = b.next_attempt_ms();
        assert_eq!(b.allow_send(at), Permit::Probe);
        assert_eq!(b.state(), BreakerState::HalfOpen);
        let lost_at = at + DEFAULT_PROBE_TIMEOUT_MS;
        assert_eq!(b.allow_send(at), Permit::Wait(lost_at));
        assert_eq!(b.allow_send(at + 1_000), Permit::Wait(lost_at));
        assert_eq!(b.allow_send(lost_at - 1), Permit::Wait(lost_at));
    }

    #[test]
    fn a_lost_probe_is_replaced_after_the_timeout() {
        let mut clock = T0;
        let mut b = CircuitBreaker::default();
        fail_n(&mut b, &mut clock, DEFAULT_FAILURE_THRESHOLD);
        let at = b.next_attempt_ms();
        assert_eq!(b.allow_send(at), Permit::Probe);
        let lost_at = at + DEFAULT_PROBE_TIMEOUT_MS;
        assert_eq!(b.allow_send(lost_at), Permit::Probe);
        assert_eq!(b.allow_send(lost_at), Permit::Wait(lost_at + DEFAULT_PROBE_TIMEOUT_MS));
        assert_eq!(b.consecutive_failures(), DEFAULT_FAILURE_THRESHOLD);
    }

    #[test]
    fn a_successful_probe_closes() {
        let mut clock = T0;
        let mut b = CircuitBreaker::default();
        fail_n(&mut b, &mut clock, DEFAULT_FAILURE_THRESHOLD);
        let at = b.next_attempt_ms();
        assert_eq!(b.allow_send(at), Permit::Probe);
        b.on_success(at + 200);
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.consecutive_failures(), 0);
        assert_eq!(b.allow_send(at + 200), Permit::Normal);
        assert_eq!(b.allow_send(at + 200), Permit::Normal);
        // The backoff starts again from the base.
        b.on_failure(at + 300, None, HALF);
        assert_eq!(b.next_attempt_ms(), at + 300 + 500);
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[test]
    fn a_failed_probe_reopens_with_a_longer_delay() {
        let mut clock = T0;
        let mut b = CircuitBreaker::default();
        fail_n(&mut b, &mut clock, DEFAULT_FAILURE_THRESHOLD);
        let mut delays = vec![b.next_attempt_ms() - clock];
        for _ in 0..6 {
            let at = b.next_attempt_ms();
            assert_eq!(b.allow_send(at), Permit::Probe);
            b.on_failure(at + 100, None, HALF);
            assert_eq!(b.state(), BreakerState::Open);
            assert_eq!(b.allow_send(at + 100), Permit::Wait(b.next_attempt_ms()));
            delays.push(b.next_attempt_ms() - (at + 100));
        }
        assert_eq!(delays, [8_000, 16_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
        assert!(delays.iter().all(|&d| d <= DEFAULT_MAX_DELAY_MS));
        assert_eq!(b.consecutive_failures(), DEFAULT_FAILURE_THRESHOLD + 6);
    }

    #[test]
    fn retry_after_is_honoured_in_every_state() {
        let mut b = CircuitBreaker::default();
        b.on_failure(T0, Some(120_000), HALF);
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.allow_send(T0 + 119_999), Permit::Wait(T0 + 120_000));
        assert_eq!(b.allow_send(T0 + 120_000), Permit::Normal);

        let mut clock = T0;
        fail_n(&mut b, &mut clock, DEFAULT_FAILURE_THRESHOLD - 1);
        assert_eq!(b.state(), BreakerState::Open);
        let at = b.next_attempt_ms();
        assert_eq!(b.allow_send(at), Permit::Probe);
        b.on_failure(at, Some(600_000), 0.0);
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(b.allow_send(at + 599_999), Permit::Wait(at + 600_000));
        assert_eq!(b.allow_send(at + 600_000), Permit::Probe);
        b.on_failure(at + 600_000, Some(u64::MAX), 0.0);
        assert_eq!(b.next_attempt_ms(), at + 600_000 + MAX_RETRY_AFTER_MS);
    }

    #[test]
    fn a_success_while_open_closes() {
        let mut clock = T0;
        let mut b = CircuitBreaker::default();
        fail_n(&mut b, &mut clock, DEFAULT_FAILURE_THRESHOLD);
        b.on_success(clock + 1);
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.allow_send(clock + 1), Permit::Normal);
    }

    #[test]
    fn a_late_failure_while_open_stays_open() {
        let mut clock = T0;
        let mut b = CircuitBreaker::default();
        fail_n(&mut b, &mut clock, DEFAULT_FAILURE_THRESHOLD);
        b.on_failure(clock + 10, None, HALF);
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(b.next_attempt_ms(), clock + 10 + 16_000);
    }

    #[test]
    fn state_names_for_stats() {
        assert_eq!(BreakerState::Closed.as_str(), "closed");
        assert_eq!(BreakerState::Open.as_str(), "open");
        assert_eq!(BreakerState::HalfOpen.as_str(), "half-open");
    }

    #[test]
    fn clock_extremes_do_not_overflow() {
        let mut b = CircuitBreaker::default();
        b.on_failure(u64::MAX - 10, Some(MAX_RETRY_AFTER_MS), HALF);
        assert_eq!(b.next_attempt_ms(), u64::MAX);
        assert_eq!(b.allow_send(u64::MAX), Permit::Normal);
    }
}
