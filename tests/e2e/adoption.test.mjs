// Adoption: the README's inline snippet on a plain page, the loader file under
// a strict Content-Security-Policy, a CSP that forbids WebAssembly, published
// Subresource Integrity hashes, the packed npm tarball in a built Vite 7 app,
// and the OTLP wire format.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startCollector, startFrontServer, launchBrowser, waitFor } from './harness.mjs';

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

/** An HTML block exactly as the README shows it, between its `<!-- name:start -->` and `<!-- name:end -->` markers. */
function readmeBlock(name) {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = readme.match(new RegExp(`<!-- ${name}:start -->\\n\`\`\`html\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`));
  assert.ok(m, `the README carries the ${name} between its markers`);
  return m[1];
}

/** The inline snippet as the README shows it. */
const readmeSnippet = () => readmeBlock('snippet');

function watchConsole(page) {
  const messages = [];
  page.on('console', (m) => {
    // The browser's own request for /favicon.ico is not the page's business.
    if (!(m.location().url || '').endsWith('/favicon.ico')) messages.push({ type: m.type(), text: m.text() });
  });
  page.on('pageerror', (e) => messages.push({ type: 'pageerror', text: String(e) }));
  return messages;
}

test('the README snippet is www/snippet.html, a few hundred bytes', async () => {
  const snippet = readmeSnippet();
  assert.equal(snippet, readFileSync(join(ROOT, 'www', 'snippet.html'), 'utf8'));
  const { gzipSync } = await import('node:zlib');
  const gz = gzipSync(Buffer.from(snippet), { level: 9 }).length;
  console.log(`# snippet: ${Buffer.byteLength(snippet)} bytes, ${gz} bytes gzip -9`);
  assert.ok(gz < 800, `snippet is ${gz} bytes gzip`);
});

test('the inline snippet on a plain page: calls made and an error thrown before the module loaded are delivered', async () => {
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>plain page</title>\n' +
    readmeSnippet() +
    '<script>\n' +
    '  telemetry.setTag("plan", "gold");\n' +
    '  window.before = { stats: typeof telemetry.getStats(), tracked: telemetry.track("early_call", { step: 1 }) };\n' +
    '  telemetry.consent.grant("analytics");\n' +
    '</script>\n' +
    '<script>throw new TypeError("thrown before the agent loaded");</script>\n' +
    '</head><body><p>plain</p></body></html>';
  const front = await startFrontServer({ upstream: collector.base, files: { '/plain.html': { body: html, file: 'plain.html' } } });
  const page = await browser.newPage();
  const messages = watchConsole(page);
  // The snippet fetches the wasm itself, before the module has loaded; the module uses that response.
  const wasmRequests = [];
  page.on('request', (r) => r.url().endsWith('/agent_wasm_bg.wasm') && wasmRequests.push(r.url()));
  await page.goto(`${front.base}/plain.html`);
  const early = await waitFor(async () => (await collector.events({ name: 'early_call' }))[0]);
  assert.ok(early, 'the call made before load arrived');
  assert.equal(early.properties.step, 1);
  assert.equal(early.properties.tags.plan, 'gold', 'replayed in order: the tag set before the call is on it');
  const err = await waitFor(async () => (await collector.events({ kind: 'error' })).find((e) => e.message.includes('thrown before the agent loaded')));
  assert.ok(err, 'the error thrown before load arrived');
  assert.equal(err.errorType, 'TypeError');
  assert.equal(err.category, 'CLIENT_ERROR');
  const view = await waitFor(async () => (await collector.events({ name: 'page_view' })).find((v) => v.properties.path === '/plain.html'));
  assert.ok(view, 'the page view arrived');
  assert.deepEqual(await page.evaluate(() => window.before), { stats: 'object', tracked: false });
  assert.deepEqual(messages.filter((m) => m.type === 'error' && !m.text.includes('thrown before')), []);
  assert.deepEqual(wasmRequests, [`${front.base}/pkg/agent_wasm_bg.wasm`], 'one request for the wasm, next to the module');
  await page.close();
  await front.stop();
});

const STRICT = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; object-src 'none'; base-uri 'none'";

