// The agent, as an npm import (the same module the script tag loads).
import { init, track, getStats } from '../../www/agent.js';
init({ endpoint: window.BENCH.endpoint + '/v1/batch', appVersion: '1.0.0', defaultConsent: 'granted', trackPageViews: true }).then(
  () => {
    window.BENCH.stats = getStats;
    window.BENCH.ready((i) => track('bench_event', { i, plan: 'pro', value: 1.5 }));
  },
  (e) => window.BENCH.fail(String(e)),
);
