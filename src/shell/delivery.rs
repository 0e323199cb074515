//! Carries out delivery: the pipeline's queue → IndexedDB outbox → batches →
//! fetch (keepalive), with the core's retry verdicts, backoff and circuit
//! breaker. Nothing here runs unless consent allows sending.
//!
//! With IndexedDB every accepted event is written to the outbox at the next
//! tick and deleted only when acknowledged; batches are claimed from the
//! outbox under a lease, so tabs never send the same stored events at once,
//! reloads resume where the last page stopped, and an endpoint that fails or
//! a browser that is offline loses nothing. Without IndexedDB (refused or
//! missing) the in-memory queue is sent directly.

use super::api::with_pipeline;
use super::idb::{self, Store};
use super::{page, transport};
use crate::core::delivery::{batch_body, with_transmission};
use crate::core::retry::{classify, BreakerConfig, CircuitBreaker, Permit, Verdict};
use std::cell::RefCell;

/// A claimed batch stays leased this long: longer than a request may take.
pub const LEASE_MS: f64 = transport::REQUEST_TIMEOUT_MS as f64 + 5_000.0;
/// Events sent while the page is being left are leased this long before
/// another page may send them again.
pub const EXIT_LEASE_MS: f64 = 10_000.0;
/// A page-exit request gathers events up to this many times `maxBatchBytes`
/// before compression, so that what is pending leaves in as few requests (and
/// as few bytes) as it can; the compressed body still keeps to `maxBatchBytes`.
const EXIT_RAW_FACTOR: usize = 4;
/// Accepted events reach the outbox within this time.
pub const PERSIST_DELAY_MS: u32 = 200;
/// Batches one drive of the outbox sends at most (then it waits for the next tick).
const MAX_BATCHES_PER_DRIVE: u32 = 20;
/// The events this page wrote to the outbox and no acknowledgement has removed
/// yet are also kept in memory, newest first up to this many bytes, so that a
/// page being left sends them at once (reading IndexedDB then would be too
/// late). Past the bound the oldest wait in the outbox for the next page.
pub const EXIT_MIRROR_MAX_BYTES: usize = 256 * 1024;
/// Ids of events that page-exit requests delivered, kept for drives in progress.
const EXIT_ACKED_KEPT: usize = 2_000;

enum StoreState {
    Unopened,
    Opening,
    Ready(Store),
    Unavailable,
}

/// Counters for `getStats()`.
#[derive(Debug, Default, Clone, Copy)]
pub struct DeliveryStats {
    pub sent: u64,
    pub retried: u64,
    pub stored: u64,
    pub evicted: u64,
    pub rejected: u64,
    pub stored_now: u64,
    pub beacons: u64,
}

struct Delivery {
    endpoint: String,
    batch_size: usize,
    max_bytes: usize,
    max_stored: u32,
    max_stored_bytes: u32,
    store: StoreState,
    breaker: CircuitBreaker,
    split_limit: usize,
    driving: bool,
    /// Serialised events the outbox refused; sent from memory.
    raw: Vec<(String, String)>,
    persist: PersistPlan,
    /// Numbers the timed writes: a timer that a sooner write overtook does nothing.
    persist_timer: u32,
    writes_in_flight: u32,
    /// A tick came while the outbox was opening.
    tick_after_open: bool,
    /// Events the latest write took from memory.
    last_drained: usize,
    /// Events being written to the outbox, kept until the write committed: a
    /// page that is left meanwhile sends them (its write may be aborted).
    persisting: Vec<(u64, Vec<(String, String)>)>,
    /// Events this page wrote to the outbox that are not acknowledged yet
    /// (at most [`EXIT_MIRROR_MAX_BYTES`], oldest first), and their bytes.
    stored_unsent: Vec<(String, String)>,
    stored_unsent_bytes: usize,
    /// Ids of events that a request carries while it is in flight: a
    /// keepalive request outlives the page, so a page exit (or its second
    /// signal: `visibilitychange`, then `pagehide`) does not send them again.
    in_flight: Vec<String>,
    /// Ids a page-exit request delivered lately (at most [`EXIT_ACKED_KEPT`]): a
    /// drive that claimed them from the outbox before their deletion does not send them again.
    exit_acked: Vec<String>,
    next_write: u64,
    last_stats_at: f64,
    stats_interval_ms: f64,
    last_stats: (u64, u64, u64, u64, u64),
    stats: DeliveryStats,
}

