// The masker's throughput in Chromium's wasm on 1 MB of mixed text (prints the
// figure; asserts only what was masked). The native figure comes from
// `cargo run --release --example mask_bench`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCollector, launchBrowser } from './harness.mjs';

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

test('masker throughput on 1 MB of mixed text in wasm', async () => {
  const page = await browser.newPage();
  await page.route(`${collector.base}/fixture/blank.html`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bench</title>' }));
  await page.goto(`${collector.base}/fixture/blank.html`);
  const r = await page.evaluate(async () => {
    const agent = await import('/agent.js');
    await agent.init({ endpoint: '/v1/batch', trackPageViews: false }).catch(() => {});
    const words = 'the quick brown fox jumps over a lazy dog while checkout order shipping invoice'.split(' ');
    const pii = ['jane.doe@example.com', '4111 1111 1111 1111', '+1 415 555 2671', '192.168.10.24',
      'https://admin:hunter2@shop.example/x', 'https://shop.example/cb?token=abcdef123456', 'GB82 WEST 1234 5698 7654 32', '078-05-1120'];
    let seed = 7;
    const rnd = (n) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const parts = [];
    let len = 0;
    let planted = 0;
    while (len < 1_000_000) {
      const w = rnd(40) === 0 ? (planted++, pii[rnd(pii.length)]) : words[rnd(words.length)];
      parts.push(w);
      len += w.length + 1;
    }
    const text = parts.join(' ');
    const times = [];
    let out = '';
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      out = agent.mask(text);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const mb = new TextEncoder().encode(text).length / 1e6;
    return {
      mb, medianMs: times[3], planted,
      leaked: pii.filter((p) => out.includes(p)).length,
      masks: (out.match(/\[(EMAIL|CARD|PHONE|IP|SSN|IBAN|REDACTED|TOKEN)\]/g) || []).length,
    };
  });
  console.log(`masker in Chromium wasm: ${r.mb.toFixed(2)} MB in ${r.medianMs.toFixed(1)} ms median of 7 = ${(r.mb / (r.medianMs / 1000)).toFixed(1)} MB/s; ${r.planted} planted, ${r.masks} masks`);
  assert.equal(r.leaked, 0, 'no planted value survives');
  assert.ok(r.masks >= r.planted, `${r.masks} masks for ${r.planted} planted values`);
  await page.close();
});
