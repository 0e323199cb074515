use super::{check_id, check_timestamp, Device, EventMetadata};
use crate::core::stack::Frame;
use crate::core::value::Map;
use crate::core::validate::{is_absolute_url, Checker, ValidationErrors};
use serde::{Deserialize, Serialize};
use crate::core::vec_map::VecMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Critical,
    Error,
    Warning,
    Info,
    Debug,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCategory {
    ClientError,
    ServerError,
    NetworkError,
    ValidationError,
    AuthenticationError,
    AuthorizationError,
    RateLimitError,
    ExternalServiceError,
}

impl ErrorCategory {
    pub const ALL: [ErrorCategory; 8] = [
        Self::ClientError,
        Self::ServerError,
        Self::NetworkError,
        Self::ValidationError,
        Self::AuthenticationError,
        Self::AuthorizationError,
        Self::RateLimitError,
        Self::ExternalServiceError,
    ];

    /// The wire name (`CLIENT_ERROR`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientError => "CLIENT_ERROR",
            Self::ServerError => "SERVER_ERROR",
            Self::NetworkError => "NETWORK_ERROR",
            Self::ValidationError => "VALIDATION_ERROR",
            Self::AuthenticationError => "AUTHENTICATION_ERROR",
            Self::AuthorizationError => "AUTHORIZATION_ERROR",
            Self::RateLimitError => "RATE_LIMIT_ERROR",
            Self::ExternalServiceError => "EXTERNAL_SERVICE_ERROR",
        }
    }

    /// From the wire name, in any case.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(name))
    }
}

/// Where an error happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// A JavaScript error or a message captured by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorEvent {
    pub id: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    pub severity: Severity,
    pub category: ErrorCategory,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    pub timestamp: u64,
    pub context: ErrorContext,
    #[serde(default)]
    pub tags: VecMap<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Which build raised it (an addition to the data model: errors need the release).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<EventMetadata>,
    /// The error's type (`TypeError`), where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// How it was captured: `onerror`, `onunhandledrejection`, `resource`, `csp`,
    /// `console`, `network`, `manual`, `preload`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<String>,
    /// The parsed stack, newest frame first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frames: Vec<Frame>,
    /// Occurrences of this fingerprint suppressed by the rate limit since the last one sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<u64>,
    /// What happened just before, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breadcrumbs: Vec<Breadcrumb>,
}

/// Something that happened before an error: a click, a navigation, a console
/// message, a network call, or one added by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Breadcrumb {
    pub timestamp: u64,
    /// `click`, `navigation`, `console`, `fetch`, `xhr` or `manual`.
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub data: Map,
}

impl ErrorEvent {
    pub fn validate_into(&self, prefix: &str, errors: &mut ValidationErrors) {
        let mut c = Checker::new(prefix, errors);
        check_id(&mut c, &self.id);
        c.non_empty("message", &self.message);
        c.opt_non_empty("stack", &self.stack);
        c.opt_non_empty("userId", &self.user_id);
        c.opt_non_empty("sessionId", &self.session_id);
        check_timestamp(&mut c, self.timestamp);
        c.opt_non_empty("fingerprint", &self.fingerprint);
        {
            let ctx = c.path("context");
            let mut cc = Checker::new(&ctx, c.errors);
            if let Some(url) = &self.context.url {
                if !is_absolute_url(url) {
                    cc.fail("url", "must be an absolute URL");
                }
            }
            cc.opt_non_empty("userAgent", &self.context.user_agent);
            cc.opt_non_empty("browser", &self.context.browser);
            cc.opt_non_empty("os", &self.context.os);
            cc.opt_non_empty("requestId", &self.context.request_id);
            cc.opt_non_empty("component", &self.context.component);
            cc.opt_non_empty("action", &self.context.action);
        }
        for key in self.tags.keys() {
            if crate::core::text::is_blank(key) {
                c.fail("tags", "keys must be non-empty strings");
            }
        }
        c.opt_non_empty("errorType", &self.error_type);
        c.opt_non_empty("mechanism", &self.mechanism);
        if self.breadcrumbs.iter().any(|b| crate::core::text::is_blank(&b.category)) {
            c.fail("breadcrumbs", "every breadcrumb needs a category");
        }
        if let Some(m) = &self.metadata {
            let meta = c.path("metadata");
            m.validate_into(&mut Checker::new(&meta, c.errors));
        }
    }
}
