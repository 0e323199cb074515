use super::*;
use crate::core::validate::ValidationErrors;
use serde_json::json;

const NOW: u64 = 1_763_800_000_000;
const ID: &str = "3f2b8c1e-7d4a-4b9e-9c2d-1a2b3c4d5e6f";

fn meta() -> serde_json::Value {
    json!({"version": "1.2.3", "environment": "production", "source": "client", "retryCount": 0})
}

fn parse_one(event: serde_json::Value) -> Result<Event, ValidationErrors> {
    let body = json!({"v": 1, "sentAt": NOW, "events": [event]}).to_string();
    ParsedBatch::parse(body.as_bytes()).unwrap().events.remove(0)
}

#[test]
fn every_kind_round_trips_through_the_wire_format() {
    let events = [
        json!({"kind": "analytics", "id": ID, "event": "signup", "userId": "u1", "sessionId": "s", "timestamp": NOW,
               "properties": {"plan": "pro", "seats": 3}, "context": {"device": "tablet", "timezone": "Europe/Berlin", "language": "de-DE"}, "metadata": meta()}),
        json!({"kind": "error", "id": ID, "message": "boom", "stack": "Error: boom\n    at f (a.js:1:2)", "severity": "CRITICAL",
               "category": "NETWORK_ERROR", "timestamp": NOW, "context": {"requestId": "r-1"}, "tags": {"k": "v"}, "fingerprint": "ab12"}),
        json!({"kind": "metric", "id": ID, "name": "CLS", "value": 0.12, "unit": "score", "rating": "needs-improvement", "delta": 0.02,
               "navigationType": "navigate", "attribution": {"largestShiftTarget": "#hero"}, "sessionId": "s", "timestamp": NOW,
               "context": {}, "metadata": meta()}),
    ];
    for raw in events {
        let event = parse_one(raw.clone()).unwrap();
        assert_eq!(serde_json::to_value(&event).unwrap(), raw);
    }
}

#[test]
fn error_events_name_each_failing_field() {
    let err = parse_one(json!({"kind": "error", "id": "1", "message": "", "severity": "ERROR", "category": "CLIENT_ERROR",
        "sessionId": "", "timestamp": 5, "context": {"url": "nope", "component": " "}, "tags": {" ": "x"}}))
    .unwrap_err();
    assert_eq!(
        err.fields(),
        vec!["events[0].id", "events[0].message", "events[0].sessionId", "events[0].timestamp", "events[0].context.url", "events[0].context.component", "events[0].tags"]
    );
}

#[test]
fn enums_outside_the_model_are_refused_with_their_path() {
    let bad_severity = json!({"kind": "error", "id": ID, "message": "m", "severity": "FATAL", "category": "CLIENT_ERROR", "timestamp": NOW, "context": {}});
    assert_eq!(parse_one(bad_severity).unwrap_err().fields(), vec!["events[0].severity"]);
    let mut bad_env = meta();
    bad_env["environment"] = "prod".into();
    let metric = json!({"kind": "metric", "id": ID, "name": "LCP", "value": 1.0, "unit": "ms", "sessionId": "s", "timestamp": NOW, "context": {}, "metadata": bad_env});
    assert_eq!(parse_one(metric).unwrap_err().fields(), vec!["events[0].metadata.environment"]);
    let tags_not_strings = json!({"kind": "error", "id": ID, "message": "m", "severity": "INFO", "category": "CLIENT_ERROR", "timestamp": NOW, "context": {}, "tags": {"n": 1}});
    assert_eq!(parse_one(tags_not_strings).unwrap_err().fields(), vec!["events[0].tags.n"]);
    let negative_retry = json!({"kind": "analytics", "id": ID, "event": "e", "sessionId": "s", "timestamp": NOW, "properties": {}, "context": {},
        "metadata": {"version": "1.0.0", "environment": "production", "source": "client", "retryCount": -1}});
    assert_eq!(parse_one(negative_retry).unwrap_err().fields(), vec!["events[0].metadata.retryCount"]);
    let props_not_object = json!({"kind": "analytics", "id": ID, "event": "e", "sessionId": "s", "timestamp": NOW, "properties": [1], "context": {}, "metadata": meta()});
    assert_eq!(parse_one(props_not_object).unwrap_err().fields(), vec!["events[0].properties"]);
    let unknown_field = json!({"kind": "analytics", "id": ID, "event": "e", "sessionId": "s", "timestamp": NOW, "properties": {}, "context": {"colour": "red"}, "metadata": meta()});
    assert_eq!(parse_one(unknown_field).unwrap_err().fields(), vec!["events[0].context.colour"]);
}

#[test]
fn metric_values_must_be_finite_and_percentages_bounded() {
    let m = MonitoringMetric {
        id: ID.into(),
        name: "scroll".into(),
        value: 120.0,
        unit: Unit::Percentage,
        rating: None,
        delta: Some(f64::NAN),
        navigation_type: None,
        attribution: None,
        user_id: None,
        session_id: "s".into(),
        timestamp: NOW,
        context: EventContext::default().into(),
        metadata: serde_json::from_value(meta()).unwrap(),
    };
    assert_eq!(Event::Metric(m).validate().unwrap_err().fields(), vec!["delta", "value"]);
}

#[test]
fn the_envelope_is_checked_before_the_events() {
    let err = ParsedBatch::parse(br#"{"sentAt":"yesterday"}"#).unwrap_err();
    assert_eq!(err.fields(), vec!["v", "sentAt", "events"]);
    let err = ParsedBatch::parse(br#"{"v":1,"sentAt":1,"events":[]}"#).unwrap_err();
    assert_eq!(err.fields(), vec!["events"]);
}

#[test]
fn the_context_language_is_a_language_tag() {
    for (lang, ok) in [("en", true), ("en-US", true), ("zh-Hant-TW", true), ("", false), ("en US", false), ("x".repeat(36).as_str(), false)] {
        let e = json!({"kind": "analytics", "id": ID, "event": "e", "sessionId": "s", "timestamp": NOW, "properties": {},
                       "context": {"language": lang}, "metadata": meta()});
        match parse_one(e) {
            Ok(_) => assert!(ok, "{lang:?} accepted"),
            Err(err) => {
                assert!(!ok, "{lang:?} refused");
                assert_eq!(err.fields(), vec!["events[0].context.language"]);
            }
        }
    }
}

#[test]
fn error_category_names_match_the_serde_names() {
    use crate::core::model::ErrorCategory;
    for c in ErrorCategory::ALL {
        assert_eq!(serde_json::to_value(c).unwrap(), serde_json::Value::String(c.as_str().into()));
        assert_eq!(ErrorCategory::parse(&c.as_str().to_ascii_lowercase()), Some(c));
    }
    assert_eq!(ErrorCategory::parse("NOT_A_CATEGORY"), None);
}
