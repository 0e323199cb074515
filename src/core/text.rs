//! Text helpers that keep the standard library's heavier paths out of the
//! module: substring search for the agent's few needs (a URL's `://`,
//! user-agent tokens, stack-frame separators, the site's literal mask
//! patterns); cuts that give "" instead of panicking (a panic's message
//! formatting was ~4 KB); searches, splits and trims at ASCII bytes instead of
//! char patterns; character counts; digits read without `str::parse`. The byte
//! helpers take ASCII bytes only: those never occur inside a multi-byte
//! character, so every offset they find is a character boundary. Each helper's
//! test holds it to the standard library's function it replaces.
//!
//! `str::find` and its kin with a `&str` pattern build a Two-Way searcher,
//! ~4 KB of code in the shipped module. These scan for the needle's first byte
//! and compare from there: at worst length × needle length byte comparisons,
//! for inputs the agent caps (strings at a few kilobytes, patterns at 200
//! bytes). A valid UTF-8 needle can only match at a character boundary, so
//! every offset returned can be sliced at.

/// Byte offset of the first `needle` in `hay` at or after `from`.
fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else { return (from <= hay.len()).then_some(from) };
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut i = from;
    while i <= last_start {
        i += hay[i..=last_start].iter().position(|&b| b == first)?;
        if &hay[i + 1..i + needle.len()] == rest {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// `s[start..end]`, or "" where that is no slice of `s` (the standard
/// library's slicing panics there, with a message whose formatting is ~4 KB of
/// code). Every caller cuts at offsets it found in `s` itself.
#[inline(never)]
pub fn part(s: &str, start: usize, end: usize) -> &str {
    s.get(start..end).unwrap_or("")
}

/// `s[start..]`, or "" (see [`part`]).
pub fn tail(s: &str, start: usize) -> &str {
    part(s, start, s.len())
}

/// `s[..end]`, or "" (see [`part`]).
pub fn head(s: &str, end: usize) -> &str {
    part(s, 0, end)
}

/// The value of `s`, a non-empty run of ASCII digits, if it fits 64 bits
/// (the standard library's integer parsing is ~0.7 KB of code for its types).
pub fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u64, |n, b| if b.is_ascii_digit() { n.checked_mul(10)?.checked_add(u64::from(b - b'0')) } else { None })
}

/// How many characters `s` holds: its bytes that do not continue one (the
/// standard library's count is ~0.8 KB of code for long strings).
pub fn char_count(s: &str) -> usize {
    s.bytes().filter(|&b| b & 0xc0 != 0x80).count()
}

/// Whether `s` holds only whitespace (or nothing): `s.trim().is_empty()`
/// without trimming both ends; it stops at the first other character.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// `s` cut to its first `max` characters.
pub fn take_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => head(s, i),
        None => s,
    }
}

/// The ASCII digits `s` starts with.
pub fn leading_digits(s: &str) -> &str {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    head(s, n)
}

/// Byte offset of the first ASCII byte `b` in `s` (char patterns bring the
/// standard library's char searcher, ~1 KB of code with its split iterators).
pub fn find_byte(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|c| c == b)
}

/// `s` around the first ASCII byte `b`.
pub fn split_once_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = find_byte(s, b)?;
    Some((head(s, i), tail(s, i + 1)))
}

/// `s` without the ASCII bytes `set` at its start.
pub fn trim_start_any<'a>(s: &'a str, set: &[u8]) -> &'a str {
    tail(s, s.bytes().take_while(|c| set.contains(c)).count())
}

/// `s` without the ASCII bytes `set` at its end.
pub fn trim_end_any<'a>(s: &'a str, set: &[u8]) -> &'a str {
    head(s, s.len() - s.bytes().rev().take_while(|c| set.contains(c)).count())
}

/// What comes before the first of the ASCII bytes `set` in `s`, or all of `s`.
pub fn before_any<'a>(s: &'a str, set: &[u8]) -> &'a str {
    s.bytes().position(|c| set.contains(&c)).map_or(s, |i| head(s, i))
}

/// The parts of `s` between any of the ASCII bytes `set`, as `s.split([..])` gives them.
pub fn split_any<'a>(s: &'a str, set: &'a [u8]) -> impl Iterator<Item = &'a str> + 'a {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|c| set.contains(&c)) {
            Some(i) => {
                rest = Some(tail(r, i + 1));
                Some(head(r, i))
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Byte offset of the last ASCII byte `b` in `s` (a char pattern's reverse
/// searcher is ~0.6 KB of code).
pub fn rfind_byte(s: &str, b: u8) -> Option<usize> {
    s.bytes().rposition(|c| c == b)
}

/// What follows the last ASCII byte `b` in `s`, or all of `s`.
pub fn after_last(s: &str, b: u8) -> &str {
    rfind_byte(s, b).map_or(s, |i| tail(s, i + 1))
}

/// Byte offset of the first `needle` in `hay`.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    find_from(hay.as_bytes(), needle.as_bytes(), 0)
}

/// Byte offset of the last `needle` in `hay`.
pub fn rfind(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let mut i = h.len().checked_sub(n.len())?;
    loop {
        if &h[i..i + n.len()] == n {
            return Some(i);
        }
        i = i.checked_sub(1)?;
    }
}

pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `hay` around the first `needle`.
pub fn split_once<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let i = find(hay, needle)?;
    Some((head(hay, i), tail(hay, i + needle.len())))
}

