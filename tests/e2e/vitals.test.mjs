// Web Vitals: on the same page load, the agent's values (read back from the
// collector) equal those of Google's web-vitals library (the attribution
// build, an npm devDependency used only here as the oracle): LCP, FCP, TTFB
// and INP within 1 ms, CLS within 1e-6, the same rating and navigation type.
//
// Each fixture page under pages/vitals/ loads the agent with its script tag
// and web-vitals, which reports into window.__wv and, beaconed as analytics
// events named `web-vitals`, into the same collector. A page is hidden the
// way a user hides it: Playwright cannot hide a tab, so the page is left for
// another one (a real, trusted visibilitychange). The page hidden at load and
// the prerendered page need a tab with no DevTools session attached, which
// Playwright cannot give (Chromium refuses to prerender under it and keeps
// every tab visible): those two run over a bare DevTools pipe (cdp.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startCollector, waitFor, ROOT, CHROMIUM_ARGS } from './harness.mjs';
import { launchPipeBrowser } from './cdp.mjs';

const MS_TOLERANCE = 1;
// After a back/forward-cache restore, LCP and FCP are both read with
// performance.now() in a double requestAnimationFrame: the same frame, but
// each library in its own callback, so whatever runs between the two callbacks
// (on a stalled machine, a few milliseconds) is in the difference. Less than
// half a frame still tells a reading one frame late (>= 16 ms) apart.
const RESTORE_PAINT_TOLERANCE = 8;
const CLS_TOLERANCE = 1e-6;

let collector;
let browser;
let mirror;
const rows = [];

/**
 * A grey PNG of seeded noise. Chromium skips images with less than 0.05 bits
 * of encoded data per displayed pixel as LCP candidates (a flat image is never
 * the LCP) and counts an upscaled image at its intrinsic size: so, noise at
 * the size it is shown (400×250).
 */
function noisePng(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    data.copy(out, 8);
    out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  let seed = 20251;
  const raw = Buffer.alloc((width + 1) * height);
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    raw[i] = i % (width + 1) === 0 ? 0 : seed >>> 24;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * The collector serves a mirror of www/ plus the fixture pages (/fixture/)
 * web-vitals from node_modules (/vendor/web-vitals.attribution.js) and the
 * noise image (/generated/hero.png): the same origin for Playwright's pages
 * and for the DevTools-pipe tabs, which Playwright routes cannot serve.
 */
function mirrorWww() {
  const dir = mkdtempSync(join(tmpdir(), 'vitals-www-'));
  const www = join(ROOT, 'www');
  for (const name of readdirSync(www)) {
    if (name !== 'vendor') symlinkSync(join(www, name), join(dir, name));
  }
  mkdirSync(join(dir, 'vendor'));
  for (const name of readdirSync(join(www, 'vendor'), { withFileTypes: true })) {
    symlinkSync(join(www, 'vendor', name.name), join(dir, 'vendor', name.name));
  }
  symlinkSync(join(ROOT, 'node_modules', 'web-vitals', 'dist', 'web-vitals.attribution.js'), join(dir, 'vendor', 'web-vitals.attribution.js'));
  symlinkSync(join(ROOT, 'tests', 'e2e', 'pages'), join(dir, 'fixture'));
  mkdirSync(join(dir, 'generated'));
  writeFileSync(join(dir, 'generated', 'hero.png'), noisePng(400, 250));
  return dir;
}

before(async () => {
  mirror = mirrorWww();
  collector = await startCollector(['--www', mirror]);
  // The back/forward cache is on (Playwright turns it off by default).
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  });
});

after(async () => {
  await browser?.close();
  await collector?.stop();
  if (mirror) rmSync(mirror, { recursive: true, force: true });
  const fmt = (r, v) => (v === undefined ? '—' : r.metric === 'CLS' ? v.toFixed(6) : v.toFixed(1));
  console.log('\nWeb Vitals: the agent (from the collector) against web-vitals, same page load');
  console.table(
    rows.map((r) => ({
      scenario: r.scenario,
      metric: r.metric,
      ours: fmt(r, r.ours),
      'web-vitals': fmt(r, r.theirs),
      difference: r.ours === undefined || r.theirs === undefined ? '—' : r.metric === 'CLS' ? (r.ours - r.theirs).toExponential(1) : (r.ours - r.theirs).toFixed(3),
      rating: r.ratings,
    })),
  );
});

