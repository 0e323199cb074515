//! HTTP-dates (RFC 9110 §5.6.7) to Unix time, with the calendar arithmetic
//! written out (days-from-civil) rather than pulled from a date crate.
//!
//! Accepted forms:
//! - IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT` (the one servers must send)
//! - RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`
//! - asctime: `Sun Nov  6 08:49:37 1994`
//!
//! Names are matched without regard to case, and the weekday is checked to be
//! a weekday name but not that it matches the date.

const MS_PER_SECOND: i64 = 1_000;
const SECONDS_PER_DAY: i64 = 86_400;
const MS_PER_DAY: i64 = SECONDS_PER_DAY * MS_PER_SECOND;
/// RFC 850 years more than this far in the future belong to the past century.
const TWO_DIGIT_YEAR_HORIZON: i64 = 50;

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const SHORT_DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const LONG_DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// Parses an HTTP-date into ms since the Unix epoch (negative before 1970).
/// `now_ms` (wall clock) only decides the century of an RFC 850 two-digit year.
pub fn parse_http_date(value: &str, now_ms: u64) -> Option<i64> {
    let mut tokens = [""; 6];
    let mut n = 0;
    for t in value.split_ascii_whitespace() {
        if n == tokens.len() {
            return None;
        }
        tokens[n] = t;
        n += 1;
    }
    match &tokens[..n] {
        [wd, day, month, year, time, zone] => {
            let wd = wd.strip_suffix(',')?;
            if !is_one_of(wd, &SHORT_DAYS) || !zone.eq_ignore_ascii_case("GMT") {
                return None;
            }
            to_unix_ms(year4(year)?, month_number(month)?, number(day, 1, 2)?, time)
        }
        [wd, date, time, zone] => {
            let wd = wd.strip_suffix(',')?;
            if !is_one_of(wd, &LONG_DAYS) || !zone.eq_ignore_ascii_case("GMT") {
                return None;
            }
            let mut parts = crate::core::text::split_any(date, b"-");
            let (day, month, yy) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || yy.len() != 2 {
                return None;
            }
            let year = full_year(number(yy, 2, 2)? as i64, now_ms);
            to_unix_ms(year, month_number(month)?, number(day, 1, 2)?, time)
        }
        [wd, month, day, time, year] => {
            if !is_one_of(wd, &SHORT_DAYS) {
                return None;
            }
            to_unix_ms(year4(year)?, month_number(month)?, number(day, 1, 2)?, time)
        }
        _ => None,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`). `month` is 1..=12, `day` 1..=31.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400; // 0..=399
    let mp = (month as i64 + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day as i64 - 1; // 0..=365
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // 0..=146096
    era * 146_097 + doe - 719_468
}

/// The year containing the given day since 1970-01-01 (the year part of
/// Hinnant's `civil_from_days`).
pub fn year_from_days(days: i64) -> i64 {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let year = yoe + era * 400;
    if mp >= 10 {
        year + 1 // January and February belong to the next civil year
    } else {
        year
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn to_unix_ms(year: i64, month: u32, day: u32, time: &str) -> Option<i64> {
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut parts = crate::core::text::split_any(time, b":");
    let h = number(parts.next()?, 2, 2)?;
    let m = number(parts.next()?, 2, 2)?;
    let s = number(parts.next()?, 2, 2)?;
    // A leap second (60) is allowed by the grammar; it lands on the next minute.
    if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let seconds = (h * 3_600 + m * 60 + s) as i64;
    // Only an absurd clock (RFC 850 centuries far ahead) can overflow.
    days_from_civil(year, month, day).checked_mul(MS_PER_DAY)?.checked_add(seconds * MS_PER_SECOND)
}

/// A two-digit year in the century that puts it at most 50 years ahead of now.
fn full_year(yy: i64, now_ms: u64) -> i64 {
    let now_year = year_from_days((now_ms / MS_PER_DAY as u64) as i64);
    let mut year = now_year - now_year % 100 + yy;
    if year > now_year + TWO_DIGIT_YEAR_HORIZON {
        year -= 100;
    } else if year + 100 <= now_year + TWO_DIGIT_YEAR_HORIZON {
        year += 100;
    }
    year
}

fn year4(s: &str) -> Option<i64> {
    number(s, 4, 4).map(|y| y as i64)
}

fn month_number(s: &str) -> Option<u32> {
    MONTHS.iter().position(|m| m.eq_ignore_ascii_case(s)).map(|i| i as u32 + 1)
}

fn is_one_of(s: &str, names: &[&str]) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(s))
}

/// An unsigned decimal of `min..=max` ASCII digits and nothing else.
fn number(s: &str, min: usize, max: usize) -> Option<u32> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0, |n, b| n * 10 + (b - b'0') as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `date -u -d 'Sun, 06 Nov 1994 08:49:37 GMT' +%s`
    const RFC_EXAMPLE_MS: i64 = 784_111_777_000;
    /// 2024-06-01T00:00:00Z
    const NOW_2024_MS: u64 = 1_717_200_000_000;

    #[test]
    fn the_three_forms_of_the_rfc_example_agree() {
        for v in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            assert_eq!(parse_http_date(v, NOW_2024_MS), Some(RFC_EXAMPLE_MS), "{v}");
        }
    }

    #[test]
    fn known_instants() {
        let cases: &[(&str, i64)] = &[
            ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
            ("Wed, 31 Dec 1969 23:59:59 GMT", -1_000),
            ("Tue, 29 Feb 2000 12:00:00 GMT", 951_825_600_000),
            ("Sat, 01 Jun 2024 00:00:00 GMT", NOW_2024_MS as i64),
            ("Tue, 19 Jan 2038 03:14:08 GMT", 2_147_483_648_000),
            ("fri, 31 dec 9999 23:59:59 gmt", 253_402_300_799_000),
        ];
        for &(v, ms) in cases {
            assert_eq!(parse_http_date(v, NOW_2024_MS), Some(ms), "{v}");
        }
    }

    #[test]
    fn invalid_dates_and_garbage_are_refused() {
        for v in [
            "",
            "120",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun 06 Nov 1994 08:49:37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 29 Feb 1900 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:61 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 08:49:37:00 GMT",
            "Sun, +6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT,",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sunday, 06-Nov-94-1 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 94",
            "Sun, 06 Nov 1994 08:49:37 GMT Sun",
            "Sun, 06 Nov 1994 08:49:37 GMT a b c",
            "Sun, 06 Nov １９９４ 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(v, NOW_2024_MS), None, "{v:?}");
        }
    }

    #[test]
    fn leap_days_and_leap_seconds() {
        assert!(parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT", NOW_2024_MS).is_some());
        assert!(parse_http_date("Sat, 29 Feb 2025 00:00:00 GMT", NOW_2024_MS).is_none());
        let leap = parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT", NOW_2024_MS).unwrap();
        let next = parse_http_date("Sun, 01 Jan 2017 00:00:00 GMT", NOW_2024_MS).unwrap();
        assert_eq!(leap, next);
    }

    #[test]
    fn two_digit_years_stay_within_fifty_years_ahead() {
        let year_of = |v: &str, now: u64| year_from_days(parse_http_date(v, now).unwrap().div_euclid(MS_PER_DAY));
        assert_eq!(year_of("Monday, 01-Jan-74 00:00:00 GMT", NOW_2024_MS), 2074);
        assert_eq!(year_of("Monday, 01-Jan-75 00:00:00 GMT", NOW_2024_MS), 1975);
        assert_eq!(year_of("Monday, 01-Jan-24 00:00:00 GMT", NOW_2024_MS), 2024);
        // 2090-01-01: "05" is 15 years ahead, so 2105 rather than 2005.
        let now_2090 = (days_from_civil(2090, 1, 1) * MS_PER_DAY) as u64;
        assert_eq!(year_of("Monday, 01-Jan-05 00:00:00 GMT", now_2090), 2105);
        assert_eq!(year_of("Monday, 01-Jan-40 00:00:00 GMT", now_2090), 2140);
        assert_eq!(year_of("Monday, 01-Jan-41 00:00:00 GMT", now_2090), 2041);
        // An absurd clock must not overflow.
        assert_eq!(parse_http_date("Monday, 01-Jan-05 00:00:00 GMT", u64::MAX), None);
    }

    #[test]
    fn days_from_civil_fixed_points() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(0, 3, 1), -719_468);
        assert_eq!(year_from_days(0), 1970);
        assert_eq!(year_from_days(-1), 1969);
        assert_eq!(year_from_days(11_016), 2000);
    }

    proptest! {
        #[test]
        fn civil_days_are_consecutive_and_invert(year in -10_000i64..10_000, month in 1u32..=12, day in 1u32..=28) {
            let d = days_from_civil(year, month, day);
            prop_assert_eq!(year_from_days(d), year);
            prop_assert_eq!(days_from_civil(year, month, day + 1), d + 1);
        }

        #[test]
        fn year_lengths_match_the_leap_rule(year in -10_000i64..10_000) {
            let len = days_from_civil(year + 1, 1, 1) - days_from_civil(year, 1, 1);
            prop_assert_eq!(len, if is_leap(year) { 366 } else { 365 });
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,60}", now in any::<u64>()) {
            let _ = parse_http_date(&s, now);
        }
    }
}
