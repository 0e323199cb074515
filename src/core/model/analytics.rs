use super::{check_id, check_timestamp, EventMetadata, SharedContext, MAX_NAME_LEN};
use crate::core::validate::{Checker, ValidationErrors};
use serde::{Deserialize, Serialize};
use crate::core::value::Map;

/// A named product event: `page_view`, `signup`, anything `track()` records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalyticsEvent {
    pub id: String,
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub session_id: String,
    pub timestamp: u64,
    pub properties: Map,
    pub context: SharedContext,
    pub metadata: EventMetadata,
}

impl AnalyticsEvent {
    pub fn validate_into(&self, prefix: &str, errors: &mut ValidationErrors) {
        self.validate_parts(prefix, errors, true);
    }

    /// With `shared` false, the context and metadata are taken as valid (the
    /// caller checked equal ones before).
    pub(crate) fn validate_parts(&self, prefix: &str, errors: &mut ValidationErrors, shared: bool) {
        let mut c = Checker::new(prefix, errors);
        check_id(&mut c, &self.id);
        c.non_empty("event", &self.event);
        c.max_len("event", &self.event, MAX_NAME_LEN);
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
