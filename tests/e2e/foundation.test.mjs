// Foundation: one page view from the script tag to the collector's SQLite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCollector, launchBrowser, waitFor, batchValidator, captureBatches } from './harness.mjs';

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

test('the demo page delivers a page view with valid context and metadata, in schema', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, screen: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const bodies = captureBatches(page);
  const started = Date.now();
  await page.goto(`${collector.base}/`);
  // The demo asks for consent first; the page view is held until then.
  await page.click('#cc-main [data-role="all"]');

  const views = await waitFor(async () => {
    const ev = await collector.events({ name: 'page_view' });
    return ev.length ? ev : null;
  });
  assert.ok(views, 'a page_view reached SQLite within 10 s');
  assert.equal(views.length, 1);
  const v = views[0];
  assert.equal(v.kind, 'analytics');
  assert.equal(v.event, 'page_view');
  assert.match(v.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(v.sessionId.length > 0);
  assert.ok(v.timestamp >= started - 1000 && v.timestamp <= Date.now(), 'timestamp is now');
  assert.equal(v.properties.path, '/');
  assert.equal(v.properties.title, 'Telemetry agent demo');
  assert.equal(v.context.url, `${collector.base}/`);
  assert.equal(v.context.screenResolution, '1280x720');
  assert.equal(v.context.device, 'desktop');
  assert.match(v.context.browser, /Chrom/);
  assert.equal(v.context.os, 'Linux');
  assert.equal(v.context.userAgent, await page.evaluate(() => navigator.userAgent));
  assert.equal(v.context.timezone, await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone));
  assert.deepEqual(
    { version: v.metadata.version, environment: v.metadata.environment, source: v.metadata.source, retryCount: v.metadata.retryCount },
    { version: '0.1.0', environment: 'development', source: 'client', retryCount: 0 },
  );
  assert.ok(v.metadata.transmissionId);

  // Web Vitals go the same way: a key press makes LCP final; once it has
  // arrived (after TTFB and FCP) only the click below is left to send.
  await page.keyboard.press('Shift');
  const vitals = await waitFor(async () => {
    const names = (await collector.events({ kind: 'metric', session: v.sessionId })).map((m) => m.name);
    return names.includes('LCP') ? names.sort() : null;
  });
  assert.deepEqual(vitals, ['FCP', 'LCP', 'TTFB']);

  // A custom event through the same path, then an explicit flush.
  await page.click('#track');
  const acked = await page.evaluate(() => window.telemetry.flush());
  assert.equal(acked, 1);
  const clicks = await collector.events({ name: 'demo_click', session: v.sessionId });
  assert.equal(clicks.length, 1);
  assert.equal(clicks[0].properties.clicks, 1);
  assert.equal(clicks[0].properties.plan, 'free');

  // Every body the page sent is valid against the published JSON Schema.
  const validate = batchValidator();
  assert.ok(bodies.length >= 2, `captured ${bodies.length} batch bodies`);
  for (const body of bodies) {
    const ok = validate(JSON.parse(body));
    assert.ok(ok, JSON.stringify(validate.errors));
  }
  const stats = await page.evaluate(() => window.telemetry.getStats());
  assert.equal(stats.sent, 5, 'page view, TTFB, FCP, LCP and the click');
  assert.equal(stats.pending, 0);
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test('an invalid configuration is one clear error naming every bad field; the page keeps working', async () => {
  const page = await browser.newPage();
  const requests = [];
  page.on('request', (r) => r.url().includes('/v1/batch') && requests.push(r.url()));
  await page.route(`${collector.base}/fixture/blank.html`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>blank</title><p id=ok>page</p>' }),
  );
  await page.goto(`${collector.base}/fixture/blank.html`);
  const result = await page.evaluate(async () => {
    const agent = await import('/agent.js');
    let message = null;
    try {
      await agent.init({ endpoint: 42, appVersion: 'v1', environment: 'prod', sampleRate: 2, batchSize: 0 });
    } catch (e) {
      message = e.message;
    }
    // Calls after a failed init do not throw and send nothing.
    const tracked = agent.track('x', { a: 1 });
    const flushed = await agent.flush();
    return { message, tracked, flushed, text: document.getElementById('ok').textContent };
  });
  assert.equal(
    result.message,
    'telemetry: invalid configuration: endpoint: must be an http(s) URL or a path starting with /; ' +
      'appVersion: must be a semantic version such as 1.4.0; environment: must be development, staging or production; ' +
      'sampleRate: must be a number from 0 to 1; batchSize: must be an integer from 1 to 1000',
  );
  assert.equal(result.tracked, false);
  assert.equal(result.flushed, 0);
  assert.equal(result.text, 'page');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(requests, []);
  await page.close();
});
