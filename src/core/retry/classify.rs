//! What one delivery attempt's outcome means for its batch.

use super::retry_after::parse_retry_after;

/// How one attempt to send a batch ended, as the shell saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The request never got a response (offline, DNS, CORS, connection reset).
    NetworkError,
    /// The shell gave up waiting for a response.
    Timeout,
    /// The server answered with this status and, if it sent one, the raw
    /// `Retry-After` header value.
    Status { code: u16, retry_after: Option<String> },
}

impl Outcome {
    /// A response with this status and no `Retry-After` header.
    pub fn status(code: u16) -> Outcome {
        Outcome::Status { code, retry_after: None }
    }

    /// The server's `Retry-After`, as a delay in ms from `now_ms` (wall-clock
    /// ms since the Unix epoch, needed for the HTTP-date form), if it sent a
    /// valid one.
    pub fn retry_after_ms(&self, now_ms: u64) -> Option<u64> {
        match self {
            Outcome::Status { retry_after: Some(v), .. } => parse_retry_after(v, now_ms),
            _ => None,
        }
    }
}

/// What to do with the batch after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: the events are delivered.
    Delivered,
    /// 408, 429, 5xx, network errors and timeouts: keep the batch and send it
    /// again later. Also any status the agent does not expect (0, 1xx, 3xx,
    /// 600+): it is not known to have arrived.
    Retry,
    /// 413: the body is too large. Send its events again in smaller batches, or
    /// drop the batch if it holds one event (see [`Verdict::for_batch_of`]).
    Split,
    /// Any other 4xx: the server will never accept this batch. Drop it and
    /// count its events as rejected.
    Reject,
}

impl Verdict {
    /// The verdict for a batch of `events` events: a [`Verdict::Split`] of a
    /// single event cannot be split further and becomes [`Verdict::Reject`].
    pub fn for_batch_of(self, events: usize) -> Verdict {
        match self {
            Verdict::Split if events <= 1 => Verdict::Reject,
            v => v,
        }
    }

    /// Whether the server answered at all. Only [`Verdict::Retry`] counts as a
    /// failure for the circuit breaker; a rejected or oversized batch still
    /// shows that the endpoint is up.
    pub fn is_failure(self) -> bool {
        self == Verdict::Retry
    }
}

const REQUEST_TIMEOUT: u16 = 408;
const PAYLOAD_TOO_LARGE: u16 = 413;
const TOO_MANY_REQUESTS: u16 = 429;

/// Classifies one attempt's outcome.
pub fn classify(outcome: &Outcome) -> Verdict {
    match outcome {
        Outcome::NetworkError | Outcome::Timeout => Verdict::Retry,
        Outcome::Status { code, .. } => match *code {
            200..=299 => Verdict::Delivered,
            REQUEST_TIMEOUT | TOO_MANY_REQUESTS => Verdict::Retry,
            PAYLOAD_TOO_LARGE => Verdict::Split,
            400..=499 => Verdict::Reject,
            _ => Verdict::Retry,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_table() {
        let table: &[(u16, Verdict)] = &[
            (200, Verdict::Delivered),
            (202, Verdict::Delivered),
            (204, Verdict::Delivered),
            (299, Verdict::Delivered),
            (400, Verdict::Reject),
            (401, Verdict::Reject),
            (403, Verdict::Reject),
            (404, Verdict::Reject),
            (408, Verdict::Retry),
            (409, Verdict::Reject),
            (413, Verdict::Split),
            (415, Verdict::Reject),
            (422, Verdict::Reject),
            (429, Verdict::Retry),
            (499, Verdict::Reject),
            (500, Verdict::Retry),
            (502, Verdict::Retry),
            (503, Verdict::Retry),
            (504, Verdict::Retry),
            (599, Verdict::Retry),
        ];
        for &(code, verdict) in table {
            assert_eq!(classify(&Outcome::status(code)), verdict, "status {code}");
        }
    }

    #[test]
    fn transport_failures_are_retried() {
        assert_eq!(classify(&Outcome::NetworkError), Verdict::Retry);
        assert_eq!(classify(&Outcome::Timeout), Verdict::Retry);
    }

    #[test]
    fn unexpected_statuses_are_retried() {
        for code in [0, 100, 199, 301, 304, 399, 600, u16::MAX] {
            assert_eq!(classify(&Outcome::status(code)), Verdict::Retry, "status {code}");
        }
    }

    #[test]
    fn retry_after_does_not_change_the_verdict() {
        let o = Outcome::Status { code: 200, retry_after: Some("30".into()) };
        assert_eq!(classify(&o), Verdict::Delivered);
        let o = Outcome::Status { code: 503, retry_after: Some("30".into()) };
        assert_eq!(classify(&o), Verdict::Retry);
    }

    #[test]
    fn retry_after_is_read_from_the_response_only() {
        let o = Outcome::Status { code: 429, retry_after: Some("30".into()) };
        assert_eq!(o.retry_after_ms(0), Some(30_000));
        assert_eq!(Outcome::status(429).retry_after_ms(0), None);
        assert_eq!(Outcome::Timeout.retry_after_ms(0), None);
        let garbage = Outcome::Status { code: 503, retry_after: Some("soon".into()) };
        assert_eq!(garbage.retry_after_ms(0), None);
    }

    #[test]
    fn a_single_oversized_event_is_rejected_not_split() {
        assert_eq!(Verdict::Split.for_batch_of(2), Verdict::Split);
        assert_eq!(Verdict::Split.for_batch_of(1), Verdict::Reject);
        assert_eq!(Verdict::Split.for_batch_of(0), Verdict::Reject);
        assert_eq!(Verdict::Retry.for_batch_of(1), Verdict::Retry);
        assert_eq!(Verdict::Delivered.for_batch_of(1), Verdict::Delivered);
    }

    #[test]
    fn only_retry_counts_as_a_failure() {
        assert!(Verdict::Retry.is_failure());
        for v in [Verdict::Delivered, Verdict::Split, Verdict::Reject] {
            assert!(!v.is_failure());
        }
    }
}
