// The site's masking rules and beforeSend, in a real page against the collector.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCollector, startFrontServer, launchBrowser, waitFor } from './harness.mjs';

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

test('maskKeys, maskPatterns, allowList and beforeSend shape what is stored and sent; a throwing hook drops and counts', async () => {
  const script = `
    import * as agent from '/agent.js';
    await agent.init({
      endpoint: '/v1/batch', defaultConsent: 'granted', trackPageViews: false, trackWebVitals: false,
      maskKeys: ['customer_ref'], maskPatterns: ['Project Falcon'], allowList: ['help@shop.example'],
      beforeSend(event) {
        if (event.event === 'drop_me') return null;
        if (event.event === 'throw_me') throw new Error('hook bug');
        if (event.event === 'rename_id') return { ...event, id: 'not-the-same' };
        if (event.kind === 'analytics') event.properties.seenByHook = true;
        return event;
      },
    });
    agent.track('order', { customer_ref: 'C-77', note: 'ask help@shop.example, not ann@example.com', plan: 'Project Falcon' });
    agent.track('drop_me', {});
    agent.track('throw_me', {});
    agent.track('rename_id', {});
    window.acked = await agent.flush();
    window.stats = agent.getStats();
  `;
  const front = await startFrontServer({
    upstream: collector.base,
    files: {
      '/rules.html': { body: '<!doctype html><title>rules</title><script type="module" src="/rules.js"></script>', file: 'rules.html' },
      '/rules.js': { body: script, file: 'rules.js' },
    },
  });
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${front.base}/rules.html`);
  await page.waitForFunction(() => window.stats, null, { timeout: 15_000 });
  const order = await waitFor(async () => (await collector.events({ name: 'order' }))[0]);
  assert.ok(order, 'the order event arrived');
  assert.deepEqual(
    { ref: order.properties.customer_ref, note: order.properties.note, plan: order.properties.plan, hook: order.properties.seenByHook },
    { ref: '[REDACTED]', note: 'ask help@shop.example, not [EMAIL]', plan: '[REDACTED]', hook: true },
  );
  for (const name of ['drop_me', 'throw_me', 'rename_id']) assert.equal((await collector.events({ name })).length, 0, name);
  const stats = await page.evaluate(() => window.stats);
  assert.equal(stats.droppedByHook, 3);
  assert.deepEqual(pageErrors, [], 'the hook threw inside the agent, not into the page');
  await page.close();
  await front.stop();
});

test('bad rules are named in the one configuration error', async () => {
  const front = await startFrontServer({ upstream: collector.base, files: { '/blank.html': { body: '<!doctype html><title>blank</title>', file: 'blank.html' } } });
  const page = await browser.newPage();
  await page.goto(`${front.base}/blank.html`);
  const message = await page.evaluate(async () => {
    const agent = await import('/agent.js');
    try {
      await agent.init({ endpoint: '/v1/batch', maskKeys: 'customer_ref', maskPatterns: ['ab'], beforeSend: 'yes' });
      return null;
    } catch (e) {
      return e.message;
    }
  });
  assert.equal(
    message,
    'telemetry: invalid configuration: maskKeys: must be a list of at most 50 non-empty strings of at most 200 characters; ' +
      'maskPatterns: must be a list of at most 50 strings of 3 to 200 characters; beforeSend: must be a function',
  );
  await page.close();
  await front.stop();
});
