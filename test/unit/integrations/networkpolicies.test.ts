import { describe, expect, it } from 'vitest';
import { desiredNetworkPolicies } from '../../../src/integrations/networkpolicies/desired.js';
import { networkPoliciesIntegration } from '../../../src/integrations/networkpolicies/integration.js';
import { aData, blockedOf, namespace, refOf, tenant } from './data-builder.js';

const monitoring = namespace('monitoring', 'c1');
const ingress = namespace('ingress', 'c1');
const otherCluster = namespace('monitoring', 'c2');

function byName(state: ReturnType<typeof desiredNetworkPolicies>): string[] {
  return state.objects.map((o) => `${o.cluster}/${o.object.metadata.namespace ?? ''}/${o.object.metadata.name}`);
}

describe(desiredNetworkPolicies, () => {
  it('allows ingress from each listed namespace by its immutable name label', () => {
    const app = namespace('app', 'c1', { networkPoliciesAllow: [refOf(monitoring), refOf(ingress)] });
    const state = desiredNetworkPolicies(aData().namespace(monitoring, ingress, app).build());

    expect(state.problems).toEqual([]);
    expect(state.objects).toEqual([
      {
        cluster: 'c1',
        source: '/openshift/c1/namespaces/app.yml',
        object: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'allow-from-monitoring-namespace', namespace: 'app' },
          spec: {
            podSelector: {},
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] }],
            policyTypes: ['Ingress'],
          },
        },
      },
      expect.objectContaining({ object: expect.objectContaining({ metadata: { name: 'allow-from-ingress-namespace', namespace: 'app' } }) }),
    ]);
  });

  it('reports a source namespace on another cluster as a problem on the field and withholds that namespace\'s policies only', () => {
    const app = namespace('app', 'c1', { networkPoliciesAllow: [refOf(ingress), refOf(otherCluster)] });
    const other = namespace('other', 'c1', { networkPoliciesAllow: [refOf(ingress)] });
    const state = desiredNetworkPolicies(aData().namespace(ingress, otherCluster, app, other).build());

    expect(byName(state)).toEqual(['c1/other/allow-from-ingress-namespace']);
    expect(state.problems).toEqual([]);
    expect(blockedOf(state).units).toEqual(['namespace app@c1:app']);
    expect(blockedOf(state).problems).toEqual([
      {
        file: '/openshift/c1/namespaces/app.yml',
        field: 'networkPoliciesAllow[1]',
        message: '/openshift/c2/namespaces/monitoring.yml is namespace monitoring on cluster c2, not on this namespace\'s cluster c1',
      },
    ]);
  });

  it('builds one policy for a source listed twice', () => {
    const app = namespace('app', 'c1', { networkPoliciesAllow: [refOf(ingress), refOf(ingress)] });
    expect(byName(desiredNetworkPolicies(aData().namespace(ingress, app).build()))).toEqual(['c1/app/allow-from-ingress-namespace']);
  });

  it('adds default-deny-ingress and allow-same-namespace to an isolated namespace', () => {
    const vdc = namespace('vdc', 'c1', { isolated: true, networkPoliciesAllow: [refOf(monitoring)] });
    const state = desiredNetworkPolicies(aData().namespace(monitoring, vdc).build());

    expect(byName(state)).toEqual([
      'c1/vdc/allow-from-monitoring-namespace',
      'c1/vdc/default-deny-ingress',
      'c1/vdc/allow-same-namespace',
    ]);
    expect(state.objects[1]!.object.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(state.objects[2]!.object.spec).toEqual({
      podSelector: {},
      ingress: [{ from: [{ podSelector: {} }] }],
      policyTypes: ['Ingress'],
    });
  });

  it('isolates every namespace of an isolated tenant and allows ingress between its namespaces on the cluster', () => {
    const a = namespace('acme-a', 'c1', { tenant: 'acme' });
    const b = namespace('acme-b', 'c1', { tenant: 'acme' });
    const gone = namespace('acme-old', 'c1', { tenant: 'acme', delete: true });
    const far = namespace('acme-far', 'c2', { tenant: 'acme' });
    const open = namespace('open', 'c1', { tenant: 'free' });
    const data = aData().tenant(tenant('acme', { isolated: true }), tenant('free')).namespace(b, a, gone, far, open).build();

    const state = desiredNetworkPolicies(data);

    expect(byName(state)).toEqual([
      'c1/acme-b/default-deny-ingress',
      'c1/acme-b/allow-same-namespace',
      'c1/acme-b/allow-same-tenant',
      'c1/acme-a/default-deny-ingress',
      'c1/acme-a/allow-same-namespace',
      'c1/acme-a/allow-same-tenant',
      'c2/acme-far/default-deny-ingress',
      'c2/acme-far/allow-same-namespace',
      'c2/acme-far/allow-same-tenant',
    ]);
    expect(state.objects[2]!.object.spec).toEqual({
      podSelector: {},
      ingress: [
        {
          from: [
            { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['acme-a', 'acme-b'] }] } },
          ],
        },
      ],
      policyTypes: ['Ingress'],
    });
  });

  it('builds nothing for a plain namespace, a deleted one or an externally managed one', () => {
    const gone = namespace('gone', 'c1', { isolated: true, delete: true });
    const ext = namespace('ext', 'c1', { isolated: true, managedByExternal: true, networkPoliciesAllow: [refOf(monitoring)] });
    const state = desiredNetworkPolicies(aData().namespace(monitoring, gone, ext).build());

    expect(state.objects).toEqual([]);
    expect([...(state.excludedNamespaces?.get('c1') ?? [])]).toEqual(['ext']);
  });
});

describe('networkPoliciesIntegration', () => {
  it('manages networking.k8s.io/v1 NetworkPolicies', () => {
    expect(networkPoliciesIntegration.name).toBe('networkpolicies');
    expect(networkPoliciesIntegration.kinds).toEqual([
      { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, order: 50 },
    ]);
  });
});
