/**
 * Adaptive concurrency of one cluster's requests (AIMD: additive increase, multiplicative
 * decrease), as TCP paces a connection: every attempt sent to the cluster passes through it.
 *
 * - Unbounded until the cluster first answers 429 (the caller's own limit, `--concurrency`,
 *   bounds what is in flight; request-limits.ts).
 * - A 429 halves the limit (at least 1), starting from the attempts that were in flight when it
 *   arrived. Only once per congestion epoch: the 429s of attempts sent before the last decrease
 *   answer the same overload, so a burst of rejections halves once, not once per rejection.
 * - Every `limit` successful attempts raise it by one, up to the most attempts it ever had in
 *   flight; reaching that lifts the limit (unbounded again).
 *
 * The FIFO queue and the changeable limit are p-limit's (its `concurrency` setter lets waiting
 * attempts start when the limit rises).
 */
import pLimit from 'p-limit';
import type { LimitFunction } from 'p-limit';

/** What a throttled (429) answer did to the limit. */
export interface ThrottleOutcome {
  /** True when this answer lowered the limit (the first 429 of its epoch). */
  readonly decreased: boolean;
  /** The limit after it. */
  readonly limit: number;
}

/** One attempt's ticket: which congestion epoch it was sent in. */
export interface Attempt {
  readonly epoch: number;
}

export class AdaptiveConcurrency {
  private readonly gate: LimitFunction = pLimit(Number.POSITIVE_INFINITY);
  private epoch = 0;
  private inFlight = 0;
  private peak = 0;
  private successes = 0;
  private lowest = Number.POSITIVE_INFINITY;
  private decreases = 0;

  /** The current limit of attempts in flight (Infinity: not limited). */
  get limit(): number {
    return this.gate.concurrency;
  }

  /** The lowest limit so far (Infinity: never throttled). */
  get lowestLimit(): number {
    return this.lowest;
  }

  /** How many times a 429 lowered the limit. */
  get decreaseCount(): number {
    return this.decreases;
  }

  /** Attempts waiting for a slot. */
  get waiting(): number {
    return this.gate.pendingCount;
  }

  /** Runs one attempt when a slot is free; `fn` gets the attempt's ticket for `throttled`. */
  run<T>(fn: (attempt: Attempt) => Promise<T>): Promise<T> {
    return this.gate(async () => {
      const attempt: Attempt = { epoch: this.epoch };
      this.inFlight++;
      if (this.inFlight > this.peak) this.peak = this.inFlight;
      try {
        return await fn(attempt);
      } finally {
        this.inFlight--;
      }
    });
  }

  /** An attempt was answered 429: halve the limit, once per epoch. Call before the attempt's slot is freed. */
  throttled(attempt: Attempt): ThrottleOutcome {
    if (attempt.epoch !== this.epoch) return { decreased: false, limit: this.limit };
    this.epoch++;
    this.successes = 0;
    this.decreases++;
    const next = Math.max(1, Math.floor(Math.min(this.limit, this.inFlight) / 2));
    this.setLimit(next);
    return { decreased: true, limit: next };
  }

  /** An attempt got an answer that is not throttling: every `limit` of them raise the limit by one. */
  succeeded(): void {
    const limit = this.limit;
    if (limit === Number.POSITIVE_INFINITY) return;
    this.successes++;
    if (this.successes < limit) return;
    this.successes = 0;
    this.setLimit(limit + 1 >= this.peak ? Number.POSITIVE_INFINITY : limit + 1);
  }

  private setLimit(limit: number): void {
    if (limit < this.lowest) this.lowest = limit;
    this.gate.concurrency = limit;
  }
}
