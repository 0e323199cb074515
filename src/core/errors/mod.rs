//! Error processing: severity and category, rate limits, breadcrumbs.
//!
//! The shell gathers a [`RawError`] from a browser event (window `error`,
//! `unhandledrejection`, a failed resource, a CSP violation, `console.error`,
//! a failed request, `captureException` / `captureMessage`, or the loader's
//! queue) and hands it to [`ErrorTracker::capture`] with the time inside and a
//! random draw. What comes back, if anything, is an [`ErrorDraft`]: the error
//! part of an `ErrorEvent`, to which the pipeline adds the id, session, user,
//! context and metadata.
//!
//! Order inside `capture`: sample → clean → fingerprint (cached) → rate limit
//! → parse and assemble. A sampled-out error is counted only as
//! `sampled_out`; it is neither reported nor suppressed, so suppressed counts
//! describe sampled-in occurrences (scale by 1 / rate on the server).

mod breadcrumbs;
mod clean;
mod limiter;
mod source;
mod tracker;

#[cfg(test)]
mod tests;

pub use breadcrumbs::{Breadcrumbs, DEFAULT_BREADCRUMBS, MAX_BREADCRUMBS, MAX_BREADCRUMB_CATEGORY_CHARS, MAX_BREADCRUMB_MESSAGE_CHARS};
pub use clean::{cap_stack, clean_message, MAX_ERROR_TYPE_CHARS, MAX_MESSAGE_CHARS, MAX_STACK_BYTES, NO_MESSAGE};
pub use limiter::{
    RateLimiter, SuppressedSummary, Verdict, DEFAULT_MAX_FINGERPRINTS, DEFAULT_MAX_PER_WINDOW, DEFAULT_WINDOW_MS, MAX_EVICTED_SUMMARIES,
};
pub use source::{classify, default_classification, network_classification, ErrorSource, RawError};
pub use tracker::{ErrorConfig, ErrorDraft, ErrorStats, ErrorTracker, FINGERPRINT_CACHE_SIZE, MAX_TAGS, MAX_TAG_VALUE_CHARS, MAX_URL_CHARS};
