// Datadog RUM: one custom event = addAction.
import { datadogRum } from '@datadog/browser-rum';
datadogRum.init({
  applicationId: '00000000-0000-4000-8000-000000000000',
  clientToken: 'pubbench',
  site: 'datadoghq.com',
  service: 'bench',
  proxy: window.BENCH.endpoint + '/dd',
  sessionSampleRate: 100,
  sessionReplaySampleRate: 0,
  trackUserInteractions: false,
});
window.BENCH.ready((i) => datadogRum.addAction('bench_event', { i, plan: 'pro', value: 1.5 }));
