// Page views, page leave and sessions on a small single-page app (www/spa/), the
// bad-input table, and the public API's surface (module, script-tag global, types).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startCollector, launchBrowser, waitFor, ROOT, batchValidator, captureBatches } from './harness.mjs';

const SPA = join(ROOT, 'www', 'spa');
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

/**
 * Serves www/spa with extra `data-` attributes on the loader's tag. A path under
 * /spa/ that is not a file gets index.html (the fallback a History-API app needs).
 */
async function serveSpa(context, attrs = {}) {
  const extra = Object.entries(attrs).map(([k, v]) => ` data-${k}="${v}"`).join('');
  await context.route(`${collector.base}/spa/**`, (route) => {
    const rel = new URL(route.request().url()).pathname.slice('/spa/'.length);
    const file = join(SPA, rel);
    if (rel && !rel.endsWith('.html') && existsSync(file) && statSync(file).isFile()) return route.continue();
    const html = readFileSync(join(SPA, rel.endsWith('.html') ? rel : 'index.html'), 'utf8').replace(
      '<script src="/loader.js"',
      '<script src="/loader.js"' + extra,
    );
    return route.fulfill({ status: 200, contentType: 'text/html', body: html });
  });
}

async function openSpa(attrs, path = '/spa/', options = {}) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 600 } });
  await serveSpa(context, attrs);
  // When back and forward really change the URL (history traversal is asynchronous).
  await context.addInitScript(() => {
    window.__pops = [];
    window.addEventListener('popstate', () => window.__pops.push(Date.now()));
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  const warnings = [];
  page.on('console', (m) => m.text().startsWith('[telemetry]') && warnings.push(m.text()));
  const bodies = captureBatches(page);
  await page.goto(`${collector.base}${path}`, options);
  await page.waitForFunction(() => window.telemetry && window.telemetry.getStats().accepted >= 1);
  return { context, page, problems, warnings, bodies };
}

/** Runs `fn` in the page and returns the page's clock just before it. */
async function at(page, fn, arg) {
  return page.evaluate(
    ([src, a]) => {
      const t = Date.now();
      new Function('a', src)(a);
      return t;
    },
    [`(${fn.toString()})(a)`, arg],
  );
}

/** The page is hidden (another tab, a minimised window) and shown again: headless
 * Chromium keeps every page visible, so the document's state is set and the event fired. */
async function setHidden(page, hidden) {
  return at(page, (h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

async function eventsOf(session, name, n) {
  const query = { name, limit: 1000 };
  if (session) query.session = session;
  return waitFor(async () => {
    const ev = (await collector.events(query)).sort((a, b) => a.timestamp - b.timestamp);
    return ev.length >= n ? ev : null;
  });
}

const within = (actual, expected, tolerance, label) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: ${actual} is not within ${tolerance} of ${expected}`);

test('a History-API app: navigations, a redirect, back and forward and replaceState on every render give exactly the expected page views and leaves', async () => {
  const { context, page, problems, bodies } = await openSpa({}, '/spa/?utm_source=newsletter&utm_campaign=spring', {
    referer: 'https://news.example/today',
  });
  const B = collector.base;
  const click = (href) => at(page, (h) => document.querySelector(`a[href="${h}"]`).click(), href);
  const traverse = async (step) => {
    const n = await page.evaluate(() => window.__pops.length);
    await page.evaluate((d) => history.go(d), step);
    await page.waitForFunction((k) => window.__pops.length > k, n);
    return page.evaluate(() => window.__pops[window.__pops.length - 1]);
  };
  const back = () => traverse(-1);
  const forward = () => traverse(1);

  await sleep(500);
  const tProducts = await click('/spa/products');
  await sleep(300);
  // Scroll the long products page so that 60 % of it has been in view.
  const depth = await page.evaluate(() => {
    const h = document.documentElement.scrollHeight;
    window.scrollTo(0, 0.6 * h - innerHeight);
    return ((scrollY + innerHeight) / h) * 100;
  });
  await sleep(500);
  const t42 = await click('/spa/products/42');
  // Visible 400 ms, hidden 800 ms, visible 300 ms: the hidden stretch does not count.
  await sleep(400);
  const tHidden = await setHidden(page, true);
  await sleep(800);
  const tShown = await setHidden(page, false);
  await sleep(300);
  const tAbout = await click('/spa/old-about'); // the router redirects to /spa/about with replaceState
  await sleep(400);
  const tBack1 = await back();
  await sleep(400);
  const tBack2 = await back();
  await sleep(400);
  const tForward = await forward();
  await sleep(400);
  // Same-page changes: a replaceState of the query, a hash link, a push of the same URL.
  await page.evaluate(() => {
    history.replaceState(history.state, '', '/spa/products/42?tab=reviews');
    location.hash = 'reviews';
    history.pushState({}, '', location.href);
  });
  await sleep(400);
  const tHome = await click('/spa/');
  await sleep(400);
  await page.evaluate(() => window.telemetry.flush());

  const first = (await eventsOf(undefined, 'page_view', 1)).find((v) => v.context.url.includes('utm_source=newsletter'));
  const session = first.sessionId;
  const views = await eventsOf(session, 'page_view', 8);
  const got = views.map((v) => [v.properties.navigation, v.properties.path, v.properties.referrer, v.properties.title]);
  const want = [
    ['initial', '/spa/', 'https://news.example/today', 'Home · SPA'],
    ['push', '/spa/products', `${B}/spa/?utm_source=newsletter&utm_campaign=spring`, 'Products · SPA'],
    ['push', '/spa/products/42', `${B}/spa/products`, 'Product 42 · SPA'],
    ['push', '/spa/about', `${B}/spa/products/42`, 'About · SPA'],
    ['pop', '/spa/products/42', `${B}/spa/about`, 'Product 42 · SPA'],
    ['pop', '/spa/products', `${B}/spa/products/42`, 'Products · SPA'],
    ['pop', '/spa/products/42', `${B}/spa/products`, 'Product 42 · SPA'],
    ['push', '/spa/', `${B}/spa/products/42?tab=reviews#reviews`, 'Home · SPA'],
  ];
  console.log('history router, page views (navigation, path, referrer):');
  console.table(got.map(([n, p, r]) => ({ navigation: n, path: p, referrer: r.replace(B, '') })));
  assert.deepEqual(got, want);
  assert.equal(views.length, 8, 'no duplicate from renders, the redirect, the hash link or the same-URL push');
  assert.equal(views[0].properties.referrerDomain, 'news.example');
  assert.equal(views[0].properties.utm_source, 'newsletter');
  assert.equal(views[0].properties.utm_campaign, 'spring');
  assert.equal(views[1].properties.referrerDomain, '127.0.0.1');
  assert.equal(views[3].context.url, `${B}/spa/about`, 'the redirect is recorded at its final URL');
  assert.match(views[0].context.language, /^[a-z]{2}/);

  const leaves = await eventsOf(session, 'page_leave', 8);
  const pageStart = await page.evaluate(() => performance.timeOrigin); // time on the first page counts from the navigation
  const expected = [
    ['/spa/', tProducts - pageStart],
    ['/spa/products', t42 - tProducts],
    ['/spa/products/42', tHidden - t42],
    ['/spa/products/42', tAbout - tShown],
    ['/spa/about', tBack1 - tAbout],
    ['/spa/products/42', tBack2 - tBack1],
    ['/spa/products', tForward - tBack2],
    ['/spa/products/42', tHome - tForward],
  ];
  console.log('page leaves (path, visibleMs measured vs expected, scrollDepth):');
  console.table(leaves.map((l, i) => ({ path: l.properties.path, visibleMs: l.properties.visibleMs, expected: Math.round(expected[i]?.[1]), scrollDepth: l.properties.scrollDepth })));
  assert.deepEqual(leaves.map((l) => l.properties.path), expected.map((e) => e[0]));
  leaves.forEach((l, i) => within(l.properties.visibleMs, expected[i][1], 100, `visible time on ${l.properties.path} (#${i})`));
  within(leaves[1].properties.scrollDepth, depth, 2, 'scroll depth of the products page');
  assert.ok(leaves[0].properties.scrollDepth < 100 && leaves[0].properties.scrollDepth > 50, 'the home page is a little taller than the window');
  // The hidden 800 ms are not counted: 400 + 300 visible, in two leaves of one page view.
  within(leaves[3].properties.totalVisibleMs, tHidden - t42 + (tAbout - tShown), 150, 'total visible time on product 42');
  assert.ok(leaves[3].properties.totalVisibleMs < tAbout - t42 - 600, 'hidden time excluded');
  // Each leave is sent with its own page's URL as context.
  assert.equal(leaves[1].context.url, `${B}/spa/products`);

  // Closing the tab ends the last page view: its leave is sent as the page goes.
  await page.close({ runBeforeUnload: true });
  const last = await eventsOf(session, 'page_leave', 9);
  assert.ok(last, 'the leave of the last page arrived after the tab closed');
  assert.equal(last[8].properties.path, '/spa/');

  const validate = batchValidator();
  for (const b of bodies) assert.ok(validate(JSON.parse(b)), JSON.stringify(validate.errors));
  assert.deepEqual(problems, []);
  await context.close();
});

test('a hash-router app: each route once, back and forward, a redirect by replaceState', async () => {
  const { context, page, problems } = await openSpa({}, '/spa/hash.html#/');
  const click = (href) => page.evaluate((h) => document.querySelector(`a[href="${h}"]`).click(), href);
  await sleep(300);
  await click('#/products');
  await sleep(300);
  await click('#/old-about');
  await sleep(300);
  await page.evaluate(() => history.back());
  await sleep(300);
  await page.evaluate(() => history.forward());
  await sleep(300);
  await page.evaluate(() => window.telemetry.flush());
  const all = await collector.events({ name: 'page_view', limit: 1000 });
  const session = all.find((v) => v.context.url.includes('/spa/hash.html')).sessionId;
  const views = await eventsOf(session, 'page_view', 5);
  const base = `${collector.base}/spa/hash.html`;
  const got = views.map((v) => [v.properties.path, v.properties.referrer || null]);
  console.log('hash router, page views:', JSON.stringify(got.map(([p]) => p)));
  assert.deepEqual(got, [
    ['/spa/hash.html#/', null],
    ['/spa/hash.html#/products', `${base}#/`],
    ['/spa/hash.html#/about', `${base}#/products`],
    ['/spa/hash.html#/products', `${base}#/about`],
    ['/spa/hash.html#/about', `${base}#/products`],
  ]);
  // A back step fires popstate and hashchange: one page view, seen first as popstate.
  assert.deepEqual(views.slice(3).map((v) => v.properties.navigation), ['pop', 'pop']);
  const leaves = await eventsOf(session, 'page_leave', 4);
  assert.deepEqual(leaves.map((l) => l.properties.path), got.slice(0, 4).map(([p]) => p));
  assert.deepEqual(problems, []);
  await context.close();
});

test('sessions: continued across reloads, rotated after the configured inactivity, stored only with consent', async () => {
  // A short inactivity timeout (5 s) instead of 30 minutes: long enough that
  // the reload "within the timeout" stays within it on a stalled machine (one
  // fresh-clone run took more than 1.5 s from the first page view to the reload).
  const { context, page } = await openSpa({ 'session-timeout-ms': 5000 });
  const viewsOf = async (n) => {
    await page.evaluate(() => window.telemetry.flush());
    return waitFor(async () => {
      const ev = (await collector.events({ name: 'page_view', limit: 10000 })).filter((v) => v.properties.path === '/spa/' && v.context.url.endsWith('/spa/?rotation'));
      return ev.length >= n ? ev : null;
    });
  };
  await page.goto(`${collector.base}/spa/?rotation`);
  await page.waitForFunction(() => window.telemetry.getStats().sent >= 1);
  const [a] = await viewsOf(1);
  const stored = await page.evaluate(() => sessionStorage.getItem('telemetry:session'));
  assert.ok(stored.startsWith(`s1|${a.sessionId}|`), stored);
  await sleep(300);
  await page.reload();
  await page.waitForFunction(() => window.telemetry.getStats().sent >= 1);
  const afterReload = await viewsOf(2);
  assert.equal(afterReload[1].sessionId, a.sessionId, 'a reload within the timeout continues the session');
  await sleep(5500);
  await page.reload();
  await page.waitForFunction(() => window.telemetry.getStats().sent >= 1);
  const afterIdle = await viewsOf(3);
  const b = afterIdle[2].sessionId;
  assert.notEqual(b, a.sessionId, 'after 5.5 s idle a reload starts a new session');
  // Within one page too: activity after the timeout rotates the session.
  await sleep(5300);
  await page.evaluate(() => window.telemetry.track('after_idle'));
  await page.evaluate(() => window.telemetry.flush());
  const [late] = await waitFor(async () => {
    const ev = await collector.events({ name: 'after_idle' });
    return ev.length ? ev : null;
  });
  assert.notEqual(late.sessionId, b);
  assert.ok((await page.evaluate(() => sessionStorage.getItem('telemetry:session'))).includes(late.sessionId), 'the new session is stored');
  console.log(`sessions across reloads: ${a.sessionId.slice(0, 8)} → reload 300 ms later ${afterReload[1].sessionId.slice(0, 8)} → reload after 5.5 s idle ${b.slice(0, 8)} → event after 5.3 s idle ${late.sessionId.slice(0, 8)}`);
  await context.close();

  // Consent pending: memory only, a new session per load; a grant stores it, a revoke erases it.
  const ctx2 = await browser.newContext();
  await serveSpa(ctx2, { 'default-consent': 'pending' });
  const p2 = await ctx2.newPage();
  const storageKeys = () => p2.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]);
  await p2.goto(`${collector.base}/spa/?memory`);
  await p2.waitForFunction(() => window.telemetry.getStats().held >= 1);
  await p2.reload();
  await p2.waitForFunction(() => window.telemetry.getStats().held >= 1);
  assert.deepEqual(await storageKeys(), [], 'nothing stored while consent is pending');
  await p2.evaluate(() => window.telemetry.consent.grant('analytics'));
  assert.ok((await p2.evaluate(() => sessionStorage.getItem('telemetry:session'))).startsWith('s1|'), 'stored once analytics is granted');
  await p2.evaluate(() => window.telemetry.consent.revoke());
  assert.deepEqual(await storageKeys(), [], 'a revoke erases the stored session');
  await ctx2.close();

  // sessionPersistence: 'memory' (cookieless) with consent: every load is a new session.
  const { context: ctx3, page: p3 } = await openSpa({ 'session-persistence': 'memory' }, '/spa/?cookieless');
  await p3.reload();
  await p3.waitForFunction(() => window.telemetry.getStats().sent >= 1);
  await p3.evaluate(() => window.telemetry.flush());
  const cookieless = await waitFor(async () => {
    const ev = (await collector.events({ name: 'page_view', limit: 10000 })).filter((v) => v.context.url.endsWith('?cookieless'));
    return ev.length >= 2 ? ev : null;
  });
  assert.notEqual(cookieless[0].sessionId, cookieless[1].sessionId);
  assert.deepEqual(await p3.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]), []);
  await ctx3.close();
});

