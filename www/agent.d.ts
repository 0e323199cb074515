// Type definitions for the telemetry agent's public API (www/agent.js).
// Hand-written; the same API is on `window.telemetry` when the agent is loaded
// with the script tag (www/loader.js). tests/types/usage.ts checks them with `tsc --noEmit`.

/** The configuration of `init()` (or the script tag's `data-` attributes, in kebab-case). */
export interface TelemetryConfig {
  /** Where batches are POSTed: an `http(s)://` URL, or a path such as `/v1/batch` resolved against the page. Required. */
  endpoint: string;
  /** Semantic version of the site or app. Default `0.0.0`. */
  appVersion?: string;
  /** Default `production`. */
  environment?: 'development' | 'staging' | 'production';
  /** Build identifier (non-empty). */
  buildId?: string;
  /** Alias of `buildId`. */
  release?: string;
  /** Deployment identifier (non-empty). */
  deploymentId?: string;
  /** Share of page loads recorded, 0..1, decided once per page load. Default 1. */
  sampleRate?: number;
  /** Events per request, integer 1..1000. Default 50. */
  batchSize?: number;
  /** Bytes per request, integer 1024..65536. Default 60000. */
  maxBatchBytes?: number;
  /** Milliseconds between sends, integer 100..3600000. Default 5000. */
  flushIntervalMs?: number;
  /** Events held in memory, integer 1..100000; past it the oldest are dropped and counted. Default 1000. */
  maxQueue?: number;
  /** Console warnings for refused or cleaned calls and refused events. Default false. */
  debug?: boolean;
  /** Record page views (the load, and single-page-app navigations) and page leave. Default true. */
  trackPageViews?: boolean;
  /** `pushState`, `replaceState` and `popstate` are page views. Default true. */
  trackHistory?: boolean;
  /** `replaceState` is a page view when it changes the path. Default true. */
  trackReplaceState?: boolean;
  /** The app routes by fragment (`#/products`): fragment changes are page views. Default false. */
  hashRouting?: boolean;
  /** A `page_leave` event (visible time, scroll depth) ends each page view. Default true. */
  trackPageLeave?: boolean;
  /** A session ends after this many milliseconds without activity, integer 1000..86400000. Default 1800000 (30 min). */
  sessionTimeoutMs?: number;
  /** A session ends at this age in milliseconds, integer 1000..604800000. Default 86400000 (24 h). */
  sessionMaxAgeMs?: number;
  /** Where the session is kept between page loads once analytics consent allows storage. Default `sessionStorage`. */
  sessionPersistence?: 'sessionStorage' | 'localStorage' | 'memory';
  /** Analytics and marketing consent before the visitor decides. Default `pending`. */
  defaultConsent?: 'pending' | 'granted' | 'denied';
  /** A stored decision for another version is asked again. Default `1`. */
  consentPolicyVersion?: string;
  /** Global Privacy Control and Do Not Track deny analytics and marketing. Default true. */
  honorPrivacySignals?: boolean;
  /** The consent errors need. Default `analytics`. */
  errorConsentCategory?: 'analytics' | 'necessary';
  /** Share of errors kept, 0..1, drawn per error. Default 1. */
  errorSampleRate?: number;
  /** Errors of one fingerprint reported per minute, integer 1..1000. Default 10. */
  errorRateLimit?: number;
  /** Breadcrumbs kept for error events, integer 0..100. Default 30. */
  maxBreadcrumbs?: number;
  /** `console.error` calls become error events (they are always breadcrumbs). Default false. */
  captureConsole?: boolean;
  /** Failed fetch/XHR calls (network errors, 5xx) become error events. Default true. */
  captureNetworkErrors?: boolean;
  /** Bound of the IndexedDB outbox in events, integer 10..1000000. Default 5000. */
  maxStoredEvents?: number;
  /** Bound of the IndexedDB outbox in bytes, integer 10000..500000000. Default 5000000. */
  maxStoredBytes?: number;
  /** How often the delivery counters go out as an `agent.stats` metric, integer 1000..86400000 ms. Default 60000. */
  statsIntervalMs?: number;
  /** Measure LCP, CLS, INP, FCP and TTFB. Default true. */
  trackWebVitals?: boolean;
  /** Report every change of a Web Vital, not only final values and values at page hide. Default false. */
  reportAllChanges?: boolean;
  /** The body format: the native JSON batch, or OpenTelemetry's OTLP/HTTP JSON logs (an OpenTelemetry Collector's `/v1/logs`). Default `native`. */
  wireFormat?: 'native' | 'otlp';
  /** `service.name` of the OTLP resource. Default `browser-app`. */
  serviceName?: string;
  /** Property, tag and breadcrumb-data names (any depth, any case) whose values become `[REDACTED]`. At most 50. */
  maskKeys?: string[];
  /** Literal texts (3 to 200 characters) replaced by `[REDACTED]` wherever they appear. At most 50. */
  maskPatterns?: string[];
  /** Literal texts the built-in detectors leave as they are (a support address, say). At most 50. */
  allowList?: string[];
  /**
   * Called with every event (already masked) as it leaves memory to be stored or sent. Return it,
   * changed or not, to keep it; return `null` to drop it. An exception drops it too; drops are
   * counted in `getStats().droppedByHook`. The `id` and `kind` must stay as they are.
   */
  beforeSend?: (event: Record<string, unknown>) => Record<string, unknown> | null | undefined;
}

