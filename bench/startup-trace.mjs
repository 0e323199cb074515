// Where the agent's start-up goes on the page's main thread, read from a
// Chromium trace: the loader file added to a settled page (one second after
// its load event), from the script being added to init() resolved.
//
// Per load it sums the main thread's trace slices by kind: the wasm's
// functions compiled lazily as they first run (and how many), JavaScript
// compiled lazily, the wasm's streaming compilation and instantiation, and
// everything else the thread did in that time. Tracing slows every step
// (a load takes ~2x as long as without it), so read the shares, not the
// milliseconds; the no-DevTools start-up in run.mjs is the figure to quote.
//
// usage: node startup-trace.mjs [--loads 5] [--www ../www] [--names module.wasm]
//   --names: a module with a name section and the same function order as the
//   one served (`node scripts/size-breakdown.mjs --shipped --keep names.wasm`
//   writes one), to list the lazily compiled functions by name and size.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, extname, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functions } from '../scripts/wasm-reader.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const LOADS = Number(arg('--loads', 5));
const WWW = resolve(arg('--www', join(HERE, '..', 'www')));
const NAMES = arg('--names', null);
const TIMEOUT_MS = 20_000;

const MIME = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const PAGE = `<!doctype html><html><head><script>
addEventListener('load', () => setTimeout(() => {
  const s = document.createElement('script');
  s.src = '/www/loader.js';
  s.onload = () => telemetry.init({ endpoint: location.origin + '/v1/batch', appVersion: '1.0.0', defaultConsent: 'granted' })
    .then(() => { performance.mark('startup-trace:ready'); window.done = 'ok'; }, (e) => { window.done = String(e); });
  performance.mark('startup-trace:added');
  document.head.appendChild(s);
}, 1000));
</script></head><body><p>start-up trace</p></body></html>`;

/** Which kind of main-thread work a trace slice is, or null for the slices that only contain others. */
function kind(name) {
  if (name === 'wasm.CompileLazy') return 'wasm compiled lazily';
  if (/^wasm\.|^v8\.wasm\./.test(name)) return 'wasm streaming and instantiation';
  if (/^V8\.(CompileCode|ParseFunction|CompileIgnition|PreParse|ParseProgram|CompileLazy)/.test(name)) return 'JavaScript compiled';
  return null;
}

/** Milliseconds covered by any of the slices (nested ones counted once). */
function busy(slices) {
  let total = 0;
  let end = -Infinity;
  for (const e of [...slices].sort((a, b) => a.ts - b.ts)) {
    const from = Math.max(e.ts, end);
    if (e.ts + e.dur > from) total += e.ts + e.dur - from;
    end = Math.max(end, e.ts + e.dur);
  }
  return total / 1000;
}

const server = createServer((req, res) => {
  const u = new URL(req.url, 'http://127.0.0.1');
  if (u.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end(PAGE);
  }
  if (u.pathname.startsWith('/www/')) {
    try {
      const body = readFileSync(join(WWW, u.pathname.slice(5)));
      res.writeHead(200, { 'content-type': MIME[extname(u.pathname)] || 'application/octet-stream' });
      return res.end(body);
    } catch {
      // Falls through to the 404.
    }
  }
  if (u.pathname === '/v1/batch') {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end('{}');
  }
  res.writeHead(404);
  res.end();
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const loads = [];
const lazySeen = new Map();
try {
  for (let i = 0; i < LOADS; i++) {
    const page = await browser.newPage();
    await browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'v8.wasm', 'disabled-by-default-v8.compile', 'blink.user_timing', 'toplevel'] });
    await page.goto(url);
    await page.waitForFunction(() => window.done, null, { timeout: TIMEOUT_MS });
    const outcome = await page.evaluate(() => window.done);
    const events = JSON.parse(await browser.stopTracing()).traceEvents;
    await page.close();
    if (outcome !== 'ok') throw new Error(`init() failed: ${outcome}`);
    const mark = (n) => events.find((e) => e.name === `startup-trace:${n}`);
    const [added, ready] = [mark('added'), mark('ready')];
    const main = (e) => e.pid === added.pid && e.tid === added.tid;
    const within = events.filter((e) => main(e) && e.ph === 'X' && e.dur && e.ts >= added.ts && e.ts <= ready.ts);
    const load = { total: (ready.ts - added.ts) / 1000, busy: busy(within), lazyCount: 0 };
    const byKind = {};
    for (const e of within) {
      const k = kind(e.name);
      if (!k) continue;
      (byKind[k] ||= []).push(e);
      if (e.name === 'wasm.CompileLazy') {
        load.lazyCount++;
        lazySeen.set(e.args.func_index, (lazySeen.get(e.args.func_index) || 0) + 1);
      }
    }
    // Slices of one kind nest (a compile inside a parse): each counted once.
    for (const [k, slices] of Object.entries(byKind)) load[k] = busy(slices);
    loads.push(load);
  }
} finally {
  await browser.close();
  server.close();
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
};
const KINDS = ['wasm compiled lazily', 'JavaScript compiled', 'wasm streaming and instantiation'];
console.log(`start-up trace: the loader file in a settled page, ${LOADS} traced loads, medians (tracing slows every step)`);
console.log(`  added to init() resolved          ${median(loads.map((l) => l.total)).toFixed(2)} ms`);
console.log(`  main thread busy in that time     ${median(loads.map((l) => l.busy)).toFixed(2)} ms`);
for (const k of KINDS) console.log(`  ${k.padEnd(33)} ${median(loads.map((l) => l[k] || 0)).toFixed(2)} ms`);
console.log(`  wasm functions compiled lazily    ${median(loads.map((l) => l.lazyCount))}`);

if (NAMES) {
  const { imported, sizes, names } = functions(readFileSync(NAMES));
  const rows = [...lazySeen.keys()].map((i) => [sizes[i - imported] ?? 0, names.get(i) ?? `function ${i}`]).sort((a, b) => b[0] - a[0]);
  console.log(`\nlazily compiled in any load: ${rows.length} functions, ${rows.reduce((s, x) => s + x[0], 0)} of ${sizes.reduce((s, x) => s + x, 0)} bytes of code; the largest:`);
  for (const [size, name] of rows.slice(0, 25)) console.log(`  ${String(size).padStart(6)}  ${name.slice(0, 140)}`);
}
