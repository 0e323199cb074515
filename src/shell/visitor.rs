//! The visitor's identity and labels: `reset()`, `setTag()`, and the count of
//! calls whose input `www/agent.js` had to clean or refuse.

use super::api::with_agent;
use super::{errors, page, pages};
use wasm_bindgen::prelude::*;

/// The visitor logged out: forgets the user id, tags and breadcrumbs and starts
/// a new session (stored only where consent allows).
#[wasm_bindgen]
pub fn reset() -> bool {
    let done = with_agent(|a| a.pipeline.reset(page::now_ms())).is_some();
    pages::persist_session();
    done
}

/// Sets a tag on every later event; `null` or `undefined` removes it. Values
/// that are strings, numbers or booleans are taken as text; anything else is refused.
#[wasm_bindgen(js_name = setTag)]
pub fn set_tag(key: JsValue, value: JsValue) -> bool {
    let Some(key) = key.as_string() else { return false };
    let value = if value.is_null() || value.is_undefined() {
        None
    } else if value.as_string().is_some() || value.as_f64().is_some() || value.as_bool().is_some() {
        Some(errors::text_of(&value))
    } else {
        return false;
    };
    with_agent(|a| a.pipeline.set_tag(&key, value.as_deref())).unwrap_or(false)
}

/// `cleaned`: a call's properties were cleaned; `rejected`: a call was refused.
#[wasm_bindgen(js_name = noteInput)]
pub fn note_input(kind: &str) {
    with_agent(|a| match kind {
        "cleaned" => a.pipeline.note_cleaned(),
        "rejected" => a.pipeline.note_rejected(),
        _ => {}
    });
}
