//! Web Vitals in the browser: the observers and page events that feed the
//! core's [`WebVitals`] (all arithmetic lives in `core::vitals`).
//!
//! What is observed (each with `buffered: true`): `largest-contentful-paint`,
//! `paint`, `layout-shift`, and `event` + `first-input` (durationThreshold
//! 40 ms) on one observer; read once: the `navigation` and `visibility-state`
//! entries. Page events: trusted `keydown`/`click` finalise LCP,
//! `visibilitychange` to hidden reports what is due, `pageshow` from the
//! back/forward cache starts new measurements, and a prerendered page starts
//! at `prerenderingchange`.
//!
//! Nothing runs inside the page's own input handlers: the `keydown`/`click`
//! listeners only set a flag and ask for an idle callback; Event Timing
//! batches are handled in idle time too (or at once when the page is hidden,
//! as web-vitals does).

use crate::core::vitals::{
    input_finalizes_lcp, EventEntryType, EventTiming, InputKind, LayoutShift, LayoutShiftSource, LcpEntry, NavigationEntryType,
    NavigationTiming, PageStart, PaintEntry, PendingRecords, ResourceTiming, VisibilityState, VisibilityStateEntry, VitalIds,
    VitalReport, VitalsOptions, WebVitals,
};
use js_sys::{Array, Function, Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{PerformanceObserver, PerformanceObserverEntryList};

/// Where the reports go (the agent's pipeline).
pub type Sink = fn(Vec<VitalReport>);

/// web-vitals' `whenIdleOrHidden` gives idle callbacks this timeout.
const IDLE_TIMEOUT_MS: f64 = 1_000.0;
/// Longest selector web-vitals builds.
const MAX_SELECTOR_LEN: usize = 100;

type ObserverCallback = Closure<dyn FnMut(JsValue, JsValue)>;

struct State {
    vitals: WebVitals,
    sink: Sink,
    report_all_changes: bool,
    lcp: Option<PerformanceObserver>,
    paint: Option<PerformanceObserver>,
    shifts: Option<PerformanceObserver>,
    events: Option<PerformanceObserver>,
    /// Event Timing batches waiting for idle time, each handled on its own.
    queued_events: Vec<Vec<EventTiming>>,
    finalize_lcp_when_idle: bool,
    idle_requested: bool,
    /// Without `performance.interactionCount`: web-vitals' estimate from the
    /// interaction ids seen (min, max).
    interaction_ids: Option<(f64, f64)>,
    _observer_callbacks: Vec<ObserverCallback>,
    _listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

static STATE: super::global::Global<RefCell<Option<State>>> = super::global::Global::new(RefCell::new(None));

/// Runs `f` on the state; `None` if there is none or it is in use (never
/// re-entered; after a trap the borrow stays taken and the module goes quiet).
fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    STATE.with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.as_mut().map(f)))
}

/// Hands the reports to the sink outside of the state's borrow.
fn deliver(out: Option<(Sink, Vec<VitalReport>)>) {
    if let Some((sink, reports)) = out {
        if !reports.is_empty() {
            sink(reports);
        }
    }
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key).as_f64().unwrap_or(0.0)
}