test('bad input never throws: each call is cleaned or refused as documented, and counted', async () => {
  const { context, page, problems, warnings } = await openSpa({ debug: true }, '/spa/?bad-input');
  const results = await page.evaluate(() => {
    const cyclic = { a: 1 };
    cyclic.self = cyclic;
    let deep = {};
    const deepRoot = deep;
    for (let i = 0; i < 100000; i++) deep = deep.d = {};
    const manyKeys = {};
    for (let i = 0; i < 1000; i++) manyKeys['k' + i] = i;
    const big = {};
    for (let i = 0; i < 100; i++) big['s' + i] = 'y'.repeat(1000);
    const cases = [
      ['number as name', () => [42, {}]],
      ['undefined name', () => [undefined, {}]],
      ['symbol as name', () => [Symbol('x'), {}]],
      ['object as name', () => [{ toString: () => 'x' }, {}]],
      ['empty name', () => ['', {}]],
      ['300-character name', () => ['n'.repeat(300), {}]],
      ['array as properties', () => ['bad_array', [1, 2]]],
      ['string as properties', () => ['bad_string', 'plan=pro']],
      ['circular properties', () => ['bad_circular', cyclic]],
      ['functions and symbols', () => ['bad_functions', { f() {}, s: Symbol('s'), ok: 1, list: [1, () => 2] }]],
      ['BigInt', () => ['bad_bigint', { big: 2n ** 70n }]],
      ['1 MB string', () => ['bad_huge', { text: 'x'.repeat(1_000_000) }]],
      ['100,000 levels deep', () => ['bad_deep', deepRoot]],
      ['NaN and Infinity', () => ['bad_numbers', { a: NaN, b: -Infinity, c: 1.5 }]],
      ['throwing getter', () => ['bad_getter', { get boom() { throw new Error('getter'); }, ok: true }]],
      ['throwing proxy', () => ['bad_proxy', new Proxy({}, { ownKeys() { throw new Error('no keys'); } })]],
      ['DOM node and window', () => ['bad_dom', { el: document.body, w: window }]],
      ['lone surrogate', () => ['bad_surrogate', { s: 'a\uD800b' }]],
      ['1000 keys', () => ['bad_keys', manyKeys]],
      ['100 KB of strings', () => ['bad_big', big]],
      ['a Date (plain JSON, not cleaning)', () => ['ok_date', { when: new Date(0), nothing: undefined }]],
      ['__proto__ as a key', () => ['ok_proto', JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}')]],
    ];
    const out = [];
    for (const [label, make] of cases) {
      const before = window.telemetry.getStats();
      let threw = null;
      let returned;
      const t0 = performance.now();
      try {
        const [name, props] = make();
        returned = window.telemetry.track(name, props);
      } catch (e) {
        threw = String(e);
      }
      const ms = performance.now() - t0;
      const after = window.telemetry.getStats();
      out.push({
        label, threw, returned, ms,
        rejected: after.rejected - before.rejected,
        invalid: after.invalid - before.invalid,
        cleaned: after.cleaned - before.cleaned,
      });
    }
    // The rest of the API with garbage: nothing throws either.
    const others = [
      () => window.telemetry.identify(42),
      () => window.telemetry.identify('user-1', cyclic),
      () => window.telemetry.identify('user-1', 'traits'),
      () => window.telemetry.setTag({}, 1),
      () => window.telemetry.setTag('k', { nested: 1 }),
      () => window.telemetry.setTag('k', 10n),
      () => window.telemetry.addBreadcrumb({ category: Symbol('c'), message: 5, data: cyclic }),
      () => window.telemetry.addBreadcrumb('crumb'),
      () => window.telemetry.captureException(new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } })),
      () => window.telemetry.captureException(Symbol('s'), { tags: cyclic }),
      () => window.telemetry.captureMessage({ not: 'a string' }),
      () => window.telemetry.consent.grant(Symbol('x')),
      () => window.telemetry.consent.deny(cyclic),
      () => window.telemetry.mask(42),
      () => window.telemetry.consent.onChange('not a function'),
      () => window.telemetry.init('nonsense').catch(() => {}),
    ];
    const otherThrew = [];
    others.forEach((f, i) => {
      try {
        f();
      } catch (e) {
        otherThrew.push(i + ': ' + e);
      }
    });
    const stillWorks = window.telemetry.track('after_bad_input', { n: 1 });
    return { out, otherThrew, stillWorks, stats: window.telemetry.getStats() };
  });
  await page.evaluate(() => window.telemetry.flush());
  const one = async (name) => {
    const ev = await waitFor(async () => {
      const e = await collector.events({ name });
      return e.length ? e : null;
    });
    assert.ok(ev, `${name} arrived`);
    assert.equal(ev.length, 1, `${name} once`);
    return ev[0].properties;
  };
  // label → [outcome, check of the stored properties]
  const table = {
    'number as name': ['rejected'],
    'undefined name': ['rejected'],
    'symbol as name': ['rejected'],
    'object as name': ['rejected'],
    'empty name': ['invalid'],
    '300-character name': ['invalid'],
    'array as properties': ['rejected'],
    'string as properties': ['rejected'],
    'circular properties': ['cleaned', 'bad_circular', (p) => assert.deepEqual(p, { a: 1, self: '[Circular]' })],
    'functions and symbols': ['cleaned', 'bad_functions', (p) => assert.deepEqual(p, { ok: 1, list: [1, null] })],
    BigInt: ['cleaned', 'bad_bigint', (p) => assert.deepEqual(p, { big: '1180591620717411303424' })],
    '1 MB string': ['cleaned', 'bad_huge', (p) => {
      assert.equal([...p.text].length, 1000);
      assert.ok(p.text.endsWith('…'));
    }],
    '100,000 levels deep': ['cleaned', 'bad_deep', (p) => {
      let node = p;
      for (let i = 0; i < 9; i++) node = node.d;
      assert.equal(node.d, '[Truncated]', 'the tenth level is cut');
    }],
    'NaN and Infinity': ['cleaned', 'bad_numbers', (p) => assert.deepEqual(p, { a: null, b: null, c: 1.5 })],
    'throwing getter': ['cleaned', 'bad_getter', (p) => assert.deepEqual(p, { ok: true })],
    'throwing proxy': ['cleaned', 'bad_proxy', (p) => assert.deepEqual(p, {})],
    'DOM node and window': ['cleaned', 'bad_dom', (p) => assert.deepEqual(p, { el: '[BODY]', w: '[Window]' })],
    'lone surrogate': ['cleaned', 'bad_surrogate', (p) => assert.deepEqual(p, { s: 'a\uFFFDb' })],
    '1000 keys': ['cleaned', 'bad_keys', (p) => {
      assert.equal(Object.keys(p).length, 100);
      assert.equal(p.k99, 99);
    }],
    '100 KB of strings': ['cleaned', 'bad_big', (p) => {
      const size = JSON.stringify(p).length;
      assert.ok(size <= 33 * 1024 && size > 25 * 1024, `cut to about 32 KB (${size})`);
    }],
    'a Date (plain JSON, not cleaning)': ['accepted', 'ok_date', (p) => assert.deepEqual(p, { when: '1970-01-01T00:00:00.000Z' })],
    // Data, not the prototype of the copy: the key arrives as it was sent.
    '__proto__ as a key': ['accepted', 'ok_proto', (p) => assert.deepEqual(p, JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}'))],
  };
  const rows = [];
  for (const r of results.out) {
    const [outcome, name, check] = table[r.label];
    rows.push({ input: r.label, threw: r.threw ?? 'no', returned: r.returned, outcome, ms: r.ms.toFixed(2) });
    assert.equal(r.threw, null, `${r.label} threw`);
    // A bound, not a timing: every call takes a few ms; a stalled machine must not fail it, a call that walks 100,000 levels or copies 1 MB per key would.
    assert.ok(r.ms < 1000, `${r.label} took ${r.ms} ms`);
    const counts = { rejected: r.rejected, invalid: r.invalid, cleaned: r.cleaned };
    const want = { rejected: 0, invalid: 0, cleaned: 0 };
    if (outcome !== 'accepted') want[outcome] = 1;
    assert.deepEqual(counts, want, r.label);
    assert.equal(r.returned, outcome === 'cleaned' || outcome === 'accepted', `${r.label} return value`);
    if (check) check(await one(name));
  }
  console.log('bad input to track():');
  console.table(rows);
  assert.deepEqual(results.otherThrew, [], 'no other API call threw');
  assert.equal(results.stillWorks, true);
  await one('after_bad_input');
  // Refused calls leave no event behind.
  for (const name of ['bad_array', 'bad_string']) assert.equal((await collector.events({ name })).length, 0);
  // Debug mode says why, once per refused or cleaned call.
  const rejectedOrCleaned = results.out.filter((r) => r.rejected || r.cleaned).length;
  assert.ok(warnings.length >= rejectedOrCleaned, `${warnings.length} warnings for ${rejectedOrCleaned} calls`);
  assert.ok(warnings.some((w) => w.includes('circular')), warnings.join('\n'));
  assert.ok(results.stats.rejected >= 8 && results.stats.cleaned >= 12, JSON.stringify(results.stats));
  assert.deepEqual(problems, [], 'nothing reached the page as an error');
  await context.close();
});

