// The floor of "one custom event": the event written as JSON with JSON.stringify
// and kept, nothing else (no SDK). The reference puts it at ~1 µs; measured
// in the same run, it tells how fast this machine is, so that runs on machines of
// different speed can be compared by their ratio to it.
const kept = [];
window.BENCH.ready((i) => {
  kept.push(JSON.stringify({ name: 'bench_event', ts: Date.now(), properties: { i, plan: 'pro', value: 1.5 } }));
  if (kept.length === 1000) kept.length = 0;
});
