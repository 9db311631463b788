/**
 * resourcequotas against a real kube-apiserver: converge, no-op, targeted update, lifecycle
 * paused → active restoring custom values, pruning only owned objects, ownership conflicts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Namespace, QuotaEntry } from '../../../src/app-interface/model.js';
import { resourceQuotasIntegration } from '../../../src/integrations/resourcequotas/integration.js';
import { DataBuilder, namespace, quota } from '../../unit/integrations/data-builder.js';
import { uniqueName } from '../support/clusters.js';
import { clusterFor, createNamespace, createUnowned, deleteNamespaces, labelsOf, readLive, reconcile, rvOf } from './tenant-harness.js';

const C = 'prod-1';
const ns = uniqueName('it-rq');
const rq = (name: string) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: ns } });
const hardOf = async (name: string): Promise<unknown> => (await readLive(C, rq(name)))?.spec;

const compute: QuotaEntry = {
  name: 'compute-quota',
  resources: { limits: { cpu: '12', memory: '48Gi' }, requests: { cpu: '6', memory: '24Gi' }, pods: 40 },
  scopes: [],
};
const terminating: QuotaEntry = { name: 'terminating', resources: { pods: 3 }, scopes: ['Terminating'] };

function data(over: Partial<Namespace>) {
  return new DataBuilder().cluster(clusterFor(C)).namespace(namespace(ns, C, over)).build();
}
const run = (over: Partial<Namespace>, takeOver = false) =>
  reconcile(resourceQuotasIntegration, data(over), { namespaces: [ns], takeOver });

describe('resourcequotas on a real cluster', () => {
  beforeAll(async () => {
    await createNamespace(C, ns);
  });
  afterAll(async () => {
    await deleteNamespaces(C, [ns]);
  });

  it('converges from empty: one ResourceQuota per quota entry, owned by the integration', async () => {
    const r = await run({ quota: quota('q', [compute, terminating]) });

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([`create ${C}/${ns}/ResourceQuota/compute-quota`, `create ${C}/${ns}/ResourceQuota/terminating`]);
    expect(await hardOf('compute-quota')).toMatchObject({
      hard: { 'limits.cpu': '12', 'limits.memory': '48Gi', 'requests.cpu': '6', 'requests.memory': '24Gi', pods: '40' },
    });
    expect(await hardOf('terminating')).toMatchObject({ hard: { pods: '3' }, scopes: ['Terminating'] });
    expect(labelsOf(await readLive(C, rq('terminating')))).toMatchObject({ 'kontract.io/integration': 'resourcequotas' });
  });

  it('sends no write on a second run with the same data', async () => {
    const r = await run({ quota: quota('q', [compute, terminating]) });
    expect(r.result.outcome).toBe('ok');
    expect(r.changes).toEqual([]);
    expect(r.writes).toBe(0);
  });

  it('updates only the quota whose value changed', async () => {
    const before = rvOf(await readLive(C, rq('terminating')));
    const changed = { ...compute, resources: { ...compute.resources, pods: 41 } };

    const r = await run({ quota: quota('q', [changed, terminating]) });

    expect(r.changes).toEqual([`update ${C}/${ns}/ResourceQuota/compute-quota`]);
    expect(r.writes).toBe(1);
    expect(await hardOf('compute-quota')).toMatchObject({ hard: { pods: '41', 'limits.cpu': '12' } });
    expect(rvOf(await readLive(C, rq('terminating')))).toBe(before);
  });

  it('zeroes every quota when paused and restores the declared custom values when active again', async () => {
    const declared = quota('q', [compute, terminating]);
    const paused = await run({ quota: declared, state: 'paused' });
    expect(paused.changes).toHaveLength(2);
    expect(await hardOf('compute-quota')).toMatchObject({
      hard: { 'limits.cpu': '0', 'limits.memory': '0', 'requests.cpu': '0', 'requests.memory': '0', pods: '0' },
    });

    const downscaled = await run({ quota: declared, state: 'downscaled' });
    expect(downscaled.result.errors).toEqual([]);
    expect(await hardOf('compute-quota')).toMatchObject({
      hard: { 'limits.cpu': '1', 'limits.memory': '1Gi', 'requests.cpu': '1', 'requests.memory': '1Gi', pods: '1' },
    });

    const active = await run({ quota: declared, state: 'active' });
    expect(active.changes).toHaveLength(2);
    expect(await hardOf('compute-quota')).toMatchObject({
      hard: { 'limits.cpu': '12', 'limits.memory': '48Gi', 'requests.cpu': '6', 'requests.memory': '24Gi', pods: '40' },
    });
    expect(await hardOf('terminating')).toMatchObject({ hard: { pods: '3' }, scopes: ['Terminating'] });
  });

  it('prunes a removed quota but not an unowned one in the same namespace', async () => {
    await createUnowned(C, { ...rq('hand-made'), spec: { hard: { pods: '99' } } });

    const r = await run({ quota: quota('q', [compute]) });

    expect(r.changes).toEqual([`delete ${C}/${ns}/ResourceQuota/terminating`]);
    expect(await readLive(C, rq('terminating'))).toBeUndefined();
    expect(await readLive(C, rq('hand-made'))).toBeDefined();
    expect(await readLive(C, rq('compute-quota'))).toBeDefined();
  });

  it('refuses to overwrite an unowned quota of the same name, and adopts it with take-over', async () => {
    await createUnowned(C, { ...rq('compute'), spec: { hard: { pods: '7' } } });
    const desired = { quota: quota('q', [compute]), quotaComponents: { cpu: 2, memoryGB: 4, burstFactor: 2 } };

    const refused = await run(desired);
    expect(refused.result.outcome).toBe('failed');
    expect(refused.result.errors.map((e) => e.code)).toContain('E_OWNERSHIP_CONFLICT');
    expect(await hardOf('compute')).toEqual({ hard: { pods: '7' } });

    const adopted = await run(desired, true);
    expect(adopted.result.errors).toEqual([]);
    expect(adopted.changes).toEqual([`update ${C}/${ns}/ResourceQuota/compute`]);
    const live = await readLive(C, rq('compute'));
    expect(labelsOf(live)).toMatchObject({ 'kontract.io/integration': 'resourcequotas' });
    expect(live?.spec).toMatchObject({ hard: { 'requests.cpu': '2', 'limits.cpu': '4', 'requests.memory': '4Gi', 'limits.memory': '8Gi' } });

    const again = await run(desired);
    expect(again.changes).toEqual([]);
    expect(again.writes).toBe(0);
  });
});
