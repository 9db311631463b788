import { describe, expect, it } from 'vitest';
import type { Namespace, NamespaceState } from '../../../src/app-interface/model.js';
import { LIFECYCLE_QUOTA_NAME, applyState, desiredResourceQuotas } from '../../../src/integrations/resourcequotas/desired.js';
import { resourceQuotasIntegration } from '../../../src/integrations/resourcequotas/integration.js';
import { formatCores, formatGiB, parseQuantity } from '../../../src/core/quantity.js';
import { aData, blockedOf, namespace, quota } from './data-builder.js';

const customQuota = quota('team-a-quota', [
  {
    name: 'compute-quota',
    resources: {
      limits: { cpu: '12', memory: '48Gi' },
      requests: { cpu: '6', memory: '24Gi' },
      pods: 40,
    },
    scopes: [],
  },
  { name: 'terminating', resources: { limits: { cpu: '500m' }, pods: 3 }, scopes: ['Terminating'] },
]);

const ZERO = { 'requests.cpu': '0', 'limits.cpu': '0', 'requests.memory': '0', 'limits.memory': '0', 'requests.storage': '0', pods: '0' };

function hardOf(ns: Namespace): Record<string, Record<string, unknown>> {
  const state = desiredResourceQuotas(aData().namespace(ns).build());
  expect(state.problems).toEqual([]);
  return Object.fromEntries(state.objects.map((o) => [o.object.metadata.name, (o.object.spec as { hard: Record<string, unknown> }).hard]));
}

