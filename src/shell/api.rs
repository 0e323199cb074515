//! What JavaScript calls. Each export is small: it reads the browser, calls
//! the core, and carries out the core's answer. The JavaScript wrapper
//! (`www/agent.js`) guards every call, so nothing here can break the page.

use super::{config, consent, delivery, errors, page, pages, transport, vitals};
use crate::core::errors::{ErrorSource, RawError};
use crate::core::model::{ErrorCategory, Severity};
use crate::core::consent::{Category, Decision};
use crate::core::config::Config;
use crate::core::pipeline::Pipeline;
use gloo_timers::callback::Interval;
use crate::core::value::{Map, Value};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;

pub(super) struct Agent {
    pub(super) pipeline: Pipeline,
    endpoint: String,
    _timer: Interval,
    _listeners: Vec<Closure<dyn FnMut()>>,
    _event_listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

static AGENT: super::global::Global<RefCell<Option<Agent>>> = super::global::Global::new(RefCell::new(None));

/// Set once the module has trapped (a Rust panic is a trap in the shipped
/// build): its state cannot be trusted then, so every entry point, the
/// module's own timers and listeners among them, returns at once.
static DISABLED: AtomicBool = AtomicBool::new(false);

/// The pipeline, for the delivery module.
pub(crate) fn with_pipeline<R>(f: impl FnOnce(&mut Pipeline) -> R) -> Option<R> {
    with_agent(|a| f(&mut a.pipeline))
}

pub(super) fn with_agent<R>(f: impl FnOnce(&mut Agent) -> R) -> Option<R> {
    if DISABLED.load(Ordering::Relaxed) {
        return None;
    }
    AGENT.with(|a| a.try_borrow_mut().ok().and_then(|mut a| a.as_mut().map(f)))
}

/// Called by the JavaScript side when a call into the module trapped.
#[wasm_bindgen]
pub fn halt() {
    DISABLED.store(true, Ordering::Relaxed);
}

/// The time zone is read in idle time, at the latest this long after start.
const TIMEZONE_IDLE_TIMEOUT_MS: f64 = 2_000.0;

/// Starts the agent with the page's configuration. Throws one error naming
/// every bad field; the agent then stays inert.
#[wasm_bindgen]
pub fn start(config: JsValue) -> Result<(), JsError> {
    if DISABLED.load(Ordering::Relaxed) {
        return Err(JsError::new("telemetry: disabled after an internal error"));
    }
    if AGENT.with(|a| a.borrow().is_some()) {
        return Err(JsError::new("telemetry: already started"));
    }
    let hook = js_sys::Reflect::get(&config, &JsValue::from_str("beforeSend")).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(input) = config::read(&config) else {
        return Err(JsError::new("telemetry: init(config) needs a configuration object"));
    };
    let config = Config::from_input(&input).map_err(|e| {
        let mut msg = String::from("telemetry: invalid configuration: ");
        e.write_to(&mut msg);
        JsError::new(&msg)
    })?;
    let Some(endpoint) = page::resolve_url(&config.endpoint) else {
        return Err(JsError::new("telemetry: invalid configuration: endpoint: cannot be resolved against the page URL"));
    };
    let interval = config.flush_interval_ms;
    let (batch_size, max_batch_bytes) = (config.batch_size as usize, config.max_batch_bytes as usize);
    let (max_stored, max_stored_bytes, stats_interval) = (config.max_stored_events, config.max_stored_bytes, config.stats_interval_ms);
    let vitals_options = config.track_web_vitals.then(|| crate::core::vitals::VitalsOptions { report_all_changes: config.report_all_changes, ..Default::default() });
    let initial_consent = consent::initial(&config);
    let now = page::now_ms();
    let sessions = pages::session(&config, &initial_consent, now);
    let pages_config = config.clone();
    transport::use_otlp((config.wire_format == crate::core::config::WireFormat::Otlp).then(|| config.service_name.clone()));
    let mut pipeline = Pipeline::new(config, sessions.id().to_string(), page::context(), initial_consent, js_sys::Math::random());
    pipeline.attach_sessions(sessions);
    if let Some(f) = hook {
        pipeline.set_send_hook(Some(Box::new(move |json: &str| before_send(&f, json))));
    }
    delivery::init(endpoint.clone(), batch_size, max_batch_bytes, max_stored, max_stored_bytes, stats_interval);
    let timer = Interval::new(interval, || {
        with_agent(|a| a.pipeline.report_suppressed(page::now_ms()));
        delivery::tick()
    });
    let listeners = listen_for_page_exit();
    let event_listeners = listen_for_errors();
    AGENT.with(|a| {
        *a.borrow_mut() = Some(Agent { pipeline, endpoint, _timer: timer, _listeners: listeners, _event_listeners: event_listeners })
    });
    // Page views (the first goes out as soon as it has settled), page leave, the session.
    pages::start(&pages_config, now);
    pages::persist_session();
    // The rest waits for the next task, so that init() resolves (and the
    // page's first events are recorded) without it: the observers are
    // buffered, they see the entries from before them, and nothing else
    // reads their state before their first callback.
    page::timeout(0, move || {
        if with_agent(|_| ()).is_none() {
            return; // shut down in between
        }
        // The first Intl.DateTimeFormat of a page costs 15-25 ms: read in idle
        // time, or when the first page view settles, whichever comes first.
        page::when_idle(TIMEZONE_IDLE_TIMEOUT_MS, ensure_timezone);
        if let Some(options) = vitals_options {
            vitals::start(options, record_vitals);
        }
    })
    .forget();
    Ok(())
}

/// A promise of `f`'s result. One instantiation of `future_to_promise` for
/// every export that returns a promise (each costs ~1.5 KB of code).
fn promise(f: impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static) -> js_sys::Promise {
    let f: std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>> = Box::pin(f);
    wasm_bindgen_futures::future_to_promise(f)
}

/// Reads the time zone once, for this and every later event.
pub(super) fn ensure_timezone() {
    if with_agent(|a| a.pipeline.has_timezone()) == Some(false) {
        if let Some(tz) = page::timezone() {
            with_agent(|a| a.pipeline.complete_timezone(tz));
        }
    }
}

/// Stops the agent: closes the current page view, sends what is pending, then
/// lets go of timers and state. Resolves with the number of events acknowledged.
#[wasm_bindgen]
pub fn shutdown() -> js_sys::Promise {
    pages::stop(page::now_ms());
    let flushed = flush();
    promise(async move {
        let acknowledged = wasm_bindgen_futures::JsFuture::from(flushed).await.unwrap_or(JsValue::from(0));
        AGENT.with(|a| {
            if let Some(agent) = a.try_borrow_mut().ok().and_then(|mut a| a.take()) {
                // Listeners stay registered on the page; kept alive, they find no agent and return.
                std::mem::forget(agent._listeners);
                std::mem::forget(agent._event_listeners);
            }
        });
        Ok(acknowledged)
    })
}

/// Web Vitals reports (from `vitals`) become metric events.
fn record_vitals(reports: Vec<crate::core::vitals::VitalReport>) {
    let now = page::now_ms();
    with_agent(|a| {
        for r in &reports {
            let _ = a.pipeline.vital(r, now);
        }
    });
}

/// Runs the site's `beforeSend(event)` on an event as it leaves memory (to be
/// stored or sent; already masked). It may change the event and return it, or
/// return nothing to drop it; an exception drops it too. Either way the page
/// sees no error from the agent, and the drop is counted (`droppedByHook`).
/// The event's `id` and `kind` must stay: they identify it for storage and
/// the endpoint's de-duplication.
fn before_send(f: &js_sys::Function, json: &str) -> Option<String> {
    let event = js_sys::JSON::parse(json).ok()?;
    let field = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &JsValue::from_str(k)).ok();
    let (id, kind) = (field(&event, "id"), field(&event, "kind"));
    let out = f.call1(&JsValue::NULL, &event).ok()?;
    if !out.is_object() || field(&out, "id") != id || field(&out, "kind") != kind {
        return None;
    }
    js_sys::JSON::stringify(&out).ok()?.as_string()
}

