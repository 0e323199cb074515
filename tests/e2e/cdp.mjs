// A bare Chrome DevTools Protocol client over --remote-debugging-pipe, for
// what Playwright cannot do: Playwright holds a DevTools session on every page,
// and Chromium then refuses to prerender (PrerenderingDisabledByDevTools) and
// keeps every tab visible. Here a tab is attached to only when the test reads
// from it, so prerendering, background tabs and tab switches (real, trusted
// visibilitychange events) behave as in a user's browser.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from './harness.mjs';

export function launchPipeBrowser() {
  const dir = mkdtempSync(join(tmpdir(), 'cdp-profile-'));
  const bin = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
  const child = spawn(bin, [...CHROMIUM_ARGS, '--remote-debugging-pipe', `--user-data-dir=${dir}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
  });
  const toBrowser = child.stdio[3];
  const fromBrowser = child.stdio[4];
  let nextId = 0;
  const pending = new Map();
  let buffer = '';
  fromBrowser.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    let end;
    while ((end = buffer.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      const waiter = msg.id !== undefined && pending.get(msg.id);
      if (waiter) {
        pending.delete(msg.id);
        if (msg.error) waiter.reject(new Error(`${waiter.method}: ${msg.error.message}`));
        else waiter.resolve(msg.result);
      }
    }
  });
  const exited = new Promise((r) => child.once('exit', r));
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const msg = { id: ++nextId, method, params };
      if (sessionId) msg.sessionId = sessionId;
      pending.set(msg.id, { resolve, reject, method });
      toBrowser.write(JSON.stringify(msg) + '\0');
      setTimeout(() => {
        if (pending.delete(msg.id)) reject(new Error(`${method}: no answer in 10 s`));
      }, 10_000).unref();
    });
  return {
    send,
    /** Opens a tab; `background: true` loads it hidden, behind the current one. */
    async open(url, { background = false } = {}) {
      return (await send('Target.createTarget', { url, background })).targetId;
    },
    async pages() {
      return (await send('Target.getTargets')).targetInfos.filter((t) => t.type === 'page');
    },
    /** Brings a tab to the front: the one in front before is hidden. */
    activate(targetId) {
      return send('Target.activateTarget', { targetId });
    },
    /** Runs `fn` with a session attached to the tab, then detaches. */
    async withSession(targetId, fn) {
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      try {
        return await fn((method, params) => send(method, params, sessionId));
      } finally {
        await send('Target.detachFromTarget', { sessionId }).catch(() => {});
      }
    },
    /** Evaluates an expression in the tab and returns its JSON value. */
    evaluate(targetId, expression) {
      return this.withSession(targetId, async (s) => {
        const r = await s('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
        if (r.exceptionDetails) throw new Error(r.exceptionDetails.text);
        return r.result.value;
      });
    },
    /** A trusted click at (x, y) in the tab's viewport. */
    click(targetId, x, y) {
      return this.withSession(targetId, async (s) => {
        for (const type of ['mousePressed', 'mouseReleased']) {
          await s('Input.dispatchMouseEvent', { type, x, y, button: 'left', clickCount: 1 });
        }
      });
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        await send('Browser.close').catch(() => {});
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
      }
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
