// The test's oracle: Google's web-vitals (attribution build, an npm
// devDependency) reports into window.__wv and, like the agent, into the
// collector: each report is beaconed as an analytics event named
// `web-vitals` (a beacon still goes out while the page is being left).
// The beacon waits for a task unless the page is hidden, so the oracle's
// own work does not land between the agent's and web-vitals' callbacks.
import { onCLS, onFCP, onINP, onLCP, onTTFB } from '/vendor/web-vitals.attribution.js';

const reportAllChanges = new URL(import.meta.url).searchParams.has('all');
window.__wv = [];

function beacon(r) {
  const event = {
    kind: 'analytics',
    id: crypto.randomUUID(),
    event: 'web-vitals',
    sessionId: 'oracle',
    timestamp: r.at,
    properties: r,
    context: { url: location.href },
    metadata: { version: '1.0.0', environment: 'development', source: 'client', retryCount: 0 },
  };
  navigator.sendBeacon('/v1/batch', JSON.stringify({ v: 1, sentAt: Date.now(), events: [event] }));
}

function report(m) {
  const r = { name: m.name, value: m.value, delta: m.delta, rating: m.rating, id: m.id, navigationType: m.navigationType, at: Date.now() };
  window.__wv.push(r);
  if (document.visibilityState === 'hidden') beacon(r);
  else setTimeout(() => beacon(r));
}

for (const on of [onLCP, onCLS, onINP, onFCP, onTTFB]) on(report, { reportAllChanges });
