//! Credentials in URLs and secret-looking parameters.
//!
//! * Userinfo: `scheme://user:pass@host/…` → the `user:pass` part.
//! * Parameters: after `?`, `&`, `#` or `;` (query, fragment such as OAuth's
//!   `#access_token=…`, cookie strings), a key such as `token`, `api_key`,
//!   `password`, `sig` or `sessionid` → its value, up to the next delimiter.

use super::kind::{Match, PiiKind, REDACTED};
use super::scan::at;

/// Longest authority (`user:pass@host:port`) looked at after `://`.
pub const MAX_AUTHORITY_LEN: usize = 256;
/// Longest parameter name looked at.
pub const MAX_KEY_LEN: usize = 64;

/// Bytes that end an authority, a parameter value, or a URL in prose.
fn ends_url_part(c: u8) -> bool {
    c.is_ascii_whitespace()
        || c.is_ascii_control()
        || matches!(c, b'"' | b'\'' | b'<' | b'>' | b'`' | b'\\')
}

/// Appends the userinfo of every `scheme://userinfo@host` in `text` to `out`.
pub(crate) fn scan_credentials(text: &str, out: &mut Vec<Match>) {
    let b = text.as_bytes();
    let mut floor = 0;
    for sep in crate::core::text::match_offsets(text, "://") {
        let start = sep + 3;
        if sep < floor || !has_scheme(b, sep) {
            continue;
        }
        let limit = (start + MAX_AUTHORITY_LEN).min(b.len());
        let mut end = start;
        let mut last_at = None;
        while end < limit {
            let c = b[end];
            if matches!(c, b'/' | b'?' | b'#') || ends_url_part(c) {
                break;
            }
            if c == b'@' {
                last_at = Some(end);
            }
            end += 1;
        }
        let Some(user_end) = last_at else { continue };
        if user_end == start || crate::core::text::part(text, start, user_end) == REDACTED {
            continue;
        }
        out.push(Match::new(PiiKind::UrlCredentials, start, user_end));
        floor = user_end;
    }
}

/// A URL scheme (letter, then letters, digits, `+ - .`) ends at `sep`.
fn has_scheme(b: &[u8], sep: usize) -> bool {
    let mut i = sep;
    while i > 0 && (b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'+' | b'-' | b'.')) {
        i -= 1;
    }
    i < sep && b[i].is_ascii_alphabetic()
}

/// Appends the value of every secret-looking parameter in `text` to `out`.
pub(crate) fn scan_params(text: &str, out: &mut Vec<Match>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !matches!(b[i], b'?' | b'&' | b'#' | b';') {
            i += 1;
            continue;
        }
        let mut key_start = i + 1;
        if b[i] == b';' {
            // Cookie strings: `a=1; sessionid=…`.
            while at(b, key_start) == Some(b' ') {
                key_start += 1;
            }
        }
        let mut key_end = key_start;
        while key_end < b.len() && key_end - key_start <= MAX_KEY_LEN && key_byte(b[key_end]) {
            key_end += 1;
        }
        if key_end == key_start || at(b, key_end) != Some(b'=') {
            i = key_end.max(i + 1);
            continue;
        }
        let value_start = key_end + 1;
        let mut value_end = value_start;
        while value_end < b.len() && !value_ends(b[value_end]) {
            value_end += 1;
        }
        let value = crate::core::text::part(text, value_start, value_end);
        let mut key = &b[key_start..key_end];
        // `user[password]=…` (form field arrays) is named by its last part.
        while let [rest @ .., b']'] = key {
            key = rest;
        }
        if value_end > value_start && value != REDACTED && is_secret_param(key) {
            out.push(Match::new(PiiKind::SecretParam, value_start, value_end));
        }
        i = value_end;
    }
}

fn key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'[' | b']')
}

fn value_ends(c: u8) -> bool {
    matches!(c, b'&' | b'#' | b';' | b'?' | b',') || ends_url_part(c)
}

/// Parameter names whose value is a secret wherever they appear.
const SECRET_NAMES: &[&str] = &[
    "key", "pass", "pwd", "auth", "sig", "sid", "code_verifier", "session", "sessid",
    "authorization", "credential", "credentials", "jwt", "otp", "pin",
];

