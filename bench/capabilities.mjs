// What each subject's bundle does of the agent's seven capabilities (the size
// issue's "full agent": Web Vitals, errors, page views, consent, masking,
// IndexedDB, batching and retry), as bench/entries/ configures it: what is in
// the bundle the harness measures, not what a product offers through other
// packages or code loaded later from its own servers. 1 = does it, 0.5 = in
// part (the reason says which part), 0 = does not. The reasons name what the
// minified bundle holds (`grep` finds it there), so that a grade can be checked.
//
// The figure printed from these is gzip KB per capability: a subject's size
// divided by the sum of its grades.

export const CAPABILITIES = ['Web Vitals', 'errors', 'page views', 'consent', 'masking', 'durable outbox', 'batching and retry'];

const all = (why) => Object.fromEntries(CAPABILITIES.map((c) => [c, [1, why]]));

export const GRADES = {
  agent: all('the agent'),
  'agent-tag': all('the agent'),
  'web-vitals': {
    'Web Vitals': [1, 'LCP, CLS, INP, FCP, TTFB'],
  },
  elastic: {
    'Web Vitals': [1, 'LCP, CLS, FID and INP in its page-load transaction'],
    errors: [1, 'error and unhandledrejection listeners'],
    'page views': [1, 'a page-load transaction per load'],
    'batching and retry': [0.5, 'queued and sent on an interval, compressed (CompressionStream); a failed send is not retried'],
  },
  sentry: {
    errors: [1, 'global handlers, stack parsing, de-duplication'],
    masking: [0.5, "request headers such as forwarded and auth become '[Filtered]'; message and property text is not masked"],
    // Web Vitals and page views need browserTracingIntegration, the offline
    // transport makeBrowserOfflineTransport: neither is in this bundle.
  },
  faro: {
    'Web Vitals': [1, 'the web-vitals library bundled'],
    errors: [1, 'error and unhandledrejection instrumentation, stack parsing'],
    'page views': [0.5, 'a session-start and a view-changed event; the URL as page meta on every item, no event per page'],
    'batching and retry': [0.5, 'items batched; after a 429 it pauses until Retry-After, and a failed batch is dropped'],
  },
  datadog: {
    'Web Vitals': [1, 'LCP, CLS, INP, FCP and TTFB on its view events'],
    errors: [1, 'error and unhandledrejection listeners, stack parsing'],
    'page views': [1, 'view events'],
    consent: [1, "trackingConsent: nothing collected until 'granted'"],
    masking: [0.5, 'action names from password, email and tel inputs masked; no masking of event text'],
    'batching and retry': [1, 'batches, a retry queue with back-off, sendBeacon on page exit'],
  },
  posthog: {
    'page views': [1, '$pageview and $pageleave'],
    consent: [1, 'opt_in_capturing / opt_out_capturing'],
    masking: [0.5, 'autocapture leaves out password and card-like inputs (cc, cvv, ssn names); event properties are not masked'],
    'batching and retry': [1, 'a request queue and a retry queue, sendBeacon on unload'],
    // Web Vitals and exception autocapture are extensions it loads from its
    // own host at run time: not in this bundle.
  },
  floor: {},
};

/** The sum of a subject's grades (`null` when it has none: the floor). */
export function capabilityScore(name) {
  return Object.values(GRADES[name] || {}).reduce((a, [v]) => a + v, 0) || null;
}
