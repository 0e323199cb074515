//! Sends request bodies with `fetch` and `keepalive`, so that a request
//! started while the page is going away still completes, and so that the
//! response can be read (a beacon's `true` is no delivery receipt). Bodies
//! above [`COMPRESS_MIN_BYTES`] are gzip-compressed synchronously in the
//! module (`core::delivery::gzip`), so that page-exit bodies are compressed too.

use crate::core::retry::Outcome;
use std::borrow::Cow;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A request not answered in this time is aborted and counts as a timeout.
pub const REQUEST_TIMEOUT_MS: u32 = 10_000;
/// Smaller bodies are sent as they are: compressing them saves too little.
pub const COMPRESS_MIN_BYTES: usize = 1_024;
/// What keepalive requests in flight may carry in all (the browsers' budget is 64 KiB).
pub const KEEPALIVE_BUDGET_BYTES: usize = 60_000;

/// `Some(service name)` when the endpoint speaks OTLP/HTTP JSON instead of native batches.
static OTLP: super::global::Global<std::cell::RefCell<Option<String>>> = super::global::Global::new(std::cell::RefCell::new(None));

/// Chooses the wire format of batch bodies (once, at start).
pub fn use_otlp(service_name: Option<String>) {
    OTLP.with(|o| *o.borrow_mut() = service_name);
}

/// A native batch body in the configured wire format (the same text, not a
/// copy, for the native format).
pub fn encode(body: Cow<'_, str>) -> Cow<'_, str> {
    OTLP.with(|o| match o.borrow().as_deref() {
        Some(service) => crate::core::model::otlp::logs_from_batch(&body, service).map_or(body, Cow::Owned),
        None => body,
    })
}

fn init(body: &JsValue, gzip: bool, signal: Option<&web_sys::AbortSignal>) -> Option<web_sys::RequestInit> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    // Stable web-sys has no setter for `keepalive`; the init is a plain object.
    js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE).ok()?;
    init.set_credentials(web_sys::RequestCredentials::Omit);
    init.set_mode(web_sys::RequestMode::Cors);
    let headers = web_sys::Headers::new().ok()?;
    // text/plain keeps cross-origin posts free of a CORS preflight.
    headers.set("Content-Type", "text/plain;charset=UTF-8").ok()?;
    if gzip {
        headers.set("Content-Encoding", "gzip").ok()?;
    }
    init.set_headers(&headers);
    if let Some(s) = signal {
        init.set_signal(Some(s));
    }
    Some(init)
}

/// Starts a POST now (synchronously, so it is under way even if the page is
/// being hidden) and returns the pending response.
pub fn start_post(url: &str, payload: &Payload) -> Option<js_sys::Promise> {
    let window = web_sys::window()?;
    let init = init(&payload.body, payload.gzip, None)?;
    let request = web_sys::Request::new_with_str_and_init(url, &init).ok()?;
    Some(window.fetch_with_request(&request))
}

/// Sends a beacon (page exit, past the keepalive budget). Its `true` only
/// means "queued": the events stay stored until a later acknowledgement.
pub fn beacon(url: &str, body: &str) -> bool {
    web_sys::window().and_then(|w| w.navigator().send_beacon_with_opt_str(url, Some(body)).ok()).unwrap_or(false)
}

pub async fn finish(pending: Option<js_sys::Promise>) -> Outcome {
    let Some(pending) = pending else { return Outcome::NetworkError };
    match JsFuture::from(pending).await {
        Ok(value) => match value.dyn_into::<web_sys::Response>() {
            Ok(resp) => Outcome::Status { code: resp.status(), retry_after: resp.headers().get("Retry-After").ok().flatten() },
            Err(_) => Outcome::NetworkError,
        },
        Err(_) => Outcome::NetworkError,
    }
}

/// The body as sent: gzip when it is large enough to gain from it.
pub struct Payload {
    pub body: JsValue,
    pub gzip: bool,
    /// Bytes on the wire (what the keepalive budget counts).
    pub len: usize,
}

pub fn payload(body: &str) -> Payload {
    if body.len() < COMPRESS_MIN_BYTES {
        return Payload { body: JsValue::from_str(body), gzip: false, len: body.len() };
    }
    let bytes = crate::core::delivery::gzip::gzip(body.as_bytes());
    Payload { len: bytes.len(), body: js_sys::Uint8Array::from(bytes.as_slice()).into(), gzip: true }
}

/// A normal send of a native batch body (in the configured wire format):
/// compressed when large, aborted after [`REQUEST_TIMEOUT_MS`].
pub async fn send(url: &str, body: &str) -> Outcome {
    let Some(window) = web_sys::window() else { return Outcome::NetworkError };
    let body = &*encode(Cow::Borrowed(body));
    let payload = payload(body);
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let Some(init) = init(&payload.body, payload.gzip, signal.as_ref()) else { return Outcome::NetworkError };
    let Ok(request) = web_sys::Request::new_with_str_and_init(url, &init) else { return Outcome::NetworkError };
    let pending = window.fetch_with_request(&request);
    let fired = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = fired.clone();
    let timer = controller.map(|c| {
        super::page::timeout(REQUEST_TIMEOUT_MS, move || {
            flag.set(true);
            c.abort();
        })
    });
    let outcome = finish(Some(pending)).await;
    drop(timer);
    if fired.get() && outcome == Outcome::NetworkError {
        Outcome::Timeout
    } else {
        outcome
    }
}

/// POSTs a JSON body and returns the parsed JSON reply of a 2xx answer.
pub async fn post_json_reply(url: &str, body: &str) -> Option<JsValue> {
    let pending = start_post(url, &payload(body))?;
    let resp: web_sys::Response = JsFuture::from(pending).await.ok()?.dyn_into().ok()?;
    if !resp.ok() {
        return None;
    }
    JsFuture::from(resp.json().ok()?).await.ok()
}
