//! The reference collection endpoint.
//!
//! `POST /v1/batch` validates every event with the agent's own model code,
//! stores it in SQLite (de-duplicated by id) and only then answers 2xx.
//! `GET /v1/events` and `GET /v1/stats` are for inspection and tests; every
//! other path is served from the `www/` folder (the demo and the built agent).

pub mod otlp;
pub mod store;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use store::{EventFilter, Store};
use telemetry_agent::core::model::ParsedBatch;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

/// Largest request body accepted, compressed or not (bytes).
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Settings {
    pub db: PathBuf,
    pub www: PathBuf,
    /// Origins allowed to post across origins; `*` allows any.
    pub cors_origins: Vec<String>,
    pub max_body: usize,
    /// Enables `POST /v1/test/fault`, which makes `/v1/batch` fail on purpose
    /// (for chaos tests; never on a real deployment).
    pub faults: bool,
}

/// How `/v1/batch` misbehaves while a fault is set.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Answer this status without storing (500, 429, …); `None`: behave.
    pub status: Option<u16>,
    /// Sent with the status as `Retry-After`.
    pub retry_after: Option<String>,
    /// Wait this long before handling the request normally.
    pub hang_ms: Option<u64>,
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) store: Arc<Mutex<Store>>,
    max_body: usize,
    fault: Arc<Mutex<Fault>>,
}

pub fn app(settings: &Settings) -> rusqlite::Result<Router> {
    let store = Store::open(&settings.db)?;
    let state = AppState { store: Arc::new(Mutex::new(store)), max_body: settings.max_body, fault: Arc::new(Mutex::new(Fault::default())) };
    let mut api = Router::new();
    if settings.faults {
        api = api.route("/v1/test/fault", post(set_fault));
    }
    let api = api
        .route("/v1/batch", post(post_batch))
        .route("/v1/events", get(get_events))
        .route("/v1/logs", post(otlp::post_logs))
        .route("/v1/otlp/logs", get(otlp::get_logs))
        .route("/v1/stats", get(get_stats))
        .route("/v1/erasure", post(post_erasure))
        .route("/v1/subjects/{id}", get(get_subject).delete(delete_subject))
        // The handler enforces the limit itself so that it can answer 413 with a JSON body.
        .layer(DefaultBodyLimit::max(settings.max_body + 1))
        .with_state(state);
    let api = match cors(&settings.cors_origins) {
        Some(layer) => api.layer(layer),
        None => api,
    };
    // The agent's files change with every build: browsers keep them (and
    // Chromium the wasm's compiled code) but ask again each time, answered
    // 304 while the file is the same (ServeDir honours If-Modified-Since).
    let files = SetResponseHeader::overriding(ServeDir::new(&settings.www), header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(api.fallback_service(files))
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers([header::CONTENT_TYPE, header::CONTENT_ENCODING])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

pub(crate) fn problem(status: StatusCode, error: &str, problems: serde_json::Value) -> Response {
    (status, Json(json!({ "error": error, "problems": problems }))).into_response()
}

async fn set_fault(State(state): State<AppState>, Json(fault): Json<Fault>) -> Response {
    *state.fault.lock().unwrap_or_else(|p| p.into_inner()) = fault;
    Json(json!({ "ok": true })).into_response()
}

async fn post_batch(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let fault = state.fault.lock().unwrap_or_else(|p| p.into_inner()).clone();
    if let Some(ms) = fault.hang_ms {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if let Some(code) = fault.status {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = problem(status, "fault injected", json!([]));
        if let Some(ra) = fault.retry_after.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            resp.headers_mut().insert(header::RETRY_AFTER, ra);
        }
        if let Ok(mut s) = state.store.lock() {
            let _ = s.count_fault();
        }
        return resp;
    }
    let body = match read_body(&state, &headers, &body) {
        Ok(b) => b,
        Err(resp) => return resp,
    };

    let parsed = match ParsedBatch::parse(&body) {
        Ok(p) => p,
        Err(errors) => return problem(StatusCode::BAD_REQUEST, "invalid batch", serde_json::to_value(&errors).unwrap_or_default()),
    };
    let mut valid = Vec::with_capacity(parsed.events.len());
    let mut rejected = Vec::new();
    let mut all_problems = Vec::new();
    for (index, result) in parsed.events.into_iter().enumerate() {
        match result {
            Ok(e) => valid.push(e),
            Err(errors) => {
                all_problems.extend(errors.0.iter().cloned());
                rejected.push(json!({ "index": index, "problems": errors }));
            }
        }
    }
    let store = state.store.clone();
    let n_rejected = rejected.len();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
        if n_rejected > 0 {
            s.count_rejected(n_rejected)?;
        }
        if valid.is_empty() {
            return Ok(None);
        }
        s.insert(&valid, now_ms()).map(Some)
    })
    .await;
    match outcome {
        Ok(Ok(Some(o))) => (
            StatusCode::OK,
            Json(json!({ "accepted": o.accepted, "duplicates": o.duplicates, "rejected": rejected })),
        )
            .into_response(),
        Ok(Ok(None)) => problem(StatusCode::BAD_REQUEST, "no valid event in batch", serde_json::to_value(&all_problems).unwrap_or_default()),
        Ok(Err(e)) => problem(StatusCode::SERVICE_UNAVAILABLE, "storage failed", json!([{"field": "store", "problem": e.to_string()}])),
        Err(_) => problem(StatusCode::INTERNAL_SERVER_ERROR, "storage task failed", json!([])),
    }
}

