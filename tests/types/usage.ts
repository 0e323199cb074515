// A usage example of the agent's published types, checked with `tsc --noEmit -p tests/types`
// (scripts/test.sh). Lines marked @ts-expect-error must stay errors: the types are strict.
import * as telemetry from 'telemetry-agent';
import { init, track, identify, reset, setTag, captureException, captureMessage, addBreadcrumb, flush, shutdown, getStats, forget, mask, consent } from '../../www/agent.js';
import type { TelemetryConfig, TelemetryApi, Stats, ConsentState } from 'telemetry-agent';

// The module namespace is the same API as the script tag's global.
const api: TelemetryApi = telemetry;
const global: TelemetryApi = window.telemetry;

const config: TelemetryConfig = {
  endpoint: '/v1/batch',
  appVersion: '2.4.0',
  environment: 'staging',
  release: 'abc123',
  sampleRate: 0.5,
  batchSize: 20,
  flushIntervalMs: 2000,
  debug: true,
  trackPageViews: true,
  trackHistory: true,
  trackReplaceState: false,
  hashRouting: true,
  trackPageLeave: true,
  sessionTimeoutMs: 15 * 60 * 1000,
  sessionMaxAgeMs: 12 * 60 * 60 * 1000,
  sessionPersistence: 'localStorage',
  wireFormat: 'otlp',
  serviceName: 'shop-web',
  maskKeys: ['customer_ref'],
  maskPatterns: ['Project Falcon'],
  allowList: ['help@shop.example'],
  beforeSend: (event) => (event.event === 'debug_only' ? null : event),
  defaultConsent: 'pending',
  consentPolicyVersion: '2025-01',
  honorPrivacySignals: true,
  errorConsentCategory: 'necessary',
  errorSampleRate: 1,
  errorRateLimit: 10,
  maxBreadcrumbs: 30,
  captureConsole: false,
  captureNetworkErrors: true,
};

async function main(): Promise<void> {
  await init(config);
  const accepted: boolean = track('signup', { plan: 'pro', seats: 3, tags: ['a'], nested: { ok: true } });
  track('no_properties');
  track('null_properties', null);
  identify('user-42', { plan: 'pro' });
  identify(null);
  reset();
  setTag('release_channel', 'beta');
  setTag('experiment', 3);
  setTag('experiment', null);
  captureException(new Error('boom'), { tags: { area: 'cart' }, severity: 'WARNING', category: 'CLIENT_ERROR' });
  captureException('a string is fine too');
  captureMessage('checkout reached step 3', 'info');
  addBreadcrumb({ category: 'ui', message: 'opened cart', data: { items: 2 } });
  const acknowledged: number = await flush();
  const stats: Stats = getStats();
  const pending: number = stats.pending + stats.cleaned + stats.rejected;
  const masked: string | null = mask('mail jane@example.com');
  const state: ConsentState | null | undefined = consent.grant(['analytics', 'marketing']);
  consent.deny('marketing');
  consent.grant('full');
  const off: () => void = consent.onChange((s) => console.log(s?.analytics));
  off();
  const now: ConsentState | null = consent.get();
  consent.revoke();
  const deleted: number = await forget();
  const closed: number = await api.shutdown();
  await global.flush();
  console.log(accepted, acknowledged, pending, masked, state, now, deleted, closed, shutdown);

  // @ts-expect-error endpoint is required
  await init({ appVersion: '1.0.0' });
  // @ts-expect-error environment is one of three names
  await init({ endpoint: '/v1/batch', environment: 'prod' });
  // @ts-expect-error sessionPersistence is sessionStorage, localStorage or memory
  await init({ endpoint: '/v1/batch', sessionPersistence: 'cookie' });
  // @ts-expect-error the event name is a string
  track(42);
  // @ts-expect-error consent categories are named
  consent.grant('everything');
  // @ts-expect-error flush resolves with a number
  const wrong: string = await flush();
  // @ts-expect-error tag values are primitives
  setTag('k', { nested: true });
  console.log(wrong);
}

void main();
