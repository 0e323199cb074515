//! Reads the page's configuration object into the core's `ConfigInput`
//! with `Reflect` (serde deserialisation costs ~15 KB of wasm; see the size report).

use crate::core::config::{ConfigInput, Raw};
use wasm_bindgen::JsValue;

fn raw(obj: &JsValue, key: &str) -> Option<Raw> {
    let v = js_sys::Reflect::get(obj, &JsValue::from_str(key)).ok()?;
    value(v)
}

fn value(v: JsValue) -> Option<Raw> {
    if js_sys::Array::is_array(&v) {
        let items = js_sys::Array::from(&v);
        // One past the limit is enough to report the list as too long. Items are
        // read as scalars: a nested list is no valid item, and never recursed into.
        let n = items.length().min(crate::core::privacy::MAX_RULES as u32 + 1);
        Some(Raw::List((0..n).map(|i| scalar(items.get(i)).unwrap_or(Raw::Other)).collect()))
    } else {
        scalar(v)
    }
}

fn scalar(v: JsValue) -> Option<Raw> {
    if v.is_undefined() || v.is_null() {
        None
    } else if let Some(s) = v.as_string() {
        Some(Raw::Str(s))
    } else if let Some(n) = v.as_f64() {
        Some(Raw::Num(n))
    } else if let Some(b) = v.as_bool() {
        Some(Raw::Bool(b))
    } else if v.is_function() {
        Some(Raw::Function)
    } else {
        Some(Raw::Other)
    }
}

/// `None` when the value is not an object at all.
pub fn read(obj: &JsValue) -> Option<ConfigInput> {
    if !obj.is_object() {
        return None;
    }
    Some(ConfigInput {
        endpoint: raw(obj, "endpoint"),
        app_version: raw(obj, "appVersion"),
        environment: raw(obj, "environment"),
        build_id: raw(obj, "buildId").or_else(|| raw(obj, "release")),
        deployment_id: raw(obj, "deploymentId"),
        sample_rate: raw(obj, "sampleRate"),
        batch_size: raw(obj, "batchSize"),
        max_batch_bytes: raw(obj, "maxBatchBytes"),
        flush_interval_ms: raw(obj, "flushIntervalMs"),
        max_queue: raw(obj, "maxQueue"),
        debug: raw(obj, "debug"),
        track_page_views: raw(obj, "trackPageViews"),
        default_consent: raw(obj, "defaultConsent"),
        consent_policy_version: raw(obj, "consentPolicyVersion"),
        honor_privacy_signals: raw(obj, "honorPrivacySignals"),
        error_consent_category: raw(obj, "errorConsentCategory"),
        error_sample_rate: raw(obj, "errorSampleRate"),
        error_rate_limit: raw(obj, "errorRateLimit"),
        max_breadcrumbs: raw(obj, "maxBreadcrumbs"),
        capture_console: raw(obj, "captureConsole"),
        capture_network_errors: raw(obj, "captureNetworkErrors"),
        max_stored_events: raw(obj, "maxStoredEvents"),
        max_stored_bytes: raw(obj, "maxStoredBytes"),
        stats_interval_ms: raw(obj, "statsIntervalMs"),
        track_history: raw(obj, "trackHistory"),
        track_replace_state: raw(obj, "trackReplaceState"),
        hash_routing: raw(obj, "hashRouting"),
        track_page_leave: raw(obj, "trackPageLeave"),
        session_timeout_ms: raw(obj, "sessionTimeoutMs"),
        session_max_age_ms: raw(obj, "sessionMaxAgeMs"),
        session_persistence: raw(obj, "sessionPersistence"),
        report_all_changes: raw(obj, "reportAllChanges"),
        track_web_vitals: raw(obj, "trackWebVitals"),
        wire_format: raw(obj, "wireFormat"),
        service_name: raw(obj, "serviceName"),
        mask_keys: raw(obj, "maskKeys"),
        mask_patterns: raw(obj, "maskPatterns"),
        allow_list: raw(obj, "allowList"),
        before_send: raw(obj, "beforeSend"),
    })
}