const url = (page, scenario) => `${collector.base}/fixture/vitals/${page}.html?s=${scenario}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const phaseOf = (navigationType) => (navigationType === 'back-forward-cache' ? 'restore' : 'load');

const ofScenario = (scenario) => (e) => e.context && typeof e.context.url === 'string' && new URL(e.context.url).searchParams.get('s') === scenario;

/** The agent's metric events of one scenario (its page URL carries ?s=scenario). */
async function ourEvents(scenario) {
  return (await collector.events({ kind: 'metric', limit: 10000 })).filter(ofScenario(scenario));
}

/** web-vitals' reports of one scenario, as the oracle beaconed them. */
async function theirReports(scenario) {
  return (await collector.events({ kind: 'analytics', name: 'web-vitals', limit: 10000 })).filter(ofScenario(scenario)).map((e) => e.properties);
}

/**
 * Final value per (phase, metric): the deltas of one metric id add up to its
 * value (robust to the order reports arrive in); rating and navigation type
 * are those of the report that has that value.
 */
function finals(reports) {
  const byId = new Map();
  for (const r of reports) {
    const list = byId.get(r.id) || [];
    list.push(r);
    byId.set(r.id, list);
  }
  const out = new Map();
  for (const list of byId.values()) {
    const value = list.reduce((a, r) => a + r.delta, 0);
    const last = list.reduce((best, r) => (Math.abs(r.value - value) < Math.abs(best.value - value) ? r : best));
    const key = `${phaseOf(last.navigationType)} ${last.name}`;
    assert.ok(!out.has(key), `one metric id per phase and metric: ${key}`);
    out.set(key, { name: last.name, value, rating: last.rating, navigationType: last.navigationType, reports: list.length });
  }
  return out;
}

function asReports(events) {
  return events.map((e) => ({
    id: e.attribution.metricId,
    name: e.name,
    value: e.value,
    delta: e.delta,
    rating: e.rating,
    navigationType: e.navigationType,
  }));
}

/**
 * Compares the two sides metric by metric, records the table rows, and
 * returns our finals for scenario-specific checks.
 */
function compare(scenario, ourReports, theirReports) {
  const ours = finals(ourReports);
  const theirs = finals(theirReports);
  const keys = [...new Set([...theirs.keys(), ...ours.keys()])].sort();
  for (const key of keys) {
    const o = ours.get(key);
    const t = theirs.get(key);
    const metric = (o || t).name;
    const phase = key.split(' ')[0];
    rows.push({
      scenario: phase === 'restore' ? `${scenario} (after restore)` : scenario,
      metric,
      ours: o?.value,
      theirs: t?.value,
      ratings: o && t ? (o.rating === t.rating ? o.rating : `${o.rating} ≠ ${t.rating}`) : '—',
    });
  }
  for (const key of keys) {
    const o = ours.get(key);
    const t = theirs.get(key);
    assert.ok(t, `${scenario}: web-vitals reported ${key} too (agent: ${JSON.stringify(o)})`);
    assert.ok(o, `${scenario}: the agent reported ${key} too (web-vitals: ${JSON.stringify(t)})`);
    const restorePaint = key.startsWith('restore ') && (o.name === 'LCP' || o.name === 'FCP');
    const tolerance = o.name === 'CLS' ? CLS_TOLERANCE : restorePaint ? RESTORE_PAINT_TOLERANCE : MS_TOLERANCE;
    assert.ok(Math.abs(o.value - t.value) <= tolerance, `${scenario} ${key}: agent ${o.value} vs web-vitals ${t.value}`);
    assert.equal(o.rating, t.rating, `${scenario} ${key}: rating`);
    assert.equal(o.navigationType, t.navigationType, `${scenario} ${key}: navigation type`);
  }
  return ours;
}

/**
 * Both sides' reports of a scenario, once (bounded wait) each side has every
 * (phase, metric) the other has and nothing more arrived for a moment.
 */
async function settle(scenario) {
  const keys = (list) => new Set(list.map((r) => `${phaseOf(r.navigationType)} ${r.name}`));
  let last = '';
  const done = await waitFor(async () => {
    const ours = await ourEvents(scenario);
    const theirs = await theirReports(scenario);
    const a = keys(ours);
    const b = keys(theirs);
    const counts = `${ours.length}/${theirs.length}`;
    const complete = b.size > 0 && a.size === b.size && [...b].every((k) => a.has(k)) && counts === last;
    last = counts;
    return complete ? { ours, theirs } : null;
  }, 10_000, 400);
  return done || { ours: await ourEvents(scenario), theirs: await theirReports(scenario) };
}

/** Opens a fixture page in its own context. */
async function open(page, scenario) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const tab = await context.newPage();
  const pageErrors = [];
  tab.on('pageerror', (e) => pageErrors.push(e.message));
  await tab.goto(url(page, scenario));
  await tab.waitForFunction(() => Array.isArray(window.__wv) && window.telemetry && window.telemetry.getStats && window.telemetry.getStats().accepted >= 1, null, { timeout: 10_000 });
  return { context, tab, pageErrors };
}

/** Leaves the page for another one: it is hidden (and maybe kept in the back/forward cache). */
async function leave(tab) {
  await tab.goto(`${collector.base}/fixture/vitals/away.html`);
  await sleep(300);
}

async function run(scenario, page, act) {
  const { context, tab, pageErrors } = await open(page, scenario);
  const extra = await act(tab);
  await leave(tab);
  const { ours, theirs } = await settle(scenario);
  await context.close();
  assert.deepEqual(pageErrors, [], 'the page threw nothing');
  return { ours, oracle: theirs, extra };
}

test('delayed image LCP', async () => {
  const { ours, oracle } = await run('delayed image LCP', 'lcp-image', async (tab) => {
    await tab.waitForFunction(() => document.getElementById('hero')?.complete, null, { timeout: 5_000 });
    await sleep(800);
  });
  const f = compare('delayed image LCP', asReports(ours), oracle);
  assert.ok(f.get('load LCP').value >= 700, 'the image, added at 700 ms, is the LCP');
  assert.ok(!f.has('load INP'), 'no interaction, no INP');
  const lcp = ours.find((e) => e.name === 'LCP');
  assert.equal(lcp.attribution.target, '#hero');
  assert.equal(lcp.attribution.url, `${collector.base}/generated/hero.png`, 'the resource URL keeps its host');
  assert.equal(lcp.unit, 'ms');
});

test('text LCP', async () => {
  const { ours, oracle } = await run('text LCP', 'lcp-text', async (tab) => {
    await tab.waitForSelector('.story', { timeout: 5_000 });
    await sleep(800);
  });
  const f = compare('text LCP', asReports(ours), oracle);
  assert.ok(f.get('load LCP').value >= 400, 'the paragraph added at 400 ms is the LCP');
  const lcp = ours.find((e) => e.name === 'LCP');
  assert.equal(lcp.attribution.target, '#content>div.story>p');
  assert.equal(lcp.attribution.url, undefined, 'text has no URL');
});

test('LCP after a click is final at the click', async () => {
  let hiddenAt;
  const { ours, oracle } = await run('LCP after a click', 'lcp-click', async (tab) => {
    await sleep(500);
    await tab.click('#reveal');
    // Reported when idle after the click, before the page is hidden.
    const lcp = await waitFor(async () => (await ourEvents('LCP after a click')).find((e) => e.name === 'LCP'), 5_000, 100);
    assert.ok(lcp, 'the agent reported LCP after the click, with the page still visible');
    assert.equal(lcp.attribution.final, true);
    hiddenAt = Date.now();
  });
  const f = compare('LCP after a click', asReports(ours), oracle);
  assert.ok(f.get('load LCP').value < 500, 'the image revealed by the click does not count');
  assert.ok(ours.find((e) => e.name === 'LCP').timestamp < hiddenAt);
});

/** CLS from the page's own record of shifts: session windows (gap < 1 s, span < 5 s), largest wins. */
function clsOf(shifts) {
  return clsWindow(shifts).value;
}

/** The largest session window of the page's own record: its value and its shifts. */
function clsWindow(shifts) {
  let best = { value: 0, shifts: [] };
  let value = 0;
  let window = [];
  for (const s of shifts.filter((s) => !s.hadRecentInput)) {
    const prev = window[window.length - 1];
    if (value && s.startTime - prev.startTime < 1000 && s.startTime - window[0].startTime < 5000) {
      value += s.value;
      window.push(s);
    } else {
      value = s.value;
      window = [s];
    }
    if (value > best.value) best = { value, shifts: [...window] };
  }
  return best;
}

test('several CLS windows', async () => {
  const { ours, oracle, extra } = await run('several CLS windows', 'cls-windows', async (tab) => {
    await tab.waitForFunction(() => window.__shiftsDone, null, { timeout: 8_000 });
    await sleep(400);
    return tab.evaluate(() => window.__shifts);
  });
  const f = compare('several CLS windows', asReports(ours), oracle);
  const cls = f.get('load CLS').value;
  assert.ok(extra.length >= 6, `six shifts happened (${extra.length})`);
  assert.ok(Math.abs(cls - clsOf(extra)) < CLS_TOLERANCE, `CLS ${cls} is the largest window of the page's own record (${clsOf(extra)})`);
  const event = ours.find((e) => e.name === 'CLS');
  assert.equal(event.unit, 'score');
  // The page means the second window (its shifts at ~2 s) to be the largest; under load its timers
  // run late, so the expected time comes from its own record of the shifts.
  const largest = clsWindow(extra).shifts.reduce((a, b) => (b.value > a.value ? b : a));
  const t = event.attribution.largestShiftTime;
  assert.ok(Math.abs(t - largest.startTime) < 1, `the largest shift of the largest window is named (${t}, expected ${largest.startTime})`);
  assert.ok(t > 1900, `it is in the second window, not the first (${t})`);
});

