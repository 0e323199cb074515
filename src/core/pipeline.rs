//! The one-way path every event takes through the core:
//! build → sample → validate → consent → mask → queue → batch.
//!
//! While a category's consent is pending its events are held here, in memory
//! only and bounded; a grant releases them (masked), a denial discards them.
//!
//! The shell owns the clock and the browser; it calls in with times and
//! browser facts and carries out what comes back (send this body, this batch
//! was acknowledged or not).

use crate::core::text;
use crate::core::config::Config;
use crate::core::consent::{Category, CategoryMap, Consent, DataKind, Decision};
use crate::core::delivery::{OutgoingBatch, Queue, QueueStats};
use crate::core::errors::{ErrorConfig, ErrorStats, ErrorTracker, RawError};
use crate::core::model::{Breadcrumb, ErrorContext, ErrorEvent, MonitoringMetric, Unit};
use crate::core::privacy::{Masker, SiteRules, REDACTED};
use crate::core::model::{AnalyticsEvent, Event, EventContext, EventMetadata, SharedContext, Source};
use crate::core::pageview::{self, Leave};
use crate::core::sampling;
use crate::core::session::Sessions;
use crate::core::vitals::VitalReport;
use crate::core::validate::ValidationErrors;
use crate::core::value::{Map, Value};
use crate::core::vec_map::VecMap;
use std::collections::VecDeque;

/// Name of the event recorded for each page view.
pub const PAGE_VIEW: &str = "page_view";
/// Name of the event that ends a page view (or a visible stretch of it).
pub const PAGE_LEAVE: &str = "page_leave";
/// Name of the event `identify(userId, traits)` records with the traits.
pub const IDENTIFY: &str = "identify";
/// Tags set with `setTag`, at most.
pub const MAX_TAGS: usize = 50;
/// Longest tag key and value kept, in chars.
pub const MAX_TAG_KEY_CHARS: usize = 64;
pub const MAX_TAG_VALUE_CHARS: usize = 200;
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
    /// Events whose properties had to be cleaned (cycles, functions, BigInt, long strings…).
    pub cleaned: u64,
    /// Calls refused before an event was built (a name that is not a string, properties that are not an object).
    pub rejected: u64,
    pub errors: ErrorStats,
}

/// Name of the metric with the agent's own delivery counters.
pub const AGENT_STATS: &str = "agent.stats";

/// Name of the metric that reports events the durable store dropped past its bound.
pub const AGENT_DROPPED: &str = "agent.dropped";

/// Name of the metric that reports errors suppressed by the rate limit.
pub const ERRORS_SUPPRESSED: &str = "errors.suppressed";

/// What the shell knows of the page when a page view happens.
#[derive(Debug, Clone, Default)]
pub struct PageView {
    pub url: String,
    pub path: String,
    pub title: String,
    pub referrer: String,
    /// Host of the referrer.
    pub referrer_domain: String,
    /// How the page was reached: `initial`, `push`, `replace`, `pop` or `hash` (empty: not said).
    pub navigation: &'static str,
    /// `utm_*` parameters of the URL (kept only with marketing consent).
    pub campaign: Vec<(String, String)>,
}

impl PageView {
    /// A page view decided by the page tracker, with the document's title.
    pub fn from_view(v: pageview::View, title: String) -> PageView {
        PageView {
            url: v.url,
            path: v.path,
            title,
            referrer: v.referrer.unwrap_or_default(),
            referrer_domain: v.referrer_domain.unwrap_or_default(),
            navigation: v.navigation.as_str(),
            campaign: v.campaign,
        }
    }
}

