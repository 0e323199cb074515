//! From a raw error to a draft event: sampling, cleaning, fingerprint,
//! rate limit, breadcrumbs.

use super::breadcrumbs::{Breadcrumbs, DEFAULT_BREADCRUMBS};
use super::clean::{cap_stack_owned, clean_error_type, clean_message_owned, clip_owned};
use super::limiter::{RateLimiter, SuppressedSummary, Verdict, DEFAULT_MAX_PER_WINDOW, DEFAULT_WINDOW_MS};
use super::source::{classify, ErrorSource, RawError};
use crate::core::model::{Breadcrumb, ErrorCategory, Severity};
use crate::core::sampling;
use crate::core::stack::{fingerprint, parse, Frame};
use crate::core::vec_map::VecMap;

/// Fingerprints remembered by the hash of their inputs, so a storm of
/// identical errors is not parsed and fingerprinted again and again.
pub const FINGERPRINT_CACHE_SIZE: usize = 64;
/// Tags kept from the caller.
pub const MAX_TAGS: usize = 50;
/// Longest tag key or value kept, in chars.
pub const MAX_TAG_VALUE_CHARS: usize = 500;
/// Longest URL (or frame file name) kept, in chars.
pub const MAX_URL_CHARS: usize = 1_000;
/// Bytes of the message and of the failing URL's location that go into the
/// fingerprint of an error with a URL (together under the 2,000 bytes
/// `normalize_message` reads).
const FP_MESSAGE_BYTES: usize = 1_200;
const FP_LOCATION_BYTES: usize = 600;

/// Tags the tracker adds (a caller's tag of the same name wins).
const TAG_URL: &str = "url";
const TAG_HTTP_STATUS: &str = "http_status";
const TAG_ORIGINAL_MECHANISM: &str = "original_mechanism";

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorConfig {
    /// Reports of one fingerprint per window.
    pub max_per_window: u32,
    /// Rate-limit window (ms).
    pub window_ms: u64,
    /// Breadcrumbs kept.
    pub breadcrumbs: usize,
    /// Share of errors kept (0.0 ..= 1.0), drawn per error.
    pub sample_rate: f64,
}

impl Default for ErrorConfig {
    fn default() -> Self {
        ErrorConfig { max_per_window: DEFAULT_MAX_PER_WINDOW, window_ms: DEFAULT_WINDOW_MS, breadcrumbs: DEFAULT_BREADCRUMBS, sample_rate: 1.0 }
    }
}

/// An error ready to become an `ErrorEvent`: everything but the id, session
/// and user ids, context and metadata, which the pipeline adds.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorDraft {
    /// Trimmed, bounded, never empty.
    pub message: String,
    pub error_type: Option<String>,
    /// Bounded; `None` when absent or blank.
    pub stack: Option<String>,
    /// Parsed from the stack, newest first; else the single frame of the error
    /// event's file, line and column; else none.
    pub frames: Vec<Frame>,
    pub fingerprint: String,
    pub severity: Severity,
    pub category: ErrorCategory,
    pub mechanism: &'static str,
    /// The caller's (non-blank keys, bounded) plus `url`, `http_status` and,
    /// for a preloaded error, `original_mechanism`.
    pub tags: VecMap<String>,
    /// Occurrences of this fingerprint suppressed since the last one reported.
    pub suppressed: Option<u64>,
    /// Oldest first.
    pub breadcrumbs: Vec<Breadcrumb>,
    pub timestamp: u64,
}

/// Counters for `getStats()`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErrorStats {
    pub reported: u64,
    pub suppressed: u64,
    pub sampled_out: u64,
    /// Suppressed occurrences of forgotten fingerprints that could not be
    /// summarised (see [`super::MAX_EVICTED_SUMMARIES`]).
    pub evicted_suppressed: u64,
    /// Fingerprints tracked by the rate limiter now.
    pub fingerprints: u64,
}

#[derive(Debug, Default)]
struct FingerprintCache {
    slots: Vec<(u64, String)>,
    next: usize,
}

impl FingerprintCache {
    fn get(&self, key: u64) -> Option<&str> {
        self.slots.iter().find(|(k, _)| *k == key).map(|(_, fp)| fp.as_str())
    }