test('several CLS windows with reportAllChanges', async () => {
  const { ours, oracle } = await run('CLS, reportAllChanges', 'cls-windows-all', async (tab) => {
    await tab.waitForFunction(() => window.__shiftsDone, null, { timeout: 8_000 });
    await sleep(400);
  });
  compare('CLS, reportAllChanges', asReports(ours), oracle);
  const values = (list) => list.filter((r) => r.name === 'CLS').map((r) => r.value).sort((a, b) => a - b);
  const mine = values(ours);
  const theirs = values(oracle);
  assert.ok(theirs.length >= 3, `web-vitals reported every change (${theirs.length})`);
  assert.equal(mine.length, theirs.length, `as many CLS reports (${mine} vs ${theirs})`);
  mine.forEach((v, i) => assert.ok(Math.abs(v - theirs[i]) < CLS_TOLERANCE, `report ${i}: ${v} vs ${theirs[i]}`));
});

test('shifts right after input do not count', async () => {
  const { ours, oracle, extra } = await run('shifts after input', 'cls-input', async (tab) => {
    await sleep(600);
    await tab.click('#expand');
    await tab.waitForFunction(() => window.__lateShift, null, { timeout: 5_000 });
    await sleep(400);
    return tab.evaluate(() => window.__shifts);
  });
  const f = compare('shifts after input', asReports(ours), oracle);
  assert.ok(extra.some((s) => s.hadRecentInput && s.value > 0), 'a shift right after the click was flagged hadRecentInput');
  const all = extra.reduce((a, s) => a + s.value, 0);
  const cls = f.get('load CLS').value;
  assert.ok(Math.abs(cls - clsOf(extra)) < CLS_TOLERANCE && cls < all, `CLS ${cls} leaves out the expected shift (all shifts: ${all})`);
});

