//! The collector on a real port on 127.0.0.1 with a real SQLite file.

use collector::{app, Settings};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

struct Server {
    addr: std::net::SocketAddr,
    dir: PathBuf,
    _rt: tokio::runtime::Runtime,
}

impl Server {
    fn start(cors: &[&str], max_body: usize) -> Server {
        let dir = std::env::temp_dir().join(format!("collector-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("www")).unwrap();
        std::fs::write(dir.join("www/index.html"), "<!doctype html><title>demo</title>").unwrap();
        std::fs::write(dir.join("www/a.wasm"), b"\0asm\x01\0\0\0").unwrap();
        let settings = Settings {
            db: dir.join("telemetry.db"),
            www: dir.join("www"),
            cors_origins: cors.iter().map(|s| s.to_string()).collect(),
            max_body,
            faults: true,
        };
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let router = app(&settings).unwrap();
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        rt.spawn(async move { axum::serve(listener, router).await.unwrap() });
        Server { addr, dir, _rt: rt }
    }

    /// One HTTP/1.1 exchange; returns status, lower-cased headers, body.
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String, String) {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n", self.addr, body.len());
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, rest) = text.split_once("\r\n\r\n").unwrap();
        let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
        let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(rest) } else { rest.to_string() };
        (status, head.to_ascii_lowercase(), body)
    }

    fn post(&self, body: &str) -> (u16, serde_json::Value) {
        let (status, _, body) = self.request("POST", "/v1/batch", &[("Content-Type", "application/json")], body.as_bytes());
        (status, serde_json::from_str(&body).unwrap())
    }

    fn get_json(&self, path: &str) -> serde_json::Value {
        let (status, _, body) = self.request("GET", path, &[], b"");
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn dechunk(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    loop {
        let Some((size, after)) = rest.split_once("\r\n") else { break };
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&after[..n]);
        rest = &after[n + 2..];
    }
    out
}

const NOW: u64 = 1_763_800_000_000;

fn analytics(id: &str, name: &str, session: &str) -> serde_json::Value {
    serde_json::json!({
        "kind": "analytics", "id": id, "event": name, "sessionId": session, "timestamp": NOW,
        "properties": {"path": "/"},
        "context": {"url": "http://127.0.0.1/", "screenResolution": "800x600", "device": "desktop"},
        "metadata": {"version": "1.0.0", "environment": "production", "source": "client", "retryCount": 0}
    })
}

fn batch(events: Vec<serde_json::Value>) -> String {
    serde_json::json!({"v": 1, "sentAt": NOW, "events": events}).to_string()
}

fn id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[test]
fn a_batch_is_stored_and_queryable_with_filters() {
    let srv = Server::start(&[], 1 << 20);
    let metric = serde_json::json!({
        "kind": "metric", "id": id(), "name": "LCP", "value": 1234.5, "unit": "ms", "rating": "good",
        "sessionId": "s2", "timestamp": NOW + 10, "context": {},
        "metadata": {"version": "1.0.0", "environment": "staging", "source": "client", "retryCount": 1}
    });
    let error = serde_json::json!({
        "kind": "error", "id": id(), "message": "TypeError: x is undefined", "severity": "ERROR",
        "category": "CLIENT_ERROR", "timestamp": NOW + 20, "context": {"component": "cart"}, "tags": {"area": "checkout"}
    });
    let (status, body) = srv.post(&batch(vec![analytics(&id(), "page_view", "s1"), metric, error]));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], 3);
    assert_eq!(body["duplicates"], 0);

    assert_eq!(srv.get_json("/v1/events")["count"], 3);
    let views = srv.get_json("/v1/events?name=page_view");
    assert_eq!(views["count"], 1);
    assert_eq!(views["events"][0]["properties"]["path"], "/");
    assert!(views["events"][0]["receivedAt"].as_u64().unwrap() >= NOW);
    assert_eq!(srv.get_json("/v1/events?kind=metric")["events"][0]["value"], 1234.5);
    assert_eq!(srv.get_json("/v1/events?session=s2")["count"], 1);
    assert_eq!(srv.get_json(&format!("/v1/events?since={}", NOW + 15))["count"], 1);
    assert_eq!(srv.get_json("/v1/events?limit=2")["count"], 2);
    assert_eq!(srv.get_json("/v1/events?kind=error")["events"][0]["tags"]["area"], "checkout");
}