static DELIVERY: super::global::Global<RefCell<Option<Delivery>>> = super::global::Global::new(RefCell::new(None));

fn with<R>(f: impl FnOnce(&mut Delivery) -> R) -> Option<R> {
    DELIVERY.with(|d| d.try_borrow_mut().ok().and_then(|mut d| d.as_mut().map(f)))
}

impl Delivery {
    /// A write now, or once one of those under way has committed.
    fn next_write_plan(&self) -> PersistPlan {
        if self.writes_in_flight < MAX_WRITES_IN_FLIGHT {
            PersistPlan::Writing
        } else {
            PersistPlan::Blocked
        }
    }

    /// Events now committed to the outbox: mirrored for a page exit.
    fn mirror_stored(&mut self, records: Vec<(String, String)>) {
        self.stored_unsent_bytes += records.iter().map(|r| r.1.len()).sum::<usize>();
        self.stored_unsent.extend(records);
        let mut drop = 0;
        while self.stored_unsent_bytes > EXIT_MIRROR_MAX_BYTES && drop < self.stored_unsent.len() {
            self.stored_unsent_bytes -= self.stored_unsent[drop].1.len();
            drop += 1;
        }
        self.stored_unsent.drain(..drop);
    }

    /// Events the endpoint acknowledged (or refused for good): no longer mirrored.
    fn unmirror(&mut self, ids: &[String]) {
        if self.stored_unsent.is_empty() {
            return;
        }
        let mut bytes = self.stored_unsent_bytes;
        self.stored_unsent.retain(|(id, body)| {
            let keep = !ids.contains(id);
            if !keep {
                bytes -= body.len();
            }
            keep
        });
        self.stored_unsent_bytes = bytes;
    }
}

pub fn init(endpoint: String, batch_size: usize, max_bytes: usize, max_stored: u32, max_stored_bytes: u32, stats_interval_ms: u32) {
    DELIVERY.with(|d| {
        *d.borrow_mut() = Some(Delivery {
            endpoint,
            batch_size,
            max_bytes,
            max_stored,
            max_stored_bytes,
            store: StoreState::Unopened,
            breaker: CircuitBreaker::new(BreakerConfig::default()),
            split_limit: batch_size,
            driving: false,
            raw: Vec::new(),
            persist: PersistPlan::Idle,
            persist_timer: 0,
            writes_in_flight: 0,
            tick_after_open: false,
            last_drained: 0,
            persisting: Vec::new(),
            stored_unsent: Default::default(),
            stored_unsent_bytes: 0,
            in_flight: Default::default(),
            exit_acked: Vec::new(),
            next_write: 0,
            // The first report waits a full interval.
            last_stats_at: js_sys::Date::now(),
            stats_interval_ms: stats_interval_ms as f64,
            last_stats: (0, 0, 0, 0, 0),
            stats: DeliveryStats::default(),
        })
    });
}

pub fn stats() -> DeliveryStats {
    with(|d| d.stats).unwrap_or_default()
}

/// The breaker's state name, for `getStats()`.
pub fn breaker_state() -> &'static str {
    with(|d| d.breaker.state().as_str()).unwrap_or("closed")
}

fn online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

fn store() -> Option<Store> {
    with(|d| match &d.store {
        StoreState::Ready(s) => Some(s.clone()),
        _ => None,
    })
    .flatten()
}

