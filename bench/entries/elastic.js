// Elastic APM RUM: it has no custom events; the nearest is a span in the page-load transaction.
import { init as initApm } from '@elastic/apm-rum';
const apm = initApm({ serviceName: 'bench', serverUrl: window.BENCH.endpoint, serviceVersion: '1.0.0' });
const tx = apm.startTransaction('bench', 'custom', { managed: true });
window.BENCH.ready((i) => {
  const span = tx && tx.startSpan('bench_event', 'custom');
  if (span) {
    span.addLabels({ i, plan: 'pro' });
    span.end();
  }
});
