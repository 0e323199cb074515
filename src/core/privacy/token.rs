//! Opaque credentials: JWTs, `Bearer` / `Basic` credentials, well-known API
//! key prefixes and long random-looking tokens.
//!
//! Text is cut into runs of token bytes (`A-Z a-z 0-9 _ -`); each run is
//! looked at once, so the scan is linear.

use super::kind::{Match, PiiKind};
use super::scan::at;

/// Shortest JWT header and payload segment (`eyJhbGciOi…`).
pub const MIN_JWT_SEGMENT_LEN: usize = 10;
/// Shortest credential taken after `Bearer`.
pub const MIN_BEARER_LEN: usize = 16;
/// Shortest credential taken after `Basic` (base64 of `user:pass`).
pub const MIN_BASIC_LEN: usize = 8;
/// Most spaces between `Bearer` / `Basic` and the credential.
const MAX_SCHEME_GAP: usize = 4;
/// Shortest body after a well-known key prefix (`ghp_`, `sk_live_`, …).
pub const MIN_PREFIXED_BODY_LEN: usize = 16;
/// Shortest run taken as a random token without any other hint.
pub const MIN_OPAQUE_LEN: usize = 24;
/// Share (percent) of neighbouring characters that change class (upper,
/// lower, digit, other) for a run to look random: about 62 for random
/// base62, 25–40 for camelCase identifiers.
pub const MIN_OPAQUE_CLASS_CHANGES_PCT: usize = 45;

/// Shortest run worth a look: `basic`.
const MIN_RUN_LEN: usize = 5;

/// Case-sensitive prefixes of credentials issued by well-known services.
const KEY_PREFIXES: &[&str] = &[
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "sk_live_", "sk_test_",
    "rk_live_", "rk_test_", "whsec_", "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-",
    "sk-", "npm_", "pypi-", "AKIA", "ASIA", "AIza", "shpat_", "shpss_", "dop_v1_", "hf_",
];

/// Whether each byte value is a token byte (a table: this test runs on
/// every byte of the text).
const TOKEN_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        c += 1;
    }
    t
};

#[inline]
fn token_byte(c: u8) -> bool {
    TOKEN_BYTES[usize::from(c)]
}

/// Bytes of an RFC 6750 `b64token` (and of base64), without the `=` padding.
fn credential_byte(c: u8) -> bool {
    token_byte(c) || matches!(c, b'.' | b'~' | b'+' | b'/')
}

fn run_end(b: &[u8], i: usize) -> usize {
    i + b[i..].iter().take_while(|&&c| token_byte(c)).count()
}

/// Appends every token in `text` to `out`, in order.
pub(crate) fn scan(text: &str, out: &mut Vec<Match>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i..].iter().position(|&c| token_byte(c)) {
            Some(skip) => i += skip,
            None => break,
        }
        // A run starts here: the byte before (if any) is not a token byte.
        let start = i;
        let end = run_end(b, start);
        i = end;
        let run = &b[start..end];
        if run.len() < MIN_RUN_LEN {
            continue;
        }
        if let Some((s, e)) = after_auth_scheme(b, run, end) {
            out.push(Match::new(PiiKind::Token, s, e));
            i = e;
            continue;
        }
        if run.starts_with(b"eyJ") {
            if let Some(e) = jwt_end(b, start, end) {
                out.push(Match::new(PiiKind::Token, start, e));
                i = e;
                continue;
            }
        }
        if run.len() >= MIN_PREFIXED_BODY_LEN && (looks_random(run) || has_key_prefix(run)) {
            out.push(Match::new(PiiKind::Token, start, end));
        }
    }
}

/// The credential after `Bearer` / `Basic` (case-insensitive) ending at `word_end`.
fn after_auth_scheme(b: &[u8], word: &[u8], word_end: usize) -> Option<(usize, usize)> {
    let bearer = word.eq_ignore_ascii_case(b"bearer");
    if !bearer && !word.eq_ignore_ascii_case(b"basic") {
        return None;
    }
    let mut s = word_end;
    while s < b.len() && s - word_end < MAX_SCHEME_GAP && b[s] == b' ' {
        s += 1;
    }
    if s == word_end {
        return None;
    }
    let mut e = s;
    while e < b.len() && credential_byte(b[e]) {
        e += 1;
    }
    while at(b, e) == Some(b'=') {
        e += 1;
    }
    let cred = &b[s..e];
    let ok = if bearer {
        cred.len() >= MIN_BEARER_LEN
    } else {
        // "basic settings" is prose; "dXNlcjpwYXNz" is not.
        cred.len() >= MIN_BASIC_LEN
            && (cred.iter().any(|c| c.is_ascii_digit() || *c == b'=')
                || cred[1..].iter().any(|c| c.is_ascii_uppercase()))
    };
    ok.then_some((s, e))
}

