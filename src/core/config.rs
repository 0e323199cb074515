//! The agent's configuration: what `init(config)` accepts, its defaults and limits.
//!
//! The shell reads the page's object into [`ConfigInput`] (every field optional,
//! exactly as given); [`Config::from_input`] checks every field and reports all
//! the bad ones at once.

use crate::core::consent::{Category, Decision};
use crate::core::model::Environment;
use crate::core::session::{Persistence, DEFAULT_INACTIVITY_MS, DEFAULT_MAX_AGE_MS};
use crate::core::validate::{is_absolute_url, is_semver, ValidationErrors};

pub const DEFAULT_BATCH_SIZE: u32 = 50;
pub const MAX_BATCH_SIZE: u32 = 1_000;
/// Under the 64 KiB that keepalive fetches and beacons share per page.
pub const DEFAULT_MAX_BATCH_BYTES: u32 = 60_000;
pub const DEFAULT_FLUSH_INTERVAL_MS: u32 = 5_000;
pub const MIN_FLUSH_INTERVAL_MS: u32 = 100;
pub const MAX_FLUSH_INTERVAL_MS: u32 = 3_600_000;
pub const DEFAULT_MAX_QUEUE: u32 = 1_000;
pub const DEFAULT_APP_VERSION: &str = "0.0.0";

/// A field as the page gave it: absent, or a value of some JavaScript type.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Str(String),
    Num(f64),
    Bool(bool),
    /// A list (a JavaScript array), item by item.
    List(Vec<Raw>),
    /// A function.
    Function,
    /// Present but of another type (object, null…).
    Other,
}

/// The configuration object exactly as the page passed it.
#[derive(Debug, Clone, Default)]
pub struct ConfigInput {
    pub endpoint: Option<Raw>,
    pub app_version: Option<Raw>,
    pub environment: Option<Raw>,
    pub build_id: Option<Raw>,
    pub deployment_id: Option<Raw>,
    pub sample_rate: Option<Raw>,
    pub batch_size: Option<Raw>,
    pub max_batch_bytes: Option<Raw>,
    pub flush_interval_ms: Option<Raw>,
    pub max_queue: Option<Raw>,
    pub debug: Option<Raw>,
    pub track_page_views: Option<Raw>,
    pub default_consent: Option<Raw>,
    pub consent_policy_version: Option<Raw>,
    pub honor_privacy_signals: Option<Raw>,
    pub error_consent_category: Option<Raw>,
    pub error_sample_rate: Option<Raw>,
    pub error_rate_limit: Option<Raw>,
    pub max_breadcrumbs: Option<Raw>,
    pub capture_console: Option<Raw>,
    pub capture_network_errors: Option<Raw>,
    pub max_stored_events: Option<Raw>,
    pub max_stored_bytes: Option<Raw>,
    pub stats_interval_ms: Option<Raw>,
    pub track_history: Option<Raw>,
    pub track_replace_state: Option<Raw>,
    pub hash_routing: Option<Raw>,
    pub track_page_leave: Option<Raw>,
    pub session_timeout_ms: Option<Raw>,
    pub session_max_age_ms: Option<Raw>,
    pub session_persistence: Option<Raw>,
    pub report_all_changes: Option<Raw>,
    pub track_web_vitals: Option<Raw>,
    pub wire_format: Option<Raw>,
    pub service_name: Option<Raw>,
    pub mask_keys: Option<Raw>,
    pub mask_patterns: Option<Raw>,
    pub allow_list: Option<Raw>,
    pub before_send: Option<Raw>,
}

