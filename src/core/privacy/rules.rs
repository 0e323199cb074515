//! The site's own masking rules, on top of the built-in detectors:
//! - `maskKeys`: property names (any depth, any case) whose values become `[REDACTED]`;
//! - `maskPatterns`: literal texts replaced by `[REDACTED]` wherever they appear;
//! - `allowList`: literal texts the detectors must leave as they are (a support
//!   address, a public phone number).

use crate::core::text;
use crate::core::value::Value;

use super::REDACTED;

/// Most entries in each list.
pub const MAX_RULES: usize = 50;
/// Longest entry, in characters.
pub const MAX_RULE_LEN: usize = 200;
/// Shortest `maskPatterns` entry: shorter literals would mask ordinary words.
pub const MIN_PATTERN_LEN: usize = 3;

/// First of the private-use characters that stand for allow-listed texts while
/// the detectors run (no detector matches them).
const ALLOW_MARK: u32 = 0xF0000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteRules {
    keys: Vec<String>,
    patterns: Vec<String>,
    allow: Vec<String>,
}

impl SiteRules {
    /// Rules from checked lists (see the configuration's limits).
    pub fn new(keys: Vec<String>, patterns: Vec<String>, allow: Vec<String>) -> SiteRules {
        SiteRules { keys: keys.into_iter().map(|k| k.to_ascii_lowercase()).collect(), patterns, allow }
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.patterns.is_empty() && self.allow.is_empty()
    }

    /// Before the detectors: allow-listed texts become marks.
    pub fn protect(&self, s: &mut String) {
        for (i, a) in self.allow.iter().enumerate() {
            if text::contains(s, a) {
                let mark = char::from_u32(ALLOW_MARK + i as u32).unwrap_or('\u{FFFD}');
                *s = text::replace(s, a, mark.encode_utf8(&mut [0; 4]));
            }
        }
    }

    /// After the detectors: marks become the allow-listed texts again, then the
    /// site's literal patterns are replaced.
    pub fn finish(&self, s: &mut String) {
        for (i, a) in self.allow.iter().enumerate() {
            let mark = char::from_u32(ALLOW_MARK + i as u32).unwrap_or('\u{FFFD}');
            let mut buf = [0; 4];
            let mark: &str = mark.encode_utf8(&mut buf);
            if text::contains(s, mark) {
                *s = text::replace(s, mark, a);
            }
        }
        for p in &self.patterns {
            if text::contains(s, p) {
                *s = text::replace(s, p, REDACTED);
            }
        }
    }

    /// Whether a property name is one of the site's secret keys.
    pub fn is_masked_key(&self, key: &str) -> bool {
        !self.keys.is_empty() && self.keys.iter().any(|k| k.eq_ignore_ascii_case(key))
    }

    /// `[REDACTED]` for the scalar value of a secret key (objects and lists are
    /// looked into instead). Returns whether it redacted.
    pub fn redact_member(&self, key: &str, value: &mut Value) -> bool {
        if matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)) && self.is_masked_key(key) {
            *value = Value::String(REDACTED.to_string());
            return true;
        }
        false
    }

    /// [`SiteRules::protect`] on every string in a JSON value.
    pub fn protect_json(&self, v: &mut Value) {
        if !self.allow.is_empty() {
            for_each_string(v, &mut |s| self.protect(s));
        }
    }

    /// [`SiteRules::finish`] on every string in a JSON value, and `[REDACTED]`
    /// for the scalar values of the site's secret keys.
    pub fn finish_json(&self, v: &mut Value) {
        if self.is_empty() {
            return;
        }
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            match v {
                Value::String(s) => self.finish(s),
                Value::Array(items) => stack.extend(items.iter_mut()),
                Value::Object(members) => {
                    for (key, member) in members.iter_mut() {
                        if !self.redact_member(key, member) {
                            stack.push(member);
                        }
                    }
                }
                Value::Null | Value::Bool(_) | Value::Number(_) => {}
            }
        }
    }
}

fn for_each_string(v: &mut Value, f: &mut impl FnMut(&mut String)) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => f(s),
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(members) => stack.extend(members.values_mut()),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::privacy::Masker;
    use crate::json;

    fn rules() -> SiteRules {
        SiteRules::new(vec!["Customer_Ref".into()], vec!["Project Falcon".into()], vec!["help@shop.example".into(), "+1 800 555 0100".into()])
    }

    fn masked(r: &SiteRules, text: &str) -> String {
        let mut s = text.to_string();
        r.protect(&mut s);
        Masker::default().mask_string(&mut s);
        r.finish(&mut s);
        s
    }

    #[test]
    fn allow_listed_texts_pass_the_detectors_and_others_do_not() {
        let r = rules();
        assert_eq!(masked(&r, "write help@shop.example or ann@example.com"), "write help@shop.example or [EMAIL]");
        assert_eq!(masked(&r, "call +1 800 555 0100"), "call +1 800 555 0100");
        assert_eq!(masked(&r, "call +1 415 555 0199"), "call [PHONE]");
    }

    #[test]
    fn literal_patterns_are_redacted_everywhere() {
        assert_eq!(masked(&rules(), "Project Falcon ships; project falcon too"), "[REDACTED] ships; project falcon too");
    }

    #[test]
    fn secret_keys_are_redacted_at_any_depth_in_any_case() {
        let r = rules();
        let mut v = json!({"customer_ref": "C-77", "order": {"CUSTOMER_REF": 42, "note": "Project Falcon", "items": [{"customer_ref": true}]}, "keep": {"customer_ref": {"nested": "object"}}});
        r.protect_json(&mut v);
        Masker::default().mask_json(&mut v);
        r.finish_json(&mut v);
        assert_eq!(
            v,
            json!({"customer_ref": "[REDACTED]", "order": {"CUSTOMER_REF": "[REDACTED]", "note": "[REDACTED]", "items": [{"customer_ref": "[REDACTED]"}]}, "keep": {"customer_ref": {"nested": "object"}}})
        );
    }

    #[test]
    fn no_rules_change_nothing() {
        let r = SiteRules::default();
        assert!(r.is_empty());
        assert_eq!(masked(&r, "ann@example.com and Project Falcon"), "[EMAIL] and Project Falcon");
    }
}