/// Name endings that mark a secret: `access_token`, `client_secret`,
/// `X-Amz-Signature`, `jsessionid`, `private_key`, `api-key`, …
const SECRET_SUFFIXES: &[&str] = &[
    "token", "secret", "password", "passwd", "apikey", "api_key", "api-key", "_key", "-key",
    "signature", "sessionid", "session_id", "session-id", "credential", "auth_code",
];

/// Stricter rule for JSON object keys, where `key`, `sig`, `session` … are
/// ordinary telemetry fields (a keyboard event's `key`, the agent's session).
const JSON_SECRET_NAMES: &[&str] = &["pwd", "pass", "authorization", "credentials", "jwt"];
const JSON_SECRET_SUFFIXES: &[&str] = &[
    "token", "secret", "password", "passwd", "apikey", "api_key", "api-key", "private_key",
    "secret_key", "access_key", "credential",
];

fn ends_with_ignore_case(name: &[u8], suffix: &str) -> bool {
    let s = suffix.as_bytes();
    name.len() >= s.len() && name[name.len() - s.len()..].eq_ignore_ascii_case(s)
}

fn is_named(name: &[u8], names: &[&str], suffixes: &[&str]) -> bool {
    names.iter().any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
        || suffixes.iter().any(|s| ends_with_ignore_case(name, s))
}

/// Whether a URL / cookie parameter with this name holds a secret.
pub fn is_secret_param(name: &[u8]) -> bool {
    is_named(name, SECRET_NAMES, SECRET_SUFFIXES)
}

/// Whether a JSON object member with this key holds a secret.
pub fn is_secret_json_key(key: &str) -> bool {
    is_named(key.as_bytes(), JSON_SECRET_NAMES, JSON_SECRET_SUFFIXES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan_credentials(text, &mut out);
        out.iter().map(|m| &text[m.start..m.end]).collect()
    }

    fn params(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan_params(text, &mut out);
        out.iter().map(|m| &text[m.start..m.end]).collect()
    }

    #[test]
    fn userinfo() {
        assert_eq!(creds("see https://user:pa55@host.example/x"), ["user:pa55"]);
        assert_eq!(creds("ftp://anon@ftp.example.org"), ["anon"]);
        assert_eq!(creds("redis://:s3cr3t@10.0.0.5:6379/0"), [":s3cr3t"]);
        assert_eq!(creds("https://a@b:c@host/"), ["a@b:c"]);
        assert!(creds("https://host.example/?email=a@b.com").is_empty());
        assert!(creds("https://[REDACTED]@host/").is_empty());
        assert!(creds("://user@host").is_empty());
        assert!(creds("https://host.example/a@b").is_empty());
    }

    #[test]
    fn secret_parameters() {
        assert_eq!(params("/cb?code=1&access_token=abc.def&x=1"), ["abc.def"]);
        assert_eq!(params("https://h/p#id_token=eyJ0&state=xyz"), ["eyJ0"]);
        assert_eq!(params("?API_KEY=k1&Signature=zz%2F"), ["k1", "zz%2F"]);
        assert_eq!(params("?X-Amz-Signature=abc&X-Amz-Credential=AKIA%2F"), ["abc", "AKIA%2F"]);
        assert_eq!(params("theme=dark; sessionid=38afes7a8; csrftoken=q1"), ["38afes7a8", "q1"]);
        assert_eq!(params("?key=AIzaSy\"next"), ["AIzaSy"]);
        assert!(params("?q=token&page=2&monkey=1&keyboard=us").is_empty());
        assert!(params("?token=&token=[REDACTED]").is_empty());
        assert!(params("what? token = x").is_empty());
        assert_eq!(params("?user[password]=hunter2"), ["hunter2"]);
    }

    #[test]
    fn json_keys_are_stricter() {
        assert!(is_secret_json_key("password"));
        assert!(is_secret_json_key("refreshToken"));
        assert!(is_secret_json_key("client_secret"));
        assert!(!is_secret_json_key("key"));
        assert!(!is_secret_json_key("session"));
        assert!(!is_secret_json_key("sort_key"));
        assert!(is_secret_param(b"key"));
        assert!(is_secret_param(b"JSESSIONID"));
    }
}
