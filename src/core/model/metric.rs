use super::{check_id, check_timestamp, EventMetadata, SharedContext, MAX_NAME_LEN};
use crate::core::validate::{Checker, ValidationErrors};
use serde::{Deserialize, Serialize};
use crate::core::value::Map;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Ms,
    Bytes,
    Count,
    Percentage,
    Score,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    Good,
    NeedsImprovement,
    Poor,
}

/// A measurement: a Web Vital, or the agent's own counters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MonitoringMetric {
    pub id: String,
    pub name: String,
    pub value: f64,
    pub unit: Unit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub navigation_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Map>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub session_id: String,
    pub timestamp: u64,
    pub context: SharedContext,
    pub metadata: EventMetadata,
}

impl MonitoringMetric {
    pub fn validate_into(&self, prefix: &str, errors: &mut ValidationErrors) {
        self.validate_parts(prefix, errors, true);
    }

    /// With `shared` false, the context and metadata are taken as valid (the
    /// caller checked equal ones before).
    pub(crate) fn validate_parts(&self, prefix: &str, errors: &mut ValidationErrors, shared: bool) {
        let mut c = Checker::new(prefix, errors);
        check_id(&mut c, &self.id);
        c.non_empty("name", &self.name);
        c.max_len("name", &self.name, MAX_NAME_LEN);
        if !self.value.is_finite() {
            c.fail("value", "must be a finite number");
        }
        if matches!(self.delta, Some(d) if !d.is_finite()) {
            c.fail("delta", "must be a finite number");
        }
        if self.unit == Unit::Percentage && !(0.0..=100.0).contains(&self.value) {
            c.fail("value", "a percentage must be within 0..=100");
        }
        c.opt_non_empty("navigationType", &self.navigation_type);
        c.opt_non_empty("userId", &self.user_id);
        c.non_empty("sessionId", &self.session_id);
        check_timestamp(&mut c, self.timestamp);
        if !shared {
            return;
        }
        let ctx = c.path("context");
        self.context.validate_into(&mut Checker::new(&ctx, c.errors));
        let meta = c.path("metadata");
        self.metadata.validate_into(&mut Checker::new(&meta, c.errors));
    }
}
