// Delivery that loses nothing: a chaos run against the real collector, and the
// IndexedDB outbox's bound with the endpoint down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startCollector, launchBrowser, waitFor, ROOT } from './harness.mjs';

const PAGES = join(ROOT, 'tests', 'e2e', 'pages');
let collector;
let browser;

before(async () => {
  collector = await startCollector(['--test-faults']);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await collector?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function fault(f) {
  const res = await fetch(`${collector.base}/v1/test/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
  assert.equal(res.status, 200);
}

async function newContext() {
  const context = await browser.newContext();
  await context.route(`${collector.base}/fixture/**`, (route) => {
    const name = new URL(route.request().url()).pathname.replace('/fixture/', '');
    return route.fulfill({ status: 200, contentType: 'text/html', body: readFileSync(join(PAGES, name)) });
  });
  return context;
}

async function open(context, name = 'delivery.html') {
  const page = await context.newPage();
  await page.goto(`${collector.base}/fixture/${name}`);
  await page.waitForFunction(() => window.telemetry && typeof window.telemetry.getStats === 'function' && window.telemetry.getStats().breaker);
  return page;
}

/** Closes a tab the way a visitor does (pagehide runs) and waits until it is gone. */
async function closeTab(page) {
  const closed = page.waitForEvent('close');
  await page.close({ runBeforeUnload: true });
  await closed;
}

const generated = new Set();
let next = 0;

/** Tracks `n` events with unique sequence numbers, in small bursts. */
async function generate(page, n) {
  const seqs = [];
  for (let i = 0; i < n; i++) seqs.push(next++);
  await page.evaluate(async (list) => {
    for (let i = 0; i < list.length; i += 20) {
      for (const seq of list.slice(i, i + 20)) window.telemetry.track('chaos', { seq });
      await new Promise((r) => setTimeout(r, 5));
    }
  }, seqs);
  seqs.forEach((s) => generated.add(s));
}

test('chaos: offline, 500, 429, hangs, closed tabs, reloads and two tabs lose nothing and store nothing twice', { timeout: 400_000 }, async () => {
  const context = await newContext();
  // A blank tab keeps the context alive while the test closes the others.
  await context.newPage();
  let page = await open(context);
  const phases = [];
  const phase = async (name, fn) => {
    const t0 = Date.now();
    await fn();
    phases.push(`${name} (${Date.now() - t0} ms)`);
  };

  await phase('normal', () => generate(page, 200));
  await phase('offline', async () => {
    await context.setOffline(true);
    await generate(page, 200);
    await sleep(1000);
    await context.setOffline(false);
  });
  await phase('500', async () => {
    await fault({ status: 500 });
    await generate(page, 200);
    await sleep(1500);
    await fault({});
  });
  await phase('429 Retry-After', async () => {
    await fault({ status: 429, retryAfter: '2' });
    await generate(page, 200);
    await sleep(1500);
    await fault({});
  });
  await phase('hang past the timeout', async () => {
    await fault({ hangMs: 12_000 });
    await generate(page, 200);
    await sleep(1500);
    await fault({});
  });
  await phase('close with sends in flight', async () => {
    await fault({ hangMs: 3_000 });
    await generate(page, 200);
    await closeTab(page);
    await fault({});
    page = await open(context);
  });
  await phase('reloads', async () => {
    await generate(page, 150);
    await page.reload();
    await page.waitForFunction(() => window.telemetry && window.telemetry.getStats && window.telemetry.getStats().breaker);
    await generate(page, 150);
    await page.reload();
    await page.waitForFunction(() => window.telemetry && window.telemetry.getStats && window.telemetry.getStats().breaker);
  });
  await phase('two tabs', async () => {
    const other = await open(context);
    await Promise.all([generate(page, 250), generate(other, 250)]);
    await closeTab(other);
  });
  await phase('offline tab closed, reopened online', async () => {
    await context.setOffline(true);
    await generate(page, 100);
    await closeTab(page);
    await context.setOffline(false);
    page = await open(context);
  });

  // Drain: the open tab sends what the others left behind (after their leases).
  const stored = await waitFor(async () => {
    await page.evaluate(() => window.telemetry.flush());
    const events = await collector.events({ name: 'chaos', limit: 10000 });
    return events.length >= generated.size ? events : null;
  }, 180_000, 1000);
  const events = stored || (await collector.events({ name: 'chaos', limit: 10000 }));
  const seqs = events.map((e) => e.properties.seq);
  const storedSet = new Set(seqs);
  const missing = [...generated].filter((s) => !storedSet.has(s));
  const stats = await collector.stats();
  const agent = await page.evaluate(() => window.telemetry.getStats());
  console.log(`chaos phases: ${phases.join(', ')}`);
  console.log(
    `generated ${generated.size}, stored ${events.length} (distinct ${storedSet.size}), duplicates received and ignored ${stats.duplicates}, ` +
      `faults answered ${stats.faults}, dropped ${agent.dropped}, missing ${missing.length}`,
  );
  if (missing.length) {
    const ranges = [];
    for (const m of missing.sort((a, b) => a - b)) {
      const last = ranges[ranges.length - 1];
      if (last && last[1] === m - 1) last[1] = m;
      else ranges.push([m, m]);
    }
    console.log(`missing ranges: ${JSON.stringify(ranges)}; agent on the last page: ${JSON.stringify(agent)}`);
  }
  // Self-telemetry: the delivery counters arrive as agent.stats metrics.
  const selfStats = await waitFor(async () => {
    await page.evaluate(() => window.telemetry.flush());
    const m = await collector.events({ kind: 'metric', name: 'agent.stats', limit: 1000 });
    return m.length ? m : null;
  }, 20_000, 500);
  assert.ok(selfStats, 'agent.stats metrics arrived');
  for (const m of selfStats) {
    assert.equal(m.value, m.attribution.sent);
    for (const k of ['accepted', 'sent', 'retried', 'stored', 'dropped', 'rejected']) assert.equal(typeof m.attribution[k], 'number', k);
  }
  console.log(`agent.stats metrics received: ${selfStats.length}, e.g. ${JSON.stringify(selfStats[selfStats.length - 1].attribution)}`);
  assert.ok(generated.size >= 2000);
  assert.deepEqual(missing, [], '0 lost');
  assert.equal(events.length, storedSet.size, '0 stored twice');
  assert.equal(storedSet.size, generated.size);
  await context.close();
});

test('a page exit sends what is pending once, gzip-compressed, and the endpoint stores all of it', { timeout: 60_000 }, async () => {
  const context = await newContext();
  const page = await open(context, 'exit.html');
  const sent = [];
  page.on('request', async (req) => {
    if (req.method() !== 'POST' || new URL(req.url()).pathname !== '/v1/batch') return;
    const buf = req.postDataBuffer();
    const gzip = (await req.allHeaders())['content-encoding'] === 'gzip';
    sent.push({ bytes: buf.length, gzip, events: JSON.parse((gzip ? gunzipSync(buf) : buf).toString('utf8')).events });
  });
  const N = 300;
  const exitMs = await page.evaluate((n) => {
    for (let i = 0; i < n; i++) window.telemetry.track('exit', { seq: i, plan: 'pro' });
    // Both exit signals, in the order browsers send them, then visible again.
    const t0 = performance.now();
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    const t = performance.now() - t0;
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    return t;
  }, N);
  const stored = await waitFor(async () => {
    const events = await collector.events({ name: 'exit', limit: 10000 });
    return events.length >= N ? events : null;
  }, 20_000, 200);
  await sleep(500);
  const ids = sent.flatMap((r) => r.events.map((e) => e.id));
  const bytes = sent.reduce((n, r) => n + r.bytes, 0);
  console.log(`page exit: ${N} events in ${sent.length} request(s), ${bytes} bytes on the wire (${(bytes / N).toFixed(1)} B per event), ${ids.length - new Set(ids).size} sent twice; the exit handlers (spill, serialise, gzip, start the request) took ${exitMs.toFixed(1)} ms`);
  assert.ok(stored, 'the endpoint stored every event');
  assert.equal(new Set(stored.map((e) => e.properties.seq)).size, N);
  assert.ok(sent.length >= 1 && sent.every((r) => r.gzip), 'exit bodies are gzip');
  assert.equal(ids.length, new Set(ids).size, 'the second exit signal does not send events already in flight');
  assert.ok(bytes < N * 60, `${bytes} bytes for ${N} events`);
  await context.close();
});

test('an event is in the outbox within the persist delay, also before the first tick opened it', { timeout: 60_000 }, async () => {
  const context = await newContext();
  const page = await open(context, 'exit.html'); // flushIntervalMs: 10 minutes, so no tick comes
  const started = Date.now();
  await page.evaluate(() => {
    for (let i = 0; i < 5; i++) window.telemetry.track('early_stored', { seq: i });
  });
  const stats = await waitFor(async () => {
    const s = await page.evaluate(() => window.telemetry.getStats());
    return s.storedNow >= 5 ? s : null;
  }, 5_000, 50);
  const ms = Date.now() - started;
  console.log(`5 events stored ${ms} ms after they were tracked, none sent: ${JSON.stringify(stats)}`);
  assert.ok(stats, 'the events reached the outbox without a flush or a tick: ' + JSON.stringify(await page.evaluate(() => window.telemetry.getStats())));
  assert.equal(stats.sent, 0, 'sending still waits for the flush interval');
  await context.close();
});

test('a full batch that comes while the first write opens the outbox is sent once it is open', { timeout: 60_000 }, async () => {
  const context = await newContext();
  const page = await open(context, 'opening.html'); // flushIntervalMs: 10 minutes, batches of 50
  await page.evaluate(
    () =>
      new Promise((resolve) => {
        window.telemetry.track('opening', { seq: 0 });
        // Due with the agent's 200 ms persist timer and queued after it: that timer's write has
        // begun opening the outbox when these 50 events fill a batch (the batch size is 50).
        setTimeout(() => {
          for (let i = 1; i <= 50; i++) window.telemetry.track('opening', { seq: i });
          resolve();
        }, 200);
      }),
  );
  const stats = await waitFor(async () => {
    const s = await page.evaluate(() => window.telemetry.getStats());
    return s.sent >= 51 ? s : null;
  }, 5_000, 100);
  assert.ok(stats, 'the full batch was sent without waiting for the next tick: ' + JSON.stringify(await page.evaluate(() => window.telemetry.getStats())));
  await context.close();
});

test('events already written to the outbox leave with the page exit, not with the next visit', { timeout: 60_000 }, async () => {
  const context = await newContext();
  const page = await open(context, 'exit.html');
  const N = 40;
  await page.evaluate(async (n) => {
    await window.telemetry.flush(); // opens the outbox (nothing to send yet)
    for (let i = 0; i < n; i++) window.telemetry.track('stored_exit', { seq: i });
  }, N);
  // Past the persist delay, before the next tick (flushIntervalMs is 10 minutes here):
  // the events are in IndexedDB only, nothing has been sent.
  const stats = await waitFor(async () => {
    const s = await page.evaluate(() => window.telemetry.getStats());
    return s.storedNow >= N ? s : null;
  }, 10_000, 100);
  assert.ok(stats, 'the events reached the outbox: ' + JSON.stringify(await page.evaluate(() => window.telemetry.getStats())));
  assert.equal(stats.sent, 0);
  await closeTab(page);
  // No other page of the site opens: the closing page itself sent them.
  const stored = await waitFor(async () => {
    const events = await collector.events({ name: 'stored_exit', limit: 1000 });
    return events.length >= N ? events : null;
  }, 10_000, 200);
  assert.ok(stored, `the endpoint has every stored event (${(await collector.events({ name: 'stored_exit', limit: 1000 })).length} of ${N})`);
  assert.equal(new Set(stored.map((e) => e.properties.seq)).size, N);
  await context.close();
});

test('the IndexedDB outbox stays within its bound with the endpoint down, and counts what it evicted', { timeout: 240_000 }, async () => {
  await fault({ status: 503 });
  const context = await newContext();
  const page = await open(context, 'bound.html');
  const r = await page.evaluate(async () => {
    const countStored = () =>
      new Promise((resolve) => {
        const req = indexedDB.open('telemetry-agent');
        req.onsuccess = () => {
          const db = req.result;
          // Events, not records: a record is a slice of events written together.
          const c = db.transaction('events').objectStore('events').getAll();
          c.onsuccess = () => {
            db.close();
            resolve(c.result.reduce((n, r) => n + (Array.isArray(r.ids) ? r.ids.length : 1), 0));
          };
        };
        req.onerror = () => resolve(-1);
      });
    let max = 0;
    for (let i = 0; i < 20_000; i += 500) {
      for (let j = i; j < i + 500; j++) window.telemetry.track('bound', { n: j });
      await new Promise((r) => setTimeout(r, 150));
      max = Math.max(max, await countStored());
    }
    await window.telemetry.flush();
    max = Math.max(max, await countStored());
    return { max, final: await countStored(), stats: window.telemetry.getStats() };
  });
  console.log(
    `store bound: 20000 tracked with the endpoint down; outbox max ${r.max}, final ${r.final}, written ${r.stats.stored}, evicted/dropped ${r.stats.dropped}, in memory ${r.stats.pending - r.stats.storedNow}`,
  );
  assert.ok(r.max <= 5000, `outbox peaked at ${r.max}`);
  assert.equal(r.final, r.stats.storedNow);
  assert.equal(r.stats.dropped, r.stats.stored - r.final, 'dropped equals what was evicted');
  assert.ok(r.stats.dropped >= 15_000);
  // The endpoint recovers: what is stored arrives, with the dropped count as self-telemetry.
  await fault({});
  const arrived = await waitFor(async () => {
    await page.evaluate(() => window.telemetry.flush());
    const s = await page.evaluate(() => window.telemetry.getStats());
    return s.storedNow === 0 ? s : null;
  }, 120_000, 500);
  assert.ok(arrived, 'the outbox drained after the endpoint recovered');
  const dropped = await collector.events({ kind: 'metric', name: 'agent.dropped', limit: 10000 });
  const delivered = await collector.events({ name: 'bound', limit: 10000 });
  console.log(`after recovery: ${delivered.length} bound events delivered, agent.dropped metrics received ${dropped.length} (sum ${dropped.reduce((a, m) => a + m.value, 0)})`);
  assert.ok(dropped.length > 0, 'the dropped count reached the endpoint');
  // Each report carries the running total; the newest is never the one evicted.
  const total = Math.max(...dropped.map((m) => m.attribution.totalDropped));
  console.log(`agent.dropped running total received: ${total}; evicted on the device in all: ${arrived.dropped}`);
  assert.equal(total, arrived.dropped, 'the endpoint learns exactly how many were evicted');
  await context.close();
});

test("events stored by the outbox's first version (one record per event) are sent after the upgrade to slices", { timeout: 60_000 }, async () => {
  // A real stored event's JSON, to make first-version records of.
  const first = await newContext();
  const page = await open(first, 'exit.html'); // flushIntervalMs: 10 minutes, so nothing is sent meanwhile
  await page.evaluate(() => window.telemetry.track('legacy_template', { seq: -1 }));
  await waitFor(async () => ((await page.evaluate(() => window.telemetry.getStats())).storedNow >= 1 ? true : null), 5_000, 50);
  const template = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('telemetry-agent');
        req.onsuccess = () => {
          const all = req.result.transaction('events').objectStore('events').getAll();
          all.onsuccess = () => resolve(all.result[0].bodies[0]);
          all.onerror = reject;
        };
        req.onerror = reject;
      }),
  );
  await first.close();

  const context = await newContext();
  const blank = await context.newPage();
  await blank.goto(`${collector.base}/fixture/blank.html`);
  const N = 3;
  const made = await blank.evaluate(
    ({ template, n }) =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('telemetry-agent', 1);
        req.onupgradeneeded = () => {
          const events = req.result.createObjectStore('events', { keyPath: 'id' });
          events.createIndex('order', 'o');
          req.result.createObjectStore('meta');
        };
        req.onsuccess = () => {
          const tx = req.result.transaction(['events', 'meta'], 'readwrite');
          const ids = [];
          let bytes = 0;
          for (let i = 0; i < n; i++) {
            const e = JSON.parse(template);
            e.id = crypto.randomUUID();
            e.event = 'legacy_v1';
            e.properties = { seq: i };
            const body = JSON.stringify(e);
            bytes += body.length;
            ids.push(e.id);
            tx.objectStore('events').put({ id: e.id, o: Date.now() * 1000 + i, lease: 0, body, bytes: body.length });
          }
          tx.objectStore('meta').put({ count: n, bytes, evicted: 0 }, 'm');
          tx.oncomplete = () => {
            req.result.close();
            resolve(ids);
          };
          tx.onerror = reject;
        };
        req.onerror = reject;
      }),
    { template, n: N },
  );
  assert.equal(made.length, N);
  await blank.close();

  const agent = await open(context, 'delivery.html');
  const sent = await waitFor(async () => {
    const events = await collector.events({ name: 'legacy_v1', limit: 100 });
    return events.length >= N ? events : null;
  }, 10_000, 100);
  assert.ok(sent, `the endpoint has the first version's events (${(await collector.events({ name: 'legacy_v1', limit: 100 })).length} of ${N})`);
  assert.deepEqual(sent.map((e) => e.id).sort(), [...made].sort());
  const after = await waitFor(async () => {
    const s = await agent.evaluate(() => window.telemetry.getStats());
    return s.storedNow === 0 ? s : null;
  }, 5_000, 100);
  assert.ok(after, 'the outbox is empty once they were acknowledged: ' + JSON.stringify(await agent.evaluate(() => window.telemetry.getStats())));
  const version = await agent.evaluate(async () => (await indexedDB.databases()).find((d) => d.name === 'telemetry-agent').version);
  assert.equal(version, 2);
  await context.close();
});

