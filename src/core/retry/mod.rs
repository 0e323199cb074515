//! Retry decisions: backoff with full jitter, Retry-After, and the circuit breaker.
//!
//! One send, as the shell drives it (times in ms; `now` from a monotonic clock,
//! `wall_now` from `Date.now()` for HTTP-dates, `random()` uniform in [0, 1)):
//!
//! ```text
//! match breaker.allow_send(now) {
//!     Permit::Wait(until) => schedule a flush at `until`, send nothing,
//!     Permit::Probe => send one batch of at most PROBE_MAX_EVENTS events,
//!     Permit::Normal => send as usual,
//! }
//! let verdict = classify(&outcome).for_batch_of(batch.len());
//! if verdict.is_failure() {
//!     breaker.on_failure(now, outcome.retry_after_ms(wall_now), random());
//! } else {
//!     breaker.on_success(now);
//! }
//! Delivered => acknowledge, Retry => requeue, Split => requeue and send
//! smaller batches, Reject => drop and count as rejected.
//! ```

mod backoff;
mod breaker;
mod classify;
mod http_date;
mod retry_after;

pub use backoff::{Backoff, BackoffConfig, DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS};
pub use breaker::{
    BreakerConfig, BreakerState, BreakerStats, CircuitBreaker, Permit, DEFAULT_FAILURE_THRESHOLD, DEFAULT_PROBE_TIMEOUT_MS,
    PROBE_MAX_EVENTS,
};
pub use classify::{classify, Outcome, Verdict};
pub use http_date::{days_from_civil, parse_http_date};
pub use retry_after::{parse_retry_after, MAX_RETRY_AFTER_MS};