/// The timer's tick, a full batch, `online`, a consent grant: persist and send.
pub fn tick() {
    if !with_pipeline(|p| p.may_send()).unwrap_or(false) {
        return;
    }
    report_stats_if_due();
    let state = with(|d| match d.store {
        StoreState::Unopened => {
            d.store = StoreState::Opening;
            0
        }
        StoreState::Opening => {
            // Run once the outbox is open (a write may have begun opening it).
            d.tick_after_open = true;
            1
        }
        StoreState::Ready(_) => 2,
        StoreState::Unavailable => 3,
    });
    match state {
        Some(0) => open_store(tick),
        Some(2) => {
            persist_soon(0);
            if with(|d| std::mem::replace(&mut d.driving, true)) == Some(false) {
                wasm_bindgen_futures::spawn_local(async {
                    drive().await;
                    with(|d| d.driving = false);
                });
            }
        }
        Some(3) => send_from_memory(),
        _ => {}
    }
}

/// Opens the outbox (the state is `Opening`), takes in what a page left in
/// localStorage, then runs `then`.
fn open_store(then: fn()) {
    let (count, bytes) = with(|d| (d.max_stored, d.max_stored_bytes)).unwrap_or((5_000, 5_000_000));
    wasm_bindgen_futures::spawn_local(async move {
        let opened = Store::open(count, bytes).await;
        if let Some(s) = &opened {
            unspill(s).await;
        }
        let tick_now = with(|d| {
            d.store = match opened {
                Some(s) => StoreState::Ready(s),
                None => StoreState::Unavailable,
            };
            std::mem::take(&mut d.tick_after_open)
        });
        if tick_now == Some(true) {
            tick();
        } else {
            then();
        }
    });
}

/// Persists the queue, then sends claimed batches while the endpoint accepts them.
/// Returns the number of events acknowledged.
async fn drive() -> u32 {
    let Some(store) = store() else { return 0 };
    let mut acknowledged = 0;
    // Slice by slice (each write is awaited, so the page runs in between), what
    // was queued when the drive began: a write that evicts queues a report of
    // it, which must not feed this loop for ever while the outbox is full.
    let queued = with_pipeline(|p| p.pending_len()).unwrap_or(0);
    for _ in 0..queued.div_ceil(PERSIST_SLICE).max(1) {
        if persist(&store, 0.0).await == 0 {
            break;
        }
    }
    for _ in 0..MAX_BATCHES_PER_DRIVE {
        if !online() || !with_pipeline(|p| p.may_send()).unwrap_or(false) {
            break;
        }
        let now = js_sys::Date::now();
        let Some((limit, max_bytes, endpoint)) = with(|d| match d.breaker.allow_send(now as u64) {
            Permit::Normal => Some((d.split_limit, d.max_bytes, d.endpoint.clone())),
            Permit::Probe => Some((1, d.max_bytes, d.endpoint.clone())),
            Permit::Wait(_) => None,
        })
        .flatten() else {
            break;
        };
        let mut claimed = match store.claim(now, now + LEASE_MS, limit, max_bytes).await {
            Ok(c) => c,
            Err(_) => break,
        };
        // Events a page-exit request of this page carries right now stay with it
        // (they stay leased: the exit's acknowledgement deletes them).
        with(|d| claimed.retain(|(id, _)| !d.in_flight.contains(id) && !d.exit_acked.contains(id)));
        if claimed.is_empty() {
            // Nothing to send: a probe that was not used must not hold the breaker.
            with(|d| d.breaker.on_success(now as u64));
            break;
        }
        let ids: Vec<String> = claimed.iter().map(|(id, _)| id.clone()).collect();
        let body = with_transmission(&batch_body(now as u64, claimed.iter().map(|(_, b)| b.as_str())), &new_id());
        with(|d| d.in_flight.extend(ids.iter().cloned()));
        let outcome = transport::send(&endpoint, &body).await;
        with(|d| d.in_flight.retain(|x| !ids.contains(x)));
        let after = js_sys::Date::now();
        let verdict = classify(&outcome).for_batch_of(ids.len());
        let n = ids.len() as u64;
        // One await of each store call (each await point costs its own code):
        // what the endpoint took or refused is deleted, the rest released.
        let meta = if matches!(verdict, Verdict::Delivered | Verdict::Reject) {
            store.delete(&ids).await.ok()
        } else {
            let _ = store.release(&ids, 0.0).await;
            None
        };
        let stop = with(|d| {
            if matches!(verdict, Verdict::Delivered | Verdict::Reject) {
                d.unmirror(&ids);
                if let Some(m) = meta {
                    d.stats.stored_now = m.count.max(0.0) as u64;
                }
            }
            match verdict {
                Verdict::Delivered => {
                    d.breaker.on_success(after as u64);
                    d.split_limit = d.batch_size;
                    d.stats.sent += n;
                }
                Verdict::Retry => {
                    d.breaker.on_failure(after as u64, outcome.retry_after_ms(after as u64), js_sys::Math::random());
                    d.stats.retried += n;
                }
                Verdict::Split => {
                    d.breaker.on_success(after as u64);
                    d.split_limit = (ids.len() / 2).max(1);
                }
                Verdict::Reject => {
                    d.breaker.on_success(after as u64);
                    d.stats.rejected += n;
                }
            }
            verdict == Verdict::Retry
        });
        if verdict == Verdict::Delivered {
            acknowledged += n as u32;
        }
        if stop != Some(false) {
            break;
        }
    }
    acknowledged
}

