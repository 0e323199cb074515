//! The masker: runs the enabled detectors, keeps non-overlapping matches by
//! priority, and writes placeholders.

use std::borrow::Cow;

use crate::core::value::Value;

use super::kind::{Match, PiiKind, KIND_COUNT, REDACTED};
use super::{email, network, numbers, phone, scan, token, url};

/// JSON nesting looked into by [`Masker::mask_json`]; deeper containers are
/// replaced by `[REDACTED]` as a whole, since they were not checked. (The
/// same as serde_json's parser limit, so parsed input hardly gets there.)
pub const MAX_JSON_DEPTH: usize = 128;

/// Most passes of [`Masker::mask`] over its own output.
pub const MAX_MASK_PASSES: usize = 4;

/// Finds and replaces personal data in text. Cheap to copy; the default
/// enables every [`PiiKind`].
///
/// ```
/// use telemetry_agent::core::privacy::Masker;
/// let m = Masker::default();
/// assert_eq!(m.mask("mail ann@example.com"), "mail [EMAIL]");
/// assert!(matches!(m.mask("nothing here"), std::borrow::Cow::Borrowed(_)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Masker {
    enabled: u16,
}

impl Default for Masker {
    fn default() -> Self {
        Masker::new(&PiiKind::ALL)
    }
}

impl Masker {
    /// A masker for exactly these kinds.
    pub fn new(kinds: &[PiiKind]) -> Masker {
        Masker { enabled: kinds.iter().fold(0, |set, k| set | k.bit()) }
    }

    /// A masker that finds nothing.
    pub const fn none() -> Masker {
        Masker { enabled: 0 }
    }

    /// This masker with `kind` enabled as well.
    pub const fn with(self, kind: PiiKind) -> Masker {
        Masker { enabled: self.enabled | kind.bit() }
    }

    /// This masker with `kind` disabled.
    pub const fn without(self, kind: PiiKind) -> Masker {
        Masker { enabled: self.enabled & !kind.bit() }
    }

    pub const fn is_enabled(&self, kind: PiiKind) -> bool {
        self.enabled & kind.bit() != 0
    }

