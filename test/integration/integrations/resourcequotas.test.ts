/**
 * resourcequotas against a real kube-apiserver: converge, no-op, targeted update, lifecycle
 * paused → active restoring custom values, pruning only owned objects, ownership conflicts, and
 * a paused namespace whose quota declares no pods limit refused a pod by quota admission.
 */
import { ApiException } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Namespace, QuotaEntry } from '../../../src/app-interface/model.js';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { LIFECYCLE_QUOTA_NAME } from '../../../src/integrations/resourcequotas/desired.js';
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
    expect(paused.changes).toEqual([
      `create ${C}/${ns}/ResourceQuota/${LIFECYCLE_QUOTA_NAME}`, `update ${C}/${ns}/ResourceQuota/compute-quota`, `update ${C}/${ns}/ResourceQuota/terminating`,
    ]);
    expect(await hardOf('compute-quota')).toMatchObject({
      hard: { 'limits.cpu': '0', 'limits.memory': '0', 'requests.cpu': '0', 'requests.memory': '0', pods: '0' },
    });

    const downscaled = await run({ quota: declared, state: 'downscaled' });
    expect(downscaled.result.errors).toEqual([]);
    expect(await hardOf('compute-quota')).toMatchObject({
      hard: { 'limits.cpu': '2', 'limits.memory': '2Gi', 'requests.cpu': '1', 'requests.memory': '1Gi', pods: '1' },
    });
    expect(await hardOf(LIFECYCLE_QUOTA_NAME)).toMatchObject({ hard: { 'requests.storage': '1Gi', pods: '1' } });

    const active = await run({ quota: declared, state: 'active' });
    expect(active.changes).toEqual([
      `delete ${C}/${ns}/ResourceQuota/${LIFECYCLE_QUOTA_NAME}`, `update ${C}/${ns}/ResourceQuota/compute-quota`, `update ${C}/${ns}/ResourceQuota/terminating`,
    ]);
    expect(await readLive(C, rq(LIFECYCLE_QUOTA_NAME))).toBeUndefined();
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

describe('a paused namespace on a real cluster (quota admission)', () => {
  const pns = uniqueName('it-rq-pause');
  // The namespace's only ResourceQuota declares no pods (nor memory or storage) limit and covers only
  // Terminating pods: zeroing it alone (the former behaviour of paused) leaves ordinary pods unlimited.
  const cpuOnly: QuotaEntry = { name: 'cpu-only', resources: { requests: { cpu: '2' }, limits: { cpu: '4' } }, scopes: ['Terminating'] };
  const runP = (state: Namespace['state']) =>
    reconcile(resourceQuotasIntegration, new DataBuilder().cluster(clusterFor(C)).namespace(namespace(pns, C, { quota: quota('q', [cpuOnly]), state })).build(), { namespaces: [pns] });
  const quotaHeader = (name: string) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: pns } });
  const pod = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: pns },
    spec: {
      containers: [{
        name: 'c',
        image: 'registry.k8s.io/pause:3.10',
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
      }],
    },
  });

  /** Quota admission checks `status.hard`, which the resourcequota controller copies from `spec.hard`. */
  async function synced(name: string): Promise<void> {
    const t0 = Date.now();
    while (Date.now() - t0 < 30_000) {
      const live = await readLive(C, quotaHeader(name));
      const spec = (live?.spec as { hard?: unknown } | undefined)?.hard;
      const status = (live?.status as { hard?: unknown } | undefined)?.hard;
      if (spec !== undefined && JSON.stringify(spec) === JSON.stringify(status)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`ResourceQuota ${name} status.hard never matched spec.hard`);
  }

  async function createPod(name: string): Promise<{ ok: true } | { ok: false; code: number; body: string }> {
    try {
      await createUnowned(C, pod(name));
      return { ok: true };
    } catch (e) {
      if (e instanceof ApiException) return { ok: false, code: e.code, body: String(e.body) };
      throw e;
    }
  }

  beforeAll(async () => {
    await createNamespace(C, pns);
  });
  afterAll(async () => {
    await deleteNamespaces(C, [pns]);
  });

  it('cannot create a pod once paused, keeps the pod it has, and can again after active', async () => {
    const active = await runP('active');
    expect(active.result.errors).toEqual([]);
    expect(active.changes).toEqual([`create ${C}/${pns}/ResourceQuota/cpu-only`]);
    await synced('cpu-only');
    expect(await createPod('before')).toEqual({ ok: true });

    const paused = await runP('paused');
    expect(paused.result.errors).toEqual([]);
    expect(paused.changes).toEqual([`create ${C}/${pns}/ResourceQuota/${LIFECYCLE_QUOTA_NAME}`, `update ${C}/${pns}/ResourceQuota/cpu-only`]);
    await synced(LIFECYCLE_QUOTA_NAME);
    await synced('cpu-only');
    const refused = await createPod('while-paused');
    expect(refused).toMatchObject({ ok: false, code: 403 });
    expect(refused.ok ? '' : refused.body).toContain(`exceeded quota: ${LIFECYCLE_QUOTA_NAME}`);
    expect(refused.ok ? '' : refused.body).toContain('limited: ');
    expect(await readLive(C, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'before', namespace: pns } })).toBeDefined();

    const restored = await runP('active');
    expect(restored.result.errors).toEqual([]);
    expect(restored.changes).toEqual([`delete ${C}/${pns}/ResourceQuota/${LIFECYCLE_QUOTA_NAME}`, `update ${C}/${pns}/ResourceQuota/cpu-only`]);
    expect(await readLive(C, quotaHeader(LIFECYCLE_QUOTA_NAME))).toBeUndefined();
    expect(await hardOfIn(pns, 'cpu-only')).toEqual({ 'requests.cpu': '2', 'limits.cpu': '4' });
    await synced('cpu-only');
    expect(await createPod('after')).toEqual({ ok: true });
  });

  it('holds all four components at 0 in the lifecycle quota the apiserver enforces', async () => {
    await runP('paused');
    await synced(LIFECYCLE_QUOTA_NAME);
    const live = await readLive(C, quotaHeader(LIFECYCLE_QUOTA_NAME));
    expect((live?.status as { hard?: unknown }).hard).toEqual({
      'requests.cpu': '0', 'limits.cpu': '0', 'requests.memory': '0', 'limits.memory': '0', 'requests.storage': '0', pods: '0',
    });
    expect(await createPod('still-paused')).toMatchObject({ ok: false, code: 403 });
    await runP('active');
  });
});

async function hardOfIn(namespaceName: string, name: string): Promise<unknown> {
  const live = await readLive(C, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: namespaceName } });
  return (live?.spec as { hard?: unknown } | undefined)?.hard;
}
