//! What JavaScript calls. Each export is small: it reads the browser, calls
//! the core, and carries out the core's answer. The JavaScript wrapper
//! (`www/agent.js`) guards every call, so nothing here can break the page.

use super::{config, page, transport};
use crate::core::config::Config;
use crate::core::delivery::OutgoingBatch;
use crate::core::pipeline::Pipeline;
use gloo_timers::callback::Interval;
use serde_json::{Map, Value};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

struct Agent {
    pipeline: Pipeline,
    endpoint: String,
    in_flight: u32,
    _timer: Interval,
    _listeners: Vec<Closure<dyn FnMut()>>,
}

thread_local! {
    static AGENT: RefCell<Option<Agent>> = const { RefCell::new(None) };
}

fn with_agent<R>(f: impl FnOnce(&mut Agent) -> R) -> Option<R> {
    AGENT.with(|a| a.try_borrow_mut().ok().and_then(|mut a| a.as_mut().map(f)))
}

/// Starts the agent with the page's configuration. Throws one error naming
/// every bad field; the agent then stays inert.
#[wasm_bindgen]
pub fn start(config: JsValue) -> Result<(), JsError> {
    if AGENT.with(|a| a.borrow().is_some()) {
        return Err(JsError::new("telemetry: already started"));
    }
    let Some(input) = config::read(&config) else {
        return Err(JsError::new("telemetry: init(config) needs a configuration object"));
    };
    let config = Config::from_input(&input).map_err(|e| {
        let mut msg = String::from("telemetry: invalid configuration: ");
        msg.push_str(&e.to_string());
        JsError::new(&msg)
    })?;
    let Some(endpoint) = page::resolve_url(&config.endpoint) else {
        return Err(JsError::new("telemetry: invalid configuration: endpoint: cannot be resolved against the page URL"));
    };
    let interval = config.flush_interval_ms;
    let track_page_views = config.track_page_views;
    let session_id = uuid::Uuid::new_v4().hyphenated().to_string();
    let pipeline = Pipeline::new(config, session_id, page::context(), js_sys::Math::random());
    let timer = Interval::new(interval, || send_next(false));
    let listeners = listen_for_page_exit();
    AGENT.with(|a| {
        *a.borrow_mut() = Some(Agent { pipeline, endpoint, in_flight: 0, _timer: timer, _listeners: listeners })
    });
    if track_page_views {
        let now = page::now_ms();
        with_agent(|a| a.pipeline.page_view(page::page_view(), now));
        // The first page view goes out at once rather than at the first tick.
        send_next(true);
    }
    Ok(())
}

/// Records an event. Returns whether it was accepted.
#[wasm_bindgen]
pub fn track(name: JsValue, properties: JsValue) -> bool {
    let Some(name) = name.as_string() else { return false };
    let Some(props) = to_properties(&properties) else { return false };
    let now = page::now_ms();
    let Some((accepted, full)) = with_agent(|a| {
        let accepted = a.pipeline.track(&name, props, now).is_ok();
        (accepted, accepted && a.pipeline.batch_is_full())
    }) else {
        return false;
    };
    if full {
        send_next(true);
    }
    accepted
}

fn to_properties(value: &JsValue) -> Option<Map<String, Value>> {
    if value.is_undefined() || value.is_null() {
        return Some(Map::new());
    }
    if !value.is_object() || js_sys::Array::is_array(value) {
        return None;
    }
    let text = js_sys::JSON::stringify(value).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

/// Sends everything pending; the promise resolves with the number of events
/// the endpoint acknowledged.
#[wasm_bindgen]
pub fn flush() -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async {
        let mut acknowledged = 0u32;
        loop {
            let Some((batch, pending)) = take_and_start() else { break };
            let n = batch.len() as u32;
            let ok = settle(batch, pending).await;
            if !ok {
                break;
            }
            acknowledged += n;
        }
        Ok(JsValue::from(acknowledged))
    })
}

/// Counters of what the agent did.
#[wasm_bindgen(js_name = getStats)]
pub fn get_stats() -> JsValue {
    let obj = js_sys::Object::new();
    if let Some(s) = with_agent(|a| a.pipeline.stats()) {
        for (k, v) in [
            ("accepted", s.queue.accepted),
            ("sent", s.queue.sent),
            ("retried", s.queue.retried),
            ("dropped", s.queue.dropped),
            ("invalid", s.invalid),
            ("sampledOut", s.sampled_out),
            ("pending", s.pending),
        ] {
            let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), &JsValue::from_f64(v as f64));
        }
    }
    obj.into()
}

/// Takes the next batch and starts its request.
fn take_and_start() -> Option<(OutgoingBatch, Option<js_sys::Promise>)> {
    with_agent(|a| {
        let batch = a.pipeline.next_batch(page::now_ms())?;
        let pending = transport::start_post(&a.endpoint, &batch.body);
        a.in_flight += 1;
        Some((batch, pending))
    })
    .flatten()
}

/// Waits for the answer and tells the core; returns whether it was acknowledged.
async fn settle(batch: OutgoingBatch, pending: Option<js_sys::Promise>) -> bool {
    let outcome = transport::finish(pending).await;
    let ok = outcome.acknowledged();
    with_agent(|a| {
        a.in_flight -= 1;
        if ok {
            a.pipeline.delivered(batch);
        } else {
            a.pipeline.failed(batch);
        }
    });
    ok
}

/// The timer's tick (or a full batch): one request at a time unless `now`.
fn send_next(now: bool) {
    let busy = with_agent(|a| a.in_flight > 0 || !a.pipeline.has_pending()).unwrap_or(true);
    if busy && !now {
        return;
    }
    let Some((batch, pending)) = take_and_start() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        settle(batch, pending).await;
    });
}

/// Starts every pending batch at once: the page is being hidden or left.
fn send_all() {
    while let Some((batch, pending)) = take_and_start() {
        wasm_bindgen_futures::spawn_local(async move {
            settle(batch, pending).await;
        });
    }
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
            send_all();
        }
    });
    if let Some(doc) = window.document() {
        let _ = doc.add_event_listener_with_callback("visibilitychange", on_hidden.as_ref().unchecked_ref());
    }
    listeners.push(on_hidden);
    let on_pagehide = Closure::<dyn FnMut()>::new(send_all);
    let _ = window.add_event_listener_with_callback("pagehide", on_pagehide.as_ref().unchecked_ref());
    listeners.push(on_pagehide);
    listeners
}