/**
 * A JSON-like value. Anything else passed in is cleaned, never thrown on:
 * cycles become `'[Circular]'`, functions and symbols are dropped, BigInt
 * becomes its decimal string, strings are cut at 1000 characters, nesting at
 * 10 levels (`'[Truncated]'`), objects at 100 keys, arrays at 100 items, and
 * the whole at about 32 KB.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Event properties, traits or breadcrumb data: an object (not an array). */
export type Properties = { [key: string]: unknown };

export type ConsentCategory = 'necessary' | 'analytics' | 'marketing';
export type ConsentDecision = 'pending' | 'granted' | 'denied';

/** What `consent.grant` and `consent.deny` take: a category, several, or `full` for all three. */
export type ConsentCategories = ConsentCategory | 'full' | ReadonlyArray<ConsentCategory | 'full'>;

export interface ConsentState {
  necessary: 'granted';
  analytics: ConsentDecision;
  marketing: ConsentDecision;
  /** Global Privacy Control or Do Not Track is on and honoured. */
  privacySignal: boolean;
}

export type Severity = 'CRITICAL' | 'FATAL' | 'ERROR' | 'WARNING' | 'WARN' | 'INFO' | 'LOG' | 'DEBUG'
  | 'critical' | 'fatal' | 'error' | 'warning' | 'warn' | 'info' | 'log' | 'debug';

export type ErrorCategory = 'CLIENT_ERROR' | 'SERVER_ERROR' | 'NETWORK_ERROR' | 'VALIDATION_ERROR' | 'AUTHENTICATION_ERROR'
  | 'AUTHORIZATION_ERROR' | 'RATE_LIMIT_ERROR' | 'EXTERNAL_SERVICE_ERROR';

export interface CaptureOptions {
  /** String tags on the error event (other values are cleaned or dropped). */
  tags?: Record<string, string>;
  /** Default `ERROR` for exceptions. */
  severity?: Severity;
  /** Default `CLIENT_ERROR`. */
  category?: ErrorCategory;
}

export interface Breadcrumb {
  /** Default `manual`. */
  category?: string;
  message?: string;
  data?: Properties;
}

