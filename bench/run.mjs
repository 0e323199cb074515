// Side-by-side benchmark: the agent and the browser SDKs teams use today, each
// bundled the same way (esbuild, minified ESM) and loaded in fresh pages of
// headless Chromium on 127.0.0.1, each pointed at this script's own endpoint.
//
// Per subject and run: bundle size (raw, gzip -9, brotli 11; the agent's .wasm
// included), start-up (first script to SDK ready; also with the scripts
// added to a page that has settled, one second after its load event, and there
// from its first script's arrival), per-event cost (10,000
// calls in tasks of 100, median of the per-call means; the first 1,000 calls'
// mean apart; and the main thread's time in all tasks during the burst and
// 1.5 s after it, per event), long tasks during that burst, bytes on the wire for 100 events, and memory growth (JS heap and wasm
// linear memory, after GC) for 10,000 events with the endpoint down.
// Start-up in the settled page once more without DevTools attached: Playwright
// drives the browser through the DevTools protocol, and with its Network domain
// on, every request a script starts captures the script's stack (which costs the
// larger scripts most). Those loads run in a Chromium started as a plain process,
// one process per load, the page reporting its own figures to this endpoint.
// And once more as a repeat view: in the same browser process and profile, a
// first visit to the settled page puts the scripts (and the wasm) in the HTTP
// cache, served as a CDN would (cacheable for an hour), and the second visit
// is measured: what a returning visitor's page pays, with the browser's code
// caches as they are after one visit.
// usage: node run.mjs [--runs 5] [--loads 11] [--repeat-loads 7] [--only agent,sentry]   (after scripts/build.sh)
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { readFileSync, writeFileSync, appendFileSync, mkdirSync, mkdtempSync, rmSync, copyFileSync, statSync } from 'node:fs';
import { gzipSync, gunzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capabilityScore } from './capabilities.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const DIST = join(HERE, 'dist');
const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(arg('--runs', 5));
const LOADS = Number(arg('--loads', 11));
const REPEAT_LOADS = Number(arg('--repeat-loads', 7));
const EVENTS = 10_000;
const CHUNK = 100;

/** What "one custom event" is for each subject (see entries/). */
const SUBJECTS = [
  { name: 'agent', label: 'telemetry-agent (this)', call: 'track' },
  // The same agent through the script tag: the loader, the bundled module and the wasm, as the build ships them.
  { name: 'agent-tag', label: 'telemetry-agent, script tag', call: 'track', tag: true },
  { name: 'web-vitals', label: 'web-vitals 6', call: null },
  { name: 'elastic', label: 'Elastic APM RUM', call: 'span in a transaction' },
  { name: 'sentry', label: 'Sentry browser', call: 'captureMessage' },
  { name: 'faro', label: 'Grafana Faro', call: 'pushEvent' },
  { name: 'datadog', label: 'Datadog RUM', call: 'addAction' },
  { name: 'posthog', label: 'PostHog', call: 'capture' },
  // No SDK: the event through JSON.stringify, the floor of per-event cost (a machine's speed).
  { name: 'floor', label: 'floor: JSON.stringify', call: 'JSON.stringify', floor: true },
].filter((s) => !arg('--only') || arg('--only').split(',').includes(s.name));

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--enable-precise-memory-info', '--js-flags=--expose-gc',
];

function sizes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
  };
}

