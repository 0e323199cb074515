//! The one-way path every event takes through the core:
//! build → sample → validate → consent → mask → queue → batch.
//!
//! While a category's consent is pending its events are held here, in memory
//! only and bounded; a grant releases them (masked), a denial discards them.
//!
//! The shell owns the clock and the browser; it calls in with times and
//! browser facts and carries out what comes back (send this body, this batch
//! was acknowledged or not).

use crate::core::config::Config;
use crate::core::consent::{Category, CategoryMap, Consent, DataKind, Decision};
use crate::core::delivery::{OutgoingBatch, Queue, QueueStats};
use crate::core::errors::{ErrorConfig, ErrorStats, ErrorTracker, RawError};
use crate::core::model::{Breadcrumb, ErrorContext, ErrorEvent, MonitoringMetric, Unit};
use crate::core::privacy::Masker;
use crate::core::model::{AnalyticsEvent, Event, EventContext, EventMetadata, Source};
use crate::core::sampling;
use crate::core::vitals::VitalReport;
use crate::core::validate::ValidationErrors;
use serde_json::{Map, Value};
use std::collections::VecDeque;

/// Name of the event recorded for each page view.
pub const PAGE_VIEW: &str = "page_view";
/// Events held in memory while consent is pending; past this the oldest are dropped and counted.
pub const MAX_HELD: usize = 500;

/// Counters for `getStats()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub queue: QueueStats,
    /// Events refused by validation.
    pub invalid: u64,
    /// Events not recorded because this page load is sampled out.
    pub sampled_out: u64,
    /// Events queued now.
    pub pending: u64,
    /// Events held while consent is pending.
    pub held: u64,
    /// Held events dropped past [`MAX_HELD`].
    pub held_dropped: u64,
    /// Events discarded because their category was denied.
    pub denied: u64,
    pub errors: ErrorStats,
}

/// Name of the metric that reports errors suppressed by the rate limit.
pub const ERRORS_SUPPRESSED: &str = "errors.suppressed";

/// What the shell knows of the page when a page view happens.
#[derive(Debug, Clone, Default)]
pub struct PageView {
    pub url: String,
    pub path: String,
    pub title: String,
    pub referrer: String,
}

pub struct Pipeline {
    config: Config,
    session_id: String,
    user_id: Option<String>,
    context: EventContext,
    sampled_in: bool,
    consent: Consent,
    categories: CategoryMap,
    held: VecDeque<(Event, DataKind)>,
    errors: ErrorTracker,
    queue: Queue,
    invalid: u64,
    sampled_out: u64,
    held_dropped: u64,
    denied: u64,
}

impl Pipeline {
    /// `sample_draw` is a uniform random number in [0, 1) that decides, once for
    /// this page load, whether it is recorded at `config.sample_rate`.
    pub fn new(config: Config, session_id: String, context: EventContext, consent: Consent, sample_draw: f64) -> Self {
        let sampled_in = sampling::keep(config.sample_rate, sample_draw);
        let queue = Queue::new(config.max_queue as usize);
        let categories = CategoryMap { error: config.error_category, ..CategoryMap::default() };
        let errors = ErrorTracker::new(ErrorConfig {
            max_per_window: config.error_rate_limit,
            breadcrumbs: config.max_breadcrumbs as usize,
            sample_rate: config.error_sample_rate,
            ..ErrorConfig::default()
        });
        Pipeline {
            config,
            session_id,
            user_id: None,
            context,
            sampled_in,
            consent,
            categories,
            held: VecDeque::new(),
            errors,
            queue,
            invalid: 0,
            sampled_out: 0,
            held_dropped: 0,
            denied: 0,
        }
    }

    pub fn consent(&self) -> &Consent {
        &self.consent
    }