/// The checked configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Absolute URL, or a path (`/v1/batch`) that the shell resolves against the page.
    pub endpoint: String,
    pub app_version: String,
    pub environment: Environment,
    pub build_id: Option<String>,
    pub deployment_id: Option<String>,
    pub sample_rate: f64,
    pub batch_size: u32,
    pub max_batch_bytes: u32,
    pub flush_interval_ms: u32,
    pub max_queue: u32,
    pub debug: bool,
    pub track_page_views: bool,
    /// Analytics and marketing consent before the visitor decides (normally pending).
    pub default_consent: Decision,
    /// A stored decision for another policy version is asked again.
    pub consent_policy_version: String,
    /// Global Privacy Control / Do Not Track deny analytics and marketing.
    pub honor_privacy_signals: bool,
    /// The consent category errors need (`analytics`, or `necessary`).
    pub error_category: Category,
    /// Share of errors kept, drawn per error.
    pub error_sample_rate: f64,
    /// Errors of one fingerprint reported per minute; the rest are counted.
    pub error_rate_limit: u32,
    pub max_breadcrumbs: u32,
    /// `console.error` calls are captured as errors (they are always breadcrumbs).
    pub capture_console: bool,
    /// Failed fetch/XHR calls (network errors, 5xx) are captured as errors.
    pub capture_network_errors: bool,
    /// Bounds of the IndexedDB outbox; past them the oldest events are dropped and counted.
    pub max_stored_events: u32,
    pub max_stored_bytes: u32,
    /// The agent's delivery counters go out as an `agent.stats` metric this often.
    pub stats_interval_ms: u32,
    /// `pushState`, `replaceState` and `popstate` are page views (single-page apps).
    pub track_history: bool,
    /// `replaceState` is a page view when it changes the path.
    pub track_replace_state: bool,
    /// The app routes by fragment (`#/route`): fragment changes are page views.
    pub hash_routing: bool,
    /// A `page_leave` event with visible time and scroll depth ends each page view.
    pub track_page_leave: bool,
    /// A session ends after this long without activity.
    pub session_timeout_ms: u32,
    /// A session ends at this age, active or not.
    pub session_max_age_ms: u32,
    /// Where the session is kept between page loads once consent allows storage.
    pub session_persistence: Persistence,
    /// Web Vitals: report every change of a metric, not only final values and
    /// values at page hide (web-vitals' `reportAllChanges`).
    pub report_all_changes: bool,
    /// Web Vitals are measured (LCP, CLS, INP, FCP, TTFB).
    pub track_web_vitals: bool,
    /// What the endpoint speaks: the native batch, or OTLP/HTTP JSON logs.
    pub wire_format: WireFormat,
    /// `service.name` of the OTLP resource.
    pub service_name: String,
    /// The site's masking rules (`maskKeys`, `maskPatterns`, `allowList`).
    pub site_rules: crate::core::privacy::SiteRules,
    /// A `beforeSend(event)` hook was given (the shell keeps the function).
    pub before_send: bool,
}

/// The body format of batch requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFormat {
    /// `{"v":1,"sentAt":…,"events":[…]}` (`schema/batch.v1.json`).
    Native,
    /// OpenTelemetry's OTLP/HTTP JSON, logs signal (an OpenTelemetry Collector's `/v1/logs`).
    Otlp,
}

