// Same-page A/B of two builds of the agent: what one change does to track().
//
// Both builds are loaded into one page (two modules, two wasm instances), and
// bursts of 100 calls alternate between them, so that the page's own luck
// (where the heap lies, when V8 tiers up, what else the machine runs) is the
// same for both. Each page gives one median per build; the figure to read is
// the median of the per-page differences. Page-to-page spread on this kind of
// machine is ±1 µs; the per-page difference of two copies of one build stays
// within ±0.5 µs, with a median of about +0.2 µs for whichever is listed first.
//
// usage: node bench/ab.mjs <dir A> <dir B> [pages]
//   each dir a copy of www/ after scripts/build.sh (agent.js, clean.js,
//   navigation.js and pkg/), e.g. `cp -r www /tmp/before` before the change.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, extname, resolve } from 'node:path';

const [dirA, dirB, pagesArg] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: node bench/ab.mjs <dir A> <dir B> [pages]');
  process.exit(2);
}
const DIRS = { a: resolve(dirA), b: resolve(dirB) };
const PAGES = Number(pagesArg || 10);
const WARM_CALLS = 1_000;
const BURSTS = 40;
const PER_BURST = 100;
const MIME = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
// Cross-origin isolated: performance.now() at 5 µs resolution.
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
const PAGE = `<!doctype html><script type=module>
const a = await import('/a/agent.js');
const b = await import('/b/agent.js');
for (const m of [a, b]) await m.init({ endpoint: location.origin + '/v1/batch', appVersion: '1.0.0', defaultConsent: 'granted' });
window.calls = {
  a: (i) => a.track('bench_event', { i, plan: 'pro', value: 1.5 }),
  b: (i) => b.track('bench_event', { i, plan: 'pro', value: 1.5 }),
};
window.ready = true;
</script>`;

const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://127.0.0.1').pathname;
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html', ...ISOLATED });
    res.end(PAGE);
    return;
  }
  const m = path.match(/^\/([ab])\/([\w./-]+)$/);
  if (m && !m[2].includes('..')) {
    try {
      const file = join(DIRS[m[1]], m[2]);
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] || 'application/octet-stream', ...ISOLATED });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
    return;
  }
  // The endpoint: every batch accepted.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const perPage = { a: [], b: [] };
const diffs = [];
try {
  for (let p = 0; p < PAGES; p++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction('window.ready === true', null, { timeout: 30_000 });
    const r = await page.evaluate(
      async ({ WARM_CALLS, BURSTS, PER_BURST }) => {
        const tick = () => new Promise((r) => setTimeout(r, 0));
        let i = 0;
        for (let k = 0; k < WARM_CALLS; k++) {
          window.calls.a(i);
          window.calls.b(i++);
          if (k % PER_BURST === PER_BURST - 1) await tick();
        }
        await new Promise((r) => setTimeout(r, 300));
        const us = { a: [], b: [] };
        for (let burst = 0; burst < BURSTS; burst++) {
          for (const which of burst % 2 ? ['b', 'a'] : ['a', 'b']) {
            const f = window.calls[which];
            const t = performance.now();
            for (let k = 0; k < PER_BURST; k++) f(i++);
            us[which].push(((performance.now() - t) * 1000) / PER_BURST);
            await tick();
          }
        }
        const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
        return { a: med(us.a), b: med(us.b) };
      },
      { WARM_CALLS, BURSTS, PER_BURST },
    );
    perPage.a.push(r.a);
    perPage.b.push(r.b);
    diffs.push(r.a - r.b);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
const f = (x) => x.toFixed(2);
console.log(`track() µs per call, ${PAGES} pages, ${BURSTS} bursts of ${PER_BURST} per build and page`);
console.log(`A ${dirA}: median ${f(median(perPage.a))}   ${perPage.a.map(f).join(' ')}`);
console.log(`B ${dirB}: median ${f(median(perPage.b))}   ${perPage.b.map(f).join(' ')}`);
console.log(`A - B per page: median ${f(median(diffs))}   ${diffs.map(f).join(' ')}   (A faster in ${diffs.filter((d) => d < 0).length} of ${PAGES})`);