/// Records an event. Returns whether it was accepted.
#[wasm_bindgen]
pub fn track(name: &str, properties: JsValue) -> bool {
    let Some(props) = to_properties(&properties) else {
        with_agent(|a| a.pipeline.note_rejected());
        return false;
    };
    let now = page::now_ms();
    let Some((accepted, full, rotated)) = with_agent(|a| {
        let accepted = a.pipeline.track(name, props, now).is_ok();
        (accepted, accepted && a.pipeline.take_batch_due(), a.pipeline.take_session_rotated())
    }) else {
        return false;
    };
    if full {
        send_next(true);
    } else if accepted {
        delivery::persist_soon(delivery::PERSIST_DELAY_MS);
    }
    if rotated {
        pages::persist_session();
    }
    accepted
}

fn to_properties(value: &JsValue) -> Option<Map> {
    // agent.js hands over the members as a flat list `[key, value, ...]` (the
    // common case: clean.js's flatMembers), a cleaned object, or nothing.
    if js_sys::Array::is_array(value) {
        let list = value.unchecked_ref::<js_sys::Array>();
        return Some(read_members(list, list, list.length() / 2, 2, 0));
    }
    if !value.is_object() {
        return (value.is_undefined() || value.is_null()).then(Map::new);
    }
    Some(members_of(value, 0))
}