/** Names a .d.ts declares at the top level of the module. */
function declaredNames() {
  const dts = readFileSync(join(ROOT, 'www', 'agent.d.ts'), 'utf8');
  return [...dts.matchAll(/^export (?:declare )?(?:function|const) (\w+)/gm)].map((m) => m[1]);
}

test('the API is the same from the module, the script-tag global (stub included) and the type definitions', async () => {
  const context = await browser.newContext();
  await serveSpa(context);
  // Hold the wasm back (the agent in the loader takes over once it has arrived)
  // so that the loader's stub is what the page calls first.
  let release;
  const held = new Promise((r) => (release = r));
  await context.route(`${collector.base}/pkg/agent_wasm_bg.wasm`, async (route) => {
    await held;
    return route.continue();
  });
  const page = await context.newPage();
  await page.goto(`${collector.base}/spa/?api`);
  const stub = await page.evaluate(() => {
    const t = window.telemetry;
    const flushed = t.flush(); // a promise that waits for the real flush
    window.__early = flushed.then((n) => n);
    const keys = Object.keys(t).filter((k) => !['q', 'e', 'off', 'w'].includes(k));
    return {
      keys: keys.sort(),
      consent: Object.keys(t.consent).sort(),
      tag: t.setTag('loaded_by', 'stub'),
      track: t.track('early_event', { from: 'stub' }),
      stats: t.getStats(),
      isPromise: flushed instanceof Promise,
    };
  });
  release();
  await page.waitForFunction(() => window.telemetry.getStats().accepted >= 2);
  const real = await page.evaluate(async () => {
    const mod = await import('/pkg/agent.min.js');
    return {
      global: Object.keys(window.telemetry).sort(),
      consent: Object.keys(window.telemetry.consent).sort(),
      module: Object.keys(mod).filter((k) => k !== 'attach').sort(),
      moduleConsent: Object.keys(mod.consent).sort(),
      // The loader carries its own copy of the module: the global's functions are that copy's, the stub's are gone.
      replaced: !('q' in window.telemetry) && window.telemetry.track('real_event', {}) === true,
      early: await window.__early,
    };
  });
  const types = declaredNames().filter((k) => k !== 'attach').sort();
  console.log(`API (${types.length} names): ${types.join(', ')}; consent: ${real.consent.join(', ')}`);
  assert.deepEqual(real.module, types, 'the module exports what agent.d.ts declares');
  assert.deepEqual(real.global, types, 'the script-tag global has the same names');
  assert.deepEqual(stub.keys, types, "the loader's stub has the same names");
  assert.equal(real.replaced, true, "the global is the agent's API now, not the stub");
  assert.deepEqual(real.consent, real.moduleConsent);
  assert.deepEqual(stub.consent, real.consent);
  assert.equal(stub.track, false);
  assert.equal(stub.isPromise, true);
  assert.equal(stub.stats.pending, 0);
  assert.equal(typeof real.early, 'number', 'the stub flush settled with the real one');
  await page.evaluate(() => window.telemetry.flush());
  const early = await waitFor(async () => {
    const e = await collector.events({ name: 'early_event' });
    return e.length ? e : null;
  });
  assert.equal(early[0].properties.from, 'stub');
  assert.deepEqual(early[0].properties.tags, { loaded_by: 'stub' }, 'setTag through the stub applies');

  // shutdown(): the current page view is closed and sent; nothing after it.
  const session = early[0].sessionId;
  const closed = await page.evaluate(() => window.telemetry.shutdown());
  assert.ok(closed >= 1, `shutdown acknowledged ${closed}`);
  const leave = await eventsOf(session, 'page_leave', 1);
  assert.equal(leave[0].properties.path, '/spa/');
  const afterShutdown = await page.evaluate(() => [window.telemetry.track('after_shutdown'), window.telemetry.getStats().accepted]);
  assert.deepEqual(afterShutdown, [false, 0]);
  await page.evaluate(() => history.pushState({}, '', '/spa/after'));
  await sleep(300);
  assert.equal((await collector.events({ name: 'after_shutdown' })).length, 0);
  assert.equal((await collector.events({ session, name: 'page_view' })).length, 1, 'no page view after shutdown');
  await context.close();
});
