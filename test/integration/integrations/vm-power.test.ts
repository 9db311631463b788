/**
 * vApps and VM power against a real kube-apiserver with the upstream KubeVirt CRDs, and the test
 * suite's own virt-api stand-in registered as the aggregated API `subresources.kubevirt.io`
 * (support/kubevirt-subresources.ts): kontract's pause/unpause/restart requests go to the real
 * apiserver, which proxies them to the stand-in; the test asserts the calls it recorded. The data
 * (organisation, VDC, catalog, template, vApp) is loaded by the real YAML loader. No KubeVirt
 * controller runs, so the test plays it: it creates the VMI a running VM would have and sets the
 * VM's RestartRequired condition.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { vdcNamespaceName } from '../../../src/app-interface/tenancy/naming.js';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { createConnector } from '../../../src/reconcile/connector.js';
import { runReconcile } from '../../../src/reconcile/run-reconcile.js';
import { renderJson } from '../../../src/resource-inventory/render/json.js';
import { renderMarkdown } from '../../../src/resource-inventory/render/markdown.js';
import { renderText } from '../../../src/resource-inventory/render/text.js';
import { silentReporter } from '../../../src/core/reporter.js';
import { collectInventory } from '../../../src/workload-inventory/collect.js';
import { renderInventory } from '../../../src/workload-inventory/render.js';
import { NO_FILTER } from '../../../src/workload-inventory/build.js';
import { virtualMachinesIntegration } from '../../../src/integrations/virtual-machines/integration.js';
import { RESET_DONE_ANNOTATION } from '../../../src/integrations/virtual-machines/power.js';
import { installKubevirtCrds, readCr, vmRef } from '../../fixtures/kubevirt/live.js';
import { kubeConfigFor, testCluster, uniqueName } from '../support/clusters.js';
import type { VirtApiStandIn } from '../support/kubevirt-subresources.js';
import { startVirtApiStandIn } from '../support/kubevirt-subresources.js';
import { clusterFor, createNamespace, deleteNamespaces, reconcile } from './tenant-harness.js';

const C = 'prod-1';
const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const org = uniqueName('it-vapp');
const ns = vdcNamespaceName(org, 'prod');
const tree = mkdtempSync(join(tmpdir(), 'kontract-it-vapp-'));
let virtApi: VirtApiStandIn;

function write(path: string, text: string): void {
  mkdirSync(dirname(join(tree, path)), { recursive: true });
  writeFileSync(join(tree, path), text);
}

interface VappOptions {
  readonly powerState?: string;
  readonly resetRequested?: string;
  readonly restartOnResize?: boolean;
  readonly dbCores?: number;
  readonly delete?: boolean;
}

function vapp(o: VappOptions = {}): void {
  write('/tenancy/shop.yml', `$schema: /kontract/vapp-1.yml
name: shop
vdc: {$ref: /tenancy/prod.yml}
template: {$ref: /kubevirt/small.yml}
powerState: ${o.powerState ?? 'on'}
${o.resetRequested === undefined ? '' : `resetRequested: "${o.resetRequested}"\n`}${o.delete === undefined ? '' : `delete: ${String(o.delete)}\n`}labels: {app: shop}
vms:
  - name: web-1
  - name: web-2
    powerState: off
  - name: db-1
    overrides: {cpu: {cores: ${o.dbCores ?? 1}}}
${o.restartOnResize === undefined ? '' : `    restartOnResize: ${String(o.restartOnResize)}\n`}`);
}

async function load(): Promise<AppInterfaceData> {
  const data = await loadAppInterface({ kind: 'dir', path: tree });
  return { ...data, clusters: [clusterFor(C)] };
}

const run = async () => reconcile(virtualMachinesIntegration, await load(), { namespaces: [ns] });

async function dryRun(): Promise<Awaited<ReturnType<typeof runReconcile>>> {
  const env = { KONTRACT_IT_TOKEN_PROD_1: testCluster(C).adminToken };
  const connector = createConnector({ env, reporter: silentReporter });
  try {
    return await runReconcile({ integrations: [virtualMachinesIntegration], data: await load(), connect: connector.connect, dryRun: 'client', namespaces: [ns], reporter: silentReporter });
  } finally {
    connector.closeAll();
  }
}

const objects = () => kubeConfigFor(C).makeApiClient(CustomObjectsApi);
const vmiRef = { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstances', namespace: ns };

/** What KubeVirt's VM controller would do for a running VM: a VMI in phase Running (the VMI CRD has no status subresource). */
async function runningVmi(name: string): Promise<void> {
  await objects().createNamespacedCustomObject({ ...vmiRef, body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name, namespace: ns }, spec: { domain: { devices: {} } }, status: { phase: 'Running' } } });
}

