// The agent's public JavaScript API: the same for `import` and for the script tag.
// Every call is guarded: nothing the agent does may throw into the page. A trap
// inside the wasm module (a Rust panic) disables the agent; the page carries on.
import initWasm, * as wasm from './pkg/agent_wasm.js';
import { cleanProperties, cleanValue, flatMembers } from './clean.js';
import { instrumentNavigation } from './navigation.js';
import { warmUp } from './warm.js';

const MAX_EARLY_CALLS = 500;

let state = 'idle'; // idle → loading → ready | failed | disabled; ready → shutdown
let loading = null;
let debug = false;
/** The loader's early fetch of the wasm (a promise of its response), if any. */
let prefetched;
const early = [];

function warn(...args) {
  if (debug) console.warn('[telemetry]', ...args);
}

function disable(err) {
  if (state === 'disabled') return;
  state = 'disabled';
  early.length = 0;
  // The module's own timers and listeners return at once from now on.
  try {
    wasm.halt();
  } catch (_) {
    // Not instantiated yet, or trapping again: nothing runs in it either way.
  }
  console.warn('[telemetry] disabled after an internal error; the page is unaffected.', err);
}

function guarded(fn, fallback) {
  if (state !== 'ready') return fallback;
  try {
    return fn();
  } catch (err) {
    disable(err);
    return fallback;
  }
}

// A trap inside the module (a Rust panic) surfaces as a WebAssembly.RuntimeError
// wherever the browser called in (a timer, a listener, a promise). Keep it from
// the page's own error handlers and disable the agent.
if (typeof window !== 'undefined') {
  window.addEventListener(
    'error',
    (event) => {
      const err = event.error;
      if (typeof WebAssembly !== 'undefined' && err instanceof WebAssembly.RuntimeError && /agent_wasm|agent\.min/.test(String(err.stack))) {
        event.stopImmediatePropagation();
        event.preventDefault();
        disable(err);
      }
    },
    true,
  );
}

function deferOrRun(name, args, fallback) {
  if (state === 'ready') return guarded(() => wasm[name](...args), fallback);
  if ((state === 'idle' || state === 'loading') && early.length < MAX_EARLY_CALLS) early.push([name, args]);
  return fallback;
}

/**
 * Loads the module and starts the agent. Rejects with one error naming every
 * bad configuration field; the agent then stays inert.
 */
export async function init(config) {
  if (state === 'ready') throw new Error('telemetry: already started');
  if (state === 'shutdown') throw new Error('telemetry: shut down');
  debug = !!(config && config.debug);
  if (!loading) {
    state = 'loading';
    loading = initWasm(prefetched ? { module_or_path: prefetched } : undefined);
    // On the loader file's route this has run already, while the wasm
    // downloaded; on the import's route the glue has just sent the wasm's
    // request, and this runs while it is in flight.
    warmUp();
  }
  try {
    await loading;
  } catch (err) {
    state = 'failed';
    early.length = 0;
    const why = String(err && err.message);
    // A Content-Security-Policy without 'wasm-unsafe-eval' refuses the compilation.
    if (/unsafe-eval|Content Security Policy/i.test(why)) {
      throw new Error("telemetry: this page's Content-Security-Policy forbids WebAssembly (add 'wasm-unsafe-eval' to script-src); the agent stays inert");
    }
    throw new Error('telemetry: the WebAssembly module could not be loaded (' + why + ')');
  }
  try {
    wasm.start(config);
  } catch (err) {
    if (!(err instanceof Error) || err.name === 'RuntimeError') disable(err);
    else state = 'idle';
    throw err;
  }
  state = 'ready';
  instrument(config || {});
  instrumentNavigation((name, ...args) => guarded(() => wasm[name](...args)));
  const calls = early.splice(0);
  for (const [name, args] of calls) {
    const result = guarded(() => wasm[name](...args));
    if (name.startsWith('consent')) changed(result);
  }
}