/**
 * The page's own record of its interactions (Event Timing, observed from
 * before the first one): each interaction's longest entry, longest first. A
 * stalled machine can make any interaction the longest, so the INP checks
 * follow this record rather than the handlers' nominal times.
 */
async function recordInteractions(tab) {
  await tab.evaluate(() => {
    window.__interactions = new Map();
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (!e.interactionId) continue;
        const seen = window.__interactions.get(e.interactionId);
        if (!seen || e.duration > seen.duration) window.__interactions.set(e.interactionId, { id: e.interactionId, duration: e.duration, target: e.target ? e.target.id : null, type: e.name });
      }
    }).observe({ type: 'event', durationThreshold: 16 });
  });
}

function interactionsOf(tab) {
  return tab.evaluate(() => [...window.__interactions.values()].sort((a, b) => b.duration - a.duration));
}

/** An INP and an Event Timing duration from the same entry (both are the entry's `duration`). */
const near = (a, b) => Math.abs(a - b) < 1;
/** How far two coarsened clock readings of the same span may drift apart, in ms. */
const CLOCK_STEPS = 0.5;

test('INP with handlers blocking for different times', async () => {
  const { ours, oracle, extra: seen } = await run('INP, few interactions', 'inp', async (tab) => {
    await recordInteractions(tab);
    await sleep(300);
    for (const id of ['#b60', '#b180', '#b320']) {
      await tab.click(id);
      await sleep(250);
    }
    await tab.click('#field');
    await tab.keyboard.press('a');
    await sleep(1300);
    return interactionsOf(tab);
  });
  const f = compare('INP, few interactions', asReports(ours), oracle);
  const inp = f.get('load INP').value;
  const longest = seen[0];
  assert.ok(inp >= 320, `the 320 ms handler's interaction is at least that long (${inp})`);
  assert.ok(near(inp, longest.duration), `INP is the page's longest interaction (${inp}; the page saw ${JSON.stringify(seen)})`);
  const event = ours.find((e) => e.name === 'INP');
  assert.equal(event.attribution.interactionTarget, '#' + longest.target);
  assert.equal(event.attribution.interactionType, longest.type.startsWith('key') ? 'keyboard' : 'pointer');
  const a = event.attribution;
  // The handlers block for the time in their ids (b60, b180, b320); the field's for none.
  const blocked = Number(String(longest.target).slice(1)) || 0;
  // Both clocks are coarsened (100 µs steps, with jitter, on a page that is not cross-origin isolated):
  // the handler's own performance.now() and the entry's processingStart/End can disagree by a step or two.
  assert.ok(a.processingDuration >= blocked - CLOCK_STEPS, `the handler's time is processing (${a.processingDuration} for #${longest.target})`);
  assert.ok(Math.abs(a.inputDelay + a.processingDuration + a.presentationDelay - event.value) < 1e-6, 'the three phases add up to INP');
});