impl Config {
    pub fn from_input(input: &ConfigInput) -> Result<Config, ValidationErrors> {
        let mut e = ValidationErrors::default();

        let endpoint = match &input.endpoint {
            None => {
                e.push("endpoint", "is required");
                String::new()
            }
            Some(Raw::Str(s)) if s.starts_with('/') && !s.starts_with("//") => s.clone(),
            Some(Raw::Str(s)) if is_absolute_url(s) && (s.starts_with("https://") || s.starts_with("http://")) => s.clone(),
            Some(_) => {
                e.push("endpoint", "must be an http(s) URL or a path starting with /");
                String::new()
            }
        };
        let app_version = match &input.app_version {
            None => DEFAULT_APP_VERSION.to_string(),
            Some(Raw::Str(s)) if is_semver(s) => s.clone(),
            Some(_) => {
                e.push("appVersion", "must be a semantic version such as 1.4.0");
                String::new()
            }
        };
        let environment = match &input.environment {
            None => Environment::Production,
            Some(Raw::Str(s)) => Environment::parse(s).unwrap_or_else(|| {
                e.push("environment", "must be development, staging or production");
                Environment::Production
            }),
            Some(_) => {
                e.push("environment", "must be development, staging or production");
                Environment::Production
            }
        };
        let build_id = opt_string(&mut e, "buildId", &input.build_id);
        let deployment_id = opt_string(&mut e, "deploymentId", &input.deployment_id);
        let sample_rate = match &input.sample_rate {
            None => 1.0,
            Some(Raw::Num(n)) if (0.0..=1.0).contains(n) => *n,
            Some(_) => {
                e.push("sampleRate", "must be a number from 0 to 1");
                1.0
            }
        };
        let batch_size = int(&mut e, "batchSize", &input.batch_size, DEFAULT_BATCH_SIZE, 1, MAX_BATCH_SIZE, "must be an integer from 1 to 1000");
        let max_batch_bytes = int(&mut e, "maxBatchBytes", &input.max_batch_bytes, DEFAULT_MAX_BATCH_BYTES, 1_024, 65_536, "must be an integer from 1024 to 65536");
        let flush_interval_ms = int(&mut e, "flushIntervalMs", &input.flush_interval_ms, DEFAULT_FLUSH_INTERVAL_MS, MIN_FLUSH_INTERVAL_MS, MAX_FLUSH_INTERVAL_MS, "must be an integer from 100 to 3600000");
        let max_queue = int(&mut e, "maxQueue", &input.max_queue, DEFAULT_MAX_QUEUE, 1, 100_000, "must be an integer from 1 to 100000");
        let debug = boolean(&mut e, "debug", &input.debug, false);
        let track_page_views = boolean(&mut e, "trackPageViews", &input.track_page_views, true);
        let default_consent = match &input.default_consent {
            None => Decision::Pending,
            Some(Raw::Str(s)) if Decision::parse(s).is_some() => Decision::parse(s).unwrap_or(Decision::Pending),
            Some(_) => {
                e.push("defaultConsent", "must be pending, granted or denied");
                Decision::Pending
            }
        };
        let consent_policy_version = opt_string(&mut e, "consentPolicyVersion", &input.consent_policy_version).unwrap_or_else(|| "1".to_string());
        let honor_privacy_signals = boolean(&mut e, "honorPrivacySignals", &input.honor_privacy_signals, true);
        let error_sample_rate = match &input.error_sample_rate {
            None => 1.0,
            Some(Raw::Num(n)) if (0.0..=1.0).contains(n) => *n,
            Some(_) => {
                e.push("errorSampleRate", "must be a number from 0 to 1");
                1.0
            }
        };
        let error_rate_limit = int(&mut e, "errorRateLimit", &input.error_rate_limit, 10, 1, 1_000, "must be an integer from 1 to 1000");
        let max_breadcrumbs = int(&mut e, "maxBreadcrumbs", &input.max_breadcrumbs, 30, 0, 100, "must be an integer from 0 to 100");
        let capture_console = boolean(&mut e, "captureConsole", &input.capture_console, false);
        let capture_network_errors = boolean(&mut e, "captureNetworkErrors", &input.capture_network_errors, true);
        let max_stored_events = int(&mut e, "maxStoredEvents", &input.max_stored_events, 5_000, 10, 1_000_000, "must be an integer from 10 to 1000000");
        let stats_interval_ms = int(&mut e, "statsIntervalMs", &input.stats_interval_ms, 60_000, 1_000, 86_400_000, "must be an integer from 1000 to 86400000");
        let max_stored_bytes = int(&mut e, "maxStoredBytes", &input.max_stored_bytes, 5_000_000, 10_000, 500_000_000, "must be an integer from 10000 to 500000000");
        let report_all_changes = boolean(&mut e, "reportAllChanges", &input.report_all_changes, false);
        let track_web_vitals = boolean(&mut e, "trackWebVitals", &input.track_web_vitals, true);
        let error_category = match &input.error_consent_category {
            None => Category::Analytics,
            Some(Raw::Str(s)) if s == "analytics" || s == "necessary" => Category::parse(s).unwrap_or(Category::Analytics),
            Some(_) => {
                e.push("errorConsentCategory", "must be analytics or necessary");
                Category::Analytics
            }
        };

        let wire_format = match &input.wire_format {
            None => WireFormat::Native,
            Some(Raw::Str(s)) if s == "native" => WireFormat::Native,
            Some(Raw::Str(s)) if s == "otlp" => WireFormat::Otlp,
            Some(_) => {
                e.push("wireFormat", "must be native or otlp");
                WireFormat::Native
            }
        };
        let service_name = opt_string(&mut e, "serviceName", &input.service_name)
            .unwrap_or_else(|| crate::core::model::otlp::DEFAULT_SERVICE_NAME.to_string());

        let mask_keys = text_list(&mut e, "maskKeys", &input.mask_keys, 1);
        let mask_patterns = text_list(&mut e, "maskPatterns", &input.mask_patterns, crate::core::privacy::MIN_PATTERN_LEN);
        let allow_list = text_list(&mut e, "allowList", &input.allow_list, 1);
        let site_rules = crate::core::privacy::SiteRules::new(mask_keys, mask_patterns, allow_list);
        let before_send = match &input.before_send {
            None => false,
            Some(Raw::Function) => true,
            Some(_) => {
                e.push("beforeSend", "must be a function");
                false
            }
        };

        let track_history = boolean(&mut e, "trackHistory", &input.track_history, true);
        let track_replace_state = boolean(&mut e, "trackReplaceState", &input.track_replace_state, true);
        let hash_routing = boolean(&mut e, "hashRouting", &input.hash_routing, false);
        let track_page_leave = boolean(&mut e, "trackPageLeave", &input.track_page_leave, true);
        let session_timeout_ms = int(&mut e, "sessionTimeoutMs", &input.session_timeout_ms, DEFAULT_INACTIVITY_MS as u32, 1_000, 86_400_000, "must be an integer from 1000 to 86400000");
        let session_max_age_ms = int(&mut e, "sessionMaxAgeMs", &input.session_max_age_ms, DEFAULT_MAX_AGE_MS as u32, 1_000, 604_800_000, "must be an integer from 1000 to 604800000");
        let session_persistence = match &input.session_persistence {
            None => Persistence::SessionStorage,
            Some(Raw::Str(s)) if Persistence::parse(s).is_some() => Persistence::parse(s).unwrap_or(Persistence::SessionStorage),
            Some(_) => {
                e.push("sessionPersistence", "must be sessionStorage, localStorage or memory");
                Persistence::SessionStorage
            }
        };

        e.into_result().map(|_| Config {
            endpoint,
            app_version,
            environment,
            build_id,
            deployment_id,
            sample_rate,
            batch_size,
            max_batch_bytes,
            flush_interval_ms,
            max_queue,
            debug,
            track_page_views,
            default_consent,
            consent_policy_version,
            honor_privacy_signals,
            error_category,
            error_sample_rate,
            error_rate_limit,
            max_breadcrumbs,
            capture_console,
            capture_network_errors,
            max_stored_events,
            max_stored_bytes,
            stats_interval_ms,
            track_history,
            track_replace_state,
            hash_routing,
            track_page_leave,
            session_timeout_ms,
            session_max_age_ms,
            session_persistence,
            report_all_changes,
            track_web_vitals,
            wire_format,
            service_name,
            site_rules,
            before_send,
        })
    }
}