/** Counts a call whose input was refused (and says why in debug mode). */
function rejected(why) {
  warn(why);
  deferOrRun('noteInput', ['rejected']);
}

/** Plain, bounded JSON data from what the page passed (see clean.js); `null` when refused. */
function cleaned(what, value) {
  const r = cleanProperties(value);
  if (!r) {
    rejected(what + ': properties must be an object; the call was refused');
    return null;
  }
  if (r.problems.length) {
    warn(what + ': input cleaned (' + r.problems.join(', ') + ')');
    deferOrRun('noteInput', ['cleaned']);
  }
  return r.value;
}

/**
 * Properties as the module reads them (track, identify, breadcrumb data): in
 * the common case the members as a flat array, with no object built for them;
 * otherwise the cleaned object (or null: refused).
 */
function members(what, value) {
  return flatMembers(value) || cleaned(what, value);
}

/** Records a named event with a properties object. Returns whether it was accepted (false before init). */
export function track(name, properties) {
  if (typeof name !== 'string') {
    rejected('track: the event name must be a string; the call was refused');
    return false;
  }
  const props = members('track', properties);
  if (props === null) return false;
  let ok = false;
  if (state === 'ready') {
    // The hot path, without deferOrRun's closure and argument array.
    try {
      ok = wasm.track(name, props);
    } catch (err) {
      disable(err);
    }
  } else ok = deferOrRun('track', [name, props], false);
  if (!ok && state === 'ready') warn('event refused', name);
  return ok;
}

/** Sends everything pending; resolves with the number of events the endpoint acknowledged. */
export function flush() {
  if (state === 'loading' && loading) return loading.then(() => flush(), () => 0);
  if (state !== 'ready') return Promise.resolve(0);
  try {
    return wasm.flush().catch((err) => {
      disable(err);
      return 0;
    });
  } catch (err) {
    disable(err);
    return Promise.resolve(0);
  }
}

const STAT_NAMES = ['accepted', 'sent', 'retried', 'dropped', 'invalid', 'sampledOut', 'pending', 'held', 'heldDropped', 'denied',
  'cleaned', 'rejected', 'errorsReported', 'errorsSuppressed', 'errorsSampledOut', 'droppedByHook'];

/** Counters of what the agent did (all zero before it is ready). */
export function getStats() {
  const zero = {};
  for (const k of STAT_NAMES) zero[k] = 0;
  return guarded(() => Object.assign(zero, wasm.getStats()), zero);
}

/** Sets the user id (sent only with marketing consent); `null` clears it. Traits become an `identify` event. */
export function identify(userId, traits) {
  if (userId !== null && userId !== undefined && typeof userId !== 'string') {
    rejected('identify: the user id must be a string or null; the call was refused');
    return false;
  }
  const t = traits === undefined || traits === null ? undefined : members('identify', traits);
  if (t === null) return false;
  return deferOrRun('identify', [userId, t], false);
}

/** The visitor logged out: forgets the user id, tags and breadcrumbs, and starts a new session. */
export function reset() {
  return deferOrRun('reset', [], false);
}

/** Sets a tag on every later event (string, number or boolean); `null` removes it. */
export function setTag(key, value) {
  if (typeof key !== 'string' || !(value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value))) {
    rejected('setTag: the key must be a string and the value a string, number, boolean or null; the call was refused');
    return false;
  }
  return deferOrRun('setTag', [key, value], false);
}

/** Closes the current page view, sends what is pending and stops the agent for good. Resolves with the number of events acknowledged. */
export function shutdown() {
  if (state === 'loading' && loading) return loading.then(() => shutdown(), () => 0);
  if (state !== 'ready') {
    if (state === 'idle') state = 'shutdown';
    early.length = 0;
    return Promise.resolve(0);
  }
  try {
    const p = wasm.shutdown();
    state = 'shutdown';
    early.length = 0;
    return p.catch(() => 0);
  } catch (err) {
    disable(err);
    return Promise.resolve(0);
  }
}

