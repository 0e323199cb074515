// Shared helpers for the end-to-end tests: a real collector on 127.0.0.1 with
// a fresh SQLite file, and Debian's Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { gunzipSync } from 'node:zlib';
import Ajv2020 from 'ajv/dist/2020.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts the collector on a free port; resolves once it listens. */
export async function startCollector(extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'collector-'));
  const bin = process.env.COLLECTOR_BIN || join(ROOT, 'target', 'release', 'collector');
  const child = spawn(bin, ['--port', '0', '--db', join(dir, 'telemetry.db'), '--www', join(ROOT, 'www'), ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('collector did not start in 10 s: ' + stderr)), 10_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^/\s]+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited with ${code}: ${stderr}`));
    });
  });
  return {
    base,
    async events(query = {}) {
      const qs = new URLSearchParams(query).toString();
      const res = await fetch(`${base}/v1/events?${qs}`);
      return (await res.json()).events;
    },
    async stats() {
      return (await fetch(`${base}/v1/stats`)).json();
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Polls `probe` until it returns a truthy value or `ms` passes (bounded). */
export async function waitFor(probe, ms = 10_000, step = 100) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, step));
  }
}

/** A validator for the wire format's JSON Schema. */
export function batchValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'batch.v1.json'), 'utf8'));
  return ajv.compile(schema);
}

/** Records the bodies of every batch request a page makes (gzip bodies decoded). */
export function captureBatches(page) {
  const bodies = [];
  page.on('request', async (req) => {
    if (req.method() !== 'POST' || new URL(req.url()).pathname !== '/v1/batch') return;
    const buf = req.postDataBuffer();
    if (!buf) return;
    const gz = (await req.allHeaders())['content-encoding'] === 'gzip';
    bodies.push(gz ? gunzipSync(buf).toString('utf8') : buf.toString('utf8'));
  });
  return bodies;
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml' };

/**
 * A front server on 127.0.0.1 for pages that need their own response headers
 * (a Content-Security-Policy) or their own files (a Vite build): `files` maps
 * a path to `{ body | file, headers }`, `root` serves a folder, and anything
 * else is passed through to `upstream` (the collector: the agent's files and
 * `/v1/…`), so the page and its endpoint share one origin.
 */
export async function startFrontServer({ upstream, files = {}, root = null, headers = {} }) {
  const { createServer } = await import('node:http');
  const { extname, normalize } = await import('node:path');
  const { existsSync, statSync } = await import('node:fs');
  const server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url, 'http://x').pathname;
      const own = files[path];
      const local = root && normalize(join(root, path === '/' ? 'index.html' : path));
      if (own || (local && local.startsWith(root) && existsSync(local) && statSync(local).isFile())) {
        const file = own ? own.file : local;
        const body = own && own.body !== undefined ? own.body : readFileSync(file);
        res.writeHead(200, { 'content-type': MIME[extname(file || path)] || 'application/octet-stream', ...headers, ...(own?.headers || {}) });
        res.end(body);
        return;
      }
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const fwd = {};
      for (const h of ['content-type', 'content-encoding']) if (req.headers[h]) fwd[h] = req.headers[h];
      const r = await fetch(upstream + req.url, { method: req.method, headers: fwd, body: chunks.length ? Buffer.concat(chunks) : undefined });
      const out = {};
      for (const h of ['content-type', 'retry-after']) if (r.headers.get(h)) out[h] = r.headers.get(h);
      res.writeHead(r.status, out);
      res.end(Buffer.from(await r.arrayBuffer()));
    } catch (e) {
      res.writeHead(502);
      res.end(String(e));
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  // A test that fails before stop() must not keep the test process alive.
  server.unref();
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}
