//! `POST /v1/logs`: the OTLP/HTTP JSON logs endpoint, for agents configured
//! with `wireFormat: 'otlp'` (the path an OpenTelemetry Collector serves).
//! Requests are decoded with the `opentelemetry-proto` crate's own serde
//! types, so what passes here passes a real OpenTelemetry Collector's decoder
//! too; records are stored by their `event.id` attribute, de-duplicated.
//! `GET /v1/otlp/logs` lists what arrived, for inspection and tests.

use crate::{now_ms, problem, read_body, AppState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use serde_json::json;

/// One decoded log record with the id it is stored under.
pub struct StoredRecord {
    pub event_id: String,
    pub name: String,
    pub record: String,
}

fn string_attr(record: &LogRecord, key: &str) -> Option<String> {
    record.attributes.iter().find(|kv| kv.key == key).and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
        Any::StringValue(s) => Some(s.clone()),
        _ => None,
    })
}

pub(crate) async fn post_logs(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let body = match read_body(&state, &headers, &body) {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let request: ExportLogsServiceRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return problem(StatusCode::BAD_REQUEST, "invalid OTLP logs request", json!([{"field": "body", "problem": e.to_string()}])),
    };
    let mut records = Vec::new();
    let mut missing_id = 0i64;
    for rl in &request.resource_logs {
        for sl in &rl.scope_logs {
            for r in &sl.log_records {
                match string_attr(r, "event.id") {
                    Some(event_id) => records.push(StoredRecord {
                        event_id,
                        name: string_attr(r, "event.name").unwrap_or_default(),
                        record: serde_json::to_string(r).unwrap_or_default(),
                    }),
                    None => missing_id += 1,
                }
            }
        }
    }
    let store = state.store.clone();
    let result = tokio::task::spawn_blocking(move || {
        let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
        s.insert_otlp(&records, now_ms())
    })
    .await;
    match result {
        // The OTLP answer: an empty ExportLogsServiceResponse, or a partial success.
        Ok(Ok(_)) if missing_id == 0 => Json(json!({})).into_response(),
        Ok(Ok(_)) => Json(json!({ "partialSuccess": { "rejectedLogRecords": missing_id.to_string(), "errorMessage": "log records need an event.id attribute" } })).into_response(),
        _ => problem(StatusCode::SERVICE_UNAVAILABLE, "storage failed", json!([])),
    }
}

pub(crate) async fn get_logs(State(state): State<AppState>) -> Response {
    let store = state.store.clone();
    let result = tokio::task::spawn_blocking(move || {
        let s = store.lock().unwrap_or_else(|p| p.into_inner());
        s.otlp_logs()
    })
    .await;
    match result {
        Ok(Ok(list)) => Json(json!({ "count": list.len(), "records": list })).into_response(),
        _ => problem(StatusCode::SERVICE_UNAVAILABLE, "query failed", json!([])),
    }
}
