//! Events as JSON text, written field by field: the same text as the derived
//! `Serialize` gives through `serde_json` (the tests check it byte for byte),
//! without serde's serialiser machinery in the shipped module. The derives
//! stay for the collector, which reads events back.

use super::json::write_str;
use super::{
    AnalyticsEvent, Breadcrumb, Device, Environment, ErrorContext, ErrorEvent, Event, EventContext, EventMetadata, MonitoringMetric, Rating,
    Severity, Source, Unit,
};
use crate::core::stack::Frame;
use crate::core::value::{Map, Number, Value};

impl Event {
    /// The event as JSON, with its `kind` tag first.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(512);
        let mut o = Obj::new(&mut out);
        o.str("kind", self.kind());
        match self {
            Event::Analytics(e) => analytics(&mut o, e),
            Event::Error(e) => error(&mut o, e),
            Event::Metric(e) => metric(&mut o, e),
        }
        o.end();
        out
    }
}

/// An object being written: members are separated as they come.
struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    fn new(out: &'a mut String) -> Self {
        out.push('{');
        Obj { out, first: true }
    }

    fn key(&mut self, k: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_str(self.out, k);
        self.out.push(':');
        self.out
    }

    fn str(&mut self, k: &str, v: &str) {
        write_str(self.key(k), v);
    }

    fn opt_str(&mut self, k: &str, v: &Option<String>) {
        if let Some(v) = v {
            self.str(k, v);
        }
    }

    fn u64(&mut self, k: &str, v: u64) {
        write_u64(self.key(k), v);
    }

    fn f64(&mut self, k: &str, v: f64) {
        write_f64(self.key(k), v);
    }

    fn map(&mut self, k: &str, m: &Map) {
        write_map(self.key(k), m);
    }

    fn obj(&mut self, k: &str) -> Obj<'_> {
        Obj::new(self.key(k))
    }

    fn end(self) {
        self.out.push('}');
    }
}

fn analytics(o: &mut Obj, e: &AnalyticsEvent) {
    o.str("id", &e.id);
    o.str("event", &e.event);
    o.opt_str("userId", &e.user_id);
    o.str("sessionId", &e.session_id);
    o.u64("timestamp", e.timestamp);
    o.map("properties", &e.properties);
    context(o.obj("context"), &e.context);
    metadata(o.obj("metadata"), &e.metadata);
}

fn metric(o: &mut Obj, e: &MonitoringMetric) {
    o.str("id", &e.id);
    o.str("name", &e.name);
    o.f64("value", e.value);
    o.str("unit", unit(e.unit));
    if let Some(r) = e.rating {
        o.str("rating", rating(r));
    }
    if let Some(d) = e.delta {
        o.f64("delta", d);
    }
    o.opt_str("navigationType", &e.navigation_type);
    if let Some(a) = &e.attribution {
        o.map("attribution", a);
    }
    o.opt_str("userId", &e.user_id);
    o.str("sessionId", &e.session_id);
    o.u64("timestamp", e.timestamp);
    context(o.obj("context"), &e.context);
    metadata(o.obj("metadata"), &e.metadata);
}

fn error(o: &mut Obj, e: &ErrorEvent) {
    o.str("id", &e.id);
    o.str("message", &e.message);
    o.opt_str("stack", &e.stack);
    o.str("severity", severity(e.severity));
    o.str("category", e.category.as_str());
    o.opt_str("userId", &e.user_id);
    o.opt_str("sessionId", &e.session_id);
    o.u64("timestamp", e.timestamp);
    error_context(o.obj("context"), &e.context);
    let mut tags = o.obj("tags");
    for (k, v) in &e.tags {
        tags.str(k, v);
    }
    tags.end();
    o.opt_str("fingerprint", &e.fingerprint);
    if let Some(m) = &e.metadata {
        metadata(o.obj("metadata"), m);
    }
    o.opt_str("errorType", &e.error_type);
    o.opt_str("mechanism", &e.mechanism);
    if !e.frames.is_empty() {
        let out = o.key("frames");
        out.push('[');
        for (i, f) in e.frames.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            frame(Obj::new(out), f);
        }
        out.push(']');
    }
    if let Some(n) = e.suppressed {
        o.u64("suppressed", n);
    }
    if !e.breadcrumbs.is_empty() {
        let out = o.key("breadcrumbs");
        out.push('[');
        for (i, b) in e.breadcrumbs.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            breadcrumb(Obj::new(out), b);
        }
        out.push(']');
    }
}

