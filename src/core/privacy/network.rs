//! IPv4 and IPv6 addresses, with an optional zone (`%eth0`) and prefix
//! length (`/24`).
//!
//! IPv6 follows RFC 4291 text forms: eight groups, or fewer with one `::`,
//! optionally ending in a dotted IPv4 address. An address must contain a
//! digit, so `::` alone (the unspecified address, which identifies nobody)
//! and words such as `dead::beef` or `Cafe::Add` are not masked.

use super::kind::{Match, PiiKind};
use super::scan::{alnum_at, at, before, digit_at, digits_from, each_anchor, is_alnum};

/// Most hex digits in an IPv6 group.
const MAX_GROUP_DIGITS: usize = 4;
/// Groups in a full IPv6 address (an embedded IPv4 counts as two).
const IPV6_GROUPS: usize = 8;
/// Longest zone id after `%`.
const MAX_ZONE_LEN: usize = 16;
/// Most significant prefix length after `/`.
const MAX_V4_PREFIX: u32 = 32;
const MAX_V6_PREFIX: u32 = 128;

/// Appends every IP address in `text` to `out`, in order.
pub(crate) fn scan(text: &str, anchors: &[usize], out: &mut Vec<Match>) {
    let b = text.as_bytes();
    each_anchor(anchors, |i| {
        if !(b[i].is_ascii_hexdigit() || b[i] == b':') {
            return None;
        }
        let end = ipv6_at(b, i).or_else(|| {
            let v4 = b[i].is_ascii_digit() && ipv4_starts_at(b, i);
            v4.then(|| ipv4_at(b, i)).flatten().map(|end| with_prefix(b, end, MAX_V4_PREFIX))
        })?;
        out.push(Match::new(PiiKind::IpAddress, i, end));
        Some(end)
    });
}

/// No letter, digit or `.` before `i`, and not a product version such as
/// `Chrome/120.0.0.0` in a user agent (`Word/` before the number).
fn ipv4_starts_at(b: &[u8], i: usize) -> bool {
    match before(b, i) {
        None => true,
        Some(c) if is_alnum(c) || c == b'.' || c == b'_' => false,
        Some(b'/') => !product_token_before(b, i - 1),
        Some(_) => true,
    }
}

/// A capitalised word (`Chrome`, `Version`, `OPR`) ends at `slash`.
fn product_token_before(b: &[u8], slash: usize) -> bool {
    let mut s = slash;
    while s > 0 && b[s - 1].is_ascii_alphabetic() {
        s -= 1;
    }
    s < slash && b[s].is_ascii_uppercase() && !alnum_at(before(b, s)) && before(b, s) != Some(b'/')
}

/// End of a dotted-quad IPv4 address at `s` (no prefix), or `None`.
///
/// Followed by `.digit` it still matches (`192.168.1.1.1` → `192.168.1.1`),
/// as in Presidio's tests; followed by a letter or digit it does not.
fn ipv4_at(b: &[u8], s: usize) -> Option<usize> {
    let mut pos = s;
    for part in 0..4 {
        if part > 0 {
            if at(b, pos) != Some(b'.') {
                return None;
            }
            pos += 1;
        }
        let n = digits_from(b, pos, 3);
        if n == 0 || n > 3 {
            return None;
        }
        let v = b[pos..pos + n].iter().fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
        if v > 255 {
            return None;
        }
        pos += n;
    }
    if alnum_at(at(b, pos)) || at(b, pos) == Some(b'_') {
        return None;
    }
    Some(pos)
}

/// `end` extended over `/n` when `n` is a prefix length no larger than `max`.
fn with_prefix(b: &[u8], end: usize, max: u32) -> usize {
    if at(b, end) != Some(b'/') {
        return end;
    }
    let n = digits_from(b, end + 1, 3);
    if n == 0 || n > 3 || alnum_at(at(b, end + 1 + n)) {
        return end;
    }
    let v = b[end + 1..end + 1 + n].iter().fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
    if v > max {
        end
    } else {
        end + 1 + n
    }
}

