/**
 * virtual-machines against real kube-apiservers with the upstream KubeVirt CRDs installed (no
 * virt-operator, so no webhooks: the CRD schema is what validates). Converges VMs from templates,
 * toggles a power state (only spec.runStrategy changes), deletes, and shows that a cluster without
 * KubeVirt gets an error naming it while the other clusters converge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInterfaceData, Namespace } from '../../../src/app-interface/model.js';
import type { VirtualMachineData } from '../../../src/app-interface/kubevirt/vm-model.js';
import { virtualMachinesIntegration } from '../../../src/integrations/virtual-machines/integration.js';
import { loadKubevirtTree } from '../../fixtures/kubevirt/load.js';
import { deleteCr, deleteCrds, installKubevirtCrds, PROJECT_KUBEVIRT_CRDS, readCr, serves, vmRef } from '../../fixtures/kubevirt/live.js';
import { DataBuilder, namespace } from '../../unit/integrations/data-builder.js';
import { testCluster, uniqueName } from '../support/clusters.js';
import { silentReporter } from '../../../src/core/reporter.js';
import { collectInventory } from '../../../src/workload-inventory/collect.js';
import { createConnector } from '../../../src/reconcile/connector.js';
import { clusterFor, createNamespace, deleteNamespaces, reconcile } from './tenant-harness.js';

const P1 = 'prod-1';
const P2 = 'prod-2';
const DEV = 'dev-1';
const ns1 = uniqueName('it-vm');
const ns2 = uniqueName('it-vm');
const nsDev = uniqueName('it-vm-dev');

/** The fixture namespaces (`/openshift/<cluster>/namespaces/vms.yml`) mapped to this run's names. */
function vmsNamespace(name: string, cluster: string): Namespace {
  return namespace(name, cluster, { path: `/openshift/${cluster}/namespaces/vms.yml` });
}

function data(vms: (v: VirtualMachineData[]) => VirtualMachineData[] = (v) => v, withDev = false): AppInterfaceData {
  const kv = loadKubevirtTree();
  const b = new DataBuilder().cluster(clusterFor(P1)).cluster(clusterFor(P2)).namespace(vmsNamespace(ns1, P1), vmsNamespace(ns2, P2));
  if (withDev) b.cluster(clusterFor(DEV)).namespace(vmsNamespace(nsDev, DEV));
  return { ...b.build(), vmTemplates: kv.vmTemplates, instancetypes: kv.instancetypes, preferences: kv.preferences, virtualMachines: vms(kv.virtualMachines) };
}

const setPower = (name: string, powerState: 'running' | 'stopped') => (vms: VirtualMachineData[]): VirtualMachineData[] =>
  vms.map((v) => (v.name === name ? { ...v, power: { powerState } } : v));

const run = (d: AppInterfaceData) => reconcile(virtualMachinesIntegration, d, { namespaces: [ns1, ns2, nsDev] });

interface LiveVm { metadata: { generation?: number; resourceVersion?: string; labels?: Record<string, string> }; spec: Record<string, unknown> & { template: { spec: { domain: Record<string, unknown> } } } }
const live = async (cluster: string, ns: string, name: string): Promise<LiveVm> => {
  const o = await readCr(cluster, vmRef(ns, name));
  if (o === undefined) throw new Error(`VirtualMachine ${ns}/${name} not found on ${cluster}`);
  return o as unknown as LiveVm;
};