/// Deeper values become `null` (the page's input was cleaned to 10 levels already).
const MAX_JSON_DEPTH: u32 = 32;

/// Plain JSON data (what `clean.js` made of the page's input) read straight
/// from the JavaScript value: no `JSON.stringify` and no parse of its text.
fn json_of(v: &JsValue, depth: u32) -> Value {
    if v.is_string() {
        return Value::String(v.as_string().unwrap_or_default());
    }
    // clean.js leaves finite numbers only, and Number.isFinite is true for nothing
    // else: the number is then read as the call's result, not through memory.
    if js_sys::Number::is_finite(v) {
        let n = v.unchecked_into_f64();
        return if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
            Value::from(n as i64)
        } else {
            Value::from(n)
        };
    }
    if let Some(b) = v.as_bool() {
        return Value::Bool(b);
    }
    if !v.is_object() || depth >= MAX_JSON_DEPTH {
        return Value::Null;
    }
    if js_sys::Array::is_array(v) {
        return Value::Array(js_sys::Array::from(v).iter().map(|item| json_of(&item, depth + 1)).collect());
    }
    Value::Object(members_of(v, depth))
}

/// An object's own enumerable members (two calls into JavaScript for the
/// object, then one per key and one or two per value).
fn members_of(v: &JsValue, depth: u32) -> Map {
    let object = v.unchecked_ref::<js_sys::Object>();
    let (keys, values) = (js_sys::Object::keys(object), js_sys::Object::values(object));
    read_members(&keys, &values, keys.length().min(values.length()), 1, depth)
}

/// `count` members, the i-th key at `keys[i * step]` and its value at
/// `values[i * step + step - 1]`: an object's keys and values (step 1), or a
/// flat list `[key, value, ...]` as both (step 2).
fn read_members(keys: &js_sys::Array, values: &js_sys::Array, count: u32, step: u32, depth: u32) -> Map {
    let mut map = Map::new();
    for i in 0..count {
        if let Some(k) = keys.get(i * step).as_string() {
            map.insert(k, json_of(&values.get(i * step + step - 1), depth + 1));
        }
    }
    map
}

/// Sends everything pending; the promise resolves with the number of events
/// the endpoint acknowledged.
#[wasm_bindgen]
pub fn flush() -> js_sys::Promise {
    with_agent(|a| a.pipeline.report_suppressed(page::now_ms()));
    promise(async { Ok(JsValue::from(delivery::flush().await)) })
}

/// Grants or denies consent categories (`"analytics"`, `["analytics", "marketing"]`,
/// `"full"`). Returns the consent state, or `undefined` when a category is unknown.
#[wasm_bindgen(js_name = consentUpdate)]
pub fn consent_update(categories: JsValue, granted: bool) -> JsValue {
    let Some(list) = categories_of(&categories) else { return JsValue::UNDEFINED };
    let decision = if granted { Decision::Granted } else { Decision::Denied };
    let changed = with_agent(|a| {
        a.pipeline.set_consent(&list, decision);
        consent::store(a.pipeline.config(), a.pipeline.consent(), page::now_ms());
    });
    if changed.is_some() {
        pages::persist_session();
        send_next(true);
    }
    consent_get()
}

