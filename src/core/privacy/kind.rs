//! What the masker can find, and what it writes in place of it.

/// A kind of personal or secret data.
///
/// The order of [`PiiKind::ALL`] is the priority order: when two detectors
/// claim overlapping text, the one earlier in the list wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PiiKind {
    /// The userinfo of a URL: `https://user:pass@host` → `https://[REDACTED]@host`.
    UrlCredentials,
    /// The value of a secret-looking query, fragment or cookie parameter
    /// (`?access_token=…`, `&api_key=…`, `; sessionid=…`).
    SecretParam,
    /// An e-mail address.
    Email,
    /// A JWT, the credential after `Bearer` / `Basic`, a well-known API key
    /// prefix (`ghp_`, `sk_live_`, `AKIA`, …) or a long random-looking token.
    Token,
    /// An IBAN: country code, check digits, mod-97 validated.
    Iban,
    /// A payment card number: 13–19 digits, Luhn-checked.
    CreditCard,
    /// A US social security number written `AAA-GG-SSSS` (or with `.` / space).
    UsSsn,
    /// An IPv4 or IPv6 address (with zone and prefix length when present).
    IpAddress,
    /// A phone number, international (`+…`) or in a common national format.
    Phone,
}

/// Number of kinds; the enabled set is a bit set over them.
pub const KIND_COUNT: usize = 9;

impl PiiKind {
    /// Every kind, in priority order.
    pub const ALL: [PiiKind; KIND_COUNT] = [
        PiiKind::UrlCredentials,
        PiiKind::SecretParam,
        PiiKind::Email,
        PiiKind::Token,
        PiiKind::Iban,
        PiiKind::CreditCard,
        PiiKind::UsSsn,
        PiiKind::IpAddress,
        PiiKind::Phone,
    ];

    /// The text written in place of a match.
    pub const fn placeholder(self) -> &'static str {
        match self {
            PiiKind::UrlCredentials | PiiKind::SecretParam => REDACTED,
            PiiKind::Email => "[EMAIL]",
            PiiKind::Token => "[TOKEN]",
            PiiKind::Iban => "[IBAN]",
            PiiKind::CreditCard => "[CARD]",
            PiiKind::UsSsn => "[SSN]",
            PiiKind::IpAddress => "[IP]",
            PiiKind::Phone => "[PHONE]",
        }
    }

    /// A stable upper-case name (Presidio's entity names where one exists).
    pub const fn name(self) -> &'static str {
        match self {
            PiiKind::UrlCredentials => "URL_CREDENTIALS",
            PiiKind::SecretParam => "SECRET_PARAM",
            PiiKind::Email => "EMAIL_ADDRESS",
            PiiKind::Token => "TOKEN",
            PiiKind::Iban => "IBAN_CODE",
            PiiKind::CreditCard => "CREDIT_CARD",
            PiiKind::UsSsn => "US_SSN",
            PiiKind::IpAddress => "IP_ADDRESS",
            PiiKind::Phone => "PHONE_NUMBER",
        }
    }

    /// The kind with this [`name`](Self::name), if any.
    pub fn from_name(name: &str) -> Option<PiiKind> {
        PiiKind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub(crate) const fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// Placeholder for credentials and secret values.
pub const REDACTED: &str = "[REDACTED]";

/// One finding: a kind and its byte range `[start, end)` in the text.
/// Both ends are on `char` boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

impl Match {
    pub(crate) const fn new(kind: PiiKind, start: usize, end: usize) -> Match {
        Match { kind, start, end }
    }
}
