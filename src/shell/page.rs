//! Facts about the page and the browser, read through web-sys.

use crate::core::context::{from_client_hints, parse_user_agent, ClientHints};
use crate::core::model::EventContext;
use crate::core::pipeline::PageView;
use wasm_bindgen::JsValue;

fn non_empty(s: String) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s)
    }
}

/// The `EventContext` of this page load.
pub fn context() -> EventContext {
    let Some(window) = web_sys::window() else { return EventContext::default() };
    let navigator = window.navigator();
    let ua = navigator.user_agent().ok().and_then(non_empty);
    let info = match client_hints(&navigator) {
        Some(hints) => Some(from_client_hints(&hints, ua.as_deref())),
        None => ua.as_deref().map(parse_user_agent),
    };
    let screen_resolution = window.screen().ok().and_then(|s| {
        let (w, h) = (s.width().ok()?, s.height().ok()?);
        if w > 0 && h > 0 {
            let mut r = String::new();
            crate::core::model::write_u64(&mut r, w as u64);
            r.push('x');
            crate::core::model::write_u64(&mut r, h as u64);
            Some(r)
        } else {
            None
        }
    });
    let document = window.document();
    EventContext {
        browser: info.as_ref().and_then(|i| i.browser.clone()),
        os: info.as_ref().and_then(|i| i.os.clone()),
        device: info.as_ref().map(|i| i.device),
        url: window.location().href().ok().and_then(non_empty),
        referrer: document.as_ref().map(|d| d.referrer()).and_then(non_empty),
        user_agent: ua,
        screen_resolution,
        // Read after start (see `timezone`).
        timezone: None,
        language: navigator.language().filter(|l| {
            !l.is_empty() && l.len() <= crate::core::model::MAX_LANGUAGE_LEN && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }),
    }
}

/// `navigator.userAgentData` (low-entropy values only), where the browser has it.
fn client_hints(navigator: &web_sys::Navigator) -> Option<ClientHints> {
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &JsValue::from_str(k)).ok();
    let data = get(navigator, "userAgentData").filter(|d| d.is_object())?;
    let mut brands = Vec::new();
    if let Some(list) = get(&data, "brands").filter(|b| js_sys::Array::is_array(b)) {
        for b in js_sys::Array::from(&list).iter().take(10) {
            if let (Some(brand), Some(version)) = (get(&b, "brand").and_then(|v| v.as_string()), get(&b, "version").and_then(|v| v.as_string())) {
                brands.push((brand, version));
            }
        }
    }
    Some(ClientHints {
        brands,
        platform: get(&data, "platform").and_then(|v| v.as_string()).unwrap_or_default(),
        mobile: get(&data, "mobile").and_then(|v| v.as_bool()).unwrap_or(false),
    })
}

/// The IANA time zone. The first `Intl.DateTimeFormat` of a page costs
/// 15–20 ms (measured in Chromium), so the agent reads it after start.
pub fn timezone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
    js_sys::Reflect::get(&options, &JsValue::from_str("timeZone")).ok()?.as_string().and_then(non_empty)
}

/// The current page, for a page view.
pub fn page_view() -> PageView {
    let Some(window) = web_sys::window() else { return PageView::default() };
    let location = window.location();
    let document = window.document();
    PageView {
        url: location.href().unwrap_or_default(),
        path: location.pathname().unwrap_or_default(),
        title: document.as_ref().map(|d| d.title()).unwrap_or_default(),
        referrer: document.as_ref().map(|d| d.referrer()).unwrap_or_default(),
        ..PageView::default()
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Resolves a configured endpoint (absolute, or a path) against the page.
pub fn resolve_url(endpoint: &str) -> Option<String> {
    // An absolute endpoint is used as it is (the configuration checked it):
    // the first `new URL()` of a page costs about 2 ms of start-up.
    if endpoint.starts_with("https://") || endpoint.starts_with("http://") {
        return Some(endpoint.to_string());
    }
    let base = web_sys::window()?.location().href().ok()?;
    web_sys::Url::new_with_base(endpoint, &base).ok().map(|u| u.href())
}

/// A one-shot callback, boxed: timers, idle and frame callbacks then share one
/// instantiation of wasm-bindgen's one-shot closure (each closure type costs
/// its own code).
pub type Once = Box<dyn FnOnce()>;

/// A timer that runs `f` once after `ms` (cancelled when dropped).
pub fn timeout(ms: u32, f: impl FnOnce() + 'static) -> gloo_timers::callback::Timeout {
    gloo_timers::callback::Timeout::new(ms, Box::new(f) as Once)
}

/// A one-shot JavaScript function that runs `f`.
pub fn once_js(f: impl FnOnce() + 'static) -> wasm_bindgen::JsValue {
    wasm_bindgen::closure::Closure::once_into_js(Box::new(f) as Once)
}

/// Runs `f` when the page is idle (`requestIdleCallback`, at most `timeout_ms`
/// later), or in the next task where the browser has no idle callbacks.
pub fn when_idle(timeout_ms: f64, f: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else { return };
    let cb = once_js(f);
    let ric = js_sys::Reflect::get(&window, &wasm_bindgen::JsValue::from_str("requestIdleCallback")).unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
    if let Some(ric) = ric.dyn_ref::<js_sys::Function>() {
        let opts = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&opts, &wasm_bindgen::JsValue::from_str("timeout"), &wasm_bindgen::JsValue::from_f64(timeout_ms));
        let _ = ric.call2(&window, &cb, &opts);
    } else {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 0);
    }
}