const listeners = [];

function changed(result) {
  if (result === undefined) {
    console.warn('[telemetry] consent: unknown category; use necessary, analytics, marketing or full');
    return undefined;
  }
  for (const fn of listeners.slice()) {
    try {
      fn(result);
    } catch (err) {
      warn('consent.onChange listener threw', err);
    }
  }
  return result;
}

/** Consent: nothing is stored or sent for a category until it is granted. */
export const consent = {
  grant(categories) {
    return changed(deferOrRun('consentUpdate', [categories, true], null));
  },
  deny(categories) {
    return changed(deferOrRun('consentUpdate', [categories, false], null));
  },
  /** Withdraws consent: stops sending, erases what the agent holds and stored. */
  revoke() {
    return changed(deferOrRun('consentRevoke', [], null));
  },
  /** `{necessary, analytics, marketing, privacySignal}` (`null` before init). */
  get() {
    return guarded(() => wasm.consentGet(), null);
  },
  /** Calls `fn(state)` after every consent change. Returns a function that removes it. */
  onChange(fn) {
    if (typeof fn !== 'function') return () => {};
    listeners.push(fn);
    return () => {
      const i = listeners.indexOf(fn);
      if (i >= 0) listeners.splice(i, 1);
    };
  },
};

/**
 * Right to erasure: erases everything local and asks the endpoint to delete
 * this visitor's rows. Resolves with the number deleted (-1 if it could not ask).
 */
export function forget() {
  if (state === 'loading' && loading) return loading.then(() => forget(), () => -1);
  if (state !== 'ready') return Promise.resolve(-1);
  try {
    const p = wasm.forget();
    changed(consent.get());
    return p.catch(() => -1);
  } catch (err) {
    disable(err);
    return Promise.resolve(-1);
  }
}

/** Masks personal data in a text as the agent does before storing or sending (`null` before the module has loaded). */
export function mask(text) {
  if (!loading || state === 'failed' || state === 'disabled' || typeof text !== 'string') return null;
  try {
    return wasm.maskText(text);
  } catch (err) {
    return null;
  }
}

/** Records an error by hand: `captureException(err, { tags: { area: 'cart' }, severity: 'WARNING' })`. */
export function captureException(error, options) {
  const o = options && typeof options === 'object' ? options : {};
  // A non-Error object is read as a plain copy: a hostile proxy or getter cannot reach the module.
  let e = error;
  try {
    if (e !== null && typeof e === 'object' && !(e instanceof Error)) e = cleanValue(e).value;
  } catch (_) {
    e = undefined;
  }
  const tags = o.tags === undefined ? undefined : cleaned('captureException', o.tags);
  return deferOrRun('captureException', [e, tags || undefined, o.severity, o.category], false);
}

/** Records a message as an error event (severity INFO unless given). */
export function captureMessage(message, severity) {
  return deferOrRun('captureMessage', [message, severity], false);
}

/** Adds a breadcrumb: `{ category, message, data }`. */
export function addBreadcrumb(crumb) {
  const c = crumb && typeof crumb === 'object' ? crumb : {};
  const data = c.data === undefined ? undefined : members('addBreadcrumb', c.data);
  return deferOrRun('addBreadcrumb', [typeof c.category === 'string' && c.category ? c.category : 'manual', typeof c.message === 'string' ? c.message : undefined, data || undefined], false);
}

let instrumented = false;

