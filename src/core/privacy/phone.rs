//! Phone numbers.
//!
//! A candidate is a run of digit groups separated by single spaces, dashes or
//! dots, where a group may be in parentheses (`(415) 555-0132`,
//! `+44 (0)20 7123 4567`). It is a phone number when it has one of these
//! shapes:
//!
//! * international: `+` and 8–15 digits (E.164), at least 10 when written
//!   without separators; `00` and 11–15 digits in groups; after country
//!   code 1 or 7, exactly ten more;
//! * North American: `NXX NXX XXXX` (area and exchange start with 2–9),
//!   optionally after `1`; dots only when every separator is a dot;
//! * national with a trunk `0`: 9–11 digits in groups of two or more (the
//!   `0` may stand alone), one separator kind (`020 7123 4567`, `09-7625400`,
//!   `090-1234-5678`, `0 532 123 45 67`), or 11 digits solid (`07911123456`);
//! * a country code and dashes: `91-415-555-0132` (four or more groups,
//!   10–13 digits, last groups 3–4 and 4 digits);
//! * a Chinese mobile number: 11 digits starting `13`–`19`, written solid.
//!
//! National shapes written like account numbers or ids (`0044 0532 0130 00`,
//! `0417 1643 00`, `078-05-1123`, `046 454 286`) are not phones. Everything else is left
//! alone, in particular bare digit runs (timestamps,
//! ids), dates (`2024-01-15`, `01.02.2024`), times (`2024-01-15 10:30`),
//! versions (`10.0.19045.3693`) and decimals.

use super::kind::{Match, PiiKind};
use super::scan::{at, before, digit_at, digits_from, each_anchor, is_alnum};

/// Most digits in a phone number (E.164).
pub const MAX_PHONE_DIGITS: usize = 15;
/// Fewest digits after `+` when grouped (`+49 30 123456`).
pub const MIN_INTL_DIGITS: usize = 8;
/// Fewest digits after `+` or `00` written solid.
pub const MIN_SOLID_INTL_DIGITS: usize = 10;
/// Fewest digits of a number starting with the `00` international prefix.
pub const MIN_DOUBLE_ZERO_DIGITS: usize = 11;
/// Most digits before the country code's end in a `00` number (`00351`).
const MAX_DOUBLE_ZERO_FIRST_GROUP: usize = 5;
/// Most digits in a national area code with its trunk `0` (`01632`).
const MAX_AREA_CODE_DIGITS: usize = 5;
/// Digits of a trunk-`0` number written solid (`07911123456`, mobile numbers
/// in the UK, Turkey, the Philippines, Germany, India). Ten-digit solid runs
/// with a leading 0 are as often ids (`0780511201`) as phone numbers.
const SOLID_TRUNK_DIGITS: usize = 11;
/// Most digit groups looked at.
const MAX_GROUPS: usize = 8;
/// National numbers with a trunk prefix `0`: fewest and most digits.
const MIN_TRUNK_DIGITS: usize = 9;
const MAX_TRUNK_DIGITS: usize = 11;
/// Country code and dashes: fewest and most digits.
const MIN_DASHED_DIGITS: usize = 10;
const MAX_DASHED_DIGITS: usize = 13;

const SEP_SPACE: u8 = 1;
const SEP_DASH: u8 = 2;
const SEP_DOT: u8 = 4;

/// Appends every phone number in `text` to `out`, in order.
pub(crate) fn scan(text: &str, anchors: &[usize], out: &mut Vec<Match>) {
    let b = text.as_bytes();
    each_anchor(anchors, |i| {
        let c = b[i];
        let first = c.is_ascii_digit() || (matches!(c, b'+' | b'(') && digit_at(at(b, i + 1)));
        if !first || !starts_at(b, i) {
            return None;
        }
        let end = phone_at(b, i)?;
        out.push(Match::new(PiiKind::Phone, i, end));
        Some(end)
    });
}

/// Not glued to a word, an id (`ID-415…`), a decimal or a sign.
fn starts_at(b: &[u8], i: usize) -> bool {
    match before(b, i) {
        None => true,
        Some(c) => !(is_alnum(c) || matches!(c, b'_' | b'.' | b'-' | b'+')),
    }
}

/// The digit groups of one candidate.
#[derive(Clone, Copy)]
struct Groups {
    digits: [u8; MAX_PHONE_DIGITS],
    total: usize,
    lens: [usize; MAX_GROUPS],
    parens: [bool; MAX_GROUPS],
    /// Byte offset just past each group (and its `)`).
    ends: [usize; MAX_GROUPS],
    /// Separator kind after each group (0: none, or a `)` right before digits).
    sep_after: [u8; MAX_GROUPS],
    count: usize,
    /// Separator kinds between the groups.
    seps: u8,
}

impl Groups {
    fn lens(&self) -> &[usize] {
        &self.lens[..self.count]
    }