    /// Replaces the oldest entry when full.
    fn insert(&mut self, key: u64, fp: String) {
        if self.slots.len() < FINGERPRINT_CACHE_SIZE {
            self.slots.push((key, fp));
        } else if let Some(slot) = self.slots.get_mut(self.next) {
            *slot = (key, fp);
        }
        self.next = (self.next + 1) % FINGERPRINT_CACHE_SIZE;
    }
}

#[derive(Debug)]
pub struct ErrorTracker {
    sample_rate: f64,
    limiter: RateLimiter,
    breadcrumbs: Breadcrumbs,
    cache: FingerprintCache,
    sampled_out: u64,
}

impl ErrorTracker {
    pub fn new(config: ErrorConfig) -> Self {
        ErrorTracker {
            sample_rate: config.sample_rate,
            limiter: RateLimiter::new(config.max_per_window, config.window_ms),
            breadcrumbs: Breadcrumbs::new(config.breadcrumbs),
            cache: FingerprintCache::default(),
            sampled_out: 0,
        }
    }

    /// Processes one error at `raw.timestamp`; `random` is a uniform draw in
    /// [0, 1) for sampling. `None` when sampled out or suppressed.
    ///
    /// Sampling comes first: a sampled-out error is counted only as sampled
    /// out. A suppressed error costs a hash of its text and a table lookup;
    /// its stack is parsed only the first time it is seen (while it stays in
    /// the fingerprint cache) and when it is reported.
    pub fn capture(&mut self, raw: RawError, random: f64) -> Option<ErrorDraft> {
        if !sampling::keep(self.sample_rate, random) {
            self.sampled_out += 1;
            return None;
        }
        let RawError { source, error_type, message, stack, filename, lineno, colno, severity, category, tags, http_status, url, timestamp } =
            raw;
        let message = clean_message_owned(message);
        let error_type = clean_error_type(error_type);
        let stack = stack.and_then(cap_stack_owned);
        let filename = filename.map(|f| clip_owned(f, MAX_URL_CHARS)).filter(|f| !f.is_empty());
        let lineno = lineno.filter(|&n| n > 0);
        let colno = colno.filter(|&n| n > 0);
        let url = url.map(|u| clip_owned(u, MAX_URL_CHARS)).filter(|u| !u.is_empty());

        let key = input_hash(error_type.as_deref(), &message, stack.as_deref(), filename.as_deref(), lineno, colno, url.as_deref());
        let mut frames = None;
        let (fp, verdict) = match self.cache.get(key) {
            Some(fp) => {
                let verdict = self.limiter.check(fp, &message, error_type.as_deref(), timestamp);
                if verdict == Verdict::Suppress {
                    return None;
                }
                (fp.to_string(), verdict)
            }
            None => {
                let f = frames_of(stack.as_deref(), filename.as_deref(), lineno, colno);
                let fp = fingerprint_of(error_type.as_deref(), &message, url.as_deref(), &f);
                self.cache.insert(key, fp.clone());
                let verdict = self.limiter.check(&fp, &message, error_type.as_deref(), timestamp);
                if verdict == Verdict::Suppress {
                    return None;
                }
                frames = Some(f);
                (fp, verdict)
            }
        };
        let suppressed = match verdict {
            Verdict::Report { suppressed } => suppressed,
            Verdict::Suppress => None,
        };
        let frames = frames.unwrap_or_else(|| frames_of(stack.as_deref(), filename.as_deref(), lineno, colno));
        let (severity, category) = classify(&source, http_status, severity, category);
        let tags = draft_tags(tags, &source, url, http_status);
        Some(ErrorDraft {
            message,
            error_type,
            stack,
            frames,
            fingerprint: fp,
            severity,
            category,
            mechanism: source.mechanism(),
            tags,
            suppressed,
            breadcrumbs: self.breadcrumbs.snapshot(),
            timestamp,
        })
    }

    pub fn add_breadcrumb(&mut self, crumb: Breadcrumb) {
        self.breadcrumbs.add(crumb);
    }

    /// Forgets the breadcrumbs (consent withdrawn).
    pub fn clear_breadcrumbs(&mut self) {
        self.breadcrumbs.clear();
    }

    /// Suppressed counts not yet reported, each reset (call at flush and page hide).
    pub fn drain_suppressed(&mut self, now: u64) -> Vec<SuppressedSummary> {
        self.limiter.drain_suppressed(now)
    }

