//! The second wire format: OpenTelemetry's OTLP/HTTP JSON, logs signal
//! (`ExportLogsServiceRequest`), so that a site can point the agent at an
//! existing OpenTelemetry Collector (`…/v1/logs`).
//!
//! Every event becomes one log record: analytics events and Web Vitals at
//! severity INFO, errors at the severity of their own. The record's body is the
//! event name (the error message for errors); the event's fields become
//! attributes under their wire names, plus the semantic-convention names a
//! collector's pipelines know (`event.name`, `session.id`, `url.full`,
//! `exception.*`). The resource names the app (`service.version`,
//! `deployment.environment.name`) and the agent (`telemetry.sdk.*`).
//!
//! The encoder works on the native batch body, so that batching, splitting and
//! storage stay the same for both formats: the shell converts at send time.

use serde_json::{json, Map, Value};

/// `service.name` of the resource when the configuration gives none.
pub const DEFAULT_SERVICE_NAME: &str = "browser-app";
const SDK_NAME: &str = "telemetry-agent";
const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// OTLP severity numbers (logs data model).
const SEVERITY_DEBUG: u8 = 5;
const SEVERITY_INFO: u8 = 9;
const SEVERITY_WARN: u8 = 13;
const SEVERITY_ERROR: u8 = 17;
const SEVERITY_FATAL: u8 = 21;

/// Converts a native batch body (`{"v":1,"sentAt":…,"events":[…]}`) into an
/// OTLP/HTTP JSON logs request. `None` when the body is not a batch.
pub fn logs_from_batch(body: &str, service_name: &str) -> Option<String> {
    let batch: Value = serde_json::from_str(body).ok()?;
    let sent_at = batch.get("sentAt")?.as_u64()?;
    let events = batch.get("events")?.as_array()?;
    let records: Vec<Value> = events.iter().filter_map(|e| log_record(e, sent_at)).collect();
    let metadata = events.first().and_then(|e| e.get("metadata"));
    let request = json!({
        "resourceLogs": [{
            "resource": { "attributes": resource_attributes(service_name, metadata) },
            "scopeLogs": [{
                "scope": { "name": SDK_NAME, "version": SDK_VERSION },
                "logRecords": records,
            }],
        }],
    });
    Some(request.to_string())
}

fn resource_attributes(service_name: &str, metadata: Option<&Value>) -> Vec<Value> {
    let mut attrs = vec![
        kv("service.name", string(service_name)),
        kv("telemetry.sdk.name", string(SDK_NAME)),
        kv("telemetry.sdk.language", string("webjs")),
        kv("telemetry.sdk.version", string(SDK_VERSION)),
    ];
    let field = |k: &str| metadata.and_then(|m| m.get(k)).and_then(Value::as_str);
    if let Some(v) = field("version") {
        attrs.push(kv("service.version", string(v)));
    }
    if let Some(v) = field("environment") {
        attrs.push(kv("deployment.environment.name", string(v)));
    }
    if let Some(v) = field("buildId") {
        attrs.push(kv("service.build.id", string(v)));
    }
    if let Some(v) = field("deploymentId") {
        attrs.push(kv("deployment.id", string(v)));
    }
    attrs
}

fn log_record(event: &Value, sent_at: u64) -> Option<Value> {
    let e = event.as_object()?;
    let kind = e.get("kind")?.as_str()?;
    let timestamp = e.get("timestamp")?.as_u64()?;
    let (body, severity, text) = match kind {
        "error" => {
            let s = e.get("severity").and_then(Value::as_str).unwrap_or("ERROR");
            (e.get("message")?, severity_number(s), s)
        }
        "metric" => (e.get("name")?, SEVERITY_INFO, "INFO"),
        _ => (e.get("event")?, SEVERITY_INFO, "INFO"),
    };
    let mut attrs = Vec::with_capacity(e.len() + 6);
    attrs.push(kv("event.name", string(if kind == "analytics" { body.as_str()? } else { kind_event_name(kind) })));
    let mut named = |key: &str, field: &str| {
        if let Some(v) = e.get(field).and_then(any_value) {
            attrs.push(kv(key, v));
        }
    };
    named("event.id", "id");
    named("session.id", "sessionId");
    named("user.id", "userId");
    if kind == "error" {
        named("exception.type", "errorType");
        named("exception.message", "message");
        named("exception.stacktrace", "stack");
    }
    let ctx = e.get("context").and_then(Value::as_object);
    if let Some(url) = ctx.and_then(|c| c.get("url")).and_then(any_value) {
        attrs.push(kv("url.full", url));
    }
    if let Some(ua) = ctx.and_then(|c| c.get("userAgent")).and_then(any_value) {
        attrs.push(kv("user_agent.original", ua));
    }
    // Everything else under the native wire names, so nothing is lost.
    for (k, v) in e {
        if matches!(k.as_str(), "timestamp" | "id" | "sessionId" | "userId" | "metadata") {
            continue;
        }
        if let Some(v) = any_value(v) {
            attrs.push(kv(&["telemetry.", k].concat(), v));
        }
    }
    Some(json!({
        "timeUnixNano": nanos(timestamp),
        "observedTimeUnixNano": nanos(sent_at),
        "severityNumber": severity,
        "severityText": text,
        "body": any_value(body)?,
        "attributes": attrs,
    }))
}

