import { describe, expect, it } from 'vitest';
import { desiredHash } from '../../../src/resource-inventory/canonicalize.js';
import { canonicalDesired, desiredSourceHash } from '../../../src/resource-inventory/desired-canonical.js';
import { sourceHash } from '../../../src/resource-inventory/ownership.js';
import { ResourceInventory } from '../../../src/resource-inventory/inventory.js';
import { computePlan } from '../../../src/resource-inventory/planner.js';
import { QUOTA, integration, quota } from './builders.js';

function inventoryWith(n: number): ResourceInventory {
  const inv = new ResourceInventory([integration('rq')]);
  for (let i = 0; i < n; i++) inv.addDesired('rq', 'c1', QUOTA, quota(`q${i}`, 'ns', { pods: i, 'limits.cpu': '1000m' }), '/q.yml');
  return inv;
}

describe(canonicalDesired.name, () => {
  it('returns the same memoised result for the same entry and the hash desiredHash computes', () => {
    const inv = inventoryWith(1);
    const entry = [...inv.cells()][0]!.desired.get('q0')!;
    const a = canonicalDesired(entry);
    expect(canonicalDesired(entry)).toBe(a);
    expect(a.sha).toBe(desiredHash(entry.object));
    expect(a.canonical.spec).toEqual({ hard: { pods: '0', 'limits.cpu': '1' } });
  });
});

describe(desiredSourceHash, () => {
  it('memoises the source hash on the entry, leaving the canonical form for when it is needed', () => {
    const inv = inventoryWith(3);
    for (const cell of inv.cells()) {
      for (const e of cell.desired.values()) {
        expect(e.sourceSha).toBeUndefined();
        expect(desiredSourceHash(e)).toBe(sourceHash(e.object));
        expect(e.sourceSha).toBe(sourceHash(e.object));
        expect(e.canonical).toBeUndefined();
      }
    }
  });

  it('does not change the plan: an inventory with memoised hashes plans like a fresh one', () => {
    const opts = { integrations: ['rq'], dataSha: 's', takeOver: false, maxDeletions: 50, allowMassDeletion: false };
    const used = inventoryWith(5);
    for (const cell of used.cells()) for (const e of cell.desired.values()) { desiredSourceHash(e); canonicalDesired(e); }
    expect(computePlan(used, opts)).toEqual(computePlan(inventoryWith(5), opts));
  });
});