    /// Records a consent decision and releases or discards held events.
    pub fn set_consent(&mut self, categories: &[Category], decision: Decision) {
        self.consent.set(categories, decision);
        let held = std::mem::take(&mut self.held);
        for (event, kind) in held {
            match self.consent.get(self.categories.of(kind)) {
                Decision::Granted => self.admit(event),
                Decision::Denied => self.denied += 1,
                Decision::Pending => self.held.push_back((event, kind)),
            }
        }
    }

    /// Withdraws consent: nothing more is sent, everything held or queued and
    /// the user id are erased. (The shell erases what it stored.)
    pub fn revoke(&mut self) {
        self.consent.set(&[Category::Analytics, Category::Marketing], Decision::Denied);
        self.denied += (self.held.len() + self.queue.len()) as u64;
        self.held.clear();
        self.queue.clear();
        self.errors.clear_breadcrumbs();
        self.user_id = None;
    }

    /// Records an error: sampled, fingerprinted and rate-limited; `random` is
    /// a uniform draw for error sampling. Returns whether an event was made.
    pub fn capture_error(&mut self, raw: RawError, random: f64) -> Result<bool, ValidationErrors> {
        if !self.sampled_in {
            self.sampled_out += 1;
            return Ok(false);
        }
        let Some(d) = self.errors.capture(raw, random) else { return Ok(false) };
        let event = Event::Error(ErrorEvent {
            id: new_id(),
            message: d.message,
            stack: d.stack,
            severity: d.severity,
            category: d.category,
            user_id: self.user_id.clone(),
            session_id: Some(self.session_id.clone()),
            timestamp: d.timestamp,
            context: ErrorContext {
                url: self.context.url.clone(),
                user_agent: self.context.user_agent.clone(),
                browser: self.context.browser.clone(),
                os: self.context.os.clone(),
                device: self.context.device,
                ..ErrorContext::default()
            },
            tags: d.tags,
            fingerprint: Some(d.fingerprint),
            metadata: Some(self.metadata()),
            error_type: d.error_type,
            mechanism: Some(d.mechanism.to_string()),
            frames: d.frames,
            suppressed: d.suppressed,
            breadcrumbs: d.breadcrumbs,
        });
        self.accept(event, DataKind::Error).map(|_| true)
    }

    pub fn add_breadcrumb(&mut self, crumb: Breadcrumb) {
        self.errors.add_breadcrumb(crumb);
    }

    /// Turns the rate limiter's suppressed counts into one metric each
    /// (`errors.suppressed`, with the fingerprint in its attribution).
    pub fn report_suppressed(&mut self, now: u64) {
        for s in self.errors.drain_suppressed(now) {
            let mut attribution = Map::new();
            attribution.insert("fingerprint".into(), Value::String(s.fingerprint));
            attribution.insert("message".into(), Value::String(s.message));
            if let Some(t) = s.error_type {
                attribution.insert("errorType".into(), Value::String(t));
            }
            let event = Event::Metric(MonitoringMetric {
                id: new_id(),
                name: ERRORS_SUPPRESSED.into(),
                value: s.count as f64,
                unit: Unit::Count,
                rating: None,
                delta: None,
                navigation_type: None,
                attribution: Some(attribution),
                user_id: None,
                session_id: self.session_id.clone(),
                timestamp: now,
                context: self.context.clone(),
                metadata: self.metadata(),
            });
            let _ = self.accept(event, DataKind::Error);
        }
    }

