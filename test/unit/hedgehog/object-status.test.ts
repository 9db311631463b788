import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FabricDesired } from '../../../src/integrations/hedgehog-fabric/desired.js';
import { createFabricSourceReader } from '../../../src/app-interface/hedgehog/sources.js';
import { desiredFabrics } from '../../../src/integrations/hedgehog-fabric/desired.js';
import { recordFabricDrift } from '../../../src/integrations/hedgehog-fabric/metrics.js';
import { fabricStatus, lastSyncOf } from '../../../src/integrations/hedgehog-fabric/status.js';
import type { LiveFabricObject } from '../../../src/integrations/hedgehog-fabric/status.js';
import type { ClusterSummary, Plan, PlannedChange } from '../../../src/resource-inventory/plan.js';
import { SAMPLE_FABRIC_DIR, fabric } from './support.js';

let sample: FabricDesired;
beforeAll(async () => {
  const state = await desiredFabrics([fabric(SAMPLE_FABRIC_DIR)], createFabricSourceReader({ env: {}, cwd: '/' }));
  const f = state.fabrics[0];
  if (f === undefined) throw new Error('no sample fabric');
  sample = f;
});

const summary = (reachable = true): ClusterSummary => ({ cluster: 'dev-1', reachable, desired: 24, current: 24, create: 0, update: 0, delete: 0, unchanged: 24, withheld: 0, errors: 0, skipped: false, orphaned: 0, notSent: 0, read: reachable });
const change = (action: PlannedChange['action'], kind: string, name: string): PlannedChange =>
  ({ action, integration: 'hedgehog-fabric', cluster: 'dev-1', namespace: 'default', kind, name, order: 55, changes: [], reason: 'drift' });
const plan = (over: Partial<Plan>): Plan => ({ version: 1, integrations: ['hedgehog-fabric'], dataSha: 'x', changes: [], clusters: [summary()], errors: [], withheldDeletions: [], skippedChanges: [], orphaned: [], ...over });
const liveOf = (f: FabricDesired, over: Partial<LiveFabricObject> = {}): LiveFabricObject[] => f.objects.map((o, i) => ({
  kind: o.kind, name: o.object.metadata.name, uid: `uid-${i}`, resourceVersion: String(100 + i), creationTimestamp: '2026-11-29T05:00:00Z', lastApplied: `2026-11-29T05:${String(10 + i)}:00Z`, managed: true, ...over,
}));

