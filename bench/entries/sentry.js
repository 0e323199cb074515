// Sentry browser (errors, default integrations): one custom event = captureMessage.
import * as Sentry from '@sentry/browser';
const url = new URL(window.BENCH.endpoint);
Sentry.init({ dsn: `http://publickey@${url.host}/1`, release: '1.0.0', environment: 'production' });
window.BENCH.ready((i) => Sentry.captureMessage('bench_event', { level: 'info', extra: { i, plan: 'pro', value: 1.5 } }));
