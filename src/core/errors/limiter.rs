//! At most so many reports of one fingerprint per window; the rest are
//! counted and summarised.

use super::clean::{clip_owned, MAX_MESSAGE_CHARS};
use crate::core::stack::normalize_message;
use serde::Serialize;
use crate::core::vec_map::VecMap;

/// Reports of one fingerprint per window, by default.
pub const DEFAULT_MAX_PER_WINDOW: u32 = 10;
/// Length of a rate-limit window, by default (ms).
pub const DEFAULT_WINDOW_MS: u64 = 60_000;
/// Fingerprints tracked at once, by default; past this the least recently
/// seen is forgotten.
pub const DEFAULT_MAX_FINGERPRINTS: usize = 1_000;
/// Summaries of forgotten fingerprints kept for the next drain; the
/// occurrences of any further ones are only counted
/// ([`RateLimiter::evicted_suppressed`]).
pub const MAX_EVICTED_SUMMARIES: usize = 100;

/// What to do with one occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Send it, with the occurrences suppressed since the last one sent.
    Report { suppressed: Option<u64> },
    /// Count it and drop it.
    Suppress,
}

/// Occurrences of one fingerprint suppressed and not yet reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuppressedSummary {
    pub fingerprint: String,
    /// The normalised message of the first suppressed occurrence (volatile
    /// parts replaced; all occurrences of a fingerprint share it).
    pub message: String,
    pub error_type: Option<String>,
    pub count: u64,
}

#[derive(Debug)]
struct Entry {
    window_start: u64,
    in_window: u32,
    /// Suppressed since the last report or drain.
    pending: u64,
    /// Recency for eviction (a counter, not the clock).
    last_seen: u64,
    /// Normalised message and type, taken at the first suppression.
    summary: Option<(String, Option<String>)>,
}

/// A fixed window per fingerprint, opened by the first occurrence after the
/// previous window ended. If the clock goes back, the window restarts at the
/// earlier time (its count kept).
#[derive(Debug)]
pub struct RateLimiter {
    max_per_window: u32,
    window_ms: u64,
    max_fingerprints: usize,
    entries: VecMap<Entry>,
    tick: u64,
    evicted: Vec<SuppressedSummary>,
    evicted_suppressed: u64,
    reported: u64,
    suppressed: u64,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(DEFAULT_MAX_PER_WINDOW, DEFAULT_WINDOW_MS)
    }
}

impl RateLimiter {
    /// `max_per_window` 0 suppresses everything; `window_ms` 0 limits nothing.
    pub fn new(max_per_window: u32, window_ms: u64) -> Self {
        RateLimiter {
            max_per_window,
            window_ms,
            max_fingerprints: DEFAULT_MAX_FINGERPRINTS,
            entries: VecMap::new(),
            tick: 0,
            evicted: Vec::new(),
            evicted_suppressed: 0,
            reported: 0,
            suppressed: 0,
        }
    }

    /// Tracks at most `max` fingerprints (at least 1).
    pub fn with_max_fingerprints(mut self, max: usize) -> Self {
        self.max_fingerprints = max.max(1);
        self
    }

    /// Decides on one occurrence of `fingerprint` at `now`. `message` and
    /// `error_type` are read only for the first suppressed occurrence.
    pub fn check(&mut self, fingerprint: &str, message: &str, error_type: Option<&str>, now: u64) -> Verdict {
        self.tick += 1;
        if !self.entries.contains_key(fingerprint) {
            self.make_room();
            let entry = Entry { window_start: now, in_window: 0, pending: 0, last_seen: 0, summary: None };
            self.entries.insert(fingerprint.to_string(), entry);
        }
        let Some(e) = self.entries.get_mut(fingerprint) else {
            return Verdict::Suppress;
        };
        e.last_seen = self.tick;
        if now < e.window_start {
            e.window_start = now;
        }
        if now - e.window_start >= self.window_ms {
            e.window_start = now;
            e.in_window = 0;
        }
        if e.in_window < self.max_per_window {
            e.in_window += 1;
            self.reported += 1;
            let n = std::mem::take(&mut e.pending);
            Verdict::Report { suppressed: (n > 0).then_some(n) }
        } else {
            if e.summary.is_none() {
                let m = clip_owned(normalize_message(message), MAX_MESSAGE_CHARS);
                e.summary = Some((m, error_type.map(str::to_string)));
            }
            e.pending += 1;
            self.suppressed += 1;
            Verdict::Suppress
        }
    }

    /// Forgets the least recently seen fingerprint if the table is full,
    /// keeping its pending count for the next drain.
    fn make_room(&mut self) {
        if self.entries.len() < self.max_fingerprints {
            return;
        }
        let Some(key) = self.entries.iter().min_by_key(|(_, e)| e.last_seen).map(|(k, _)| k.clone()) else {
            return;
        };
        let Some(e) = self.entries.remove(&key) else {
            return;
        };
        if e.pending == 0 {
            return;
        }
        if self.evicted.len() < MAX_EVICTED_SUMMARIES {
            self.evicted.push(summary(key, e.summary, e.pending));
        } else {
            self.evicted_suppressed += e.pending;
        }
    }

    /// The pending suppressed counts, each reset: those of forgotten
    /// fingerprints first, then by fingerprint. Fingerprints whose window has
    /// ended by `now` are forgotten (their next occurrence opens a new window
    /// anyway).
    pub fn drain_suppressed(&mut self, now: u64) -> Vec<SuppressedSummary> {
        let mut out = std::mem::take(&mut self.evicted);
        for (fp, e) in self.entries.iter_mut() {
            if e.pending > 0 {
                let n = std::mem::take(&mut e.pending);
                out.push(summary(fp.clone(), e.summary.clone(), n));
            }
        }
        let window = self.window_ms;
        self.entries.retain(|_, e| now < e.window_start || now - e.window_start < window);
        out
    }

    /// Occurrences reported.
    pub fn reported(&self) -> u64 {
        self.reported
    }

    /// Occurrences suppressed.
    pub fn suppressed(&self) -> u64 {
        self.suppressed
    }

    /// Suppressed occurrences of forgotten fingerprints left out of the
    /// summaries because more than [`MAX_EVICTED_SUMMARIES`] were waiting.
    pub fn evicted_suppressed(&self) -> u64 {
        self.evicted_suppressed
    }

    /// Fingerprints tracked now.
    pub fn tracked(&self) -> usize {
        self.entries.len()
    }
}

fn summary(fingerprint: String, s: Option<(String, Option<String>)>, count: u64) -> SuppressedSummary {
    let (message, error_type) = s.unwrap_or_default();
    SuppressedSummary { fingerprint, message, error_type, count }
}