    /// The enabled kinds, in priority order.
    pub fn kinds(&self) -> impl Iterator<Item = PiiKind> + '_ {
        PiiKind::ALL.into_iter().filter(|k| self.is_enabled(*k))
    }

    /// Every finding in `text`: byte offsets on `char` boundaries, sorted,
    /// non-overlapping. Where detectors overlap, the kind earlier in
    /// [`PiiKind::ALL`] wins. (`mask` may replace a little more: see there.)
    pub fn find(&self, text: &str) -> Vec<Match> {
        let mut kept: Vec<Match> = Vec::new();
        let mut found = Vec::new();
        let mut merged = Vec::new();
        let present = scan::bytes_present(text.as_bytes());
        // Start positions shared by the number detectors, found on first use.
        let mut anchors: Option<Vec<usize>> = None;
        for kind in self.kinds() {
            if present & needs(kind) != needs(kind) {
                continue;
            }
            found.clear();
            match kind {
                PiiKind::UrlCredentials => url::scan_credentials(text, &mut found),
                PiiKind::SecretParam => url::scan_params(text, &mut found),
                PiiKind::Email => email::scan(text, &mut found),
                PiiKind::Token => token::scan(text, &mut found),
                PiiKind::Iban | PiiKind::CreditCard | PiiKind::UsSsn | PiiKind::IpAddress | PiiKind::Phone => {
                    let anchors = anchors.get_or_insert_with(|| scan::number_anchors(text.as_bytes()));
                    let scan_numbers = match kind {
                        PiiKind::Iban => numbers::scan_iban,
                        PiiKind::CreditCard => numbers::scan_cards,
                        PiiKind::UsSsn => numbers::scan_ssn,
                        PiiKind::IpAddress => network::scan,
                        _ => phone::scan,
                    };
                    scan_numbers(text, anchors, &mut found);
                }
            }
            if found.is_empty() {
                continue;
            }
            if kept.is_empty() {
                std::mem::swap(&mut kept, &mut found);
                continue;
            }
            merge(&kept, &found, &mut merged);
            std::mem::swap(&mut kept, &mut merged);
        }
        kept
    }

    /// `text` with every finding replaced by its kind's placeholder; borrowed
    /// when nothing was found.
    ///
    /// Masking repeats on its own output until nothing more is found (at most
    /// [`MAX_MASK_PASSES`] times): a finding that lost an overlap to a
    /// higher-priority one (`?token=+1 415 555 0132`: the value ends at the
    /// space) can be complete once the winner is replaced. So the result of
    /// `mask` masks to itself.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let found = self.find(text);
        if found.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = replace(text, &found);
        for _ in 1..MAX_MASK_PASSES {
            let again = self.find(&out);
            if again.is_empty() {
                break;
            }
            out = replace(&out, &again);
        }
        Cow::Owned(out)
    }

    /// Masks `s` in place; returns whether anything changed.
    pub fn mask_string(&self, s: &mut String) -> bool {
        match self.mask(s) {
            Cow::Borrowed(_) => false,
            Cow::Owned(masked) => {
                *s = masked;
                true
            }
        }
    }

    /// Masks every string value in a JSON tree (object keys are kept).
    ///
    /// With [`PiiKind::SecretParam`] enabled, a string or number under a
    /// secret-looking key (`password`, `access_token`, `client_secret`,
    /// `apiKey`, …) is replaced by `[REDACTED]` whatever it holds. The walk uses its own
    /// stack, not recursion.
    pub fn mask_json(&self, value: &mut Value) {
        let secrets = self.is_enabled(PiiKind::SecretParam);
        let mut stack: Vec<(&mut Value, usize)> = vec![(value, 0)];
        while let Some((v, depth)) = stack.pop() {
            match v {
                Value::String(s) => {
                    self.mask_string(s);
                }
                Value::Array(_) | Value::Object(_) if depth >= MAX_JSON_DEPTH => {
                    *v = Value::String(REDACTED.to_string());
                }
                Value::Array(items) => stack.extend(items.iter_mut().map(|x| (x, depth + 1))),
                Value::Object(members) => {
                    for (key, member) in members.iter_mut() {
                        let scalar = matches!(member, Value::String(_) | Value::Number(_));
                        if scalar && secrets && url::is_secret_json_key(key) {
                            if member.as_str() != Some(REDACTED) {
                                *member = Value::String(REDACTED.to_string());
                            }
                        } else {
                            stack.push((member, depth + 1));
                        }
                    }
                }
                Value::Null | Value::Bool(_) | Value::Number(_) => {}
            }
        }
    }
}

/// Bytes (see [`scan::bytes_present`]) without which `kind` cannot match.
fn needs(kind: PiiKind) -> u8 {
    match kind {
        PiiKind::UrlCredentials => scan::HAS_COLON | scan::HAS_AT,
        PiiKind::SecretParam => scan::HAS_EQUALS,
        PiiKind::Email => scan::HAS_AT,
        PiiKind::Token => scan::HAS_LETTER,
        PiiKind::Iban | PiiKind::CreditCard | PiiKind::UsSsn | PiiKind::IpAddress | PiiKind::Phone => {
            scan::HAS_DIGIT
        }
    }
}

/// `kept` (sorted, non-overlapping) plus those of `found` (sorted,
/// non-overlapping) that overlap nothing in it, into `out`, sorted.
fn merge(kept: &[Match], found: &[Match], out: &mut Vec<Match>) {
    out.clear();
    out.reserve(kept.len() + found.len());
    let mut k = 0;
    for f in found {
        while k < kept.len() && kept[k].start < f.start {
            out.push(kept[k]);
            k += 1;
        }
        let clear_before = out.last().is_none_or(|p| p.end <= f.start);
        let clear_after = kept.get(k).is_none_or(|n| f.end <= n.start);
        if clear_before && clear_after {
            out.push(*f);
        }
    }
    out.extend_from_slice(&kept[k..]);
}

fn replace(text: &str, found: &[Match]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for m in found {
        out.push_str(crate::core::text::part(text, last, m.start));
        out.push_str(m.kind.placeholder());
        last = m.end;
    }
    out.push_str(crate::core::text::tail(text, last));
    out
}

// Keeps `KIND_COUNT` and the bit set in step.
const _: () = assert!(KIND_COUNT <= 16);
