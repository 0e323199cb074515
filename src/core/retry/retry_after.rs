//! The `Retry-After` response header (RFC 9110 §10.2.3) as a delay.

use super::http_date::parse_http_date;

/// The longest wait the agent accepts from a server: a misconfigured header
/// must not silence the agent for the rest of the page's life.
pub const MAX_RETRY_AFTER_MS: u64 = 3_600_000;

const MS_PER_SECOND: u64 = 1_000;

/// The delay in ms that `value` asks for, counted from `now_ms` (wall-clock ms
/// since the Unix epoch, like `Date.now()`), capped at [`MAX_RETRY_AFTER_MS`].
///
/// `value` is either delta-seconds (`120`) or an HTTP-date; a date in the past
/// means no delay (0). Anything else is `None`, as if the header were absent.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = crate::core::text::trim_end_any(crate::core::text::trim_start_any(value, b" \t"), b" \t");
    if value.is_empty() {
        return None;
    }
    let delay = if value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.bytes().fold(0u64, |n, b| n.saturating_mul(10).saturating_add((b - b'0') as u64));
        seconds.saturating_mul(MS_PER_SECOND)
    } else {
        let at_ms = parse_http_date(value, now_ms)?;
        if at_ms <= 0 {
            0
        } else {
            (at_ms as u64).saturating_sub(now_ms)
        }
    };
    Some(delay.min(MAX_RETRY_AFTER_MS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Sun, 06 Nov 1994 08:49:37 GMT
    const RFC_EXAMPLE_MS: u64 = 784_111_777_000;

    #[test]
    fn delta_seconds() {
        assert_eq!(parse_retry_after("0", 0), Some(0));
        assert_eq!(parse_retry_after("1", 0), Some(1_000));
        assert_eq!(parse_retry_after("120", 123), Some(120_000));
        assert_eq!(parse_retry_after(" 120\t", 0), Some(120_000));
        assert_eq!(parse_retry_after("007", 0), Some(7_000));
    }

    #[test]
    fn delta_seconds_are_capped() {
        assert_eq!(parse_retry_after("3600", 0), Some(MAX_RETRY_AFTER_MS));
        assert_eq!(parse_retry_after("3601", 0), Some(MAX_RETRY_AFTER_MS));
        assert_eq!(parse_retry_after("99999999999999999999999999", 0), Some(MAX_RETRY_AFTER_MS));
    }

    #[test]
    fn http_dates_count_from_now() {
        let now = RFC_EXAMPLE_MS - 90_000;
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), Some(90_000));
        assert_eq!(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now), Some(90_000));
        assert_eq!(parse_retry_after("Sun Nov  6 08:49:37 1994", now), Some(90_000));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE_MS - 1), Some(1));
    }

    #[test]
    fn dates_in_the_past_mean_now() {
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE_MS), Some(0));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE_MS + 5_000), Some(0));
        assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", 1_700_000_000_000), Some(0));
        assert_eq!(parse_retry_after("Mon, 01 Jan 1900 00:00:00 GMT", 1_700_000_000_000), Some(0));
        assert_eq!(parse_retry_after("Mon, 01 Jan 1900 00:00:00 GMT", u64::MAX), Some(0));
    }

    #[test]
    fn far_future_dates_are_capped() {
        assert_eq!(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", RFC_EXAMPLE_MS), Some(MAX_RETRY_AFTER_MS));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 09:49:38 GMT", RFC_EXAMPLE_MS), Some(MAX_RETRY_AFTER_MS));
    }

    #[test]
    fn garbage_is_ignored() {
        for v in ["", "   ", "-5", "+5", "1.5", "1e3", "12 s", "soon", "0x10", "١٢", "Sun, 32 Nov 1994 08:49:37 GMT"] {
            assert_eq!(parse_retry_after(v, RFC_EXAMPLE_MS), None, "{v:?}");
        }
    }

    proptest! {
        #[test]
        fn any_delay_is_within_the_cap(s in "\\PC{0,40}", now in any::<u64>()) {
            if let Some(d) = parse_retry_after(&s, now) {
                prop_assert!(d <= MAX_RETRY_AFTER_MS);
            }
        }

        #[test]
        fn small_delta_seconds_are_exact(n in 0u64..=3_600) {
            prop_assert_eq!(parse_retry_after(&n.to_string(), 0), Some(n * 1_000));
        }
    }
}