/// End of an IPv6 address starting at `s` (with zone and prefix), or `None`.
fn ipv6_at(b: &[u8], s: usize) -> Option<usize> {
    if matches!(before(b, s), Some(c) if is_alnum(c) || matches!(c, b':' | b'.' | b'_')) {
        return None;
    }
    let mut pos = s;
    let mut groups = 0;
    let mut compressed = false;
    if b[s] == b':' {
        if at(b, s + 1) != Some(b':') {
            return None;
        }
        compressed = true;
        pos += 2;
    }
    loop {
        let mut n = 0;
        while n <= MAX_GROUP_DIGITS && at(b, pos + n).is_some_and(|c| c.is_ascii_hexdigit()) {
            n += 1;
        }
        if n == 0 {
            break;
        }
        if n > MAX_GROUP_DIGITS {
            return None;
        }
        if at(b, pos + n) == Some(b'.') && groups + 2 <= IPV6_GROUPS {
            if let Some(end) = ipv4_at(b, pos) {
                groups += 2;
                pos = end;
                break;
            }
        }
        groups += 1;
        pos += n;
        if at(b, pos) != Some(b':') {
            break;
        }
        if at(b, pos + 1) == Some(b':') {
            if compressed {
                return None;
            }
            compressed = true;
            pos += 2;
        } else if at(b, pos + 1).is_some_and(|c| c.is_ascii_hexdigit()) {
            pos += 1;
        } else {
            break;
        }
        if groups >= IPV6_GROUPS {
            return None;
        }
    }
    let complete = if compressed { groups < IPV6_GROUPS } else { groups == IPV6_GROUPS };
    if !complete || !b[s..pos].iter().any(|c| c.is_ascii_digit()) {
        return None;
    }
    // What follows must not continue the token: `fe80::1text`, `2001::db8::1`,
    // `::ffff:256.0.0.1`, `1:2:3:4:5:6:7:8:9`.
    match at(b, pos) {
        Some(c) if is_alnum(c) || c == b'_' || c == b':' => return None,
        Some(b'.') if alnum_at(at(b, pos + 1)) => return None,
        _ => {}
    }
    if at(b, pos) == Some(b'%') {
        let mut z = pos + 1;
        while z < b.len() && z - pos <= MAX_ZONE_LEN && (is_alnum(b[z]) || matches!(b[z], b'_' | b'-')) {
            z += 1;
        }
        if z > pos + 1 {
            pos = z;
        }
    }
    if digit_at(at(b, pos + 1)) {
        pos = with_prefix(b, pos, MAX_V6_PREFIX);
    }
    Some(pos)
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
    fn ipv4() {
        assert_eq!(found("from 192.168.0.1, and 10.0.0.0/8."), ["192.168.0.1", "10.0.0.0/8"]);
        assert_eq!(found("192.168.1.1.1"), ["192.168.1.1"]);
        assert_eq!(found("10.0.0.0/123"), ["10.0.0.0"]);
        assert_eq!(found("http://127.0.0.1:8080/x"), ["127.0.0.1"]);
        assert_eq!(found("/lookup/8.8.8.8"), ["8.8.8.8"]);
        for no in [
            "192.168.1", "256.1.1.1", "IP192.168.1.1text", "1.2.3.4a", "Version 1.2.3",
            "Chrome/120.0.0.0 Safari/537.36", "1.2.3.4567",
        ] {
            assert!(found(no).is_empty(), "{no}");
        }
    }

    #[test]
    fn ipv6() {
        for ok in [
            "2001:db8::1", "::1", "fe80::1%eth0/64", "::ffff:192.0.2.1", "64:ff9b::192.0.2.0/96",
            "684D:1111:222:3333:4444:5555:6:77", "0:0:0:0:0:FFFF:129.144.52.38", "2001:db8::/32",
            "2001:db8::%eth0/128",
        ] {
            assert_eq!(found(ok), [ok]);
        }
        assert_eq!(found("[2001:db8::1]:8080"), ["2001:db8::1"]);
        assert_eq!(found("2001:db8::/9999"), ["2001:db8::"]);
        assert_eq!(found("text::ffff:192.0.2.1"), ["192.0.2.1"]);
        assert_eq!(found("Use 2001:db8::1."), ["2001:db8::1"]);
        for no in [
            "::", "::/0", ":::", "std::cout", "MyClass::toString", "Cafe::Add", "12:34:56",
            "aa:bb:cc:dd:ee:ff", "684D:1111:222:3333:4444:5555:77", "2001::db8::1", "12345:db8::1",
            "fe80::1text", "text2001:db8::1", "::ffff:256.0.0.1", "1:2:3:4:5:6:7:8:9", "gggg:hhhh::1234",
        ] {
            assert!(found(no).is_empty(), "{no}");
        }
    }
}