fn categories_of(value: &JsValue) -> Option<Vec<Category>> {
    let words: Vec<String> = if let Some(s) = value.as_string() {
        vec![s]
    } else if js_sys::Array::is_array(value) {
        js_sys::Array::from(value).iter().map(|v| v.as_string()).collect::<Option<_>>()?
    } else {
        return None;
    };
    let mut out = Vec::new();
    for w in &words {
        out.extend_from_slice(Category::expand(w)?);
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

/// Withdraws consent: stops sending and erases what the agent holds and stored.
#[wasm_bindgen(js_name = consentRevoke)]
pub fn consent_revoke() -> JsValue {
    with_agent(|a| a.pipeline.revoke());
    delivery::erase();
    consent::erase_local();
    consent_get()
}

/// `{necessary, analytics, marketing, privacySignal}`.
#[wasm_bindgen(js_name = consentGet)]
pub fn consent_get() -> JsValue {
    let obj = js_sys::Object::new();
    with_agent(|a| {
        let c = a.pipeline.consent();
        for cat in Category::ALL {
            let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(cat.as_str()), &JsValue::from_str(c.get(cat).as_str()));
        }
        let _ = js_sys::Reflect::set(&obj, &JsValue::from_str("privacySignal"), &JsValue::from_bool(c.privacy_signal()));
    });
    obj.into()
}

/// Right to erasure: erases everything local, then asks the endpoint to
/// delete what it holds for this visitor's ids. Resolves with the number of
/// rows the endpoint deleted (`-1` when it could not be asked).
#[wasm_bindgen]
pub fn forget() -> js_sys::Promise {
    let target = with_agent(|a| {
        let mut ids = vec![a.pipeline.session_id().to_string()];
        if let Some(u) = a.pipeline.user_id() {
            ids.push(u.to_string());
        }
        a.pipeline.revoke();
        (erasure_url(&a.endpoint), ids)
    });
    delivery::erase();
    consent::erase_local();
    promise(async move {
        let Some((Some(url), ids)) = target else { return Ok(JsValue::from_f64(-1.0)) };
        let subjects = js_sys::Array::new();
        for id in &ids {
            subjects.push(&JsValue::from_str(id));
        }
        let body = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&body, &JsValue::from_str("subjects"), &subjects);
        let text = js_sys::JSON::stringify(&body).ok().and_then(|s| s.as_string()).unwrap_or_default();
        let deleted = transport::post_json_reply(&url, &text).await.and_then(|reply| {
            js_sys::Reflect::get(&reply, &JsValue::from_str("deleted")).ok()?.as_f64()
        });
        Ok(JsValue::from_f64(deleted.unwrap_or(-1.0)))
    })
}

/// `…/v1/batch` → `…/v1/erasure`.
fn erasure_url(endpoint: &str) -> Option<String> {
    web_sys::Url::new_with_base("erasure", endpoint).ok().map(|u| u.href())
}

/// Sets the user id (sent only with marketing consent); `null` clears it.
/// Traits (an object) are recorded as an `identify` event under the same consent.
#[wasm_bindgen]
pub fn identify(user_id: JsValue, traits: JsValue) -> bool {
    let id = if user_id.is_null() || user_id.is_undefined() {
        None
    } else {
        match user_id.as_string() {
            Some(s) if !crate::core::text::is_blank(&s) => Some(s),
            _ => {
                with_agent(|a| a.pipeline.note_rejected());
                return false;
            }
        }
    };
    let traits = to_properties(&traits).unwrap_or_default();
    let now = page::now_ms();
    with_agent(|a| match id {
        Some(id) => a.pipeline.identify_with_traits(id, traits, now).is_ok(),
        None => {
            a.pipeline.identify(None);
            true
        }
    })
    .unwrap_or(false)
}

/// Masks personal data in a text the way the agent masks events (emails,
/// card and phone numbers, IPs, SSNs, IBANs, tokens, secrets in URLs).
#[wasm_bindgen(js_name = maskText)]
pub fn mask_text(text: &str) -> String {
    crate::core::privacy::Masker::default().mask(text).into_owned()
}