describe('per-object fabric status', () => {
  it('gives every desired object its state with uid, resourceVersion, creation and last apply times, and counts per state', () => {
    const live = liveOf(sample).filter((o) => o.name !== 'vpc-2');
    const p = plan({
      changes: [change('update', 'VPC.vpc.githedgehog.com', 'vpc-1'), change('create', 'VPC.vpc.githedgehog.com', 'vpc-2')],
      skippedChanges: [change('update', 'Connection.wiring.githedgehog.com', 'server-01--unbundled--leaf-01')],
      errors: [{ cluster: 'dev-1', code: 'E_SAFETY', objectOnly: true, message: 'refused: immutable field(s) spec.bundled', object: { integration: 'hedgehog-fabric', namespace: 'default', kind: 'Connection.wiring.githedgehog.com', name: 'server-01--unbundled--leaf-01' } }],
    });
    const [s] = fabricStatus({ plan: p, fabrics: [sample], live: new Map([['fabric-1', live]]), lastSync: new Map([['fabric-1', lastSyncOf(live) ?? '']]) });
    expect(s?.objects).toHaveLength(24);
    const byName = new Map(s?.objects.map((o) => [`${o.kind}/${o.name}`, o]));
    expect(byName.get('VPC/vpc-1')).toEqual({ kind: 'VPC', name: 'vpc-1', state: 'drifted', uid: expect.stringMatching(/^uid-/) as string, resourceVersion: expect.any(String) as string, creationTimestamp: '2026-11-29T05:00:00Z', lastApplied: expect.stringMatching(/^2026-11-29T05:/) as string });
    expect(byName.get('VPC/vpc-2')).toEqual({ kind: 'VPC', name: 'vpc-2', state: 'missing' });
    expect(byName.get('Connection/server-01--unbundled--leaf-01')?.state).toBe('error');
    expect(byName.get('Switch/spine-01')?.state).toBe('live');
    expect(s?.counts).toEqual({ live: 21, drifted: 1, missing: 1, error: 1 });
    expect(s?.level).toBe('critical');
    expect(s?.lastSync).toBe('2026-11-29T05:33:00Z');
  });

  it('reports objects of the twelve kinds without kontract ownership as unmanaged, with count and names', () => {
    const live = [...liveOf(sample), { kind: 'Switch' as const, name: 'leaf-by-hand', managed: false }, { kind: 'VPC' as const, name: 'vpc-x', managed: false }];
    const [s] = fabricStatus({ plan: plan({}), fabrics: [sample], live: new Map([['fabric-1', live]]) });
    expect(s?.unmanaged).toEqual({ count: 2, objects: [{ kind: 'Switch', name: 'leaf-by-hand' }, { kind: 'VPC', name: 'vpc-x' }] });
    expect(s?.state).toBe('in_sync');
    expect(s?.level).toBe('warning');
    expect(lastSyncOf([{ kind: 'VPC', name: 'x', lastApplied: '2030-01-01T00:00:00Z', managed: false }])).toBeUndefined();
  });

  it('is critical when drifted + missing objects exceed the configured share, warning below it, ok in sync', () => {
    const fiveDrifted = plan({ changes: ['vpc-1', 'vpc-2'].map((n) => change('update', 'VPC.vpc.githedgehog.com', n)).concat(['leaf-01', 'leaf-02', 'spine-01'].map((n) => change('update', 'Switch.wiring.githedgehog.com', n))) });
    const level = (p: Plan, share?: number): string | undefined => fabricStatus({ plan: p, fabrics: [sample], ...(share === undefined ? {} : { criticalDriftShare: share }) })[0]?.level;
    expect(level(fiveDrifted)).toBe('critical'); // 5/24 > 0.2
    expect(level(fiveDrifted, 0.25)).toBe('warning');
    expect(level(plan({ changes: [change('update', 'VPC.vpc.githedgehog.com', 'vpc-1')] }))).toBe('warning');
    expect(level(plan({}))).toBe('ok');
    expect(level(plan({ clusters: [summary(false)] }))).toBe('critical');
  });

  it('without a live read (a run): states from the plan, no unmanaged count', () => {
    const [s] = fabricStatus({ plan: plan({ changes: [change('create', 'External.vpc.githedgehog.com', 'edge')] }), fabrics: [sample] });
    expect(s?.counts).toEqual({ live: 23, drifted: 0, missing: 1, error: 0 });
    expect(s?.unmanaged).toBeNull();
    expect(s?.objects.find((o) => o.name === 'edge')).toEqual({ kind: 'External', name: 'edge', state: 'missing' });
  });

  it('has no per-object state for a fabric that was not read', () => {
    const [s] = fabricStatus({ plan: plan({ clusters: [summary(false)] }), fabrics: [sample], live: new Map([['fabric-1', liveOf(sample)]]) });
    expect(s).toMatchObject({ read: false, counts: null, objects: [], unmanaged: null, level: 'critical' });
  });

  it('sets kontract_fabric_objects{fabric,state} and kontract_fabric_critical{fabric} from the same counts', async () => {
    const registry = new Registry();
    const live = [...liveOf(sample), { kind: 'VPC' as const, name: 'vpc-x', managed: false }];
    recordFabricDrift(registry, fabricStatus({ plan: plan({ changes: [change('update', 'VPC.vpc.githedgehog.com', 'vpc-1')] }), fabrics: [sample], live: new Map([['fabric-1', live]]) }));
    const text = await registry.metrics();
    for (const line of ['{fabric="fabric-1",state="live"} 23', '{fabric="fabric-1",state="drifted"} 1', '{fabric="fabric-1",state="missing"} 0', '{fabric="fabric-1",state="error"} 0', '{fabric="fabric-1",state="unmanaged"} 1']) {
      expect(text).toContain(`kontract_fabric_objects${line}`);
    }
    expect(text).toContain('kontract_fabric_critical{fabric="fabric-1"} 0');
    recordFabricDrift(registry, fabricStatus({ plan: plan({ clusters: [summary(false)] }), fabrics: [sample] }));
    const after = await registry.metrics();
    expect(after).not.toContain('kontract_fabric_objects{');
    expect(after).toContain('kontract_fabric_critical{fabric="fabric-1"} 1');
  });
});