/// Self-telemetry: the delivery counters go out as one `agent.stats` metric
/// every `statsIntervalMs` when they changed.
fn report_stats_if_due() {
    let now = js_sys::Date::now();
    let due = with(|d| {
        let s = d.stats;
        let key = (s.sent, s.retried, s.stored, s.evicted, s.rejected);
        if now - d.last_stats_at < d.stats_interval_ms || key == d.last_stats {
            return None;
        }
        d.last_stats_at = now;
        d.last_stats = key;
        Some(s)
    })
    .flatten();
    let Some(s) = due else { return };
    with_pipeline(|p| {
        let accepted = p.stats().queue.accepted;
        let counters = [
            ("accepted", accepted),
            ("sent", s.sent),
            ("retried", s.retried),
            ("stored", s.stored),
            ("dropped", s.evicted),
            ("rejected", s.rejected),
        ];
        p.report_stats(&counters, s.sent, now as u64);
    });
}

/// Most events serialised and written to the outbox in one task.
pub const PERSIST_SLICE: usize = 250;

/// Writes to the outbox under way at once. A write takes some 30 ms to commit
/// here; in a burst, the next slice is written in the next task rather than
/// after that commit. One write at a time dropped 8,252 of 12,002 events of a
/// burst (10,000 calls in tasks of 100) at the memory queue's bound; two drop
/// 4,750-6,700 over the runs measured (the outbox reaches its own bound of
/// 5,000 meanwhile), for 0.7 MB more memory at the peak (four: 1.4 MB).
const MAX_WRITES_IN_FLIGHT: u32 = 2;

/// Whether a write to the outbox is planned or under way.
#[derive(Clone, Copy, PartialEq)]
enum PersistPlan {
    Idle,
    /// A timer (its number) runs the next write.
    Waiting(u32),
    /// A write began in this task; a later task looks for more to write.
    Writing,
    /// More to write, once a write under way has committed.
    Blocked,
}

/// After an event is accepted: write it to the outbox within
/// [`PERSIST_DELAY_MS`], whatever the flush interval, so that a tab that is
/// killed loses at most that much. Sending waits for the flush interval.
/// `delay_ms` 0 (a full batch) writes now, overtaking a timer that waits.
pub fn persist_soon(delay_ms: u32) {
    // One write per task: many full batches in one task must not start one
    // write each in the same microtask checkpoint (that was one long task).
    let plan = with(|d| match d.persist {
        PersistPlan::Writing | PersistPlan::Blocked => None,
        PersistPlan::Waiting(_) if delay_ms > 0 => None,
        _ if delay_ms == 0 => {
            d.persist = d.next_write_plan();
            (d.persist == PersistPlan::Writing).then_some(None)
        }
        _ => {
            d.persist_timer = d.persist_timer.wrapping_add(1);
            d.persist = PersistPlan::Waiting(d.persist_timer);
            Some(Some(d.persist_timer))
        }
    })
    .flatten();
    match plan {
        None => {}
        Some(None) => write_slice(),
        Some(Some(timer)) => {
            let timeout = super::page::timeout(delay_ms, move || {
                // A write that ran meanwhile took this timer's events already.
                let mine = with(|d| {
                    let mine = d.persist == PersistPlan::Waiting(timer);
                    if mine {
                        d.persist = d.next_write_plan();
                    }
                    mine && d.persist == PersistPlan::Writing
                });
                if mine == Some(true) {
                    write_slice();
                }
            });
            timeout.forget();
        }
    }
}

