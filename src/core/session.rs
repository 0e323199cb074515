//! Sessions: an id that lasts while the visitor is active and rotates after
//! a stretch of inactivity (30 minutes by default) or a maximum age (24 hours).
//!
//! The core has no clock: every call takes `now` (ms since the epoch) and a
//! function that makes a fresh id, so rotation is tested with a fake clock.
//! Where the session lives (sessionStorage, localStorage or memory only) is the
//! shell's business; it stores [`Session::encode`] only when consent allows.

pub const DEFAULT_INACTIVITY_MS: u64 = 30 * 60 * 1000;
pub const DEFAULT_MAX_AGE_MS: u64 = 24 * 60 * 60 * 1000;

/// Where the shell keeps the session between page loads (when consent allows storage).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    /// Per tab; survives reloads and navigations within the site. The default.
    SessionStorage,
    /// Shared by the site's tabs.
    LocalStorage,
    /// Never stored: every page load starts a session (cookieless).
    Memory,
}

impl Persistence {
    pub fn parse(s: &str) -> Option<Persistence> {
        match s {
            "sessionStorage" => Some(Persistence::SessionStorage),
            "localStorage" => Some(Persistence::LocalStorage),
            "memory" => Some(Persistence::Memory),
            _ => None,
        }
    }
}

/// When a session ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// A session with no activity for this long is over.
    pub inactivity_ms: u64,
    /// A session this old is over, active or not.
    pub max_age_ms: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { inactivity_ms: DEFAULT_INACTIVITY_MS, max_age_ms: DEFAULT_MAX_AGE_MS }
    }
}

/// One session: its id, when it started and when the visitor was last active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub started_at: u64,
    pub last_activity: u64,
}

/// Version tag of the stored form.
const STORED_VERSION: &str = "s1";
/// Longest id accepted from storage.
const MAX_ID_LEN: usize = 64;

impl Session {
    pub fn new(id: String, now: u64) -> Session {
        Session { id, started_at: now, last_activity: now }
    }

    /// Whether the session is over at `now`. A time before the session's start
    /// (the clock was set back) ends it too: its age cannot be trusted.
    pub fn expired(&self, now: u64, policy: Policy) -> bool {
        now < self.started_at
            || now.saturating_sub(self.last_activity) >= policy.inactivity_ms
            || now - self.started_at >= policy.max_age_ms
    }

    /// `s1|id|started|last`: small and explicit, like the stored consent decision.
    pub fn encode(&self) -> String {
        let mut s = String::with_capacity(STORED_VERSION.len() + self.id.len() + 32);
        s.push_str(STORED_VERSION);
        s.push('|');
        s.push_str(&self.id);
        s.push('|');
        crate::core::model::write_u64(&mut s, self.started_at);
        s.push('|');
        crate::core::model::write_u64(&mut s, self.last_activity);
        s
    }

    /// The stored form back, if it is well formed: a non-empty id of at most 64
    /// visible ASCII characters without `|`, and a start not after the last activity.
    pub fn decode(s: &str) -> Option<Session> {
        let mut parts = crate::core::text::split_any(s, b"|");
        if parts.next()? != STORED_VERSION {
            return None;
        }
        let id = parts.next()?;
        let started_at = crate::core::text::parse_u64(parts.next()?)?;
        let last_activity = crate::core::text::parse_u64(parts.next()?)?;
        if parts.next().is_some()
            || id.is_empty()
            || id.len() > MAX_ID_LEN
            || !id.bytes().all(|b| b.is_ascii_graphic())
            || started_at > last_activity
        {
            return None;
        }
        Some(Session { id: id.to_string(), started_at, last_activity })
    }
}

/// The current session and its rotation.
#[derive(Debug, Clone)]
pub struct Sessions {
    policy: Policy,
    current: Session,
    rotations: u64,
}

