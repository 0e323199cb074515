// Grafana Faro (web SDK with its default instrumentations): one custom event = pushEvent.
import { initializeFaro } from '@grafana/faro-web-sdk';
const faro = initializeFaro({ url: window.BENCH.endpoint + '/collect', app: { name: 'bench', version: '1.0.0' } });
window.BENCH.ready((i) => faro.api.pushEvent('bench_event', { i: String(i), plan: 'pro', value: '1.5' }));