test("under a strict CSP (script-src 'self' 'wasm-unsafe-eval') the loader file and the agent work, with the published SRI hash", async () => {
  const integrity = JSON.parse(readFileSync(join(ROOT, 'www', 'pkg', 'integrity.json'), 'utf8'));
  assert.match(integrity['loader.js'], /^sha384-[A-Za-z0-9+/]{64}$/);
  const page_ = (hash) =>
    '<!doctype html><html><head><meta charset="utf-8"><title>strict</title>' +
    `<script src="/loader.js" integrity="${hash}" crossorigin="anonymous" data-endpoint="/v1/batch" data-default-consent="granted" data-flush-interval-ms="200"></script>` +
    '</head><body><button id="go">go</button><script src="/csp.js"></script></body></html>';
  const front = await startFrontServer({
    upstream: collector.base,
    headers: { 'content-security-policy': STRICT },
    files: {
      '/strict.html': { body: page_(integrity['loader.js']), file: 'strict.html' },
      '/tampered.html': { body: page_('sha384-' + 'A'.repeat(64)), file: 'tampered.html' },
      '/csp.js': { file: join(ROOT, 'tests', 'e2e', 'pages', 'csp.js') },
    },
  });
  const page = await browser.newPage();
  const messages = watchConsole(page);
  const violations = [];
  await page.exposeFunction('reportViolation', (v) => violations.push(v));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI)));
  await page.goto(`${front.base}/strict.html`);
  const tracked = await waitFor(async () => (await collector.events({ name: 'csp_page' }))[0]);
  assert.ok(tracked, 'the custom event arrived');
  await page.click('#go');
  const thrown = await waitFor(async () => (await collector.events({ kind: 'error' })).find((e) => e.message.includes('strict CSP')));
  assert.ok(thrown, 'an error on the strict page arrived');
  assert.equal(thrown.frames[0].filename, `${front.base}/csp.js`);
  assert.ok(await waitFor(async () => (await collector.events({ name: 'page_view' })).some((v) => v.properties.path === '/strict.html')), 'the page view arrived');
  assert.deepEqual(violations, [], 'the agent needs nothing the policy forbids');
  assert.deepEqual(messages.filter((m) => m.type === 'error' && !m.text.includes('strict CSP')), []);
  await page.close();

  // A loader whose bytes do not match the published hash is refused by the browser.
  const tampered = await browser.newPage();
  const tm = watchConsole(tampered);
  await tampered.goto(`${front.base}/tampered.html`);
  await waitFor(async () => tm.some((m) => /integrity/i.test(m.text)), 5_000);
  assert.ok(tm.some((m) => /integrity/i.test(m.text)), 'the browser refused the mismatching hash');
  assert.equal(await tampered.evaluate(() => typeof window.telemetry), 'undefined', 'the refused loader never ran');
  await tampered.close();
  await front.stop();
});

test("the README's loader form with its preload: the wasm is requested once, the preload is used, events arrive", async () => {
  const form = readmeBlock('loader');
  assert.match(form, /<link rel="preload" href="\/pkg\/agent_wasm_bg\.wasm" as="fetch" crossorigin>/);
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>preload</title>' +
    form.replace('data-app-version="1.0.0"', 'data-app-version="7.7.7" data-default-consent="granted" data-flush-interval-ms="200"') +
    '<script src="/preload-calls.js"></script></head><body></body></html>';
  // The loader is async: the page's own script waits for its stub.
  const calls = "(function go() { if (!window.telemetry) return setTimeout(go, 5); telemetry.track('preloaded_page', { n: 1 }); })();";
  const front = await startFrontServer({
    upstream: collector.base,
    headers: { 'content-security-policy': STRICT },
    files: { '/preload.html': { body: html, file: 'preload.html' }, '/preload-calls.js': { body: calls, file: 'preload-calls.js' } },
  });
  const page = await browser.newPage();
  const messages = watchConsole(page);
  const wasm = [];
  page.on('request', (r) => r.url().endsWith('.wasm') && wasm.push(r.url()));
  await page.goto(`${front.base}/preload.html`);
  const tracked = await waitFor(async () => (await collector.events({ name: 'preloaded_page' })).find((e) => e.metadata.version === '7.7.7'));
  assert.ok(tracked, 'the event recorded through the stub arrived');
  // Chromium warns about a preload not used within a few seconds of the load
  // event, and about one whose request did not match (credentials mode).
  await new Promise((r) => setTimeout(r, 3_500));
  assert.deepEqual(wasm, [`${front.base}/pkg/agent_wasm_bg.wasm`], 'one request for the wasm: the preload');
  assert.deepEqual(messages.filter((m) => /preload/i.test(m.text) || m.type === 'error' || m.type === 'warning'), []);
  await page.close();
  await front.stop();
});