test('INP over 50 interactions leaves out the longest', async () => {
  const { ours, oracle, extra } = await run('INP, 56 interactions', 'inp', async (tab) => {
    await recordInteractions(tab);
    await sleep(300);
    await tab.click('#b450');
    await sleep(200);
    await tab.click('#b250');
    for (let i = 0; i < 54; i++) await tab.click('#quick');
    await sleep(1300);
    return { count: await tab.evaluate(() => performance.interactionCount), seen: await interactionsOf(tab) };
  });
  const f = compare('INP, 56 interactions', asReports(ours), oracle);
  assert.ok(extra.count >= 50, `at least 50 interactions (${extra.count})`);
  const inp = f.get('load INP').value;
  // One interaction in 50 is left out: of 56, INP is the second longest the page saw (the 250 ms handler's, unless the machine stalled another).
  assert.ok(inp >= 250, `the second longest is at least the 250 ms handler's (${inp})`);
  assert.ok(near(inp, extra.seen[1].duration), `INP is the second longest interaction, not the longest (${inp}; the page saw ${JSON.stringify(extra.seen.slice(0, 3))})`);
});

test('bfcache restore: new ids, TTFB 0, LCP and FCP from pageshow, CLS and INP from zero', async () => {
  const scenario = 'bfcache restore';
  const { context, tab, pageErrors } = await open('bfcache', scenario);
  await recordInteractions(tab);
  await sleep(600);
  await tab.click('#b100');
  await sleep(1300);
  const beforeLeaving = await interactionsOf(tab);
  await leave(tab);
  await tab.goBack({ waitUntil: 'commit' });
  const restored = await tab.waitForFunction(() => window.__restored === 1, null, { timeout: 5_000 }).then(() => true, () => false);
  assert.ok(restored, 'the page came back from the back/forward cache');
  await sleep(300);
  // A shift, then (more than 500 ms later, so the shift is unexpected) an interaction.
  await tab.evaluate(() => shiftBy(60, 'after-restore'));
  await sleep(700);
  await tab.click('#b200');
  await sleep(1300);
  // The page's record survives in the back/forward cache: what is new in it came after the restore.
  const earlier = new Set(beforeLeaving.map((x) => x.id));
  const afterRestore = (await interactionsOf(tab)).filter((x) => !earlier.has(x.id));
  await leave(tab);
  const { ours, theirs: oracle } = await settle(scenario);
  await context.close();
  assert.deepEqual(pageErrors, []);
  const f = compare(scenario, asReports(ours), oracle);
  for (const m of ['TTFB', 'FCP', 'LCP', 'CLS', 'INP']) assert.ok(f.has(`restore ${m}`), `${m} after the restore`);
  assert.equal(f.get('restore TTFB').value, 0);
  assert.ok(f.get('restore INP').value >= 200, 'INP after the restore is at least the 200 ms handler');
  assert.ok(near(f.get('restore INP').value, afterRestore[0]?.duration), `INP after the restore is the longest interaction after it (${f.get('restore INP').value}; the page saw ${JSON.stringify(afterRestore)})`);
  assert.ok(near(f.get('load INP').value, beforeLeaving[0]?.duration), `and before it, the longest before it (${f.get('load INP').value}; the page saw ${JSON.stringify(beforeLeaving)})`);
  assert.ok(f.get('restore CLS').value > 0);
  const ids = new Set(ours.map((e) => e.attribution.metricId));
  assert.ok(ids.size >= 10, 'every metric has a new id after the restore');
});