fn string(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

fn performance() -> Option<web_sys::Performance> {
    web_sys::window()?.performance()
}

fn now() -> f64 {
    performance().map_or(0.0, |p| p.now())
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

fn hidden() -> bool {
    document().is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
}

fn prerendering() -> bool {
    document().is_some_and(|d| get(&d, "prerendering").as_bool() == Some(true))
}

fn entries_by_type(kind: &str) -> Array {
    performance().map_or_else(Array::new, |p| p.get_entries_by_type(kind))
}

/// Starts measuring: at once, or when a prerendered page is activated.
/// Does nothing without `PerformanceObserver`.
pub fn start(options: VitalsOptions, sink: Sink) {
    let Some(window) = web_sys::window() else { return };
    if get(&window, "PerformanceObserver").is_undefined() || STATE.with(|s| s.borrow().is_some()) {
        return;
    }
    if prerendering() {
        let on_activation = Closure::<dyn FnMut()>::new(move || {
            if STATE.with(|s| s.borrow().is_none()) {
                activate(options, sink);
            }
        });
        if let Some(doc) = document() {
            let _ = doc.add_event_listener_with_callback_and_bool("prerenderingchange", on_activation.as_ref().unchecked_ref(), true);
        }
        on_activation.forget();
    } else {
        activate(options, sink);
    }
}

fn random_ids() -> VitalIds {
    VitalIds::generate(js_sys::Date::now() as u64, js_sys::Math::random)
}

fn page_start() -> PageStart {
    let navigation = entries_by_type("navigation").get(0);
    let navigation = (!navigation.is_undefined()).then(|| NavigationTiming {
        entry_type: NavigationEntryType::parse(&string(&navigation, "type")),
        activation_start: num(&navigation, "activationStart"),
        worker_start: num(&navigation, "workerStart"),
        fetch_start: num(&navigation, "fetchStart"),
        domain_lookup_start: num(&navigation, "domainLookupStart"),
        connect_start: num(&navigation, "connectStart"),
        connect_end: num(&navigation, "connectEnd"),
        response_start: num(&navigation, "responseStart"),
    });
    let visibility_entries = entries_by_type("visibility-state")
        .iter()
        .filter_map(|e| {
            let name = match string(&e, "name").as_str() {
                "hidden" => VisibilityState::Hidden,
                "visible" => VisibilityState::Visible,
                _ => return None,
            };
            Some(VisibilityStateEntry { name, start_time: num(&e, "startTime") })
        })
        .collect();
    PageStart {
        navigation,
        now: now(),
        visibility_entries,
        hidden: hidden(),
        was_discarded: document().is_some_and(|d| get(&d, "wasDiscarded").as_bool() == Some(true)),
    }
}

fn supported_types() -> Array {
    let ctor = web_sys::window().map(|w| get(&w, "PerformanceObserver")).unwrap_or(JsValue::UNDEFINED);
    let types = get(&ctor, "supportedEntryTypes");
    if Array::is_array(&types) {
        types.unchecked_into()
    } else {
        Array::new()
    }
}

/// One observer for `types` (those the browser supports), `buffered: true`.
fn observe(
    supported: &Array,
    types: &[&str],
    duration_threshold: Option<f64>,
    handler: fn(Array),
    callbacks: &mut Vec<ObserverCallback>,
) -> Option<PerformanceObserver> {
    let wanted: Vec<&str> = types.iter().copied().filter(|t| supported.includes(&JsValue::from_str(t), 0)).collect();
    if wanted.is_empty() {
        return None;
    }
    let callback = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |list: JsValue, _observer: JsValue| {
        let list: PerformanceObserverEntryList = list.unchecked_into();
        handler(list.get_entries());
    });
    let po = PerformanceObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    for t in wanted {
        let init = Object::new();
        let _ = Reflect::set(&init, &JsValue::from_str("type"), &JsValue::from_str(t));
        let _ = Reflect::set(&init, &JsValue::from_str("buffered"), &JsValue::TRUE);
        if let Some(d) = duration_threshold {
            let _ = Reflect::set(&init, &JsValue::from_str("durationThreshold"), &JsValue::from_f64(d));
        }
        // `observe` throws on a bad option; a failed observer is simply absent.
        let observe_fn: Function = get(&po, "observe").unchecked_into();
        if observe_fn.call1(&po, &init).is_err() {
            po.disconnect();
            return None;
        }
    }
    callbacks.push(callback);
    Some(po)
}

fn activate(options: VitalsOptions, sink: Sink) {
    let Some(window) = web_sys::window() else { return };
    let supported = supported_types();
    let mut callbacks = Vec::new();
    let lcp = observe(&supported, &["largest-contentful-paint"], None, on_lcp, &mut callbacks);
    let paint = observe(&supported, &["paint"], None, on_paint, &mut callbacks);
    let shifts = observe(&supported, &["layout-shift"], None, on_shifts, &mut callbacks);
    let events = observe(&supported, &["event", "first-input"], Some(options.duration_threshold), on_events, &mut callbacks);
    let estimate = performance().is_some_and(|p| !Reflect::has(&p, &JsValue::from_str("interactionCount")).unwrap_or(false));
    if estimate {
        // web-vitals' polyfill: every interaction id seen (threshold 0 is clamped to 16).
        observe(&supported, &["event"], Some(0.0), on_all_events, &mut callbacks);
    }
    let state = State {
        vitals: WebVitals::new(&page_start(), options, random_ids()),
        sink,
        report_all_changes: options.report_all_changes,
        lcp,
        paint,
        shifts,
        events,
        queued_events: Vec::new(),
        finalize_lcp_when_idle: false,
        idle_requested: false,
        interaction_ids: estimate.then_some((f64::INFINITY, 0.0)),
        _observer_callbacks: callbacks,
        _listeners: Vec::new(),
    };
    STATE.with(|s| *s.borrow_mut() = Some(state));

    let mut listeners = Vec::new();
    let mut on = |kind: &str, f: fn(web_sys::Event)| {
        let c = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        let _ = window.add_event_listener_with_callback_and_bool(kind, c.as_ref().unchecked_ref(), true);
        listeners.push(c);
    };
    on("keydown", |ev| on_input(InputKind::Keydown, &ev));
    on("click", |ev| on_input(InputKind::Click, &ev));
    on("visibilitychange", on_visibility_change);
    on("pageshow", on_pageshow);
    let ready = document().is_some_and(|d| d.ready_state() == "complete");
    if ready {
        after_load();
    } else {
        on("load", |_| after_load());
    }
    with_state(|s| s._listeners = listeners);
}

/// TTFB in a task after `load` (web-vitals' `whenReady`).
fn after_load() {
    super::page::timeout(0, || {
        deliver(with_state(|s| (s.sink, s.vitals.on_load(now()))));
    })
    .forget();
}

fn on_lcp(list: Array) {
    let last_only = with_state(|s| !s.report_all_changes).unwrap_or(true);
    let len = list.length();
    let from = if last_only { len.saturating_sub(1) } else { 0 };
    let entries: Vec<LcpEntry> = (from..len).map(|i| lcp_entry(&list.get(i))).collect();
    deliver(with_state(|s| (s.sink, s.vitals.on_lcp_entries(&entries))));
}

fn on_paint(list: Array) {
    let entries: Vec<PaintEntry> = list.iter().map(|e| PaintEntry { name: string(&e, "name"), start_time: num(&e, "startTime") }).collect();
    deliver(with_state(|s| {
        let reports = s.vitals.on_paint_entries(&entries);
        if entries.iter().any(|e| e.name == crate::core::vitals::entries::FIRST_CONTENTFUL_PAINT) {
            if let Some(po) = s.paint.take() {
                po.disconnect();
            }
        }
        (s.sink, reports)
    }));
}

fn on_shifts(list: Array) {
    let entries: Vec<LayoutShift> = list.iter().map(|e| layout_shift(&e)).collect();
    deliver(with_state(|s| (s.sink, s.vitals.on_layout_shifts(&entries))));
}

fn on_events(list: Array) {
    let entries: Vec<EventTiming> = list.iter().map(|e| event_timing(&e)).collect();
    let now_hidden = hidden();
    with_state(|s| s.queued_events.push(entries));
    if now_hidden {
        deliver(with_state(|s| (s.sink, flush(s))));
    } else {
        request_idle();
    }
}

fn on_all_events(list: Array) {
    with_state(|s| {
        if let Some((min, max)) = s.interaction_ids.as_mut() {
            for e in list.iter() {
                let id = num(&e, "interactionId");
                if id > 0.0 {
                    *min = min.min(id);
                    *max = max.max(id);
                }
            }
        }
    });
}

/// `performance.interactionCount`, or web-vitals' estimate without it.
fn interaction_count(estimate: Option<(f64, f64)>) -> f64 {
    match estimate {
        Some((min, max)) if max > 0.0 => (max - min) / 7.0 + 1.0,
        Some(_) => 0.0,
        None => performance().map_or(0.0, |p| num(&p, "interactionCount")),
    }
}

/// What waited for idle time: Event Timing batches, then LCP finalisation.
fn flush(s: &mut State) -> Vec<VitalReport> {
    let mut out = Vec::new();
    s.idle_requested = false;
    for batch in std::mem::take(&mut s.queued_events) {
        let count = interaction_count(s.interaction_ids);
        out.extend(s.vitals.on_event_entries(&batch, count));
    }
    if std::mem::take(&mut s.finalize_lcp_when_idle) {
        // web-vitals v6 disconnects without reading pending records.
        out.extend(s.vitals.finalize_lcp(&[]));
        if let Some(po) = s.lcp.take() {
            po.disconnect();
        }
    }
    out
}

fn request_idle() {
    if with_state(|s| std::mem::replace(&mut s.idle_requested, true)).unwrap_or(true) {
        return;
    }
    super::page::when_idle(IDLE_TIMEOUT_MS, || deliver(with_state(|s| (s.sink, flush(s)))));
}

/// Trusted `keydown`/`click`: LCP is final once the page is idle. Only a
/// flag is set here, inside the page's event dispatch.
fn on_input(kind: InputKind, ev: &web_sys::Event) {
    if !input_finalizes_lcp(kind, ev.is_trusted()) {
        return;
    }
    let first = with_state(|s| s.lcp.is_some() && !std::mem::replace(&mut s.finalize_lcp_when_idle, true)).unwrap_or(false);
    if first {
        request_idle();
    }
}

fn on_visibility_change(ev: web_sys::Event) {
    if !hidden() {
        // Visible again: like an input, LCP is final (web-vitals counts a trusted visibilitychange).
        if ev.is_trusted() && with_state(|s| s.lcp.is_some()).unwrap_or(false) {
            with_state(|s| s.finalize_lcp_when_idle = true);
            request_idle();
        }
        return;
    }
    let timestamp = ev.time_stamp();
    deliver(with_state(|s| {
        let mut out = flush(s);
        let take = |po: &Option<PerformanceObserver>| po.as_ref().map(|p| p.take_records()).unwrap_or_default();
        let pending = PendingRecords {
            lcp: Vec::new(),
            layout_shifts: take(&s.shifts).iter().map(|e| layout_shift(&e)).collect(),
            events: take(&s.events).iter().map(|e| event_timing(&e)).collect(),
        };
        out.extend(s.vitals.on_hidden(timestamp, &pending, interaction_count(s.interaction_ids)));
        if let Some(po) = s.lcp.take() {
            po.disconnect();
        }
        (s.sink, out)
    }));
}

/// Back from the back/forward cache: new ids, TTFB 0, CLS and INP from zero;
/// LCP and FCP are the time to the second animation frame after `pageshow`.
fn on_pageshow(ev: web_sys::Event) {
    if get(&ev, "persisted").as_bool() != Some(true) {
        return;
    }
    let shown_at = ev.time_stamp();
    deliver(with_state(|s| {
        s.queued_events.clear();
        let count = interaction_count(s.interaction_ids);
        (s.sink, s.vitals.on_bfcache_restore(random_ids(), count, hidden()))
    }));
    // The clock is read first thing in the frame: the code behind it may be
    // compiled on its first call (wasm is compiled lazily), which takes
    // milliseconds that must not count.
    double_raf(move || {
        let painted_at = now();
        bfcache_painted(painted_at - shown_at);
    });
}

#[inline(never)]
fn bfcache_painted(elapsed: f64) {
    deliver(with_state(|s| (s.sink, s.vitals.on_bfcache_paint(elapsed))));
}

fn double_raf(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else { return };
    let second = super::page::once_js(move || {
        let inner = super::page::once_js(f);
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(inner.unchecked_ref());
        }
    });
    let _ = window.request_animation_frame(second.unchecked_ref());
}