fn opt_string(e: &mut ValidationErrors, field: &'static str, raw: &Option<Raw>) -> Option<String> {
    match raw {
        None => None,
        Some(Raw::Str(s)) if !crate::core::text::is_blank(s) => Some(s.clone()),
        Some(_) => {
            e.push(field, "must be a non-empty string");
            None
        }
    }
}

/// A list of 0 to [`MAX_RULES`] strings of `min_len` to [`MAX_RULE_LEN`] characters.
fn text_list(e: &mut ValidationErrors, field: &'static str, raw: &Option<Raw>, min_len: usize) -> Vec<String> {
    use crate::core::privacy::{MAX_RULES, MAX_RULE_LEN};
    let Some(raw) = raw else { return Vec::new() };
    let ok = match raw {
        Raw::List(items) if items.len() <= MAX_RULES => items
            .iter()
            .map(|i| match i {
                Raw::Str(s) if (min_len..=MAX_RULE_LEN).contains(&crate::core::text::char_count(s.trim())) => Some(s.clone()),
                _ => None,
            })
            .collect::<Option<Vec<String>>>(),
        _ => None,
    };
    ok.unwrap_or_else(|| {
        e.push(field, if min_len > 1 { "must be a list of at most 50 strings of 3 to 200 characters" } else { "must be a list of at most 50 non-empty strings of at most 200 characters" });
        Vec::new()
    })
}

