//! On-device privacy: PII masking (and, with the consent issue, the consent state).
//!
//! [`Masker`] finds personal data and secrets in free text before it is stored
//! or sent, and replaces each finding by a placeholder (`[EMAIL]`, `[CARD]`,
//! `[PHONE]`, `[IP]`, `[SSN]`, `[IBAN]`, `[TOKEN]`, `[REDACTED]`).
//!
//! There is no regex engine: each detector scans bytes for cheap anchors
//! (`@`, `://`, `?`/`&`, digits, upper-case letters) and validates a bounded
//! window around them (Luhn, mod-97, octet ranges, phone shapes), so the time
//! is linear in the text and text without findings is returned borrowed.
//! Offsets are bytes and always fall on `char` boundaries.

mod email;
mod kind;
mod mask;
mod network;
mod numbers;
mod phone;
mod rules;
mod scan;
mod token;
mod url;

pub use kind::{Match, PiiKind, KIND_COUNT, REDACTED};
pub use mask::{Masker, MAX_JSON_DEPTH, MAX_MASK_PASSES};
pub use numbers::{is_valid_iban, luhn};
pub use rules::{SiteRules, MAX_RULES, MAX_RULE_LEN, MIN_PATTERN_LEN};
pub use url::{is_secret_json_key, is_secret_param};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod prop_tests;
