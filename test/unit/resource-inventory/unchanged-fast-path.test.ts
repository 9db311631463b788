/**
 * The unchanged fast path must never be weaker than the full comparison: whenever it says
 * "unchanged", canonicalize + fieldChanges find nothing either. Checked on generated objects and
 * live counterparts with server additions and out-of-band edits, for desired objects both as
 * built (what the fast path sees) and canonical (what the canonical path sees).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { DESIRED_CANONICAL, canonicalize } from '../../../src/resource-inventory/canonicalize.js';
import { fieldChanges, liveMatchesDesired } from '../../../src/resource-inventory/diff.js';
import { ResourceInventory } from '../../../src/resource-inventory/inventory.js';
import { SOURCE_SHA_ANNOTATION, markOwned, sourceHash } from '../../../src/resource-inventory/ownership.js';
import { computePlan, unchangedFastPath } from '../../../src/resource-inventory/planner.js';
import { QUOTA, asLive, defaultPlanOptions, integration, inventory, ownedLive, quota } from './builders.js';

const QUANTITIES = ['1', '1000m', '500m', '0.5', '1Gi', '1024Mi', '2', '10', 10, 1, '100M', '1e3', 'abc'] as const;
const scalar = fc.oneof(fc.constantFrom(...QUANTITIES), fc.string({ maxLength: 4 }), fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null));
const key = fc.constantFrom('a', 'b', 'c', 'cpu', 'memory', 'pods', 'limits.cpu', 'requests.memory');
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.dictionary(key, tie('v'), { maxKeys: 3 }), fc.array(tie('v'), { maxLength: 3 })),
})).v;

/** Desired objects of kinds with quantity paths, Secrets with stringData, nulls and nesting. */
const desiredObject: fc.Arbitrary<KubeObject> = fc.oneof(
  fc.dictionary(key, fc.constantFrom(...QUANTITIES, null), { maxKeys: 4 }).map((hard) => quota('q', 'ns', hard as Record<string, string | number>)),
  fc.record({ data: fc.dictionary(key, fc.string({ maxLength: 3 }), { maxKeys: 3 }), stringData: fc.option(fc.dictionary(key, fc.string({ maxLength: 3 }), { maxKeys: 2 }), { nil: undefined }) })
    .map(({ data, stringData }): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, type: 'Opaque', data, ...(stringData === undefined ? {} : { stringData }) })),
  fc.record({ spec: fc.dictionary(key, value, { maxKeys: 3 }), labels: fc.option(fc.dictionary(key, fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null)), { maxKeys: 2 }), { nil: undefined }) })
    .map(({ spec, labels }): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns', ...(labels === undefined ? {} : { labels: labels as Record<string, string> }) }, spec })),
  fc.record({ limits: fc.array(fc.record({ type: fc.constant('Container'), max: fc.dictionary(key, fc.constantFrom(...QUANTITIES), { maxKeys: 2 }) }), { maxLength: 2 }) })
    .map(({ limits }): KubeObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', namespace: 'ns' }, spec: { limits } })),
);

/** Replaces the value at a random path of `obj` (a copy) with `v`. */
function edit(obj: unknown, pick: number, v: unknown): unknown {
  const copy = structuredClone(obj) as Record<string, unknown>;
  const paths: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((c, i) => { paths.push({ parent: node, key: i }); walk(c); });
    else if (typeof node === 'object' && node !== null) for (const [k, c] of Object.entries(node)) { paths.push({ parent: node as Record<string, unknown>, key: k }); walk(c); }
  };
  walk(copy);
  const target = paths[pick % Math.max(paths.length, 1)];
  if (target !== undefined) (target.parent as Record<string | number, unknown>)[target.key] = v;
  return copy;
}

describe('unchanged fast path soundness', () => {
  it('liveMatchesDesired true ⇒ no field change, for desired as built and canonical', () => {
    fc.assert(fc.property(desiredObject, fc.boolean(), fc.nat(), value, (desired, perturb, pick, v) => {
      const base = ownedLive(desired, 'i', { extraTopLevel: { server: 'default' } });
      const live = (perturb ? edit(base, pick, v) : base) as KubeObject;
      const canonDesired = canonicalize(desired, DESIRED_CANONICAL);
      const changes = (): unknown[] => fieldChanges(canonicalize(live, { keepOwnerReferences: false, keepFinalizers: false }), canonDesired);
      if (liveMatchesDesired(live, desired)) expect(changes()).toEqual([]);
      if (liveMatchesDesired(live, canonDesired)) expect(changes()).toEqual([]);
    }), { numRuns: 3000 });
  });

  it('recognises an untouched live object from its desired object as built', () => {
    fc.assert(fc.property(desiredObject, (desired) => {
      // The API server folds stringData into data; a Secret written with stringData goes the slow way.
      fc.pre(desired.kind !== 'Secret' || desired.stringData === undefined);
      expect(liveMatchesDesired(ownedLive(desired, 'i'), desired)).toBe(true);
    }), { numRuns: 500 });
  });
});

function inv(): ResourceInventory {
  return new ResourceInventory([integration('quotas'), integration('other')]);
}

