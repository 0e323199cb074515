//! The browser side of consent: privacy signals, and the stored decision
//! (read at start; written only once the visitor has decided).

use crate::core::config::Config;
use crate::core::consent::{Consent, Decision, StoredDecision};
use wasm_bindgen::JsValue;

/// localStorage key of the visitor's decision.
pub const DECISION_KEY: &str = "telemetry:consent";

/// Global Privacy Control or Do Not Track is on.
pub fn privacy_signal() -> bool {
    let Some(window) = web_sys::window() else { return false };
    let nav = window.navigator();
    // Read with Reflect: both may be missing, and `doNotTrack` is null when unset
    // (web-sys's typed getter assumes a string).
    let get = |key: &str| js_sys::Reflect::get(&nav, &JsValue::from_str(key)).ok();
    let gpc = get("globalPrivacyControl").and_then(|v| v.as_bool()).unwrap_or(false);
    let dnt = get("doNotTrack").and_then(|v| v.as_string()).is_some_and(|v| v == "1");
    gpc || dnt
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The consent this page load starts with.
pub fn initial(config: &Config) -> Consent {
    let signal = config.honor_privacy_signals && privacy_signal();
    let stored = local_storage()
        .and_then(|s| s.get_item(DECISION_KEY).ok().flatten())
        .and_then(|v| StoredDecision::decode(&v, &config.consent_policy_version));
    match stored {
        Some(d) => Consent::new(d.analytics, d.marketing, signal),
        None => Consent::new(config.default_consent, config.default_consent, signal),
    }
}

/// Stores a decision the visitor made (never called while pending).
pub fn store(config: &Config, consent: &Consent, now: u64) {
    use crate::core::consent::Category;
    let d = StoredDecision {
        policy_version: config.consent_policy_version.clone(),
        decided_at: now,
        analytics: consent.get(Category::Analytics),
        marketing: consent.get(Category::Marketing),
    };
    if d.analytics == Decision::Pending && d.marketing == Decision::Pending {
        return;
    }
    if let Some(s) = local_storage() {
        let _ = s.set_item(DECISION_KEY, &d.encode());
    }
}

/// Removes everything the agent keeps in the browser's storage.
pub fn erase_local() {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(DECISION_KEY);
    }
    super::pages::erase_session();
}