pub struct Pipeline {
    config: Config,
    session_id: String,
    sessions: Option<Sessions>,
    session_rotated: bool,
    /// The last context made ready to send: the one events carried (held, so
    /// that its address is not reused), whether campaign data was allowed,
    /// and its stripped and masked copy. Most events of a page share one.
    prepared: Option<(SharedContext, bool, SharedContext)>,
    user_id: Option<String>,
    tags: VecMap<String>,
    context: SharedContext,
    sampled_in: bool,
    consent: Consent,
    categories: CategoryMap,
    held: VecDeque<(Event, DataKind)>,
    /// The last context and metadata that passed validation.
    validated_shared: Option<(SharedContext, EventMetadata)>,
    errors: ErrorTracker,
    queue: Queue,
    /// Events still to come in before a full queue is signalled again (0: at once).
    kick_countdown: usize,
    invalid: u64,
    sampled_out: u64,
    held_dropped: u64,
    denied: u64,
    store_dropped: u64,
    cleaned: u64,
    rejected: u64,
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
            sessions: None,
            session_rotated: false,
            prepared: None,
            user_id: None,
            tags: VecMap::new(),
            context: SharedContext::new(context),
            sampled_in,
            consent,
            categories,
            held: VecDeque::new(),
            validated_shared: None,
            errors,
            queue,
            kick_countdown: 0,
            invalid: 0,
            sampled_out: 0,
            held_dropped: 0,
            denied: 0,
            store_dropped: 0,
            cleaned: 0,
            rejected: 0,
        }
    }

    /// Sessions that rotate after inactivity or at their maximum age; without
    /// them the session id given to [`Pipeline::new`] never changes.
    pub fn attach_sessions(&mut self, sessions: Sessions) {
        self.session_id = sessions.id().to_string();
        self.sessions = Some(sessions);
    }

    pub fn sessions(&self) -> Option<&Sessions> {
        self.sessions.as_ref()
    }

    /// Activity at `now`: the session rotates first if it is over.
    fn touch(&mut self, now: u64) {
        if let Some(s) = &mut self.sessions {
            if s.touch(now, new_id) {
                self.session_id = s.id().to_string();
                self.session_rotated = true;
            }
        }
    }

    /// Whether the session rotated since this was last asked (the shell stores it again).
    pub fn take_session_rotated(&mut self) -> bool {
        std::mem::take(&mut self.session_rotated)
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
        self.tags.clear();
    }

    /// The visitor logged out: no user id, no tags, no breadcrumbs, and a new session.
    pub fn reset(&mut self, now: u64) {
        self.user_id = None;
        self.tags.clear();
        self.errors.clear_breadcrumbs();
        match &mut self.sessions {
            Some(s) => {
                s.restart(now, new_id);
                self.session_id = s.id().to_string();
            }
            None => self.session_id = new_id(),
        }
    }

    /// Sets a tag for every later event (error events' `tags`, analytics events'
    /// `properties.tags`), or removes it (`None`). Returns whether it was taken:
    /// keys are non-blank, cut to 64 chars, values to 200; at most 50 tags.
    pub fn set_tag(&mut self, key: &str, value: Option<&str>) -> bool {
        let key = crate::core::text::take_chars(key.trim(), MAX_TAG_KEY_CHARS).to_string();
        if key.is_empty() {
            return false;
        }
        match value {
            None => {
                self.tags.remove(&key);
                true
            }
            Some(v) => {
                if self.tags.len() >= MAX_TAGS && !self.tags.contains_key(&key) {
                    return false;
                }
                self.tags.insert(key, crate::core::text::take_chars(v, MAX_TAG_VALUE_CHARS).to_string());
                true
            }
        }
    }

    pub fn tags(&self) -> &VecMap<String> {
        &self.tags
    }

    /// A call's properties had to be cleaned before the event was built.
    pub fn note_cleaned(&mut self) {
        self.cleaned += 1;
    }

    /// A call was refused before an event was built.
    pub fn note_rejected(&mut self) {
        self.rejected += 1;
    }

    /// Records an error: sampled, fingerprinted and rate-limited; `random` is
    /// a uniform draw for error sampling. Returns whether an event was made.
    pub fn capture_error(&mut self, raw: RawError, random: f64) -> Result<bool, ValidationErrors> {
        if !self.sampled_in {
            self.sampled_out += 1;
            return Ok(false);
        }
        let Some(mut d) = self.errors.capture(raw, random) else { return Ok(false) };
        self.touch(d.timestamp);
        for (k, v) in &self.tags {
            d.tags.insert_if_absent(k, || v.clone());
        }
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
            let event = self.count_metric(ERRORS_SUPPRESSED, s.count, attribution, now);
            let _ = self.accept(event, DataKind::Error);
        }
    }

    /// A count the agent reports about itself, as a metric event.
    fn count_metric(&self, name: &str, count: u64, attribution: Map, now: u64) -> Event {
        Event::Metric(MonitoringMetric {
            id: new_id(),
            name: name.into(),
            value: count as f64,
            unit: Unit::Count,
            rating: None,
            delta: None,
            navigation_type: None,
            attribution: Some(attribution),
            user_id: None,
            session_id: self.session_id.clone(),
            timestamp: now,
            context: SharedContext::clone(&self.context),
            metadata: self.metadata(),
        })
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
            context: SharedContext::clone(&self.context),
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

    /// Sets the user id and records its traits as an `identify` event; the
    /// traits are identity data, so the event needs the identity category
    /// (marketing by default) and is held, sent or discarded by it.
    pub fn identify_with_traits(&mut self, user_id: String, traits: Map, now: u64) -> Result<(), ValidationErrors> {
        self.user_id = Some(user_id);
        if traits.is_empty() {
            return Ok(());
        }
        self.record(IDENTIFY, traits, now, DataKind::Identity, true)
    }

    /// The page's URL changed (a single-page-app navigation, say).
    pub fn set_url(&mut self, url: String) {
        SharedContext::make_mut(&mut self.context).url = Some(url);
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
    pub fn track(&mut self, name: &str, properties: Map, now: u64) -> Result<(), ValidationErrors> {
        self.record(name, properties, now, DataKind::Custom, true)
    }

    /// `activity`: the event counts as the visitor's activity for the session
    /// (a page leave does not: it closes the page view in its own session).
    fn record(&mut self, name: &str, mut properties: Map, now: u64, kind: DataKind, activity: bool) -> Result<(), ValidationErrors> {
        if activity {
            self.touch(now);
        }
        if !self.tags.is_empty() && !properties.contains_key("tags") {
            // Inserted one by one: collecting into a map sorts, and the sort
            // costs kilobytes of code (the tags are in key order already).
            let mut tags = Map::new();
            for (k, v) in self.tags.iter() {
                tags.insert(k.clone(), Value::String(v.clone()));
            }
            properties.insert("tags".into(), Value::Object(tags));
        }
        let event = Event::Analytics(AnalyticsEvent {
            id: new_id(),
            event: name.to_string(),
            user_id: self.user_id.clone(),
            session_id: self.session_id.clone(),
            timestamp: now,
            properties,
            context: SharedContext::clone(&self.context),
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
        if !view.referrer_domain.is_empty() {
            props.insert("referrerDomain".into(), Value::String(view.referrer_domain));
        }
        if !view.navigation.is_empty() {
            props.insert("navigation".into(), Value::String(view.navigation.to_string()));
        }
        for (k, v) in view.campaign {
            props.insert(k, Value::String(v));
        }
        self.record(PAGE_VIEW, props, now, DataKind::PageView, true)
    }

    /// Records the end (or a hidden stretch) of a page view: its path, visible
    /// time and deepest scroll. The context URL is still the page's own.
    pub fn page_leave(&mut self, leave: Leave, now: u64) -> Result<(), ValidationErrors> {
        let mut props = Map::new();
        props.insert("path".into(), Value::String(leave.path));
        props.insert("visibleMs".into(), Value::from(leave.visible_ms));
        props.insert("totalVisibleMs".into(), Value::from(leave.total_visible_ms));
        props.insert("scrollDepth".into(), Value::from(leave.scroll_depth));
        self.record(PAGE_LEAVE, props, now, DataKind::PageView, false)
    }

    fn accept(&mut self, event: Event, kind: DataKind) -> Result<(), ValidationErrors> {
        // A sampled-out event is never held, stored or sent.
        if !self.sampled_in {
            self.sampled_out += 1;
            return Ok(());
        }
        // The context and metadata are the same for most events of a page: checked
        // once per change (their URL and version checks were a fifth of track()).
        let known = matches!((&self.validated_shared, event.shared()), (Some((c, m)), Some((ec, em))) if (SharedContext::ptr_eq(c, ec) || **c == **ec) && m == em);
        let checked = if known { event.validate_except_shared() } else { event.validate() };
        if let Err(e) = checked {
            self.invalid += 1;
            return Err(e);
        }
        if !known {
            if let Some((c, m)) = event.shared() {
                self.validated_shared = Some((c.clone(), m.clone()));
            }
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
        let campaign = self.consent.allows(self.categories.of(DataKind::Campaign));
        if !campaign {
            strip_campaign(&mut event);
        }
        if let Some(ctx) = shared_context(&mut event) {
            *ctx = self.prepared_context(ctx, campaign);
        }
        mask(&mut event, &self.config.site_rules);
        self.queue.push(event);
    }

    /// The context as it is sent: campaign parameters out of its URLs unless
    /// allowed, personal data masked. Made once per context, not per event.
    fn prepared_context(&mut self, raw: &SharedContext, campaign: bool) -> SharedContext {
        if let Some((r, c, ready)) = &self.prepared {
            if SharedContext::ptr_eq(r, raw) && *c == campaign {
                return SharedContext::clone(ready);
            }
        }
        let mut ctx = EventContext::clone(raw);
        if !campaign {
            for u in [&mut ctx.url, &mut ctx.referrer].into_iter().flatten() {
                strip_campaign_url(u);
            }
        }
        let m = Masker::default();
        for u in [&mut ctx.url, &mut ctx.referrer].into_iter().flatten() {
            mask_url_with_rules(&self.config.site_rules, &m, u);
        }
        let ready = SharedContext::new(ctx);
        self.prepared = Some((SharedContext::clone(raw), campaign, SharedContext::clone(&ready)));
        ready
    }

    /// Whether enough is queued for a full batch (send now, not at the next tick).
    pub fn batch_is_full(&self) -> bool {
        self.queue.len() >= self.config.batch_size as usize
    }

    /// After each event `track()` took in: whether to start delivery now. True
    /// when the queue first holds a full batch, then once every `batch_size`
    /// events while it stays full (a burst faster than delivery); false again
    /// once it holds less. Delivery on every event of a burst cost ~0.3 µs each.
    pub fn take_batch_due(&mut self) -> bool {
        if !self.batch_is_full() {
            self.kick_countdown = 0;
            return false;
        }
        if self.kick_countdown == 0 {
            self.kick_countdown = self.config.batch_size as usize - 1;
            return true;
        }
        self.kick_countdown -= 1;
        false
    }

    pub fn has_pending(&self) -> bool {
        !self.queue.is_empty()
    }

    /// The site's `beforeSend`, run on every event's JSON as it leaves memory.
    pub fn set_send_hook(&mut self, hook: Option<crate::core::delivery::SendHook>) {
        self.queue.set_hook(hook);
    }

    /// Events waiting in memory.
    pub fn pending_len(&self) -> usize {
        self.queue.len()
    }

    /// The next request body within the configured count and byte limits.
    pub fn next_batch(&mut self, now: u64) -> Option<OutgoingBatch> {
        self.queue.take_batch(self.config.batch_size as usize, self.config.max_batch_bytes as usize, now, new_id())
    }

    /// The agent's delivery counters as one small metric (`agent.stats`, value:
    /// events sent), sent periodically as self-telemetry.
    pub fn report_stats(&mut self, counters: &[(&str, u64)], sent: u64, now: u64) {
        let mut attribution = Map::new();
        for (k, v) in counters {
            attribution.insert((*k).into(), Value::from(*v));
        }
        let event = self.count_metric(AGENT_STATS, sent, attribution, now);
        if self.may_send() {
            self.queue.push(event);
        }
    }

    /// The durable store evicted `n` events past its bound: counted, and sent
    /// as agent self-telemetry (`agent.dropped`) with the next batch.
    pub fn note_dropped(&mut self, n: u64, now: u64) {
        self.store_dropped += n;
        // One report waiting to be stored is enough: it takes the new count and total
        // (a report per write would crowd real events out of a full outbox).
        let total = self.store_dropped;
        let waiting = self.queue.events_mut().find_map(|e| match e {
            Event::Metric(m) if m.name == AGENT_DROPPED => Some(m),
            _ => None,
        });
        if let Some(m) = waiting {
            m.value += n as f64;
            if let Some(a) = m.attribution.as_mut() {
                a.insert("totalDropped".into(), Value::from(total));
            }
            return;
        }
        let mut attribution = Map::new();
        attribution.insert("reason".into(), Value::String("store_bound".into()));
        attribution.insert("totalDropped".into(), Value::from(self.store_dropped));
        let event = self.count_metric(AGENT_DROPPED, n, attribution, now);
        // Necessary for delivery itself: goes wherever sending is allowed at all.
        if self.may_send() {
            self.queue.push(event);
        }
    }

    /// The time zone, read after start (the first `Intl.DateTimeFormat` of a
    /// page costs 15–20 ms, too much for the start-up path): later events carry
    /// it, and so do the ones built before it was known that are still here.
    pub fn has_timezone(&self) -> bool {
        self.context.timezone.is_some()
    }

    pub fn complete_timezone(&mut self, timezone: String) {
        if timezone.is_empty() || self.context.timezone.is_some() {
            return;
        }
        let fill = |event: &mut Event| {
            let Some(ctx) = shared_context(event) else { return };
            if ctx.timezone.is_none() {
                SharedContext::make_mut(ctx).timezone = Some(timezone.clone());
            }
        };
        self.held.iter_mut().for_each(|(e, _)| fill(e));
        self.queue.events_mut().for_each(fill);
        SharedContext::make_mut(&mut self.context).timezone = Some(timezone);
    }

    /// The oldest `max` queued events, serialised, out of the queue, for
    /// durable storage (consent allowing).
    pub fn drain_serialized(&mut self, max: usize) -> Vec<(String, String)> {
        if !self.may_send() {
            return Vec::new();
        }
        self.queue.drain_serialized(max)
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
            cleaned: self.cleaned,
            rejected: self.rejected,
            errors: self.errors.stats(),
        }
    }
}

/// The shared context of an analytics event or a metric (errors carry their own).
fn shared_context(event: &mut Event) -> Option<&mut SharedContext> {
    match event {
        Event::Analytics(e) => Some(&mut e.context),
        Event::Metric(e) => Some(&mut e.context),
        Event::Error(_) => None,
    }
}

/// Masks personal data in every free-text field of the event: properties,
/// URLs, messages, stacks, tags and attribution. Ids and the user agent stay.
/// The site's rules run around the detectors (see [`SiteRules`]). The shared
/// context of analytics events and metrics is left to [`Pipeline::prepared_context`].
fn mask(event: &mut Event, rules: &SiteRules) {
    let m = Masker::default();
    let text = |s: &mut String| {
        rules.protect(s);
        m.mask_string(s);
        rules.finish(s);
    };
    let json = |v: &mut Value| {
        rules.protect_json(v);
        m.mask_json(v);
        rules.finish_json(v);
    };
    let url = |s: &mut String| mask_url_with_rules(rules, &m, s);
    match event {
        Event::Analytics(e) => {
            let page_view = e.event == PAGE_VIEW;
            for (k, v) in e.properties.iter_mut() {
                match (page_view, k.as_str(), v) {
                    // A page view's referrer is a URL: its host stays, like the page's own.
                    (true, "referrer", Value::String(u)) => url(u),
                    (true, "referrerDomain", Value::String(_)) => {}
                    (_, k, v) => {
                        if !rules.redact_member(k, v) {
                            json(v);
                        }
                    }
                }
            }
        }
        Event::Error(e) => {
            text(&mut e.message);
            if let Some(stack) = &mut e.stack {
                text(stack);
            }
            if let Some(u) = &mut e.context.url {
                url(u);
            }
            for (k, v) in e.tags.iter_mut() {
                if rules.is_masked_key(k) {
                    *v = REDACTED.to_string();
                } else {
                    text(v);
                }
            }
            for f in &mut e.frames {
                if let Some(file) = &mut f.filename {
                    url(file);
                }
            }
            for b in &mut e.breadcrumbs {
                if let Some(msg) = &mut b.message {
                    text(msg);
                }
                for (k, v) in b.data.iter_mut() {
                    if !rules.redact_member(k, v) {
                        json(v);
                    }
                }
            }
        }
        Event::Metric(e) => {
            if let Some(attribution) = &mut e.attribution {
                for (k, v) in attribution.iter_mut() {
                    match v {
                        // A resource URL (LCP's) keeps its host, like the page's URL.
                        Value::String(u) if k == "url" => url(u),
                        _ => json(v),
                    }
                }
            }
        }
    }
}

/// A URL field of an event, masked: [`mask_url`] inside the site's rules.
fn mask_url_with_rules(rules: &SiteRules, m: &Masker, url: &mut String) {
    rules.protect(url);
    mask_url(m, url);
    rules.finish(url);
}

/// Masks a URL except its scheme and host: the site's own host (even an IP
/// literal) is not personal data; credentials, path, query and fragment may be.
pub fn mask_url(m: &Masker, url: &mut String) {
    let host_end = crate::core::text::find(url, "://")
        .map(|i| i + 3)
        .map(|start| start + url.as_bytes()[start..].iter().position(|b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(url.len() - start));
    match host_end {
        Some(end) if !url.as_bytes()[..end].contains(&b'@') => {
            let rest = m.mask(text::tail(url, end));
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

fn strip_campaign_url(url: &mut String) {
    if let std::borrow::Cow::Owned(s) = pageview::strip_campaign_params(url) {
        *url = s;
    }
}

/// Campaign data: `utm_*` properties, and `utm_*` parameters of the URLs (the
/// shared context's are left to [`Pipeline::prepared_context`]).
fn strip_campaign(event: &mut Event) {
    match event {
        Event::Analytics(e) => {
            e.properties.retain(|k, _| !k.starts_with("utm_"));
            if let Some(Value::String(r)) = e.properties.get_mut("referrer") {
                strip_campaign_url(r);
            }
        }
        Event::Metric(_) => {}
        Event::Error(e) => {
            if let Some(u) = &mut e.context.url {
                strip_campaign_url(u);
            }
        }
    }
}

fn new_id() -> String {
    crate::core::ids::new_id()
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
    fn the_context_url_is_masked_once_per_url_and_for_every_event() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        p.set_url("https://shop.example/u/jane@example.com?x=1".into());
        for i in 0..3 {
            p.track(&format!("e{i}"), Map::new(), NOW).unwrap();
        }
        p.set_url("https://shop.example/u/4111111111111111".into());
        p.track("other", Map::new(), NOW).unwrap();
        p.set_url("https://shop.example/u/jane@example.com?x=1".into());
        p.track("back", Map::new(), NOW).unwrap();
        let batch = p.next_batch(NOW + 5).unwrap();
        let urls: Vec<String> = ParsedBatch::parse(batch.body.as_bytes())
            .unwrap()
            .events
            .into_iter()
            .map(|e| match e.unwrap() {
                Event::Analytics(a) => a.context.url.clone().unwrap(),
                _ => panic!("not analytics"),
            })
            .collect();
        assert_eq!(urls[..3], ["https://shop.example/u/[EMAIL]?x=1"; 3]);
        assert_eq!(urls[3], "https://shop.example/u/[CARD]");
        assert_eq!(urls[4], "https://shop.example/u/[EMAIL]?x=1");
    }

    #[test]
    fn a_page_view_becomes_a_valid_batch() {
        let mut p = Pipeline::new(config(|_| {}), "sess-1".into(), context(), granted(), 0.3);
        p.page_view(
            PageView { url: "http://127.0.0.1:8080/shop?x=1".into(), path: "/shop".into(), title: "Shop".into(), ..Default::default() },
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
    fn the_time_zone_read_after_start_reaches_the_events_built_before_it() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        let mut held = Pipeline::new(config(|_| {}), "s".into(), context(), pending(), 0.0);
        for q in [&mut p, &mut held] {
            q.track("early", Map::new(), NOW).unwrap();
            q.complete_timezone("Europe/Berlin".into());
            q.complete_timezone("America/Lima".into());
            q.track("late", Map::new(), NOW + 1).unwrap();
        }
        held.set_consent(&[Category::Analytics, Category::Marketing], Decision::Granted);
        for q in [&mut p, &mut held] {
            let batch = q.next_batch(NOW + 5).unwrap();
            let parsed = ParsedBatch::parse(batch.body.as_bytes()).unwrap();
            assert_eq!(parsed.events.len(), 2);
            for e in parsed.events {
                let Ok(Event::Analytics(e)) = e else { panic!("not analytics") };
                assert_eq!(e.context.timezone.as_deref(), Some("Europe/Berlin"), "{}: the first reading holds", e.event);
            }
        }
    }

    #[test]
    fn store_evictions_are_reported_by_one_waiting_metric_with_the_running_total() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        p.note_dropped(30, NOW);
        p.note_dropped(20, NOW + 1);
        let first = p.drain_serialized(usize::MAX);
        assert_eq!(first.len(), 1, "the second count joined the waiting report");
        let m: serde_json::Value = serde_json::from_str(&first[0].1).unwrap();
        assert_eq!((m["name"].as_str(), m["value"].as_f64()), (Some(AGENT_DROPPED), Some(50.0)));
        assert_eq!(m["attribution"]["totalDropped"], 50);
        p.note_dropped(5, NOW + 2);
        let second = p.drain_serialized(usize::MAX);
        let m: serde_json::Value = serde_json::from_str(&second[0].1).unwrap();
        assert_eq!((m["value"].as_f64(), m["attribution"]["totalDropped"].as_u64()), (Some(5.0), Some(55)), "a stored report is not changed; a new one carries the total");
    }

    #[test]
    fn the_site_rules_apply_to_every_event_before_it_is_queued() {
        let list = |items: &[&str]| Some(Raw::List(items.iter().map(|s| Raw::Str(s.to_string())).collect()));
        let cfg = config(|c| {
            c.mask_keys = list(&["customer_ref"]);
            c.mask_patterns = list(&["Project Falcon"]);
            c.allow_list = list(&["help@shop.example"]);
        });
        let mut p = Pipeline::new(cfg, "s".into(), context(), granted(), 0.0);
        let props = crate::json!({"customer_ref": "C-1", "note": "mail help@shop.example, not ann@example.com", "deep": {"x": ["Project Falcon"]}});
        p.track("order", props.as_object().unwrap().clone(), NOW).unwrap();
        let batch = p.next_batch(NOW + 5).unwrap();
        let parsed = ParsedBatch::parse(batch.body.as_bytes()).unwrap();
        let Ok(Event::Analytics(e)) = &parsed.events[0] else { panic!("not analytics") };
        assert_eq!(e.properties["customer_ref"], "[REDACTED]");
        assert_eq!(e.properties["note"], "mail help@shop.example, not [EMAIL]");
        assert_eq!(e.properties["deep"]["x"][0], "[REDACTED]");
    }

    #[test]
    fn the_shared_context_is_checked_once_but_an_invalid_one_every_time() {
        let bad = EventContext { url: Some("not a url".into()), ..Default::default() };
        let mut p = Pipeline::new(config(|_| {}), "s".into(), bad, granted(), 0.0);
        for _ in 0..2 {
            let err = p.track("e", Map::new(), NOW).unwrap_err();
            assert_eq!(err.fields(), vec!["context.url"]);
        }
        assert_eq!(p.stats().invalid, 2);
        let mut good = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        for i in 0..3 {
            good.track("e", Map::new(), NOW + i).unwrap();
        }
        // The event's own fields are still checked when the shared part is known.
        assert_eq!(good.track(" ", Map::new(), NOW).unwrap_err().fields(), vec!["event"]);
        assert_eq!(good.stats().invalid, 1);
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
        props.insert("nested".into(), crate::json!({"card": "4111 1111 1111 1111", "n": 3}));
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
    fn a_page_views_referrer_keeps_its_host_and_loses_secrets() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        let view = PageView {
            url: "http://127.0.0.1:8080/b".into(),
            path: "/b".into(),
            referrer: "http://127.0.0.1:8080/a?email=jane.doe@example.com".into(),
            referrer_domain: "127.0.0.1".into(),
            ..Default::default()
        };
        p.page_view(view, NOW).unwrap();
        let mut props = Map::new();
        props.insert("referrer".into(), "http://127.0.0.1:8080/".into());
        p.track("custom", props, NOW).unwrap();
        let b = p.next_batch(NOW).unwrap();
        let events: Vec<Event> = ParsedBatch::parse(b.body.as_bytes()).unwrap().events.into_iter().map(Result::unwrap).collect();
        let Event::Analytics(v) = &events[0] else { panic!() };
        assert_eq!(v.properties["referrer"], "http://127.0.0.1:8080/a?email=[EMAIL]");
        assert_eq!(v.properties["referrerDomain"], "127.0.0.1");
        let Event::Analytics(c) = &events[1] else { panic!() };
        assert_eq!(c.properties["referrer"], "http://[IP]:8080/", "custom properties are free text");
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

    #[test]
    fn a_full_queue_is_signalled_once_per_batch_of_events() {
        let mut p = Pipeline::new(config(|c| c.batch_size = Some(Raw::Num(3.0))), "s".into(), context(), granted(), 0.0);
        let mut due = Vec::new();
        for _ in 0..10 {
            p.track("a", Map::new(), NOW).unwrap();
            due.push(p.take_batch_due());
        }
        // Full from the third event on: signalled then, and every third event after.
        assert_eq!(due, [false, false, true, false, false, true, false, false, true, false]);
        // Once delivery takes a batch out, the next full batch is signalled at once.
        while p.next_batch(NOW).is_some() {}
        p.track("a", Map::new(), NOW).unwrap();
        assert!(!p.take_batch_due());
        p.track("a", Map::new(), NOW).unwrap();
        p.track("a", Map::new(), NOW).unwrap();
        assert!(p.take_batch_due());
    }

    fn analytics(p: &mut Pipeline) -> Vec<AnalyticsEvent> {
        let mut out = Vec::new();
        while let Some(b) = p.next_batch(NOW) {
            for e in ParsedBatch::parse(b.body.as_bytes()).unwrap().events {
                if let Ok(Event::Analytics(a)) = e {
                    out.push(a);
                }
            }
            p.delivered(b);
        }
        out
    }

    #[test]
    fn sessions_rotate_after_inactivity_but_a_page_leave_does_not_extend_them() {
        use crate::core::session::{Policy, Sessions};
        let mut p = Pipeline::new(config(|_| {}), "unused".into(), context(), granted(), 0.0);
        let policy = Policy { inactivity_ms: 1_000, max_age_ms: 60_000 };
        p.attach_sessions(Sessions::resume(policy, None, NOW, || "first".into()));
        assert_eq!(p.session_id(), "first");
        p.track("a", Map::new(), NOW + 900).unwrap();
        let leave = |ms| Leave { url: "http://127.0.0.1:8080/".into(), path: "/".into(), visible_ms: ms, total_visible_ms: ms, scroll_depth: 40 };
        // A page leave 1.8 s later belongs to the session it closes and keeps no one active.
        p.page_leave(leave(1_800), NOW + 1_800).unwrap();
        p.track("b", Map::new(), NOW + 1_950).unwrap();
        let events = analytics(&mut p);
        assert_eq!(events.iter().map(|e| (e.event.as_str(), e.session_id == "first")).collect::<Vec<_>>(), [("a", true), ("page_leave", true), ("b", false)]);
        assert_eq!(p.sessions().unwrap().rotations(), 1);
        assert!(p.take_session_rotated());
        assert!(!p.take_session_rotated(), "asked once");
        assert_eq!(events[1].properties["scrollDepth"], 40);
        assert_eq!(events[1].properties["visibleMs"], 1_800);
        // reset() starts another session and forgets the user and the tags.
        let before = p.session_id().to_string();
        p.identify(Some("u".into()));
        p.set_tag("plan", Some("pro"));
        p.reset(NOW + 2_000);
        assert_ne!(p.session_id(), before);
        assert_eq!(p.user_id(), None);
        assert!(p.tags().is_empty());
    }

    #[test]
    fn page_views_carry_referrer_domain_navigation_and_campaign_only_with_marketing() {
        use crate::core::pageview::{Options, Output, PageTracker};
        let mut t = PageTracker::new(Options::default(), Some("https://news.example/today".into()), true, NOW);
        t.load("https://shop.example/?utm_source=news&utm_campaign=spring&ref=1", NOW, NOW);
        let Some(Output::View(v)) = t.settle(NOW + 100).pop() else { panic!() };
        for (consent, campaign) in [(granted(), true), (Consent::new(Decision::Granted, Decision::Denied, false), false)] {
            let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), consent, 0.0);
            p.page_view(PageView::from_view(v.clone(), "Home".into()), NOW).unwrap();
            let e = analytics(&mut p).remove(0);
            assert_eq!(e.properties["path"], "/");
            assert_eq!(e.properties["referrer"], "https://news.example/today");
            assert_eq!(e.properties["referrerDomain"], "news.example");
            assert_eq!(e.properties["navigation"], "initial");
            let url = e.context.url.clone().unwrap();
            if campaign {
                assert_eq!(e.properties["utm_source"], "news");
                assert_eq!(e.properties["utm_campaign"], "spring");
                assert!(url.contains("utm_source=news"));
            } else {
                assert!(!e.properties.keys().any(|k| k.starts_with("utm_")), "{:?}", e.properties);
                assert_eq!(url, "https://shop.example/?ref=1", "campaign parameters leave the URL too");
            }
        }
    }

    #[test]
    fn the_shared_context_is_made_ready_once_and_again_when_campaign_consent_changes() {
        let ctx = EventContext {
            url: Some("https://shop.example/u/jane@example.com?utm_source=news&ref=1".into()),
            referrer: Some("https://mail.example/?to=jane@example.com&utm_medium=mail".into()),
            ..context()
        };
        let mut p = Pipeline::new(config(|_| {}), "s".into(), ctx, Consent::new(Decision::Granted, Decision::Denied, false), 0.0);
        p.track("before", Map::new(), NOW).unwrap();
        p.track("before_again", Map::new(), NOW).unwrap();
        p.set_consent(&[Category::Marketing], Decision::Granted);
        p.track("granted", Map::new(), NOW).unwrap();
        p.set_consent(&[Category::Marketing], Decision::Denied);
        p.track("denied", Map::new(), NOW).unwrap();
        let got: Vec<(String, String, String)> = analytics(&mut p)
            .into_iter()
            .map(|e| (e.event.clone(), e.context.url.clone().unwrap(), e.context.referrer.clone().unwrap()))
            .collect();
        let stripped = ("https://shop.example/u/[EMAIL]?ref=1".to_string(), "https://mail.example/?to=[EMAIL]".to_string());
        let kept = ("https://shop.example/u/[EMAIL]?utm_source=news&ref=1".to_string(), "https://mail.example/?to=[EMAIL]&utm_medium=mail".to_string());
        let want = [("before", &stripped), ("before_again", &stripped), ("granted", &kept), ("denied", &stripped)];
        assert_eq!(got.len(), want.len());
        for ((name, url, referrer), (w_name, (w_url, w_referrer))) in got.iter().zip(want) {
            assert_eq!((name.as_str(), url, referrer), (w_name, w_url, w_referrer));
        }
        // The pipeline's own context stays as the page gave it.
        assert_eq!(p.context.url.as_deref(), Some("https://shop.example/u/jane@example.com?utm_source=news&ref=1"));
    }

    #[test]
    fn tags_go_on_errors_and_analytics_events_and_are_bounded() {
        use crate::core::errors::ErrorSource;
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        assert!(p.set_tag("release_channel", Some("beta")));
        assert!(p.set_tag("plan", Some("free")));
        assert!(p.set_tag("plan", None));
        assert!(!p.set_tag("  ", Some("x")));
        p.set_tag(&"k".repeat(100), Some(&"v".repeat(500)));
        for i in 0..60 {
            p.set_tag(&format!("t{i}"), Some("x"));
        }
        assert_eq!(p.tags().len(), MAX_TAGS);
        assert!(p.tags().iter().any(|(k, v)| k.len() == MAX_TAG_KEY_CHARS && v.len() == MAX_TAG_VALUE_CHARS));
        p.track("with_tags", Map::new(), NOW).unwrap();
        let mut own = Map::new();
        own.insert("tags".into(), Value::String("mine".into()));
        p.track("own_tags", own, NOW).unwrap();
        let mut raw = RawError::new(ErrorSource::Manual, "boom", NOW);
        raw.tags.insert("release_channel".into(), "explicit wins".into());
        p.capture_error(raw, 0.0).unwrap();
        let mut analytics_events = Vec::new();
        let mut errors = Vec::new();
        while let Some(b) = p.next_batch(NOW) {
            for e in ParsedBatch::parse(b.body.as_bytes()).unwrap().events {
                match e.unwrap() {
                    Event::Analytics(a) => analytics_events.push(a),
                    Event::Error(e) => errors.push(e),
                    _ => {}
                }
            }
            p.delivered(b);
        }
        assert_eq!(analytics_events[0].properties["tags"]["release_channel"], "beta");
        assert!(analytics_events[0].properties["tags"].get("plan").is_none());
        assert_eq!(analytics_events[1].properties["tags"], "mine", "an event's own tags property is kept");
        assert_eq!(errors[0].tags["release_channel"], "explicit wins");
        assert_eq!(errors[0].tags["t0"], "x");
    }

    #[test]
    fn identify_traits_need_marketing() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), pending(), 0.0);
        let mut traits = Map::new();
        traits.insert("plan".into(), "pro".into());
        p.identify_with_traits("user-1".into(), traits.clone(), NOW).unwrap();
        p.identify_with_traits("user-1".into(), Map::new(), NOW).unwrap();
        assert_eq!(p.stats().held, 1, "only traits make an event");
        p.set_consent(&[Category::Analytics], Decision::Granted);
        assert!(p.next_batch(NOW).is_none(), "analytics alone does not release identity data");
        p.set_consent(&[Category::Marketing], Decision::Granted);
        let e = analytics(&mut p).remove(0);
        assert_eq!(e.event, IDENTIFY);
        assert_eq!(e.user_id.as_deref(), Some("user-1"));
        assert_eq!(e.properties["plan"], "pro");
        let mut q = Pipeline::new(config(|_| {}), "s".into(), context(), pending(), 0.0);
        q.identify_with_traits("user-1".into(), traits, NOW).unwrap();
        q.set_consent(&[Category::Marketing], Decision::Denied);
        assert_eq!(q.stats().denied, 1);
    }

    #[test]
    fn cleaned_and_rejected_calls_are_counted() {
        let mut p = Pipeline::new(config(|_| {}), "s".into(), context(), granted(), 0.0);
        p.note_cleaned();
        p.note_rejected();
        p.note_rejected();
        assert_eq!((p.stats().cleaned, p.stats().rejected), (1, 2));
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
