//! Browser-shell tests in headless Chromium (wasm-bindgen-test).
//! Run: CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test web
#![cfg(target_arch = "wasm32")]

use telemetry_agent::core::config::Config;
use telemetry_agent::core::model::Event;
use telemetry_agent::shell::{api, config, page, transport};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn stat(name: &str) -> f64 {
    js_sys::Reflect::get(&api::get_stats(), &JsValue::from_str(name)).unwrap().as_f64().unwrap_or(-1.0)
}

#[wasm_bindgen_test]
fn the_page_context_is_valid_for_the_data_model() {
    let ctx = page::context();
    let ua = web_sys::window().unwrap().navigator().user_agent().unwrap();
    assert_eq!(ctx.user_agent.as_deref(), Some(ua.as_str()));
    let screen = web_sys::window().unwrap().screen().unwrap();
    let expected = format!("{}x{}", screen.width().unwrap(), screen.height().unwrap());
    assert_eq!(ctx.screen_resolution.as_deref(), Some(expected.as_str()));
    assert!(ctx.url.as_deref().unwrap().starts_with("http://127.0.0.1:"));
    // The time zone is read after start (its first read costs 15-20 ms) and filled in.
    assert_eq!(ctx.timezone, None);
    let tz = page::timezone().expect("Intl gives the time zone");
    assert!(!tz.is_empty());
    assert!(ctx.browser.as_deref().unwrap().contains("Chrom"));
    // From User-Agent Client Hints where the browser has them.
    let nav = web_sys::window().unwrap().navigator();
    assert_eq!(ctx.language, nav.language());
    if js_sys::Reflect::has(&nav, &JsValue::from_str("userAgentData")).unwrap_or(false) {
        assert_eq!(ctx.os.as_deref(), Some("Linux"));
    }
    // The context goes into a real event that passes validation.
    let mut p = telemetry_agent::core::pipeline::Pipeline::new(
        Config::from_input(&config::read(&obj(&[("endpoint", "/v1/batch".into())])).unwrap()).unwrap(),
        "s".into(),
        ctx,
        telemetry_agent::core::consent::Consent::new(
            telemetry_agent::core::consent::Decision::Granted,
            telemetry_agent::core::consent::Decision::Granted,
            false,
        ),
        0.0,
    );
    p.page_view(page::page_view(), page::now_ms()).unwrap();
    p.complete_timezone(tz.clone());
    let batch = p.next_batch(page::now_ms()).unwrap();
    let parsed = telemetry_agent::core::model::ParsedBatch::parse(batch.body.as_bytes()).unwrap();
    let Ok(Event::Analytics(view)) = &parsed.events[0] else { panic!("not an analytics event") };
    assert_eq!(view.context.timezone.as_deref(), Some(tz.as_str()));
}

#[wasm_bindgen_test]
fn configuration_is_read_from_a_javascript_object_with_types_kept() {
    let input = config::read(&obj(&[
        ("endpoint", "/v1/batch".into()),
        ("sampleRate", JsValue::from_str("0.5")),
        ("batchSize", JsValue::from_f64(10.0)),
        ("debug", JsValue::TRUE),
        ("release", "abc123".into()),
    ]))
    .unwrap();
    let err = Config::from_input(&input).unwrap_err();
    assert_eq!(err.fields(), vec!["sampleRate"]);
    // Lists are read item by item; a nested list (however deep) is a bad item, not recursed into.
    let mut deep: JsValue = js_sys::Array::of1(&"customer_ref".into()).into();
    for _ in 0..100_000 {
        deep = js_sys::Array::of1(&deep).into();
    }
    let lists = config::read(&obj(&[
        ("endpoint", "/v1/batch".into()),
        ("allowList", js_sys::Array::of2(&"help@shop.example".into(), &"+1 800 555 0100".into()).into()),
        ("maskKeys", deep),
    ]))
    .unwrap();
    assert_eq!(Config::from_input(&lists).unwrap_err().fields(), vec!["maskKeys"]);
    assert!(config::read(&JsValue::from_str("nope")).is_none());
    assert!(config::read(&JsValue::UNDEFINED).is_none());
}

