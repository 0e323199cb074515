use crate::core::validate::{is_absolute_url, is_screen_resolution, Checker};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    Mobile,
    Desktop,
    Tablet,
}

/// Where an event happened. Every present string is non-empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_resolution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The browser's preferred language, a BCP 47 tag (`navigator.language`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A page's context, shared by its events: an event takes a reference to the
/// pipeline's, not a copy of its nine strings (a fifth of `track()`'s allocations).
pub type SharedContext = std::sync::Arc<EventContext>;

/// Longest language tag accepted.
pub const MAX_LANGUAGE_LEN: usize = 35;

impl EventContext {
    pub fn validate_into(&self, c: &mut Checker<'_>) {
        c.opt_non_empty("browser", &self.browser);
        c.opt_non_empty("os", &self.os);
        if let Some(url) = &self.url {
            if !is_absolute_url(url) {
                c.fail("url", "must be an absolute URL");
            }
        }
        c.opt_non_empty("referrer", &self.referrer);
        c.opt_non_empty("userAgent", &self.user_agent);
        if let Some(r) = &self.screen_resolution {
            if !is_screen_resolution(r) {
                c.fail("screenResolution", "must be WIDTHxHEIGHT");
            }
        }
        c.opt_non_empty("timezone", &self.timezone);
        if let Some(l) = &self.language {
            if l.is_empty() || l.len() > MAX_LANGUAGE_LEN || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                c.fail("language", "must be a language tag such as en-US");
            }
        }
    }
}
