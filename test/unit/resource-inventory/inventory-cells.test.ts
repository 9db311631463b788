/**
 * ResourceInventory files every object in its own (cluster, namespace, kind) cell however the
 * calls interleave: the remembered last cell (inventory.ts `lastCell`) is only a shortcut for a
 * call about the same cell, never a cell of another cluster, namespace or kind.
 */
import { describe, expect, it } from 'vitest';
import type { ManagedKind } from '../../../src/core/k8s-object.js';
import { ResourceInventory } from '../../../src/resource-inventory/inventory.js';
import { QUOTA, SECRET, quota, secret } from './builders.js';

describe('ResourceInventory cells', () => {
  it('interleaved adds across clusters, namespaces and kinds land in their own cells', () => {
    const inv = new ResourceInventory([{ name: 'i' }]);
    inv.addDesired('i', 'c1', QUOTA, quota('q', 'a', {}), '/f.yml');
    inv.addDesired('i', 'c2', QUOTA, quota('q', 'a', {}), '/f.yml');
    inv.addDesired('i', 'c1', QUOTA, quota('q', 'b', {}), '/f.yml');
    inv.addDesired('i', 'c1', SECRET, secret('q', 'a', {}), '/f.yml');
    inv.addDesired('i', 'c1', QUOTA, quota('r', 'a', {}), '/f.yml');
    inv.addUnchanged('c2', QUOTA, 'a', 'q');
    inv.addCurrent('c1', QUOTA, quota('q', 'b', {}));
    inv.addCurrent('c1', SECRET, secret('q', 'a', {}));
    inv.addUnchanged('c1', QUOTA, 'a', 'r');

    const names = (c: string, ns: string, kind: string): { desired: string[]; current: string[]; unchanged: string[] } => {
      const cell = inv.get(c, ns, kind);
      return { desired: [...(cell?.desired.keys() ?? [])], current: [...(cell?.current.keys() ?? [])], unchanged: [...(cell?.unchanged ?? [])] };
    };
    expect(names('c1', 'a', 'ResourceQuota')).toEqual({ desired: ['q', 'r'], current: [], unchanged: ['r'] });
    expect(names('c1', 'b', 'ResourceQuota')).toEqual({ desired: ['q'], current: ['q'], unchanged: [] });
    expect(names('c1', 'a', 'Secret')).toEqual({ desired: ['q'], current: ['q'], unchanged: [] });
    expect(names('c2', 'a', 'ResourceQuota')).toEqual({ desired: ['q'], current: [], unchanged: ['q'] });
    expect([...inv.cells()]).toHaveLength(4);
  });

  it('an equal kind given as another object (a kind resolved by discovery) finds the same cell', () => {
    const inv = new ResourceInventory([{ name: 'i' }]);
    const discovered: ManagedKind = { ...QUOTA };
    inv.addDesired('i', 'c1', QUOTA, quota('q', 'a', {}), '/f.yml');
    inv.addDesired('i', 'c1', SECRET, secret('s', 'a', {}), '/f.yml');
    inv.addUnchanged('c1', discovered, 'a', 'q');
    inv.addCurrent('c1', discovered, quota('q', 'a', {}));
    const cell = inv.get('c1', 'a', 'ResourceQuota');
    expect([...(cell?.current.keys() ?? [])]).toEqual(['q']);
    expect([...(cell?.unchanged ?? [])]).toEqual([]);
    expect([...inv.cells()]).toHaveLength(2);
  });

  it('a duplicate desired object is still refused when its cell was the last one used', () => {
    const inv = new ResourceInventory([{ name: 'i' }]);
    inv.addDesired('i', 'c1', QUOTA, quota('q', 'a', {}), '/one.yml');
    expect(() => { inv.addDesired('i', 'c1', QUOTA, quota('q', 'a', {}), '/two.yml'); }).toThrow(/duplicate desired object .* from \/one\.yml .* and \/two\.yml/);
  });
});
