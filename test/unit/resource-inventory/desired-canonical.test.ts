import { describe, expect, it } from 'vitest';
import { desiredHash } from '../../../src/resource-inventory/canonicalize.js';
import { canonicalDesired, prepareDesiredHashes } from '../../../src/resource-inventory/desired-canonical.js';
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

describe(prepareDesiredHashes.name, () => {
  it('memoises every desired entry\'s source hash and yields to the event loop between slices', async () => {
    const inv = inventoryWith(10);
    let yields = 0;
    const n = await prepareDesiredHashes(inv, { sliceSize: 3, yieldNow: () => { yields++; return Promise.resolve(); } });
    expect(n).toBe(10);
    expect(yields).toBe(3);
    // the cheap source hash is prepared; canonical forms wait until a plan needs them
    for (const cell of inv.cells()) {
      for (const e of cell.desired.values()) {
        expect(e.sourceSha).toBe(sourceHash(e.object));
        expect(e.canonical).toBeUndefined();
      }
    }
  });

  it('does not change the plan: prepared and unprepared inventories plan the same', async () => {
    const opts = { integrations: ['rq'], dataSha: 's', takeOver: false, maxDeletions: 50, allowMassDeletion: false };
    const prepared = inventoryWith(5);
    await prepareDesiredHashes(prepared);
    expect(computePlan(prepared, opts)).toEqual(computePlan(inventoryWith(5), opts));
  });
});