describe('virtual-machines on real clusters', () => {
  beforeAll(async () => {
    await installKubevirtCrds(P1);
    await installKubevirtCrds(P2);
    // dev-1 plays the cluster without KubeVirt; the kubevirt tests never install CRDs there.
    if (await serves(DEV, 'kubevirt.io/v1')) throw new Error('dev-1 serves kubevirt.io/v1: the "no KubeVirt" test needs a cluster without the CRDs');
    await createNamespace(P1, ns1);
    await createNamespace(P2, ns2);
  });

  afterAll(async () => {
    for (const name of ['web-1', 'db-1']) await deleteCr(P1, vmRef(ns1, name));
    await deleteCr(P2, vmRef(ns2, 'batch-1'));
    await deleteNamespaces(P1, [ns1]);
    await deleteNamespaces(P2, [ns2]);
  });

  it('converges the VMs built from templates on each cluster', async () => {
    const r = await run(data());

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([
      `create ${P1}/${ns1}/VirtualMachine.kubevirt.io/db-1`,
      `create ${P1}/${ns1}/VirtualMachine.kubevirt.io/web-1`,
      `create ${P2}/${ns2}/VirtualMachine.kubevirt.io/batch-1`,
    ]);
    const web = await live(P1, ns1, 'web-1');
    expect(web.spec.runStrategy).toBe('Always');
    expect(web.spec).not.toHaveProperty('running');
    expect(web.spec.instancetype).toEqual({ name: 'u1.small', kind: 'VirtualMachineClusterInstancetype' });
    expect(web.spec.template.spec.domain).not.toHaveProperty('cpu');
    expect(web.metadata.labels).toMatchObject({ app: 'web', 'kontract.io/integration': 'virtual-machines' });
    const db = await live(P1, ns1, 'db-1');
    expect(db.spec.runStrategy).toBe('Halted');
    expect(db.spec.template.spec.domain.memory).toEqual({ guest: '2Gi' });
    expect((db.spec.dataVolumeTemplates as unknown[]).length).toBe(2);
    expect((await live(P2, ns2, 'batch-1')).spec.runStrategy).toBe('Once');
  });

  it('sends no write on a second run with the same data', async () => {
    const r = await run(data());
    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([]);
    expect(r.writes).toBe(0);
  });

  it('changes only spec.runStrategy when a VM is powered off', async () => {
    const before = await live(P1, ns1, 'web-1');
    const dbBefore = await live(P1, ns1, 'db-1');

    const r = await run(data(setPower('web-1', 'stopped')));

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([`update ${P1}/${ns1}/VirtualMachine.kubevirt.io/web-1`]);
    const change = r.result.plan.changes[0]!;
    expect(change.changes.map((c) => [c.path, c.before, c.after])).toEqual([['spec.runStrategy', 'Always', 'Halted']]);
    expect(r.writes).toBe(1);
    const after = await live(P1, ns1, 'web-1');
    expect(after.spec.runStrategy).toBe('Halted');
    // one spec change → the generation moves by exactly one; the rest of the spec is untouched
    expect(after.metadata.generation).toBe((before.metadata.generation ?? 0) + 1);
    expect({ ...after.spec, runStrategy: 'x' }).toEqual({ ...before.spec, runStrategy: 'x' });
    expect((await live(P1, ns1, 'db-1')).metadata.resourceVersion).toBe(dbBefore.metadata.resourceVersion);
  });

  it('powers the VM back on the same way', async () => {
    const r = await run(data());
    expect(r.changes).toEqual([`update ${P1}/${ns1}/VirtualMachine.kubevirt.io/web-1`]);
    expect(r.result.plan.changes[0]!.changes.map((c) => c.path)).toEqual(['spec.runStrategy']);
    expect((await live(P1, ns1, 'web-1')).spec.runStrategy).toBe('Always');
  });

  it('deletes a VM whose datafile is gone', async () => {
    const r = await run(data((vms) => vms.filter((v) => v.name !== 'db-1')));
    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([`delete ${P1}/${ns1}/VirtualMachine.kubevirt.io/db-1`]);
    expect(await readCr(P1, vmRef(ns1, 'db-1'))).toBeUndefined();
  });

  it('reports a cluster without KubeVirt by name while the other clusters converge', async () => {
    // a new VM on prod-1 and one on dev-1 (no CRDs there)
    const extra = (vms: VirtualMachineData[]): VirtualMachineData[] => {
      const web = vms.find((v) => v.name === 'web-1')!;
      return [
        ...vms.filter((v) => v.name !== 'db-1'),
        { ...web, path: '/kubevirt/vms/web-2.yml', name: 'web-2' },
        { ...web, path: '/kubevirt/vms/dev-web.yml', name: 'dev-web', namespace: `/openshift/${DEV}/namespaces/vms.yml` },
      ];
    };

    const r = await run(data(extra, true));

    const devErrors = r.result.errors.filter((e) => e.cluster === DEV);
    expect(devErrors).toHaveLength(1);
    expect(devErrors[0]!.message).toContain(DEV);
    expect(devErrors[0]!.message).toContain('KubeVirt is not installed');
    expect(r.result.errors.filter((e) => e.cluster !== DEV)).toEqual([]);
    expect(r.changes).toContain(`create ${P1}/${ns1}/VirtualMachine.kubevirt.io/web-2`);
    expect(await readCr(P1, vmRef(ns1, 'web-2'))).toBeDefined();
    await deleteCr(P1, vmRef(ns1, 'web-2'));
  });
});