#[wasm_bindgen_test]
async fn a_rejected_batch_is_dropped_and_counted() {
    // Invalid configuration: one error naming every bad field, agent inert.
    let err = api::start(obj(&[("endpoint", JsValue::from_f64(1.0)), ("debug", "yes".into())])).unwrap_err();
    let msg: JsValue = err.into();
    let msg = js_sys::Reflect::get(&msg, &"message".into()).unwrap().as_string().unwrap();
    assert_eq!(msg, "telemetry: invalid configuration: endpoint: must be an http(s) URL or a path starting with /; debug: must be true or false");
    assert!(!api::track("x", JsValue::UNDEFINED));

    // The test server answers 404 for this path: a 4xx other than 408/429
    // will never be accepted, so the batch is dropped and counted as rejected.
    api::start(obj(&[
        ("endpoint", "/no-such-endpoint".into()),
        ("trackPageViews", JsValue::FALSE),
        ("trackWebVitals", JsValue::FALSE),
        ("defaultConsent", "granted".into()),
    ]))
    .unwrap();
    assert!(api::track("first", obj(&[("n", JsValue::from_f64(1.0))])));
    assert!(api::track("second", JsValue::UNDEFINED));
    // agent.js hands the common case over as a flat member list (clean.js's flatMembers).
    let flat = js_sys::Array::of2(&"n".into(), &JsValue::from_f64(2.0));
    assert!(api::track("flat", flat.into()));
    assert!(!api::track("num", JsValue::from_f64(5.0)), "properties must be an object or a member list");
    let acked = JsFuture::from(api::flush()).await.unwrap();
    assert_eq!(acked.as_f64(), Some(0.0));
    assert_eq!(stat("accepted"), 3.0);
    // The three events the endpoint refused and the refused call.
    assert_eq!(stat("rejected"), 4.0);
    assert_eq!(stat("pending"), 0.0);
    assert_eq!(stat("retried"), 0.0);
    assert_eq!(stat("sent"), 0.0);
}

#[wasm_bindgen_test]
async fn a_closed_port_is_a_network_error() {
    let outcome = transport::finish(transport::start_post("http://127.0.0.1:9/v1/batch", &transport::payload("{}"))).await;
    assert_eq!(outcome, telemetry_agent::core::retry::Outcome::NetworkError);
}

/// The body as sent is what the browser's own gzip decoder (`DecompressionStream`) reads back.
#[wasm_bindgen_test]
async fn large_bodies_are_gzip_that_the_browser_itself_inflates() {
    use wasm_bindgen::JsCast;
    let small = transport::payload("{\"v\":1}");
    assert!(!small.gzip, "small bodies go as they are");
    let mut body = String::from("{\"v\":1,\"sentAt\":1,\"events\":[");
    for i in 0..200 {
        body.push_str(&format!("{}{{\"kind\":\"analytics\",\"event\":\"e\",\"n\":{i},\"text\":\"h\u{e9}llo \\u2603 \u{1F600}\"}}", if i > 0 { "," } else { "" }));
    }
    body.push_str("]}");
    let p = transport::payload(&body);
    assert!(p.gzip);
    assert!(p.len * 5 < body.len(), "{} bytes of {}", p.len, body.len());
    let global = js_sys::global();
    let ctor: js_sys::Function = js_sys::Reflect::get(&global, &"DecompressionStream".into()).unwrap().dyn_into().unwrap();
    let ds = js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(&"gzip".into())).unwrap();
    let response_ctor: js_sys::Function = js_sys::Reflect::get(&global, &"Response".into()).unwrap().dyn_into().unwrap();
    let blob_response = js_sys::Reflect::construct(&response_ctor, &js_sys::Array::of1(&p.body)).unwrap();
    let stream = js_sys::Reflect::get(&blob_response, &"body".into()).unwrap();
    let pipe: js_sys::Function = js_sys::Reflect::get(&stream, &"pipeThrough".into()).unwrap().dyn_into().unwrap();
    let inflated = pipe.call1(&stream, &ds).unwrap();
    let out = js_sys::Reflect::construct(&response_ctor, &js_sys::Array::of1(&inflated)).unwrap();
    let text: js_sys::Function = js_sys::Reflect::get(&out, &"text".into()).unwrap().dyn_into().unwrap();
    let text = JsFuture::from(text.call0(&out).unwrap().dyn_into::<js_sys::Promise>().unwrap()).await.unwrap();
    assert_eq!(text.as_string().as_deref(), Some(body.as_str()));
}

#[wasm_bindgen_test]
fn vitals_selectors_are_built_the_way_web_vitals_builds_them() {
    use telemetry_agent::shell::vitals::selector;
    use wasm_bindgen::JsCast;
    let doc = web_sys::window().unwrap().document().unwrap();
    let host = doc.create_element("div").unwrap();
    host.set_id("vitals-host");
    host.set_inner_html(r#"<main class="wide  card wide"><p>Some <b>text</b></p></main><section><div class="x"></div></section>"#);
    doc.document_element().unwrap().append_child(&host).unwrap();
    let p = host.query_selector("main p").unwrap().unwrap();
    assert_eq!(selector(&p), "#vitals-host>main.card.wide>p", "classes sorted and deduplicated, up to the nearest id");
    let text = p.first_child().unwrap();
    assert_eq!(selector(&text), "#vitals-host>main.card.wide>p>TEXT");
    assert_eq!(selector(host.unchecked_ref()), "#vitals-host");
    // Past 100 characters the chain stops at what fits.
    let deep = host.query_selector("section div").unwrap().unwrap();
    let long = "c".repeat(95);
    deep.set_class_name(&long);
    let s = selector(&deep);
    assert_eq!(s, format!("div.{long}"));
    host.remove();
}
