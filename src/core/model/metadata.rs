use crate::core::validate::{is_semver, Checker};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Staging,
    Production,
}

impl Environment {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "development" => Some(Self::Development),
            "staging" => Some(Self::Staging),
            "production" => Some(Self::Production),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Client,
    Server,
    Api,
}

/// Which build sent an event, and how often it has been retried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventMetadata {
    pub version: String,
    pub environment: Environment,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    pub source: Source,
    pub retry_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transmission_id: Option<String>,
}

impl EventMetadata {
    pub fn validate_into(&self, c: &mut Checker<'_>) {
        if !is_semver(&self.version) {
            c.fail("version", "must be a semantic version");
        }
        c.opt_non_empty("buildId", &self.build_id);
        c.opt_non_empty("deploymentId", &self.deployment_id);
        c.opt_non_empty("transmissionId", &self.transmission_id);
    }
}