fn lcp_entry(e: &JsValue) -> LcpEntry {
    let start_time = num(e, "startTime");
    let url = string(e, "url");
    let element = get(e, "element");
    let element = if element.is_object() {
        Some(selector(element.unchecked_ref())).filter(|s| !s.is_empty())
    } else {
        let id = string(e, "id");
        (!id.is_empty()).then(|| {
            let mut s = String::from("#");
            s.push_str(&id);
            s
        })
    };
    let resource = if url.is_empty() { None } else { resource_for(&url, start_time) };
    LcpEntry { start_time, render_time: num(e, "renderTime"), load_time: num(e, "loadTime"), size: num(e, "size"), element, url, resource }
}

/// The last `resource` entry for `url` whose request started before the paint.
fn resource_for(url: &str, lcp_start: f64) -> Option<ResourceTiming> {
    let all = entries_by_type("resource");
    (0..all.length()).rev().map(|i| all.get(i)).find_map(|r| {
        let timing = ResourceTiming { start_time: num(&r, "startTime"), request_start: num(&r, "requestStart"), response_end: num(&r, "responseEnd") };
        let begun = if timing.request_start != 0.0 { timing.request_start } else { timing.start_time };
        (string(&r, "name") == url && begun <= lcp_start).then_some(timing)
    })
}

