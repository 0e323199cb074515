//! Tests of the error-processing core.

use super::*;
use crate::core::model::{Breadcrumb, ErrorCategory as C, Severity as S};
use crate::core::stack::{fingerprint, Frame};
use crate::core::value::Map;
use std::time::Instant;

const NOW: u64 = 1_750_000_000_000;

const STACK: &str = "TypeError: Cannot read properties of undefined (reading 'id')
    at render (https://shop.example/assets/app.3f2a9c1b.js:10:5)
    at update (https://shop.example/assets/app.3f2a9c1b.js:20:7)
    at https://shop.example/assets/vendor.js:1:100";

fn raw(message: &str, t: u64) -> RawError {
    let mut r = RawError::new(ErrorSource::Uncaught, message, t);
    r.error_type = Some("TypeError".into());
    r.stack = Some(STACK.into());
    r
}

fn crumb(i: usize) -> Breadcrumb {
    Breadcrumb { timestamp: NOW + i as u64, category: "click".into(), message: Some(i.to_string()), data: Map::new() }
}

fn tracker() -> ErrorTracker {
    ErrorTracker::new(ErrorConfig::default())
}

// ---- severity and category ----

#[test]
fn defaults_by_source() {
    let preload_rejection = ErrorSource::Preload(Box::new(ErrorSource::UnhandledRejection));
    type Case = (ErrorSource, Option<u16>, S, C, &'static str);
    let cases: &[Case] = &[
        (ErrorSource::Uncaught, None, S::Error, C::ClientError, "onerror"),
        (ErrorSource::UnhandledRejection, None, S::Error, C::ClientError, "onunhandledrejection"),
        (ErrorSource::Resource, None, S::Warning, C::NetworkError, "resource"),
        (ErrorSource::Csp, None, S::Warning, C::ClientError, "csp"),
        (ErrorSource::Console, None, S::Warning, C::ClientError, "console"),
        (ErrorSource::Network, None, S::Error, C::NetworkError, "network"),
        (ErrorSource::Network, Some(0), S::Error, C::NetworkError, "network"),
        (ErrorSource::Network, Some(500), S::Error, C::ServerError, "network"),
        (ErrorSource::Network, Some(503), S::Error, C::ServerError, "network"),
        (ErrorSource::Network, Some(599), S::Error, C::ServerError, "network"),
        (ErrorSource::Network, Some(429), S::Warning, C::RateLimitError, "network"),
        (ErrorSource::Network, Some(401), S::Warning, C::AuthenticationError, "network"),
        (ErrorSource::Network, Some(403), S::Warning, C::AuthorizationError, "network"),
        (ErrorSource::Network, Some(408), S::Warning, C::NetworkError, "network"),
        (ErrorSource::Network, Some(400), S::Warning, C::ValidationError, "network"),
        (ErrorSource::Network, Some(422), S::Warning, C::ValidationError, "network"),
        (ErrorSource::Network, Some(404), S::Warning, C::ClientError, "network"),
        (ErrorSource::Manual, None, S::Error, C::ClientError, "manual"),
        (ErrorSource::Message, None, S::Info, C::ClientError, "message"),
        (ErrorSource::Preload(Box::new(ErrorSource::Uncaught)), None, S::Error, C::ClientError, "preload"),
        (preload_rejection, None, S::Error, C::ClientError, "preload"),
        (ErrorSource::Preload(Box::new(ErrorSource::Csp)), None, S::Warning, C::ClientError, "preload"),
    ];
    for (source, status, sev, cat, mech) in cases {
        assert_eq!(default_classification(source, *status), (*sev, *cat), "{source:?} {status:?}");
        assert_eq!(source.mechanism(), *mech);
        // The status matters only for network errors.
        if *source != ErrorSource::Network {
            assert_eq!(default_classification(source, Some(500)), (*sev, *cat), "{source:?}");
        }
    }
}

#[test]
fn overrides_win() {
    type Case = (ErrorSource, Option<S>, Option<C>, S, C);
    let cases: &[Case] = &[
        (ErrorSource::Manual, Some(S::Critical), None, S::Critical, C::ClientError),
        (ErrorSource::Manual, None, Some(C::ExternalServiceError), S::Error, C::ExternalServiceError),
        (ErrorSource::Message, Some(S::Warning), Some(C::ValidationError), S::Warning, C::ValidationError),
        (ErrorSource::Message, None, None, S::Info, C::ClientError),
    ];
    for (source, sev, cat, want_s, want_c) in cases {
        assert_eq!(classify(source, None, *sev, *cat), (*want_s, *want_c));
        let mut r = RawError::new(source.clone(), "x", NOW);
        r.severity = *sev;
        r.category = *cat;
        let d = tracker().capture(r, 0.0).unwrap();
        assert_eq!((d.severity, d.category), (*want_s, *want_c));
    }
}

#[test]
fn event_types_map_to_sources() {
    assert_eq!(ErrorSource::from_event_type("error"), Some(ErrorSource::Uncaught));
    assert_eq!(ErrorSource::from_event_type("unhandledrejection"), Some(ErrorSource::UnhandledRejection));
    assert_eq!(ErrorSource::from_event_type("securitypolicyviolation"), Some(ErrorSource::Csp));
    assert_eq!(ErrorSource::from_event_type("click"), None);
    let nested = ErrorSource::Preload(Box::new(ErrorSource::Preload(Box::new(ErrorSource::Message))));
    assert_eq!(nested.origin(), &ErrorSource::Message);
}

// ---- message and stack cleaning ----

#[test]
fn messages_are_cleaned() {
    assert_eq!(clean_message(""), NO_MESSAGE);
    assert_eq!(clean_message(" \n\t "), NO_MESSAGE);
    assert_eq!(clean_message("  boom \n"), "boom");
    let exact = "a".repeat(MAX_MESSAGE_CHARS);
    assert_eq!(clean_message(&exact), exact);
    let huge = "b".repeat(1_000_000);
    let c = clean_message(&huge);
    assert_eq!(c.chars().count(), MAX_MESSAGE_CHARS);
    assert!(c.ends_with('…'));
    assert!(c.starts_with("bbb"));
}

#[test]
fn the_cut_respects_multi_byte_chars() {
    // 2-, 3- and 4-byte chars straddling the cut.
    for ch in ['é', '€', '😀'] {
        for pad in 0..4 {
            let s: String = "x".repeat(pad) + &ch.to_string().repeat(MAX_MESSAGE_CHARS * 2);
            let c = clean_message(&s);
            assert_eq!(c.chars().count(), MAX_MESSAGE_CHARS, "{ch} {pad}");
            assert!(c.ends_with('…'));
            let body = c.trim_end_matches('…');
            assert!(body.chars().skip(pad).all(|x| x == ch));
        }
    }
    // One char over the limit is cut; whitespace before the ellipsis goes.
    let s = "a".repeat(MAX_MESSAGE_CHARS - 2) + " zz";
    let c = clean_message(&s);
    assert_eq!(c, "a".repeat(MAX_MESSAGE_CHARS - 2) + "…");
}

#[test]
fn stacks_are_capped_on_a_line() {
    assert_eq!(cap_stack("Error: x\n    at f (a.js:1:1)\n\n"), "Error: x\n    at f (a.js:1:1)");
    let line = "    at fn (https://shop.example/app.js:123:45)\n";
    let long = "Error: x\n".to_string() + &line.repeat(MAX_STACK_BYTES / line.len() + 50);
    let c = cap_stack(&long);
    assert!(c.len() <= MAX_STACK_BYTES);
    assert!(c.ends_with(":123:45)"), "cut on a whole line");
    // A single huge line is cut on a char boundary.
    let one = "é".repeat(MAX_STACK_BYTES);
    let c = cap_stack(&one);
    assert!(c.len() <= MAX_STACK_BYTES && c.len() >= MAX_STACK_BYTES - 1);
    // The draft carries the capped stack; a blank one is dropped.
    let mut r = raw("x", NOW);
    r.stack = Some(long.clone());
    let d = tracker().capture(r, 0.0).unwrap();
    assert!(d.stack.as_ref().unwrap().len() <= MAX_STACK_BYTES);
    assert!(!d.frames.is_empty());
    let mut r = raw("x", NOW);
    r.stack = Some("  \n ".into());
    assert_eq!(tracker().capture(r, 0.0).unwrap().stack, None);
}

// ---- drafts ----

#[test]
fn a_draft_carries_the_error() {
    let mut t = tracker();
    t.add_breadcrumb(crumb(1));
    let mut r = raw("  Cannot read properties of undefined (reading 'id')  ", NOW);
    r.tags.insert("component".into(), "cart".into());
    r.tags.insert("  ".into(), "dropped".into());
    let d = t.capture(r, 0.5).unwrap();
    assert_eq!(d.message, "Cannot read properties of undefined (reading 'id')");
    assert_eq!(d.error_type.as_deref(), Some("TypeError"));
    assert_eq!(d.frames.len(), 3);
    assert_eq!(d.frames[0].function.as_deref(), Some("render"));
    assert_eq!(d.fingerprint, fingerprint("TypeError", &d.message, &d.frames));
    assert_eq!((d.severity, d.category, d.mechanism), (S::Error, C::ClientError, "onerror"));
    assert_eq!(d.tags.len(), 1);
    assert_eq!(d.tags["component"], "cart");
    assert_eq!(d.suppressed, None);
    assert_eq!(d.breadcrumbs, vec![crumb(1)]);
    assert_eq!(d.timestamp, NOW);
}

#[test]
fn without_a_stack_the_event_location_is_the_frame() {
    let mut r = RawError::new(ErrorSource::Uncaught, "Script error.", NOW);
    r.filename = Some("https://cdn.example/lib.js".into());
    r.lineno = Some(12);
    r.colno = Some(34);
    let d = tracker().capture(r.clone(), 0.0).unwrap();
    let want = Frame { function: None, filename: Some("https://cdn.example/lib.js".into()), lineno: Some(12), colno: Some(34), native: false };
    assert_eq!(d.frames, vec![want.clone()]);
    assert_eq!(d.fingerprint, fingerprint("Error", "Script error.", std::slice::from_ref(&want)));
    // A stack that yields no frames falls back too.
    r.stack = Some("just some text".into());
    assert_eq!(tracker().capture(r.clone(), 0.0).unwrap().frames, vec![want]);
    // Cross-origin errors: empty file, line 0 → no frame.
    let mut r = RawError::new(ErrorSource::Uncaught, "Script error.", NOW);
    r.filename = Some(String::new());
    r.lineno = Some(0);
    r.colno = Some(0);
    assert!(tracker().capture(r, 0.0).unwrap().frames.is_empty());
}

#[test]
fn urls_status_and_preload_become_tags_and_split_fingerprints() {
    let mut t = tracker();
    let fetch = |url: &str, status| {
        let mut r = RawError::new(ErrorSource::Network, "HTTP 503 for ".to_string() + url, NOW);
        r.url = Some(url.into());
        r.http_status = Some(status);
        r
    };
    let a = t.capture(fetch("https://api.example/users/17?x=1", 503), 0.0).unwrap();
    let b = t.capture(fetch("https://api.example/users/18?x=2", 503), 0.0).unwrap();
    let c = t.capture(fetch("https://api.example/orders/1", 503), 0.0).unwrap();
    assert_eq!(a.tags["url"], "https://api.example/users/17?x=1");
    assert_eq!(a.tags["http_status"], "503");
    assert_eq!((a.severity, a.category), (S::Error, C::ServerError));
    assert_eq!(a.fingerprint, b.fingerprint, "ids in the path are normalised");
    assert_ne!(a.fingerprint, c.fingerprint, "another endpoint is another fingerprint");
    let mut p = RawError::new(ErrorSource::Preload(Box::new(ErrorSource::UnhandledRejection)), "early", NOW);
    p.tags.insert("url".into(), "mine".into());
    let d = t.capture(p, 0.0).unwrap();
    assert_eq!(d.mechanism, "preload");
    assert_eq!(d.tags["original_mechanism"], "onunhandledrejection");
    assert!(!d.tags.contains_key("http_status"));
    assert_eq!(d.tags["url"], "mine");
    for (n, want) in [(0u16, "0"), (7, "7"), (429, "429"), (65_535, "65535")] {
        if n > 0 {
            let mut r = RawError::new(ErrorSource::Network, "x", NOW);
            r.http_status = Some(n);
            assert_eq!(t.capture(r, 0.0).unwrap().tags["http_status"], want);
        }
    }
}

// ---- sampling ----

#[test]
fn sampling_at_zero_and_one() {
    let mut none = ErrorTracker::new(ErrorConfig { sample_rate: 0.0, ..Default::default() });
    for i in 0..20 {
        assert!(none.capture(raw("x", NOW + i), 0.0).is_none());
    }
    assert_eq!(none.stats(), ErrorStats { sampled_out: 20, ..Default::default() });
    assert!(none.drain_suppressed(NOW).is_empty());

    let mut all = ErrorTracker::new(ErrorConfig { sample_rate: 1.0, max_per_window: 100, ..Default::default() });
    for (i, r) in [0.0, 0.5, 0.999_999].into_iter().enumerate() {
        assert!(all.capture(raw("x", NOW + i as u64), r).is_some());
    }
    assert_eq!(all.stats().reported, 3);
    assert_eq!(all.stats().sampled_out, 0);

    let mut half = ErrorTracker::new(ErrorConfig { sample_rate: 0.5, ..Default::default() });
    assert!(half.capture(raw("x", NOW), 0.49).is_some());
    assert!(half.capture(raw("x", NOW), 0.5).is_none());
}

#[test]
fn sampled_out_errors_are_neither_reported_nor_suppressed() {
    let mut t = ErrorTracker::new(ErrorConfig { max_per_window: 1, sample_rate: 0.5, ..Default::default() });
    assert!(t.capture(raw("x", NOW), 0.1).is_some());
    assert!(t.capture(raw("x", NOW + 1), 0.9).is_none());
    assert!(t.capture(raw("x", NOW + 2), 0.1).is_none());
    assert_eq!(t.stats(), ErrorStats { reported: 1, suppressed: 1, sampled_out: 1, evicted_suppressed: 0, fingerprints: 1 });
}

// ---- rate limit ----

#[test]
fn ten_per_window_then_suppressed_and_summarised() {
    let mut t = tracker();
    let mut clock = NOW;
    for i in 0..10 {
        let d = t.capture(raw("boom", clock), 0.0);
        assert!(d.is_some(), "occurrence {i} is reported");
        assert_eq!(d.unwrap().suppressed, None);
        clock += 1_000;
    }
    for _ in 0..5 {
        assert!(t.capture(raw("boom", clock), 0.0).is_none());
        clock += 1_000;
    }
    assert_eq!((t.stats().reported, t.stats().suppressed), (10, 5));
    // The window opened at NOW; it ends at NOW + 60 s.
    assert!(t.capture(raw("boom", NOW + 59_999), 0.0).is_none());
    let d = t.capture(raw("boom", NOW + 60_000), 0.0).unwrap();
    assert_eq!(d.suppressed, Some(6));
    // The count was reported with the event: nothing pending.
    assert!(t.drain_suppressed(NOW + 60_001).is_empty());
    let d = t.capture(raw("boom", NOW + 60_002), 0.0).unwrap();
    assert_eq!(d.suppressed, None);
}

#[test]
fn drain_returns_and_resets() {
    let mut t = ErrorTracker::new(ErrorConfig { max_per_window: 2, ..Default::default() });
    for i in 0..7 {
        t.capture(raw("Item 42 failed", NOW + i), 0.0);
    }
    let fp = t.capture(raw("x", NOW), 0.0).unwrap().fingerprint;
    assert_ne!(fp, "");
    let s = t.drain_suppressed(NOW + 10);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].count, 5);
    assert_eq!(s[0].message, "Item <num> failed");
    assert_eq!(s[0].error_type.as_deref(), Some("TypeError"));
    assert!(t.drain_suppressed(NOW + 11).is_empty(), "reset");
    // Drained counts are not attached again when the window reopens.
    assert_eq!(t.capture(raw("Item 42 failed", NOW + 60_000), 0.0).unwrap().suppressed, None);
    // Still in the window after a drain: suppression goes on and counts anew.
    t.capture(raw("Item 42 failed", NOW + 60_001), 0.0);
    assert!(t.capture(raw("Item 42 failed", NOW + 60_002), 0.0).is_none());
    assert_eq!(t.drain_suppressed(NOW + 60_003)[0].count, 1);
    assert_eq!(t.stats().suppressed, 6);
}

#[test]
fn fingerprints_are_independent() {
    let mut t = ErrorTracker::new(ErrorConfig { max_per_window: 3, ..Default::default() });
    let mut reported = [0; 2];
    for i in 0..20u64 {
        for (k, msg) in ["alpha failed", "beta failed"].iter().enumerate() {
            if t.capture(raw(msg, NOW + i), 0.0).is_some() {
                reported[k] += 1;
            }
        }
    }
    assert_eq!(reported, [3, 3]);
    let mut s = t.drain_suppressed(NOW + 100);
    s.sort_by(|a, b| a.message.cmp(&b.message));
    assert_eq!(s.iter().map(|x| (x.message.as_str(), x.count)).collect::<Vec<_>>(), [("alpha failed", 17), ("beta failed", 17)]);
}

#[test]
fn the_clock_going_back_does_not_break_the_window() {
    let mut l = RateLimiter::new(1, 1_000);
    assert!(matches!(l.check("a", "m", None, NOW), Verdict::Report { .. }));
    assert_eq!(l.check("a", "m", None, NOW - 5_000), Verdict::Suppress);
    assert_eq!(l.check("a", "m", None, NOW - 4_500), Verdict::Suppress);
    assert_eq!(l.check("a", "m", None, NOW - 4_000), Verdict::Report { suppressed: Some(2) });
}

#[test]
fn window_zero_limits_nothing_and_max_zero_suppresses_all() {
    let mut open = RateLimiter::new(1, 0);
    for _ in 0..5 {
        assert_eq!(open.check("a", "m", None, NOW), Verdict::Report { suppressed: None });
    }
    let mut shut = RateLimiter::new(0, 1_000);
    for _ in 0..5 {
        assert_eq!(shut.check("a", "m", None, NOW), Verdict::Suppress);
    }
    assert_eq!(shut.drain_suppressed(NOW)[0].count, 5);
}

#[test]
fn the_fingerprint_table_is_bounded_and_evictions_are_summarised() {
    let mut l = RateLimiter::new(1, 60_000).with_max_fingerprints(3);
    // "a" gets 2 suppressed, then goes quiet.
    for _ in 0..3 {
        l.check("a", "msg a", Some("E"), NOW);
    }
    for fp in ["b", "c", "b", "c", "d"] {
        l.check(fp, fp, None, NOW);
    }
    assert_eq!(l.tracked(), 3, "\"a\" (least recently seen) was forgotten");
    // "a" is new again: reported at once, without the evicted count...
    assert_eq!(l.check("a", "msg a", Some("E"), NOW), Verdict::Report { suppressed: None });
    // ...which the drain reports.
    let s = l.drain_suppressed(NOW);
    assert_eq!(s[0], SuppressedSummary { fingerprint: "a".into(), message: "msg a".into(), error_type: Some("E".into()), count: 2 });
    let total: u64 = s.iter().map(|x| x.count).sum();
    assert_eq!(total, l.suppressed());
}

#[test]
fn overflowing_evictions_are_counted() {
    let mut l = RateLimiter::new(0, 60_000).with_max_fingerprints(1);
    let n = MAX_EVICTED_SUMMARIES as u64 + 5;
    for i in 0..=n {
        let fp = i.to_string();
        l.check(&fp, "m", None, NOW);
        l.check(&fp, "m", None, NOW);
    }
    let s = l.drain_suppressed(NOW);
    assert_eq!(s.len(), MAX_EVICTED_SUMMARIES + 1, "kept summaries and the one still tracked");
    assert_eq!(l.evicted_suppressed(), 5 * 2);
    let total: u64 = s.iter().map(|x| x.count).sum();
    assert_eq!(total + l.evicted_suppressed(), l.suppressed());
}

#[test]
fn the_tracker_table_is_bounded() {
    let mut t = tracker();
    for i in 0..(DEFAULT_MAX_FINGERPRINTS + 200) {
        let mut r = RawError::new(ErrorSource::Manual, "failure", NOW);
        r.url = Some("https://x.example/".to_string() + &"ab".repeat(i % 7 + 1) + "/" + &i.to_string());
        r.error_type = Some("E".to_string() + &i.to_string());
        t.capture(r, 0.0);
    }
    assert_eq!(t.stats().fingerprints, DEFAULT_MAX_FINGERPRINTS as u64);
    assert_eq!(t.stats().reported, DEFAULT_MAX_FINGERPRINTS as u64 + 200);
}

#[test]
fn drain_forgets_ended_windows() {
    let mut l = RateLimiter::new(10, 1_000);
    l.check("a", "m", None, NOW);
    l.check("b", "m", None, NOW + 900);
    l.drain_suppressed(NOW + 1_000);
    assert_eq!(l.tracked(), 1);
}

#[test]
fn a_storm_of_identical_errors() {
    let mut t = tracker();
    let start = Instant::now();
    let mut drafts = 0;
    for i in 0..10_000u64 {
        if t.capture(raw("Cannot read properties of undefined (reading 'id')", NOW + i), 0.0).is_some() {
            drafts += 1;
        }
    }
    let took = start.elapsed();
    println!("storm: 10,000 identical captures took {took:?} ({:?} each)", took / 10_000);
    assert_eq!(drafts, 10);
    let s = t.drain_suppressed(NOW + 10_000);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].count, 9_990);
    assert_eq!(t.stats(), ErrorStats { reported: 10, suppressed: 9_990, sampled_out: 0, evicted_suppressed: 0, fingerprints: 1 });
}

