// JavaScript errors: every source captured with the right category, severity
// and frames; an error storm is rate-limited without long tasks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCollector, launchBrowser, waitFor, ROOT, batchValidator, captureBatches } from './harness.mjs';

const PAGES = join(ROOT, 'tests', 'e2e', 'pages');
let collector;
let browser;

before(async () => {
  collector = await startCollector();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await collector?.stop();
});

/** Serves the fixture pages on the collector's origin; /api/fail answers 503. */
async function openFixture(context, { csp, page: pageName = 'errors.html' } = {}) {
  await context.route(`${collector.base}/fixture/**`, (route) => {
    const name = new URL(route.request().url()).pathname.replace('/fixture/', '');
    const type = name.endsWith('.html') ? 'text/html' : 'text/javascript';
    const headers = { 'content-type': type };
    if (csp && name.endsWith('.html')) headers['content-security-policy'] = csp;
    return route.fulfill({ status: 200, headers, body: readFileSync(join(PAGES, name)) });
  });
  await context.route(`${collector.base}/api/fail`, (route) => route.fulfill({ status: 503, body: 'down' }));
  const page = await context.newPage();
  if (pageName === 'errors.html') {
    // early.js must throw before the agent is ready (the loader's stub then
    // records it): the wasm, which the agent waits for, is held until the stub
    // has the error. Without this, a slow fixture route let the agent start first.
    await page.route('**/pkg/agent_wasm_bg.wasm', async (route) => {
      await page
        .waitForFunction(() => (window.telemetry?.e || []).some((x) => /early boom/.test(x.message)), null, { timeout: 10_000 })
        .catch(() => {});
      await route.continue();
    });
  }
  const bodies = captureBatches(page);
  await page.goto(`${collector.base}/fixture/${pageName}`);
  if (pageName === 'errors.html') {
    await page.waitForFunction(() => window.telemetry && window.telemetry.getStats && window.telemetry.getStats().accepted >= 1);
  }
  return { page, bodies };
}