    /// The first `k` groups.
    fn prefix(&self, k: usize) -> Groups {
        let mut g = *self;
        g.count = k;
        g.total = self.lens[..k].iter().sum();
        g.seps = self.sep_after[..k - 1].iter().fold(0, |a, &s| a | s);
        g
    }
}

fn phone_at(b: &[u8], s: usize) -> Option<usize> {
    let intl = b[s] == b'+';
    let mut pos = s + usize::from(intl);
    let mut g = Groups {
        digits: [0; MAX_PHONE_DIGITS],
        total: 0,
        lens: [0; MAX_GROUPS],
        parens: [false; MAX_GROUPS],
        ends: [0; MAX_GROUPS],
        sep_after: [0; MAX_GROUPS],
        count: 0,
        seps: 0,
    };
    // Set when more groups follow than one number can hold.
    let mut cut = false;
    loop {
        let paren = at(b, pos) == Some(b'(');
        let n = digits_from(b, pos + usize::from(paren), MAX_PHONE_DIGITS);
        let closed = !paren || at(b, pos + 1 + n) == Some(b')');
        if n == 0 || !closed || g.total + n > MAX_PHONE_DIGITS || g.count == MAX_GROUPS {
            if g.count == 0 {
                return None;
            }
            cut = true;
            break;
        }
        pos += usize::from(paren);
        g.digits[g.total..g.total + n].copy_from_slice(&b[pos..pos + n]);
        g.total += n;
        g.lens[g.count] = n;
        g.parens[g.count] = paren;
        pos += n + usize::from(paren);
        g.ends[g.count] = pos;
        g.count += 1;
        if paren && digit_at(at(b, pos)) {
            continue;
        }
        let sep = match at(b, pos) {
            Some(b' ') => SEP_SPACE,
            Some(b'-') => SEP_DASH,
            Some(b'.') => SEP_DOT,
            _ => break,
        };
        let next = at(b, pos + 1);
        if !(digit_at(next) || (next == Some(b'(') && digit_at(at(b, pos + 2)))) {
            break;
        }
        g.sep_after[g.count - 1] = sep;
        pos += 1;
    }
    // The longest run of whole groups that is a phone number: in
    // `415-555-0132 415-555-0199` the first three groups.
    (1..=g.count).rev().find_map(|k| {
        let end = g.ends[k - 1];
        let bounded = if k < g.count || cut {
            // More digits follow: only a space may part them from the number.
            at(b, end) == Some(b' ')
        } else {
            ends_at(b, end)
        };
        (bounded && is_phone(&g.prefix(k), intl)).then_some(end)
    })
}

/// Not followed by a word, by `:30` / `/2024` (times, dates, ratios) or by
/// `-AB` / `.x` (a longer code such as a MAC address).
fn ends_at(b: &[u8], end: usize) -> bool {
    match at(b, end) {
        Some(c) if is_alnum(c) || c == b'_' => false,
        Some(b':' | b'/') => !digit_at(at(b, end + 1)),
        Some(b'-' | b'.') => !matches!(at(b, end + 1), Some(c) if is_alnum(c)),
        _ => true,
    }
}

fn is_phone(g: &Groups, intl: bool) -> bool {
    // Every shape below has at least this many digits.
    if g.total < MIN_INTL_DIGITS {
        return false;
    }
    let d = &g.digits[..g.total];
    let solid = g.count == 1;
    if intl {
        let min = if solid { MIN_SOLID_INTL_DIGITS } else { MIN_INTL_DIGITS };
        return g.total >= min && d[0] != b'0' && fits_country_code(d);
    }
    if looks_like_an_id(g) {
        return false;
    }
    if d[0] == b'0' {
        return if d[1] == b'0' {
            // `00` + country code, written in groups (solid, it is an id).
            g.count >= 2
                && g.lens[0] <= MAX_DOUBLE_ZERO_FIRST_GROUP
                && g.total >= MIN_DOUBLE_ZERO_DIGITS
                && d[2] != b'0'
                && fits_country_code(&d[2..])
        } else {
            is_trunk_national(g)
        };
    }
    is_nanp(g) || is_dashed_with_country_code(g) || is_cn_mobile(g)
}

/// Country codes 1 (North America) and 7 (Russia, Kazakhstan) are followed
/// by exactly ten digits.
fn fits_country_code(d: &[u8]) -> bool {
    !matches!(d[0], b'1' | b'7') || d.len() == 11
}

/// Written the way IBANs, cards, accounts and national ids are, not phones:
/// three groups of four digits in a row (`0044 0532 0130 00`), a group of
/// four then a short last group (`0417 1643 00`), or the US SSN (`3-2-4`)
/// and Canadian SIN (`3-3-3`) layouts.
fn looks_like_an_id(g: &Groups) -> bool {
    let lens = g.lens();
    let fours = lens.windows(3).any(|w| w == [4, 4, 4]);
    let short_tail = lens.windows(2).last().is_some_and(|w| w[0] == 4 && w[1] < 3);
    fours || short_tail || lens == [3, 2, 4] || lens == [3, 3, 3]
}

