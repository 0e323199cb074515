use crate::core::text;
use super::DeliveryState;
use crate::core::model::{Event, BATCH_VERSION};
use std::collections::VecDeque;

struct Entry {
    event: Event,
    state: DeliveryState,
}

/// A request body ready to send, with the events it carries.
pub struct OutgoingBatch {
    pub transmission_id: String,
    pub body: String,
    entries: Vec<Entry>,
}

impl OutgoingBatch {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.event.id())
    }
}

/// Counters of what the queue did, for `getStats()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    pub accepted: u64,
    pub sent: u64,
    pub retried: u64,
    pub dropped: u64,
    /// Dropped by the site's `beforeSend` hook (it returned nothing, or threw).
    pub dropped_by_hook: u64,
}

/// The site's `beforeSend`: takes an event's JSON, returns it (changed or not)
/// or `None` to drop the event.
pub type SendHook = Box<dyn FnMut(&str) -> Option<String>>;

/// The bounded in-memory queue of accepted events.
///
/// Past `max_len` the oldest queued event is dropped and counted: a page that
/// cannot deliver must not grow without bound.
pub struct Queue {
    entries: VecDeque<Entry>,
    max_len: usize,
    stats: QueueStats,
    hook: Option<SendHook>,
}

impl Queue {
    pub fn new(max_len: usize) -> Self {
        Queue { entries: VecDeque::new(), max_len: max_len.max(1), stats: QueueStats::default(), hook: None }
    }

    /// Every event leaving memory (to be stored or sent) passes `hook` first.
    pub fn set_hook(&mut self, hook: Option<SendHook>) {
        self.hook = hook;
    }