fn context(mut o: Obj, c: &EventContext) {
    o.opt_str("browser", &c.browser);
    o.opt_str("os", &c.os);
    if let Some(d) = c.device {
        o.str("device", device(d));
    }
    o.opt_str("url", &c.url);
    o.opt_str("referrer", &c.referrer);
    o.opt_str("userAgent", &c.user_agent);
    o.opt_str("screenResolution", &c.screen_resolution);
    o.opt_str("timezone", &c.timezone);
    o.opt_str("language", &c.language);
    o.end();
}

fn error_context(mut o: Obj, c: &ErrorContext) {
    o.opt_str("url", &c.url);
    o.opt_str("userAgent", &c.user_agent);
    o.opt_str("browser", &c.browser);
    o.opt_str("os", &c.os);
    if let Some(d) = c.device {
        o.str("device", device(d));
    }
    o.opt_str("requestId", &c.request_id);
    o.opt_str("component", &c.component);
    o.opt_str("action", &c.action);
    o.end();
}

fn metadata(mut o: Obj, m: &EventMetadata) {
    o.str("version", &m.version);
    o.str("environment", environment(m.environment));
    o.opt_str("buildId", &m.build_id);
    o.opt_str("deploymentId", &m.deployment_id);
    o.str("source", source(m.source));
    o.u64("retryCount", m.retry_count as u64);
    o.opt_str("transmissionId", &m.transmission_id);
    o.end();
}

fn frame(mut o: Obj, f: &Frame) {
    o.opt_str("function", &f.function);
    o.opt_str("filename", &f.filename);
    if let Some(n) = f.lineno {
        o.u64("lineno", n as u64);
    }
    if let Some(n) = f.colno {
        o.u64("colno", n as u64);
    }
    if f.native {
        o.key("native").push_str("true");
    }
    o.end();
}

fn breadcrumb(mut o: Obj, b: &Breadcrumb) {
    o.u64("timestamp", b.timestamp);
    o.str("category", &b.category);
    o.opt_str("message", &b.message);
    if !b.data.is_empty() {
        o.map("data", &b.data);
    }
    o.end();
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRITICAL",
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
        Severity::Debug => "DEBUG",
    }
}

fn unit(u: Unit) -> &'static str {
    match u {
        Unit::Ms => "ms",
        Unit::Bytes => "bytes",
        Unit::Count => "count",
        Unit::Percentage => "percentage",
        Unit::Score => "score",
    }
}

fn rating(r: Rating) -> &'static str {
    match r {
        Rating::Good => "good",
        Rating::NeedsImprovement => "needs-improvement",
        Rating::Poor => "poor",
    }
}

fn device(d: Device) -> &'static str {
    match d {
        Device::Mobile => "mobile",
        Device::Desktop => "desktop",
        Device::Tablet => "tablet",
    }
}

fn environment(e: Environment) -> &'static str {
    match e {
        Environment::Development => "development",
        Environment::Staging => "staging",
        Environment::Production => "production",
    }
}

fn source(s: Source) -> &'static str {
    match s {
        Source::Client => "client",
        Source::Server => "server",
        Source::Api => "api",
    }
}

/// Appends a JSON value.
pub fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(m) => write_map(out, m),
    }
}

fn write_map(out: &mut String, m: &Map) {
    let mut o = Obj::new(out);
    for (k, v) in m {
        write_value(o.key(k), v);
    }
    o.end();
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(u) = n.as_u64() {
        write_u64(out, u);
    } else if let (false, Some(i)) = (n.is_f64(), n.as_i64()) {
        out.push('-');
        write_u64(out, i.unsigned_abs());
    } else {
        write_f64(out, n.as_f64().unwrap_or(f64::NAN));
    }
}

