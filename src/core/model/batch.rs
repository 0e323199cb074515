use super::Event;
use crate::core::validate::ValidationErrors;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The wire format's version, the `v` of every batch.
pub const BATCH_VERSION: u32 = 1;

/// A batch as it travels: `{"v":1,"sentAt":…,"events":[…]}` (see `schema/batch.v1.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    pub v: u32,
    pub sent_at: u64,
    pub events: Vec<Event>,
}

/// A batch whose envelope is sound; each event is either valid or rejected
/// with every failing field named.
#[derive(Debug)]
pub struct ParsedBatch {
    pub sent_at: u64,
    pub events: Vec<Result<Event, ValidationErrors>>,
}

impl ParsedBatch {
    /// Parses and validates a batch body. `Err` means the envelope itself is
    /// malformed (not JSON, wrong version, no event list); the errors name it.
    pub fn parse(body: &[u8]) -> Result<ParsedBatch, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let root: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                errors.push("body", e.to_string());
                return Err(errors);
            }
        };
        let Value::Object(mut root) = root else {
            errors.push("body", "must be a JSON object");
            return Err(errors);
        };
        match root.get("v") {
            Some(Value::Number(n)) if n.as_u64() == Some(BATCH_VERSION as u64) => {}
            Some(_) => errors.push("v", "unsupported batch version (expected 1)"),
            None => errors.push("v", "is required"),
        }
        let sent_at = match root.get("sentAt") {
            Some(v) => match v.as_u64() {
                Some(t) => t,
                None => {
                    errors.push("sentAt", "must be milliseconds since the Unix epoch");
                    0
                }
            },
            None => {
                errors.push("sentAt", "is required");
                0
            }
        };
        // The context and metadata shared by the batch's analytics events and
        // metrics: an event without its own has these.
        let mut shared = Vec::new();
        for key in ["context", "metadata"] {
            match root.remove(key) {
                Some(v @ Value::Object(_)) => shared.push((key, v)),
                Some(_) => errors.push(key, "must be an object"),
                None => {}
            }
        }
        let events = match root.remove("events") {
            Some(Value::Array(list)) => {
                if list.is_empty() {
                    errors.push("events", "must hold at least one event");
                }
                list
            }
            Some(_) => {
                errors.push("events", "must be an array");
                Vec::new()
            }
            None => {
                errors.push("events", "is required");
                Vec::new()
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let events = events
            .into_iter()
            .enumerate()
            .map(|(i, mut raw)| {
                let kind = raw.get("kind").and_then(Value::as_str);
                if matches!(kind, Some("analytics" | "metric")) {
                    if let Value::Object(map) = &mut raw {
                        for (key, value) in &shared {
                            if !map.contains_key(*key) {
                                map.insert(key.to_string(), value.clone());
                            }
                        }
                    }
                }
                parse_event(i, raw)
            })
            .collect();
        Ok(ParsedBatch { sent_at, events })
    }
}

fn parse_event(index: usize, raw: Value) -> Result<Event, ValidationErrors> {
    let prefix = format!("events[{index}]");
    let mut errors = ValidationErrors::default();
    // Deserialise by kind into the concrete type: an internally tagged enum
    // would buffer the content and lose the path of the failing field.
    let kind = raw.get("kind").and_then(Value::as_str).map(str::to_owned);
    let event = match kind.as_deref() {
        Some("analytics") => typed(raw, &prefix).map(Event::Analytics),
        Some("error") => typed(raw, &prefix).map(Event::Error),
        Some("metric") => typed(raw, &prefix).map(Event::Metric),
        Some(_) => Err((format!("{prefix}.kind"), "must be analytics, error or metric".to_string())),
        None => Err((format!("{prefix}.kind"), "is required".to_string())),
    };
    let event = match event {
        Ok(e) => e,
        Err((field, problem)) => {
            errors.push(field, problem);
            return Err(errors);
        }
    };
    event.validate_into(&prefix, &mut errors);
    errors.into_result().map(|_| event)
}

fn typed<T: serde::de::DeserializeOwned>(mut raw: Value, prefix: &str) -> Result<T, (String, String)> {
    if let Value::Object(map) = &mut raw {
        map.remove("kind");
    }
    serde_path_to_error::deserialize(raw).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { prefix.to_string() } else { format!("{prefix}.{path}") };
        (field, e.into_inner().to_string())
    })
}
