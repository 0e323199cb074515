//! Error fingerprints: the same fault gets the same short id across page
//! loads, users and deploys that do not touch the failing code.
//!
//! Input: the error type, the message with its volatile parts replaced by
//! placeholders ([`normalize_message`]), and the function and file of the top
//! [`FINGERPRINT_FRAMES`] frames. Files lose their scheme and host, query
//! string and hash, and content-hash parts (`app.3f2a9c1b.js`,
//! `chunk-ABC123.js` -> `app.*.js`, `chunk-*.js`). Line and column numbers are
//! left out: they move whenever other code in the bundle changes.
//!
//! The hash is FNV-1a 64, written out so it is the same on every platform and
//! Rust version; the result is 16 lowercase hex digits.

use crate::core::text;
use super::frame::Frame;

/// Frames (newest first) that take part in the fingerprint.
pub const FINGERPRINT_FRAMES: usize = 3;

/// Longest part of a message (in bytes) that is normalised; the rest is ignored.
pub const MAX_MESSAGE_LEN: usize = 2_000;

/// Placeholders written by [`normalize_message`].
const NUM: &str = "<num>";
const HEX: &str = "<hex>";
const UUID: &str = "<uuid>";
const ID: &str = "<id>";
const URL: &str = "<url>";
const STR: &str = "<str>";

/// Digits and letters in a word of at least this length make it a random id.
const MIN_RANDOM_ID_LEN: usize = 16;
/// Shortest all-hex word (with a digit) taken for a hex id.
const MIN_HEX_ID_LEN: usize = 6;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Separates fields in the hashed input; never occurs in UTF-8 text.
const FIELD_SEP: u8 = 0xff;

/// A stable 16-hex-digit fingerprint of an error.
pub fn fingerprint(error_type: &str, message: &str, frames: &[Frame]) -> String {
    let error_type = error_type.trim();
    // Some paths report `Uncaught TypeError: x`, others `x` with the type apart.
    let mut msg = message.trim();
    msg = msg.strip_prefix("Uncaught ").unwrap_or(msg);
    if !error_type.is_empty() {
        if let Some(rest) = msg.strip_prefix(error_type).and_then(|r| r.strip_prefix(':')) {
            msg = rest.trim_start();
        }
    }
    let mut h = Fnv::new();
    h.field(error_type.as_bytes());
    h.field(normalize_message(msg).as_bytes());
    for f in frames.iter().take(FINGERPRINT_FRAMES) {
        h.field(f.function.as_deref().unwrap_or("").as_bytes());
        h.field(normalize_filename(f.filename.as_deref().unwrap_or("")).as_bytes());
    }
    hex64(h.0)
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(FNV_OFFSET)
    }

    fn byte(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }

    fn field(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
        self.byte(FIELD_SEP);
    }
}

fn hex64(v: u64) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(16);
    for shift in (0..16).rev() {
        s.push(char::from(DIGITS[((v >> (shift * 4)) & 0xf) as usize]));
    }
    s
}

/// The message with its volatile parts replaced: URLs (`<url>`), quoted values
/// `'x'` `"x"` `` `x` `` (`<str>`), UUIDs (`<uuid>`), hex ids and `0x..`
/// (`<hex>`), long random tokens (`<id>`), and digit runs (`<num>`).
/// Whitespace runs become one space. Reads at most [`MAX_MESSAGE_LEN`] bytes.
pub fn normalize_message(message: &str) -> String {
    let s = truncate(message.trim(), MAX_MESSAGE_LEN);
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut no_closing = [false; 3];
    let mut space = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            space = true;
            i += 1;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        // A quoted value: the quote opens after a non-word character (not the
        // apostrophe of `can't`) and closes before one.
        if let Some(q) = quote_index(c) {
            if (i == 0 || !is_word(b[i - 1])) && !no_closing[q] {
                match closing_quote(b, i) {
                    Some(end) => {
                        out.push_str(STR);
                        i = end + 1;
                        continue;
                    }
                    // No later quote of this kind can close either.
                    None => no_closing[q] = true,
                }
            }
        }
        if is_word(c) {
            if let Some(end) = uuid_end(b, i) {
                out.push_str(UUID);
                i = end;
                continue;
            }
            let start = i;
            while i < b.len() && is_word(b[i]) {
                i += 1;
            }
            if b[i..].starts_with(b"://") {
                i = url_end(b, i);
                out.push_str(URL);
                continue;
            }
            push_word(&mut out, text::part(s, start, i));
            continue;
        }
        // Any other character, copied whole (it may be several bytes).
        let len = utf8_len(c);
        let end = (i + len).min(b.len());
        out.push_str(s.get(i..end).unwrap_or(""));
        i = end;
    }
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn quote_index(b: u8) -> Option<usize> {
    match b {
        b'\'' => Some(0),
        b'"' => Some(1),
        b'`' => Some(2),
        _ => None,
    }
}