    /// An event's JSON after the hook; `None` (counted) when the hook dropped it.
    fn hooked(&mut self, json: String) -> Option<String> {
        let Some(hook) = self.hook.as_mut() else { return Some(json) };
        let out = hook(&json);
        if out.is_none() {
            self.stats.dropped_by_hook += 1;
        }
        out
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn stats(&self) -> QueueStats {
        self.stats
    }

    /// The queued events, for filling in context read after they were built.
    pub fn events_mut(&mut self) -> impl Iterator<Item = &mut Event> {
        self.entries.iter_mut().map(|e| &mut e.event)
    }

    pub fn push(&mut self, event: Event) {
        if self.entries.len() >= self.max_len {
            self.entries.pop_front();
            self.stats.dropped += 1;
        }
        let mut entry = Entry { event, state: DeliveryState::Created };
        transition(&mut entry, DeliveryState::Queued);
        self.entries.push_back(entry);
        self.stats.accepted += 1;
    }

    /// Takes the oldest events into one body of at most `max_count` events and
    /// `max_bytes` bytes (one event alone may exceed `max_bytes`; it goes alone).
    pub fn take_batch(&mut self, max_count: usize, max_bytes: usize, sent_at: u64, transmission_id: String) -> Option<OutgoingBatch> {
        if self.entries.is_empty() {
            return None;
        }
        let mut body = String::with_capacity(256);
        body.push_str("{\"v\":");
        body.push_str(itoa(BATCH_VERSION as u64).as_str());
        body.push_str(",\"sentAt\":");
        body.push_str(itoa(sent_at).as_str());
        body.push_str(",\"events\":[");
        let mut entries = Vec::new();
        while entries.len() < max_count.max(1) {
            let Some(mut entry) = self.entries.pop_front() else { break };
            set_transmission(&mut entry.event, &transmission_id);
            let Some(json) = self.hooked(entry.event.to_json()) else { continue };
            if !entries.is_empty() && body.len() + 1 + json.len() + 2 > max_bytes {
                self.entries.push_front(entry);
                break;
            }
            if !entries.is_empty() {
                body.push(',');
            }
            body.push_str(&json);
            transition(&mut entry, DeliveryState::InFlight);
            entries.push(entry);
        }
        if entries.is_empty() {
            return None;
        }
        body.push_str("]}");
        Some(OutgoingBatch { transmission_id, body, entries })
    }

    /// The endpoint acknowledged the batch: its events are delivered.
    pub fn acknowledge(&mut self, batch: OutgoingBatch) {
        for mut entry in batch.entries {
            transition(&mut entry, DeliveryState::Transmitted);
            self.stats.sent += 1;
        }
    }

    /// The batch was not acknowledged: its events go back to the front of the
    /// queue, in order, with their retry count raised.
    pub fn requeue(&mut self, batch: OutgoingBatch) {
        for mut entry in batch.entries.into_iter().rev() {
            transition(&mut entry, DeliveryState::Failed);
            bump_retry(&mut entry.event);
            transition(&mut entry, DeliveryState::Queued);
            self.stats.retried += 1;
            self.entries.push_front(entry);
        }
        while self.entries.len() > self.max_len {
            self.entries.pop_back();
            self.stats.dropped += 1;
        }
    }

    /// Takes every queued event out, serialised, oldest first: they move to
    /// durable storage (their state becomes `Buffered`).
    /// Serialises and removes the oldest `max` queued events (all with `usize::MAX`).
    pub fn drain_serialized(&mut self, max: usize) -> Vec<(String, String)> {
        let n = max.min(self.entries.len());
        let mut out = Vec::with_capacity(n);
        // Popped one by one: `VecDeque::drain` costs a kilobyte of code.
        for _ in 0..n {
            let Some(mut entry) = self.entries.pop_front() else { break };
            set_transmission(&mut entry.event, PENDING_TRANSMISSION);
            let Some(json) = self.hooked(entry.event.to_json()) else { continue };
            transition(&mut entry, DeliveryState::Buffered);
            out.push((entry.event.id().to_string(), json));
        }
        out
    }

    /// Forgets every queued event (consent withdrawn).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// States of the queued events, oldest first (for tests and debugging).
    pub fn states(&self) -> Vec<DeliveryState> {
        self.entries.iter().map(|e| e.state).collect()
    }
}

fn transition(entry: &mut Entry, next: DeliveryState) {
    debug_assert!(entry.state.can_move_to(next), "bad delivery transition");
    entry.state = next;
}

fn set_transmission(event: &mut Event, id: &str) {
    let meta = match event {
        Event::Analytics(e) => Some(&mut e.metadata),
        Event::Metric(e) => Some(&mut e.metadata),
        Event::Error(e) => e.metadata.as_mut(),
    };
    if let Some(m) = meta {
        m.transmission_id = Some(id.to_string());
    }
}

fn bump_retry(event: &mut Event) {
    let meta = match event {
        Event::Analytics(e) => Some(&mut e.metadata),
        Event::Metric(e) => Some(&mut e.metadata),
        Event::Error(e) => e.metadata.as_mut(),
    };
    if let Some(m) = meta {
        m.retry_count = m.retry_count.saturating_add(1);
    }
}

/// The transmission id of a stored event until it is sent: [`with_transmission`]
/// puts the real one in when a batch is built from stored events.
pub const PENDING_TRANSMISSION: &str = "pending";

/// A batch body with every stored event's pending transmission id replaced.
pub fn with_transmission(body: &str, transmission_id: &str) -> String {
    let mut from = String::from("\"transmissionId\":\"");
    from.push_str(PENDING_TRANSMISSION);
    from.push('"');
    let mut to = String::from("\"transmissionId\":\"");
    to.push_str(transmission_id);
    to.push('"');
    crate::core::text::replace(body, &from, &to)
}

/// `{"v":1,"sentAt":…,"context":…,"metadata":…,"events":[…]}` from events
/// already serialised. The context and metadata that analytics events and
/// metrics share are written once, for the batch; an event that carries none
/// has the batch's (each event of a page repeated some 400 bytes of them).
pub fn batch_body<'a>(sent_at: u64, events: impl Iterator<Item = &'a str>) -> String {
    let events: Vec<&str> = events.collect();
    let is_object = |t: &str| matches!(crate::core::model::json::parse(t), Some(crate::core::model::json::Json::Obj(_)));
    let mut split: Vec<Option<Shared>> = events.iter().map(|e| shared_of(e)).collect();
    let first = split.iter().flatten().find(|s| is_object(s.context) && is_object(s.metadata));
    let (context, metadata) = (first.map(|s| s.context), first.map(|s| s.metadata));
    // A slice that is the batch's own text is an object already; only one
    // that differs (a retried event's metadata, another page's context, a
    // hook's rewrite) is parsed, so the usual event costs no parse at all.
    for s in split.iter_mut() {
        if let Some(x) = s {
            let sound = (context == Some(x.context) || is_object(x.context)) && (metadata == Some(x.metadata) || is_object(x.metadata));
            if !sound {
                *s = None;
            }
        }
    }
    let mut body = String::with_capacity(events.iter().map(|e| e.len() + 1).sum::<usize>() + 64);
    body.push_str("{\"v\":");
    body.push_str(itoa(BATCH_VERSION as u64).as_str());
    body.push_str(",\"sentAt\":");
    body.push_str(itoa(sent_at).as_str());
    if let (Some(c), Some(m)) = (context, metadata) {
        body.push_str(",\"context\":");
        body.push_str(c);
        body.push_str(",\"metadata\":");
        body.push_str(m);
    }
    body.push_str(",\"events\":[");
    for (i, (e, s)) in events.iter().zip(&split).enumerate() {
        if i > 0 {
            body.push(',');
        }
        match s {
            Some(s) if context == Some(s.context) || metadata == Some(s.metadata) => {
                body.push_str(s.head);
                if context != Some(s.context) {
                    body.push_str(",\"context\":");
                    body.push_str(s.context);
                }
                if metadata != Some(s.metadata) {
                    body.push_str(",\"metadata\":");
                    body.push_str(s.metadata);
                }
                body.push('}');
            }
            _ => body.push_str(e),
        }
    }
    body.push_str("]}");
    body
}