/** 1-based line and column of `needle` on the line carrying `marker`. */
function locate(file, marker, needle) {
  const lines = readFileSync(join(PAGES, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  return { lineno: i + 1, colno: lines[i].indexOf(needle) + 1 };
}

async function errorsWhere(pred, n = 1) {
  return waitFor(async () => {
    const ev = (await collector.events({ kind: 'error', limit: 10000 })).filter(pred);
    return ev.length >= n ? ev : null;
  });
}

test('every error source reaches the collector with category, severity and frames', async () => {
  const context = await browser.newContext();
  const { page, bodies } = await openFixture(context, { csp: "img-src 'self'" });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  for (const fn of ['click', 'uncaught', 'rejectError', 'rejectString', 'rejectObject', 'rejectUndefined', 'resource', 'csp', 'consoleError', 'manual', 'message']) {
    await page.evaluate((f) => window.fixture[f](), fn);
  }
  await page.evaluate(() => window.fixture.serverError());
  await page.evaluate(() => window.fixture.networkError());
  await page.waitForTimeout(300);
  await page.evaluate(() => window.telemetry.flush());

  const all = await errorsWhere(() => true, 13);
  assert.ok(all, 'thirteen errors arrived');
  const by = (pred) => all.find(pred);
  const table = [];
  const check = (label, ev, category, severity, mechanism) => {
    assert.ok(ev, `${label} arrived`);
    table.push({ source: label, category: ev.category, severity: ev.severity, mechanism: ev.mechanism, message: ev.message.slice(0, 50) });
    assert.equal(ev.category, category, label);
    assert.equal(ev.severity, severity, label);
    assert.equal(ev.mechanism, mechanism, label);
    assert.ok(ev.fingerprint, `${label} has a fingerprint`);
    assert.equal(ev.metadata.version, '1.2.3');
  };

  const early = by((e) => e.message.includes('early boom'));
  check('preload', early, 'CLIENT_ERROR', 'ERROR', 'preload');
  const earlyAt = locate('early.js', 'early boom', 'new RangeError');
  assert.equal(early.frames[0].filename, `${collector.base}/fixture/early.js`);
  assert.deepEqual([early.frames[0].lineno, early.frames[0].colno], [earlyAt.lineno, earlyAt.colno]);

  const uncaught = by((e) => e.message.includes('uncaught from fixture'));
  check('uncaught', uncaught, 'CLIENT_ERROR', 'ERROR', 'onerror');
  assert.equal(uncaught.errorType, 'TypeError');
  const at = locate('errors.js', 'MARK:uncaught', 'new TypeError');
  assert.equal(uncaught.frames[0].filename, `${collector.base}/fixture/errors.js`);
  assert.equal(uncaught.frames[0].function, 'thrower');
  assert.deepEqual([uncaught.frames[0].lineno, uncaught.frames[0].colno], [at.lineno, at.colno]);
  assert.ok(uncaught.breadcrumbs.some((b) => b.category === 'click' && b.message === 'p#ready'), JSON.stringify(uncaught.breadcrumbs));

  const rejErr = by((e) => e.message.includes('rejected with an Error'));
  check('rejection (Error)', rejErr, 'CLIENT_ERROR', 'ERROR', 'onunhandledrejection');
  const rat = locate('errors.js', 'MARK:reject', 'new Error');
  assert.deepEqual([rejErr.frames[0].lineno, rejErr.frames[0].colno], [rat.lineno, rat.colno]);
  check('rejection (string)', by((e) => e.message.includes('plain string reason')), 'CLIENT_ERROR', 'ERROR', 'onunhandledrejection');
  const obj = by((e) => e.message.includes('code') && e.mechanism === 'onunhandledrejection');
  check('rejection (object)', obj, 'CLIENT_ERROR', 'ERROR', 'onunhandledrejection');
  check('rejection (undefined)', by((e) => e.message.includes('undefined') && e.mechanism === 'onunhandledrejection'), 'CLIENT_ERROR', 'ERROR', 'onunhandledrejection');

  const res = by((e) => e.mechanism === 'resource' && e.message.includes('avatar'));
  check('resource', res, 'NETWORK_ERROR', 'WARNING', 'resource');
  assert.ok(res.message.includes('/missing/avatar.png'), res.message);
  assert.ok(!JSON.stringify(res).includes('jane.doe@example.com'), 'the resource URL is masked');

  const csp = by((e) => e.mechanism === 'csp');
  check('csp', csp, 'CLIENT_ERROR', 'WARNING', 'csp');
  assert.ok(csp.message.includes('img-src'), csp.message);

  const con = by((e) => e.mechanism === 'console');
  check('console.error', con, 'CLIENT_ERROR', 'WARNING', 'console');
  assert.ok(!con.message.includes('4111'), 'the card number is masked');

  const server = by((e) => e.mechanism === 'network' && e.message.includes('503'));
  check('fetch 503', server, 'SERVER_ERROR', 'ERROR', 'network');
  const net = by((e) => e.mechanism === 'network' && e.message.includes(':9/unreachable'));
  check('fetch network failure', net, 'NETWORK_ERROR', 'ERROR', 'network');

  const manual = by((e) => e.message.includes('manual capture'));
  check('captureException', manual, 'CLIENT_ERROR', 'WARNING', 'manual');
  assert.deepEqual(manual.tags, { area: 'cart' });
  assert.equal(manual.errorType, 'SyntaxError');
  check('captureMessage', by((e) => e.message === 'checkout reached step 3'), 'CLIENT_ERROR', 'INFO', 'message');

  console.table(table);
  const validate = batchValidator();
  for (const b of bodies) assert.ok(validate(JSON.parse(b)), JSON.stringify(validate.errors));
  // The agent's own requests never show up as network errors or breadcrumbs.
  assert.ok(!all.some((e) => e.message.includes('/v1/batch')));
  // The page saw only its own errors: nothing from the agent.
  const own = ['uncaught from fixture', 'rejected with an Error', 'plain string reason', 'Object', 'undefined'];
  assert.deepEqual(pageErrors.filter((m) => !own.some((o) => m.includes(o))), []);
  await context.close();
});

async function storm(page, n, perTask) {
  return page.evaluate(
    async ([n, perTask]) => {
      const long = [];
      const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => long.push(e.duration)));
      obs.observe({ type: 'longtask' });
      const t0 = performance.now();
      await window.fixture.storm(n, perTask);
      const elapsed = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 100));
      obs.disconnect();
      return { elapsed, long };
    },
    [n, perTask],
  );
}

