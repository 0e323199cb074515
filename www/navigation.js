// Page views of single-page apps: History API calls, back and forward, hash
// changes, and how far the visitor scrolled. Every URL change is handed to the
// agent's module, which decides what is a page view (src/core/pageview.rs).
// `call(name, ...args)` is the agent's guarded call: it never throws.

const SCROLL_THROTTLE_MS = 200;

let installed = false;

export function instrumentNavigation(call) {
  if (installed || typeof window === 'undefined' || !window.history) return;
  installed = true;
  const h = window.history;
  // The last URL reported. A back/forward step or a fragment navigation whose
  // event the app handled before the agent's listeners (a router that renders
  // and calls replaceState in its own popstate handler) shows as a URL that
  // changed behind the agent's back: it is reported as such first.
  let seen = location.href;
  const report = (kind) => {
    seen = location.href;
    call('pageNavigate', kind);
  };
  for (const [method, kind] of [
    ['pushState', 'push'],
    ['replaceState', 'replace'],
  ]) {
    const original = h[method];
    if (typeof original !== 'function') continue;
    // The page's own call runs unchanged: its errors (a cross-origin URL, say)
    // are the page's, and the agent only looks once it has succeeded.
    h[method] = function () {
      if (location.href !== seen) report('pop');
      const result = original.apply(this, arguments);
      report(kind);
      return result;
    };
  }
  window.addEventListener('popstate', () => report('pop'));
  window.addEventListener('hashchange', () => report('hash'));
  // Scroll depth: passive, at most one reading per 200 ms (the last position counts).
  let pending = 0;
  window.addEventListener(
    'scroll',
    () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = 0;
        call('pageScroll');
      }, SCROLL_THROTTLE_MS);
    },
    { passive: true },
  );
}
