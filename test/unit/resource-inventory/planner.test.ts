import { describe, expect, it } from 'vitest';
import { isKontractError } from '../../../src/core/errors.js';
import { computePlan } from '../../../src/resource-inventory/planner.js';
import { INTEGRATION_LABEL } from '../../../src/resource-inventory/ownership.js';
import type { Plan } from '../../../src/resource-inventory/plan.js';
import {
  CLUSTER_ROLE,
  CRD,
  NAMESPACE,
  QUOTA,
  ROLE_BINDING,
  asLive,
  integration,
  inventory,
  namespaceObj,
  ownedLive,
  quota,
  roleBinding,
} from './builders.js';

const ids = (plan: Plan): string[] => plan.changes.map((c) => `${c.action} ${c.cluster}/${c.namespace}/${c.kind}/${c.name}`);

describe(computePlan, () => {
  describe('ownership matrix', () => {
    const q = quota('q', 'ns', { pods: '10' });

    it.each([
      // live state            desired?  expected action / error
      ['absent', true, 'create', undefined],
      ['owned by quotas', true, 'unchanged', undefined],
      ['unowned', true, undefined, 'E_OWNERSHIP_CONFLICT'],
      ['owned by other', true, undefined, 'E_OWNERSHIP_CONFLICT'],
      ['owned by quotas', false, 'delete', undefined],
      ['unowned', false, 'none', undefined],
      ['owned by other', false, 'none', undefined],
    ] as const)('live %s, desired %s → %s %s', (live, isDesired, action, error) => {
      // An in-sync anchor keeps the desired set non-empty (an empty one refuses pruning).
      const b = inventory(integration('quotas'), integration('other')).cluster('c1').inSync('quotas', QUOTA, quota('anchor', 'ns', {}));
      if (isDesired) b.desired('quotas', QUOTA, q);
      if (live === 'owned by quotas') b.current(QUOTA, ownedLive(q, 'quotas'));
      if (live === 'unowned') b.current(QUOTA, asLive(q));
      if (live === 'owned by other') b.current(QUOTA, ownedLive(q, 'other'));
      // 'other' is not part of this run: its objects are never deleted.
      const plan = b.plan({ integrations: ['quotas'] });
      expect(plan.errors.map((e) => e.code)).toEqual(error === undefined ? [] : [error]);
      if (action === 'unchanged') expect(plan.clusters[0]!.unchanged).toBe(2);
      if (action === 'create' || action === 'delete') expect(ids(plan)).toEqual([`${action} c1/ns/ResourceQuota/q`]);
      else expect(plan.changes).toEqual([]);
    });

    it('adopts an unowned object with takeOver (an update carrying the marks)', () => {
      const plan = inventory().cluster('c1').desired('quotas', QUOTA, q).current(QUOTA, asLive(q)).plan({ takeOver: true });
      expect(plan.errors).toEqual([]);
      expect(plan.changes).toHaveLength(1);
      expect(plan.changes[0]).toMatchObject({ action: 'update', reason: 'take over: adopt unowned object' });
      expect(plan.changes[0]!.desired?.metadata.labels?.[INTEGRATION_LABEL]).toBe('quotas');
    });

    it('refuses to take over an object owned by another integration', () => {
      const plan = inventory().cluster('c1').desired('quotas', QUOTA, q).current(QUOTA, ownedLive(q, 'other')).plan({ takeOver: true });
      expect(plan.errors).toMatchObject([{ cluster: 'c1', code: 'E_OWNERSHIP_CONFLICT' }]);
      expect(plan.errors[0]!.message).toContain('owned by integration other');
    });

    it('skips the whole cluster with an ownership conflict but plans the others', () => {
      const plan = inventory()
        .cluster('c1').desired('quotas', QUOTA, q).current(QUOTA, asLive(q)).desired('quotas', QUOTA, quota('new', 'ns', { pods: '1' }))
        .cluster('c2').desired('quotas', QUOTA, q)
        .plan();
      expect(ids(plan)).toEqual(['create c2/ns/ResourceQuota/q']);
      expect(plan.skippedChanges.map((c) => c.name)).toEqual(['new']);
      expect(plan.clusters.map((c) => [c.cluster, c.skipped])).toEqual([['c1', true], ['c2', false]]);
    });
  });

  describe('change detection', () => {
    it('finds no change when the server added defaults and status', () => {
      const rb = roleBinding('rb', 'ns', 'view', ['alice']);
      const live = ownedLive(rb, 'rbs');
      (live.subjects as Record<string, unknown>[])[0]!.namespace = 'x';
      const plan = inventory(integration('rbs')).cluster('c1').desired('rbs', ROLE_BINDING, rb).current(ROLE_BINDING, live).plan();
      expect(plan.changes).toEqual([]);
      expect(plan.clusters[0]).toMatchObject({ desired: 1, current: 1, unchanged: 1 });
    });

    it('detects an out-of-band edit even though the sha annotation still matches', () => {
      const q = quota('q', 'ns', { pods: '10' });
      const live = ownedLive(q, 'quotas');
      live.spec = { hard: { pods: '99' } };
      const plan = inventory().cluster('c1').desired('quotas', QUOTA, q).current(QUOTA, live).plan();
      expect(plan.changes).toHaveLength(1);
      expect(plan.changes[0]!.reason).toBe('drift: spec.hard.pods (edited out of band)');
      expect(plan.changes[0]!.changes).toEqual([{ path: 'spec.hard.pods', op: 'replace', before: '99', after: '10' }]);
    });

    it('updates when the desired hash differs', () => {
      const plan = inventory().cluster('c1')
        .desired('quotas', QUOTA, quota('q', 'ns', { 'limits.cpu': '2' }))
        .current(QUOTA, ownedLive(quota('q', 'ns', { 'limits.cpu': '1' }), 'quotas'))
        .plan();
      expect(plan.changes[0]).toMatchObject({ action: 'update', reason: 'hash differs; drift: spec.hard.limits.cpu' });
    });

    it('treats a quantity written differently as unchanged', () => {
      const live = ownedLive(quota('q', 'ns', { 'limits.memory': '1Gi' }), 'quotas');
      const plan = inventory().cluster('c1').desired('quotas', QUOTA, quota('q', 'ns', { 'limits.memory': '1024Mi' })).current(QUOTA, live).plan();
      expect(plan.changes).toEqual([]);
    });

    it('ignores the integration ignoreFields', () => {
      // GIVEN a label kontract set and a controller rewrote
      const rb = roleBinding('rb', 'ns', 'view', ['alice']);
      rb.metadata.labels = { team: 'a' };
      const live = ownedLive(rb, 'rbs');
      live.metadata.labels = { ...live.metadata.labels, team: 'rewritten' };
      const build = (ignoreFields: string[]) =>
        inventory(integration('rbs', { ignoreFields })).cluster('c1').desired('rbs', ROLE_BINDING, rb).current(ROLE_BINDING, live).plan();
      // THEN the rewrite is drift without ignoreFields, and ignored with it
      expect(build([]).changes.map((c) => c.reason)).toEqual(['drift: metadata.labels.team (edited out of band)']);
      expect(build(['metadata.labels.team']).changes).toEqual([]);
    });

    it('refuses an update that changes an immutable field with an object-only E_SAFETY error', () => {
      const rbs = integration('rbs', { immutableFields: ['roleRef'] });
      const plan = inventory(rbs).cluster('c1')
        .desired('rbs', ROLE_BINDING, roleBinding('rb', 'ns', 'edit', ['alice']))
        .current(ROLE_BINDING, ownedLive(roleBinding('rb', 'ns', 'view', ['alice']), 'rbs'))
        .desired('rbs', ROLE_BINDING, roleBinding('other', 'ns', 'view', ['bob']))
        .plan();
      expect(plan.errors).toMatchObject([{ cluster: 'c1', code: 'E_SAFETY', objectOnly: true, object: { name: 'rb' } }]);
      expect(plan.errors[0]!.message).toContain('delete and recreate');
      expect(plan.skippedChanges.map((c) => c.name)).toEqual(['rb']);
      // The rest of the cluster still applies.
      expect(ids(plan)).toEqual(['create c1/ns/RoleBinding.rbac.authorization.k8s.io/other']);
    });
  });

  describe('inventory errors', () => {
    it('throws E_DESIRED_STATE naming both sources on a duplicate desired object', () => {
      const b = inventory(integration('quotas'), integration('other')).cluster('c1')
        .desired('quotas', QUOTA, quota('q', 'ns', {}), 'a.yml')
        .desired('other', QUOTA, quota('q', 'ns', {}), 'b.yml');
      let thrown: unknown;
      try {
        b.build();
      } catch (e) {
        thrown = e;
      }
      expect(isKontractError(thrown) && thrown.code).toBe('E_DESIRED_STATE');
      expect((thrown as Error).message).toMatch(/a\.yml.*b\.yml/);
    });

    it('withholds every deletion while any error is registered, and skips the failing cluster', () => {
      const plan = inventory()
        .cluster('c1').current(QUOTA, ownedLive(quota('gone', 'ns', {}), 'quotas')).desired('quotas', QUOTA, quota('keep', 'ns', {}))
        .cluster('c2').current(QUOTA, ownedLive(quota('gone2', 'ns', {}), 'quotas')).desired('quotas', QUOTA, quota('new', 'ns', {}))
        .error({ cluster: 'c2', code: 'E_CLUSTER_ACCESS', message: 'connection refused' })
        .plan();
      expect(ids(plan)).toEqual(['create c1/ns/ResourceQuota/keep']);
      expect(plan.withheldDeletions.map((c) => [c.name, c.reason])).toEqual([
        ['gone', 'withheld (errors registered in this run): not desired anymore'],
        ['gone2', 'withheld (cluster c2 has errors): not desired anymore'],
      ]);
      expect(plan.clusters.find((c) => c.cluster === 'c2')).toMatchObject({ reachable: false, skipped: true, withheld: 1 });
    });

    it('inventory.clusterHasError ignores object-only and global errors', () => {
      const inv = inventory().cluster('c1')
        .error({ cluster: 'c1', code: 'E_SAFETY', message: 'x', objectOnly: true })
        .error({ code: 'E_SAFETY', message: 'y' })
        .build();
      expect(inv.clusterHasError('c1')).toBe(false);
      expect(inv.hasErrors()).toBe(true);
    });
  });

  describe('safety limits', () => {
    const owned = (n: number): ReturnType<typeof inventory> => {
      const b = inventory().cluster('c1').desired('quotas', QUOTA, quota('keep', 'ns', {}));
      for (let i = 0; i < n; i++) b.current(QUOTA, ownedLive(quota(`q${i}`, 'ns', {}), 'quotas'));
      return b;
    };

    it('refuses more deletions than maxDeletions with a global E_SAFETY error', () => {
      const plan = owned(3).plan({ maxDeletions: 2 });
      expect(plan.changes.filter((c) => c.action === 'delete')).toEqual([]);
      expect(plan.withheldDeletions).toHaveLength(3);
      expect(plan.errors).toMatchObject([{ code: 'E_SAFETY' }]);
      expect(plan.errors[0]!.cluster).toBeUndefined();
      expect(ids(plan)).toEqual(['create c1/ns/ResourceQuota/keep']);
    });

    it('allows them with allowMassDeletion', () => {
      const plan = owned(3).plan({ maxDeletions: 2, allowMassDeletion: true });
      expect(plan.errors).toEqual([]);
      expect(plan.changes.filter((c) => c.action === 'delete')).toHaveLength(3);
    });

    it('refuses pruning a cluster whose desired set became empty', () => {
      const b = inventory().cluster('c1').current(QUOTA, ownedLive(quota('q', 'ns', {}), 'quotas'));
      const plan = b.plan();
      expect(plan.errors).toMatchObject([{ cluster: 'c1', code: 'E_SAFETY' }]);
      expect(plan.errors[0]!.message).toContain('no desired objects');
      expect(plan.changes).toEqual([]);
      expect(b.plan({ allowMassDeletion: true }).changes.map((c) => c.action)).toEqual(['delete']);
    });
  });

  describe('ordering', () => {
    it('creates by ascending order then name, deletes in reverse order', () => {
      const ns = integration('all');
      const plan = inventory(ns)
        .cluster('c2').desired('all', QUOTA, quota('b', 'ns', {})).desired('all', NAMESPACE, namespaceObj('ns'))
        .cluster('c1').desired('all', QUOTA, quota('a', 'ns', {})).desired('all', CLUSTER_ROLE, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } })
        .desired('all', CRD, { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x.example.com' } })
        .current(QUOTA, ownedLive(quota('old', 'ns', {}), 'all'))
        .current(NAMESPACE, ownedLive(namespaceObj('oldns'), 'all'))
        .current(CRD, ownedLive({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'old.example.com' } }, 'all'))
        .plan({ integrations: ['all'] });
      expect(ids(plan)).toEqual([
        'create c1//CustomResourceDefinition.apiextensions.k8s.io/x.example.com',
        'create c2//Namespace/ns',
        'create c1//ClusterRole.rbac.authorization.k8s.io/r',
        'create c1/ns/ResourceQuota/a',
        'create c2/ns/ResourceQuota/b',
        'delete c1/ns/ResourceQuota/old',
        'delete c1//Namespace/oldns',
        'delete c1//CustomResourceDefinition.apiextensions.k8s.io/old.example.com',
      ]);
      expect(plan.clusters.map((c) => [c.cluster, c.create, c.delete])).toEqual([['c1', 3, 3], ['c2', 2, 0]]);
    });

    it('is deterministic whatever the insertion order', () => {
      const objs = ['z', 'a', 'm'].map((n) => quota(n, 'ns', {}));
      const p1 = objs.reduce((b, o) => b.desired('quotas', QUOTA, o), inventory().cluster('c1')).plan();
      const p2 = [...objs].reverse().reduce((b, o) => b.desired('quotas', QUOTA, o), inventory().cluster('c1')).plan();
      expect(p1).toEqual(p2);
      expect(p1.changes.map((c) => c.name)).toEqual(['a', 'm', 'z']);
    });
  });

  it('does not modify the inventory it plans from', () => {
    const b = inventory().cluster('c1').desired('quotas', QUOTA, quota('q', 'ns', { pods: '1' }));
    const inv = b.build();
    const opts = { integrations: ['quotas'], dataSha: 'x', takeOver: false, maxDeletions: 50, allowMassDeletion: false };
    const first = computePlan(inv, opts);
    expect(computePlan(inv, opts)).toEqual(first);
    expect(inv.hasErrors()).toBe(false);
  });
});
