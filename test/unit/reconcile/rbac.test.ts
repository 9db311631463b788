import { describe, expect, it } from 'vitest';
import { INTEGRATIONS } from '../../../src/integrations/index.js';
import type { Integration } from '../../../src/integrations/define-integration.js';
import { dataDrivenKindsNote, rbacManifests, rbacRules } from '../../../src/reconcile/rbac.js';

const byName = (...names: string[]): Integration[] => names.map((n) => {
  const i = INTEGRATIONS.find((x) => x.name === n);
  if (i === undefined) throw new Error(n);
  return i;
});

describe('rbacRules', () => {
  it('covers every declared kind of every integration, with the write verbs', () => {
    const rules = rbacRules(INTEGRATIONS, 'all');
    for (const i of INTEGRATIONS) {
      for (const k of i.kinds) {
        const rule = rules.find((r) => r.apiGroups.includes(k.group) && r.resources.includes(k.plural));
        expect(rule?.verbs, `${i.name} ${k.kind}`).toEqual(['create', 'delete', 'get', 'list', 'patch']);
      }
    }
  });

  it('--read-only: get and list only, no bind', () => {
    const rules = rbacRules(byName('rolebindings'), 'all', { readOnly: true });
    expect(rules).toEqual([{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['get', 'list'] }]);
  });

  it('without data, binding kinds get bind on every ClusterRole and Role', () => {
    expect(rbacRules(byName('rolebindings'), 'all')).toContainEqual({ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'roles'], verbs: ['bind'] });
  });

  it('with --namespace: a ClusterRole for cluster-scoped kinds and a Role per namespace', () => {
    const m = rbacManifests(byName('namespaces', 'resourcequotas'), { name: 'k', serviceAccount: { namespace: 'ops', name: 'k' }, namespaces: ['b', 'a'] });
    expect(m.map((x) => `${String(x.kind)} ${(x.metadata as { namespace?: string }).namespace ?? ''}`)).toEqual([
      'ClusterRole ', 'ClusterRoleBinding ', 'Role a', 'RoleBinding a', 'Role b', 'RoleBinding b',
    ]);
    expect(m[0]?.rules).toEqual([{ apiGroups: [''], resources: ['namespaces'], verbs: ['create', 'delete', 'get', 'list', 'patch'] }]);
    expect(m[2]?.rules).toEqual([{ apiGroups: [''], resources: ['resourcequotas'], verbs: ['create', 'delete', 'get', 'list', 'patch'] }]);
  });

  it('wet runs: a Role for the Leases in the lock namespace (get/update only on the integrations\' Lease names); none when read-only', () => {
    const m = rbacManifests(byName('namespaces', 'resourcequotas'), { name: 'k', serviceAccount: { namespace: 'ops', name: 'k' }, lockNamespace: 'kube-system' });
    expect(m.map((x) => `${String(x.kind)} ${(x.metadata as { name: string }).name}`)).toEqual(['ClusterRole k', 'ClusterRoleBinding k', 'Role k-lock', 'RoleBinding k-lock']);
    expect(m[2]).toMatchObject({ metadata: { namespace: 'kube-system' }, rules: [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: ['kontract-namespaces', 'kontract-resourcequotas'] },
    ] });
    expect(rbacManifests(byName('namespaces'), { name: 'k', serviceAccount: { namespace: 'ops', name: 'k' }, lockNamespace: 'kube-system', readOnly: true }).map((x) => x.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  });
});

describe('dataDrivenKindsNote', () => {
  it('names the integrations whose kinds come from the data, and only those', () => {
    expect(dataDrivenKindsNote(INTEGRATIONS)).toMatch(/^no rules for the kinds of resources: the data names them \(managedResourceTypes\)/);
    expect(rbacRules(byName('resources'), 'all')).toEqual([]);
    expect(dataDrivenKindsNote(byName('namespaces', 'serviceaccounts'))).toBeUndefined();
  });
});
