//! Error sources and breadcrumbs in the browser: window `error` (uncaught
//! exceptions and, in the capture phase, resources that failed to load),
//! `unhandledrejection`, `securitypolicyviolation`, clicks and navigations.
//! Each listener only reads the event and hands a `RawError` or a breadcrumb
//! to the core; fetch, XHR and console are wrapped in `www/agent.js`.

use crate::core::errors::{ErrorSource, RawError};
use crate::core::model::Breadcrumb;
use crate::core::value::Map;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Keys of a non-Error rejection reason named in the message.
const MAX_REASON_KEYS: u32 = 10;

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn get_string(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string().filter(|s| !s.is_empty())
}

fn get_u32(v: &JsValue, key: &str) -> Option<u32> {
    get(v, key).as_f64().filter(|n| *n > 0.0 && *n < u32::MAX as f64).map(|n| n as u32)
}

/// A thrown value or rejection reason as a raw error: an Error (or anything
/// with a string `message`/`stack`), a string, or any other value, described
/// by its type and first keys (bounded: a deeply nested object costs nothing).
pub fn describe(source: ErrorSource, value: &JsValue, now: u64) -> RawError {
    let mut raw = RawError::new(source, String::new(), now);
    if value.is_object() {
        let message = get_string(value, "message");
        let stack = get_string(value, "stack");
        if message.is_some() || stack.is_some() || value.is_instance_of::<js_sys::Error>() {
            raw.message = message.unwrap_or_default();
            raw.stack = stack;
            raw.error_type = get_string(value, "name");
            return raw;
        }
        let obj: &js_sys::Object = value.unchecked_ref();
        let keys = js_sys::Object::keys(obj);
        let mut msg = String::from("Non-Error value: object with keys ");
        for (i, k) in keys.iter().take(MAX_REASON_KEYS as usize).enumerate() {
            if i > 0 {
                msg.push_str(", ");
            }
            msg.push_str(&k.as_string().unwrap_or_default());
        }
        if keys.length() == 0 {
            msg.push_str("(none)");
        } else if keys.length() > MAX_REASON_KEYS {
            msg.push_str(", …");
        }
        raw.message = msg;
        raw.error_type = obj.constructor().name().as_string().filter(|n| !n.is_empty() && n != "Object");
    } else if let Some(s) = value.as_string() {
        raw.message = s;
    } else {
        let mut msg = String::from("Non-Error value: ");
        msg.push_str(&text_of(value));
        raw.message = msg;
    }
    raw
}

/// A primitive as JavaScript's `String(v)` would print it (objects: their type).
pub fn text_of(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        s
    } else if let Some(n) = v.as_f64() {
        js_sys::Number::from(n).to_string_with_radix(10).ok().and_then(|s| s.as_string()).unwrap_or_default()
    } else if let Some(b) = v.as_bool() {
        String::from(if b { "true" } else { "false" })
    } else if v.is_undefined() {
        String::from("undefined")
    } else if v.is_null() {
        String::from("null")
    } else {
        v.js_typeof().as_string().unwrap_or_default()
    }
}

/// A window `error` event: an uncaught exception, or (seen in the capture
/// phase) an element whose resource failed to load.
pub fn from_error_event(event: &web_sys::Event, now: u64) -> Option<RawError> {
    if let Some(e) = event.dyn_ref::<web_sys::ErrorEvent>() {
        let error = e.error();
        let mut raw = if error.is_object() {
            describe(ErrorSource::Uncaught, &error, now)
        } else {
            RawError::new(ErrorSource::Uncaught, e.message(), now)
        };
        if raw.message.is_empty() {
            raw.message = e.message();
        }
        raw.filename = Some(e.filename()).filter(|f| !f.is_empty());
        raw.lineno = Some(e.lineno()).filter(|n| *n > 0);
        raw.colno = Some(e.colno()).filter(|n| *n > 0);
        return Some(raw);
    }
    let target = event.target()?;
    let el = target.dyn_ref::<web_sys::Element>()?;
    let tag = el.tag_name().to_ascii_lowercase();
    let url = get_string(el, "currentSrc").or_else(|| get_string(el, "src")).or_else(|| get_string(el, "href"))?;
    let mut raw = RawError::new(ErrorSource::Resource, String::new(), now);
    let mut msg = String::from("Failed to load <");
    msg.push_str(&tag);
    msg.push_str("> ");
    msg.push_str(&url);
    raw.message = msg;
    raw.url = Some(url);
    Some(raw)
}

pub fn from_rejection(event: &web_sys::Event, now: u64) -> Option<RawError> {
    let e = event.dyn_ref::<web_sys::PromiseRejectionEvent>()?;
    let mut raw = describe(ErrorSource::UnhandledRejection, &e.reason(), now);
    if raw.message.is_empty() && raw.stack.is_none() {
        raw.message = String::from("Unhandled rejection");
    }
    Some(raw)
}

pub fn from_csp(event: &web_sys::Event, now: u64) -> RawError {
    let ev: &JsValue = event.as_ref();
    let directive = get_string(ev, "effectiveDirective").or_else(|| get_string(ev, "violatedDirective")).unwrap_or_default();
    let blocked = get_string(ev, "blockedURI").unwrap_or_default();
    let mut msg = String::from("Content Security Policy blocked ");
    msg.push_str(if blocked.is_empty() { "a resource" } else { &blocked });
    msg.push_str(" (");
    msg.push_str(&directive);
    msg.push(')');
    let mut raw = RawError::new(ErrorSource::Csp, msg, now);
    raw.filename = get_string(ev, "sourceFile");
    raw.lineno = get_u32(ev, "lineNumber");
    raw.colno = get_u32(ev, "columnNumber");
    raw.url = Some(blocked).filter(|b| !b.is_empty());
    raw.tags.insert("directive".into(), directive);
    raw
}

/// A record of the loader's stub: `{kind, time, message, name, stack, filename, lineno, colno}`.
pub fn from_preload(rec: &JsValue, now: u64) -> RawError {
    let kind = get_string(rec, "kind").unwrap_or_default();
    let inner = ErrorSource::from_event_type(&kind).unwrap_or(ErrorSource::Uncaught);
    let time = get(rec, "time").as_f64().map(|t| t as u64).unwrap_or(now);
    let mut raw = RawError::new(ErrorSource::Preload(Box::new(inner)), get_string(rec, "message").unwrap_or_default(), time);
    raw.error_type = get_string(rec, "name");
    raw.stack = get_string(rec, "stack");
    raw.filename = get_string(rec, "filename");
    raw.lineno = get_u32(rec, "lineno");
    raw.colno = get_u32(rec, "colno");
    raw
}

/// A short CSS selector for a clicked element: `tag#id.class1.class2`, no text.
pub fn selector(el: &web_sys::Element) -> String {
    let mut s = el.tag_name().to_ascii_lowercase();
    let id = el.id();
    if !id.is_empty() {
        s.push('#');
        s.push_str(&id);
    }
    for class in el.class_name().split_ascii_whitespace().take(2) {
        s.push('.');
        s.push_str(class);
    }
    s
}

pub fn crumb(category: &str, message: Option<String>, data: Map, now: u64) -> Breadcrumb {
    Breadcrumb { timestamp: now, category: category.to_string(), message, data }
}