async function bundle(subject) {
  mkdirSync(DIST, { recursive: true });
  if (subject.tag) {
    // What a page with the loader file downloads: the loader (the stub with the agent's JavaScript) and the wasm.
    const s = { raw: 0, gzip: 0, brotli: 0 };
    for (const f of ['loader.js', 'pkg/agent_wasm_bg.wasm']) {
      const z = sizes(readFileSync(join(ROOT, 'www', f)));
      for (const k of Object.keys(s)) s[k] += z[k];
    }
    return s;
  }
  const outfile = join(DIST, `${subject.name}.js`);
  await build({
    entryPoints: [join(HERE, 'entries', `${subject.name}.js`)],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    outfile,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const s = sizes(readFileSync(outfile));
  if (subject.name === 'agent') {
    // The module fetches its .wasm next to itself.
    const wasm = join(ROOT, 'www', 'pkg', 'agent_wasm_bg.wasm');
    copyFileSync(wasm, join(DIST, 'agent_wasm_bg.wasm'));
    const w = sizes(readFileSync(wasm));
    for (const k of Object.keys(s)) s[k] += w[k];
  }
  return s;
}

// ---- the endpoint and the pages -------------------------------------------
const sink = { bytes: 0, requests: 0, down: false };
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
const MIME = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

// What every page gives its subject: the endpoint, and ready/fail to report to (start-up is timed from window.__t0).
// arrived(path): start-up from the script at that path having arrived (its responseEnd), or null.
const BENCH = `window.BENCH = {
  endpoint: location.origin,
  ready(fn) { this.t = performance.now() - window.__t0; this.fn = fn; this.done = true; },
  fail(e) { this.error = e; this.done = true; },
  arrived(path) {
    const e = performance.getEntriesByType('resource').find((x) => new URL(x.name).pathname === path);
    return e ? this.t - (e.responseEnd - window.__t0) : null;
  },
};`;

// The script-tag subject's configuration, in both of its pages.
const TAG_CONFIG = "{ endpoint: location.origin + '/v1/batch', appVersion: '1.0.0', defaultConsent: 'granted' }";

// Start-up in a page that has settled: the same scripts, added one second
// after the load event. The page's own first work (its first layout, the new
// renderer's set-up) then no longer competes for this machine's two cores.
const LATE = `<script>
${BENCH}
addEventListener('load', () => setTimeout(() => {
  const s = document.createElement('script');
  if (window.LATE_TAG) {
    // As the README's loader form: the wasm preloaded beside the loader.
    const l = document.createElement('link');
    l.rel = 'preload';
    l.as = 'fetch';
    l.crossOrigin = 'anonymous';
    l.href = (window.LATE_PREFIX || '') + '/www/pkg/agent_wasm_bg.wasm';
    document.head.appendChild(l);
    s.src = (window.LATE_PREFIX || '') + '/www/loader.js';
    s.onload = () => telemetry.init(${TAG_CONFIG}).then(
      () => window.BENCH.ready(() => {}),
      (e) => window.BENCH.fail(String(e)),
    );
  } else {
    s.type = 'module';
    s.src = window.LATE_SRC;
  }
  window.__t0 = performance.now();
  document.head.appendChild(s);
}, 1000));
</script>`;

// For the loads without DevTools: the page posts its own start-up figures to /report.
// A repeat view's first visit (?prime) reports nothing: half a second after
// ready it goes on to the same page without ?prime, which reports.
const REPORT = (first) => `<script>
(function poll() {
  if (!window.BENCH.done) return setTimeout(poll, 20);
  if (location.search.includes('prime') && !window.BENCH.error) return setTimeout(() => location.replace(location.pathname + '?report&repeat'), 500);
  fetch('/report', { method: 'POST', body: JSON.stringify({ error: window.BENCH.error, t: window.BENCH.t, arrived: window.BENCH.arrived('${first}') }) });
})();
</script>`;

/** Paths under /cached/ are the same files, served cacheable (the repeat view). */
const CACHED = '/cached';

/** The path of a subject's first script: start-up "from arrival" counts from its responseEnd. */
const firstScript = (subject) => (subject === 'agent-tag' ? '/www/loader.js' : `/dist/${subject}.js`);

function page(name, report = false, repeat = false) {
  if (name.endsWith('-late')) {
    const subject = name.slice(0, -5);
    const prefix = repeat ? CACHED : '';
    const which = subject === 'agent-tag' ? `<script>window.LATE_TAG = true; window.LATE_PREFIX = '${prefix}';</script>` : `<script>window.LATE_SRC = '${prefix}/dist/${subject}.js';</script>`;
    return `<!doctype html><html><head><meta charset="utf-8"><title>bench ${name}</title>${which}${LATE}${report ? REPORT(prefix + firstScript(subject)) : ''}</head><body><p>bench</p></body></html>`;
  }
  if (name === 'agent-tag') {
    // Start-up is timed from the loader starting (the definition) to init() resolved.
    return `<!doctype html><html><head><meta charset="utf-8"><title>bench ${name}</title>
<script>
${BENCH}
window.__t0 = performance.now();
</script>
<link rel="preload" href="/www/pkg/agent_wasm_bg.wasm" as="fetch" crossorigin>
<script src="/www/loader.js"></script>
<script>
telemetry.init(${TAG_CONFIG}).then(
  () => { window.BENCH.stats = () => telemetry.getStats(); window.BENCH.ready((i) => telemetry.track('bench_event', { i, plan: 'pro', value: 1.5 })); },
  (e) => window.BENCH.fail(String(e)),
);
</script></head><body><p>bench</p></body></html>`;
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>bench ${name}</title>
<script>
window.__t0 = performance.now();
${BENCH}
</script>
<script type="module" src="/dist/${name}.js"></script></head><body><p>bench</p></body></html>`;
}

let onReport = null;
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const path = url.pathname;
  if (req.method === 'GET' && path.startsWith('/page/')) {
    // Cross-origin isolated: performance.now() then has 5 µs resolution, not 100 µs.
    res.writeHead(200, { 'content-type': 'text/html', ...ISOLATED });
    res.end(page(path.slice(6).replace(/\.html$/, ''), url.searchParams.has('report'), url.searchParams.has('repeat')));
    return;
  }
  if (req.method === 'POST' && path === '/report') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(204);
      res.end();
      if (onReport) onReport(JSON.parse(Buffer.concat(chunks).toString()));
    });
    return;
  }
  // The bundles (/dist/) and, for the script-tag subject, the shipped files
  // (/www/); under /cached/ the same, cacheable as a CDN serves them.
  const cached = path.startsWith(CACHED + '/');
  const local = cached ? path.slice(CACHED.length) : path;
  const dir = req.method === 'GET' && (local.startsWith('/dist/') ? DIST : local.startsWith('/www/') ? join(ROOT, 'www') : null);
  if (dir) {
    try {
      const file = join(dir, local.slice(local.indexOf('/', 1) + 1).replace(/\.\./g, ''));
      const stat = statSync(file);
      const caching = cached ? { 'cache-control': 'public, max-age=3600', 'last-modified': stat.mtime.toUTCString() } : {};
      res.writeHead(200, { 'content-type': MIME[extname(file)] || 'application/octet-stream', ...ISOLATED, ...caching });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404);
      res.end();
    }
    return;
  }
  // Everything else is the endpoint: count what arrives on the wire.
  let n = 0;
  const chunks = [];
  req.on('data', (c) => { n += c.length; if (process.env.BENCH_DEBUG) chunks.push(c); });
  req.on('end', () => {
    if (req.method === 'POST') {
      sink.bytes += n;
      sink.requests += 1;
      if (process.env.BENCH_DEBUG) {
        // BENCH_DEBUG=1: every request's size, and its body (inflated) in dist/bodies.log.
        process.stderr.write(`  POST ${path} ${n} B ${req.headers['content-encoding'] || ''}\n`);
        const body = Buffer.concat(chunks);
        appendFileSync(join(DIST, 'bodies.log'), (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString() + '\n');
      }
    }
    if (sink.down) {
      res.writeHead(503, { 'retry-after': '1' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(path.startsWith('/api/') ? '{"id":"0"}' : '{}');
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const BASE = `http://127.0.0.1:${server.address().port}`;

// Chunks of 100 calls per task, each chunk timed; long tasks observed meanwhile.
const BURST = `async ([events, chunk]) => {
  const fn = window.BENCH.fn;
  const long = [];
  const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => long.push(e.duration)));
  obs.observe({ type: 'longtask' });
  const per = [];
  let i = 0;
  while (i < events) {
    const t = performance.now();
    for (let k = 0; k < chunk; k++) fn(i++);
    per.push(((performance.now() - t) * 1000) / chunk);
    await new Promise((r) => setTimeout(r, 0));
  }
  await new Promise((r) => setTimeout(r, 1500));
  obs.disconnect();
  // The first 1,000 calls apart: a page that records a few events pays this, before the JIT has tiered up.
  const cold = per.slice(0, 10).reduce((n, x) => n + x, 0) / Math.min(10, per.length);
  per.sort((a, b) => a - b);
  // The agent counts what its bounds dropped (memory queue, then outbox); the peers say nothing.
  const dropped = window.BENCH.stats ? window.BENCH.stats().dropped : undefined;
  return { perEventUs: per[per.length >> 1], coldUs: cold, longTasks: long.length, longestMs: long.length ? Math.max(...long) : 0, burstDropped: dropped };
}`;

const HIDE = `() => {
  Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
  window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
  Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}`;

// Captures every wasm instance's memory, for the memory figure.
const WASM_MEMORY = `(() => {
  window.__wasmMemories = [];
  const keep = (r) => { const inst = r.instance || r; for (const v of Object.values(inst.exports || {})) if (v instanceof WebAssembly.Memory) window.__wasmMemories.push(v); return r; };
  const s = WebAssembly.instantiateStreaming, i = WebAssembly.instantiate;
  if (s) WebAssembly.instantiateStreaming = (...a) => s.apply(WebAssembly, a).then(keep);
  WebAssembly.instantiate = (...a) => i.apply(WebAssembly, a).then(keep);
})()`;

const memory = `() => { gc(); gc(); return performance.memory.usedJSHeapSize + (window.__wasmMemories || []).reduce((n, m) => n + m.buffer.byteLength, 0); }`;

async function open(browser, subject, late = false) {
  const context = await browser.newContext();
  await context.addInitScript(WASM_MEMORY);
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.goto(`${BASE}/page/${subject.name}${late ? '-late' : ''}.html`);
  await p.waitForFunction(() => window.BENCH.done, null, { timeout: 20_000 });
  const error = await p.evaluate(() => window.BENCH.error);
  if (error) throw new Error(`${subject.name}: ${error}`);
  return { context, page: p, errors };
}

async function runOnce(browser, subject) {
  const r = {};
  // Start-up, wire bytes for 100 events, per-event cost and long tasks.
  sink.down = false;
  {
    const { context, page: p } = await open(browser, subject);
    r.startupMs = await p.evaluate(() => window.BENCH.t);
    if (subject.call && !subject.floor) {
      await p.waitForTimeout(1500);
      sink.bytes = 0;
      sink.requests = 0;
      await p.evaluate(() => { for (let i = 0; i < 100; i++) window.BENCH.fn(i); });
      await p.evaluate(`(${HIDE})()`);
      await p.waitForTimeout(6000);
      r.wireBytes100 = sink.bytes;
      r.wireRequests100 = sink.requests;
    }
    if (subject.call) {
      // Main-thread time of every task during the burst and 1.5 s after it (the
      // SDK's own later work included: storing, sending), per event.
      const cdp = await context.newCDPSession(p);
      await cdp.send('Performance.enable');
      const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
      const before = await busy();
      Object.assign(r, await p.evaluate(`(${BURST})([${EVENTS}, ${CHUNK}])`));
      r.allInUs = ((await busy()) - before) * 1e6 / EVENTS;
    }
    await context.close();
  }
  // Start-up in a settled page; also from the subject's first script having
  // arrived (its responseEnd), which leaves out that one loopback request.
  {
    const { context, page: p } = await open(browser, subject, true);
    r.startupIdleMs = await p.evaluate(() => window.BENCH.t);
    const first = firstScript(subject.name);
    r.startupArrivedMs = await p.evaluate((first) => window.BENCH.arrived(first), first);
    await context.close();
  }
  // Memory with the endpoint down.
  if (subject.call && !subject.floor) {
    sink.down = true;
    const { context, page: p } = await open(browser, subject);
    await p.waitForTimeout(500);
    const before = await p.evaluate(`(${memory})()`);
    await p.evaluate(`(async () => { for (let i = 0; i < ${EVENTS}; i += ${CHUNK}) { for (let k = 0; k < ${CHUNK}; k++) window.BENCH.fn(i + k); await new Promise((r) => setTimeout(r, 0)); } })()`);
    await p.waitForTimeout(2000);
    r.memoryGrowthKB = Math.round(((await p.evaluate(`(${memory})()`)) - before) / 1024);
    await context.close();
    sink.down = false;
  }
  return r;
}

// One load of the settled page in a Chromium of its own, no DevTools attached;
// null when the page did not report within 20 s. With repeat, two visits in
// that browser: the first fills its HTTP cache, the second is measured.
async function plainLoad(subject, repeat = false) {
  const profile = mkdtempSync(join(tmpdir(), 'bench-plain-'));
  const got = new Promise((resolve) => {
    onReport = resolve;
    setTimeout(() => resolve(null), 20_000);
  });
  // A process group of its own, so that the browser's helper processes end with it.
  const proc = spawn(process.env.CHROMIUM_BIN || '/usr/bin/chromium', [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, `${BASE}/page/${subject.name}-late.html?report${repeat ? '&repeat&prime' : ''}`], { stdio: 'ignore', detached: true });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const report = await got;
  onReport = null;
  process.kill(-proc.pid, 'SIGTERM');
  await exited;
  await new Promise((resolve) => setTimeout(resolve, 300));
  rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  if (report?.error) throw new Error(`${subject.name}: ${report.error}`);
  return report;
}

const stats = (xs) => {
  const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return v.length ? { median: v[v.length >> 1], min: v[0], max: v[v.length - 1] } : null;
};

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium', args: CHROMIUM_ARGS });
const results = [];
for (const subject of SUBJECTS) {
  const size = await bundle(subject);
  const runs = [];
  // One discarded run first, for every subject alike: measured first in a
  // fresh browser right after the build, the agent ran up to 0.7 µs per call
  // slower than in runs of its own.
  await runOnce(browser, subject);
  for (let i = 0; i < RUNS; i++) runs.push(await runOnce(browser, subject));
  const row = { name: subject.name, label: subject.label, call: subject.call, floor: !!subject.floor, size };
  for (const k of ['startupMs', 'startupIdleMs', 'startupArrivedMs', 'perEventUs', 'coldUs', 'allInUs', 'longTasks', 'longestMs', 'wireBytes100', 'wireRequests100', 'memoryGrowthKB', 'burstDropped']) row[k] = stats(runs.map((x) => x[k]));
  const plain = [];
  for (let i = 0; i < (subject.floor ? 0 : LOADS); i++) plain.push(await plainLoad(subject));
  row.plainLoads = plain.filter(Boolean).length;
  row.startupPlainIdleMs = stats(plain.map((x) => x?.t));
  row.startupPlainArrivedMs = stats(plain.map((x) => x?.arrived));
  const repeat = [];
  for (let i = 0; i < (subject.floor ? 0 : REPEAT_LOADS); i++) repeat.push(await plainLoad(subject, true));
  row.repeatLoads = repeat.filter(Boolean).length;
  row.startupRepeatIdleMs = stats(repeat.map((x) => x?.t));
  row.startupRepeatArrivedMs = stats(repeat.map((x) => x?.arrived));
  // Of the agent's seven capabilities, what this subject's bundle does (bench/capabilities.mjs).
  row.capabilities = capabilityScore(subject.name);
  results.push(row);
  process.stderr.write(`measured ${subject.name}\n`);
}
await browser.close();
server.close();

// ---- the table ---------------------------------------------------------------
const agent = results.find((r) => r.name === 'agent');
const f = (s, d = 1) => (s ? `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})` : 'n/a');
const ratio = (a, b) => (a && b && b > 0 ? `${(a / b).toFixed(1)}×` : '');
const cols = ['subject', 'gzip KB', '×', 'capabilities of 7', 'gzip KB / capability', '×', 'brotli KB', 'start-up ms', '×', 'settled page ms', '×', 'from arrival ms', '×', 'no DevTools: settled', 'from arrival', '×', 'repeat view: settled', 'from arrival', '×', 'per event µs', '×', 'first 1,000 µs', 'all tasks µs/ev', 'long tasks', 'wire B/100 ev', 'memory KB/10k ev (endpoint down)'];
const lines = [cols];
const perCapability = (r) => (r?.capabilities ? r.size.gzip / 1024 / r.capabilities : null);
for (const r of results) {
  lines.push([
    r.label,
    (r.size.gzip / 1024).toFixed(1),
    r === agent ? '' : ratio(r.size.gzip, agent?.size.gzip),
    r.capabilities ?? '',
    perCapability(r)?.toFixed(1) ?? '',
    r === agent ? '' : ratio(perCapability(r), perCapability(agent)),
    (r.size.brotli / 1024).toFixed(1),
    f(r.startupMs),
    r === agent ? '' : ratio(r.startupMs?.median, agent?.startupMs?.median),
    f(r.startupIdleMs),
    r === agent ? '' : ratio(r.startupIdleMs?.median, agent?.startupIdleMs?.median),
    f(r.startupArrivedMs),
    r === agent ? '' : ratio(r.startupArrivedMs?.median, agent?.startupArrivedMs?.median),
    f(r.startupPlainIdleMs),
    f(r.startupPlainArrivedMs),
    r === agent ? '' : ratio(r.startupPlainArrivedMs?.median, agent?.startupPlainArrivedMs?.median),
    f(r.startupRepeatIdleMs),
    f(r.startupRepeatArrivedMs),
    r === agent ? '' : ratio(r.startupRepeatArrivedMs?.median, agent?.startupRepeatArrivedMs?.median),
    f(r.perEventUs, 2),
    r === agent ? '' : ratio(r.perEventUs?.median, agent?.perEventUs?.median),
    f(r.coldUs, 1),
    f(r.allInUs, 1),
    r.longTasks ? `${r.longTasks.median} (max ${r.longestMs.max.toFixed(0)} ms)` : 'n/a',
    f(r.wireBytes100, 0),
    f(r.memoryGrowthKB, 0),
  ]);
}
const widths = cols.map((_, i) => Math.max(...lines.map((l) => String(l[i]).length)));
console.log(`\nbenchmark: ${RUNS} runs each (no DevTools: ${LOADS} loads each, one browser process per load; repeat view: ${REPEAT_LOADS} each, two visits per process), median (min–max); × = subject / agent, measured in this run`);
for (const l of lines) console.log(l.map((c, i) => String(c).padEnd(widths[i])).join('  '));
const out = { date: new Date().toISOString(), runs: RUNS, loads: LOADS, repeatLoads: REPEAT_LOADS, events: EVENTS, chromium: browser.version?.() ?? null, results };
writeFileSync(join(HERE, 'results.json'), JSON.stringify(out, null, 2) + '\n');
for (const r of results.filter((x) => x.burstDropped)) {
  console.log(`${r.label}: of the burst's ${EVENTS.toLocaleString('en')} events (and those before it), dropped at its bounds (memory queue 1,000, outbox 5,000): ${f(r.burstDropped, 0)}`);
}
const floor = results.find((r) => r.floor);
for (const r of results.filter((x) => floor && x !== floor && x.perEventUs)) {
  console.log(`${r.label}: per event ${ratio(r.perEventUs.median, floor.perEventUs.median)} the floor (${f(floor.perEventUs, 2)} µs)`);
}
console.log('\nwritten to bench/results.json');
