//! The attribution build's extra fields, as data. Field names serialise to
//! web-vitals' camelCase names; absent fields are left out.

use serde::Serialize;
use crate::core::value::{Map, Value};

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
    /// The fields as a JSON object (for `MonitoringMetric::attribution`),
    /// under web-vitals' names; absent fields are left out. (Written out rather
    /// than through serde: the shipped module then carries no serialiser into
    /// values. The tests check it against the derived `Serialize`.)
    pub fn to_map(&self) -> Map {
        let mut m = Map::new();
        let num = |m: &mut Map, k: &str, v: f64| {
            m.insert(k.to_string(), Value::from(v));
        };
        fn text(m: &mut Map, k: &str, v: &Option<String>) {
            if let Some(v) = v {
                m.insert(k.to_string(), Value::String(v.clone()));
            }
        }
        match self {
            Attribution::Lcp(a) => {
                text(&mut m, "target", &a.target);
                text(&mut m, "url", &a.url);
                num(&mut m, "timeToFirstByte", a.time_to_first_byte);
                num(&mut m, "resourceLoadDelay", a.resource_load_delay);
                num(&mut m, "resourceLoadDuration", a.resource_load_duration);
                num(&mut m, "elementRenderDelay", a.element_render_delay);
            }
            Attribution::Cls(a) => {
                text(&mut m, "largestShiftTarget", &a.largest_shift_target);
                if let Some(v) = a.largest_shift_time {
                    num(&mut m, "largestShiftTime", v);
                }
                if let Some(v) = a.largest_shift_value {
                    num(&mut m, "largestShiftValue", v);
                }
            }
            Attribution::Inp(a) => {
                text(&mut m, "interactionTarget", &a.interaction_target);
                if let Some(t) = a.interaction_type {
                    let t = match t {
                        InteractionType::Pointer => "pointer",
                        InteractionType::Keyboard => "keyboard",
                    };
                    m.insert("interactionType".to_string(), Value::from(t));
                }
                if let Some(v) = a.interaction_time {
                    num(&mut m, "interactionTime", v);
                }
                if let Some(v) = a.next_paint_time {
                    num(&mut m, "nextPaintTime", v);
                }
                num(&mut m, "inputDelay", a.input_delay);
                num(&mut m, "processingDuration", a.processing_duration);
                num(&mut m, "presentationDelay", a.presentation_delay);
            }
            Attribution::Fcp(a) => {
                num(&mut m, "timeToFirstByte", a.time_to_first_byte);
                num(&mut m, "firstByteToFcp", a.first_byte_to_fcp);
            }
            Attribution::Ttfb(a) => {
                num(&mut m, "waitingDuration", a.waiting_duration);
                num(&mut m, "cacheDuration", a.cache_duration);
                num(&mut m, "dnsDuration", a.dns_duration);
                num(&mut m, "connectionDuration", a.connection_duration);
                num(&mut m, "requestDuration", a.request_duration);
            }
        }
        m
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

    /// The hand-written map has what the derived `Serialize` writes, field for field.
    #[test]
    fn maps_agree_with_the_derived_serialisation() {
        let all = [
            Attribution::Lcp(LcpAttribution { target: Some("img.hero".into()), url: Some("https://cdn.example/a.png".into()), time_to_first_byte: 1.5, resource_load_delay: 2.0, resource_load_duration: 3.25, element_render_delay: 4.0 }),
            Attribution::Lcp(LcpAttribution::default()),
            Attribution::Cls(ClsAttribution { largest_shift_target: Some("#ad".into()), largest_shift_time: Some(812.5), largest_shift_value: Some(0.125) }),
            Attribution::Cls(ClsAttribution::default()),
            Attribution::Inp(InpAttribution { interaction_target: Some("button".into()), interaction_type: Some(InteractionType::Pointer), interaction_time: Some(100.0), next_paint_time: Some(340.0), input_delay: 8.0, processing_duration: 200.5, presentation_delay: 31.5 }),
            Attribution::Inp(InpAttribution { interaction_type: Some(InteractionType::Keyboard), ..Default::default() }),
            Attribution::Fcp(FcpAttribution { time_to_first_byte: 80.0, first_byte_to_fcp: 120.5 }),
            Attribution::Ttfb(TtfbAttribution { waiting_duration: 1.0, cache_duration: 2.0, dns_duration: 3.0, connection_duration: 4.0, request_duration: 5.5 }),
        ];
        for a in all {
            let derived = Value::from(serde_json::to_value(&a).unwrap());
            assert_eq!(Value::Object(a.to_map()), derived, "{a:?}");
        }
    }
}