/// End of a JWT (`header.payload[.signature]`) whose header run is `start..end`.
fn jwt_end(b: &[u8], start: usize, end: usize) -> Option<usize> {
    if end - start < MIN_JWT_SEGMENT_LEN || at(b, end) != Some(b'.') {
        return None;
    }
    let payload_end = run_end(b, end + 1);
    if payload_end - (end + 1) < MIN_JWT_SEGMENT_LEN {
        return None;
    }
    if at(b, payload_end) == Some(b'.') {
        // The signature may be empty (`alg: none`).
        return Some(run_end(b, payload_end + 1));
    }
    Some(payload_end)
}

fn has_key_prefix(run: &[u8]) -> bool {
    KEY_PREFIXES.iter().any(|p| {
        let p = p.as_bytes();
        run.len() >= p.len() + MIN_PREFIXED_BODY_LEN
            && run.starts_with(p)
            // `sk-learn-compatible-model` is a name, not a key.
            && run[p.len()..].iter().any(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    Lower,
    Digit,
    Other,
}

fn class(c: u8) -> Class {
    match c {
        b'A'..=b'Z' => Class::Upper,
        b'a'..=b'z' => Class::Lower,
        b'0'..=b'9' => Class::Digit,
        _ => Class::Other,
    }
}

/// Long, mixed upper / lower / digits, and changing class often.
fn looks_random(run: &[u8]) -> bool {
    if run.len() < MIN_OPAQUE_LEN {
        return false;
    }
    let (mut upper, mut lower, mut digit, mut changes) = (0, 0, 0, 0);
    let mut prev = None;
    for &c in run {
        let k = class(c);
        match k {
            Class::Upper => upper += 1,
            Class::Lower => lower += 1,
            Class::Digit => digit += 1,
            Class::Other => {}
        }
        if prev.is_some_and(|p| p != k) {
            changes += 1;
        }
        prev = Some(k);
    }
    upper > 0
        && lower > 0
        && digit > 0
        && changes * 100 >= MIN_OPAQUE_CLASS_CHANGES_PCT * (run.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan(text, &mut out);
        out.iter().map(|m| &text[m.start..m.end]).collect()
    }

    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

    #[test]
    fn jwts() {
        let text = ["id=", JWT, " ok"].concat();
        assert_eq!(found(&text), [JWT]);
        assert_eq!(found("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."), ["eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."]);
        assert!(found("eyJ.eyJ.x and eyJhbGciOi").is_empty());
    }

    #[test]
    fn auth_schemes() {
        assert_eq!(found("Authorization: Bearer abcdef0123456789xyz"), ["abcdef0123456789xyz"]);
        assert_eq!(found("authorization: basic dXNlcjpwYXNz"), ["dXNlcjpwYXNz"]);
        assert_eq!(found("Basic YWxhZGRpbjpvcGVuc2VzYW1l"), ["YWxhZGRpbjpvcGVuc2VzYW1l"]);
        assert!(found("the bearer of bad news, basic settings, Basic Authentication").is_empty());
    }

    #[test]
    fn prefixed_and_random() {
        assert_eq!(found("key ghp_16C7e42F292c6912E7710c838347Ae178B4a!"), ["ghp_16C7e42F292c6912E7710c838347Ae178B4a"]);
        assert_eq!(found("AKIAIOSFODNN7EXAMPLE"), ["AKIAIOSFODNN7EXAMPLE"]);
        assert_eq!(found("sid q8Zr3LmN0pXw7Tb2Kc9Vd4Hs"), ["q8Zr3LmN0pXw7Tb2Kc9Vd4Hs"]);
        for plain in [
            "sk-learn-compatible-model-wrapper",
            "550e8400-e29b-41d4-a716-446655440000",
            "ComponentNameRendererFactory2024",
            "d41d8cd98f00b204e9800998ecf8427e",
            "AVeryLongIdentifierWithoutDigitsAtAll",
            "ghp_short",
        ] {
            assert!(found(plain).is_empty(), "{plain}");
        }
    }
}
