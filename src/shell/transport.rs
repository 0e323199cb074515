//! Sends request bodies with `fetch` and `keepalive`, so that a request
//! started while the page is going away still completes, and so that the
//! response can be read (a beacon's `true` is no delivery receipt).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Status(u16),
    NetworkError,
}

impl Outcome {
    pub fn acknowledged(self) -> bool {
        matches!(self, Outcome::Status(s) if (200..300).contains(&s))
    }
}

/// Starts a POST now (synchronously, so it is under way even if the page is
/// being hidden) and returns the pending response.
pub fn start_post(url: &str, body: &str) -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    // Stable web-sys has no setter for `keepalive`; the init is a plain object.
    js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE).ok()?;
    init.set_credentials(web_sys::RequestCredentials::Omit);
    init.set_mode(web_sys::RequestMode::Cors);
    let headers = web_sys::Headers::new().ok()?;
    // text/plain keeps cross-origin posts free of a CORS preflight.
    headers.set("Content-Type", "text/plain;charset=UTF-8").ok()?;
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).ok()?;
    Some(window.fetch_with_request(&request))
}

pub async fn finish(pending: Option<js_sys::Promise>) -> Outcome {
    let Some(pending) = pending else { return Outcome::NetworkError };
    match JsFuture::from(pending).await {
        Ok(value) => match value.dyn_into::<web_sys::Response>() {
            Ok(resp) => Outcome::Status(resp.status()),
            Err(_) => Outcome::NetworkError,
        },
        Err(_) => Outcome::NetworkError,
    }
}

/// POSTs a JSON body and returns the parsed JSON reply of a 2xx answer.
pub async fn post_json_reply(url: &str, body: &str) -> Option<JsValue> {
    let pending = start_post(url, body)?;
    let resp: web_sys::Response = JsFuture::from(pending).await.ok()?.dyn_into().ok()?;
    if !resp.ok() {
        return None;
    }
    JsFuture::from(resp.json().ok()?).await.ok()
}
