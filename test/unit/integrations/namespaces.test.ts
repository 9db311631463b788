import { describe, expect, it } from 'vitest';
import { desiredNamespaces } from '../../../src/integrations/namespaces/desired.js';
import { namespacesIntegration } from '../../../src/integrations/namespaces/integration.js';
import { managedNamespaces } from '../../../src/integrations/tenant-namespaces.js';
import { aData, blockedOf, cluster, DataBuilder, namespace } from './data-builder.js';

describe(desiredNamespaces, () => {
  it('builds a complete Namespace with labels, tenant label and OpenShift annotations', () => {
    const data = aData()
      .namespace(namespace('team-a', 'c1', { labels: { env: 'prod' }, tenant: 'acme', description: 'Team A workloads' }))
      .build();

    const state = desiredNamespaces(data);

    expect(state.problems).toEqual([]);
    expect(state.objects).toEqual([
      {
        cluster: 'c1',
        source: '/openshift/c1/namespaces/team-a.yml',
        sourceFields: { 'metadata.name': 'name', 'metadata.labels': 'labels', 'metadata.annotations': 'annotations' },
        object: {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: 'team-a',
            labels: { env: 'prod', 'kontract.io/tenant': 'acme' },
            annotations: { 'openshift.io/display-name': 'team-a', 'openshift.io/description': 'Team A workloads' },
          },
        },
      },
    ]);
  });

  it('omits the tenant label when the namespace has no tenant and lets explicit annotations win', () => {
    const data = aData()
      .namespace(namespace('team-a', 'c1', { annotations: { 'openshift.io/display-name': 'Team A', other: 'x' } }))
      .build();

    const obj = desiredNamespaces(data).objects[0]!.object;

    expect(obj.metadata.labels).toEqual({});
    expect(obj.metadata.annotations).toEqual({
      'openshift.io/display-name': 'Team A',
      'openshift.io/description': 'namespace team-a',
      other: 'x',
    });
  });

  it('lets the tenant field win over a hand-written tenant label', () => {
    const data = aData().namespace(namespace('a', 'c1', { tenant: 'acme', labels: { 'kontract.io/tenant': 'other' } })).build();
    expect(desiredNamespaces(data).objects[0]!.object.metadata.labels).toEqual({ 'kontract.io/tenant': 'acme' });
  });

  it('does not desire a namespace marked delete: true, so an owned one is pruned', () => {
    const data = aData().namespace(namespace('keep', 'c1'), namespace('gone', 'c1', { delete: true })).build();

    const state = desiredNamespaces(data);

    expect(state.objects.map((o) => o.object.metadata.name)).toEqual(['keep']);
    // Not excluded: the engine may prune it (when kontract owns it).
    expect(state.excludedNamespaces?.get('c1')?.has('gone') ?? false).toBe(false);
  });

  it('neither desires nor may prune a managedByExternal namespace', () => {
    const data = aData().namespace(namespace('ext', 'c2', { managedByExternal: true }), namespace('mine', 'c2')).build();

    const state = desiredNamespaces(data);

    expect(state.objects.map((o) => o.object.metadata.name)).toEqual(['mine']);
    expect([...(state.excludedNamespaces?.get('c2') ?? [])]).toEqual(['ext']);
  });

  it('places namespaces on their own cluster and allows the same name on two clusters', () => {
    const data = aData().namespace(namespace('shared', 'c1'), namespace('shared', 'c2')).build();

    const state = desiredNamespaces(data);

    expect(state.problems).toEqual([]);
    expect(state.objects.map((o) => `${o.cluster}/${o.object.metadata.name}`)).toEqual(['c1/shared', 'c2/shared']);
  });

  it('reports a namespace declared twice on one cluster as a problem and does not build the duplicate', () => {
    const first = namespace('dup', 'c1');
    const second = { ...namespace('dup', 'c1'), path: '/openshift/c1/namespaces/dup-again.yml' };
    const data = aData().namespace(first, second).build();

    const state = desiredNamespaces(data);

    expect(state.problems).toEqual([
      {
        file: '/openshift/c1/namespaces/dup-again.yml',
        field: 'name',
        message: 'namespace dup on cluster c1 is already declared in /openshift/c1/namespaces/dup.yml',
      },
    ]);
    expect(state.objects).toHaveLength(1);
  });

  it('reports a tenant that cannot be a label value', () => {
    const state = desiredNamespaces(aData().namespace(namespace('a', 'c1', { tenant: 'ACME Corp' })).build());
    expect(state.objects).toEqual([]);
    expect(state.problems).toEqual([]);
    expect(blockedOf(state)).toEqual({ units: ['namespace a@c1:a'], problems: [
      { file: '/openshift/c1/namespaces/a.yml', field: 'tenant', message: 'ACME Corp is not a valid label value for kontract.io/tenant' },
    ] });
  });

  it('skips namespaces on a cluster that disables the integration', () => {
    const data = new DataBuilder()
      .cluster(cluster('c1', { disabledIntegrations: ['namespaces'] }))
      .cluster(cluster('c2'))
      .namespace(namespace('a', 'c1'), namespace('b', 'c2'))
      .build();

    expect(desiredNamespaces(data).objects.map((o) => o.cluster)).toEqual(['c2']);
  });
});

describe(managedNamespaces, () => {
  it('keeps only namespaces that are neither deleted nor managed externally', () => {
    const data = aData()
      .namespace(namespace('a', 'c1'), namespace('b', 'c1', { delete: true }), namespace('c', 'c1', { managedByExternal: true }))
      .build();
    expect(managedNamespaces(data).map((n) => n.name)).toEqual(['a']);
  });
});

describe('namespacesIntegration', () => {
  it('manages cluster-scoped v1 Namespaces first in apply order', () => {
    expect(namespacesIntegration.name).toBe('namespaces');
    expect(namespacesIntegration.kinds).toEqual([
      { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, order: 10 },
    ]);
  });
});
