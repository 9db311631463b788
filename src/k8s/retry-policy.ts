/**
 * When and how long to wait before retrying a Kubernetes API request.
 */

/** Statuses worth retrying: throttling and transient server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Network errors worth retrying (a reused keep-alive socket closed by the server, timeouts, refused). */
export function isRetryableNetworkError(code: string | undefined): boolean {
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'ECONNREFUSED' || code === 'EAI_AGAIN' || code === 'KONTRACT_TIMEOUT';
}

/** Parses Retry-After (seconds or HTTP date) into milliseconds; undefined if absent/invalid. */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface BackoffOptions {
  /** @default 250 */
  readonly baseMs: number;
  /** @default 10000 */
  readonly maxMs: number;
}

/** Exponential backoff for attempt n (0-based), Retry-After taking precedence (capped at maxMs × 3). */
export function backoffDelay(attempt: number, opts: BackoffOptions, retryAfter?: number): number {
  if (retryAfter !== undefined) return Math.min(retryAfter, opts.maxMs * 3);
  return Math.min(opts.baseMs * 2 ** attempt, opts.maxMs);
}

/**
 * 429 answers one request may get before it is reported failed, however much progress its
 * cluster makes (client-go retries a 429 with Retry-After up to 10 times, too).
 */
export const MAX_THROTTLED_RETRIES = 10;

export interface ThrottledRequest {
  /** 429 answers to this request so far, the latest included. */
  readonly rejections: number;
  /** Retries this request spent from its `maxRetries` budget so far. */
  readonly retriesSpent: number;
  readonly maxRetries: number;
  /** The cluster answered other requests (not 429, not 5xx) since this one's latest attempt was sent. */
  readonly progressed: boolean;
}

/**
 * What to do with a request answered 429 (API Priority and Fairness, max-in-flight):
 * - `free`: retry without spending the retry budget — the cluster is making progress, so the
 *   rejection is its pace (the client's adaptive concurrency has lowered the requests in flight);
 * - `spend`: retry, spending one retry of `maxRetries` — the cluster made no progress meanwhile;
 * - `fail`: report it — `MAX_THROTTLED_RETRIES` rejections, or the budget is spent.
 * Either way a request is sent at most 1 + MAX_THROTTLED_RETRIES times on 429s, and at most
 * 1 + maxRetries times while nothing else gets through.
 */
export function retryThrottled(r: ThrottledRequest): 'free' | 'spend' | 'fail' {
  if (r.rejections > MAX_THROTTLED_RETRIES) return 'fail';
  if (r.progressed) return 'free';
  return r.retriesSpent < r.maxRetries ? 'spend' : 'fail';
}