test('a tab of the outbox\'s first version that holds the database open does not stop delivery in a newer tab', { timeout: 60_000 }, async () => {
  const context = await newContext();
  const old = await context.newPage();
  await old.goto(`${collector.base}/fixture/blank.html`);
  // The old version's connection: open, and deaf to the upgrade's versionchange.
  await old.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('telemetry-agent', 1);
        req.onupgradeneeded = () => {
          req.result.createObjectStore('events', { keyPath: 'id' }).createIndex('order', 'o');
          req.result.createObjectStore('meta');
        };
        req.onsuccess = () => {
          window.held = req.result;
          resolve();
        };
        req.onerror = reject;
      }),
  );
  const page = await open(context, 'delivery.html');
  const N = 30;
  await page.evaluate((n) => {
    for (let i = 0; i < n; i++) window.telemetry.track('blocked_upgrade', { seq: i });
  }, N);
  const got = await waitFor(async () => {
    const events = await collector.events({ name: 'blocked_upgrade', limit: 100 });
    return events.length >= N ? events : null;
  }, 10_000, 100);
  assert.ok(got, `the newer tab delivered from memory (${(await collector.events({ name: 'blocked_upgrade', limit: 100 })).length} of ${N}): ` + JSON.stringify(await page.evaluate(() => window.telemetry.getStats())));
  assert.equal(new Set(got.map((e) => e.properties.seq)).size, N);
  assert.equal(await old.evaluate(() => window.held.version), 1, 'the old tab kept its connection');
  await context.close();
});
