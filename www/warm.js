// A page's first localStorage and sessionStorage access and its first
// crypto.getRandomValues cost ~2.5 ms together on the main thread (measured in
// Chromium 156). start() needs all three; paid here, in time the page would
// otherwise spend waiting for the wasm, they leave start()'s critical path.
// Nothing is written, and only the agent's own keys are read.
let warmed = false;

/** Touches storage and Web Crypto once per page; later calls return at once. */
export function warmUp() {
  if (warmed) return;
  warmed = true;
  try {
    window.localStorage.getItem('telemetry:consent');
  } catch (_) {
    // Storage refused (privacy settings, sandboxed frame): start() copes with that.
  }
  try {
    window.sessionStorage.getItem('telemetry:session');
  } catch (_) {
    // As above.
  }
  try {
    crypto.getRandomValues(new Uint8Array(16));
  } catch (_) {
    // No Web Crypto: the ids fall back inside the module.
  }
}
