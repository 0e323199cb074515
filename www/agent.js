// The agent's public JavaScript API: the same for `import` and for the script tag.
// Every call is guarded: nothing the agent does may throw into the page. A trap
// inside the wasm module (a Rust panic) disables the agent; the page carries on.
import initWasm, * as wasm from './pkg/agent_wasm.js';

const MAX_EARLY_CALLS = 500;

let state = 'idle'; // idle → loading → ready | failed | disabled
let loading = null;
let debug = false;
const early = [];

function warn(...args) {
  if (debug) console.warn('[telemetry]', ...args);
}

function disable(err) {
  if (state === 'disabled') return;
  state = 'disabled';
  early.length = 0;
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
  debug = !!(config && config.debug);
  if (!loading) {
    state = 'loading';
    loading = initWasm();
  }
  try {
    await loading;
  } catch (err) {
    state = 'failed';
    early.length = 0;
    throw new Error('telemetry: the WebAssembly module could not be loaded (' + (err && err.message) + ')');
  }
  try {
    wasm.start(config);
  } catch (err) {
    if (!(err instanceof Error) || err.name === 'RuntimeError') disable(err);
    else state = 'idle';
    throw err;
  }
  state = 'ready';
  const calls = early.splice(0);
  for (const [name, args] of calls) {
    const result = guarded(() => wasm[name](...args));
    if (name.startsWith('consent')) changed(result);
  }
}

/** Records a named event with a JSON-serialisable properties object. Returns whether it was accepted (false before init). */
export function track(name, properties) {
  const ok = deferOrRun('track', [name, properties], false);
  if (!ok && state === 'ready') warn('event refused', name);
  return ok;
}

/** Sends everything pending; resolves with the number of events the endpoint acknowledged. */
export function flush() {
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

/** Counters: accepted, sent, retried, dropped, invalid, sampledOut, pending, held, heldDropped, denied. */
export function getStats() {
  return guarded(() => wasm.getStats(), {});
}

/** Sets the user id (sent only with marketing consent); `null` clears it. */
export function identify(userId) {
  return deferOrRun('identify', [userId], false);
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

const API = { init, track, flush, getStats, identify, forget, mask };

/**
 * Called by the script-tag loader: replays the calls the stub recorded
 * before the module was ready, then puts the real API in the stub's place.
 */
export function attach(stub, dataConfig) {
  const queued = Array.isArray(stub.q) ? stub.q.splice(0) : [];
  Object.assign(stub, API, { q: undefined, consent });
  let config = dataConfig;
  const rest = [];
  for (const [name, args] of queued) {
    if (name === 'init') config = Object.assign({}, dataConfig, args[0]);
    else rest.push([name, args]);
  }
  for (const [name, args] of rest) {
    const fn = name.startsWith('consent.') ? consent[name.slice(8)] : API[name];
    if (typeof fn === 'function') fn(...args);
  }
  if (config && config.endpoint !== undefined) {
    init(config).catch((err) => console.error(err && err.message ? err.message : err));
  }
}