    /// Records a Web Vitals report (LCP, CLS, INP, FCP, TTFB) as a metric
    /// event under the `vitals` consent category. The attribution carries
    /// web-vitals' fields plus `metricId` (one id per value's life: sum the
    /// deltas by it) and `final` (a forced report: final value or page hide).
    pub fn vital(&mut self, report: &VitalReport, now: u64) -> Result<(), ValidationErrors> {
        let mut attribution = report.attribution_map();
        attribution.insert("metricId".into(), Value::String(report.id.clone()));
        attribution.insert("final".into(), Value::Bool(report.is_final));
        let event = Event::Metric(MonitoringMetric {
            id: new_id(),
            name: report.name.as_str().to_string(),
            value: report.value,
            unit: report.unit(),
            rating: Some(report.rating),
            delta: Some(report.delta),
            navigation_type: Some(report.navigation_type.as_str().to_string()),
            attribution: Some(attribution),
            user_id: self.user_id.clone(),
            session_id: self.session_id.clone(),
            timestamp: now,
            context: self.context.clone(),
            metadata: self.metadata(),
        });
        self.accept(event, DataKind::Vital)
    }

    /// Whether storage or transport may act for anything at all now.
    pub fn may_send(&self) -> bool {
        Category::ALL.iter().any(|c| self.consent.allows(*c) && self.categories.uses(*c))
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// Sets or clears the user id (sent only when the identity category is granted).
    pub fn identify(&mut self, user_id: Option<String>) {
        self.user_id = user_id;
    }

    /// The page's URL changed (a single-page-app navigation, say).
    pub fn set_url(&mut self, url: String) {
        self.context.url = Some(url);
    }

    fn metadata(&self) -> EventMetadata {
        EventMetadata {
            version: self.config.app_version.clone(),
            environment: self.config.environment,
            build_id: self.config.build_id.clone(),
            deployment_id: self.config.deployment_id.clone(),
            source: Source::Client,
            retry_count: 0,
            transmission_id: None,
        }
    }

    /// Records a named event with its properties at `now` (ms since the epoch).
    pub fn track(&mut self, name: &str, properties: Map<String, Value>, now: u64) -> Result<(), ValidationErrors> {
        self.record(name, properties, now, DataKind::Custom)
    }

    fn record(&mut self, name: &str, properties: Map<String, Value>, now: u64, kind: DataKind) -> Result<(), ValidationErrors> {
        let event = Event::Analytics(AnalyticsEvent {
            id: new_id(),
            event: name.to_string(),
            user_id: self.user_id.clone(),
            session_id: self.session_id.clone(),
            timestamp: now,
            properties,
            context: self.context.clone(),
            metadata: self.metadata(),
        });
        self.accept(event, kind)
    }

    /// Records a page view: the page's URL becomes the context URL from now on.
    pub fn page_view(&mut self, view: PageView, now: u64) -> Result<(), ValidationErrors> {
        self.set_url(view.url);
        let mut props = Map::new();
        props.insert("path".into(), Value::String(view.path));
        if !view.title.is_empty() {
            props.insert("title".into(), Value::String(view.title));
        }
        if !view.referrer.is_empty() {
            props.insert("referrer".into(), Value::String(view.referrer));
        }
        self.record(PAGE_VIEW, props, now, DataKind::PageView)
    }

    fn accept(&mut self, event: Event, kind: DataKind) -> Result<(), ValidationErrors> {
        // A sampled-out event is never held, stored or sent.
        if !self.sampled_in {
            self.sampled_out += 1;
            return Ok(());
        }
        if let Err(e) = event.validate() {
            self.invalid += 1;
            return Err(e);
        }
        match self.consent.get(self.categories.of(kind)) {
            Decision::Granted => self.admit(event),
            Decision::Denied => self.denied += 1,
            Decision::Pending => {
                if self.held.len() >= MAX_HELD {
                    self.held.pop_front();
                    self.held_dropped += 1;
                }
                self.held.push_back((event, kind));
            }
        }
        Ok(())
    }

    /// Consent allows the event: take out what its category does not cover,
    /// mask personal data, and queue it.
    fn admit(&mut self, mut event: Event) {
        if !self.consent.allows(self.categories.of(DataKind::Identity)) {
            strip_identity(&mut event);
        }
        if !self.consent.allows(self.categories.of(DataKind::Campaign)) {
            strip_campaign(&mut event);
        }
        mask(&mut event);
        self.queue.push(event);
    }

    /// Whether enough is queued for a full batch (send now, not at the next tick).
    pub fn batch_is_full(&self) -> bool {
        self.queue.len() >= self.config.batch_size as usize
    }

    pub fn has_pending(&self) -> bool {
        !self.queue.is_empty()
    }

    /// The next request body within the configured count and byte limits.
    pub fn next_batch(&mut self, now: u64) -> Option<OutgoingBatch> {
        self.queue.take_batch(self.config.batch_size as usize, self.config.max_batch_bytes as usize, now, new_id())
    }

    pub fn delivered(&mut self, batch: OutgoingBatch) {
        self.queue.acknowledge(batch);
    }

    pub fn failed(&mut self, batch: OutgoingBatch) {
        if self.may_send() {
            self.queue.requeue(batch);
        } else {
            // Consent was withdrawn while the request was under way.
            self.denied += batch.len() as u64;
        }
    }

    pub fn stats(&self) -> Stats {
        Stats {
            queue: self.queue.stats(),
            invalid: self.invalid,
            sampled_out: self.sampled_out,
            pending: self.queue.len() as u64,
            held: self.held.len() as u64,
            held_dropped: self.held_dropped,
            denied: self.denied,
            errors: self.errors.stats(),
        }
    }
}

/// Masks personal data in every free-text field of the event: properties,
/// URLs, messages, stacks, tags and attribution. Ids and the user agent stay.
fn mask(event: &mut Event) {
    let m = Masker::default();
    let ctx_urls = |url: &mut Option<String>, referrer: &mut Option<String>| {
        for s in [url, referrer].into_iter().flatten() {
            mask_url(&m, s);
        }
    };
    match event {
        Event::Analytics(e) => {
            for v in e.properties.values_mut() {
                m.mask_json(v);
            }
            ctx_urls(&mut e.context.url, &mut e.context.referrer);
        }
        Event::Error(e) => {
            m.mask_string(&mut e.message);
            if let Some(stack) = &mut e.stack {
                m.mask_string(stack);
            }
            if let Some(url) = &mut e.context.url {
                mask_url(&m, url);
            }
            for v in e.tags.values_mut() {
                m.mask_string(v);
            }
            for f in &mut e.frames {
                if let Some(file) = &mut f.filename {
                    mask_url(&m, file);
                }
            }
            for b in &mut e.breadcrumbs {
                if let Some(msg) = &mut b.message {
                    m.mask_string(msg);
                }
                for v in b.data.values_mut() {
                    m.mask_json(v);
                }
            }
        }
        Event::Metric(e) => {
            if let Some(attribution) = &mut e.attribution {
                for (k, v) in attribution.iter_mut() {
                    match v {
                        // A resource URL (LCP's) keeps its host, like the page's URL.
                        Value::String(url) if k == "url" => mask_url(&m, url),
                        _ => m.mask_json(v),
                    }
                }
            }
            ctx_urls(&mut e.context.url, &mut e.context.referrer);
        }
    }
}

/// Masks a URL except its scheme and host: the site's own host (even an IP
/// literal) is not personal data; credentials, path, query and fragment may be.
pub fn mask_url(m: &Masker, url: &mut String) {
    let host_end = url
        .find("://")
        .map(|i| i + 3)
        .map(|start| start + url[start..].find(['/', '?', '#']).unwrap_or(url.len() - start));
    match host_end {
        Some(end) if !url[..end].contains('@') => {
            let rest = m.mask(&url[end..]);
            if let std::borrow::Cow::Owned(masked) = rest {
                url.truncate(end);
                url.push_str(&masked);
            }
        }
        _ => {
            m.mask_string(url);
        }
    }
}

fn strip_identity(event: &mut Event) {
    match event {
        Event::Analytics(e) => e.user_id = None,
        Event::Error(e) => e.user_id = None,
        Event::Metric(e) => e.user_id = None,
    }
}

/// Campaign data: `utm_*` properties.
fn strip_campaign(event: &mut Event) {
    if let Event::Analytics(e) = event {
        e.properties.retain(|k, _| !k.starts_with("utm_"));
    }
}

fn new_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::{ConfigInput, Raw};
    use crate::core::model::ParsedBatch;