test('page hidden at load', async () => {
  const scenario = 'hidden at load';
  const cdp = launchPipeBrowser();
  try {
    const front = await cdp.open(`${collector.base}/fixture/vitals/away.html`);
    const bg = await cdp.open(url('hidden', scenario), { background: true });
    const ready = await waitFor(
      () => cdp.evaluate(bg, 'Array.isArray(window.__wv) && !!window.telemetry && !!window.telemetry.getStats && window.telemetry.getStats().accepted >= 1').catch(() => false),
      10_000,
      200,
    );
    assert.ok(ready, 'the agent started in the background tab');
    assert.equal(await cdp.evaluate(bg, 'document.visibilityState'), 'hidden');
    await sleep(800);
    // Shown, then hidden again: nothing of the load counts any more.
    await cdp.activate(bg);
    await sleep(500);
    await cdp.activate(front);
    await sleep(500);
    const inPage = await cdp.evaluate(bg, 'window.__wv.length');
    const { ours, theirs: oracle } = await settle(scenario);
    assert.equal(oracle.length, inPage, 'the collector has every report web-vitals made');
    const f = compare(scenario, asReports(ours), oracle);
    assert.ok(f.has('load TTFB'), 'TTFB is still measured');
    for (const m of ['LCP', 'FCP', 'CLS']) assert.ok(!f.has(`load ${m}`), `no ${m} for a page hidden at load`);
  } finally {
    await cdp.close();
  }
});

test('prerendered page: measured from activation', async () => {
  const scenario = 'prerender';
  const cdp = launchPipeBrowser();
  try {
    const tab = await cdp.open(`${collector.base}/fixture/vitals/prerender-trigger.html?wait=2000`);
    const activated = await waitFor(
      () =>
        cdp
          .evaluate(tab, 'location.pathname.endsWith("/prerendered.html") && !document.prerendering && performance.getEntriesByType("navigation")[0].activationStart')
          .catch(() => false),
      10_000,
      200,
    );
    if (!activated) {
      // Chromium decides whether to prerender (memory, settings); say so rather than pass.
      const where = await cdp.evaluate(tab, 'location.href').catch(() => '?');
      assert.fail(`Chromium did not prerender the page (now at ${where}); the prerender scenario could not run`);
    }
    assert.ok(activated > 0, `activationStart ${activated}`);
    await waitFor(() => cdp.evaluate(tab, '!!document.querySelector("#content img")?.complete && !!window.telemetry.getStats'), 5_000, 200);
    await sleep(500);
    await cdp.click(tab, 20, 20);
    await sleep(1300);
    // Another tab in front: the prerendered page is hidden.
    await cdp.open(`${collector.base}/fixture/vitals/away.html`);
    await sleep(500);
    const inPage = await cdp.evaluate(tab, 'window.__wv.length');
    const { ours, theirs: oracle } = await settle(scenario);
    assert.equal(oracle.length, inPage, 'the collector has every report web-vitals made');
    const f = compare(scenario, asReports(ours), oracle);
    for (const m of ['TTFB', 'FCP', 'LCP', 'CLS']) assert.ok(f.has(`load ${m}`), `${m} reported`);
    assert.equal(f.get('load LCP').navigationType, 'prerender');
    assert.ok(f.get('load LCP').value >= 300, 'LCP counts from activation: the image added 300 ms after it');
  } finally {
    await cdp.close();
  }
});
