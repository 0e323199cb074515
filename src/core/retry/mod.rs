//! Retry decisions: backoff with full jitter, Retry-After, and the circuit breaker.