    const NOW: u64 = 1_750_000_000_000;

    fn config(extra: impl FnOnce(&mut ConfigInput)) -> Config {
        let mut input = ConfigInput { endpoint: Some(Raw::Str("/v1/batch".into())), app_version: Some(Raw::Str("2.1.0".into())), ..Default::default() };
        extra(&mut input);
        Config::from_input(&input).unwrap()
    }

    fn granted() -> Consent {
        Consent::new(Decision::Granted, Decision::Granted, false)
    }

    fn pending() -> Consent {
        Consent::new(Decision::Pending, Decision::Pending, false)
    }

    fn context() -> EventContext {
        EventContext { url: Some("http://127.0.0.1:8080/".into()), screen_resolution: Some("1280x720".into()), ..Default::default() }
    }

    #[test]
    fn a_page_view_becomes_a_valid_batch() {
        let mut p = Pipeline::new(config(|_| {}), "sess-1".into(), context(), granted(), 0.3);
        p.page_view(
            PageView { url: "http://127.0.0.1:8080/shop?x=1".into(), path: "/shop".into(), title: "Shop".into(), referrer: String::new() },
            NOW,
        )
        .unwrap();
        let batch = p.next_batch(NOW + 5).unwrap();
        let parsed = ParsedBatch::parse(batch.body.as_bytes()).unwrap();
        let Ok(Event::Analytics(e)) = &parsed.events[0] else { panic!("not an analytics event") };
        assert_eq!(e.event, PAGE_VIEW);
        assert_eq!(e.session_id, "sess-1");
        assert_eq!(e.properties["path"], "/shop");
        assert_eq!(e.properties["title"], "Shop");
        assert!(!e.properties.contains_key("referrer"));
        assert_eq!(e.context.url.as_deref(), Some("http://127.0.0.1:8080/shop?x=1"));
        assert_eq!(e.metadata.version, "2.1.0");
        p.delivered(batch);
        assert_eq!(p.stats().queue.sent, 1);
        assert_eq!(p.stats().pending, 0);
    }

