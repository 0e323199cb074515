//! E-mail addresses, anchored on `@`.
//!
//! Local part: ASCII letters and digits, `. _ % + -`, and non-ASCII letters
//! (`josé@…`). Domain: at least two dot-separated labels of ASCII letters,
//! digits and `-`; the last label is two or more letters or a punycode label
//! (`xn--p1ai`). `user@2001:db8::1` and `info@presidio.` are not addresses.

use super::kind::{Match, PiiKind};
use super::scan::{at, is_alnum};

/// Longest local part looked at, in characters (RFC 5321 limit).
pub const MAX_LOCAL_CHARS: usize = 64;
/// Longest domain looked at, in bytes (RFC 1035 limit).
pub const MAX_DOMAIN_LEN: usize = 253;
/// Shortest alphabetic top-level label.
const MIN_TLD_LEN: usize = 2;

/// Appends every e-mail address in `text` to `out`, in order.
pub(crate) fn scan(text: &str, out: &mut Vec<Match>) {
    let b = text.as_bytes();
    // No match may start before the end of the previous one.
    let mut floor = 0;
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'@') {
        let at_sign = i + off;
        i = at_sign + 1;
        if at_sign < floor {
            continue;
        }
        let Some(start) = local_start(text, floor, at_sign) else { continue };
        let Some(end) = domain_end(b, at_sign + 1) else { continue };
        out.push(Match::new(PiiKind::Email, start, end));
        floor = end;
        i = end;
    }
}

fn local_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
    } else {
        c.is_alphanumeric()
    }
}

/// Start of the local part ending at `at_sign`, not before `floor`.
fn local_start(text: &str, floor: usize, at_sign: usize) -> Option<usize> {
    let mut start = at_sign;
    for (n, (i, c)) in crate::core::text::part(text, floor, at_sign).char_indices().rev().enumerate() {
        if n == MAX_LOCAL_CHARS || !local_char(c) {
            break;
        }
        start = floor + i;
    }
    // A local part neither starts nor ends with a dot.
    let b = text.as_bytes();
    while start < at_sign && b[start] == b'.' {
        start += 1;
    }
    if start == at_sign || b[at_sign - 1] == b'.' {
        None
    } else {
        Some(start)
    }
}

fn label_byte(c: u8) -> bool {
    is_alnum(c) || c == b'-'
}

/// End of the domain starting at `from`, if it is a plausible mail domain.
fn domain_end(b: &[u8], from: usize) -> Option<usize> {
    let limit = (from + MAX_DOMAIN_LEN).min(b.len());
    let mut labels = 0;
    let mut pos = from;
    let mut last_label = (from, from);
    loop {
        let start = pos;
        while pos < limit && label_byte(b[pos]) {
            pos += 1;
        }
        if pos == start {
            break;
        }
        labels += 1;
        last_label = (start, pos);
        // Continue over a dot only when another label follows.
        if at(b, pos) == Some(b'.') && pos + 1 < limit && label_byte(b[pos + 1]) {
            pos += 1;
        } else {
            break;
        }
    }
    if labels < 2 || !is_tld(&b[last_label.0..last_label.1]) {
        return None;
    }
    Some(last_label.1)
}

fn is_tld(label: &[u8]) -> bool {
    if label.len() > 4 && label[..4].eq_ignore_ascii_case(b"xn--") {
        return label[4..].iter().all(|&c| is_alnum(c));
    }
    label.len() >= MIN_TLD_LEN && label.iter().all(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan(text, &mut out);
        out.iter().map(|m| &text[m.start..m.end]).collect()
    }

    #[test]
    fn addresses() {
        assert_eq!(found("mail info@presidio.site now"), ["info@presidio.site"]);
        assert_eq!(found("a.b+tag@mail.example.co.uk."), ["a.b+tag@mail.example.co.uk"]);
        assert_eq!(found("a@xn--d1acufc.xn--p1ai"), ["a@xn--d1acufc.xn--p1ai"]);
        assert_eq!(found("<josé.pérez@example.es>"), ["josé.pérez@example.es"]);
        assert_eq!(found("x@y.com,z@w.org"), ["x@y.com", "z@w.org"]);
        assert_eq!(found("mailto:ann@example.com?subject=hi"), ["ann@example.com"]);
    }

    #[test]
    fn not_addresses() {
        assert!(found("my email is info@presidio.").is_empty());
        assert!(found("ssh user@2001:db8::1").is_empty());
        assert!(found("user@localhost").is_empty());
        assert!(found("@home.com").is_empty());
        assert!(found("a@b.c1").is_empty());
        assert!(found("... @@ @.@ a@.com").is_empty());
    }
}
