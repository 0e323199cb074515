//! Page views, page leave and sessions in the browser.
//!
//! The rules are the core's ([`PageTracker`], [`Sessions`]); this file reads
//! the page (URL, title, visibility, scroll position), keeps the settle timer,
//! and stores the session only where consent allows. `www/navigation.js`
//! reports History API calls, `popstate`, `hashchange` and (throttled) scrolls
//! through [`page_navigate`] and [`page_scroll`]; visibility and `pagehide`
//! are listened to here, in the capture phase, so that the page leave is
//! queued before the agent sends what it holds.

use super::api::{send_all, send_next, with_agent};
use super::page;
use crate::core::config::Config;
use crate::core::consent::{Category, Consent};
use crate::core::pageview::{self, Navigation, Output, PageTracker};
use crate::core::pipeline::PageView;
use crate::core::session::{Persistence, Policy, Sessions};
use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// Storage key of the session (in sessionStorage or localStorage, by configuration).
pub const SESSION_KEY: &str = "telemetry:session";

struct Pages {
    tracker: PageTracker,
    track_leave: bool,
    settle: Option<Timeout>,
}

static PAGES: super::global::Global<RefCell<Option<Pages>>> = super::global::Global::new(RefCell::new(None));
static PERSISTENCE: super::global::Global<std::cell::Cell<Persistence>> = super::global::Global::new(std::cell::Cell::new(Persistence::SessionStorage));

fn new_id() -> String {
    crate::core::ids::new_id()
}

fn storage(p: Persistence) -> Option<web_sys::Storage> {
    let w = web_sys::window()?;
    match p {
        Persistence::SessionStorage => w.session_storage().ok().flatten(),
        Persistence::LocalStorage => w.local_storage().ok().flatten(),
        Persistence::Memory => None,
    }
}

/// The session at start: the stored one is read (and continued if it is still
/// going) only when consent allows storage; otherwise a new one, in memory.
pub fn session(config: &Config, consent: &Consent, now: u64) -> Sessions {
    PERSISTENCE.with(|p| p.set(config.session_persistence));
    let policy = Policy { inactivity_ms: config.session_timeout_ms as u64, max_age_ms: config.session_max_age_ms as u64 };
    let stored = if consent.allows(Category::Analytics) {
        storage(config.session_persistence).and_then(|s| s.get_item(SESSION_KEY).ok().flatten())
    } else {
        None
    };
    Sessions::resume(policy, stored.as_deref(), now, new_id)
}

/// Stores the current session, if consent allows storage.
pub fn persist_session() {
    let Some(Some(encoded)) = with_agent(|a| {
        if a.pipeline.consent().allows(Category::Analytics) {
            a.pipeline.sessions().map(|s| s.current().encode())
        } else {
            None
        }
    }) else {
        return;
    };
    if let Some(s) = storage(PERSISTENCE.with(|p| p.get())) {
        let _ = s.set_item(SESSION_KEY, &encoded);
    }
}

/// Stores the session if it rotated since it was last stored (activity after a timeout).
/// Removes the stored session from both storages.
pub fn erase_session() {
    for p in [Persistence::SessionStorage, Persistence::LocalStorage] {
        if let Some(s) = storage(p) {
            let _ = s.remove_item(SESSION_KEY);
        }
    }
}

fn visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.visibility_state() != web_sys::VisibilityState::Hidden)
        .unwrap_or(true)
}

fn href() -> String {
    web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default()
}

/// Percent of the page's height that is in view at the current scroll position.
fn scroll_now() -> f64 {
    let Some(w) = web_sys::window() else { return 0.0 };
    let y = w.scroll_y().unwrap_or(0.0);
    let vh = w.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    let h = w
        .document()
        .and_then(|d| d.document_element())
        .map(|e| e.scroll_height() as f64)
        .unwrap_or(0.0);
    pageview::scroll_percent(y, vh, h)
}

/// Starts page tracking: the page load becomes a page view once settled.
pub fn start(config: &Config, now: u64) {
    if !config.track_page_views {
        return;
    }
    let options = pageview::Options {
        history: config.track_history,
        replace_state: config.track_replace_state,
        hash_routing: config.hash_routing,
        settle_ms: pageview::DEFAULT_SETTLE_MS,
    };
    let referrer = web_sys::window().and_then(|w| w.document()).map(|d| d.referrer());
    // Time on the first page counts from the navigation's start (when the page is visible).
    let origin = web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.time_origin())
        .filter(|t| t.is_finite() && *t > 0.0 && (*t as u64) <= now)
        .map_or(now, |t| t as u64);
    let mut tracker = PageTracker::new(options, referrer, visible(), origin);
    tracker.load(&href(), origin, now);
    PAGES.with(|p| *p.borrow_mut() = Some(Pages { tracker, track_leave: config.track_page_leave, settle: None }));
    listen();
    schedule(now);
}