    #[test]
    fn invalid_events_are_refused_and_counted() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        let err = p.track("  ", Map::new(), NOW).unwrap_err();
        assert_eq!(err.fields(), vec!["event"]);
        let err = p.track("late", Map::new(), 42).unwrap_err();
        assert_eq!(err.fields(), vec!["timestamp"]);
        assert_eq!(p.stats().invalid, 2);
        assert!(!p.has_pending());
    }

    #[test]
    fn a_sampled_out_page_load_records_nothing() {
        let mut p = Pipeline::new(config(|c| c.sample_rate = Some(Raw::Num(0.25))), "s".into(), context(), granted(), 0.5);
        p.track("a", Map::new(), NOW).unwrap();
        assert!(!p.has_pending());
        assert_eq!(p.stats().sampled_out, 1);
        let mut kept = Pipeline::new(config(|c| c.sample_rate = Some(Raw::Num(0.25))), "s".into(), context(), granted(), 0.1);
        kept.track("a", Map::new(), NOW).unwrap();
        assert!(kept.has_pending());
    }

    fn names(p: &mut Pipeline) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(b) = p.next_batch(NOW) {
            for e in ParsedBatch::parse(b.body.as_bytes()).unwrap().events {
                out.push(e.unwrap().name().to_string());
            }
            p.delivered(b);
        }
        out
    }

    #[test]
    fn while_pending_events_are_held_and_nothing_is_batched() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), pending(), 0.0);
        p.track("a", Map::new(), NOW).unwrap();
        p.page_view(PageView { url: "http://x.example/".into(), path: "/".into(), ..Default::default() }, NOW).unwrap();
        assert!(!p.may_send());
        assert!(p.next_batch(NOW).is_none());
        assert_eq!(p.stats().held, 2);
        p.set_consent(&[Category::Analytics], Decision::Granted);
        assert!(p.may_send());
        assert_eq!(names(&mut p), ["a", "page_view"]);
        assert_eq!(p.stats().held, 0);
    }

    #[test]
    fn a_denial_discards_what_was_held() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), pending(), 0.0);
        p.track("a", Map::new(), NOW).unwrap();
        p.set_consent(&[Category::Analytics, Category::Marketing], Decision::Denied);
        assert_eq!(p.stats().denied, 1);
        p.track("b", Map::new(), NOW).unwrap();
        assert_eq!(p.stats().denied, 2);
        assert!(names(&mut p).is_empty());
    }

    #[test]
    fn the_held_buffer_is_bounded() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), pending(), 0.0);
        for i in 0..MAX_HELD + 7 {
            p.track(&i.to_string(), Map::new(), NOW).unwrap();
        }
        assert_eq!(p.stats().held, MAX_HELD as u64);
        assert_eq!(p.stats().held_dropped, 7);
        p.set_consent(&[Category::Analytics], Decision::Granted);
        let sent = names(&mut p);
        assert_eq!(sent.len(), MAX_HELD);
        assert_eq!(sent[0], "7", "the oldest were dropped");
    }

    #[test]
    fn identity_and_campaign_data_need_marketing() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), pending(), 0.0);
        p.identify(Some("user-42".into()));
        let mut props = Map::new();
        props.insert("utm_source".into(), "news".into());
        props.insert("plan".into(), "pro".into());
        p.track("signup", props, NOW).unwrap();
        p.set_consent(&[Category::Analytics], Decision::Granted);
        let b = p.next_batch(NOW).unwrap();
        let Ok(Event::Analytics(e)) = ParsedBatch::parse(b.body.as_bytes()).unwrap().events.remove(0) else { panic!() };
        assert_eq!(e.user_id, None);
        assert!(!e.properties.contains_key("utm_source"));
        assert_eq!(e.properties["plan"], "pro");
        p.set_consent(&[Category::Marketing], Decision::Granted);
        p.track("again", Map::new(), NOW).unwrap();
        let b = p.next_batch(NOW).unwrap();
        let Ok(Event::Analytics(e)) = ParsedBatch::parse(b.body.as_bytes()).unwrap().events.remove(0) else { panic!() };
        assert_eq!(e.user_id.as_deref(), Some("user-42"));
    }

    #[test]
    fn revoke_erases_the_queue_and_stops_requeueing() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        p.identify(Some("u".into()));
        p.track("a", Map::new(), NOW).unwrap();
        p.track("b", Map::new(), NOW).unwrap();
        let in_flight = p.next_batch(NOW).unwrap();
        p.track("c", Map::new(), NOW).unwrap();
        p.revoke();
        assert!(!p.may_send());
        assert!(!p.has_pending());
        p.failed(in_flight);
        assert!(!p.has_pending(), "a batch that failed after revoke is not queued again");
        p.track("d", Map::new(), NOW).unwrap();
        assert!(p.next_batch(NOW).is_none());
        assert_eq!(p.stats().denied, 4);
    }

    #[test]
    fn sampling_comes_before_consent() {
        let mut p = Pipeline::new(config(|c| c.sample_rate = Some(Raw::Num(0.0))), "s".into(), context(), pending(), 0.5);
        p.track("a", Map::new(), NOW).unwrap();
        assert_eq!(p.stats().held, 0);
        assert_eq!(p.stats().sampled_out, 1);
    }

    #[test]
    fn errors_can_be_moved_to_necessary() {
        let mut cfg = config(|_| {});
        cfg.error_category = Category::Necessary;
        let p = Pipeline::new(cfg, "s".into(), context(), pending(), 0.0);
        assert!(p.may_send(), "necessary data may be sent while the rest is pending");
        let p = Pipeline::new(config(|_| {}), "s".into(), context(), pending(), 0.0);
        assert!(!p.may_send());
    }

    #[test]
    fn personal_data_is_masked_before_it_is_queued() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), pending(), 0.0);
        let mut props = Map::new();
        props.insert("note".into(), "mail jane.doe@example.com or call +1 415 555 2671".into());
        props.insert("nested".into(), serde_json::json!({"card": "4111 1111 1111 1111", "n": 3}));
        p.track("contact", props, NOW).unwrap();
        p.page_view(PageView { url: "https://shop.example/reset?token=abc123secret&x=1".into(), path: "/reset".into(), ..Default::default() }, NOW).unwrap();
        p.set_consent(&[Category::Analytics], Decision::Granted);
        let b = p.next_batch(NOW).unwrap();
        assert!(!b.body.contains("jane.doe"), "{}", b.body);
        assert!(!b.body.contains("4111"), "{}", b.body);
        assert!(!b.body.contains("abc123secret"), "{}", b.body);
        let events: Vec<Event> = ParsedBatch::parse(b.body.as_bytes()).unwrap().events.into_iter().map(Result::unwrap).collect();
        let Event::Analytics(e) = &events[0] else { panic!() };
        assert!(e.properties["note"].as_str().unwrap().contains("[EMAIL]"));
        assert_eq!(e.properties["nested"]["n"], 3);
        let Event::Analytics(v) = &events[1] else { panic!() };
        assert!(v.context.url.as_deref().unwrap().starts_with("https://shop.example/reset?token="));
    }

    #[test]
    fn urls_keep_their_host_and_lose_secrets() {
        let m = Masker::default();
        let cases = [
            ("http://127.0.0.1:8080/shop?x=1", "http://127.0.0.1:8080/shop?x=1"),
            ("https://shop.example/u/jane.doe@example.com", "https://shop.example/u/[EMAIL]"),
            ("https://shop.example", "https://shop.example"),
        ];
        for (input, want) in cases {
            let mut u = input.to_string();
            mask_url(&m, &mut u);
            assert_eq!(u, want);
        }
        let mut with_creds = "https://admin:hunter2@shop.example/x".to_string();
        mask_url(&m, &mut with_creds);
        assert!(!with_creds.contains("hunter2"), "{with_creds}");
    }

    #[test]
    fn errors_become_masked_error_events_and_storms_become_one_count() {
        use crate::core::errors::ErrorSource;
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        p.add_breadcrumb(Breadcrumb { timestamp: NOW, category: "click".into(), message: Some("button#buy".into()), data: Map::new() });
        for i in 0..25 {
            let mut raw = RawError::new(ErrorSource::Uncaught, format!("failed for jane.doe@example.com after {i} tries"), NOW + i);
            raw.error_type = Some("TypeError".into());
            raw.stack = Some("TypeError: x\n    at buy (https://shop.example/app.js:10:5)".into());
            p.capture_error(raw, 0.5).unwrap();
        }
        p.report_suppressed(NOW + 100);
        let mut errors = Vec::new();
        let mut suppressed = 0.0;
        while let Some(b) = p.next_batch(NOW) {
            for e in ParsedBatch::parse(b.body.as_bytes()).unwrap().events {
                match e.unwrap() {
                    Event::Error(e) => errors.push(e),
                    Event::Metric(m) if m.name == ERRORS_SUPPRESSED => suppressed += m.value,
                    other => panic!("unexpected {other:?}"),
                }
            }
            p.delivered(b);
        }
        assert_eq!(errors.len(), 10);
        assert_eq!(suppressed, 15.0);
        let e = &errors[0];
        assert!(e.message.contains("[EMAIL]"), "{}", e.message);
        assert_eq!(e.frames[0].function.as_deref(), Some("buy"));
        assert_eq!(e.frames[0].lineno, Some(10));
        assert_eq!(e.breadcrumbs[0].message.as_deref(), Some("button#buy"));
        assert_eq!(e.mechanism.as_deref(), Some("onerror"));
        assert_eq!(e.session_id.as_deref(), Some("s"));
        assert_eq!(p.stats().errors.suppressed, 15);
    }

    #[test]
    fn full_batches_are_signalled() {
        let mut p = Pipeline::new(config(|c| c.batch_size = Some(Raw::Num(3.0))), "s".into(), context(), granted(), 0.0);
        for _ in 0..2 {
            p.track("a", Map::new(), NOW).unwrap();
        }
        assert!(!p.batch_is_full());
        p.track("a", Map::new(), NOW).unwrap();
        assert!(p.batch_is_full());
        assert_eq!(p.next_batch(NOW).unwrap().len(), 3);
    }

    fn lcp_report() -> VitalReport {
        use crate::core::vitals::{Attribution, LcpAttribution, NavigationType, VitalName};
        VitalReport {
            name: VitalName::Lcp,
            id: "v5-1750000000000-1234567890123".into(),
            value: 2_612.5,
            delta: 2_612.5,
            rating: crate::core::model::Rating::NeedsImprovement,
            navigation_type: NavigationType::Prerender,
            is_final: true,
            attribution: Attribution::Lcp(LcpAttribution {
                target: Some("main>img.hero".into()),
                url: Some("http://127.0.0.1:8080/img/hero.jpg?email=jane.doe@example.com".into()),
                time_to_first_byte: 100.0,
                resource_load_delay: 12.5,
                resource_load_duration: 2_000.0,
                element_render_delay: 500.0,
            }),
        }
    }

    #[test]
    fn a_vital_report_becomes_a_masked_metric_event() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        p.vital(&lcp_report(), NOW).unwrap();
        let b = p.next_batch(NOW).unwrap();
        let mut events = ParsedBatch::parse(b.body.as_bytes()).unwrap().events;
        let Ok(Event::Metric(m)) = events.remove(0) else { panic!("not a metric") };
        assert_eq!((m.name.as_str(), m.value, m.delta, m.unit), ("LCP", 2_612.5, Some(2_612.5), Unit::Ms));
        assert_eq!(m.rating, Some(crate::core::model::Rating::NeedsImprovement));
        assert_eq!(m.navigation_type.as_deref(), Some("prerender"));
        assert_eq!(m.timestamp, NOW);
        let a = m.attribution.unwrap();
        assert_eq!(a["metricId"], "v5-1750000000000-1234567890123");
        assert_eq!(a["final"], true);
        assert_eq!(a["target"], "main>img.hero");
        assert_eq!(a["resourceLoadDuration"], 2_000.0);
        let url = a["url"].as_str().unwrap();
        assert!(url.starts_with("http://127.0.0.1:8080/img/hero.jpg?") && url.contains("[EMAIL]"), "the host is kept, the rest masked: {url}");
    }

    #[test]
    fn vitals_wait_for_analytics_consent() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), pending(), 0.0);
        p.vital(&lcp_report(), NOW).unwrap();
        assert!(!p.has_pending());
        assert_eq!(p.stats().held, 1);
        p.set_consent(&[Category::Analytics], Decision::Denied);
        assert_eq!(p.stats().denied, 1);
        p.vital(&lcp_report(), NOW).unwrap();
        assert!(!p.has_pending(), "denied: nothing is queued");
        let mut cls = lcp_report();
        cls.name = crate::core::vitals::VitalName::Cls;
        cls.value = f64::NAN;
        let mut q = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        assert_eq!(q.vital(&cls, NOW).unwrap_err().fields(), vec!["value"]);
    }
}