    pub fn stats(&self) -> ErrorStats {
        ErrorStats {
            reported: self.limiter.reported(),
            suppressed: self.limiter.suppressed(),
            sampled_out: self.sampled_out,
            evicted_suppressed: self.limiter.evicted_suppressed(),
            fingerprints: self.limiter.tracked() as u64,
        }
    }
}

/// The parsed stack; else one frame from the error event's location; else none.
fn frames_of(stack: Option<&str>, filename: Option<&str>, lineno: Option<u32>, colno: Option<u32>) -> Vec<Frame> {
    if let Some(s) = stack {
        let frames = parse(s);
        if !frames.is_empty() {
            return frames;
        }
    }
    if filename.is_none() && lineno.is_none() {
        return Vec::new();
    }
    vec![Frame { function: None, filename: filename.map(str::to_string), lineno, colno, native: false }]
}

/// The fingerprint. A failing resource or request is told apart by its URL
/// (host and path, volatile parts normalised like the message's), which
/// `normalize_message` would otherwise fold into `<url>`.
fn fingerprint_of(error_type: Option<&str>, message: &str, url: Option<&str>, frames: &[Frame]) -> String {
    let error_type = error_type.unwrap_or("Error");
    let Some(url) = url else {
        return fingerprint(error_type, message, frames);
    };
    let mut m = String::with_capacity(FP_MESSAGE_BYTES + FP_LOCATION_BYTES + 3);
    m.push_str(head(message, FP_MESSAGE_BYTES));
    m.push_str(" @ ");
    m.push_str(head(location(url), FP_LOCATION_BYTES));
    fingerprint(error_type, &m, frames)
}

/// Host and path of a URL: no scheme, query string or fragment.
fn location(url: &str) -> &str {
    let s = match crate::core::text::find(url, "://") {
        Some(i) => url.get(i + 3..).unwrap_or(url),
        None => url,
    };
    let end = s.find(['?', '#']).unwrap_or(s.len());
    s.get(..end).unwrap_or(s)
}

/// At most `max` bytes of `s`, cut on a char boundary.
fn head(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.get(..cut).unwrap_or("")
}

fn draft_tags(tags: VecMap<String>, source: &ErrorSource, url: Option<String>, http_status: Option<u16>) -> VecMap<String> {
    let mut out: VecMap<String> = tags
        .into_iter()
        .map(|(k, v)| (clip_owned(k, MAX_TAG_VALUE_CHARS), clip_owned(v, MAX_TAG_VALUE_CHARS)))
        .filter(|(k, _)| !k.is_empty())
        .take(MAX_TAGS)
        .collect();
    if let Some(url) = url {
        out.insert_if_absent(TAG_URL, || url);
    }
    if let Some(status) = http_status.filter(|&s| s > 0) {
        out.insert_if_absent(TAG_HTTP_STATUS, || decimal(status));
    }
    if let ErrorSource::Preload(_) = source {
        out.insert_if_absent(TAG_ORIGINAL_MECHANISM, || source.origin().mechanism().to_string());
    }
    out
}

/// `n` in decimal, without the formatting machinery.
fn decimal(n: u16) -> String {
    let mut s = String::new();
    crate::core::model::write_u64(&mut s, n as u64);
    s
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 of everything the fingerprint depends on, each field marked
/// present or absent and closed by a byte that never occurs in UTF-8.
fn input_hash(
    error_type: Option<&str>,
    message: &str,
    stack: Option<&str>,
    filename: Option<&str>,
    lineno: Option<u32>,
    colno: Option<u32>,
    url: Option<&str>,
) -> u64 {
    let mut h = FNV_OFFSET;
    let mut field = |bytes: Option<&[u8]>| {
        let (present, bytes) = match bytes {
            Some(b) => (1u64, b),
            None => (0u64, &[][..]),
        };
        h = (h ^ present).wrapping_mul(FNV_PRIME);
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
        h = (h ^ 0xff).wrapping_mul(FNV_PRIME);
    };
    field(error_type.map(str::as_bytes));
    field(Some(message.as_bytes()));
    field(stack.map(str::as_bytes));
    field(filename.map(str::as_bytes));
    field(lineno.map(u32::to_le_bytes).as_ref().map(|b| &b[..]));
    field(colno.map(u32::to_le_bytes).as_ref().map(|b| &b[..]));
    field(url.map(str::as_bytes));
    h
}