/// Starts one write (the plan is `Writing`), and looks for more in the next task.
fn write_slice() {
    let Some(store) = store() else {
        // The outbox opens at the first write that consent allows, not only at
        // the first tick (a flush interval later: events of a tab killed
        // meanwhile were lost); the write follows. Sending still waits for a tick.
        let allowed = with_pipeline(|p| p.may_send()).unwrap_or(false);
        let open = with(|d| {
            d.persist = PersistPlan::Idle;
            let open = allowed && matches!(d.store, StoreState::Unopened);
            if open {
                d.store = StoreState::Opening;
            }
            open
        });
        if open == Some(true) {
            open_store(|| persist_soon(0));
        }
        return;
    };
    with(|d| d.writes_in_flight += 1);
    wasm_bindgen_futures::spawn_local(async move {
        persist(&store, 0.0).await;
        let resume = with(|d| {
            d.writes_in_flight -= 1;
            let resume = d.persist == PersistPlan::Blocked;
            if resume {
                d.persist = PersistPlan::Writing;
            }
            resume
        });
        if resume == Some(true) {
            write_slice();
        }
    });
    let next = super::page::timeout(1, || {
        // More of a burst: the last write took a full slice. (A lone report
        // of evictions waits for the next trigger: writing it evicts again.)
        let more = with_pipeline(|p| p.has_pending()).unwrap_or(false);
        let go = with(|d| {
            if d.persist != PersistPlan::Writing {
                return false;
            }
            d.persist = if more && d.last_drained == PERSIST_SLICE { d.next_write_plan() } else { PersistPlan::Idle };
            d.persist == PersistPlan::Writing
        });
        if go == Some(true) {
            write_slice();
        }
    });
    next.forget();
}

/// Moves the oldest [`PERSIST_SLICE`] queued events into the outbox (leased
/// until `lease`); more are left to the next task, so that a burst of events
/// never makes one long task of serialising and writing. Returns how many it wrote.
async fn persist(store: &Store, lease: f64) -> usize {
    let records = with_pipeline(|p| p.drain_serialized(PERSIST_SLICE)).unwrap_or_default();
    let n = records.len();
    if n == 0 {
        return 0;
    }

    let write = with(|d| {
        d.last_drained = n;
        d.next_write += 1;
        d.persisting.push((d.next_write, records.clone()));
        d.next_write
    })
    .unwrap_or(0);
    let result = store.put(&records, lease).await;
    // Gone already if erase() ran meanwhile: then memory keeps nothing of them.
    let live = with(|d| {
        let before = d.persisting.len();
        d.persisting.retain(|(w, _)| *w != write);
        d.persisting.len() < before
    })
    .unwrap_or(false);
    match result {
        Ok((evicted, meta)) => {
            with(|d| {
                if live {
                    d.mirror_stored(records);
                }
                d.stats.stored += n as u64;
                d.stats.evicted += evicted as u64;
                d.stats.stored_now = meta.count.max(0.0) as u64;
            });
            if evicted > 0 {
                with_pipeline(|p| p.note_dropped(evicted as u64, page::now_ms()));
            }
        }
        Err(_) => {
            // The outbox refused the write: keep the events in memory and stop using it.
            with(|d| {
                if live {
                    d.raw.extend(records);
                }
                d.store = StoreState::Unavailable;
            });
        }
    }
    n
}

