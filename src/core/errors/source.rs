//! Where an error came from, what the shell gathered, and the default
//! severity and category of each source.

use crate::core::model::{ErrorCategory, Severity};
use crate::core::vec_map::VecMap;

/// How an error reached the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorSource {
    /// A window `error` event: an exception nothing caught.
    Uncaught,
    /// A window `unhandledrejection` event.
    UnhandledRejection,
    /// An `<img>`, `<script>`, `<link>` … that failed to load.
    Resource,
    /// A `securitypolicyviolation` event.
    Csp,
    /// A `console.error` call.
    Console,
    /// A failed `fetch` / XHR: a network error or a 5xx (or other error status).
    Network,
    /// `captureException`.
    Manual,
    /// `captureMessage`.
    Message,
    /// Recorded by the loader stub before the module loaded; carries the
    /// source it was recorded as. Defaults come from that source.
    Preload(Box<ErrorSource>),
}

impl ErrorSource {
    /// The `mechanism` field of the event.
    pub fn mechanism(&self) -> &'static str {
        match self {
            ErrorSource::Uncaught => "onerror",
            ErrorSource::UnhandledRejection => "onunhandledrejection",
            ErrorSource::Resource => "resource",
            ErrorSource::Csp => "csp",
            ErrorSource::Console => "console",
            ErrorSource::Network => "network",
            ErrorSource::Manual => "manual",
            ErrorSource::Message => "message",
            ErrorSource::Preload(_) => "preload",
        }
    }

    /// The source a preloaded error was recorded as (through any nesting);
    /// `self` for every other source.
    pub fn origin(&self) -> &ErrorSource {
        let mut s = self;
        while let ErrorSource::Preload(inner) = s {
            s = inner;
        }
        s
    }

    /// The source for a DOM event type, as the loader records it (`ev.type`):
    /// `error`, `unhandledrejection`, `securitypolicyviolation`.
    pub fn from_event_type(kind: &str) -> Option<ErrorSource> {
        match kind {
            "error" => Some(ErrorSource::Uncaught),
            "unhandledrejection" => Some(ErrorSource::UnhandledRejection),
            "securitypolicyviolation" => Some(ErrorSource::Csp),
            _ => None,
        }
    }
}

/// What the shell gathered about one error.
#[derive(Debug, Clone, PartialEq)]
pub struct RawError {
    pub source: ErrorSource,
    /// `TypeError`, `ReferenceError`, … (`error.name`).
    pub error_type: Option<String>,
    pub message: String,
    /// `error.stack` as the engine printed it.
    pub stack: Option<String>,
    /// From the error event; used as a single frame when there is no stack or
    /// it yields no frames.
    pub filename: Option<String>,
    pub lineno: Option<u32>,
    pub colno: Option<u32>,
    /// Overrides of the source's defaults (`captureException(e, {level})`).
    pub severity: Option<Severity>,
    pub category: Option<ErrorCategory>,
    pub tags: VecMap<String>,
    /// Response status of a failed request; `None` (or 0) for a network failure.
    pub http_status: Option<u16>,
    /// The failing resource or request URL.
    pub url: Option<String>,
    /// When it happened, ms since the epoch.
    pub timestamp: u64,
}

impl RawError {
    /// A raw error with only a source, a message and a time.
    pub fn new(source: ErrorSource, message: impl Into<String>, timestamp: u64) -> Self {
        RawError {
            source,
            error_type: None,
            message: message.into(),
            stack: None,
            filename: None,
            lineno: None,
            colno: None,
            severity: None,
            category: None,
            tags: VecMap::new(),
            http_status: None,
            url: None,
            timestamp,
        }
    }
}

/// Severity and category of an error: the overrides where given, else the
/// source's defaults.
pub fn classify(
    source: &ErrorSource,
    http_status: Option<u16>,
    severity: Option<Severity>,
    category: Option<ErrorCategory>,
) -> (Severity, ErrorCategory) {
    let (s, c) = default_classification(source, http_status);
    (severity.unwrap_or(s), category.unwrap_or(c))
}

/// Default severity and category of each source.
///
/// - Uncaught exceptions and unhandled rejections: ERROR / CLIENT_ERROR.
/// - A resource that failed to load: WARNING / NETWORK_ERROR (the page
///   usually survives a missing image or stylesheet).
/// - CSP violations: WARNING / CLIENT_ERROR. A violation is a mismatch between
///   the page and its policy, found in the client; nothing threw.
/// - `console.error`: WARNING / CLIENT_ERROR. The code saw the problem and
///   logged it (handled), libraries log liberally, and ERROR is kept for
///   exceptions that reached the top.
/// - Failed requests: see [`network_classification`].
/// - `captureException`: ERROR / CLIENT_ERROR; `captureMessage`: INFO /
///   CLIENT_ERROR.
/// - Preloaded errors: the defaults of the source they were recorded as.
pub fn default_classification(source: &ErrorSource, http_status: Option<u16>) -> (Severity, ErrorCategory) {
    use ErrorCategory as C;
    use Severity as S;
    match source.origin() {
        ErrorSource::Uncaught | ErrorSource::UnhandledRejection | ErrorSource::Manual => (S::Error, C::ClientError),
        ErrorSource::Resource => (S::Warning, C::NetworkError),
        ErrorSource::Csp | ErrorSource::Console => (S::Warning, C::ClientError),
        ErrorSource::Network => network_classification(http_status),
        ErrorSource::Message => (S::Info, C::ClientError),
        // `origin` never returns a preload.
        ErrorSource::Preload(_) => (S::Error, C::ClientError),
    }
}

/// Severity and category of a failed request by its status:
///
/// | status            | severity | category             |
/// |-------------------|----------|----------------------|
/// | none or 0 (failure) | ERROR  | NETWORK_ERROR        |
/// | 5xx               | ERROR    | SERVER_ERROR         |
/// | 401               | WARNING  | AUTHENTICATION_ERROR |
/// | 403               | WARNING  | AUTHORIZATION_ERROR  |
/// | 429               | WARNING  | RATE_LIMIT_ERROR     |
/// | 408               | WARNING  | NETWORK_ERROR        |
/// | 400, 422          | WARNING  | VALIDATION_ERROR     |
/// | other             | WARNING  | CLIENT_ERROR         |
///
/// 401 and 403 are warnings: an expired session or a missing permission is
/// part of normal flows and the app usually handles it.
pub fn network_classification(http_status: Option<u16>) -> (Severity, ErrorCategory) {
    use ErrorCategory as C;
    use Severity as S;
    match http_status {
        None | Some(0) => (S::Error, C::NetworkError),
        Some(500..=599) => (S::Error, C::ServerError),
        Some(401) => (S::Warning, C::AuthenticationError),
        Some(403) => (S::Warning, C::AuthorizationError),
        Some(429) => (S::Warning, C::RateLimitError),
        Some(408) => (S::Warning, C::NetworkError),
        Some(400 | 422) => (S::Warning, C::ValidationError),
        Some(_) => (S::Warning, C::ClientError),
    }
}
