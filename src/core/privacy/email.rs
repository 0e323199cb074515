//! E-mail addresses, anchored on `@`.
//!
//! Local part: ASCII letters and digits, `. _ % + -`, and non-ASCII letters,
//! digits and marks (`josé@…`: every non-ASCII character but the spaces,
//! punctuation, symbols and emoji around an address). Domain: at least two
//! dot-separated labels of ASCII letters, digits and `-`; the last label is two
//! or more letters or a punycode label (`xn--p1ai`). `user@2001:db8::1` and `info@presidio.` are not addresses.

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
        !c.is_whitespace() && !beside_an_address(c)
    }
}

/// Non-ASCII characters that end a local part read backwards from `@`: the
/// spaces, punctuation, symbols and emoji that surround an address in text.
/// Every other character is taken as a letter, digit or mark of some script.
/// (`char::is_alphanumeric` would say so exactly, with Unicode's tables: ~2 KB
/// of gzip in the module. These blocks hold few letters; a test counts them.
/// A character taken wrongly only widens the mask.)
fn beside_an_address(c: char) -> bool {
    matches!(c as u32,
        // Latin-1 punctuation and symbols (not ª µ º), × and ÷
        0x80..=0xA9 | 0xAB..=0xB4 | 0xB6..=0xB9 | 0xBB..=0xBF | 0xD7 | 0xF7
        // Greek, Armenian, Hebrew, Arabic and Devanagari punctuation
        | 0x37E | 0x387 | 0x55A..=0x55F | 0x589 | 0x5BE | 0x5C0 | 0x5C3 | 0x5F3 | 0x5F4
        | 0x60C | 0x61B | 0x61F | 0x66A..=0x66D | 0x6D4 | 0x964 | 0x965
        // general punctuation to miscellaneous symbols and arrows; supplemental punctuation
        | 0x2000..=0x2BFF | 0x2E00..=0x2E7F
        // CJK symbols and punctuation (not 々 〆 〇 and the other letters and numerals among them)
        | 0x3000..=0x3004 | 0x3008..=0x3020 | 0x3030 | 0x3036 | 0x3037 | 0x303D..=0x303F
        // private use; variation selectors (after emoji); vertical, compatibility and small forms
        | 0xE000..=0xF8FF | 0xFE00..=0xFE1F | 0xFE30..=0xFE6F
        // fullwidth punctuation; specials (U+FFFD)
        | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 | 0xFFF0..=0xFFFF
        // emoji and pictographs
        | 0x1F000..=0x1FAFF)
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
    fn local_parts_in_other_scripts_stop_at_the_text_around_them() {
        for (text, address) in [
            ("«josé@example.com»", "josé@example.com"),
            ("“Ελένη@example.gr”", "Ελένη@example.gr"),
            ("(иван@example.ru)", "иван@example.ru"),
            ("「田中@example.jp」", "田中@example.jp"),
            ("、김민수@example.kr。", "김민수@example.kr"),
            ("→ müller@example.de", "müller@example.de"),
            ("✉️dvořák@example.cz", "dvořák@example.cz"),
            ("…ñandú@example.ar", "ñandú@example.ar"),
            ("٫محمد@example.eg", "محمد@example.eg"),
            ("—🙂अमित@example.in", "अमित@example.in"),
            ("『佐々木@example.jp』", "佐々木@example.jp"),
        ] {
            assert_eq!(found(text), [address], "{text}");
        }
    }

    /// The blocks taken as the text around an address hold few of Unicode's
    /// letters and digits (superscripts, fractions, letterlike symbols, roman
    /// numerals, circled and squared letters), none of the blocks of a script.
    #[test]
    fn the_blocks_around_an_address_hold_few_letters() {
        let letters: Vec<char> = (0x80..=0x10FFFF).filter_map(char::from_u32).filter(|&c| beside_an_address(c) && c.is_alphanumeric()).collect();
        assert!(letters.len() < 420, "{} letters and digits: {:?}", letters.len(), letters);
        for c in letters {
            let u = c as u32;
            assert!((0x80..=0xBF).contains(&u) || (0x2000..=0x2BFF).contains(&u) || (0x2E00..=0x303F).contains(&u) || (0xFE00..=0xFFFF).contains(&u) || u >= 0x1F000, "{c} U+{u:04X}");
        }
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
