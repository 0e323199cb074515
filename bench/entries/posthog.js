// PostHog: one custom event = capture.
import posthog from 'posthog-js';
posthog.init('phc_bench', {
  api_host: window.BENCH.endpoint,
  autocapture: false,
  capture_pageview: true,
  disable_session_recording: true,
  advanced_disable_decide: true,
  persistence: 'memory',
  // Headless Chromium announces itself as automated; PostHog drops bot traffic unless told not to.
  opt_out_useragent_filter: true,
  loaded: () => window.BENCH.ready((i) => posthog.capture('bench_event', { i, plan: 'pro', value: 1.5 })),
});
