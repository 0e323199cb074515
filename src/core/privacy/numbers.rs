//! Checksummed and fixed-shape numbers: payment cards, US SSNs, IBANs.

use super::kind::{Match, PiiKind};
use super::scan::{
    alnum_at, at, before, digit_at, digits_from, each_anchor, is_alnum, number_ends_at, number_starts_at,
};

// ---------------------------------------------------------------- cards

/// Fewest digits in a card number.
pub const MIN_CARD_DIGITS: usize = 13;
/// Most digits in a card number.
pub const MAX_CARD_DIGITS: usize = 19;
/// Most digit groups in a spaced or dashed card number (`4-4-4-4-3`).
const MAX_CARD_GROUPS: usize = 5;

/// Appends every Luhn-valid card number in `text` to `out`.
///
/// Digits may be grouped by single spaces or dashes (one kind per number):
/// one group, or a first group of 4 and then groups of 3–6 (`4-4-4-4`,
/// `4-6-5`). The length must fit the issuer (see [`plausible_issuer`]):
/// that keeps millisecond and microsecond timestamps (`1748503543012`) and
/// most random digit runs out.
pub(crate) fn scan_cards(text: &str, anchors: &[usize], out: &mut Vec<Match>) {
    let b = text.as_bytes();
    each_anchor(anchors, |i| {
        if !b[i].is_ascii_digit() || !number_starts_at(b, i) || after_iban_prefix(b, i) {
            return None;
        }
        let end = card_at(b, i)?;
        out.push(Match::new(PiiKind::CreditCard, i, end));
        Some(end)
    });
}

fn card_at(b: &[u8], start: usize) -> Option<usize> {
    // Group ends (byte offsets) and digit counts.
    let mut ends = [0usize; MAX_CARD_GROUPS];
    let mut lens = [0usize; MAX_CARD_GROUPS];
    let mut groups = 0;
    let mut total = 0;
    let mut sep = None;
    let mut pos = start;
    loop {
        let n = digits_from(b, pos, MAX_CARD_DIGITS);
        total += n;
        if total > MAX_CARD_DIGITS {
            break;
        }
        pos += n;
        ends[groups] = pos;
        lens[groups] = n;
        groups += 1;
        if groups == MAX_CARD_GROUPS {
            break;
        }
        match at(b, pos) {
            Some(c @ (b' ' | b'-')) if sep.is_none_or(|s| s == c) && digit_at(at(b, pos + 1)) => {
                sep = Some(c);
                pos += 1;
            }
            _ => break,
        }
    }
    // Longest acceptable prefix of whole groups.
    (1..=groups).rev().find_map(|k| {
        let end = ends[k - 1];
        let digits: usize = lens[..k].iter().sum();
        let shaped = k == 1 || (lens[0] == 4 && lens[1..k].iter().all(|&n| (3..=6).contains(&n)));
        (shaped
            && (MIN_CARD_DIGITS..=MAX_CARD_DIGITS).contains(&digits)
            && number_ends_at(b, end)
            && plausible_issuer(&first_digits(&b[start..end]), digits, k > 1)
            && luhn(&b[start..end]))
        .then_some(end)
    })
}

/// `RS35 2600…`: the digits continue an IBAN-style country code and check
/// digits (an IBAN that failed its mod-97 check), they are not a card.
fn after_iban_prefix(b: &[u8], i: usize) -> bool {
    i >= 5
        && matches!(b[i - 1], b' ' | b'-')
        && b[i - 5..i - 3].iter().all(u8::is_ascii_uppercase)
        && b[i - 3..i - 1].iter().all(u8::is_ascii_digit)
        && !alnum_at(before(b, i - 5))
}

/// Lengths per major industry digit and issuer range: 1 UATP (15), 2
/// Mastercard 2221–2720 (16), 3 Amex / Diners / JCB (14–19), 4 Visa (16, 19;
/// the old 13-digit Visa only when grouped, as solid 13-digit runs are EAN-13
/// barcodes and millisecond timestamps), 5 Mastercard / Maestro and 6
/// Discover / UnionPay / Maestro (16–19).
fn plausible_issuer(digits: &[u8], len: usize, grouped: bool) -> bool {
    match digits[0] {
        b'1' => len == 15,
        b'2' => {
            let iin = digits[..4].iter().fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
            len == 16 && (2221..=2720).contains(&iin)
        }
        b'3' => len >= 14,
        b'4' => matches!(len, 16 | 19) || (len == 13 && grouped),
        b'5' | b'6' => len >= 16,
        _ => false,
    }
}

/// The first four digits of a grouped number (it has at least 13).
fn first_digits(s: &[u8]) -> [u8; 4] {
    let mut out = [b'0'; 4];
    for (o, &c) in out.iter_mut().zip(s.iter().filter(|c| c.is_ascii_digit())) {
        *o = c;
    }
    out
}

/// Luhn checksum over the digits of `s` (other bytes skipped).
pub fn luhn(s: &[u8]) -> bool {
    let mut sum = 0u32;
    let mut double = false;
    for &c in s.iter().rev() {
        if !c.is_ascii_digit() {
            continue;
        }
        let mut d = u32::from(c - b'0');
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
    }
    sum.is_multiple_of(10)
}