#[test]
fn a_repeated_batch_stores_nothing_twice() {
    let srv = Server::start(&[], 1 << 20);
    let body = batch(vec![analytics(&id(), "a", "s"), analytics(&id(), "b", "s")]);
    assert_eq!(srv.post(&body).1["accepted"], 2);
    let (status, again) = srv.post(&body);
    assert_eq!(status, 200);
    assert_eq!(again["accepted"], 0);
    assert_eq!(again["duplicates"], 2);
    assert_eq!(srv.get_json("/v1/events")["count"], 2);
    let stats = srv.get_json("/v1/stats");
    assert_eq!(stats["events"], 2);
    assert_eq!(stats["duplicates"], 2);
}

#[test]
fn malformed_batches_get_400_naming_the_problem() {
    let srv = Server::start(&[], 1 << 20);
    let cases: Vec<(String, &str, &str)> = vec![
        ("not json".into(), "body", "expected"),
        ("[]".into(), "body", "must be a JSON object"),
        (r#"{"v":2,"sentAt":1763800000000,"events":[{}]}"#.into(), "v", "unsupported batch version"),
        (r#"{"v":1,"events":[]}"#.into(), "sentAt", "is required"),
        (r#"{"v":1,"sentAt":1763800000000,"events":{}}"#.into(), "events", "must be an array"),
        (batch(vec![serde_json::json!({"kind": "analytics"})]), "events[0]", "missing field `id`"),
        (batch(vec![serde_json::json!({"id": "x"})]), "events[0].kind", "is required"),
    ];
    for (body, field, problem) in cases {
        let (status, resp) = srv.post(&body);
        assert_eq!(status, 400, "{body} -> {resp}");
        let problems = resp["problems"].as_array().unwrap();
        let names: Vec<&str> = problems.iter().map(|p| p["field"].as_str().unwrap_or("")).collect();
        assert!(
            problems.iter().any(|p| p["field"] == field && p["problem"].as_str().unwrap().contains(problem)),
            "{body}: wanted {field} / {problem}, got {resp}; fields {names:?}"
        );
    }
    assert_eq!(srv.get_json("/v1/events")["count"], 0);
}

#[test]
fn invalid_events_are_named_by_path_and_valid_ones_kept() {
    let srv = Server::start(&[], 1 << 20);
    let mut bad = analytics("not-a-uuid", " ", "s");
    bad["context"]["url"] = "/relative".into();
    bad["context"]["device"] = "phone".into();
    let mut bad_semver = analytics(&id(), "x", "s");
    bad_semver["metadata"]["version"] = "1.0".into();
    let (status, resp) = srv.post(&batch(vec![analytics(&id(), "ok", "s"), bad, bad_semver]));
    assert_eq!(status, 200, "{resp}");
    assert_eq!(resp["accepted"], 1);
    let rejected = resp["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0]["index"], 1);
    // serde names the first structural problem with its path.
    assert_eq!(rejected[0]["problems"][0]["field"], "events[1].context.device");
    assert_eq!(rejected[1]["problems"][0]["field"], "events[2].metadata.version");

    // Structurally sound but breaking several rules: every field is named.
    let mut many = analytics("not-a-uuid", " ", "");
    many["context"]["url"] = "/relative".into();
    many["context"]["screenResolution"] = "big".into();
    let (status, resp) = srv.post(&batch(vec![many]));
    assert_eq!(status, 400, "{resp}");
    let fields: Vec<&str> = resp["problems"].as_array().unwrap().iter().map(|p| p["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["events[0].id", "events[0].event", "events[0].sessionId", "events[0].context.url", "events[0].context.screenResolution"]);
    assert_eq!(srv.get_json("/v1/stats")["rejected"], 3);
}

#[test]
fn gzip_and_beacon_bodies_are_accepted() {
    use flate2::{write::GzEncoder, Compression};
    let srv = Server::start(&[], 1 << 20);
    let body = batch(vec![analytics(&id(), "zipped", "s")]);
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(body.as_bytes()).unwrap();
    let zipped = enc.finish().unwrap();
    let (status, _, resp) = srv.request("POST", "/v1/batch", &[("Content-Type", "application/json"), ("Content-Encoding", "gzip")], &zipped);
    assert_eq!(status, 200, "{resp}");
    let beacon = batch(vec![analytics(&id(), "beacon", "s")]);
    let (status, _, resp) = srv.request("POST", "/v1/batch", &[("Content-Type", "text/plain;charset=UTF-8")], beacon.as_bytes());
    assert_eq!(status, 200, "{resp}");
    let (status, _, _) = srv.request("POST", "/v1/batch", &[("Content-Encoding", "gzip")], b"definitely not gzip");
    assert_eq!(status, 400);
    let (status, _, _) = srv.request("POST", "/v1/batch", &[("Content-Type", "application/xml")], beacon.as_bytes());
    assert_eq!(status, 415);
    assert_eq!(srv.get_json("/v1/events")["count"], 2);
}

#[test]
fn bodies_above_the_limit_get_413_also_after_decompression() {
    use flate2::{write::GzEncoder, Compression};
    let srv = Server::start(&[], 4_096);
    let big = batch(vec![analytics(&id(), &"x".repeat(200), "s"); 30]);
    assert!(big.len() > 4_096);
    let (status, _, _) = srv.request("POST", "/v1/batch", &[("Content-Type", "application/json")], big.as_bytes());
    assert_eq!(status, 413);
    // A small gzip body that inflates beyond the limit (a zip bomb in miniature).
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(&vec![b' '; 100_000]).unwrap();
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 4_096);
    let (status, _, body) = srv.request("POST", "/v1/batch", &[("Content-Encoding", "gzip")], &bomb);
    assert_eq!(status, 413, "{body}");
}

#[test]
fn cors_preflight_is_answered_for_configured_origins_only() {
    let srv = Server::start(&["http://shop.example"], 1 << 20);
    let pre = |origin: &str| {
        srv.request(
            "OPTIONS",
            "/v1/batch",
            &[("Origin", origin), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "content-type")],
            b"",
        )
    };
    let (status, head, _) = pre("http://shop.example");
    assert_eq!(status, 200);
    assert!(head.contains("access-control-allow-origin: http://shop.example"), "{head}");
    let (_, head, _) = pre("http://evil.example");
    assert!(!head.contains("access-control-allow-origin"), "{head}");
}

#[test]
fn the_demo_folder_is_served_with_wasm_mime_type() {
    let srv = Server::start(&[], 1 << 20);
    let (status, _, body) = srv.request("GET", "/", &[], b"");
    assert_eq!(status, 200);
    assert!(body.contains("<title>demo</title>"));
    let (status, head, _) = srv.request("GET", "/a.wasm", &[], b"");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: application/wasm"), "{head}");
}

#[test]
fn the_demo_files_are_revalidated_on_every_view_and_answered_304_while_unchanged() {
    let srv = Server::start(&[], 1 << 20);
    let (status, head, _) = srv.request("GET", "/a.wasm", &[], b"");
    assert_eq!(status, 200);
    assert!(head.contains("cache-control: no-cache"), "{head}");
    assert!(head.contains("last-modified: "), "{head}");
    // (The helper lower-cases the head; an entity tag reads the same either way.)
    let tag = head.lines().find_map(|l| l.strip_prefix("etag: ")).expect("an etag header").to_string();
    let (status, head, body) = srv.request("GET", "/a.wasm", &[("If-None-Match", &tag)], b"");
    assert_eq!(status, 304, "{head}");
    assert!(body.is_empty());
    let (status, _, _) = srv.request("GET", "/a.wasm", &[("If-Modified-Since", "Fri, 31 Dec 2100 00:00:00 GMT")], b"");
    assert_eq!(status, 304, "unchanged since a later date");
    // An older copy is sent the file again.
    let (status, _, _) = srv.request("GET", "/a.wasm", &[("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")], b"");
    assert_eq!(status, 200);
    let (status, _, _) = srv.request("GET", "/a.wasm", &[("If-None-Match", "\"another\"")], b"");
    assert_eq!(status, 200);
    // The API's answers are not files: no caching header is added to them.
    let (_, head, _) = srv.request("GET", "/v1/stats", &[], b"");
    assert!(!head.contains("cache-control: no-cache"), "{head}");
}

#[test]
fn events_survive_a_restart_of_the_collector() {
    let srv = Server::start(&[], 1 << 20);
    let the_id = id();
    assert_eq!(srv.post(&batch(vec![analytics(&the_id, "durable", "s")])).1["accepted"], 1);
    let db = srv.dir.join("telemetry.db");
    let store = collector::store::Store::open(&db).unwrap();
    assert_eq!(store.event_count().unwrap(), 1);
    let found = store.query(&collector::store::EventFilter { name: Some("durable".into()), ..Default::default() }).unwrap();
    assert_eq!(found[0]["id"], the_id.as_str());
}

#[test]
fn a_subject_can_be_exported_and_erased() {
    let srv = Server::start(&[], 1 << 20);
    let mut with_user = analytics(&id(), "signup", "sess-a");
    with_user["userId"] = "user-7".into();
    let body = batch(vec![with_user, analytics(&id(), "view", "sess-a"), analytics(&id(), "other", "sess-b")]);
    assert_eq!(srv.post(&body).1["accepted"], 3);
    let export = srv.get_json("/v1/subjects/user-7");
    assert_eq!(export["count"], 1);
    assert_eq!(export["events"][0]["event"], "signup");
    assert_eq!(srv.get_json("/v1/subjects/sess-a")["count"], 2);

    let (status, _, resp) = srv.request("POST", "/v1/erasure", &[], br#"{"subjects":["sess-a","user-7"]}"#);
    assert_eq!(status, 200, "{resp}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&resp).unwrap()["deleted"], 2);
    assert_eq!(srv.get_json("/v1/subjects/sess-a")["count"], 0);
    assert_eq!(srv.get_json("/v1/events")["count"], 1);

    let (status, _, resp) = srv.request("DELETE", "/v1/subjects/sess-b", &[], b"");
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&resp).unwrap()["deleted"], 1);
    let (status, _, _) = srv.request("POST", "/v1/erasure", &[], br#"{"subjects":[]}"#);
    assert_eq!(status, 400);
    let (status, _, _) = srv.request("POST", "/v1/erasure", &[], br#"{"subjects":[""]}"#);
    assert_eq!(status, 400);
}

#[test]
fn injected_faults_answer_without_storing() {
    let srv = Server::start(&[], 1 << 20);
    let (status, _, _) = srv.request("POST", "/v1/test/fault", &[("Content-Type", "application/json")], br#"{"status":429,"retryAfter":"2"}"#);
    assert_eq!(status, 200);
    let body = batch(vec![analytics(&id(), "a", "s")]);
    let (status, head, _) = srv.request("POST", "/v1/batch", &[("Content-Type", "application/json")], body.as_bytes());
    assert_eq!(status, 429);
    assert!(head.contains("retry-after: 2"), "{head}");
    assert_eq!(srv.get_json("/v1/events")["count"], 0);
    srv.request("POST", "/v1/test/fault", &[("Content-Type", "application/json")], b"{}");
    assert_eq!(srv.post(&body).0, 200);
    assert_eq!(srv.get_json("/v1/stats")["faults"], 1);
}

#[test]
fn otlp_logs_from_the_agent_encoder_are_decoded_and_stored_once() {
    let srv = Server::start(&[], 1 << 20);
    let native = batch(vec![analytics(&id(), "page_view", "s-otlp"), analytics(&id(), "signup", "s-otlp")]);
    let otlp = telemetry_agent::core::model::otlp::logs_from_batch(&native, "shop-web").unwrap();
    for _ in 0..2 {
        let (status, _, body) = srv.request("POST", "/v1/logs", &[("Content-Type", "text/plain;charset=UTF-8")], otlp.as_bytes());
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, "{}");
    }
    let stored = srv.get_json("/v1/otlp/logs");
    assert_eq!(stored["count"], 2, "the repeat is not stored twice: {stored}");
    let names: Vec<&str> = stored["records"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["page_view", "signup"]);

    let (status, _, body) = srv.request("POST", "/v1/logs", &[("Content-Type", "application/json")], br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"loud"}]}]}]}"#);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("invalid OTLP logs request"), "{body}");
    let (status, _, body) = srv.request("POST", "/v1/logs", &[("Content-Type", "application/json")], br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"no id"}}]}]}]}"#);
    assert_eq!(status, 200);
    assert!(body.contains("rejectedLogRecords"), "a record without event.id is reported: {body}");
}
