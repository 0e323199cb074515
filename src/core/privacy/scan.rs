//! Byte helpers shared by the detectors.
//!
//! Detectors look at bytes. Every match starts and ends at an end of the
//! text or next to an ASCII byte (a delimiter or a byte of the match), so its
//! offsets are `char` boundaries: the bytes of a multi-byte UTF-8 character
//! are all `>= 0x80`. (E-mail local parts, which may hold non-ASCII letters,
//! are walked by `char`.)

/// The byte before `i`, if any.
#[inline]
pub(crate) fn before(b: &[u8], i: usize) -> Option<u8> {
    if i == 0 {
        None
    } else {
        b.get(i - 1).copied()
    }
}

/// The byte at `i`, if any.
#[inline]
pub(crate) fn at(b: &[u8], i: usize) -> Option<u8> {
    b.get(i).copied()
}

/// ASCII letter or digit. Non-ASCII bytes are not: text in other scripts
/// (`電話090-1234-5678`) is a boundary, like a space.
#[inline]
pub(crate) fn is_alnum(c: u8) -> bool {
    BYTE_FLAGS[usize::from(c)] & (HAS_DIGIT | HAS_LETTER) != 0
}

/// `Some(c)` where `c` is an ASCII letter or digit.
#[inline]
pub(crate) fn alnum_at(c: Option<u8>) -> bool {
    matches!(c, Some(c) if is_alnum(c))
}

/// `Some(c)` where `c` is an ASCII digit.
#[inline]
pub(crate) fn digit_at(c: Option<u8>) -> bool {
    matches!(c, Some(c) if c.is_ascii_digit())
}

/// Number of ASCII digits from `i`, counting at most `limit + 1` so a caller
/// can tell "more than `limit`" without walking a long run.
#[inline]
pub(crate) fn digits_from(b: &[u8], i: usize, limit: usize) -> usize {
    let mut n = 0;
    while n <= limit && digit_at(at(b, i + n)) {
        n += 1;
    }
    n
}

/// A number boundary before `i`: no letter, digit or `_` before it, and not
/// the fractional part of a decimal (`3.1415…`).
#[inline]
pub(crate) fn number_starts_at(b: &[u8], i: usize) -> bool {
    match before(b, i) {
        None => true,
        Some(c) if is_alnum(c) || c == b'_' => false,
        Some(b'.') => !i.checked_sub(2).is_some_and(|j| b[j].is_ascii_digit()),
        Some(_) => true,
    }
}

/// A number boundary at `i` (one past the last byte): no letter, digit or `_`
/// follows, and no `.digit` (the number would go on as a decimal).
#[inline]
pub(crate) fn number_ends_at(b: &[u8], i: usize) -> bool {
    match at(b, i) {
        None => true,
        Some(c) if is_alnum(c) || c == b'_' => false,
        Some(b'.') => !digit_at(at(b, i + 1)),
        Some(_) => true,
    }
}

/// Where a number-like match (card, SSN, IBAN, IP address, phone) can
/// start, in order: the union of the detectors' first-byte rules, found in
/// one pass so that each detector only visits these positions.
///
/// * a digit not preceded by a letter or digit;
/// * `+` or `(` before a digit;
/// * `::`;
/// * two upper-case letters and two digits, not preceded by a letter or digit (IBAN);
/// * one to four hex letters/digits then `:`, not preceded by a letter or digit (IPv6).
///
/// Every detector rejects a start right after a letter or digit, so skipping
/// the inside of words loses nothing.
pub(crate) fn number_anchors(b: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if is_alnum(c) {
            if c.is_ascii_digit() || iban_head(b, i) || hex_then_colon(b, i) {
                out.push(i);
            }
            i += 1 + b[i + 1..].iter().take_while(|&&c| is_alnum(c)).count();
            continue;
        }
        let next = at(b, i + 1);
        if (matches!(c, b'+' | b'(') && digit_at(next)) || (c == b':' && next == Some(b':')) {
            out.push(i);
        }
        i += 1;
    }
    out
}

fn iban_head(b: &[u8], i: usize) -> bool {
    b.len() >= i + 4
        && b[i].is_ascii_uppercase()
        && b[i + 1].is_ascii_uppercase()
        && b[i + 2].is_ascii_digit()
        && b[i + 3].is_ascii_digit()
}

fn hex_then_colon(b: &[u8], i: usize) -> bool {
    let mut n = 0;
    while n < 4 && at(b, i + n).is_some_and(|c| c.is_ascii_hexdigit()) {
        n += 1;
    }
    n > 0 && at(b, i + n) == Some(b':')
}

/// Calls `try_at` at each anchor, in order, skipping anchors inside the
/// match `try_at` last returned the end of.
pub(crate) fn each_anchor(anchors: &[usize], mut try_at: impl FnMut(usize) -> Option<usize>) {
    let mut resume = 0;
    for &i in anchors {
        if i >= resume {
            if let Some(end) = try_at(i) {
                resume = end;
            }
        }
    }
}

/// Flags for [`bytes_present`].
pub(crate) const HAS_DIGIT: u8 = 1;
pub(crate) const HAS_LETTER: u8 = 2;
pub(crate) const HAS_AT: u8 = 4;
pub(crate) const HAS_COLON: u8 = 8;
pub(crate) const HAS_EQUALS: u8 = 16;
const HAS_ALL: u8 = 31;

/// Flag of each byte value.
const BYTE_FLAGS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_digit() {
            HAS_DIGIT
        } else if b.is_ascii_alphabetic() {
            HAS_LETTER
        } else if b == b'@' {
            HAS_AT
        } else if b == b':' {
            HAS_COLON
        } else if b == b'=' {
            HAS_EQUALS
        } else {
            0
        };
        c += 1;
    }
    t
};

/// Which of the `HAS_*` bytes occur in `b`: one cheap pass that lets the
/// masker skip detectors that cannot match (no digit: no number detector).
pub(crate) fn bytes_present(b: &[u8]) -> u8 {
    /// Bytes between checks for "everything seen".
    const CHUNK: usize = 64;
    let mut seen = 0;
    for chunk in b.chunks(CHUNK) {
        for &c in chunk {
            seen |= BYTE_FLAGS[usize::from(c)];
        }
        if seen == HAS_ALL {
            break;
        }
    }
    seen
}