// ---------------------------------------------------------------- US SSN

/// Bytes in `AAA-GG-SSSS`.
const SSN_LEN: usize = 11;

/// Numbers that are valid in shape but published as examples or never issued.
const SSN_DENYLIST: &[&[u8; 9]] = &[b"078051120", b"123456789", b"219099999", b"457555462"];

/// Appends every US SSN written `AAA-GG-SSSS`, `AAA.GG.SSSS` or `AAA GG SSSS`
/// (one separator kind) to `out`.
///
/// Bare nine-digit numbers and half-separated forms are not taken: Presidio
/// itself scores them 0.05–0.3, and a telemetry agent sees many nine-digit ids.
/// Area 000, 666 and 900–999, group 00 and serial 0000 are never issued.
pub(crate) fn scan_ssn(text: &str, anchors: &[usize], out: &mut Vec<Match>) {
    let b = text.as_bytes();
    each_anchor(anchors, |i| {
        if !b[i].is_ascii_digit() || i + SSN_LEN > b.len() || !number_starts_at(b, i) || continues_before(b, i) {
            return None;
        }
        let end = ssn_at(b, i)?;
        out.push(Match::new(PiiKind::UsSsn, i, end));
        Some(end)
    });
}

/// `…1-` before `i`: the number is the tail of a longer dashed sequence.
fn continues_before(b: &[u8], i: usize) -> bool {
    matches!(before(b, i), Some(b'-' | b'.')) && i >= 2 && b[i - 2].is_ascii_digit()
}

fn ssn_at(b: &[u8], s: usize) -> Option<usize> {
    let sep = b[s + 3];
    if !matches!(sep, b'-' | b'.' | b' ') || b[s + 6] != sep {
        return None;
    }
    let shape_ok = digits_from(b, s, 3) == 3
        && digits_from(b, s + 4, 2) == 2
        && digits_from(b, s + 7, 4) == 4;
    let end = s + SSN_LEN;
    if !shape_ok || !number_ends_at(b, end) || (at(b, end) == Some(sep) && digit_at(at(b, end + 1))) {
        return None;
    }
    let mut d = [0u8; 9];
    d[..3].copy_from_slice(&b[s..s + 3]);
    d[3..5].copy_from_slice(&b[s + 4..s + 6]);
    d[5..].copy_from_slice(&b[s + 7..s + 11]);
    let area = &d[..3];
    let issued = area != b"000"
        && area != b"666"
        && area[0] != b'9'
        && &d[3..5] != b"00"
        && &d[5..] != b"0000"
        && !d.iter().all(|&c| c == d[0])
        && !SSN_DENYLIST.iter().any(|x| **x == d);
    issued.then_some(end)
}

// ---------------------------------------------------------------- IBAN

/// IBAN length per country (SWIFT IBAN registry), as `CCnn` entries.
const IBAN_LENGTHS: &[u8] = b"AD24AE23AL28AT20AZ28BA20BE16BG22BH22BI27BR29BY28CH21CR22CY28CZ24\
DE22DJ27DK18DO28EE20EG29ES24FI18FK18FO18FR27GB22GE22GI23GL18GR27GT28HN28HR21HU28IE22IL23IQ23\
IS26IT27JO30KW30KZ20LB28LC32LI21LT20LU20LV21LY25MC27MD24ME22MK19MN20MR27MT31MU30NI28NL18NO15\
OM23PK24PL28PS29PT25QA29RO24RS22RU33SA24SC31SD18SE24SI19SK24SM27SO23ST25SV28TL23TN24TR26UA29\
VA22VG24XK20YE30";

fn iban_length(cc: &[u8]) -> Option<usize> {
    IBAN_LENGTHS
        .chunks_exact(4)
        .find(|e| &e[..2] == cc)
        .map(|e| usize::from(e[2] - b'0') * 10 + usize::from(e[3] - b'0'))
}

/// Appends every IBAN in `text` to `out`.
///
/// Upper-case only, written solid or in groups of four separated by single
/// spaces or dashes (`DE89 3704 0044 0532 0130 00`); length per country;
/// ISO 7064 mod-97 check.
pub(crate) fn scan_iban(text: &str, anchors: &[usize], out: &mut Vec<Match>) {
    let b = text.as_bytes();
    each_anchor(anchors, |i| {
        if !b[i].is_ascii_uppercase() || i + 4 > b.len() || alnum_at(before(b, i)) {
            return None;
        }
        let end = iban_at(b, i)?;
        out.push(Match::new(PiiKind::Iban, i, end));
        Some(end)
    });
}