describe('the demo CRDs (deploy/crds/kubevirt) on a real cluster', () => {
  const nsD = uniqueName('it-vm-demo');
  const crdNames = [
    'virtualmachines.kubevirt.io', 'virtualmachineinstances.kubevirt.io',
    'virtualmachineclusterinstancetypes.instancetype.kubevirt.io', 'virtualmachineclusterpreferences.instancetype.kubevirt.io',
  ];

  beforeAll(async () => {
    // dev-1 is the cluster without KubeVirt for every other test: the demo CRDs go there only for
    // this block and are removed again (and discovery checked) in afterAll.
    expect((await installKubevirtCrds(DEV, PROJECT_KUBEVIRT_CRDS)).sort()).toEqual([...crdNames].sort());
    await createNamespace(DEV, nsD);
  });

  afterAll(async () => {
    await deleteNamespaces(DEV, [nsD]);
    await deleteCrds(DEV, crdNames);
    expect(await serves(DEV, 'kubevirt.io/v1')).toBe(false);
  });

  it('accept every VM kontract builds from the fixtures, and a second run is a no-op', async () => {
    const kv = loadKubevirtTree();
    const d: AppInterfaceData = {
      ...new DataBuilder().cluster(clusterFor(DEV)).namespace(namespace(nsD, DEV, { path: '/openshift/prod-1/namespaces/vms.yml' }), namespace(nsD, DEV, { path: '/openshift/prod-2/namespaces/vms.yml' })).build(),
      vmTemplates: kv.vmTemplates, instancetypes: kv.instancetypes, preferences: kv.preferences, virtualMachines: kv.virtualMachines,
    };
    const first = await reconcile(virtualMachinesIntegration, d, { namespaces: [nsD] });
    expect(first.result.errors).toEqual([]);
    expect(first.changes).toEqual([`create ${DEV}/${nsD}/VirtualMachine.kubevirt.io/batch-1`, `create ${DEV}/${nsD}/VirtualMachine.kubevirt.io/db-1`, `create ${DEV}/${nsD}/VirtualMachine.kubevirt.io/web-1`]);
    const second = await reconcile(virtualMachinesIntegration, d, { namespaces: [nsD] });
    expect(second.changes).toEqual([]);
    expect(second.writes).toBe(0);
    expect((await live(DEV, nsD, 'db-1')).spec.dataVolumeTemplates).toHaveLength(2);
  });

  it('are read by the inventory (cluster instancetypes served, namespaced ones not)', async () => {
    const dev = clusterFor(DEV);
    const env = dev.auth.kind === 'tokenEnv' ? { [dev.auth.env]: testCluster(DEV).adminToken } : {};
    const connector = createConnector({ env, reporter: silentReporter });
    try {
      const report = await collectInventory({ clusters: [dev], connect: connector.connect, reporter: silentReporter });
      const inv = report.clusters[0]!;
      expect(inv.error).toBeUndefined();
      expect(inv.kubevirt).toBe(true);
      expect(inv.vms.filter((v) => v.namespace === nsD).map((v) => `${v.name}:${v.runStrategy ?? ''}:${v.desiredPower}`)).toEqual(['batch-1:Once:once', 'db-1:Halted:stopped', 'web-1:Always:running']);
    } finally {
      connector.closeAll();
    }
  });
});