fn kind_event_name(kind: &str) -> &'static str {
    if kind == "error" {
        "exception"
    } else {
        "metric"
    }
}

fn severity_number(s: &str) -> u8 {
    match s {
        "CRITICAL" => SEVERITY_FATAL,
        "ERROR" => SEVERITY_ERROR,
        "WARNING" => SEVERITY_WARN,
        "DEBUG" => SEVERITY_DEBUG,
        _ => SEVERITY_INFO,
    }
}

/// Milliseconds to the decimal string of nanoseconds (OTLP JSON writes 64-bit integers as strings).
fn nanos(ms: u64) -> String {
    let mut s = ms.to_string();
    s.push_str("000000");
    s
}

fn kv(key: &str, value: Value) -> Value {
    json!({ "key": key, "value": value })
}

fn string(s: &str) -> Value {
    json!({ "stringValue": s })
}

/// A JSON value as an OTLP `AnyValue`; `null` has none and is left out.
fn any_value(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => json!({ "boolValue": b }),
        Value::Number(n) => match n.as_i64() {
            Some(i) => json!({ "intValue": i.to_string() }),
            None => json!({ "doubleValue": n.as_f64().unwrap_or(0.0) }),
        },
        Value::String(s) => string(s),
        Value::Array(items) => json!({ "arrayValue": { "values": items.iter().filter_map(any_value).collect::<Vec<_>>() } }),
        Value::Object(map) => json!({ "kvlistValue": { "values": kvlist(map) } }),
    })
}