fn iban_at(b: &[u8], s: usize) -> Option<usize> {
    if !b[s + 1].is_ascii_uppercase() || !b[s + 2].is_ascii_digit() || !b[s + 3].is_ascii_digit() {
        return None;
    }
    let len = iban_length(&b[s..s + 2])?;
    let mut pos = s + 4;
    let mut count = 4;
    let mut sep = None;
    // Remainder of the rearranged number (BBAN, then country and check digits).
    let mut rem = 0u32;
    while count < len {
        if count % 4 == 0 {
            let next = at(b, pos);
            match (sep, next) {
                (None, Some(c @ (b' ' | b'-'))) if count == 4 => {
                    sep = Some(c);
                    pos += 1;
                }
                (Some(c), Some(n)) if c == n => pos += 1,
                (Some(_), _) => return None,
                _ => {}
            }
        }
        let c = at(b, pos)?;
        rem = mod97_push(rem, c)?;
        pos += 1;
        count += 1;
    }
    if alnum_at(at(b, pos)) {
        return None;
    }
    for &c in &b[s..s + 4] {
        rem = mod97_push(rem, c)?;
    }
    (rem == 1).then_some(pos)
}

/// Appends one IBAN character (`0-9`, `A-Z` as 10–35) to a mod-97 remainder.
fn mod97_push(rem: u32, c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some((rem * 10 + u32::from(c - b'0')) % 97),
        b'A'..=b'Z' => Some((rem * 100 + u32::from(c - b'A') + 10) % 97),
        _ => None,
    }
}

/// Whether `s` (spaces and dashes ignored) is a valid IBAN.
pub fn is_valid_iban(s: &str) -> bool {
    let compact: Vec<u8> = s.bytes().filter(|c| !matches!(c, b' ' | b'-')).collect();
    compact.len() >= 4 && compact.iter().all(|&c| is_alnum(c)) && iban_at(&compact, 0) == Some(compact.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(f: fn(&str, &[usize], &mut Vec<Match>), text: &str) -> Vec<String> {
        let mut out = Vec::new();
        f(text, &super::super::scan::number_anchors(text.as_bytes()), &mut out);
        out.iter().map(|m| text[m.start..m.end].to_string()).collect()
    }

    #[test]
    fn cards() {
        let t = "4012888888881881 4012-8888-8888-1881 4012 8888 8888 1881";
        assert_eq!(found(scan_cards, t), ["4012888888881881", "4012-8888-8888-1881", "4012 8888 8888 1881"]);
        assert_eq!(found(scan_cards, "amex 3714 496353 98431."), ["3714 496353 98431"]);
        assert_eq!(found(scan_cards, "uatp 122000000000003"), ["122000000000003"]);
        assert_eq!(found(scan_cards, "visa13 4222 222 222 222"), ["4222 222 222 222"]);
        assert_eq!(found(scan_cards, "paid with 4111 1111 1111 1111 2 times"), ["4111 1111 1111 1111"]);
        for no in [
            "4012-8888-8888-1882",       // Luhn
            "1748503543012",             // ms timestamp, Luhn-valid
            "36168002586008",            // Luhn
            "4111 1111-1111 1111",       // mixed separators
            "0.4111111111111111",        // a decimal
            "id4111111111111111",        // part of a word
            "41111111111111111111111",   // too long
            "4111  1111  1111  1111",    // double spaces
            "1234567890123452",          // starts with 1, 16 digits
            "4222222222222",             // solid 13 digits: EAN-13 more likely
            "2721 0560 1001 6109",       // 2 outside Mastercard's 2221-2720
            "RS35 2600 0560 1001 6113 70", // an IBAN with a wrong check
            "2501 2000 0058 985",        // Mastercard with 15 digits
        ] {
            assert!(found(scan_cards, no).is_empty(), "{no}");
        }
    }

    #[test]
    fn ssns() {
        assert_eq!(found(scan_ssn, "abc 078 05 1123 abc"), ["078 05 1123"]);
        assert_eq!(found(scan_ssn, "078-05-1123, 078.05.1123"), ["078-05-1123", "078.05.1123"]);
        for no in [
            "078051121", "078-05-0000", "078 00 1123", "693-09.4444", "666-12-3456", "900-12-3456",
            "078-05-1120", "111-11-1111", "1-078-05-1123", "078-05-1123-4", "078-05-11234",
        ] {
            assert!(found(scan_ssn, no).is_empty(), "{no}");
        }
    }

    #[test]
    fn ibans() {
        assert_eq!(found(scan_iban, "iban DE89 3704 0044 0532 0130 00 X"), ["DE89 3704 0044 0532 0130 00"]);
        assert_eq!(found(scan_iban, "GB29NWBK60161331926819,"), ["GB29NWBK60161331926819"]);
        assert_eq!(found(scan_iban, "AL47-2121-1009-0000-0002-3569-8741"), ["AL47-2121-1009-0000-0002-3569-8741"]);
        for no in [
            "DE89 3704 0044 0532 0130 01",     // check digits
            "GI75 aWBK 0000 0000 7099 453",    // lower case
            "AL47/2121/1009/0000/0002/3569/8741",
            "DE89370400440532013000X",         // runs on
            "EE38 2200 2210  014 5686",
            "AM47212110090000000235698740",    // not an IBAN country
        ] {
            assert!(found(scan_iban, no).is_empty(), "{no}");
        }
        assert!(is_valid_iban("NL91 ABNA 0417 1643 00"));
        assert!(!is_valid_iban("NL91 ABNA 0417 1643 01"));
    }
}
