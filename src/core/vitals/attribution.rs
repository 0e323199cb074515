//! The attribution build's extra fields, as data. Field names serialise to
//! web-vitals' camelCase names; absent fields are left out.

use serde::Serialize;
use serde_json::{Map, Value};

/// LCP: where the time between navigation and the largest paint went.
/// The four parts add up to the LCP value.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LcpAttribution {
    /// Selector of the LCP element (web-vitals v5+ calls this `target`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub time_to_first_byte: f64,
    pub resource_load_delay: f64,
    pub resource_load_duration: f64,
    pub element_render_delay: f64,
}

/// CLS: the largest single shift of the worst session window.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClsAttribution {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest_shift_target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest_shift_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub largest_shift_value: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InteractionType {
    Pointer,
    Keyboard,
}

/// INP: the interaction's three phases, which add up to its duration.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InpAttribution {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction_target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction_type: Option<InteractionType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_paint_time: Option<f64>,
    pub input_delay: f64,
    pub processing_duration: f64,
    pub presentation_delay: f64,
}

/// FCP: server time versus render time.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FcpAttribution {
    pub time_to_first_byte: f64,
    pub first_byte_to_fcp: f64,
}

/// TTFB: the navigation's phases up to the first byte.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TtfbAttribution {
    pub waiting_duration: f64,
    pub cache_duration: f64,
    pub dns_duration: f64,
    pub connection_duration: f64,
    pub request_duration: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Attribution {
    Lcp(LcpAttribution),
    Cls(ClsAttribution),
    Inp(InpAttribution),
    Fcp(FcpAttribution),
    Ttfb(TtfbAttribution),
}

impl Attribution {
    /// The fields as a JSON object (for `MonitoringMetric::attribution`).
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_use_web_vitals_names_and_skip_absent_fields() {
        let inp = Attribution::Inp(InpAttribution {
            interaction_target: Some("#buy".to_string()),
            interaction_type: Some(InteractionType::Keyboard),
            input_delay: 8.0,
            ..Default::default()
        });
        let m = inp.to_map();
        assert_eq!(m["interactionTarget"], "#buy");
        assert_eq!(m["interactionType"], "keyboard");
        assert_eq!(m["inputDelay"], 8.0);
        assert!(!m.contains_key("interactionTime"));

        let cls = Attribution::Cls(ClsAttribution::default()).to_map();
        assert!(cls.is_empty());

        let lcp = Attribution::Lcp(LcpAttribution { element_render_delay: 5.0, ..Default::default() }).to_map();
        let keys: Vec<&str> = lcp.keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 4);
        for k in ["timeToFirstByte", "resourceLoadDelay", "resourceLoadDuration", "elementRenderDelay"] {
            assert!(keys.contains(&k), "{k}");
        }
    }
}
