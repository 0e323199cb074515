//! The event model and the wire format. Protocol types only: building,
//! queueing and sending live elsewhere.
//!
//! The same types are used by the agent (to build and validate events) and by
//! the collector (to validate what arrives), so the schema has one definition.

mod analytics;
mod batch;
mod context;
mod error;
pub mod json;
mod metadata;
mod metric;
pub mod otlp;
mod write;

pub use analytics::AnalyticsEvent;
pub use batch::{Batch, ParsedBatch, BATCH_VERSION};
pub use context::{Device, EventContext, SharedContext, MAX_LANGUAGE_LEN};
pub use error::{Breadcrumb, ErrorCategory, ErrorContext, ErrorEvent, Severity};
pub use metadata::{Environment, EventMetadata, Source};
pub use metric::{MonitoringMetric, Rating, Unit};
pub use write::{write_f64, write_u64, write_value};

use crate::core::validate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// Longest accepted event or metric name, in bytes.
pub const MAX_NAME_LEN: usize = 256;

/// Any event the agent sends. On the wire it is an object with a `kind` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Event {
    Analytics(AnalyticsEvent),
    Error(ErrorEvent),
    Metric(MonitoringMetric),
}

impl Event {
    pub fn id(&self) -> &str {
        match self {
            Event::Analytics(e) => &e.id,
            Event::Error(e) => &e.id,
            Event::Metric(e) => &e.id,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Event::Analytics(_) => "analytics",
            Event::Error(_) => "error",
            Event::Metric(_) => "metric",
        }
    }

    /// The event's name: the analytics event name, the metric name, or the error message.
    pub fn name(&self) -> &str {
        match self {
            Event::Analytics(e) => &e.event,
            Event::Error(e) => &e.message,
            Event::Metric(e) => &e.name,
        }
    }

    pub fn session_id(&self) -> Option<&str> {
        match self {
            Event::Analytics(e) => Some(&e.session_id),
            Event::Error(e) => e.session_id.as_deref(),
            Event::Metric(e) => Some(&e.session_id),
        }
    }

    pub fn user_id(&self) -> Option<&str> {
        match self {
            Event::Analytics(e) => e.user_id.as_deref(),
            Event::Error(e) => e.user_id.as_deref(),
            Event::Metric(e) => e.user_id.as_deref(),
        }
    }

    pub fn timestamp(&self) -> u64 {
        match self {
            Event::Analytics(e) => e.timestamp,
            Event::Error(e) => e.timestamp,
            Event::Metric(e) => e.timestamp,
        }
    }

    /// Checks every rule of the data model; field paths start with `prefix`.
    pub fn validate_into(&self, prefix: &str, errors: &mut ValidationErrors) {
        match self {
            Event::Analytics(e) => e.validate_into(prefix, errors),
            Event::Error(e) => e.validate_into(prefix, errors),
            Event::Metric(e) => e.validate_into(prefix, errors),
        }
    }

    /// The context and metadata that every analytics event and metric of a
    /// page shares (errors have their own).
    pub fn shared(&self) -> Option<(&SharedContext, &EventMetadata)> {
        match self {
            Event::Analytics(e) => Some((&e.context, &e.metadata)),
            Event::Metric(e) => Some((&e.context, &e.metadata)),
            Event::Error(_) => None,
        }
    }

    /// Like [`Event::validate`], taking the shared context and metadata as
    /// valid: for a caller that validated equal ones before.
    pub fn validate_except_shared(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        match self {
            Event::Analytics(e) => e.validate_parts("", &mut errors, false),
            Event::Metric(e) => e.validate_parts("", &mut errors, false),
            Event::Error(e) => e.validate_into("", &mut errors),
        }
        errors.into_result()
    }

    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        self.validate_into("", &mut errors);
        errors.into_result()
    }
}

/// Checks a timestamp (milliseconds since the Unix epoch): after 2000-01-01 and
/// before 2200-01-01, which catches seconds-for-milliseconds and zero clocks.
pub(crate) fn check_timestamp(c: &mut crate::core::validate::Checker<'_>, ts: u64) {
    const Y2000: u64 = 946_684_800_000;
    const Y2200: u64 = 7_258_118_400_000;
    if !(Y2000..Y2200).contains(&ts) {
        c.fail("timestamp", "must be milliseconds since the Unix epoch");
    }
}

pub(crate) fn check_id(c: &mut crate::core::validate::Checker<'_>, id: &str) {
    if !crate::core::validate::is_uuid_v4(id) {
        c.fail("id", "must be a UUID v4");
    }
}

#[cfg(test)]
mod tests;