/// Counters of what the agent did.
#[wasm_bindgen(js_name = getStats)]
pub fn get_stats() -> JsValue {
    let obj = js_sys::Object::new();
    if let Some(s) = with_agent(|a| a.pipeline.stats()) {
        let d = delivery::stats();
        for (k, v) in [
            ("accepted", s.queue.accepted),
            ("sent", s.queue.sent + d.sent),
            ("retried", s.queue.retried + d.retried),
            ("stored", d.stored),
            ("storedNow", d.stored_now),
            // Batches the endpoint refused (4xx) and calls refused for bad input.
            ("rejected", d.rejected + s.rejected),
            ("beacons", d.beacons),
            ("dropped", s.queue.dropped + d.evicted),
            ("droppedByHook", s.queue.dropped_by_hook),
            ("invalid", s.invalid),
            ("sampledOut", s.sampled_out),
            ("pending", s.pending + d.stored_now),
            ("held", s.held),
            ("heldDropped", s.held_dropped),
            ("denied", s.denied),
            ("cleaned", s.cleaned),
            ("errorsReported", s.errors.reported),
            ("errorsSuppressed", s.errors.suppressed),
            ("errorsSampledOut", s.errors.sampled_out),
        ] {
            let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), &JsValue::from_f64(v as f64));
        }
        let _ = js_sys::Reflect::set(&obj, &JsValue::from_str("breaker"), &JsValue::from_str(delivery::breaker_state()));
    }
    obj.into()
}

/// A full batch, a consent grant: persist and send now rather than at the next tick.
pub(super) fn send_next(_now: bool) {
    delivery::tick();
}

/// The page is being left: everything pending goes out at once.
pub(super) fn send_all() {
    with_agent(|a| a.pipeline.report_suppressed(page::now_ms()));
    delivery::page_exit();
}

fn listen_for_page_exit() -> Vec<Closure<dyn FnMut()>> {
    let Some(window) = web_sys::window() else { return Vec::new() };
    let mut listeners = Vec::new();
    let on_hidden = Closure::<dyn FnMut()>::new(|| {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .map(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
            .unwrap_or(false);
        if hidden {
            with_agent(|a| a.pipeline.report_suppressed(page::now_ms()));
            delivery::page_exit();
        }
    });
    if let Some(doc) = window.document() {
        let _ = doc.add_event_listener_with_callback("visibilitychange", on_hidden.as_ref().unchecked_ref());
    }
    listeners.push(on_hidden);
    let on_pagehide = Closure::<dyn FnMut()>::new(delivery::page_exit);
    let _ = window.add_event_listener_with_callback("pagehide", on_pagehide.as_ref().unchecked_ref());
    listeners.push(on_pagehide);
    let on_online = Closure::<dyn FnMut()>::new(delivery::tick);
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    listeners.push(on_online);
    listeners
}

fn capture(raw: RawError) -> bool {
    let full = with_agent(|a| {
        let made = a.pipeline.capture_error(raw, js_sys::Math::random()).unwrap_or(false);
        (made, a.pipeline.batch_is_full())
    });
    match full {
        Some((made, full)) => {
            if full {
                send_next(true);
            }
            made
        }
        None => false,
    }
}

fn add_crumb(category: &str, message: Option<String>, data: Map) {
    let crumb = errors::crumb(category, message, data, page::now_ms());
    with_agent(|a| a.pipeline.add_breadcrumb(crumb));
}

fn listen_for_errors() -> Vec<Closure<dyn FnMut(web_sys::Event)>> {
    let Some(window) = web_sys::window() else { return Vec::new() };
    let Some(document) = window.document() else { return Vec::new() };
    let mut out = Vec::new();
    let mut on = |target: &web_sys::EventTarget, kind: &str, capture: bool, f: fn(web_sys::Event)| {
        let c = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        let _ = target.add_event_listener_with_callback_and_bool(kind, c.as_ref().unchecked_ref(), capture);
        out.push(c);
    };
    on(&window, "error", true, |ev| {
        if let Some(raw) = errors::from_error_event(&ev, page::now_ms()) {
            capture(raw);
        }
    });
    on(&window, "unhandledrejection", false, |ev| {
        if let Some(raw) = errors::from_rejection(&ev, page::now_ms()) {
            capture(raw);
        }
    });
    on(&document, "securitypolicyviolation", false, |ev| {
        capture(errors::from_csp(&ev, page::now_ms()));
    });
    on(&document, "click", true, |ev| {
        if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            add_crumb("click", Some(errors::selector(&el)), Map::new());
        }
    });
    on(&window, "popstate", false, |_| {
        let mut data = Map::new();
        data.insert("to".into(), Value::String(page::page_view().url));
        add_crumb("navigation", Some("popstate".into()), data);
    });
    on(&window, "hashchange", false, |_| {
        let mut data = Map::new();
        data.insert("to".into(), Value::String(page::page_view().url));
        add_crumb("navigation", Some("hashchange".into()), data);
    });
    out
}