/// Ends page tracking (shutdown): the current page view is closed with its leave.
pub fn stop(now: u64) {
    let out = with_pages(|p| {
        p.settle = None;
        p.tracker.scroll(scroll_now());
        p.tracker.visibility(false, now)
    });
    record(out.unwrap_or_default(), now);
    persist_session();
    PAGES.with(|p| p.borrow_mut().take());
}

fn with_pages<R>(f: impl FnOnce(&mut Pages) -> R) -> Option<R> {
    PAGES.with(|p| p.try_borrow_mut().ok().and_then(|mut p| p.as_mut().map(f)))
}

/// (Re)arms the settle timer for the waiting page view, if any.
fn schedule(now: u64) {
    with_pages(|p| {
        p.settle = p.tracker.settle_at().map(|at| {
            let delay = at.saturating_sub(now).min(60_000) as u32;
            super::page::timeout(delay, settle)
        });
    });
}

fn settle() {
    super::api::ensure_timezone();
    let now = page::now_ms();
    let Some(out) = with_pages(|p| {
        // This timer is running: let it go without dropping it from inside its own callback.
        if let Some(t) = p.settle.take() {
            let _ = t.forget();
        }
        p.tracker.settle(now)
    }) else {
        return;
    };
    record(out, now);
    // A later URL change may have moved the settle time.
    schedule(now);
}

/// Records the tracker's outputs in order; a new page's scroll position is its first depth.
fn record(out: Vec<Output>, now: u64) {
    let track_leave = with_pages(|p| p.track_leave).unwrap_or(true);
    let mut initial = false;
    let mut viewed = false;
    for o in out {
        match o {
            Output::Leave(l) => {
                if track_leave {
                    with_agent(|a| a.pipeline.page_leave(l, now));
                }
            }
            Output::View(v) => {
                initial |= v.navigation == Navigation::Initial;
                viewed = true;
                let title = web_sys::window().and_then(|w| w.document()).map(|d| d.title()).unwrap_or_default();
                with_agent(|a| a.pipeline.page_view(PageView::from_view(v, title), now));
            }
        }
    }
    if viewed {
        with_pages(|p| p.tracker.scroll(scroll_now()));
        persist_session();
    }
    if initial {
        // The first page view goes out at once rather than at the first tick.
        send_next(true);
    }
}

/// A URL change seen by `www/navigation.js`: `push`, `replace`, `pop` or `hash`.
#[wasm_bindgen(js_name = pageNavigate)]
pub fn page_navigate(kind: &str) {
    let Some(nav) = Navigation::parse(kind) else { return };
    let now = page::now_ms();
    let url = href();
    let waiting = with_pages(|p| {
        // History API calls come before the app renders the next page: the depth
        // reached on the page being left. (Back and forward may come after.)
        if matches!(nav, Navigation::Push | Navigation::Replace) {
            p.tracker.scroll(scroll_now());
        }
        p.tracker.navigate(nav, &url, now)
    });
    if waiting == Some(true) {
        schedule(now);
    } else if waiting == Some(false) {
        // A cancelled view (back before it settled) leaves nothing to wait for.
        with_pages(|p| {
            if p.tracker.settle_at().is_none() {
                p.settle = None;
            }
        });
    }
}

/// The page was scrolled (throttled by the caller).
#[wasm_bindgen(js_name = pageScroll)]
pub fn page_scroll() {
    with_pages(|p| p.tracker.scroll(scroll_now()));
}

fn on_hidden_or_shown(hidden: bool) {
    let now = page::now_ms();
    let Some(out) = with_pages(|p| {
        p.tracker.scroll(scroll_now());
        if hidden {
            p.settle = None;
        }
        p.tracker.visibility(!hidden, now)
    }) else {
        return;
    };
    record(out, now);
    if hidden {
        persist_session();
    }
}

/// Visibility and page lifecycle, in the capture phase on `window` so these
/// run before the agent's own handlers that send what is queued.
fn listen() {
    let Some(window) = web_sys::window() else { return };
    let on = |kind: &str, f: fn(web_sys::Event)| {
        let c = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        let _ = window.add_event_listener_with_callback_and_bool(kind, c.as_ref().unchecked_ref(), true);
        // The listeners live as long as the page; after shutdown they find no state and return.
        c.forget();
    };
    on("visibilitychange", |_| on_hidden_or_shown(!visible()));
    // On `visibilitychange` the agent's exit listener (on the document) runs
    // after every capture-phase listener on the window (this one, the Web
    // Vitals'), so the page leave and the final vitals go in one request. A
    // `pagehide` without a hide before it is sent from here, after its leave.
    on("pagehide", |_| {
        on_hidden_or_shown(true);
        send_all();
    });
    on("pageshow", |ev| {
        let persisted = js_sys::Reflect::get(&ev, &JsValue::from_str("persisted")).ok().and_then(|v| v.as_bool()).unwrap_or(false);
        if persisted && visible() {
            // Back from the back-forward cache: the same page view goes on.
            on_hidden_or_shown(false);
        }
    });
}
