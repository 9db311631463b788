import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency } from '../../../src/k8s/adaptive-concurrency.js';
import type { Attempt } from '../../../src/k8s/adaptive-concurrency.js';
import { MAX_THROTTLED_RETRIES, retryThrottled } from '../../../src/k8s/retry-policy.js';

/** An attempt the test finishes by hand: its ticket, and a function that ends it. */
interface Held { readonly attempt: Attempt; readonly end: () => Promise<void> }

/** Starts `n` attempts that stay in flight until ended; resolves once the first `started` of them run. */
function hold(pace: AdaptiveConcurrency, n: number): { held: Held[]; done: Promise<void>[] } {
  const held: Held[] = [];
  const done = Array.from({ length: n }, () => pace.run((attempt) => new Promise<void>((resolve) => {
    held.push({ attempt, end: async () => { resolve(); await tick(); } });
  })));
  return { held, done };
}

const tick = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve(); };

/** Ends every held attempt, also those that start meanwhile, until all have finished. */
async function drain(h: { held: Held[]; done: Promise<void>[] }): Promise<void> {
  for (let ended = 0; ended < h.done.length; ended++) {
    while (h.held.length <= ended) await tick();
    await h.held[ended]?.end();
  }
  await Promise.all(h.done);
}

describe('AdaptiveConcurrency', () => {
  it('does not limit attempts before the first 429', async () => {
    const pace = new AdaptiveConcurrency();
    const { held } = hold(pace, 25);
    await tick();
    expect(held).toHaveLength(25);
    expect(pace.limit).toBe(Number.POSITIVE_INFINITY);
    expect(pace.lowestLimit).toBe(Number.POSITIVE_INFINITY);
    for (const h of held) await h.end();
  });

  it('halves from the attempts in flight on a 429, once for a burst of 429s sent in the same epoch', async () => {
    const pace = new AdaptiveConcurrency();
    const { held } = hold(pace, 10);
    await tick();
    // all ten were sent before any answer: ten 429s are one overload, one decrease
    const outcomes = held.map((h) => pace.throttled(h.attempt));
    expect(outcomes.filter((o) => o.decreased)).toHaveLength(1);
    expect(pace.limit).toBe(5);
    expect(pace.decreaseCount).toBe(1);
    for (const h of held) await h.end();
  });

  it('queues attempts beyond the limit, and halves again for a 429 of an attempt sent after the decrease, never below 1', async () => {
    const pace = new AdaptiveConcurrency();
    const first = hold(pace, 4);
    await tick();
    pace.throttled(first.held[0]?.attempt ?? { epoch: -1 });
    expect(pace.limit).toBe(2);
    for (const h of first.held) await h.end();
    const second = hold(pace, 6);
    await tick();
    expect(second.held).toHaveLength(2);
    expect(pace.waiting).toBe(4);
    pace.throttled(second.held[0]?.attempt ?? { epoch: -1 });
    expect(pace.limit).toBe(1);
    pace.throttled(second.held[1]?.attempt ?? { epoch: -1 });
    expect(pace.limit).toBe(1);
    await second.held[0]?.end();
    await second.held[1]?.end();
    // one slot now: the next attempt runs alone; its own 429 keeps the limit at 1
    expect(second.held).toHaveLength(3);
    expect(pace.throttled(second.held[2]?.attempt ?? { epoch: -1 })).toEqual({ decreased: true, limit: 1 });
    expect(pace.lowestLimit).toBe(1);
    await drain(second);
  });

  it('raises the limit by one per `limit` answers, starts waiting attempts when it rises, and lifts it at the most it had in flight', async () => {
    const pace = new AdaptiveConcurrency();
    const burst = hold(pace, 8);
    await tick();
    pace.throttled(burst.held[0]?.attempt ?? { epoch: -1 });
    expect(pace.limit).toBe(4);
    for (const h of burst.held) await h.end();
    const next = hold(pace, 6);
    await tick();
    expect(next.held).toHaveLength(4);
    // four answers at limit 4: 5
    for (let i = 0; i < 4; i++) pace.succeeded();
    expect(pace.limit).toBe(5);
    await tick();
    expect(next.held).toHaveLength(5);
    for (let i = 0; i < 5; i++) pace.succeeded();
    expect(pace.limit).toBe(6);
    for (let i = 0; i < 6; i++) pace.succeeded();
    expect(pace.limit).toBe(7);
    // 8 was the most in flight: reaching it lifts the limit
    for (let i = 0; i < 7; i++) pace.succeeded();
    expect(pace.limit).toBe(Number.POSITIVE_INFINITY);
    expect(pace.lowestLimit).toBe(4);
    await tick();
    expect(next.held).toHaveLength(6);
    for (const h of next.held) await h.end();
    await Promise.all(next.done);
  });

  it('passes an attempt\'s result and error through, freeing its slot either way', async () => {
    const pace = new AdaptiveConcurrency();
    await expect(pace.run(() => Promise.resolve(42))).resolves.toBe(42);
    await expect(pace.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const { held } = hold(pace, 1);
    await tick();
    pace.throttled(held[0]?.attempt ?? { epoch: -1 });
    expect(pace.limit).toBe(1);
    await held[0]?.end();
    await expect(pace.run(() => Promise.reject(new Error('again')))).rejects.toThrow('again');
    await expect(pace.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});

describe('retryThrottled', () => {
  it('retries a 429 for free while the cluster makes progress, up to MAX_THROTTLED_RETRIES rejections', () => {
    expect(retryThrottled({ rejections: 1, retriesSpent: 4, maxRetries: 4, progressed: true })).toBe('free');
    expect(retryThrottled({ rejections: MAX_THROTTLED_RETRIES, retriesSpent: 0, maxRetries: 4, progressed: true })).toBe('free');
    expect(retryThrottled({ rejections: MAX_THROTTLED_RETRIES + 1, retriesSpent: 0, maxRetries: 4, progressed: true })).toBe('fail');
  });

  it('spends the retry budget when nothing else got through, and fails when it is spent', () => {
    expect(retryThrottled({ rejections: 1, retriesSpent: 0, maxRetries: 4, progressed: false })).toBe('spend');
    expect(retryThrottled({ rejections: 4, retriesSpent: 3, maxRetries: 4, progressed: false })).toBe('spend');
    expect(retryThrottled({ rejections: 5, retriesSpent: 4, maxRetries: 4, progressed: false })).toBe('fail');
  });
});
