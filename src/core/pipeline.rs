//! The one-way path every event takes through the core:
//! build → validate → (consent, masking: see the privacy module) → queue → batch.
//!
//! The shell owns the clock and the browser; it calls in with times and
//! browser facts and carries out what comes back (send this body, this batch
//! was acknowledged or not).

use crate::core::config::Config;
use crate::core::delivery::{OutgoingBatch, Queue, QueueStats};
use crate::core::model::{AnalyticsEvent, Event, EventContext, EventMetadata, Source};
use crate::core::sampling;
use crate::core::validate::ValidationErrors;
use serde_json::{Map, Value};

/// Name of the event recorded for each page view.
pub const PAGE_VIEW: &str = "page_view";

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
}

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
    queue: Queue,
    invalid: u64,
    sampled_out: u64,
}

impl Pipeline {
    /// `sample_draw` is a uniform random number in [0, 1) that decides, once for
    /// this page load, whether it is recorded at `config.sample_rate`.
    pub fn new(config: Config, session_id: String, context: EventContext, sample_draw: f64) -> Self {
        let sampled_in = sampling::keep(config.sample_rate, sample_draw);
        let queue = Queue::new(config.max_queue as usize);
        Pipeline { config, session_id, user_id: None, context, sampled_in, queue, invalid: 0, sampled_out: 0 }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn session_id(&self) -> &str {
        &self.session_id
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
        self.accept(event)
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
        self.track(PAGE_VIEW, props, now)
    }

    fn accept(&mut self, event: Event) -> Result<(), ValidationErrors> {
        if !self.sampled_in {
            self.sampled_out += 1;
            return Ok(());
        }
        if let Err(e) = event.validate() {
            self.invalid += 1;
            return Err(e);
        }
        self.queue.push(event);
        Ok(())
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
        self.queue.requeue(batch);
    }

    pub fn stats(&self) -> Stats {
        Stats { queue: self.queue.stats(), invalid: self.invalid, sampled_out: self.sampled_out, pending: self.queue.len() as u64 }
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

    fn context() -> EventContext {
        EventContext { url: Some("http://127.0.0.1:8080/".into()), screen_resolution: Some("1280x720".into()), ..Default::default() }
    }

    #[test]
    fn a_page_view_becomes_a_valid_batch() {
        let mut p = Pipeline::new(config(|_| {}), "sess-1".into(), context(), 0.3);
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
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), 0.0);
        let err = p.track("  ", Map::new(), NOW).unwrap_err();
        assert_eq!(err.fields(), vec!["event"]);
        let err = p.track("late", Map::new(), 42).unwrap_err();
        assert_eq!(err.fields(), vec!["timestamp"]);
        assert_eq!(p.stats().invalid, 2);
        assert!(!p.has_pending());
    }

    #[test]
    fn a_sampled_out_page_load_records_nothing() {
        let mut p = Pipeline::new(config(|c| c.sample_rate = Some(Raw::Num(0.25))), "s".into(), context(), 0.5);
        p.track("a", Map::new(), NOW).unwrap();
        assert!(!p.has_pending());
        assert_eq!(p.stats().sampled_out, 1);
        let mut kept = Pipeline::new(config(|c| c.sample_rate = Some(Raw::Num(0.25))), "s".into(), context(), 0.1);
        kept.track("a", Map::new(), NOW).unwrap();
        assert!(kept.has_pending());
    }

    #[test]
    fn full_batches_are_signalled() {
        let mut p = Pipeline::new(config(|c| c.batch_size = Some(Raw::Num(3.0))), "s".into(), context(), 0.0);
        for _ in 0..2 {
            p.track("a", Map::new(), NOW).unwrap();
        }
        assert!(!p.batch_is_full());
        p.track("a", Map::new(), NOW).unwrap();
        assert!(p.batch_is_full());
        assert_eq!(p.next_batch(NOW).unwrap().len(), 3);
    }
}