/// Decimal digits, without `core::fmt`.
pub fn write_u64(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

/// The shortest text that reads back as `f`, as `serde_json` writes it
/// (`1.0`, `1e+21`); `null` for NaN and the infinities.
pub fn write_f64(out: &mut String, f: f64) {
    if f.is_finite() {
        out.push_str(zmij::Buffer::new().format_finite(f));
    } else {
        out.push_str("null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{ErrorCategory, Severity};
    use crate::core::vec_map::VecMap;
    use proptest::prelude::*;

    fn meta(full: bool) -> EventMetadata {
        EventMetadata {
            version: "1.2.3".into(),
            environment: if full { Environment::Staging } else { Environment::Production },
            build_id: full.then(|| "b-7".into()),
            deployment_id: full.then(|| "d-1".into()),
            source: if full { Source::Api } else { Source::Client },
            retry_count: if full { 4_000_000_000 } else { 0 },
            transmission_id: full.then(|| "t-1".into()),
        }
    }

    fn ctx(full: bool) -> EventContext {
        if !full {
            return EventContext::default();
        }
        EventContext {
            browser: Some("Chrome 120".into()),
            os: Some("Linux".into()),
            device: Some(Device::Tablet),
            url: Some("https://shop.example/a?q=\"x\"".into()),
            referrer: Some("https://ref.example/".into()),
            user_agent: Some("Mozilla/5.0 \\ \u{1} \u{8} \u{c} \u{7f} é 😀".into()),
            screen_resolution: Some("1920x1080".into()),
            timezone: Some("Europe/Paris".into()),
            language: Some("fr-FR".into()),
        }
    }

    fn props() -> Map {
        let v: Value = crate::json!({"plan": "pro", "n": 3, "neg": -4, "x": 1.5, "big": 1e21, "tiny": 1e-7, "ok": true,
            "none": null, "list": [1, "a", {"b": false}], "nested": {"z": {}, "a": []}, "line\nbreak": "tab\tquote\""});
        v.as_object().unwrap().clone()
    }

    fn events() -> Vec<Event> {
        let mut out = Vec::new();
        for full in [false, true] {
            out.push(Event::Analytics(AnalyticsEvent {
                id: "a-1".into(),
                event: "signup".into(),
                user_id: full.then(|| "u-1".into()),
                session_id: "s-1".into(),
                timestamp: 1_700_000_000_000,
                properties: if full { props() } else { Map::new() },
                context: ctx(full).into(),
                metadata: meta(full),
            }));
            for (rating, unit) in [(Rating::Good, Unit::Ms), (Rating::NeedsImprovement, Unit::Score), (Rating::Poor, Unit::Bytes)] {
                out.push(Event::Metric(MonitoringMetric {
                    id: "m-1".into(),
                    name: "LCP".into(),
                    value: if full { 2500.25 } else { 0.0 },
                    unit: if full { unit } else { Unit::Count },
                    rating: full.then_some(rating),
                    delta: full.then_some(-0.1),
                    navigation_type: full.then(|| "back-forward-cache".into()),
                    attribution: full.then(props),
                    user_id: full.then(|| "u-1".into()),
                    session_id: "s-1".into(),
                    timestamp: 5,
                    context: ctx(full).into(),
                    metadata: meta(full),
                }));
            }
            let mut tags = VecMap::new();
            if full {
                tags.insert("release".to_string(), "r1".to_string());
                tags.insert("area".to_string(), "checkout".to_string());
            }
            out.push(Event::Error(ErrorEvent {
                id: "e-1".into(),
                message: "TypeError: x is \"undefined\"".into(),
                stack: full.then(|| "at f (a.js:1:2)\n at g".into()),
                severity: if full { Severity::Critical } else { Severity::Error },
                category: if full { ErrorCategory::RateLimitError } else { ErrorCategory::ClientError },
                user_id: full.then(|| "u-1".into()),
                session_id: full.then(|| "s-1".into()),
                timestamp: 9,
                context: if full {
                    ErrorContext {
                        url: Some("https://shop.example/".into()),
                        user_agent: Some("UA".into()),
                        browser: Some("Firefox".into()),
                        os: Some("macOS".into()),
                        device: Some(Device::Mobile),
                        request_id: Some("r-1".into()),
                        component: Some("Cart".into()),
                        action: Some("pay".into()),
                    }
                } else {
                    ErrorContext::default()
                },
                tags,
                fingerprint: full.then(|| "f00".into()),
                metadata: full.then(|| meta(true)),
                error_type: full.then(|| "TypeError".into()),
                mechanism: full.then(|| "onerror".into()),
                frames: if full {
                    vec![
                        Frame { function: Some("f".into()), filename: Some("https://a/x.js".into()), lineno: Some(1), colno: Some(20), native: false },
                        Frame { function: None, filename: None, lineno: None, colno: None, native: true },
                    ]
                } else {
                    Vec::new()
                },
                suppressed: full.then_some(12),
                breadcrumbs: if full {
                    vec![
                        Breadcrumb { timestamp: 1, category: "click".into(), message: Some("button#buy".into()), data: props() },
                        Breadcrumb { timestamp: 2, category: "manual".into(), message: None, data: Map::new() },
                    ]
                } else {
                    Vec::new()
                },
            }));
        }
        for (s, c) in [(Severity::Warning, ErrorCategory::ServerError), (Severity::Info, ErrorCategory::NetworkError), (Severity::Debug, ErrorCategory::ExternalServiceError)] {
            let Event::Error(mut e) = events_error() else { unreachable!() };
            e.severity = s;
            e.category = c;
            out.push(Event::Error(e));
        }
        out
    }

    fn events_error() -> Event {
        Event::Error(ErrorEvent {
            id: "e".into(),
            message: "m".into(),
            stack: None,
            severity: Severity::Error,
            category: ErrorCategory::ClientError,
            user_id: None,
            session_id: None,
            timestamp: 0,
            context: ErrorContext { device: Some(Device::Desktop), ..Default::default() },
            tags: VecMap::new(),
            fingerprint: None,
            metadata: Some(EventMetadata { environment: Environment::Development, source: Source::Server, ..meta(false) }),
            error_type: None,
            mechanism: None,
            frames: Vec::new(),
            suppressed: None,
            breadcrumbs: Vec::new(),
        })
    }

    #[test]
    fn writes_what_the_derived_serialisation_writes() {
        for e in events() {
            assert_eq!(e.to_json(), serde_json::to_string(&e).unwrap(), "{e:?}");
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for f in [0.0, -0.0, 1.0, -1.5, 0.1, 1e21, 1e-7, 123456789012345680.0, f64::MIN_POSITIVE, f64::MAX, f64::NAN, f64::INFINITY] {
            let mut ours = String::new();
            write_f64(&mut ours, f);
            assert_eq!(ours, serde_json::to_string(&f).unwrap(), "{f}");
        }
        for n in [0, 9, 10, 99, 1_000_000_007, u64::MAX] {
            let mut ours = String::new();
            write_u64(&mut ours, n);
            assert_eq!(ours, n.to_string());
        }
    }

    proptest! {
        /// Any string, in any field, is escaped as serde_json escapes it.
        #[test]
        fn any_text_is_written_as_serde_json_writes_it(s in any::<String>(), k in any::<String>()) {
            let Event::Analytics(mut e) = events().remove(0) else { unreachable!() };
            e.event = s.clone();
            e.properties.insert(k, Value::String(s));
            let e = Event::Analytics(e);
            prop_assert_eq!(e.to_json(), serde_json::to_string(&e).unwrap());
        }

        /// Any integer or finite float in a property is written as serde_json writes it.
        #[test]
        fn any_number_is_written_as_serde_json_writes_it(i in any::<i64>(), f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
            let Event::Analytics(mut e) = events().remove(0) else { unreachable!() };
            e.properties.insert("i".into(), Value::from(i));
            e.properties.insert("f".into(), Value::from(f));
            let e = Event::Analytics(e);
            prop_assert_eq!(e.to_json(), serde_json::to_string(&e).unwrap());
        }
    }
}