/// The request body after the size, type and encoding checks (gzip inflated),
/// or the error answer.
pub(crate) fn read_body(state: &AppState, headers: &HeaderMap, body: &Bytes) -> Result<Vec<u8>, Response> {
    let too_large = |why: String| problem(StatusCode::PAYLOAD_TOO_LARGE, "body too large", json!([{"field": "body", "problem": why}]));
    if body.len() > state.max_body {
        return Err(too_large(format!("exceeds {} bytes", state.max_body)));
    }
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
        let mime = ct.split(';').next().unwrap_or("").trim();
        if mime != "application/json" && mime != "text/plain" {
            return Err(problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported content type", json!([{"field": "content-type", "problem": "use application/json or text/plain"}])));
        }
    }
    match headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap_or("").trim().to_ascii_lowercase()) {
        None => Ok(body.to_vec()),
        Some(enc) if enc.is_empty() || enc == "identity" => Ok(body.to_vec()),
        Some(enc) if enc == "gzip" => gunzip(body, state.max_body).map_err(|e| match e {
            GunzipError::TooLarge => too_large(format!("decompresses beyond {} bytes", state.max_body)),
            GunzipError::Corrupt => problem(StatusCode::BAD_REQUEST, "invalid batch", json!([{"field": "body", "problem": "not valid gzip"}])),
        }),
        Some(_) => Err(problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported content encoding", json!([{"field": "content-encoding", "problem": "use gzip or none"}]))),
    }
}

enum GunzipError {
    TooLarge,
    Corrupt,
}

fn gunzip(data: &[u8], limit: usize) -> Result<Vec<u8>, GunzipError> {
    let mut out = Vec::new();
    let mut decoder = flate2::read::GzDecoder::new(data).take(limit as u64 + 1);
    decoder.read_to_end(&mut out).map_err(|_| GunzipError::Corrupt)?;
    if out.len() > limit {
        return Err(GunzipError::TooLarge);
    }
    Ok(out)
}

async fn get_events(State(state): State<AppState>, Query(filter): Query<EventFilter>) -> Response {
    let store = state.store.clone();
    let result = tokio::task::spawn_blocking(move || {
        let s = store.lock().unwrap_or_else(|p| p.into_inner());
        s.query(&filter)
    })
    .await;
    match result {
        Ok(Ok(events)) => Json(json!({ "count": events.len(), "events": events })).into_response(),
        Ok(Err(e)) => problem(StatusCode::SERVICE_UNAVAILABLE, "query failed", json!([{"field": "store", "problem": e.to_string()}])),
        Err(_) => problem(StatusCode::INTERNAL_SERVER_ERROR, "query task failed", json!([])),
    }
}

async fn get_stats(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    let result = tokio::task::spawn_blocking(move || {
        let s = store.lock().unwrap_or_else(|p| p.into_inner());
        Ok::<_, rusqlite::Error>(json!({
            "events": s.event_count()?,
            "duplicates": s.counter("duplicates")?,
            "rejected": s.counter("rejected")?,
            "batches": s.counter("batches")?,
            "faults": s.counter("faults")?,
        }))
    })
    .await;
    match result {
        Ok(Ok(v)) => Json(v).into_response(),
        _ => problem(StatusCode::SERVICE_UNAVAILABLE, "stats failed", json!([])),
    }
}

/// Most subject ids one erasure request may name.
pub const MAX_ERASURE_SUBJECTS: usize = 100;

async fn erase(state: &AppState, subjects: Vec<String>) -> Response {
    let store = state.store.clone();
    let result = tokio::task::spawn_blocking(move || {
        let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
        s.erase(&subjects)
    })
    .await;
    match result {
        Ok(Ok(deleted)) => Json(json!({ "deleted": deleted })).into_response(),
        _ => problem(StatusCode::SERVICE_UNAVAILABLE, "erasure failed", json!([])),
    }
}

/// `POST /v1/erasure {"subjects": ["user or session id", …]}` → `{"deleted": n}`.
async fn post_erasure(State(state): State<AppState>, body: Bytes) -> Response {
    let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&body);
    let subjects: Option<Vec<String>> = parsed.ok().and_then(|v| {
        v.get("subjects")?.as_array()?.iter().map(|s| s.as_str().filter(|s| !s.trim().is_empty()).map(str::to_owned)).collect()
    });
    match subjects {
        Some(list) if !list.is_empty() && list.len() <= MAX_ERASURE_SUBJECTS => erase(&state, list).await,
        _ => problem(
            StatusCode::BAD_REQUEST,
            "invalid erasure request",
            json!([{"field": "subjects", "problem": format!("must be 1 to {MAX_ERASURE_SUBJECTS} non-empty strings")}]),
        ),
    }
}

async fn delete_subject(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    erase(&state, vec![id]).await
}

/// `GET /v1/subjects/{id}`: everything held for a user or session id.
async fn get_subject(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let store = state.store.clone();
    let sid = id.clone();
    let result = tokio::task::spawn_blocking(move || {
        let s = store.lock().unwrap_or_else(|p| p.into_inner());
        s.subject(&sid)
    })
    .await;
    match result {
        Ok(Ok(events)) => Json(json!({ "subject": id, "count": events.len(), "events": events })).into_response(),
        _ => problem(StatusCode::SERVICE_UNAVAILABLE, "export failed", json!([])),
    }
}