/// The quote matching `b[open]`: the same character, followed by a non-word.
fn closing_quote(b: &[u8], open: usize) -> Option<usize> {
    let q = b[open];
    (open + 1..b.len()).find(|&j| b[j] == q && (j + 1 == b.len() || !is_word(b[j + 1])))
}

/// End of a hyphenated UUID starting at `i` (8-4-4-4-12 hex digits).
fn uuid_end(b: &[u8], i: usize) -> Option<usize> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let mut j = i;
    for (n, len) in GROUPS.iter().enumerate() {
        if n > 0 {
            if b.get(j) != Some(&b'-') {
                return None;
            }
            j += 1;
        }
        let group = b.get(j..j + len)?;
        if !group.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        j += len;
    }
    if b.get(j).is_some_and(|&c| is_word(c)) {
        return None;
    }
    Some(j)
}

/// End of a URL whose `://` starts at `i`: up to whitespace, a quote or `<>`,
/// less trailing punctuation.
fn url_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'\'' | b'"' | b'`' | b'<' | b'>') {
        j += 1;
    }
    while j > i + 3 && matches!(b[j - 1], b'.' | b',' | b';' | b':' | b'!' | b'?' | b')') {
        j -= 1;
    }
    j
}

/// A word (`[A-Za-z0-9_]+`) with its volatile parts replaced.
fn push_word(out: &mut String, w: &str) {
    let digits = w.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 {
        out.push_str(w);
    } else if digits == w.len() {
        out.push_str(NUM);
    } else if is_hex_id(w) {
        out.push_str(HEX);
    } else if w.len() >= MIN_RANDOM_ID_LEN && w.bytes().all(|b| b.is_ascii_alphanumeric()) {
        out.push_str(ID);
    } else {
        // `item42` -> `item<num>`, `12px` -> `<num>px`.
        let mut in_digits = false;
        for ch in w.chars() {
            if ch.is_ascii_digit() {
                if !in_digits {
                    out.push_str(NUM);
                }
                in_digits = true;
            } else {
                out.push(ch);
                in_digits = false;
            }
        }
    }
}

/// `0x1f`, or an all-hex word with a digit, at least [`MIN_HEX_ID_LEN`] long.
fn is_hex_id(w: &str) -> bool {
    let b = w.as_bytes();
    if b.len() > 2 && (w.starts_with("0x") || w.starts_with("0X")) {
        return b[2..].iter().all(u8::is_ascii_hexdigit);
    }
    b.len() >= MIN_HEX_ID_LEN && b.iter().all(u8::is_ascii_hexdigit) && b.iter().any(u8::is_ascii_digit)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    text::head(s, end)
}

/// A file name for the fingerprint: no scheme and host, no query string or
/// hash, and content-hash parts of path segments replaced by `*`.
pub(crate) fn normalize_filename(name: &str) -> String {
    let name = truncate(name, super::parse::MAX_LINE_LEN);
    let name = text::before_any(name, b"?#");
    let path = match crate::core::text::find(name, "://") {
        Some(i) => {
            let rest = text::tail(name, i + 3);
            text::find_byte(rest, b'/').map_or("", |j| text::tail(rest, j))
        }
        None => name,
    };
    let mut out = String::with_capacity(path.len());
    for (n, segment) in text::split_any(path, b"/\\").enumerate() {
        if n > 0 {
            out.push('/');
        }
        normalize_segment(&mut out, segment);
    }
    out
}