#[test]
fn the_cache_is_bounded_and_still_right_after_turnover() {
    let mut t = ErrorTracker::new(ErrorConfig { max_per_window: 1, ..Default::default() });
    let first = t.capture(raw("m0", NOW), 0.0).unwrap().fingerprint;
    for i in 1..(FINGERPRINT_CACHE_SIZE * 2) {
        t.capture(raw(&("m".to_string() + &i.to_string() + " x"), NOW), 0.0);
    }
    // "m0" left the cache; it is fingerprinted again, the same way, and limited.
    assert!(t.capture(raw("m0", NOW + 1), 0.0).is_none());
    let d = t.capture(raw("m0", NOW + 60_000), 0.0).unwrap();
    assert_eq!(d.fingerprint, first);
    assert_eq!(d.suppressed, Some(1));
    assert_eq!(d.frames.len(), 3, "a cache hit still parses the reported stack");
}

// ---- breadcrumbs ----

#[test]
fn breadcrumbs_keep_the_last_n_oldest_first() {
    let mut b = Breadcrumbs::new(5);
    for i in 0..3 {
        b.add(crumb(i));
    }
    assert_eq!(b.snapshot(), (0..3).map(crumb).collect::<Vec<_>>());
    for i in 3..12 {
        b.add(crumb(i));
    }
    assert_eq!(b.len(), 5);
    assert_eq!(b.snapshot(), (7..12).map(crumb).collect::<Vec<_>>());
    assert_eq!(Breadcrumbs::default().capacity(), DEFAULT_BREADCRUMBS);
    assert_eq!(Breadcrumbs::new(1_000_000).capacity(), MAX_BREADCRUMBS);
    let mut none = Breadcrumbs::new(0);
    none.add(crumb(1));
    assert!(none.is_empty());
}

#[test]
fn breadcrumbs_are_bounded_and_valid() {
    let mut b = Breadcrumbs::new(3);
    b.add(Breadcrumb { timestamp: NOW, category: "  ".into(), message: Some("x".repeat(10_000)), data: Map::new() });
    b.add(Breadcrumb { timestamp: NOW, category: "console".into(), message: Some("   ".into()), data: Map::new() });
    let s = b.snapshot();
    assert_eq!(s[0].category, "manual");
    assert_eq!(s[0].message.as_ref().unwrap().chars().count(), MAX_BREADCRUMB_MESSAGE_CHARS);
    assert_eq!(s[1].message, None);
}

#[test]
fn the_tracker_snapshots_breadcrumbs_and_can_forget_them() {
    let mut t = ErrorTracker::new(ErrorConfig { breadcrumbs: 2, ..Default::default() });
    for i in 0..4 {
        t.add_breadcrumb(crumb(i));
    }
    assert_eq!(t.capture(raw("a", NOW), 0.0).unwrap().breadcrumbs, vec![crumb(2), crumb(3)]);
    t.clear_breadcrumbs();
    assert!(t.capture(raw("b", NOW), 0.0).unwrap().breadcrumbs.is_empty());
}
