// Consent gating on the demo page with its real banner (vanilla-cookieconsent).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCollector, launchBrowser, waitFor } from './harness.mjs';

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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Records every request the context makes that is not a file of the demo itself. */
async function watchRequests(context) {
  const seen = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== collector.base || url.pathname.startsWith('/v1/')) seen.push(`${route.request().method()} ${url.href}`);
    return route.continue();
  });
  return seen;
}

async function localState(page) {
  return page.evaluate(async () => ({
    idb: (await indexedDB.databases()).map((d) => d.name),
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
    cookie: document.cookie,
  }));
}

async function sessionOf(page) {
  return waitFor(async () => {
    const views = await collector.events({ name: 'page_view', limit: 1000 });
    const url = page.url();
    const mine = views.filter((v) => v.context.url === url);
    return mine.length ? mine[mine.length - 1].sessionId : null;
  });
}

test('before a choice nothing is sent or stored; accepting releases the held events, masked', async () => {
  const context = await browser.newContext();
  const seen = await watchRequests(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${collector.base}/?visit=pending`);
  await page.waitForSelector('#cc-main [data-role="all"]');
  // Navigate, throw and track while no choice is made.
  await page.goto(`${collector.base}/?visit=pending2`);
  await page.waitForFunction(() => window.telemetry && window.telemetry.consent && window.telemetry.consent.get && window.telemetry.consent.get());
  await page.evaluate(() => setTimeout(() => { throw new Error('thrown while pending'); }, 0));
  await page.click('#track');
  await page.click('#track');
  await page.evaluate(() => window.telemetry.flush());
  await sleep(1500); // longer than the demo's flush interval
  assert.deepEqual(seen, [], 'no request from the agent');
  assert.deepEqual(await localState(page), { idb: [], local: [], session: [], cookie: '' });
  const stats = await page.evaluate(() => window.telemetry.getStats());
  // Web Vitals are analytics data too: TTFB and FCP, and LCP (final at the first click).
  assert.equal(stats.held, 7, 'page view, the error, two clicks and three Web Vitals held in memory');
  assert.equal(stats.sent, 0);
  assert.equal((await collector.stats()).events, 0);
  assert.deepEqual(await page.evaluate(() => window.telemetry.consent.get()), {
    necessary: 'granted', analytics: 'pending', marketing: 'pending', privacySignal: false,
  });

  await page.click('#cc-main [data-role="all"]');
  const clicks = await waitFor(async () => {
    const ev = await collector.events({ name: 'demo_click' });
    return ev.length === 2 ? ev : null;
  });
  assert.ok(clicks, 'both held clicks arrived after accepting');
  for (const c of clicks) assert.equal(c.properties.contact, '[EMAIL]', 'the email was masked on the device');
  const views = await collector.events({ name: 'page_view' });
  assert.equal(views.length, 1, 'the held page view arrived');
  const heldErrors = await waitFor(async () => {
    const ev = await collector.events({ kind: 'error' });
    return ev.length ? ev : null;
  });
  assert.deepEqual(heldErrors.map((e) => e.message), ["thrown while pending"], "the held error arrived");
  const heldVitals = await waitFor(async () => {
    const names = (await collector.events({ kind: 'metric', session: views[0].sessionId })).map((m) => m.name).sort();
    return names.length === 3 ? names : null;
  });
  assert.deepEqual(heldVitals, ['FCP', 'LCP', 'TTFB'], 'the held Web Vitals arrived');
  assert.ok(seen.every((r) => r.startsWith('POST ') && new URL(r.slice(5)).pathname === '/v1/batch'), seen.join('\n'));
  assert.deepEqual(errors, ['Error: thrown while pending']);
  await context.close();
});

test('revoking stops sending and erases what the agent stored', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${collector.base}/?visit=revoke`);
  await page.click('#cc-main [data-role="all"]');
  await sessionOf(page);
  const stored = await page.evaluate(() => Object.keys(localStorage));
  assert.deepEqual(stored, ['telemetry:consent'], 'the decision is stored once given');

  await page.click('#withdraw');
  const seen = await watchRequests(context);
  const state = await page.evaluate(() => window.telemetry.consent.get());
  assert.equal(state.analytics, 'denied');
  await page.evaluate(() => window.telemetry.track('after_revoke', { n: 1 }));
  await page.evaluate(() => window.telemetry.flush());
  await sleep(1500);
  assert.deepEqual(seen, [], 'no request follows a revoke');
  const local = await localState(page);
  assert.deepEqual(local.idb, []);
  assert.ok(!local.local.includes('telemetry:consent'));
  const stats = await page.evaluate(() => window.telemetry.getStats());
  assert.equal(stats.pending, 0);
  assert.equal(stats.held, 0);
  assert.equal((await collector.events({ name: 'after_revoke' })).length, 0);
  await context.close();
});

test('with Global Privacy Control on, no analytics event is sent even after accepting', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  const seen = await watchRequests(context);
  const page = await context.newPage();
  await page.goto(`${collector.base}/?visit=gpc`);
  await page.click('#cc-main [data-role="all"]');
  await page.click('#track');
  await page.evaluate(() => window.telemetry.flush());
  await sleep(1500);
  const state = await page.evaluate(() => window.telemetry.consent.get());
  assert.equal(state.privacySignal, true);
  assert.equal(state.analytics, 'denied');
  assert.deepEqual(seen, []);
  const gpcViews = (await collector.events({ name: 'page_view', limit: 1000 })).filter((v) => v.context.url.includes('visit=gpc'));
  assert.equal(gpcViews.length, 0);
  await context.close();
});

test('forget() deletes the subject at the collector', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${collector.base}/?visit=forget`);
  await page.click('#cc-main [data-role="all"]');
  await page.click('#track');
  await page.evaluate(() => window.telemetry.flush());
  const session = await sessionOf(page);
  assert.ok(session);
  // LCP is reported once the page is idle after the click; TTFB and FCP before it.
  const lcp = await waitFor(async () => (await collector.events({ kind: 'metric', session })).some((m) => m.name === 'LCP'));
  assert.ok(lcp, 'LCP arrived');
  const before = (await (await fetch(`${collector.base}/v1/subjects/${session}`)).json()).count;
  assert.equal(before, 5, 'page view, click, TTFB, FCP and LCP stored for the session');
  const deleted = await page.evaluate(() => window.telemetry.forget());
  assert.equal(deleted, 5);
  const afterCount = (await (await fetch(`${collector.base}/v1/subjects/${session}`)).json()).count;
  assert.equal(afterCount, 0);
  console.log(`forget(): subject rows before ${before}, after ${afterCount}`);
  assert.deepEqual((await localState(page)).local, []);
  await context.close();
});