fn kvlist(map: &Map<String, Value>) -> Vec<Value> {
    map.iter().filter_map(|(k, v)| any_value(v).map(|v| kv(k, v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
    use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;

    const BATCH: &str = r#"{"v":1,"sentAt":1763800001000,"events":[
      {"kind":"analytics","id":"0b6f4a8e-3c1d-4f5e-9a7b-1c2d3e4f5a6b","event":"page_view","sessionId":"s-1","userId":"u-9",
       "timestamp":1763800000000,"properties":{"path":"/cart","n":3,"ratio":0.5,"ok":true,"tags":{"plan":"pro"},"list":[1,"a",null]},
       "context":{"url":"https://shop.example/cart","userAgent":"UA"},
       "metadata":{"version":"1.2.3","environment":"staging","source":"client","retryCount":0,"buildId":"b7"}},
      {"kind":"error","id":"1b6f4a8e-3c1d-4f5e-9a7b-1c2d3e4f5a6b","message":"x is undefined","stack":"TypeError: x is undefined\n    at f (a.js:1:2)",
       "severity":"CRITICAL","category":"CLIENT_ERROR","timestamp":1763800000500,"context":{},"tags":{},"errorType":"TypeError"},
      {"kind":"metric","id":"2b6f4a8e-3c1d-4f5e-9a7b-1c2d3e4f5a6b","name":"LCP","value":1234.5,"unit":"ms","rating":"good",
       "sessionId":"s-1","timestamp":1763800000600,"context":{},"metadata":{"version":"1.2.3","environment":"staging","source":"client","retryCount":0}}
    ]}"#;

    fn decode(body: &str) -> ExportLogsServiceRequest {
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not an OTLP logs request: {e}\n{body}"))
    }

    fn attr<'a>(attrs: &'a [opentelemetry_proto::tonic::common::v1::KeyValue], key: &str) -> Option<&'a Any> {
        attrs.iter().find(|kv| kv.key == key).and_then(|kv| kv.value.as_ref()).and_then(|v| v.value.as_ref())
    }

    fn text(v: Option<&Any>) -> Option<&str> {
        match v {
            Some(Any::StringValue(s)) => Some(s),
            _ => None,
        }
    }

    #[test]
    fn a_native_batch_becomes_logs_that_opentelemetry_proto_decodes() {
        let out = logs_from_batch(BATCH, "shop").expect("a batch");
        let req = decode(&out);
        assert_eq!(req.resource_logs.len(), 1);
        let rl = &req.resource_logs[0];
        let res = rl.resource.as_ref().expect("a resource");
        assert_eq!(text(attr(&res.attributes, "service.name")), Some("shop"));
        assert_eq!(text(attr(&res.attributes, "service.version")), Some("1.2.3"));
        assert_eq!(text(attr(&res.attributes, "deployment.environment.name")), Some("staging"));
        assert_eq!(text(attr(&res.attributes, "service.build.id")), Some("b7"));
        let scope = &rl.scope_logs[0];
        assert_eq!(scope.scope.as_ref().map(|s| s.name.as_str()), Some("telemetry-agent"));
        let logs = &scope.log_records;
        assert_eq!(logs.len(), 3);

        let pv = &logs[0];
        assert_eq!(pv.time_unix_nano, 1_763_800_000_000_000_000);
        assert_eq!(pv.observed_time_unix_nano, 1_763_800_001_000_000_000);
        assert_eq!(pv.severity_number, 9);
        assert_eq!(text(pv.body.as_ref().and_then(|b| b.value.as_ref())), Some("page_view"));
        assert_eq!(text(attr(&pv.attributes, "event.name")), Some("page_view"));
        assert_eq!(text(attr(&pv.attributes, "event.id")), Some("0b6f4a8e-3c1d-4f5e-9a7b-1c2d3e4f5a6b"));
        assert_eq!(text(attr(&pv.attributes, "session.id")), Some("s-1"));
        assert_eq!(text(attr(&pv.attributes, "user.id")), Some("u-9"));
        assert_eq!(text(attr(&pv.attributes, "url.full")), Some("https://shop.example/cart"));
        let Some(Any::KvlistValue(props)) = attr(&pv.attributes, "telemetry.properties") else { panic!("properties as a kvlist") };
        assert_eq!(text(attr(&props.values, "path")), Some("/cart"));
        assert_eq!(attr(&props.values, "n"), Some(&Any::IntValue(3)));
        assert_eq!(attr(&props.values, "ratio"), Some(&Any::DoubleValue(0.5)));
        assert_eq!(attr(&props.values, "ok"), Some(&Any::BoolValue(true)));
        let Some(Any::ArrayValue(list)) = attr(&props.values, "list") else { panic!("list as an array") };
        assert_eq!(list.values.len(), 2, "null is left out");

        let err = &logs[1];
        assert_eq!(err.severity_number, 21);
        assert_eq!(err.severity_text, "CRITICAL");
        assert_eq!(text(attr(&err.attributes, "event.name")), Some("exception"));
        assert_eq!(text(attr(&err.attributes, "exception.type")), Some("TypeError"));
        assert_eq!(text(attr(&err.attributes, "exception.message")), Some("x is undefined"));
        assert!(text(attr(&err.attributes, "exception.stacktrace")).is_some_and(|s| s.contains("a.js:1:2")));
        assert_eq!(text(attr(&err.attributes, "telemetry.category")), Some("CLIENT_ERROR"));

        let lcp = &logs[2];
        assert_eq!(text(attr(&lcp.attributes, "event.name")), Some("metric"));
        assert_eq!(attr(&lcp.attributes, "telemetry.value"), Some(&Any::DoubleValue(1234.5)));
        assert_eq!(text(attr(&lcp.attributes, "telemetry.rating")), Some("good"));
    }

    #[test]
    fn what_is_not_a_batch_is_refused() {
        assert_eq!(logs_from_batch("", "s"), None);
        assert_eq!(logs_from_batch("[]", "s"), None);
        assert_eq!(logs_from_batch(r#"{"v":1,"events":[]}"#, "s"), None);
        let empty = logs_from_batch(r#"{"v":1,"sentAt":1,"events":[{"kind":"analytics"}]}"#, "s").unwrap();
        assert!(decode(&empty).resource_logs[0].scope_logs[0].log_records.is_empty(), "an event without its fields is left out");
    }

    #[test]
    fn severities_map_to_the_logs_data_model() {
        for (ours, number) in [("CRITICAL", 21), ("ERROR", 17), ("WARNING", 13), ("INFO", 9), ("DEBUG", 5)] {
            assert_eq!(severity_number(ours), number);
        }
    }
}