impl Sessions {
    /// The session at page load: the stored one if it is still going (it is
    /// continued, and this load counts as activity), a new one otherwise.
    pub fn resume(policy: Policy, stored: Option<&str>, now: u64, new_id: impl FnOnce() -> String) -> Sessions {
        let current = match stored.and_then(Session::decode) {
            Some(mut s) if !s.expired(now, policy) => {
                s.last_activity = now;
                s
            }
            _ => Session::new(new_id(), now),
        };
        Sessions { policy, current, rotations: 0 }
    }

    pub fn id(&self) -> &str {
        &self.current.id
    }

    pub fn current(&self) -> &Session {
        &self.current
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Sessions started during this page load after the first.
    pub fn rotations(&self) -> u64 {
        self.rotations
    }

    /// Activity at `now`: rotates first if the session is over. Returns whether it rotated.
    pub fn touch(&mut self, now: u64, new_id: impl FnOnce() -> String) -> bool {
        let rotated = self.current.expired(now, self.policy);
        if rotated {
            self.current = Session::new(new_id(), now);
            self.rotations += 1;
        } else {
            self.current.last_activity = self.current.last_activity.max(now);
        }
        rotated
    }

    /// Ends the session at once (`reset()`: the visitor logged out).
    pub fn restart(&mut self, now: u64, new_id: impl FnOnce() -> String) {
        self.current = Session::new(new_id(), now);
        self.rotations += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_750_000_000_000;
    const MIN: u64 = 60_000;

    /// Ids `s1`, `s2`, … in order.
    struct Ids(u32);
    impl Ids {
        fn next(&mut self) -> impl FnOnce() -> String + '_ {
            move || {
                self.0 += 1;
                format!("s{}", self.0)
            }
        }
    }

    #[test]
    fn activity_keeps_a_session_and_thirty_idle_minutes_end_it() {
        let mut ids = Ids(0);
        let mut s = Sessions::resume(Policy::default(), None, T0, ids.next());
        assert_eq!(s.id(), "s1");
        // Active every 29 minutes for two hours: one session.
        for i in 1..=4 {
            assert!(!s.touch(T0 + i * 29 * MIN, ids.next()));
        }
        assert_eq!(s.id(), "s1");
        let last = T0 + 4 * 29 * MIN;
        assert!(!s.touch(last + 30 * MIN - 1, ids.next()), "one millisecond short of the timeout");
        let last = last + 30 * MIN - 1;
        assert!(s.touch(last + 30 * MIN, ids.next()), "thirty idle minutes");
        assert_eq!(s.id(), "s2");
        assert_eq!(s.current().started_at, last + 30 * MIN);
        assert_eq!(s.rotations(), 1);
    }

    #[test]
    fn a_session_ends_at_its_maximum_age_however_active() {
        let mut ids = Ids(0);
        let mut s = Sessions::resume(Policy::default(), None, T0, ids.next());
        let mut t = T0;
        while t + 10 * MIN < T0 + DEFAULT_MAX_AGE_MS {
            t += 10 * MIN;
            assert!(!s.touch(t, ids.next()));
        }
        assert_eq!(s.id(), "s1");
        assert!(s.touch(T0 + DEFAULT_MAX_AGE_MS, ids.next()));
        assert_eq!(s.id(), "s2");
    }

    #[test]
    fn a_stored_session_is_continued_only_while_it_lasts() {
        let policy = Policy { inactivity_ms: 2_000, max_age_ms: 60_000 };
        let stored = Session { id: "abc".into(), started_at: T0, last_activity: T0 + 500 }.encode();
        let mut ids = Ids(0);
        let s = Sessions::resume(policy, Some(&stored), T0 + 2_499, ids.next());
        assert_eq!(s.id(), "abc", "a reload within the timeout continues the session");
        assert_eq!(s.current().last_activity, T0 + 2_499, "the load counts as activity");
        assert_eq!(s.current().started_at, T0);
        let s = Sessions::resume(policy, Some(&stored), T0 + 2_500, ids.next());
        assert_eq!(s.id(), "s1", "after the timeout a reload starts a new session");
        let old = Session { id: "abc".into(), started_at: T0, last_activity: T0 + 59_000 }.encode();
        let s = Sessions::resume(policy, Some(&old), T0 + 60_000, ids.next());
        assert_eq!(s.id(), "s2", "past the maximum age");
    }

    #[test]
    fn a_clock_set_back_ends_the_session() {
        let mut ids = Ids(0);
        let stored = Session { id: "abc".into(), started_at: T0, last_activity: T0 }.encode();
        let s = Sessions::resume(Policy::default(), Some(&stored), T0 - 1, ids.next());
        assert_eq!(s.id(), "s1");
        let mut s = Sessions::resume(Policy::default(), None, T0, ids.next());
        s.touch(T0 + MIN, ids.next());
        // A small step back within the session keeps it and never moves activity back.
        assert!(!s.touch(T0 + MIN - 10, ids.next()));
        assert_eq!(s.current().last_activity, T0 + MIN);
    }

    #[test]
    fn restart_starts_a_new_session() {
        let mut ids = Ids(0);
        let mut s = Sessions::resume(Policy::default(), None, T0, ids.next());
        s.restart(T0 + 5, ids.next());
        assert_eq!(s.id(), "s2");
        assert_eq!(s.current().started_at, T0 + 5);
    }

    #[test]
    fn the_stored_form_round_trips_and_garbage_is_refused() {
        let s = Session { id: "0b6f1c8e-3d2a-4c5b-9e7f-1a2b3c4d5e6f".into(), started_at: T0, last_activity: T0 + 7 };
        assert_eq!(Session::decode(&s.encode()), Some(s));
        for bad in [
            "",
            "s1",
            "s1|id|1",
            "s2|id|1|2",
            "s1||1|2",
            "s1|id|2|1",
            "s1|id|1|2|3",
            "s1|id|x|2",
            "s1|id|-1|2",
            "s1|with space|1|2",
            "s1|ünï|1|2",
        ] {
            assert_eq!(Session::decode(bad), None, "{bad:?}");
        }
        let long = format!("s1|{}|1|2", "a".repeat(65));
        assert_eq!(Session::decode(&long), None);
    }

    #[test]
    fn persistence_names() {
        assert_eq!(Persistence::parse("sessionStorage"), Some(Persistence::SessionStorage));
        assert_eq!(Persistence::parse("localStorage"), Some(Persistence::LocalStorage));
        assert_eq!(Persistence::parse("memory"), Some(Persistence::Memory));
        assert_eq!(Persistence::parse("cookie"), None);
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn decoding_never_panics_and_accepts_only_what_encodes_back(s in ".{0,120}") {
            if let Some(session) = Session::decode(&s) {
                prop_assert_eq!(Session::decode(&session.encode()), Some(session));
            }
        }

        #[test]
        fn encode_decode_round_trips(id in "[!-{}~]{1,64}", start in 0u64..4_000_000_000_000, dt in 0u64..100_000_000) {
            let s = Session { id, started_at: start, last_activity: start + dt };
            prop_assert_eq!(Session::decode(&s.encode()), Some(s));
        }

        /// Whatever the sequence of activity times, the id changes exactly when
        /// the gap or the age says so.
        #[test]
        fn rotation_follows_the_policy(gaps in proptest::collection::vec(0u64..5_000, 1..40)) {
            let policy = Policy { inactivity_ms: 1_000, max_age_ms: 10_000 };
            let mut n = 0;
            let mut s = Sessions::resume(policy, None, 1_000_000, || "s0".to_string());
            let mut now = 1_000_000;
            for g in gaps {
                let before = s.current().clone();
                now += g;
                let rotated = s.touch(now, || { n += 1; format!("s{n}") });
                let expect = g >= 1_000 || now - before.started_at >= 10_000;
                prop_assert_eq!(rotated, expect);
                prop_assert_eq!(rotated, s.id() != before.id);
            }
        }
    }
}
