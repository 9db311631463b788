import { describe, expect, it } from 'vitest';
import { requestLimits } from '../../../src/reconcile/request-limits.js';

/** Runs `n` tasks per cluster that wait until released; returns the peak in flight per cluster and overall. */
async function peaks(limitsPerCluster: number, total: number, clusters: readonly string[], n: number) {
  const limits = requestLimits(limitsPerCluster, total);
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  let all = 0;
  let peakAll = 0;
  const tasks = clusters.flatMap((c) => Array.from({ length: n }, () => limits(c)(async () => {
    inFlight.set(c, (inFlight.get(c) ?? 0) + 1);
    all++;
    peak.set(c, Math.max(peak.get(c) ?? 0, inFlight.get(c) ?? 0));
    peakAll = Math.max(peakAll, all);
    await new Promise((r) => setTimeout(r, 2));
    inFlight.set(c, (inFlight.get(c) ?? 0) - 1);
    all--;
    return c;
  })));
  const results = await Promise.all(tasks);
  return { peak, peakAll, results };
}

describe(requestLimits, () => {
  it('bounds requests per cluster, not across clusters', async () => {
    const { peak, peakAll, results } = await peaks(3, 64, ['a', 'b', 'c'], 10);
    expect([...peak.values()]).toEqual([3, 3, 3]);
    expect(peakAll).toBe(9);
    expect(results).toHaveLength(30);
  });

  it('bounds all clusters together by the overall limit', async () => {
    const { peak, peakAll } = await peaks(4, 5, ['a', 'b', 'c'], 6);
    expect(peakAll).toBe(5);
    for (const p of peak.values()) expect(p).toBeLessThanOrEqual(4);
  });

  it('returns the same limiter for the same cluster', () => {
    const limits = requestLimits(2);
    expect(limits('a')).toBe(limits('a'));
    expect(limits('a')).not.toBe(limits('b'));
  });
});
