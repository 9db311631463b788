/**
 * instancetypes against real kube-apiservers with the upstream KubeVirt CRDs: the cluster-scoped
 * catalog converges, is stable, updates in place, and a cluster without the CRDs gets an error
 * naming it while the others converge. Catalog names carry a per-run suffix (cluster-scoped
 * objects are shared by every test file).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { instancetypesIntegration } from '../../../src/integrations/instancetypes/integration.js';
import type { ClusterInstancetype, ClusterPreference } from '../../../src/app-interface/kubevirt/instancetype-model.js';
import { loadKubevirtTree } from '../../fixtures/kubevirt/load.js';
import { deleteCr, installKubevirtCrds, instancetypeRef, preferenceRef, readCr, serves } from '../../fixtures/kubevirt/live.js';
import { DataBuilder } from '../../unit/integrations/data-builder.js';
import { uniqueName } from '../support/clusters.js';
import { clusterFor, reconcile } from './tenant-harness.js';

const P1 = 'prod-1';
const P2 = 'prod-2';
const DEV = 'dev-1';
const suffix = uniqueName('it').slice(3);

function catalog(): { instancetypes: ClusterInstancetype[]; preferences: ClusterPreference[] } {
  const kv = loadKubevirtTree();
  return {
    instancetypes: kv.instancetypes.map((i) => ({ ...i, name: `${i.name}-${suffix}` })),
    preferences: kv.preferences.map((p) => ({ ...p, name: `${p.name}-${suffix}` })),
  };
}

function data(over: Partial<AppInterfaceData> = {}, withDev = false): AppInterfaceData {
  const b = new DataBuilder().cluster(clusterFor(P1)).cluster(clusterFor(P2));
  if (withDev) b.cluster(clusterFor(DEV));
  return { ...b.build(), ...catalog(), ...over };
}

const run = (d: AppInterfaceData) => reconcile(instancetypesIntegration, d, { namespaces: [] });
const names = (): string[] => {
  const c = catalog();
  return [...c.instancetypes.map((i) => i.name), ...c.preferences.map((p) => p.name)];
};

describe('instancetypes on real clusters', () => {
  beforeAll(async () => {
    await installKubevirtCrds(P1);
    await installKubevirtCrds(P2);
    if (await serves(DEV, 'instancetype.kubevirt.io/v1beta1')) throw new Error('dev-1 serves instancetype.kubevirt.io: the "no KubeVirt" test needs a cluster without the CRDs');
  });

  afterAll(async () => {
    const c = catalog();
    for (const cluster of [P1, P2]) {
      for (const i of c.instancetypes) await deleteCr(cluster, instancetypeRef(i.name));
      for (const p of c.preferences) await deleteCr(cluster, preferenceRef(p.name));
    }
  });

  it('converges the catalog on every cluster', async () => {
    const r = await run(data());

    expect(r.result.errors).toEqual([]);
    const mine = r.changes.filter((c) => c.includes(suffix));
    expect(mine).toHaveLength(names().length * 2);
    expect(mine.every((c) => c.startsWith('create '))).toBe(true);
    const small = await readCr(P1, instancetypeRef(`u1.small-${suffix}`));
    expect(small?.spec).toEqual({ cpu: { guest: 1 }, memory: { guest: '2Gi' } });
    expect(small?.metadata.labels).toMatchObject({ 'instancetype.kubevirt.io/cpu': '1', 'instancetype.kubevirt.io/memory': '2Gi', 'kontract.io/integration': 'instancetypes' });
    const fedora = await readCr(P2, preferenceRef(`fedora-${suffix}`));
    expect(fedora?.spec).toMatchObject({ firmware: { preferredUseEfi: true } });
  });

  it('sends no write on a second run with the same data', async () => {
    const r = await run(data());
    expect(r.changes.filter((c) => c.includes(suffix))).toEqual([]);
    expect(r.result.errors).toEqual([]);
  });

  it('updates an instancetype in place when its memory changes', async () => {
    const c = catalog();
    const bigger = c.instancetypes.map((i) => (i.name.startsWith('u1.medium') ? { ...i, memory: { guest: '6Gi' } } : i));

    const r = await run(data({ instancetypes: bigger }));

    expect(r.changes).toEqual([
      `update ${P1}/-/VirtualMachineClusterInstancetype.instancetype.kubevirt.io/u1.medium-${suffix}`,
      `update ${P2}/-/VirtualMachineClusterInstancetype.instancetype.kubevirt.io/u1.medium-${suffix}`,
    ]);
    expect((await readCr(P2, instancetypeRef(`u1.medium-${suffix}`)))?.spec).toEqual({ cpu: { guest: 1 }, memory: { guest: '6Gi' } });
  });

  it('reports a cluster without KubeVirt by name while the other clusters converge', async () => {
    const c = catalog();
    const extra: ClusterInstancetype = { ...c.instancetypes[0]!, path: '/kubevirt/instancetypes/extra.yml', name: `u1.extra-${suffix}` };

    const r = await run(data({ instancetypes: [...c.instancetypes, extra] }, true));

    const devErrors = r.result.errors.filter((e) => e.cluster === DEV);
    expect(devErrors).toHaveLength(1);
    expect(devErrors[0]!.message).toContain(DEV);
    expect(devErrors[0]!.message).toContain('KubeVirt is not installed');
    expect(r.result.errors.filter((e) => e.cluster !== DEV)).toEqual([]);
    expect(await readCr(P1, instancetypeRef(`u1.extra-${suffix}`))).toBeDefined();
    expect(await readCr(P2, instancetypeRef(`u1.extra-${suffix}`))).toBeDefined();
    for (const cl of [P1, P2]) await deleteCr(cl, instancetypeRef(`u1.extra-${suffix}`));
  });
});