/// An analytics event or metric as the agent serialises it: its fields, then
/// `,"context":{…},"metadata":{…}}`.
struct Shared<'a> {
    head: &'a str,
    context: &'a str,
    metadata: &'a str,
}

/// Where the event's own context and metadata texts would be, when it ends
/// the way the agent writes events (an event a `beforeSend` hook rewrote may
/// not; it is then sent as it is). Writing `head`, both fields and `}` back
/// gives the event's text exactly, whatever the slices hold.
fn shared_of(e: &str) -> Option<Shared<'_>> {
    const CONTEXT: &str = ",\"context\":";
    const METADATA: &str = ",\"metadata\":";
    if !(e.starts_with("{\"kind\":\"analytics\"") || e.starts_with("{\"kind\":\"metric\"")) || !e.ends_with('}') {
        return None;
    }
    let c = crate::core::text::rfind(e, CONTEXT)?;
    let tail = text::part(e, c + CONTEXT.len(), e.len() - 1);
    let m = crate::core::text::rfind(tail, METADATA)?;
    Some(Shared { head: text::head(e, c), context: text::head(tail, m), metadata: text::tail(tail, m + METADATA.len()) })
}

fn itoa(n: u64) -> String {
    // `u64::to_string` goes through core::fmt; this does not.
    let mut s = String::new();
    crate::core::model::write_u64(&mut s, n);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{AnalyticsEvent, EventContext, EventMetadata, Environment, ParsedBatch, Source};

    fn parse_back(b: &OutgoingBatch) -> Vec<Event> {
        ParsedBatch::parse(b.body.as_bytes()).unwrap().events.into_iter().map(Result::unwrap).collect()
    }

    fn event(n: usize, props_len: usize) -> Event {
        let mut properties = crate::core::value::Map::new();
        properties.insert("pad".into(), crate::core::value::Value::String("x".repeat(props_len)));
        Event::Analytics(AnalyticsEvent {
            id: uuid::Uuid::new_v4().to_string(),
            event: format!("e{n}"),
            user_id: None,
            session_id: "s1".into(),
            timestamp: 1_700_000_000_000 + n as u64,
            properties,
            context: EventContext::default().into(),
            metadata: EventMetadata {
                version: "1.0.0".into(),
                environment: Environment::Production,
                build_id: None,
                deployment_id: None,
                source: Source::Client,
                retry_count: 0,
                transmission_id: None,
            },
        })
    }

    #[test]
    fn batches_respect_the_count_limit_and_keep_order() {
        let mut q = Queue::new(100);
        for i in 0..7 {
            q.push(event(i, 0));
        }
        let b = q.take_batch(5, 60_000, 1_700_000_000_000, "t1".into()).unwrap();
        assert_eq!(b.len(), 5);
        assert_eq!(q.len(), 2);
        let parsed = parse_back(&b);
        let names: Vec<_> = parsed.iter().map(|e| e.name().to_string()).collect();
        assert_eq!(names, ["e0", "e1", "e2", "e3", "e4"]);
    }

    #[test]
    fn batches_respect_the_byte_limit() {
        let mut q = Queue::new(100);
        for i in 0..10 {
            q.push(event(i, 1_000));
        }
        let mut sizes = Vec::new();
        while let Some(b) = q.take_batch(50, 4_000, 1_700_000_000_000, "t".into()) {
            assert!(b.body.len() <= 4_000, "{} bytes", b.body.len());
            sizes.push(b.len());
            q.acknowledge(b);
        }
        assert_eq!(sizes.iter().sum::<usize>(), 10);
        assert!(sizes.len() >= 3);
        assert_eq!(q.stats().sent, 10);
    }

    #[test]
    fn an_oversized_event_goes_alone() {
        let mut q = Queue::new(10);
        q.push(event(0, 10_000));
        q.push(event(1, 0));
        let b = q.take_batch(50, 2_000, 1_700_000_000_000, "t".into()).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn the_body_is_a_valid_batch_with_the_transmission_id() {
        let mut q = Queue::new(10);
        q.push(event(0, 3));
        let b = q.take_batch(50, 60_000, 1_700_000_000_123, "tx-9".into()).unwrap();
        let parsed = ParsedBatch::parse(b.body.as_bytes()).unwrap();
        assert_eq!(parsed.sent_at, 1_700_000_000_123);
        match parsed.events[0].as_ref().unwrap() {
            Event::Analytics(e) => assert_eq!(e.metadata.transmission_id.as_deref(), Some("tx-9")),
            _ => panic!("wrong kind"),
        }
    }

    #[test]
    fn a_failed_batch_returns_to_the_front_with_retry_counted() {
        let mut q = Queue::new(10);
        for i in 0..3 {
            q.push(event(i, 0));
        }
        let b = q.take_batch(2, 60_000, 1_700_000_000_000, "t1".into()).unwrap();
        let first_ids: Vec<String> = b.ids().map(str::to_string).collect();
        q.requeue(b);
        assert_eq!(q.states(), vec![DeliveryState::Queued; 3]);
        let again = q.take_batch(10, 60_000, 1_700_000_000_000, "t2".into()).unwrap();
        let ids: Vec<String> = again.ids().map(str::to_string).collect();
        assert_eq!(&ids[..2], &first_ids[..]);
        let parsed = parse_back(&again);
        let retries: Vec<u32> = parsed
            .iter()
            .map(|e| match e {
                Event::Analytics(a) => a.metadata.retry_count,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(retries, vec![1, 1, 0]);
        assert_eq!(q.stats().retried, 2);
    }

    #[test]
    fn the_queue_is_bounded_and_counts_what_it_drops() {
        let mut q = Queue::new(3);
        for i in 0..5 {
            q.push(event(i, 0));
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q.stats().dropped, 2);
        assert_eq!(q.stats().accepted, 5);
        let b = q.take_batch(10, 60_000, 1_700_000_000_000, "t".into()).unwrap();
        let names: Vec<_> = parse_back(&b).iter().map(|e| e.name().to_string()).collect();
        assert_eq!(names, ["e2", "e3", "e4"]);
    }

    #[test]
    fn draining_serialises_in_order_and_empties_the_queue() {
        let mut q = Queue::new(10);
        for i in 0..3 {
            q.push(event(i, 0));
        }
        let drained = q.drain_serialized(usize::MAX);
        assert!(q.is_empty());
        let names: Vec<String> = drained
            .iter()
            .map(|(id, json)| {
                let e: Event = serde_json::from_str(json).unwrap();
                assert_eq!(e.id(), id);
                e.name().to_string()
            })
            .collect();
        assert_eq!(names, ["e0", "e1", "e2"]);
    }

    #[test]
    fn stored_events_get_their_transmission_id_when_sent() {
        let mut q = Queue::new(10);
        q.push(event(0, 0));
        q.push(event(1, 0));
        let drained = q.drain_serialized(usize::MAX);
        let body = with_transmission(&batch_body(1_700_000_000_000, drained.iter().map(|(_, j)| j.as_str())), "tx-42");
        let parsed = ParsedBatch::parse(body.as_bytes()).unwrap();
        for e in parsed.events {
            let Event::Analytics(a) = e.unwrap() else { panic!() };
            assert_eq!(a.metadata.transmission_id.as_deref(), Some("tx-42"));
        }
    }

    #[test]
    fn the_send_hook_changes_or_drops_events_on_their_way_out() {
        let mut q = Queue::new(10);
        for i in 0..4 {
            q.push(event(i, 5));
        }
        let calls = std::rc::Rc::new(std::cell::Cell::new(0));
        let seen = calls.clone();
        q.set_hook(Some(Box::new(move |json: &str| {
            seen.set(seen.get() + 1);
            let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
            match v["event"].as_str() {
                Some("e0") => None,
                _ => {
                    v["properties"]["seen"] = true.into();
                    Some(v.to_string())
                }
            }
        })));
        let stored = q.drain_serialized(2);
        assert_eq!(stored.len(), 1, "the first event was dropped by the hook");
        assert!(stored[0].1.contains("\"seen\":true"));
        let batch = q.take_batch(10, 60_000, 1, "t".into()).unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch.body.matches("\"seen\":true").count(), 2);
        assert_eq!(calls.get(), 4);
        assert_eq!(q.stats().dropped_by_hook, 1);
    }

    #[test]
    fn itoa_matches_display() {
        for n in [0u64, 7, 10, 1_700_000_000_123, u64::MAX] {
            assert_eq!(itoa(n), n.to_string());
        }
    }
}

#[cfg(test)]
mod shared_tests {
    use super::*;
    use crate::core::model::ParsedBatch;
    use serde_json::Value;

    fn analytics(id: u8, url: &str, retry: u32) -> String {
        format!(
            r#"{{"kind":"analytics","id":"00000000-0000-4000-8000-0000000000{id:02}","event":"e{id}","sessionId":"s","timestamp":1700000000000,"properties":{{"a":1,"context":{{"x":1}}}},"context":{{"url":"{url}","userAgent":"UA"}},"metadata":{{"version":"1.0.0","environment":"production","source":"client","retryCount":{retry},"transmissionId":"pending"}}}}"#
        )
    }

    fn parsed(body: &str) -> Vec<Value> {
        let batch = ParsedBatch::parse(body.as_bytes()).expect("a valid batch");
        batch.events.into_iter().map(|e| serde_json::to_value(e.expect("a valid event")).unwrap()).collect::<Vec<_>>()
    }

    #[test]
    fn shared_context_and_metadata_are_written_once_and_read_back_per_event() {
        let events = [
            analytics(1, "https://a.example/", 0),
            analytics(2, "https://a.example/", 0),
            analytics(3, "https://a.example/other", 0),
            analytics(4, "https://a.example/", 2),
        ];
        let body = with_transmission(&batch_body(5, events.iter().map(String::as_str)), "tx");
        assert_eq!(body.matches("\"userAgent\"").count(), 2, "once for the batch, once for the event on another page: {body}");
        assert_eq!(body.matches("\"retryCount\"").count(), 2, "once for the batch, once for the retried event");
        let plain = format!(r#"{{"v":1,"sentAt":5,"events":[{}]}}"#, events.join(",")).replace("\"pending\"", "\"tx\"");
        assert_eq!(parsed(&body), parsed(&plain), "the same events as in a batch that repeats them");
        assert!(body.len() + 150 < plain.len(), "{} bytes, not {}", body.len(), plain.len());
    }

    #[test]
    fn events_not_written_by_the_agent_go_as_they_are() {
        // Keys sorted (a hook that rebuilt the event), an error event, and a
        // hook's extra field after the metadata.
        let sorted = r#"{"context":{"url":"https://a.example/"},"event":"x","id":"00000000-0000-4000-8000-000000000009","kind":"analytics","metadata":{"version":"1.0.0","environment":"production","source":"client","retryCount":0},"properties":{},"sessionId":"s","timestamp":1}"#;
        let extra = analytics(5, "https://a.example/", 0).trim_end_matches('}').to_string() + r#"},"extra":{"metadata":{"k":1}}}"#;
        let first = analytics(1, "https://a.example/", 0);
        for odd in [sorted.to_string(), extra] {
            let body = batch_body(5, [first.as_str(), odd.as_str()].into_iter());
            assert!(body.contains(&odd), "{body}");
        }
    }

    #[test]
    fn a_batch_level_context_that_is_not_an_object_is_refused() {
        let e = analytics(1, "https://a.example/", 0);
        let body = format!(r#"{{"v":1,"sentAt":5,"context":[],"events":[{e}]}}"#);
        let err = ParsedBatch::parse(body.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("context"), "{err}");
    }
}