test('a CSP that forbids WebAssembly leaves the agent inert: one console message, no exception, stub calls still safe', async () => {
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>no wasm</title>' +
    '<script src="/loader.js" data-endpoint="/v1/batch" data-default-consent="granted"></script>' +
    '</head><body><button id="go">go</button><script src="/calls.js"></script></body></html>';
  const calls =
    "window.results = [window.telemetry.track('no_wasm', {}), window.telemetry.setTag('a', 'b')];\n" +
    "window.telemetry.flush().then((n) => { window.flushed = n; });\n" +
    "document.getElementById('go').onclick = () => { window.after = [window.telemetry.track('later', {}), window.telemetry.captureMessage('m'), typeof window.telemetry.getStats()]; };\n";
  const front = await startFrontServer({
    upstream: collector.base,
    headers: { 'content-security-policy': "script-src 'self'" },
    files: { '/nowasm.html': { body: html, file: 'nowasm.html' }, '/calls.js': { body: calls, file: 'calls.js' } },
  });
  const page = await browser.newPage();
  const messages = watchConsole(page);
  const batches = [];
  page.on('request', (r) => r.url().includes('/v1/') && batches.push(r.url()));
  await page.goto(`${front.base}/nowasm.html`);
  await waitFor(async () => messages.some((m) => /telemetry/.test(m.text)), 5_000);
  await new Promise((r) => setTimeout(r, 500));
  await page.click('#go');
  const ours = messages.filter((m) => /telemetry/.test(m.text));
  assert.equal(ours.length, 1, JSON.stringify(ours));
  assert.match(ours[0].text, /Content-Security-Policy forbids WebAssembly/);
  assert.deepEqual(messages.filter((m) => m.type === 'pageerror'), [], 'nothing thrown into the page');
  assert.deepEqual(await page.evaluate(() => window.after), [false, false, 'object']);
  assert.equal(await page.evaluate(() => window.flushed), 0);
  assert.deepEqual(batches, [], 'no request to the endpoint');
  await page.close();
  await front.stop();
});

test('the packed npm tarball in a built Vite 7 app delivers its events', async () => {
  const dist = join(ROOT, 'tests', 'vite-app', 'dist');
  assert.ok(existsSync(join(dist, 'index.html')), 'tests/vite-app/dist is built by scripts/vite-app.sh (part of scripts/test.sh)');
  const front = await startFrontServer({ upstream: collector.base, root: dist });
  const page = await browser.newPage();
  const messages = watchConsole(page);
  const wasm = [];
  page.on('response', (r) => r.url().endsWith('.wasm') && wasm.push({ url: r.url(), type: r.headers()['content-type'] }));
  await page.goto(`${front.base}/`);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'ready', null, { timeout: 10_000 });
  assert.equal(wasm.length, 1);
  assert.match(wasm[0].url, new RegExp(`^${front.base}/assets/agent_wasm_bg-[\\w-]+\\.wasm$`), 'the .wasm is a hashed asset of the build');
  await page.click('#buy');
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('flushed'), null, { timeout: 10_000 });
  const names = (await collector.events({ kind: 'analytics', limit: 1000 })).filter((e) => e.metadata.version === '2.0.0');
  const ready = names.find((e) => e.event === 'vite_app_ready');
  const bought = names.find((e) => e.event === 'purchase');
  assert.ok(ready && bought, JSON.stringify(names.map((e) => e.event)));
  assert.equal(ready.properties.bundler, 'vite');
  assert.equal(bought.properties.email, '[EMAIL]', 'masked on the device');
  assert.equal(bought.metadata.environment, 'staging');
  assert.deepEqual(messages.filter((m) => m.type === 'error'), []);
  await page.close();
  await front.stop();
});

test("wireFormat 'otlp': the page's events reach an OTLP/HTTP logs endpoint, decoded by opentelemetry-proto", async () => {
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>otlp</title>' +
    '<script src="/loader.js" data-endpoint="/v1/logs" data-wire-format="otlp" data-service-name="shop-web" data-default-consent="granted"></script>' +
    '</head><body><script src="/otlp.js"></script></body></html>';
  const script = "telemetry.track('otlp_event', { n: 7, email: 'a.b@example.org' }); telemetry.flush().then((n) => { window.flushed = n; });";
  const front = await startFrontServer({ upstream: collector.base, files: { '/otlp.html': { body: html, file: 'otlp.html' }, '/otlp.js': { body: script, file: 'otlp.js' } } });
  const page = await browser.newPage();
  await page.goto(`${front.base}/otlp.html`);
  const got = await waitFor(async () => {
    const r = await (await fetch(`${collector.base}/v1/otlp/logs`)).json();
    const names = r.records.map((x) => x.name);
    return names.includes('otlp_event') && names.includes('page_view') ? r.records : null;
  });
  assert.ok(got, 'the OTLP records arrived');
  const rec = got.find((x) => x.name === 'otlp_event').record;
  const attr = (list, k) => list.find((a) => a.key === k)?.value;
  const props = attr(rec.attributes, 'telemetry.properties').kvlistValue.values;
  assert.equal(attr(props, 'email').stringValue, '[EMAIL]');
  assert.equal(String(attr(props, 'n').intValue), '7');
  assert.equal(rec.severityNumber, 9);
  assert.equal((await collector.events({ name: 'otlp_event' })).length, 0, 'nothing went to the native endpoint');
  await page.close();
  await front.stop();
});