/// Sends what is queued from memory (no IndexedDB here).
fn send_from_memory() {
    let raw = with(|d| {
        let n = d.raw.len().min(d.batch_size);
        d.raw.drain(..n).collect::<Vec<_>>()
    })
    .unwrap_or_default();
    if !raw.is_empty() {
        let endpoint = with(|d| d.endpoint.clone()).unwrap_or_default();
        wasm_bindgen_futures::spawn_local(async move {
            let body = with_transmission(&batch_body(page::now_ms(), raw.iter().map(|(_, b)| b.as_str())), &new_id());
            let outcome = transport::send(&endpoint, &body).await;
            let n = raw.len() as u64;
            match classify(&outcome) {
                Verdict::Delivered => with(|d| d.stats.sent += n),
                Verdict::Reject => with(|d| d.stats.rejected += n),
                _ => with(|d| {
                    d.stats.retried += n;
                    let mut back = raw;
                    back.append(&mut d.raw);
                    d.raw = back;
                }),
            };
        });
        return;
    }
    let next = with_pipeline(|p| p.next_batch(page::now_ms())).flatten();
    let Some(batch) = next else { return };
    let endpoint = with(|d| d.endpoint.clone()).unwrap_or_default();
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = transport::send(&endpoint, &batch.body).await;
        let n = batch.len() as u64;
        match classify(&outcome).for_batch_of(batch.len()) {
            Verdict::Delivered => {
                with_pipeline(|p| p.delivered(batch));
                with(|d| d.stats.sent += n);
            }
            Verdict::Reject => {
                with(|d| d.stats.rejected += n);
            }
            _ => {
                with_pipeline(|p| p.failed(batch));
                with(|d| d.stats.retried += n);
            }
        }
    });
}