test('an error storm is rate-limited per fingerprint without long tasks', async () => {
  const N = 10_000;
  const PER_TASK = 20;
  // Baseline: the same storm on a page without the agent.
  const plainContext = await browser.newContext();
  await openFixture(plainContext, { page: 'plain.html' });
  const plainPage = plainContext.pages()[0];
  const base = await storm(plainPage, N, PER_TASK);
  await plainContext.close();

  const context = await browser.newContext();
  const { page } = await openFixture(context);
  const r = await storm(page, N, PER_TASK);
  await page.evaluate(() => window.telemetry.flush());
  const summaries = await waitFor(async () => {
    const ev = await collector.events({ kind: 'metric', name: 'errors.suppressed', limit: 1000 });
    return ev.length ? ev : null;
  });
  const events = (await collector.events({ kind: 'error', limit: 10000 })).filter((e) => e.message.startsWith('storm number'));
  const fingerprints = new Set(events.map((e) => e.fingerprint));
  const suppressed = summaries.filter((m) => fingerprints.has(m.attribution.fingerprint)).reduce((a, m) => a + m.value, 0);
  const perError = (ms) => ((ms * 1000) / N).toFixed(1);
  console.log(
    `storm of ${N} errors, ${PER_TASK} per task: ${r.elapsed.toFixed(0)} ms with the agent, ${base.elapsed.toFixed(0)} ms without ` +
      `(${perError(r.elapsed)} vs ${perError(base.elapsed)} µs per error: the agent adds ${perError(r.elapsed - base.elapsed)} µs); ` +
      `${events.length} delivered, ${suppressed} reported suppressed; long tasks with the agent ${JSON.stringify(r.long.map(Math.round))}, without ${JSON.stringify(base.long.map(Math.round))}`,
  );
  assert.equal(fingerprints.size, 1, 'the numbers in the message do not split the fingerprint');
  assert.equal(events.length, 10, 'at most the rate limit per fingerprint');
  assert.equal(events.length + suppressed, N, 'every occurrence is accounted for');
  await context.close();
  // On a loaded machine a long task can come from elsewhere (a GC pause, the
  // browser descheduled, another process on the core): a storm that had one
  // is run again on a fresh page, up to twice, and the agent must run one of
  // the storms without any. A cost of the agent's own shows in every storm.
  let long = r.long;
  for (let attempt = 2; long.length && attempt <= 3; attempt++) {
    const again = await browser.newContext();
    const { page: next } = await openFixture(again);
    long = (await storm(next, N, PER_TASK)).long;
    console.log(`long tasks in storm ${attempt} with the agent: ${JSON.stringify(long.map(Math.round))}`);
    await again.close();
  }
  assert.deepEqual(long, [], 'no long task in one of up to three storms with the agent');
});

test('a 1 MB stack and a deeply nested rejection reason are handled in bounded time', async () => {
  const context = await browser.newContext();
  const { page } = await openFixture(context);
  const r = await page.evaluate(async () => {
    const e = new Error('huge stack');
    e.stack = 'Error: huge stack\n' + '    at f ('.repeat(150_000) + ')'.repeat(10);
    const t0 = performance.now();
    window.telemetry.captureException(e);
    const hugeMs = performance.now() - t0;
    let deep = {};
    const root = deep;
    for (let i = 0; i < 100_000; i++) deep = deep.next = { level: i };
    const t1 = performance.now();
    window.telemetry.captureException(root);
    const deepMs = performance.now() - t1;
    const t2 = performance.now();
    Promise.reject(root);
    await new Promise((r) => setTimeout(r, 50));
    const rejectMs = performance.now() - t2 - 50;
    await window.telemetry.flush();
    return { len: e.stack.length, hugeMs, deepMs, rejectMs, stats: window.telemetry.getStats() };
  });
  console.log(`1 MB stack (${r.len} chars): ${r.hugeMs.toFixed(2)} ms; deeply nested object (100,000 levels): captureException ${r.deepMs.toFixed(2)} ms, as a rejection reason ~${Math.max(0, r.rejectMs).toFixed(2)} ms`);
  assert.ok(r.len >= 1_000_000);
  const huge = await errorsWhere((e) => e.message === 'huge stack');
  assert.ok(huge[0].stack.length <= 16_384, 'the stack is capped');
  const deep = await errorsWhere((e) => e.mechanism === 'onunhandledrejection' && e.message.includes('next'));
  assert.ok(deep);
  assert.ok(r.hugeMs < 1000 && r.deepMs < 1000, 'bounded');
  await context.close();
});

test('after the module traps, halt() leaves its own timers and entry points inert: nothing queued is sent', async () => {
  // The shipped build has no panic hook (a panic is a bare trap); www/agent.js
  // calls halt() when it disables itself. Here the module is driven directly.
  const context = await browser.newContext();
  const page = await context.newPage();
  await context.route(`${collector.base}/fixture/halt.html`, (route) =>
    route.fulfill({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: `<!doctype html><script type="module">
import init, * as w from '/pkg/agent_wasm.js';
await init();
w.start({ endpoint: '/v1/batch', defaultConsent: 'granted', trackPageViews: false, trackWebVitals: false, flushIntervalMs: 100 });
const sent = w.track('before_halt', undefined);
await w.flush();
const queued = w.track('queued_then_halted', undefined);
w.halt();
window.out = { sent, queued, after: w.track('after_halt', undefined), stats: Object.keys(w.getStats()).length };
</script>`,
    }),
  );
  await page.goto(`${collector.base}/fixture/halt.html`);
  const out = await waitFor(() => page.evaluate(() => window.out));
  assert.deepEqual(out, { sent: true, queued: true, after: false, stats: 0 });
  const before = await waitFor(async () => ((await collector.events({ name: 'before_halt' })).length ? true : null));
  assert.ok(before, 'the event tracked before halt() was delivered');
  // Ten flush intervals: the module's interval timer would have sent the queued event.
  await page.waitForTimeout(1_000);
  assert.equal((await collector.events({ name: 'queued_then_halted' })).length, 0);
  assert.equal((await collector.events({ name: 'after_halt' })).length, 0);
  await context.close();
});