describe(desiredResourceQuotas, () => {
  it('builds one ResourceQuota per quotas[] entry with spec.hard flattened and scopes', () => {
    const state = desiredResourceQuotas(aData().namespace(namespace('team-a', 'c1', { quota: customQuota })).build());

    expect(state.problems).toEqual([]);
    expect(state.objects).toEqual([
      {
        cluster: 'c1',
        source: '/openshift/c1/namespaces/team-a.yml',
        object: {
          apiVersion: 'v1',
          kind: 'ResourceQuota',
          metadata: { name: 'compute-quota', namespace: 'team-a' },
          spec: {
            hard: {
              'limits.cpu': '12',
              'limits.memory': '48Gi',
              'requests.cpu': '6',
              'requests.memory': '24Gi',
              pods: '40',
            },
          },
        },
      },
      {
        cluster: 'c1',
        source: '/openshift/c1/namespaces/team-a.yml',
        object: {
          apiVersion: 'v1',
          kind: 'ResourceQuota',
          metadata: { name: 'terminating', namespace: 'team-a' },
          spec: { hard: { 'limits.cpu': '500m', pods: '3' }, scopes: ['Terminating'] },
        },
      },
    ]);
  });

  it('builds the Waldur-style `compute` quota with limits = default burst factor 2 × requests and GB as Gi', () => {
    const ns = namespace('w', 'c1', { quotaComponents: { cpu: 4, memoryGB: 16, storageGB: 100, pods: 20, burstFactor: 2 } });
    expect(hardOf(ns)).toEqual({
      compute: {
        'requests.cpu': '4',
        'limits.cpu': '8',
        'requests.memory': '16Gi',
        'limits.memory': '32Gi',
        'requests.storage': '100Gi',
        pods: '20',
      },
    });
  });

  it('applies a custom burst factor and renders fractions as millicores and Mi', () => {
    const ns = namespace('w', 'c1', { quotaComponents: { cpu: 0.5, memoryGB: 1.5, burstFactor: 1.5 } });
    expect(hardOf(ns)).toEqual({
      compute: { 'requests.cpu': '500m', 'limits.cpu': '750m', 'requests.memory': '1536Mi', 'limits.memory': '2304Mi' },
    });
  });

  it('omits unset components and builds no quota when components declare nothing', () => {
    expect(hardOf(namespace('w', 'c1', { quotaComponents: { pods: 5, burstFactor: 2 } }))).toEqual({ compute: { pods: '5' } });
    expect(hardOf(namespace('w', 'c1', { quotaComponents: { burstFactor: 2 } }))).toEqual({});
  });

  it('keeps a declared zero component as a zero quota', () => {
    expect(hardOf(namespace('w', 'c1', { quotaComponents: { cpu: 0, burstFactor: 2 } }))).toEqual({
      compute: { 'requests.cpu': '0', 'limits.cpu': '0' },
    });
  });

  it('reports a burst factor below 1 as a problem on the namespace file', () => {
    const state = desiredResourceQuotas(
      aData().namespace(namespace('w', 'c1', { quotaComponents: { cpu: 2, burstFactor: 0.5 } })).build(),
    );
    expect(state.objects).toEqual([]);
    expect(blockedOf(state)).toEqual({ units: ['namespace w@c1:w'], problems: [
      { file: '/openshift/c1/namespaces/w.yml', field: 'quotaComponents.burstFactor', message: 'must be a number >= 1, got 0.5' },
    ] });
  });

  it('reports a quota entry colliding with the `compute` components quota', () => {
    const q = quota('q', [{ name: 'compute', resources: { pods: 1 }, scopes: [] }]);
    const state = desiredResourceQuotas(
      aData().namespace(namespace('w', 'c1', { quota: q, quotaComponents: { pods: 2, burstFactor: 2 } })).build(),
    );
    // The namespace is a blocked unit: none of its quotas is desired (nor deleted).
    expect(state.objects).toEqual([]);
    expect(state.problems).toEqual([]);
    expect(blockedOf(state).problems).toHaveLength(1);
    expect(blockedOf(state).problems[0]).toMatchObject({ file: '/openshift/c1/namespaces/w.yml', field: 'quotaComponents' });
  });

  it('sets every hard value of every quota to zero when the namespace is paused, and adds a zero lifecycle quota', () => {
    const hard = hardOf(
      namespace('p', 'c1', { state: 'paused', quota: customQuota, quotaComponents: { cpu: 2, memoryGB: 4, burstFactor: 3 } }),
    );
    for (const values of Object.values(hard)) {
      expect(Object.values(values).every((v) => v === '0')).toBe(true);
    }
    expect(Object.keys(hard['compute-quota']!)).toHaveLength(5);
    expect(hard.compute).toEqual({ 'requests.cpu': '0', 'limits.cpu': '0', 'requests.memory': '0', 'limits.memory': '0' });
    expect(hard[LIFECYCLE_QUOTA_NAME]).toEqual(ZERO);
  });

  it('limits CPU, memory, storage and pods to 0 when paused even with no quota declared', () => {
    expect(hardOf(namespace('p', 'c1', { state: 'paused' }))).toEqual({ [LIFECYCLE_QUOTA_NAME]: ZERO });
  });

  it('keeps the scopes of a paused quota (they are immutable)', () => {
    const state = desiredResourceQuotas(aData().namespace(namespace('p', 'c1', { state: 'paused', quota: customQuota })).build());
    expect(state.objects[1]!.object.spec).toEqual({ hard: { 'limits.cpu': '0', pods: '0' }, scopes: ['Terminating'] });
    expect(state.objects[2]!.object.spec).toEqual({ hard: ZERO });
  });

  it('caps declared keys at 1 core / 1Gi / 1Gi / 1 pod with limits = burst factor × that, when downscaled', () => {
    const hard = hardOf(
      namespace('d', 'c1', { state: 'downscaled', quota: customQuota, quotaComponents: { cpu: 4, memoryGB: 8, burstFactor: 2 } }),
    );
    expect(hard['compute-quota']).toEqual({
      'limits.cpu': '2',
      'limits.memory': '2Gi',
      'requests.cpu': '1',
      'requests.memory': '1Gi',
      pods: '1',
    });
    // A declared value below the cap is kept: downscaling never raises a declared quota.
    expect(hard.terminating).toEqual({ 'limits.cpu': '500m', pods: '1' });
    expect(hard.compute).toEqual({ 'requests.cpu': '1', 'limits.cpu': '2', 'requests.memory': '1Gi', 'limits.memory': '2Gi' });
    // Undeclared keys (storage, pods of `compute`) are no longer unlimited: the lifecycle quota sets the minimum.
    expect(hard[LIFECYCLE_QUOTA_NAME]).toEqual({
      'requests.cpu': '1', 'limits.cpu': '2', 'requests.memory': '1Gi', 'limits.memory': '2Gi', 'requests.storage': '1Gi', pods: '1',
    });
  });

  it('uses the components burst factor for the downscaled limits, and the default 2 without components', () => {
    expect(hardOf(namespace('d', 'c1', { state: 'downscaled', quotaComponents: { pods: 4, burstFactor: 1.5 } }))).toEqual({
      compute: { pods: '1' },
      [LIFECYCLE_QUOTA_NAME]: {
        'requests.cpu': '1', 'limits.cpu': '1500m', 'requests.memory': '1Gi', 'limits.memory': '1536Mi', 'requests.storage': '1Gi', pods: '1',
      },
    });
    expect(hardOf(namespace('d', 'c1', { state: 'downscaled' }))[LIFECYCLE_QUOTA_NAME]).toMatchObject({ 'limits.cpu': '2', 'limits.memory': '2Gi' });
  });

  it('reports a quota entry named like the lifecycle quota, in every state', () => {
    const q = quota('q', [{ name: LIFECYCLE_QUOTA_NAME, resources: { pods: 1 }, scopes: [] }]);
    for (const st of ['active', 'paused', 'downscaled'] as const) {
      const state = desiredResourceQuotas(aData().namespace(namespace('w', 'c1', { quota: q, state: st })).build());
      expect(state.objects).toEqual([]);
      expect(blockedOf(state)).toEqual({ units: ['namespace w@c1:w'], problems: [
        { file: '/openshift/c1/namespaces/w.yml', field: 'quota', message: 'ResourceQuota name lifecycle is reserved for the quota kontract adds while a namespace is paused or downscaled' },
      ] });
    }
  });

  it('restores exactly the declared custom quota when a paused namespace becomes active again', () => {
    const declared = { cpu: 3, memoryGB: 12, storageGB: 50, pods: 17, burstFactor: 1.5 };
    const paused = hardOf(namespace('r', 'c1', { state: 'paused', quota: customQuota, quotaComponents: declared }));
    const active = hardOf(namespace('r', 'c1', { state: 'active', quota: customQuota, quotaComponents: declared }));

    expect(paused.compute!['requests.cpu']).toBe('0');
    expect(paused[LIFECYCLE_QUOTA_NAME]).toEqual(ZERO);
    // No lifecycle quota and no hard-coded default: exactly the declaration.
    expect(active).toEqual({
      'compute-quota': {
        'limits.cpu': '12',
        'limits.memory': '48Gi',
        'requests.cpu': '6',
        'requests.memory': '24Gi',
        pods: '40',
      },
      terminating: { 'limits.cpu': '500m', pods: '3' },
      compute: {
        'requests.cpu': '3',
        'limits.cpu': '4500m',
        'requests.memory': '12Gi',
        'limits.memory': '18Gi',
        'requests.storage': '50Gi',
        pods: '17',
      },
    });
  });

  it('skips deleted and externally managed namespaces and excludes the external ones', () => {
    const data = aData()
      .namespace(
        namespace('gone', 'c1', { delete: true, quota: customQuota }),
        namespace('ext', 'c1', { managedByExternal: true, quota: customQuota }),
      )
      .build();
    const state = desiredResourceQuotas(data);
    expect(state.objects).toEqual([]);
    expect([...(state.excludedNamespaces?.get('c1') ?? [])]).toEqual(['ext']);
  });

  it('builds nothing for an active namespace without a quota', () => {
    expect(desiredResourceQuotas(aData().namespace(namespace('n', 'c1')).build()).objects).toEqual([]);
  });
});