/// `flush()`: persists, then sends; resolves with the number acknowledged.
pub async fn flush() -> u32 {
    if !with_pipeline(|p| p.may_send()).unwrap_or(false) {
        return 0;
    }
    // Acknowledgements while this flush runs count, also those of a drive in progress.
    let sent_before = stats().sent;
    // Open the outbox if that has not happened yet, and wait for any drive in progress.
    tick();
    for _ in 0..500 {
        let busy = with(|d| d.driving || matches!(d.store, StoreState::Opening | StoreState::Unopened)).unwrap_or(false);
        if !busy {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    if store().is_some() {
        with(|d| d.driving = true);
        drive().await;
        with(|d| d.driving = false);
        return (stats().sent - sent_before) as u32;
    }
    let mut acknowledged = 0;
    while let Some(batch) = with_pipeline(|p| p.next_batch(page::now_ms())).flatten() {
        let endpoint = with(|d| d.endpoint.clone()).unwrap_or_default();
        let outcome = transport::send(&endpoint, &batch.body).await;
        let n = batch.len() as u64;
        match classify(&outcome).for_batch_of(batch.len()) {
            Verdict::Delivered => {
                with_pipeline(|p| p.delivered(batch));
                with(|d| d.stats.sent += n);
                acknowledged += n as u32;
            }
            Verdict::Reject => {
                with(|d| d.stats.rejected += n);
            }
            _ => {
                with_pipeline(|p| p.failed(batch));
                with(|d| d.stats.retried += n);
                break;
            }
        }
    }
    acknowledged
}

/// The page is being hidden or left: write what is queued to the outbox and
/// send it at once — keepalive fetches up to their budget, beacons past it.
/// Whatever is not acknowledged stays stored for the next page.
pub fn page_exit() {
    if !with_pipeline(|p| p.may_send()).unwrap_or(false) {
        return;
    }
    let mut records = with_pipeline(|p| p.drain_serialized(usize::MAX)).unwrap_or_default();
    // Writes still under way may be aborted with the page: send their events too
    // (if both the write and the request succeed, the endpoint de-duplicates).
    let unsure: Vec<(String, String)> = with(|d| d.persisting.iter().flat_map(|(_, r)| r.iter().cloned()).collect()).unwrap_or_default();
    let fresh = records.len();
    records.extend(unsure);
    let unstored = records.len();
    // What this page stored earlier and no acknowledgement removed: it is in
    // the outbox already, and leaves now rather than with the next visit.
    records.extend(with(|d| d.stored_unsent.clone()).unwrap_or_default());
    if records.is_empty() {
        return;
    }
    let busy = with(|d| d.in_flight.clone()).unwrap_or_default();
    // Kept synchronously first: nothing counts as delivered without an acknowledgement.
    spill(&records[..unstored]);
    let now = js_sys::Date::now();
    let store = store();
    if !online() {
        return;
    }
    if let Some(s) = &store {
        let s = s.clone();
        let recs: Vec<(String, String)> = records[..fresh].to_vec();
        // The stored ones this exit sends are leased like the fresh ones: another
        // tab does not send them again while the exit requests are on their way.
        let leased: Vec<String> = records[unstored..].iter().map(|(id, _)| id.clone()).filter(|id| !busy.contains(id)).collect();
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok((evicted, _)) = s.put(&recs, now + EXIT_LEASE_MS).await {
                with(|d| {
                    d.stats.stored += recs.len() as u64;
                    d.stats.evicted += evicted as u64;
                });
            }
            if !leased.is_empty() {
                let _ = s.release(&leased, now + EXIT_LEASE_MS).await;
            }
        });
    }
    let Some((endpoint, max_bytes)) = with(|d| (d.endpoint.clone(), d.max_bytes)) else { return };
    let mut budget = transport::KEEPALIVE_BUDGET_BYTES;
    // The spill can go once every exit request was acknowledged (a beacon never is).
    let outstanding = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let all_fetched = std::rc::Rc::new(std::cell::Cell::new(true));
    let sendable: Vec<&(String, String)> = records.iter().filter(|(id, _)| !busy.iter().any(|x| x == id)).collect();
    let records = sendable;
    let mut i = 0;
    while i < records.len() {
        // As many events as fit one request once compressed: first try
        // [`EXIT_RAW_FACTOR`] times the byte limit before compression, then halve.
        let mut raw_limit = max_bytes * EXIT_RAW_FACTOR;
        let (j, body, payload) = loop {
            let mut j = i;
            let mut size = 40;
            while j < records.len() && (j == i || size + records[j].1.len() + 1 <= raw_limit) {
                size += records[j].1.len() + 1;
                j += 1;
            }
            let chunk = &records[i..j];
            let body = transport::encode(with_transmission(&batch_body(now as u64, chunk.iter().map(|(_, b)| b.as_str())), &new_id()).into()).into_owned();
            let payload = transport::payload(&body);
            if payload.len <= max_bytes || j == i + 1 || raw_limit <= max_bytes {
                break (j, body, payload);
            }
            raw_limit /= 2;
        };
        let ids: Vec<String> = records[i..j].iter().map(|(id, _)| id.clone()).collect();
        if payload.len <= budget {
            budget -= payload.len;
            let pending = transport::start_post(&endpoint, &payload);
            let store = store.clone();
            let outstanding = outstanding.clone();
            let all = all_fetched.clone();
            outstanding.set(outstanding.get() + 1);
            with(|d| d.in_flight.extend(ids.iter().cloned()));
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = transport::finish(pending).await;
                with(|d| {
                    d.in_flight.retain(|x| !ids.contains(x));
                });
                if classify(&outcome) == Verdict::Delivered {
                    with(|d| {
                        d.unmirror(&ids);
                        d.exit_acked.extend(ids.iter().cloned());
                        let over = d.exit_acked.len().saturating_sub(EXIT_ACKED_KEPT);
                        d.exit_acked.drain(..over);
                    });
                    outstanding.set(outstanding.get() - 1);
                    if outstanding.get() == 0 && all.get() {
                        clear_own_spill();
                    }
                    let n = ids.len() as u64;
                    let meta = match store {
                        Some(s) => s.delete(&ids).await.ok(),
                        None => None,
                    };
                    with(|d| {
                        d.stats.sent += n;
                        if let Some(m) = meta {
                            d.stats.stored_now = m.count.max(0.0) as u64;
                        }
                    });
                }
            });
        } else if transport::beacon(&endpoint, &body) {
            // A beacon is never acknowledged: the outbox keeps its stored events for
            // later, and the second exit signal does not send them again.
            with(|d| {
                d.stats.beacons += 1;
                d.unmirror(&ids);
            });
            all_fetched.set(false);
        } else {
            all_fetched.set(false);
        }
        i = j;
    }
}