/** fetch, XHR and console: breadcrumbs, and failed requests as errors. */
function instrument(config) {
  if (instrumented || typeof window === 'undefined') return;
  instrumented = true;
  const own = (url) => {
    try {
      const u = new URL(url, location.href);
      const e = new URL(config.endpoint, location.href);
      return u.origin === e.origin && u.pathname.startsWith(e.pathname.replace(/[^/]*$/, ''));
    } catch (_) {
      return false;
    }
  };
  const network = (kind, method, url, status, started) => {
    if (own(url)) return;
    const duration = Math.round(performance.now() - started);
    guarded(() => wasm.recordRequest(kind, method, String(url), status, duration, config.captureNetworkErrors !== false));
  };
  const origFetch = window.fetch;
  if (typeof origFetch === 'function') {
    window.fetch = function (input, init) {
      const started = performance.now();
      let method = 'GET';
      let url = '';
      try {
        method = (init && init.method) || (input && input.method) || 'GET';
        url = typeof input === 'string' ? input : input && input.url ? input.url : String(input);
      } catch (_) {}
      const p = origFetch.apply(this, arguments);
      p.then(
        (r) => network('fetch', method, url, r.status, started),
        () => network('fetch', method, url, 0, started),
      );
      return p;
    };
  }
  const X = window.XMLHttpRequest;
  if (X && X.prototype) {
    const open = X.prototype.open;
    const send = X.prototype.send;
    X.prototype.open = function (method, url) {
      this.__tm = [String(method || 'GET'), String(url)];
      return open.apply(this, arguments);
    };
    X.prototype.send = function () {
      const meta = this.__tm;
      if (meta) {
        const started = performance.now();
        this.addEventListener('loadend', () => network('xhr', meta[0], meta[1], this.status, started));
      }
      return send.apply(this, arguments);
    };
  }
  const con = window.console;
  for (const level of ['error', 'warn']) {
    const orig = con && con[level];
    if (typeof orig !== 'function') continue;
    con[level] = function () {
      const text = Array.prototype.map.call(arguments, (a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : safeString(a))).join(' ');
      if (!String(text).startsWith('[telemetry]')) {
        guarded(() => wasm.recordConsole(level, text, level === 'error' && config.captureConsole === true));
      }
      return orig.apply(this, arguments);
    };
  }
}

function safeString(v) {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.slice(0, 500);
  } catch (_) {
    return Object.prototype.toString.call(v);
  }
}

const API = { init, track, identify, reset, setTag, captureException, captureMessage, addBreadcrumb, flush, shutdown, getStats, forget, mask };

/**
 * Called by the script-tag loader: replays the calls the stub recorded
 * before the module was ready, then puts the real API in the stub's place.
 */
export function attach(stub, dataConfig) {
  const queued = Array.isArray(stub.q) ? stub.q.splice(0) : [];
  const preloadErrors = Array.isArray(stub.e) ? stub.e : [];
  const stopStub = typeof stub.off === 'function' ? stub.off : () => {};
  if (stub.w && typeof stub.w.then === 'function') prefetched = stub.w;
  delete stub.q;
  delete stub.e;
  delete stub.off;
  delete stub.w;
  Object.assign(stub, API, { consent });
  // Errors the stub recorded before the agent was ready (it keeps listening until then).
  const handOver = () => {
    stopStub();
    for (const rec of preloadErrors.splice(0)) guarded(() => wasm.capturePreload(rec));
  };
  let config = dataConfig;
  const inits = [];
  const rest = [];
  // Each queued call is [name, args, settle?]: `settle(ok, value)` completes the stub's promise.
  for (const call of queued) {
    if (call[0] === 'init') {
      config = Object.assign({}, dataConfig, call[1][0]);
      if (call[2]) inits.push(call[2]);
    } else rest.push(call);
  }
  // Start first (the module is then loading), so replayed calls wait for it in order.
  if (config && (config.endpoint !== undefined || inits.length)) {
    init(config).then(
      (v) => {
        handOver();
        for (const settle of inits) settle(true, v);
      },
      (err) => {
        stopStub();
        if (inits.length) for (const settle of inits) settle(false, err);
        else console.error(err && err.message ? err.message : err);
      },
    );
  }
  for (const [name, args, settle] of rest) {
    const fn = name.startsWith('consent.') ? consent[name.slice(8)] : API[name];
    const result = typeof fn === 'function' ? fn(...args) : undefined;
    if (settle) Promise.resolve(result).then((v) => settle(true, v));
  }
}
