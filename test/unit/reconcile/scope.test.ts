import { describe, expect, it } from 'vitest';
import type { KubeObject, ManagedKind } from '../../../src/core/k8s-object.js';
import { createScope, shardOf } from '../../../src/reconcile/scope.js';

const CM: ManagedKind = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, order: 50 };
const NS: ManagedKind = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, order: 10 };
const CR: ManagedKind = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, order: 20 };
const cm = (ns: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: ns } });
const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

describe('createScope', () => {
  it('keeps everything without filters', () => {
    const s = createScope({});
    expect(s.objectInScope('c', CM, cm('a'))).toBe(true);
    expect(s.objectInScope('c', CR, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } })).toBe(true);
  });

  it('filters by cluster and namespace; a Namespace object counts as its own namespace', () => {
    const s = createScope({ clusters: ['prod-1'], namespaces: ['team-a'] });
    expect(s.clusterInScope('prod-2')).toBe(false);
    expect(s.objectInScope('prod-1', CM, cm('team-a'))).toBe(true);
    expect(s.objectInScope('prod-1', CM, cm('team-b'))).toBe(false);
    expect(s.objectInScope('prod-1', NS, ns('team-a'))).toBe(true);
    expect(s.objectInScope('prod-1', NS, ns('team-b'))).toBe(false);
    expect(s.objectInScope('prod-1', CR, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } })).toBe(false);
  });

  it('splits cluster/namespace pairs into disjoint, covering shards', () => {
    const pairs = Array.from({ length: 200 }, (_, i) => [`c${i % 3}`, `ns-${i}`] as const);
    const scopes = [0, 1, 2, 3].map((shardId) => createScope({ shards: 4, shardId }));
    for (const [c, n] of pairs) {
      const hits = scopes.filter((s) => s.objectInScope(c, CM, cm(n)));
      expect(hits).toHaveLength(1);
      // a namespace and its objects land in the same shard
      expect(scopes.findIndex((s) => s.objectInScope(c, NS, ns(n)))).toBe(shardOf(c, n, 4));
    }
    const sizes = scopes.map((s) => pairs.filter(([c, n]) => s.objectInScope(c, CM, cm(n))).length);
    for (const size of sizes) expect(size).toBeGreaterThan(20);
  });

  it.each([[{ shards: 0 }], [{ shards: 2, shardId: 2 }], [{ shards: 2, shardId: -1 }], [{ shards: 1.5 }]])('rejects %j with E_USAGE', (opts) => {
    expect(() => createScope(opts)).toThrow(expect.objectContaining({ code: 'E_USAGE' }) as unknown);
  });
});