describe(applyState, () => {
  it.each<[NamespaceState, Record<string, string>]>([
    ['active', { 'requests.cpu': '2', cpu: '2', memory: '2Gi', 'limits.memory': '3Gi', 'count/jobs': '9' }],
    ['paused', { 'requests.cpu': '0', cpu: '0', memory: '0', 'limits.memory': '0', 'count/jobs': '0' }],
    ['downscaled', { 'requests.cpu': '1', cpu: '1', memory: '1Gi', 'limits.memory': '2Gi', 'count/jobs': '9' }],
  ])('shapes the declared hard limits for state %s', (state, expected) => {
    const declared = { 'requests.cpu': '2', cpu: '2', memory: '2Gi', 'limits.memory': '3Gi', 'count/jobs': '9' };
    expect(applyState(declared, state)).toEqual(expected);
    expect(declared['requests.cpu']).toBe('2');
  });

  it('caps an unparsable declared value when downscaled', () => {
    expect(applyState({ pods: 'lots' }, 'downscaled')).toEqual({ pods: '1' });
  });
});

describe(parseQuantity, () => {
  it.each<[string, number | undefined]>([
    ['1', 1],
    ['500m', 0.5],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['1.5Ki', 1536],
    ['1e3', 1000],
    ['2Xi', undefined],
    ['', undefined],
  ])('parses %s', (q, v) => {
    const p = parseQuantity(q);
    expect(p === undefined ? undefined : Number(p.num) / Number(p.den)).toBe(v);
  });
});

describe(formatCores, () => {
  it.each<[number, string]>([
    [2, '2'],
    [0.25, '250m'],
    [0.1 * 3, '300m'],
    [0.7 * 10, '7'],
  ])('formats %s cores', (n, q) => {
    expect(formatCores(n)).toBe(q);
  });
});

describe(formatGiB, () => {
  it.each<[number, string]>([
    [0, '0'],
    [4, '4Gi'],
    [0.5, '512Mi'],
  ])('formats %s GB', (n, q) => {
    expect(formatGiB(n)).toBe(q);
  });
});

describe('resourceQuotasIntegration', () => {
  it('manages namespaced v1 ResourceQuotas and declares scopes immutable', () => {
    expect(resourceQuotasIntegration.kinds).toEqual([
      { group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, order: 50 },
    ]);
    expect(resourceQuotasIntegration.immutableFields).toEqual(['spec.scopes']);
  });
});
