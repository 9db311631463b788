import { describe, expect, it } from 'vitest';
import { leaseExpiry, microTime, parseDuration } from '../../../src/reconcile/run-lock.js';

describe(parseDuration, () => {
  it('reads seconds by default and the units ms, s, m, h', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('250ms')).toBe(250);
  });
  it('rejects anything else', () => {
    for (const bad of ['soon', '', '-1s', '5 minutes', '1d']) expect(parseDuration(bad)).toBeUndefined();
  });
});

describe(leaseExpiry, () => {
  const lease = (spec: Record<string, unknown>) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec });
  it('is renewTime + leaseDurationSeconds, and 0 without a holder', () => {
    const t = new Date('2026-01-01T00:00:00Z');
    expect(microTime(t)).toBe('2026-01-01T00:00:00.000000Z');
    expect(leaseExpiry(lease({ holderIdentity: 'a', renewTime: microTime(t), leaseDurationSeconds: 60 }))).toBe(t.getTime() + 60_000);
    expect(leaseExpiry(lease({ renewTime: microTime(t), leaseDurationSeconds: 60 }))).toBe(0);
  });
});
