// web-vitals: the five metrics, each sent with a beacon. It has no custom events.
import { onLCP, onCLS, onINP, onFCP, onTTFB } from 'web-vitals';
const send = (m) => navigator.sendBeacon(window.BENCH.endpoint + '/vitals', JSON.stringify({ name: m.name, value: m.value, id: m.id }));
[onLCP, onCLS, onINP, onFCP, onTTFB].forEach((on) => on(send));
window.BENCH.ready(null);