/// `app.3f2a9c1b.js` -> `app.*.js`; `chunk-BfRaxYKq.js` -> `chunk-*.js`.
fn normalize_segment(out: &mut String, segment: &str) {
    let mut start = 0;
    let mut part_no = 0;
    for (i, c) in segment.char_indices() {
        if c == '.' || c == '-' {
            push_part(out, text::part(segment, start, i), part_no);
            out.push(c);
            start = i + 1;
            part_no += 1;
        }
    }
    push_part(out, text::tail(segment, start), part_no);
}

fn push_part(out: &mut String, part: &str, part_no: usize) {
    if is_hash_part(part, part_no) {
        out.push('*');
    } else {
        out.push_str(part);
    }
}

/// Length of the base64-like content hashes of Vite/Rollup (`index-BfRaxYKq.js`).
const SHORT_HASH_LEN: usize = 8;

fn is_hash_part(part: &str, part_no: usize) -> bool {
    let b = part.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let digits = b.iter().any(u8::is_ascii_digit);
    let letters = b.iter().any(u8::is_ascii_alphabetic);
    // Numeric chunk ids and versions; hashes with digits (`3f2a9c1b`, `ABC123`).
    if !letters || (digits && b.len() >= MIN_HEX_ID_LEN) {
        return true;
    }
    // A mixed-case hash without digits, not the leading name (`MyComponent`).
    part_no > 0
        && b.len() == SHORT_HASH_LEN
        && b.iter().any(u8::is_ascii_uppercase)
        && b.iter().any(u8::is_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::stack::parse;

    #[test]
    fn volatile_parts_are_replaced() {
        let cases = [
            ("Cannot read properties of undefined (reading 'x')", "Cannot read properties of undefined (reading <str>)"),
            ("Can't find variable: foo", "Can't find variable: foo"),
            ("Request 42 failed after 3.5s", "Request <num> failed after <num>.<num>s"),
            ("user 3f2b8c1e-7d4a-4b9e-9c2d-1a2b3c4d5e6f not found", "user <uuid> not found"),
            ("bad pointer 0x1F3a at deadbeef00", "bad pointer <hex> at <hex>"),
            ("fetch https://api.test/v1/items?id=7 failed.", "fetch <url> failed."),
            ("expected \"abc\" got `d e f`", "expected <str> got <str>"),
            ("token k3j4h5g6f7d8s9a0z1 rejected", "token <id> rejected"),
            ("item42 at  12px\n\tagain", "item<num> at <num>px again"),
            ("  ünïcödé 5 ✓ ", "ünïcödé <num> ✓"),
            ("unterminated 'quote and 'another", "unterminated 'quote and 'another"),
            ("ERR_HTTP2_STREAM_ERROR", "ERR_HTTP<num>_STREAM_ERROR"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_message(input), want, "{input:?}");
        }
    }

    #[test]
    fn message_length_is_bounded() {
        let long = "9 ".repeat(MAX_MESSAGE_LEN);
        let n = normalize_message(&long);
        assert!(n.len() <= MAX_MESSAGE_LEN / 2 * (NUM.len() + 1));
        // Many unmatched quotes stay linear (each kind is searched for once).
        let quotes = " 'a".repeat(100_000);
        let start = std::time::Instant::now();
        normalize_message(&quotes);
        assert!(start.elapsed().as_secs() < 2);
    }

    #[test]
    fn file_names_lose_host_query_and_content_hash() {
        let cases = [
            ("https://cdn.test/static/js/main.3f2a9c1b.js?v=12#x", "/static/js/main.*.js"),
            ("https://a.test/assets/chunk-ABC123.js", "/assets/chunk-*.js"),
            ("https://a.test/assets/index-BfRaxYKq.js", "/assets/index-*.js"),
            ("https://a.test/_next/static/chunks/pages/_app-3f2a9c1b4d5e6f7a.js", "/_next/static/chunks/pages/_app-*.js"),
            ("https://a.test/build/1.2.3/231.js", "/build/*.*.*/*.js"),
            ("https://a.test/js/MyComponent.js", "/js/MyComponent.js"),
            ("https://a.test/js/react-dom.production.min.js", "/js/react-dom.production.min.js"),
            ("webpack:///./src/components/test/test.jsx?", "/./src/components/test/test.jsx"),
            ("C:\\project files\\src\\index.js", "C:/project files/src/index.js"),
            ("[native code]", "[native code]"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_filename(input), want, "{input:?}");
        }
    }

    #[test]
    fn fingerprint_is_short_hex_and_deterministic() {
        let frames = parse("TypeError: x\n    at render (https://a.test/app.js:10:5)");
        let fp = fingerprint("TypeError", "x is undefined", &frames);
        assert_eq!(fp.len(), 16);
        assert!(fp.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        // Pinned: FNV-1a 64 is platform independent, so this never changes
        // unless the normalisation does (which regroups every stored error).
        assert_eq!(fp, "2a12e3d477df746e");
        assert_eq!(hex64(0xcbf2_9ce4_8422_2325), "cbf29ce484222325");
        assert_eq!(fnv_of(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    fn fnv_of(bytes: &[u8]) -> u64 {
        let mut h = Fnv::new();
        for &b in bytes {
            h.byte(b);
        }
        h.0
    }

    #[test]
    fn same_fault_same_fingerprint() {
        let a = parse(
            "TypeError: Cannot read properties of undefined (reading 'id')\n\
             \x20   at loadUser (https://cdn.test/assets/app.3f2a9c1b.js?v=1:120:33)\n\
             \x20   at async https://cdn.test/assets/chunk-ABC123.js:5:10\n\
             \x20   at main (https://cdn.test/assets/index-BfR3x9Kq.js:1:200)",
        );
        let b = parse(
            "TypeError: Cannot read properties of undefined (reading 'name')\n\
             \x20   at loadUser (https://www.test/assets/app.77aa00ff.js?v=2#top:118:9)\n\
             \x20   at async https://www.test/assets/chunk-XYZ789.js:6:1\n\
             \x20   at main (https://www.test/assets/index-Zq8aPl2M.js:3:4)",
        );
        let fa = fingerprint("TypeError", "Cannot read properties of undefined (reading 'id')", &a);
        let fb = fingerprint("TypeError", "Uncaught TypeError: Cannot read properties of undefined (reading 'name')", &b);
        assert_eq!(fa, fb);
        assert_eq!(
            fingerprint("Error", "order 1234 failed for 3f2b8c1e-7d4a-4b9e-9c2d-1a2b3c4d5e6f", &a),
            fingerprint("Error", "order 99 failed for 0a1b2c3d-0000-4000-8000-000000000000", &a),
        );
    }

    #[test]
    fn different_fault_different_fingerprint() {
        let base = parse("at loadUser (https://a.test/app.js:1:2)\nat main (https://a.test/main.js:3:4)");
        let other_fn = parse("at saveUser (https://a.test/app.js:1:2)\nat main (https://a.test/main.js:3:4)");
        let other_file = parse("at loadUser (https://a.test/admin.js:1:2)\nat main (https://a.test/main.js:3:4)");
        let fp = |frames: &[Frame]| fingerprint("TypeError", "x is undefined", frames);
        assert_ne!(fp(&base), fp(&other_fn));
        assert_ne!(fp(&base), fp(&other_file));
        assert_ne!(fp(&base), fingerprint("RangeError", "x is undefined", &base));
        assert_ne!(fp(&base), fingerprint("TypeError", "y is undefined", &base));
        // Only the top frames count; deeper frames may differ.
        let deeper = parse(
            "at a (https://a.test/a.js:1:1)\nat b (https://a.test/b.js:1:1)\nat c (https://a.test/c.js:1:1)\nat d (https://a.test/d.js:1:1)",
        );
        let deeper2 = parse(
            "at a (https://a.test/a.js:9:9)\nat b (https://a.test/b.js:9:9)\nat c (https://a.test/c.js:9:9)\nat zz (https://a.test/z.js:1:1)",
        );
        assert_eq!(fp(&deeper), fp(&deeper2));
        // Field boundaries are kept: moving text between fields changes the hash.
        assert_ne!(fingerprint("ab", "c", &[]), fingerprint("a", "bc", &[]));
    }
}