/** Counters of `getStats()`; all zero before the agent is ready. */
export interface Stats {
  /** Events queued for sending. */
  accepted: number;
  /** Events the endpoint acknowledged. */
  sent: number;
  /** Events put back after a failed request. */
  retried: number;
  /** Events dropped from a full queue. */
  dropped: number;
  /** Events refused by validation (an empty or over-long name, say). */
  invalid: number;
  /** Events not recorded because this page load is sampled out. */
  sampledOut: number;
  /** Events queued now. */
  pending: number;
  /** Events held in memory while consent is pending. */
  held: number;
  /** Held events dropped past the limit of 500. */
  heldDropped: number;
  /** Events discarded because their consent category was denied. */
  denied: number;
  /** Calls whose input had to be cleaned (cycles, functions, BigInt, long strings, depth…). */
  cleaned: number;
  /** Calls refused before an event was made (a name that is not a string, properties that are not an object…). */
  rejected: number;
  errorsReported: number;
  errorsSuppressed: number;
  errorsSampledOut: number;
  /** Events that `beforeSend` dropped (it returned no event, changed the id or kind, or threw). */
  droppedByHook: number;
  /** Counters added by later versions. */
  [counter: string]: number;
}

export interface Consent {
  /** Grants categories; returns the new state (`null` while the agent is loading, `undefined` for an unknown category). */
  grant(categories: ConsentCategories): ConsentState | null | undefined;
  /** Denies categories (`necessary` cannot be denied). */
  deny(categories: ConsentCategories): ConsentState | null | undefined;
  /** Withdraws consent: stops sending and erases the queue, the held events, the user id, the session and the stored decision. */
  revoke(): ConsentState | null | undefined;
  /** The current state, `null` before the agent is ready. */
  get(): ConsentState | null;
  /** Calls `listener` after every change; returns a function that removes it. */
  onChange(listener: (state: ConsentState | null) => void): () => void;
}

/** Loads the module and starts the agent; rejects with one error naming every bad configuration field. */
export function init(config: TelemetryConfig): Promise<void>;
/** Records an event. Never throws: a name that is not a string or properties that are not an object are refused (`false`, counted as `rejected`). */
export function track(name: string, properties?: Properties | null): boolean;
/** Sets the user id (`null` clears it); traits become an `identify` event. Both need marketing consent. */
export function identify(userId: string | null, traits?: Properties | null): boolean;
/** The visitor logged out: forgets the user id, tags and breadcrumbs, and starts a new session. */
export function reset(): boolean;
/** Sets a tag on every later event; `null` removes it. */
export function setTag(key: string, value: string | number | boolean | null): boolean;
/** Records an error by hand; any thrown value is accepted. */
export function captureException(error: unknown, options?: CaptureOptions): boolean;
/** Records a message as an error event (severity `INFO` unless given). */
export function captureMessage(message: string, severity?: Severity): boolean;
/** Adds a breadcrumb for later error events. */
export function addBreadcrumb(crumb: Breadcrumb): boolean;
/** Sends everything pending; resolves with the number of events the endpoint acknowledged. */
export function flush(): Promise<number>;
/** Closes the current page view, sends what is pending and stops the agent for good; resolves like `flush()`. */
export function shutdown(): Promise<number>;
/** Counters of what the agent did. */
export function getStats(): Stats;
/** Right to erasure: erases everything local and asks the endpoint to delete this visitor's rows; resolves with the number deleted (-1 if it could not ask). */
export function forget(): Promise<number>;
/** Masks personal data in a text as the agent does (`null` before the module has loaded). */
export function mask(text: string): string | null;
export const consent: Consent;

/** @internal Used by loader.js to replace its stub with this API. */
export function attach(stub: object, dataConfig: Partial<TelemetryConfig>): void;

/** The API as one object: `window.telemetry` after the script tag, or `import * as telemetry`. */
export interface TelemetryApi {
  init: typeof init;
  track: typeof track;
  identify: typeof identify;
  reset: typeof reset;
  setTag: typeof setTag;
  captureException: typeof captureException;
  captureMessage: typeof captureMessage;
  addBreadcrumb: typeof addBreadcrumb;
  flush: typeof flush;
  shutdown: typeof shutdown;
  getStats: typeof getStats;
  forget: typeof forget;
  mask: typeof mask;
  consent: Consent;
}

declare global {
  interface Window {
    /** Defined by the script-tag loader (`loader.js`). */
    telemetry: TelemetryApi;
  }
}