/// Byte offsets of every `needle` in `hay`, left to right, not overlapping;
/// none for an empty needle (so that `replace` never cuts a character).
pub fn match_offsets<'a>(hay: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        if needle.is_empty() {
            return None;
        }
        let i = find_from(hay.as_bytes(), needle.as_bytes(), from)?;
        from = i + needle.len().max(1);
        Some(i)
    })
}

/// `hay` with every `from` replaced by `to`; unchanged for an empty `from`.
pub fn replace(hay: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut last = 0;
    for i in match_offsets(hay, from) {
        out.push_str(part(hay, last, i));
        out.push_str(to);
        last = i + from.len();
    }
    out.push_str(tail(hay, last));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Small alphabets (with multi-byte characters) so that needles occur.
    const HAY: &str = "[ab:/é😀 ]{0,24}";
    const NEEDLE: &str = "[ab:/é😀 ]{1,4}";

    proptest! {
        #[test]
        fn agrees_with_the_standard_library(hay in HAY, needle in NEEDLE) {
            prop_assert_eq!(find(&hay, &needle), hay.find(needle.as_str()));
            prop_assert_eq!(rfind(&hay, &needle), hay.rfind(needle.as_str()));
            prop_assert_eq!(contains(&hay, &needle), hay.contains(needle.as_str()));
            prop_assert_eq!(split_once(&hay, &needle), hay.split_once(needle.as_str()));
            prop_assert_eq!(match_offsets(&hay, &needle).collect::<Vec<_>>(), hay.match_indices(needle.as_str()).map(|(i, _)| i).collect::<Vec<_>>());
            prop_assert_eq!(replace(&hay, &needle, "<>"), hay.replace(needle.as_str(), "<>"));
        }

        #[test]
        fn character_helpers_agree_with_the_standard_library(s in "[a0-9é😀 ]{0,24}", max in 0usize..30) {
            prop_assert_eq!(char_count(&s), s.chars().count());
            prop_assert_eq!(take_chars(&s, max), s.chars().take(max).collect::<String>());
            prop_assert_eq!(leading_digits(&s), s.chars().take_while(|c| c.is_ascii_digit()).collect::<String>());
            prop_assert_eq!(rfind_byte(&s, b'0'), s.rfind('0'));
            prop_assert_eq!(find_byte(&s, b'0'), s.find('0'));
            prop_assert_eq!(split_once_byte(&s, b' '), s.split_once(' '));
            prop_assert_eq!(split_any(&s, b" ").collect::<Vec<_>>(), s.split(' ').collect::<Vec<_>>());
            prop_assert_eq!(before_any(&s, b" 0"), s.split([' ', '0']).next().unwrap());
            prop_assert_eq!(split_any(&s, b" 0").collect::<Vec<_>>(), s.split([' ', '0']).collect::<Vec<_>>());
            prop_assert_eq!(trim_start_any(&s, b" 0"), s.trim_start_matches([' ', '0']));
            prop_assert_eq!(trim_end_any(&s, b" 0"), s.trim_end_matches([' ', '0']));
            prop_assert_eq!(parse_u64(&s), s.parse::<u64>().ok().filter(|_| !s.starts_with('+')));
            prop_assert_eq!(after_last(&s, b' '), s.rsplit(' ').next().unwrap());
        }

        #[test]
        fn blank_is_empty_once_trimmed(s in "[a \t\n\u{a0}\u{2003}\u{3000}\u{200b}é]{0,8}") {
            prop_assert_eq!(is_blank(&s), s.trim().is_empty());
        }
    }

    #[test]
    fn edges() {
        assert_eq!(find("", "a"), None);
        assert_eq!(rfind("", "a"), None);
        assert_eq!(find("a", "ab"), None);
        assert_eq!(find("abc", ""), Some(0));
        assert_eq!(rfind("abc", ""), Some(3));
        assert_eq!(find("https://x", "://"), Some(5));
        assert_eq!(rfind("f (a) (b.js:1:2)", " ("), Some(5));
        assert_eq!(replace("aaaa", "aa", "b"), "bb");
        // An empty pattern matches nowhere: no character is cut apart.
        assert_eq!(replace("é😀", "", "x"), "é😀");
        assert_eq!(match_offsets("é", "").count(), 0);
        // Cuts: a slice where the offsets make one, "" where they do not.
        assert_eq!(part("abc", 1, 3), "bc");
        assert_eq!(head("abc", 1), "a");
        assert_eq!(tail("abc", 3), "");
        assert_eq!(part("abc", 2, 1), "");
        assert_eq!(tail("abc", 4), "");
        assert_eq!(head("é", 1), "");
        assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64("18446744073709551616"), None);
        assert_eq!(parse_u64(""), None);
        assert_eq!(parse_u64("+1"), None);
    }
}