fn is_nanp(g: &Groups) -> bool {
    let (lens, d, parens) = if g.total == 11 && g.count == 4 && g.lens[0] == 1 && g.digits[0] == b'1' {
        (&g.lens[1..4], &g.digits[1..11], &g.parens[1..4])
    } else {
        (g.lens(), &g.digits[..g.total], &g.parens[..g.count])
    };
    lens == [3, 3, 4]
        && (b'2'..=b'9').contains(&d[0])
        && (b'2'..=b'9').contains(&d[3])
        && !parens[1]
        && !parens[2]
        && (g.seps & SEP_DOT == 0 || (g.seps == SEP_DOT && !parens[0]))
}

fn is_trunk_national(g: &Groups) -> bool {
    let lens = g.lens();
    if g.count == 1 {
        return g.total == SOLID_TRUNK_DIGITS;
    }
    // The trunk `0` may stand alone (`0 532 123 45 67`, `0 (917) 123 4567`);
    // the area code, in parentheses or not, comes next.
    let area = usize::from(lens[0] == 1);
    (MIN_TRUNK_DIGITS..=MAX_TRUNK_DIGITS).contains(&g.total)
        && g.seps.count_ones() <= 1
        && lens[area] <= MAX_AREA_CODE_DIGITS
        && lens[1..].iter().all(|&n| n >= 2)
        && (lens[0] >= 2 || g.count >= 3)
        && g.parens[..g.count].iter().enumerate().all(|(i, &p)| !p || i == area)
}

fn is_dashed_with_country_code(g: &Groups) -> bool {
    let lens = g.lens();
    g.seps == SEP_DASH
        && g.count >= 4
        && !g.parens[..g.count].iter().any(|&p| p)
        && (MIN_DASHED_DIGITS..=MAX_DASHED_DIGITS).contains(&g.total)
        && (1..=3).contains(&lens[0])
        && lens[g.count - 1] == 4
        && (3..=4).contains(&lens[g.count - 2])
}

fn is_cn_mobile(g: &Groups) -> bool {
    g.count == 1 && !g.parens[0] && g.total == 11 && g.digits[0] == b'1' && (b'3'..=b'9').contains(&g.digits[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan(text, &super::super::scan::number_anchors(text.as_bytes()), &mut out);
        out.iter().map(|m| &text[m.start..m.end]).collect()
    }

    #[test]
    fn phones() {
        for ok in [
            "(415) 555-0132", "(415)555-0132", "415-555-0132", "415.555.0132", "1-415-555-0132",
            "+1 415 555 0132", "+44 (20) 7123 4567", "+44 (0)20 7123 4567", "+91 4155550132",
            "+55 11 98456 5666", "+33 1 42 68 53 00", "+30 21 0 1234567", "+4930123456",
            "09-7625400", "090-1234-5678", "020 7123 4567", "(030) 1234567", "01.42.68.53.00",
            "0044 20 7123 4567", "91-415-555-0132", "13812345678", "0532 123 45 67",
            "0 532 123 45 67", "0 (917) 123 4567", "05321234567", "0216 123 45 67", "+63-917-123-4567",
        ] {
            assert_eq!(found(ok), [ok], "{ok}");
        }
        assert_eq!(found("call (415) 555-0132, or +39 06 678 4343."), ["(415) 555-0132", "+39 06 678 4343"]);
        assert_eq!(found("電話090-1234-5678です"), ["090-1234-5678"]);
        assert_eq!(found("415-555-0132 415-555-0199"), ["415-555-0132", "415-555-0199"]);
        assert_eq!(found("call 415 555 0132 2 times"), ["415 555 0132"]);
    }

    #[test]
    fn not_phones() {
        for no in [
            "1700000000", "1700000000000", "4155550132", "2024-01-15", "15.01.2024", "01.02.2024 12",
            "2024-01-15 10:30", "12:34:56", "10.0.19045.3693", "1.2.3", "3.14159265358", "555-0132",
            "is415-555-0132", "ID-415-555-0132", "94105-1234", "+12345678", "978-3-16-148410-0",
            "192.168.100.200", "415-555-0132/2", "100 200 3000", "0.123456789", "12 34 56 78 90",
            "2024-01-15-0001", "0", "+0", "(0)", "0044 0532 0130 00", "0417 1643 00",
            "001 0051 8630 0016", "0012 3456 753", "078 00 1123", "+1 415 555 01320",
            "01-23-45-67-89-AB", "0013321234567", "001332-1234567", "401-023-2138", "046 454 286",
            "415-555-0132-99", "0417 1643 00 12", "0780511201",
        ] {
            assert!(found(no).is_empty(), "{no}: {:?}", found(no));
        }
    }
}