/// localStorage key prefix of events written synchronously while a page is
/// left; each page load has its own key.
pub const SPILL_PREFIX: &str = "telemetry:spill:";

thread_local! {
    static SPILL_KEY: String = {
        let mut k = String::from(SPILL_PREFIX);
        k.push_str(&new_id());
        k
    };
}
/// The spill holds at most this many bytes; past it only the outbox write remains.
const SPILL_MAX_BYTES: usize = 1_000_000;

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Writes events to localStorage at once: an IndexedDB write started while the
/// page is being left may be aborted with it; this one is synchronous.
fn spill(records: &[(String, String)]) {
    let Some(ls) = local_storage() else { return };
    let key = SPILL_KEY.with(|k| k.clone());
    let mut text = ls.get_item(&key).ok().flatten().unwrap_or_default();
    if text.len() < 2 || !text.starts_with('[') {
        text = String::from("[]");
    }
    text.pop();
    for (_, body) in records {
        if text.len() + body.len() + 2 > SPILL_MAX_BYTES {
            break;
        }
        if text.len() > 1 {
            text.push(',');
        }
        text.push_str(body);
    }
    text.push(']');
    let _ = ls.set_item(&key, &text);
}

/// This page's exit sends were all acknowledged: its spill is not needed.
fn clear_own_spill() {
    if let Some(ls) = local_storage() {
        let _ = SPILL_KEY.with(|k| ls.remove_item(k));
    }
}

/// Spill keys of every page (this one included when `all`).
fn spill_keys(ls: &web_sys::Storage, all: bool) -> Vec<String> {
    let own = SPILL_KEY.with(|k| k.clone());
    let mut keys = Vec::new();
    for i in 0..ls.length().unwrap_or(0) {
        if let Ok(Some(k)) = ls.key(i) {
            if k.starts_with(SPILL_PREFIX) && (all || k != own) {
                keys.push(k);
            }
        }
    }
    keys
}

/// Moves events a previous page spilled into the outbox (one tab takes them:
/// the key is removed as it is read).
async fn unspill(store: &Store) {
    let Some(ls) = local_storage() else { return };
    for key in spill_keys(&ls, false) {
        let Some(text) = ls.get_item(&key).ok().flatten() else { continue };
        // The key goes only once its events are committed to the outbox: if
        // this page is left first, the next one takes the spill again.
        if unspill_one(store, &text).await {
            let _ = ls.remove_item(&key);
        }
    }
}

async fn unspill_one(store: &Store, text: &str) -> bool {
    let Ok(list) = js_sys::JSON::parse(text) else { return true };
    let list = js_sys::Array::from(&list);
    let mut records = Vec::new();
    for item in list.iter() {
        let id = js_sys::Reflect::get(&item, &"id".into()).ok().and_then(|v| v.as_string());
        let body = js_sys::JSON::stringify(&item).ok().and_then(|v| v.as_string());
        if let (Some(id), Some(body)) = (id, body) {
            records.push((id, body));
        }
    }
    records.is_empty() || store.put_replacing(&records, 0.0).await.is_ok()
}

/// Consent withdrawn or forget(): closes and deletes the outbox.
pub fn erase() {
    let old = with(|d| std::mem::replace(&mut d.store, StoreState::Unopened));
    if let Some(StoreState::Ready(s)) = old {
        s.close();
    }
    idb::delete_database();
    if let Some(ls) = local_storage() {
        for k in spill_keys(&ls, true) {
            let _ = ls.remove_item(&k);
        }
    }
    // What memory holds of stored or unstorable events goes too.
    with(|d| {
        d.stats.stored_now = 0;
        d.stored_unsent.clear();
        d.stored_unsent_bytes = 0;
        d.raw.clear();
        d.persisting.clear();
    });
}

fn new_id() -> String {
    crate::core::ids::new_id()
}