fn severity_of(v: &JsValue) -> Option<Severity> {
    match v.as_string()?.to_ascii_uppercase().as_str() {
        "CRITICAL" | "FATAL" => Some(Severity::Critical),
        "ERROR" => Some(Severity::Error),
        "WARNING" | "WARN" => Some(Severity::Warning),
        "INFO" | "LOG" => Some(Severity::Info),
        "DEBUG" => Some(Severity::Debug),
        _ => None,
    }
}

fn category_of(v: &JsValue) -> Option<ErrorCategory> {
    ErrorCategory::parse(&v.as_string()?)
}

fn string_tags(v: &JsValue) -> crate::core::vec_map::VecMap<String> {
    let mut tags = crate::core::vec_map::VecMap::new();
    if v.is_object() {
        let entries = js_sys::Object::entries(v.unchecked_ref());
        for e in entries.iter().take(crate::core::errors::MAX_TAGS) {
            let pair = js_sys::Array::from(&e);
            if let (Some(k), val) = (pair.get(0).as_string(), pair.get(1)) {
                let text = errors::text_of(&val);
                tags.insert(k, text);
            }
        }
    }
    tags
}

/// `captureException(error, tags?, severity?, category?)`: any thrown value.
#[wasm_bindgen(js_name = captureException)]
pub fn capture_exception(error: JsValue, tags: JsValue, severity: JsValue, category: JsValue) -> bool {
    let mut raw = errors::describe(ErrorSource::Manual, &error, page::now_ms());
    raw.tags = string_tags(&tags);
    raw.severity = severity_of(&severity);
    raw.category = category_of(&category);
    capture(raw)
}

/// `captureMessage(text, severity?)`.
#[wasm_bindgen(js_name = captureMessage)]
pub fn capture_message(message: JsValue, severity: JsValue) -> bool {
    let Some(text) = message.as_string() else { return false };
    let mut raw = RawError::new(ErrorSource::Message, text, page::now_ms());
    raw.severity = severity_of(&severity);
    capture(raw)
}

/// A record of the loader's stub, made before the module was ready.
#[wasm_bindgen(js_name = capturePreload)]
pub fn capture_preload(record: JsValue) -> bool {
    capture(errors::from_preload(&record, page::now_ms()))
}

#[wasm_bindgen(js_name = addBreadcrumb)]
pub fn add_breadcrumb(category: JsValue, message: JsValue, data: JsValue) -> bool {
    let Some(category) = category.as_string().filter(|c| !crate::core::text::is_blank(c)) else { return false };
    let data = to_properties(&data).unwrap_or_default();
    add_crumb(&category, message.as_string(), data);
    true
}

/// A fetch or XHR call finished (status 0: it failed): a breadcrumb, and an
/// error when `capture` and it failed or answered 5xx.
#[wasm_bindgen(js_name = recordRequest)]
pub fn record_request(kind: &str, method: &str, url: &str, status: u16, duration_ms: f64, capture_failures: bool) {
    let mut data = Map::new();
    data.insert("method".into(), Value::String(method.to_ascii_uppercase()));
    data.insert("url".into(), Value::String(url.to_string()));
    data.insert("status".into(), Value::from(status));
    data.insert("durationMs".into(), Value::from(duration_ms.max(0.0) as u64));
    add_crumb(kind, None, data);
    if capture_failures && (status == 0 || status >= 500) {
        let mut msg = String::from(if status == 0 { "Request failed: " } else { "Request answered " });
        if status != 0 {
            crate::core::model::write_u64(&mut msg, status as u64);
            msg.push_str(": ");
        }
        msg.push_str(&method.to_ascii_uppercase());
        msg.push(' ');
        msg.push_str(url);
        let mut raw = RawError::new(ErrorSource::Network, msg, page::now_ms());
        raw.http_status = Some(status).filter(|s| *s != 0);
        raw.url = Some(url.to_string());
        capture(raw);
    }
}

/// A console.error / console.warn call: a breadcrumb, and an error when `capture`.
#[wasm_bindgen(js_name = recordConsole)]
pub fn record_console(level: &str, text: &str, capture_it: bool) {
    let mut data = Map::new();
    data.insert("level".into(), Value::String(level.to_string()));
    add_crumb("console", Some(crate::core::text::take_chars(&text, 300).to_string()), data);
    if capture_it {
        capture(RawError::new(ErrorSource::Console, text.to_string(), page::now_ms()));
    }
}