describe(unchangedFastPath, () => {
  const q = quota('q', 'ns', { pods: '10', 'limits.cpu': '1000m' });
  const entry = (i: ResourceInventory) => {
    i.addDesired('quotas', 'c1', QUOTA, q, '/q.yml');
    return [...i.cells()][0]!.desired.get('q')!;
  };

  it('is true for the object as kontract left it, with server additions', () => {
    expect(unchangedFastPath(entry(inv()), ownedLive(q, 'quotas', { extra: 1 }))).toBe(true);
  });

  it('is false for an object owned by another integration or not owned', () => {
    expect(unchangedFastPath(entry(inv()), ownedLive(q, 'other'))).toBe(false);
    expect(unchangedFastPath(entry(inv()), asLive(q))).toBe(false);
  });

  it('is false after an out-of-band edit, and false when the source hash is absent or differs', () => {
    const edited = ownedLive(q, 'quotas');
    (edited.spec as { hard: Record<string, string> }).hard.pods = '11';
    expect(unchangedFastPath(entry(inv()), edited)).toBe(false);
    const older = ownedLive(q, 'quotas');
    delete older.metadata.annotations?.[SOURCE_SHA_ANNOTATION];
    expect(unchangedFastPath(entry(inv()), older)).toBe(false);
    const reordered = { ...q, spec: { hard: { 'limits.cpu': '1000m', pods: '10' } } };
    expect(sourceHash(reordered)).not.toBe(sourceHash(q));
    expect(unchangedFastPath(entry(inv()), ownedLive(reordered, 'quotas'))).toBe(false);
  });
});

describe('source hash and canonical sha together', () => {
  it('marks carry both hashes; the source hash is the plain JSON sha256', () => {
    const q = quota('q', 'ns', { pods: '10' });
    const marked = markOwned(q, 'quotas');
    expect(marked.metadata.annotations?.[SOURCE_SHA_ANNOTATION]).toBe(sourceHash(q));
    expect(sourceHash(q)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('an equivalent object built differently is unchanged (canonical sha), not rewritten', () => {
    const applied = quota('q', 'ns', { pods: '10', 'limits.cpu': '1' });
    const now = quota('q', 'ns', { 'limits.cpu': '1000m', pods: 10 });
    const plan = inventory().cluster('c1').desired('quotas', QUOTA, now).current(QUOTA, ownedLive(applied, 'quotas')).plan();
    expect(plan.changes).toEqual([]);
    expect(plan.clusters[0]).toMatchObject({ unchanged: 1, current: 1 });
  });

  it('an object applied by a kontract without source hashes is unchanged, not rewritten', () => {
    const q = quota('q', 'ns', { pods: '10' });
    const live = ownedLive(q, 'quotas');
    delete live.metadata.annotations?.[SOURCE_SHA_ANNOTATION];
    expect(inventory().cluster('c1').desired('quotas', QUOTA, q).current(QUOTA, live).plan().changes).toEqual([]);
  });

  it('a field removed from the desired object is an update (both hashes differ)', () => {
    const before = quota('q', 'ns', { pods: '10', services: '5' });
    const after = quota('q', 'ns', { pods: '10' });
    const plan = inventory().cluster('c1').desired('quotas', QUOTA, after).current(QUOTA, ownedLive(before, 'quotas')).plan();
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ action: 'update', reason: 'hash differs' });
    expect(plan.changes[0]!.desired?.metadata.annotations?.[SOURCE_SHA_ANNOTATION]).toBe(sourceHash(after));
  });
});

describe('objects recorded unchanged while read (addUnchanged)', () => {
  const q = quota('q', 'ns', { pods: '10' });
  const opts = defaultPlanOptions(['quotas']);

  it('plans like the same object kept whole: counted current and unchanged, never deleted', () => {
    const whole = inv();
    whole.addDesired('quotas', 'c1', QUOTA, q, '/q.yml');
    whole.addCurrent('c1', QUOTA, ownedLive(q, 'quotas'));
    const names = inv();
    names.addDesired('quotas', 'c1', QUOTA, q, '/q.yml');
    names.addUnchanged('c1', QUOTA, 'ns', 'q');
    expect(computePlan(names, opts)).toEqual(computePlan(whole, opts));
    expect(computePlan(names, opts).clusters[0]).toMatchObject({ desired: 1, current: 1, unchanged: 1 });
  });

  it('counts as owned for the empty-desired safety of the other objects', () => {
    // q is unchanged and a second owned object is no longer desired: a plain delete, no refusal.
    const i = inv();
    i.addDesired('quotas', 'c1', QUOTA, q, '/q.yml');
    i.addUnchanged('c1', QUOTA, 'ns', 'q');
    i.addCurrent('c1', QUOTA, ownedLive(quota('gone', 'ns', {}), 'quotas'));
    const plan = computePlan(i, opts);
    expect(plan.errors).toEqual([]);
    expect(plan.changes.map((c) => `${c.action} ${c.name}`)).toEqual(['delete gone']);
  });

  it('refuses a name without a desired object, and a later whole object replaces the name', () => {
    const i = inv();
    expect(() => { i.addUnchanged('c1', QUOTA, 'ns', 'q'); }).toThrow(/recorded as unchanged but not desired/);
    i.addDesired('quotas', 'c1', QUOTA, q, '/q.yml');
    i.addUnchanged('c1', QUOTA, 'ns', 'q');
    const edited = ownedLive(quota('q', 'ns', { pods: '99' }), 'quotas');
    i.addCurrent('c1', QUOTA, edited);
    const cell = [...i.cells()][0]!;
    expect(cell.unchanged.size).toBe(0);
    expect(computePlan(i, opts).changes.map((c) => c.action)).toEqual(['update']);
  });
});
