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
