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

use super::json::{parse, write_str, Json};

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
    let batch = parse(body)?;
    let sent_at = batch.get("sentAt")?.as_u64()?;
    let events = batch.get("events")?.as_array()?;
    // Context and metadata shared by the batch's events (see `batch_body`).
    let shared_context = batch.get("context");
    let metadata = batch.get("metadata").or_else(|| events.first().and_then(|e| e.get("metadata")));
    let mut out = String::with_capacity(body.len() * 2);
    out.push_str(r#"{"resourceLogs":[{"resource":{"attributes":["#);
    resource_attributes(&mut out, service_name, metadata);
    out.push_str(r#"]},"scopeLogs":[{"scope":{"name":"#);
    write_str(&mut out, SDK_NAME);
    out.push_str(r#","version":"#);
    write_str(&mut out, SDK_VERSION);
    out.push_str(r#"},"logRecords":["#);
    let mut first = true;
    for e in events {
        let mark = out.len();
        if !first {
            out.push(',');
        }
        if log_record(&mut out, e, sent_at, shared_context).is_some() {
            first = false;
        } else {
            out.truncate(mark);
        }
    }
    out.push_str("]}]}]}");
    Some(out)
}

/// Writes `{"key":…,"value":…}` (after a comma unless `first`).
fn kv(out: &mut String, first: &mut bool, key: &str, value: impl FnOnce(&mut String)) {
    if !std::mem::take(first) {
        out.push(',');
    }
    out.push_str(r#"{"key":"#);
    write_str(out, key);
    out.push_str(r#","value":"#);
    value(out);
    out.push('}');
}

fn string(out: &mut String, s: &str) {
    out.push_str(r#"{"stringValue":"#);
    write_str(out, s);
    out.push('}');
}

fn resource_attributes(out: &mut String, service_name: &str, metadata: Option<&Json>) {
    let mut first = true;
    for (k, v) in [
        ("service.name", service_name),
        ("telemetry.sdk.name", SDK_NAME),
        ("telemetry.sdk.language", "webjs"),
        ("telemetry.sdk.version", SDK_VERSION),
    ] {
        kv(out, &mut first, k, |o| string(o, v));
    }
    for (key, field) in [
        ("service.version", "version"),
        ("deployment.environment.name", "environment"),
        ("service.build.id", "buildId"),
        ("deployment.id", "deploymentId"),
    ] {
        if let Some(v) = metadata.and_then(|m| m.get(field)).and_then(Json::as_str) {
            kv(out, &mut first, key, |o| string(o, v));
        }
    }
}

/// One log record; `None` (and a partial write the caller discards) when the
/// event lacks its kind, timestamp or name.
fn log_record(out: &mut String, event: &Json, sent_at: u64, shared_context: Option<&Json>) -> Option<()> {
    let e = event.as_object()?;
    let field = |k: &str| event.get(k);
    let kind = field("kind")?.as_str()?;
    let timestamp = field("timestamp")?.as_u64()?;
    let (body, severity, text) = match kind {
        "error" => {
            let s = field("severity").and_then(Json::as_str).unwrap_or("ERROR");
            (field("message")?, severity_number(s), s)
        }
        "metric" => (field("name")?, SEVERITY_INFO, "INFO"),
        _ => (field("event")?, SEVERITY_INFO, "INFO"),
    };
    if matches!(body, Json::Null) {
        return None;
    }
    let event_name = if kind == "analytics" { body.as_str()? } else { kind_event_name(kind) };
    out.push_str(r#"{"timeUnixNano":""#);
    nanos(out, timestamp);
    out.push_str(r#"","observedTimeUnixNano":""#);
    nanos(out, sent_at);
    out.push_str(r#"","severityNumber":"#);
    super::write_u64(out, severity as u64);
    out.push_str(r#","severityText":"#);
    write_str(out, text);
    out.push_str(r#","body":"#);
    any_value(out, body);
    out.push_str(r#","attributes":["#);
    let mut first = true;
    kv(out, &mut first, "event.name", |o| string(o, event_name));
    let named = |out: &mut String, first: &mut bool, key: &str, v: Option<&Json>| {
        if let Some(v) = v.filter(|v| !matches!(v, Json::Null)) {
            kv(out, first, key, |o| any_value(o, v));
        }
    };
    named(out, &mut first, "event.id", field("id"));
    named(out, &mut first, "session.id", field("sessionId"));
    named(out, &mut first, "user.id", field("userId"));
    if kind == "error" {
        named(out, &mut first, "exception.type", field("errorType"));
        named(out, &mut first, "exception.message", field("message"));
        named(out, &mut first, "exception.stacktrace", field("stack"));
    }
    let own_context = field("context");
    let inherits = own_context.is_none() && matches!(kind, "analytics" | "metric");
    let ctx = if inherits { shared_context } else { own_context };
    named(out, &mut first, "url.full", ctx.and_then(|c| c.get("url")));
    named(out, &mut first, "user_agent.original", ctx.and_then(|c| c.get("userAgent")));
    // Everything else under the native wire names, so nothing is lost.
    for (k, v) in e {
        if matches!(k.as_ref(), "timestamp" | "id" | "sessionId" | "userId" | "metadata") {
            continue;
        }
        let mut name = String::from("telemetry.");
        name.push_str(k);
        named(out, &mut first, &name, Some(v));
    }
    if inherits {
        named(out, &mut first, "telemetry.context", shared_context);
    }
    out.push_str("]}");
    Some(())
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

/// Milliseconds as the decimal digits of nanoseconds (OTLP JSON writes 64-bit integers as strings).
fn nanos(out: &mut String, ms: u64) {
    super::write_u64(out, ms);
    out.push_str("000000");
}

/// A JSON value as an OTLP `AnyValue` (the caller leaves out `null`, which has
/// none; so do arrays and objects for their members). Integers go as
/// `intValue` strings, other numbers as `doubleValue` with their own text.
fn any_value(out: &mut String, v: &Json) {
    match v {
        Json::Null => out.push_str("{}"),
        Json::Bool(b) => out.push_str(if *b { r#"{"boolValue":true}"# } else { r#"{"boolValue":false}"# }),
        Json::Num(t) if is_int64(t) => {
            out.push_str(r#"{"intValue":""#);
            out.push_str(t);
            out.push_str(r#""}"#);
        }
        Json::Num(t) => {
            out.push_str(r#"{"doubleValue":"#);
            out.push_str(t);
            out.push('}');
        }
        Json::Str(s) => string(out, s),
        Json::Arr(items) => {
            out.push_str(r#"{"arrayValue":{"values":["#);
            let mut first = true;
            for item in items.iter().filter(|i| !matches!(i, Json::Null)) {
                if !std::mem::take(&mut first) {
                    out.push(',');
                }
                any_value(out, item);
            }
            out.push_str("]}}");
        }
        Json::Obj(members) => {
            out.push_str(r#"{"kvlistValue":{"values":["#);
            let mut first = true;
            for (k, v) in members.iter().filter(|(_, v)| !matches!(v, Json::Null)) {
                kv(out, &mut first, k, |o| any_value(o, v));
            }
            out.push_str("]}}");
        }
    }
}

/// An integer's text that fits a signed 64-bit `intValue`.
fn is_int64(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    // i64::MIN's magnitude is one more than i64::MAX.
    let max = i64::MAX as u64 + u64::from(digits.len() < t.len());
    crate::core::text::parse_u64(digits).is_some_and(|n| n <= max)
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
    fn int_values_are_the_integers_that_fit_64_bits_signed() {
        for t in ["0", "-0", "42", "-42", "9223372036854775807", "-9223372036854775808"] {
            assert!(is_int64(t), "{t}");
            assert!(t.parse::<i64>().is_ok(), "{t}");
        }
        for t in ["9223372036854775808", "-9223372036854775809", "", "-", "+1", "1.5", "1e3", "--1"] {
            assert!(!is_int64(t), "{t}");
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
    fn escapes_exponents_and_integers_beyond_64_bits_decode() {
        let body = r#"{"v":1,"sentAt":5,"events":[{"kind":"analytics","event":"q\"uote\u00e9\n","timestamp":4,
          "properties":{"tiny":1e-7,"neg":-3,"huge":123456789012345678901234567890,"s":"tab\there","nested":{"a":[true,null,{"b":"c"}]}}}]}"#;
        let req = decode(&logs_from_batch(body, "s").unwrap());
        let log = &req.resource_logs[0].scope_logs[0].log_records[0];
        assert_eq!(text(log.body.as_ref().and_then(|b| b.value.as_ref())), Some("q\"uote\u{e9}\n"));
        let Some(Any::KvlistValue(props)) = attr(&log.attributes, "telemetry.properties") else { panic!("properties") };
        assert_eq!(attr(&props.values, "tiny"), Some(&Any::DoubleValue(1e-7)));
        assert_eq!(attr(&props.values, "neg"), Some(&Any::IntValue(-3)));
        assert_eq!(attr(&props.values, "huge"), Some(&Any::DoubleValue(1.2345678901234568e29)));
        assert_eq!(text(attr(&props.values, "s")), Some("tab\there"));
        let Some(Any::KvlistValue(nested)) = attr(&props.values, "nested") else { panic!("nested") };
        let Some(Any::ArrayValue(a)) = attr(&nested.values, "a") else { panic!("array") };
        assert_eq!(a.values.len(), 2);
    }

    #[test]
    fn a_batch_level_context_is_every_inheriting_events_own() {
        let body = r#"{"v":1,"sentAt":5,"context":{"url":"https://shop.example/","userAgent":"UA"},"metadata":{"version":"2.0.0","environment":"staging","source":"client","retryCount":0},"events":[
          {"kind":"analytics","id":"a","event":"x","timestamp":4,"properties":{}},
          {"kind":"analytics","id":"b","event":"y","timestamp":4,"properties":{},"context":{"url":"https://shop.example/other"}}]}"#;
        let req = decode(&logs_from_batch(body, "s").unwrap());
        let res = req.resource_logs[0].resource.as_ref().unwrap();
        assert_eq!(text(attr(&res.attributes, "service.version")), Some("2.0.0"));
        let logs = &req.resource_logs[0].scope_logs[0].log_records;
        assert_eq!(text(attr(&logs[0].attributes, "url.full")), Some("https://shop.example/"));
        assert_eq!(text(attr(&logs[0].attributes, "user_agent.original")), Some("UA"));
        assert!(matches!(attr(&logs[0].attributes, "telemetry.context"), Some(Any::KvlistValue(_))));
        assert_eq!(text(attr(&logs[1].attributes, "url.full")), Some("https://shop.example/other"));
    }

    #[test]
    fn severities_map_to_the_logs_data_model() {
        for (ours, number) in [("CRITICAL", 21), ("ERROR", 17), ("WARNING", 13), ("INFO", 9), ("DEBUG", 5)] {
            assert_eq!(severity_number(ours), number);
        }
    }
}