async function setVmCondition(name: string, type: string): Promise<void> {
  const ref = { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', namespace: ns, name };
  const vm = await objects().getNamespacedCustomObject(ref) as KubeObject;
  await objects().replaceNamespacedCustomObjectStatus({ ...ref, body: { ...vm, status: { conditions: [{ type, status: 'True', reason: 'test' }] } } });
}

const conditionsOf = (o: KubeObject | undefined): { type: string; status: string }[] =>
  ((o?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
const vmi = async (name: string) => readCr(C, { ...vmiRef, name });
const vm = async (name: string) => readCr(C, vmRef(ns, name));

describe('vApps and VM power through the aggregated subresources API', () => {
  beforeAll(async () => {
    await installKubevirtCrds(C);
    virtApi = await startVirtApiStandIn(C);
    for (const p of ['/openshift/prod-1/cluster.yml', '/kontract/clusters/prod-1.yml']) {
      mkdirSync(dirname(join(tree, p)), { recursive: true });
      cpSync(join(SAMPLE, p), join(tree, p));
    }
    write('/tenancy/org.yml', `$schema: /kontract/organisation-1.yml\nname: ${org}\ndisplayName: vApp test org\n`);
    write('/tenancy/prod.yml', `$schema: /kontract/vdc-1.yml
name: prod
organisation: {$ref: /tenancy/org.yml}
cluster: {$ref: /openshift/prod-1/cluster.yml}
allocationModel: pay-as-you-go
`);
    write('/tenancy/catalog.yml', `$schema: /kontract/catalog-1.yml\nname: own\norganisation: {$ref: /tenancy/org.yml}\ntemplates: [{$ref: /kubevirt/small.yml}]\n`);
    write('/kubevirt/small.yml', `$schema: /kontract/kubevirt/vm-template-1.yml
name: small
cpu: {cores: 1}
memory: {guest: 1Gi}
bootDisk: {containerDisk: {image: quay.io/containerdisks/fedora:40}}
`);
    // A second vApp: deleting shop must leave it (and the cluster is never emptied of desired VMs).
    write('/tenancy/infra.yml', `$schema: /kontract/vapp-1.yml\nname: infra\nvdc: {$ref: /tenancy/prod.yml}\ntemplate: {$ref: /kubevirt/small.yml}\nvms: [{name: bastion}]\n`);
    await createNamespace(C, ns);
  });

  afterAll(async () => {
    await virtApi.close();
    await deleteNamespaces(C, [ns]);
    rmSync(tree, { recursive: true, force: true });
  });

  it('instantiates the vApp VMs from the catalog template in the VDC namespace, power applied unless a VM overrides it', async () => {
    vapp();
    const r = await run();
    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([
      `create ${C}/${ns}/VirtualMachine.kubevirt.io/bastion`, `create ${C}/${ns}/VirtualMachine.kubevirt.io/db-1`,
      `create ${C}/${ns}/VirtualMachine.kubevirt.io/web-1`, `create ${C}/${ns}/VirtualMachine.kubevirt.io/web-2`,
    ]);
    expect((await vm('bastion'))?.metadata.labels?.['kontract.io/vapp']).toBe('infra');
    const live = await Promise.all(['web-1', 'web-2', 'db-1'].map(vm));
    expect(live.map((o) => (o?.spec as { runStrategy?: string }).runStrategy)).toEqual(['Always', 'Halted', 'Always']);
    for (const o of live) {
      expect(o?.metadata.labels).toMatchObject({ 'kontract.io/vapp': 'shop', app: 'shop' });
      expect((o?.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels['kontract.io/vapp']).toBe('shop');
    }
    // No VMI runs: nothing to pause, unpause or restart.
    expect(virtApi.summary(ns)).toEqual([]);

    // `kontract inventory` shows the vApp of each VM (JSON field, table column, CSV detail).
    const connector = createConnector({ env: { KONTRACT_IT_TOKEN_PROD_1: testCluster(C).adminToken }, reporter: silentReporter });
    try {
      const report = await collectInventory({ clusters: [clusterFor(C)], connect: connector.connect, reporter: silentReporter, filter: { ...NO_FILTER, namespace: ns } });
      expect(report.clusters[0]?.vms.map((v) => `${v.name}:${v.vapp ?? ''}`).sort()).toEqual(['bastion:infra', 'db-1:shop', 'web-1:shop', 'web-2:shop']);
      const table = renderInventory(report, 'table');
      expect(table).toMatch(/NAMESPACE +NAME +VAPP +RUN-STRATEGY/);
      expect(table).toMatch(new RegExp(`${ns} +web-2 +shop +Halted`));
      expect(renderInventory(report, 'csv')).toContain(`VirtualMachine,${ns},web-1,running,,runStrategy=Always size=1 vCPU / 1Gi vapp=shop`);
    } finally {
      connector.closeAll();
    }
  });

  it('suspends through the pause subresource (only in a wet run, once) and resumes with unpause', async () => {
    await runningVmi('web-1');
    vapp({ powerState: 'suspended' });

    const dry = await dryRun();
    expect(dry.plan.operations?.map((o) => `${o.operation} ${o.kind}/${o.name}`)).toEqual([
      'notice VirtualMachineInstance.kubevirt.io/db-1',
      'pause VirtualMachineInstance.kubevirt.io/web-1',
    ]);
    expect(renderText(dry.plan, { color: false })).toContain(`${C}/${ns}/VirtualMachineInstance.kubevirt.io/web-1: pause (powerState suspended)`);
    expect(renderMarkdown(dry.plan)).toContain('#### Operations (after the changes)');
    const json = JSON.parse(renderJson(dry.plan)) as { operations: { operation: string; request?: string }[] };
    expect(json.operations.find((o) => o.operation === 'pause')?.request).toBe(`PUT /apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/web-1/pause`);
    expect(dry.outcome).toBe('changes');
    expect(virtApi.summary(ns)).toEqual([]);

    const r = await run();
    expect(r.result.errors).toEqual([]);
    expect(virtApi.summary(ns)).toEqual([`pause ${ns}/web-1 200`]);
    expect(virtApi.calls[0]?.user).toBe('admin');
    expect(conditionsOf(await vmi('web-1'))).toContainEqual(expect.objectContaining({ type: 'Paused', status: 'True' }));

    virtApi.clear();
    const again = await run();
    expect(again.result.errors).toEqual([]);
    expect(again.writes).toBe(0);
    expect(virtApi.summary(ns)).toEqual([]);

    vapp({ powerState: 'on' });
    const on = await run();
    expect(on.result.errors).toEqual([]);
    expect(virtApi.summary(ns)).toEqual([`unpause ${ns}/web-1 200`]);
    expect(conditionsOf(await vmi('web-1')).some((c) => c.type === 'Paused')).toBe(false);
  });

  it('performs a requested reset once through the restart subresource and remembers it on the VM', async () => {
    virtApi.clear();
    vapp({ resetRequested: '2026-11-29T09:00:00Z' });
    const r = await run();
    expect(r.result.errors).toEqual([]);
    // web-1 runs: restarted; db-1 and web-2 have no VMI: only the record.
    expect(virtApi.summary(ns)).toEqual([`restart ${ns}/web-1 202`]);
    for (const name of ['web-1', 'db-1', 'web-2']) expect((await vm(name))?.metadata.annotations?.[RESET_DONE_ANNOTATION]).toBe('2026-11-29T09:00:00Z');

    virtApi.clear();
    const second = await run();
    expect(second.result.errors).toEqual([]);
    expect(second.writes).toBe(0);
    expect(virtApi.summary(ns)).toEqual([]);

    vapp({ resetRequested: '2026-11-29T10:00:00Z' });
    await run();
    expect(virtApi.summary(ns)).toEqual([`restart ${ns}/web-1 202`]);
  });

  it('reports a resize of a running VM as restart required, and restarts only with restartOnResize', async () => {
    await runningVmi('db-1');
    virtApi.clear();
    vapp({ resetRequested: '2026-11-29T10:00:00Z', dbCores: 2 });
    const r = await run();
    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([`update ${C}/${ns}/VirtualMachine.kubevirt.io/db-1`]);
    expect(r.result.plan.operations?.filter((o) => o.name === 'db-1').map((o) => `${o.operation}: ${o.reason}`)).toEqual([
      'notice: restart required: size changed: spec.template.spec.domain.cpu.cores; not restarted (set restartOnResize: true to let kontract restart it)',
    ]);
    expect(virtApi.summary(ns)).toEqual([]);

    // KubeVirt marks the VM RestartRequired: the change did not reach the running VMI.
    await setVmCondition('db-1', 'RestartRequired');
    vapp({ resetRequested: '2026-11-29T10:00:00Z', dbCores: 2, restartOnResize: true });
    const allowed = await run();
    expect(allowed.result.errors).toEqual([]);
    expect(virtApi.summary(ns)).toEqual([`restart ${ns}/db-1 202`]);
    expect(conditionsOf(await vm('db-1')).some((c) => c.type === 'RestartRequired')).toBe(false);

    virtApi.clear();
    vapp({ resetRequested: '2026-11-29T10:00:00Z', dbCores: 3, restartOnResize: true });
    const resized = await run();
    expect(resized.changes).toEqual([`update ${C}/${ns}/VirtualMachine.kubevirt.io/db-1`]);
    expect(virtApi.summary(ns)).toEqual([`restart ${ns}/db-1 202`]);
    expect(((await vm('db-1'))?.spec as { template: { spec: { domain: { cpu: { cores: number } } } } }).template.spec.domain.cpu.cores).toBe(3);
  });

  it('reports a subresource call the server refuses as a run error naming the call', async () => {
    // virt-api refuses to pause a VMI with a liveness probe other than guestAgentPing (403).
    await objects().createNamespacedCustomObject({ ...vmiRef, body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'bastion', namespace: ns }, spec: { domain: { devices: {} }, livenessProbe: { httpGet: { port: 1500 } } }, status: { phase: 'Running' } } });
    virtApi.clear();
    write('/tenancy/infra.yml', `$schema: /kontract/vapp-1.yml\nname: infra\nvdc: {$ref: /tenancy/prod.yml}\ntemplate: {$ref: /kubevirt/small.yml}\npowerState: suspended\nvms: [{name: bastion}]\n`);
    const r = await run();
    expect(virtApi.summary(ns)).toEqual([`pause ${ns}/bastion 403`]);
    expect(r.result.outcome).toBe('failed');
    expect(r.result.errors).toEqual([expect.objectContaining({
      cluster: C, code: 'E_APPLY',
      message: expect.stringContaining(`pause ${C}/${ns}/VirtualMachineInstance.kubevirt.io/bastion (PUT /apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/bastion/pause): cluster ${C}: PUT VirtualMachineInstance.subresources.kubevirt.io ${ns}/bastion/pause: 403 Forbidden`) as unknown,
    })]);
    write('/tenancy/infra.yml', `$schema: /kontract/vapp-1.yml\nname: infra\nvdc: {$ref: /tenancy/prod.yml}\ntemplate: {$ref: /kubevirt/small.yml}\nvms: [{name: bastion}]\n`);
    expect((await run()).result.errors).toEqual([]);
  });

  it('deletes the vApp VMs with delete: true, and when the vApp datafile is removed', async () => {
    vapp({ delete: true });
    const del = await run();
    expect(del.result.errors).toEqual([]);
    expect(del.changes).toEqual([`delete ${C}/${ns}/VirtualMachine.kubevirt.io/db-1`, `delete ${C}/${ns}/VirtualMachine.kubevirt.io/web-1`, `delete ${C}/${ns}/VirtualMachine.kubevirt.io/web-2`]);
    for (const name of ['web-1', 'web-2', 'db-1']) expect(await vm(name)).toBeUndefined();
    expect(await vm('bastion')).toBeDefined();

    vapp();
    expect((await run()).changes).toHaveLength(3);
    rmSync(join(tree, '/tenancy/shop.yml'));
    const gone = await run();
    expect(gone.changes).toEqual([`delete ${C}/${ns}/VirtualMachine.kubevirt.io/db-1`, `delete ${C}/${ns}/VirtualMachine.kubevirt.io/web-1`, `delete ${C}/${ns}/VirtualMachine.kubevirt.io/web-2`]);
  });
});
