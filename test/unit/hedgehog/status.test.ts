import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { FabricDesired } from '../../../src/integrations/hedgehog-fabric/desired.js';
import { emptyKindCounts } from '../../../src/integrations/hedgehog-fabric/desired.js';
import { recordFabricDrift } from '../../../src/integrations/hedgehog-fabric/metrics.js';
import { fabricStatus } from '../../../src/integrations/hedgehog-fabric/status.js';
import type { ClusterSummary, Plan, PlannedChange } from '../../../src/resource-inventory/plan.js';
import { fabric } from './support.js';

function desired(name: string, cluster: string): FabricDesired {
  const counts = { ...emptyKindCounts(), VPC: 2, Connection: 4 };
  return { fabric: fabric('/d', { name, cluster, path: `/hedgehog/${name}.yml` }), sourceLabel: '/d', objects: [], counts, problems: [], warnings: [] };
}

function summary(cluster: string, reachable = true): ClusterSummary {
  return { cluster, reachable, desired: 6, current: 6, create: 0, update: 0, delete: 0, unchanged: 6, withheld: 0, orphaned: 0, notSent: 0, read: reachable, errors: 0, skipped: false };
}

function change(action: PlannedChange['action'], cluster: string, kind: string, name: string, integration = 'hedgehog-fabric'): PlannedChange {
  return { action, integration, cluster, namespace: 'default', kind, name, order: 55, changes: action === 'update' ? [{ path: 'spec.subnets.a.vlan', op: 'replace', before: 1, after: 2 }] : [], reason: 'drift' };
}

function plan(over: Partial<Plan>): Plan {
  return { version: 1, integrations: ['hedgehog-fabric'], dataSha: 'x', changes: [], clusters: [], errors: [], withheldDeletions: [], skippedChanges: [], orphaned: [], ...over };
}

describe('fabricStatus', () => {
  it('reports in_sync with desired counts per kind when the plan has nothing for the fabric', () => {
    const [s] = fabricStatus({ plan: plan({ clusters: [summary('c1')], changes: [change('update', 'c1', 'Namespace', 'x', 'namespaces')] }), fabrics: [desired('f1', 'c1')] });
    expect(s).toMatchObject({ fabric: 'f1', cluster: 'c1', datafile: '/hedgehog/f1.yml', reachable: true, state: 'in_sync', driftCount: 0, drift: [], errors: [] });
    expect(s?.kinds.VPC).toEqual({ desired: 2, drifted: 0 });
    expect(s?.lastSync).toBeUndefined();
  });

  it('counts drifted objects per kind with their field changes, per fabric', () => {
    const p = plan({
      clusters: [summary('c1'), summary('c2')],
      changes: [change('update', 'c1', 'VPC.vpc.githedgehog.com', 'vpc-1'), change('delete', 'c1', 'VPCAttachment.vpc.githedgehog.com', 'a1'), change('create', 'c2', 'Switch.wiring.githedgehog.com', 'leaf-9')],
      skippedChanges: [change('update', 'c1', 'Connection.wiring.githedgehog.com', 'conn-1')],
    });
    const [s1, s2] = fabricStatus({ plan: p, fabrics: [desired('f1', 'c1'), desired('f2', 'c2')], lastSync: new Map([['f1', '2025-01-01T00:00:00Z']]) });
    expect(s1?.state).toBe('drift_detected');
    expect(s1?.driftCount).toBe(3);
    expect(s1?.lastSync).toBe('2025-01-01T00:00:00Z');
    expect(s1?.kinds.VPC).toEqual({ desired: 2, drifted: 1 });
    expect(s1?.drift).toEqual([
      { kind: 'VPC', name: 'vpc-1', action: 'update', blocked: false, reason: 'drift', changes: [{ path: 'spec.subnets.a.vlan', op: 'replace', before: 1, after: 2 }] },
      { kind: 'VPCAttachment', name: 'a1', action: 'delete', blocked: false, reason: 'drift', changes: [] },
      { kind: 'Connection', name: 'conn-1', action: 'update', blocked: true, reason: 'drift', changes: [{ path: 'spec.subnets.a.vlan', op: 'replace', before: 1, after: 2 }] },
    ]);
    expect(s2).toMatchObject({ fabric: 'f2', state: 'drift_detected', driftCount: 1 });
  });

  it('reports an unreachable cluster and cluster errors', () => {
    const p = plan({ clusters: [summary('c1', false), summary('c2')], errors: [{ cluster: 'c1', code: 'E_CLUSTER_ACCESS', message: 'connection refused' }, { cluster: 'c2', code: 'E_OWNERSHIP_CONFLICT', message: 'VPC vpc-1 is not owned' }] });
    const [s1, s2] = fabricStatus({ plan: p, fabrics: [desired('f1', 'c1'), desired('f2', 'c2')] });
    expect(s1).toMatchObject({ reachable: false, state: 'unreachable', errors: ['E_CLUSTER_ACCESS: connection refused'] });
    expect(s2).toMatchObject({ reachable: true, state: 'error' });
  });
});

describe('recordFabricDrift', () => {
  it('sets kontract_fabric_drift_objects per fabric and kind, resetting stale series', async () => {
    const registry = new Registry();
    const p = plan({ clusters: [summary('c1')], changes: [change('update', 'c1', 'VPC.vpc.githedgehog.com', 'vpc-1')] });
    recordFabricDrift(registry, fabricStatus({ plan: p, fabrics: [desired('f1', 'c1')] }));
    let text = await registry.metrics();
    expect(text).toContain('kontract_fabric_drift_objects{fabric="f1",kind="VPC"} 1');
    expect(text).toContain('kontract_fabric_drift_objects{fabric="f1",kind="Switch"} 0');
    recordFabricDrift(registry, fabricStatus({ plan: plan({ clusters: [summary('c1')] }), fabrics: [desired('f1', 'c1')] }));
    text = await registry.metrics();
    expect(text).toContain('kontract_fabric_drift_objects{fabric="f1",kind="VPC"} 0');
  });
});

describe('fabrics that could not be read', () => {
  it('reports no drift for an unreachable cluster, even with changes planned there, and writes no drift gauge', async () => {
    const p = plan({
      clusters: [summary('c1', false)],
      errors: [{ cluster: 'c1', code: 'E_CLUSTER_ACCESS', message: 'connection refused' }],
      skippedChanges: [change('create', 'c1', 'VPC.vpc.githedgehog.com', 'vpc-1')],
    });
    const [s] = fabricStatus({ plan: p, fabrics: [desired('f1', 'c1')] });
    expect(s).toMatchObject({ reachable: false, read: false, state: 'unreachable', driftCount: null, drift: [] });
    expect(Object.values(s!.kinds).every((k) => k.drifted === 0)).toBe(true);
    const registry = new Registry();
    recordFabricDrift(registry, [s!]);
    expect(await registry.metrics()).not.toContain('kontract_fabric_drift_objects{');
  });

  it('marks a fabric whose source failed as error with the reason, not read', () => {
    const broken = { ...desired('f1', 'c1'), problems: [{ file: '/hedgehog/f1.yml', field: 'source.git', message: 'cannot fetch git:https://example.invalid/x.git@main: unreachable' }] };
    const p = plan({ clusters: [summary('c1')] });
    const [s] = fabricStatus({ plan: p, fabrics: [broken] });
    expect(s).toMatchObject({ state: 'error', read: false, driftCount: null });
    expect(s!.errors).toEqual(['E_VALIDATION: /hedgehog/f1.yml source.git: cannot fetch git:https://example.invalid/x.git@main: unreachable']);
  });
});