fn layout_shift(e: &JsValue) -> LayoutShift {
    let sources = get(e, "sources");
    let sources = if Array::is_array(&sources) {
        Array::from(&sources)
            .iter()
            .map(|s| {
                let node = get(&s, "node");
                if node.is_object() {
                    let node: &web_sys::Node = node.unchecked_ref();
                    LayoutShiftSource { node: Some(selector(node)), is_element: node.node_type() == 1 }
                } else {
                    LayoutShiftSource { node: None, is_element: false }
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    LayoutShift {
        start_time: num(e, "startTime"),
        value: num(e, "value"),
        had_recent_input: get(e, "hadRecentInput").as_bool() == Some(true),
        sources,
    }
}

fn event_timing(e: &JsValue) -> EventTiming {
    let target = get(e, "target");
    let target = if target.is_object() {
        Some(selector(target.unchecked_ref())).filter(|s| !s.is_empty())
    } else {
        get(e, "targetSelector").as_string().filter(|s| !s.is_empty())
    };
    EventTiming {
        entry_type: if string(e, "entryType") == "first-input" { EventEntryType::FirstInput } else { EventEntryType::Event },
        name: string(e, "name"),
        interaction_id: num(e, "interactionId").max(0.0) as u64,
        start_time: num(e, "startTime"),
        processing_start: num(e, "processingStart"),
        processing_end: num(e, "processingEnd"),
        duration: num(e, "duration"),
        target,
    }
}

/// web-vitals' `getSelector`: `#id`, or `tag.classes` (sorted) joined by `>`
/// up to the nearest ancestor with an id, at most 100 characters. No text.
pub fn selector(node: &web_sys::Node) -> String {
    let mut sel = String::new();
    let mut current = Some(node.clone());
    while let Some(n) = current {
        if n.node_type() == 9 {
            break;
        }
        let el = n.dyn_ref::<web_sys::Element>();
        let id = el.map(|e| e.id()).unwrap_or_default();
        let part = if id.is_empty() {
            let name = n.node_name();
            let mut part = if n.node_type() == 1 { name.to_ascii_lowercase() } else { crate::core::text::trim_start_any(&name.to_ascii_uppercase(), b"#").to_string() };
            let classes = el.and_then(|e| e.get_attribute("class")).unwrap_or_default();
            let mut classes: Vec<&str> = classes.split_ascii_whitespace().collect();
            crate::core::sort::sort_by(&mut classes, |a, b| a < b);
            classes.dedup();
            for c in classes {
                part.push('.');
                part.push_str(c);
            }
            part
        } else {
            let mut part = String::from("#");
            part.push_str(&id);
            part
        };
        if crate::core::text::char_count(&sel) + crate::core::text::char_count(&part) > MAX_SELECTOR_LEN - 1 {
            return if sel.is_empty() { part } else { sel };
        }
        sel = if sel.is_empty() {
            part
        } else {
            let mut joined = part;
            joined.push('>');
            joined.push_str(&sel);
            joined
        };
        if !id.is_empty() {
            break;
        }
        current = n.parent_node();
    }
    sel
}