#[allow(clippy::too_many_arguments)]
fn int(e: &mut ValidationErrors, field: &'static str, raw: &Option<Raw>, default: u32, min: u32, max: u32, problem: &'static str) -> u32 {
    match raw {
        None => default,
        Some(Raw::Num(n)) if n.fract() == 0.0 && *n >= min as f64 && *n <= max as f64 => *n as u32,
        Some(_) => {
            e.push(field, problem);
            default
        }
    }
}

fn boolean(e: &mut ValidationErrors, field: &'static str, raw: &Option<Raw>, default: bool) -> bool {
    match raw {
        None => default,
        Some(Raw::Bool(b)) => *b,
        Some(_) => {
            e.push(field, "must be true or false");
            default
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<Raw> {
        Some(Raw::Str(v.to_string()))
    }

    #[test]
    fn minimal_config_takes_the_defaults() {
        let c = Config::from_input(&ConfigInput { endpoint: s("/v1/batch"), ..Default::default() }).unwrap();
        assert_eq!(c.endpoint, "/v1/batch");
        assert_eq!(c.app_version, "0.0.0");
        assert_eq!(c.environment, Environment::Production);
        assert_eq!(c.batch_size, 50);
        assert_eq!(c.max_batch_bytes, 60_000);
        assert_eq!(c.flush_interval_ms, 5_000);
        assert_eq!(c.sample_rate, 1.0);
        assert!(!c.debug);
        assert!(c.track_page_views);
        assert_eq!(c.default_consent, Decision::Pending);
        assert!(c.honor_privacy_signals);
        assert_eq!(c.error_category, Category::Analytics);
        assert_eq!(c.consent_policy_version, "1");
        assert!(c.track_history && c.track_replace_state && c.track_page_leave && !c.hash_routing);
        assert_eq!(c.session_timeout_ms, 30 * 60 * 1000);
        assert_eq!(c.session_max_age_ms, 24 * 60 * 60 * 1000);
        assert_eq!(c.session_persistence, Persistence::SessionStorage);
        assert_eq!(c.wire_format, WireFormat::Native);
        assert_eq!(c.service_name, "browser-app");
    }

    #[test]
    fn page_and_session_settings_are_checked() {
        let input = ConfigInput {
            endpoint: s("/v1/batch"),
            hash_routing: Some(Raw::Bool(true)),
            session_timeout_ms: Some(Raw::Num(1_500.0)),
            session_persistence: s("localStorage"),
            ..Default::default()
        };
        let c = Config::from_input(&input).unwrap();
        assert!(c.hash_routing);
        assert_eq!(c.session_timeout_ms, 1_500);
        assert_eq!(c.session_persistence, Persistence::LocalStorage);
        let input = ConfigInput {
            endpoint: s("/v1/batch"),
            track_history: s("yes"),
            session_timeout_ms: Some(Raw::Num(999.0)),
            session_max_age_ms: Some(Raw::Num(1e12)),
            session_persistence: s("cookie"),
            ..Default::default()
        };
        assert_eq!(
            Config::from_input(&input).unwrap_err().fields(),
            vec!["trackHistory", "sessionTimeoutMs", "sessionMaxAgeMs", "sessionPersistence"]
        );
        assert!(!c.report_all_changes);
        assert!(c.track_web_vitals);
    }

    #[test]
    fn report_all_changes_is_a_boolean() {
        let on = ConfigInput { endpoint: s("/v1/batch"), report_all_changes: Some(Raw::Bool(true)), ..Default::default() };
        assert!(Config::from_input(&on).unwrap().report_all_changes);
        let bad = ConfigInput { endpoint: s("/v1/batch"), report_all_changes: s("yes"), ..Default::default() };
        assert_eq!(Config::from_input(&bad).unwrap_err().fields(), vec!["reportAllChanges"]);
        let off = ConfigInput { endpoint: s("/v1/batch"), track_web_vitals: Some(Raw::Bool(false)), ..Default::default() };
        assert!(!Config::from_input(&off).unwrap().track_web_vitals);
    }

    #[test]
    fn consent_settings_are_checked() {
        let input = ConfigInput {
            endpoint: s("/v1/batch"),
            default_consent: s("yes"),
            error_consent_category: s("marketing"),
            honor_privacy_signals: s("no"),
            ..Default::default()
        };
        assert_eq!(Config::from_input(&input).unwrap_err().fields(), vec!["defaultConsent", "honorPrivacySignals", "errorConsentCategory"]);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let input = ConfigInput {
            endpoint: s("ftp://x"),
            app_version: s("v1"),
            environment: s("prod"),
            build_id: s(""),
            sample_rate: Some(Raw::Num(1.5)),
            batch_size: Some(Raw::Num(0.0)),
            flush_interval_ms: Some(Raw::Num(10.5)),
            debug: s("yes"),
            ..Default::default()
        };
        let err = Config::from_input(&input).unwrap_err();
        assert_eq!(
            err.fields(),
            vec!["endpoint", "appVersion", "environment", "buildId", "sampleRate", "batchSize", "flushIntervalMs", "debug"]
        );
    }

    #[test]
    fn endpoint_is_required_and_must_be_http_or_a_path() {
        assert_eq!(Config::from_input(&ConfigInput::default()).unwrap_err().fields(), vec!["endpoint"]);
        for bad in ["//evil.example/x", "collector", "javascript:alert(1)"] {
            let r = Config::from_input(&ConfigInput { endpoint: s(bad), ..Default::default() });
            assert!(r.is_err(), "{bad}");
        }
        let ok = Config::from_input(&ConfigInput { endpoint: s("https://t.example.com/v1/batch"), ..Default::default() });
        assert_eq!(ok.unwrap().endpoint, "https://t.example.com/v1/batch");
    }

    #[test]
    fn wrong_types_are_errors_not_coercions() {
        let input = ConfigInput {
            endpoint: s("/v1/batch"),
            sample_rate: s("0.5"),
            batch_size: Some(Raw::Other),
            ..Default::default()
        };
        assert_eq!(Config::from_input(&input).unwrap_err().fields(), vec!["sampleRate", "batchSize"]);
    }

    #[test]
    fn site_masking_rules_and_the_hook_are_checked() {
        let list = |items: &[&str]| Some(Raw::List(items.iter().map(|s| Raw::Str(s.to_string())).collect()));
        let c = Config::from_input(&ConfigInput {
            endpoint: s("/v1/batch"),
            mask_keys: list(&["customer_ref"]),
            mask_patterns: list(&["Project Falcon"]),
            allow_list: list(&["help@shop.example"]),
            before_send: Some(Raw::Function),
            ..Default::default()
        })
        .unwrap();
        assert!(c.before_send);
        assert!(c.site_rules.is_masked_key("CUSTOMER_REF"));
        let bad = ConfigInput {
            endpoint: s("/v1/batch"),
            mask_keys: list(&[""]),
            mask_patterns: list(&["ab"]),
            allow_list: s("help@shop.example"),
            before_send: s("function"),
            ..Default::default()
        };
        assert_eq!(Config::from_input(&bad).unwrap_err().fields(), vec!["maskKeys", "maskPatterns", "allowList", "beforeSend"]);
        let many: Vec<String> = (0..51).map(|i| format!("key{i}")).collect();
        let too_many = ConfigInput { endpoint: s("/v1/batch"), mask_keys: list(&many.iter().map(String::as_str).collect::<Vec<_>>()), ..Default::default() };
        assert_eq!(Config::from_input(&too_many).unwrap_err().fields(), vec!["maskKeys"]);
    }

    #[test]
    fn the_wire_format_is_native_or_otlp() {
        let with = |w: Option<Raw>, name: Option<Raw>| Config::from_input(&ConfigInput { endpoint: s("/v1/logs"), wire_format: w, service_name: name, ..Default::default() });
        let c = with(s("otlp"), s("shop-web")).unwrap();
        assert_eq!((c.wire_format, c.service_name.as_str()), (WireFormat::Otlp, "shop-web"));
        assert_eq!(with(s("native"), None).unwrap().wire_format, WireFormat::Native);
        assert_eq!(with(s("protobuf"), s(" ")).unwrap_err().fields(), vec!["wireFormat", "serviceName"]);
        assert_eq!(with(Some(Raw::Bool(true)), None).unwrap_err().fields(), vec!["wireFormat"]);
    }
}
