/**
 * `kontract inventory` core against real kube-apiservers: KubeVirt CRDs (upstream schemas) on
 * prod-1, none on dev-1. The test creates what virt-controller would: a VirtualMachine, its
 * VirtualMachineInstance, and a launcher pod with KubeVirt's labels and a controlling
 * ownerReference to that VMI (by UID) — next to ordinary pods, a Deployment, a Service and a
 * ResourceQuota whose usage the apiserver's quota admission counts. No kubelet runs, so pods stay
 * Pending. Nothing fakes the Kubernetes API.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/app-interface/model.js';
import type { KubeObject } from '../../src/core/k8s-object.js';
import { silentReporter } from '../../src/core/reporter.js';
import { collectInventory } from '../../src/workload-inventory/collect.js';
import { renderInventory } from '../../src/workload-inventory/render.js';
import type { ClusterInventory, InventoryReport } from '../../src/workload-inventory/types.js';
import { createConnector } from '../../src/reconcile/connector.js';
import { createCr, deleteCr, installKubevirtCrds, instancetypeRef, serves } from '../fixtures/kubevirt/live.js';
import { cluster as clusterEntity } from '../unit/integrations/data-builder.js';
import { createUnowned, deleteNamespaces } from './integrations/tenant-harness.js';
import { kubeConfigFor, testCluster, uniqueName } from './support/clusters.js';

const P1 = 'prod-1';
const DEV = 'dev-1';
const ns = uniqueName('it-inv');
const itName = uniqueName('u1.inv');
const envName = (c: string): string => `KONTRACT_INV_TOKEN_${c.replace(/\W/g, '_').toUpperCase()}`;

function clusterFor(name: string): Cluster {
  const c = testCluster(name);
  return clusterEntity(name, { serverUrl: c.server, ca: { path: c.caFile }, auth: { kind: 'tokenEnv', env: envName(name) } });
}

const core = (): CoreV1Api => kubeConfigFor(P1).makeApiClient(CoreV1Api);
const container = [{ name: 'main', image: 'registry.example/app:1' }];

function podBody(name: string, labels: Record<string, string>, owner?: { name: string; uid: string }): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: ns, labels,
      ...(owner === undefined ? {} : {
        annotations: { 'kubevirt.io/domain': owner.name },
        ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }],
      }),
    },
    spec: { containers: owner === undefined ? container : [{ name: 'compute', image: 'quay.io/kubevirt/virt-launcher:v1.6.0', command: ['/usr/bin/virt-launcher-monitor'] }] },
  };
}

let report: InventoryReport;
const of = (name: string): ClusterInventory => {
  const c = report.clusters.find((x) => x.cluster === name);
  if (c === undefined) throw new Error(`no inventory for ${name}`);
  return c;
};

describe('inventory on real clusters', () => {
  beforeAll(async () => {
    await installKubevirtCrds(P1);
    if (await serves(DEV, 'kubevirt.io/v1')) throw new Error('dev-1 serves kubevirt.io/v1: this test needs a cluster without KubeVirt');
    await createUnowned(P1, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // A quota the apiserver's ResourceQuota admission maintains: without a quota controller the
    // status is seeded here, then every pod creation increments status.used.pods.
    await createUnowned(P1, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: ns }, spec: { hard: { pods: '10', services: '5' } } });
    await core().patchNamespacedResourceQuotaStatus({ name: 'compute', namespace: ns, body: [{ op: 'add', path: '/status', value: { hard: { pods: '10', services: '5' }, used: { pods: '0', services: '0' } } }] });

    await createCr(P1, { group: 'instancetype.kubevirt.io', version: 'v1beta1', plural: 'virtualmachineclusterinstancetypes' }, {
      apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: itName }, spec: { cpu: { guest: 2 }, memory: { guest: '4Gi' } },
    });
    const vmRefNs = { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', namespace: ns };
    await createCr(P1, vmRefNs, {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'web-1' },
      spec: { runStrategy: 'Always', instancetype: { name: itName, kind: 'VirtualMachineClusterInstancetype' }, template: { spec: { domain: { devices: {} } } } },
    });
    await kubeConfigFor(P1).makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus(
      { ...vmRefNs, name: 'web-1', body: [{ op: 'add', path: '/status', value: { printableStatus: 'Starting' } }] },
    );
    await createCr(P1, { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', namespace: ns }, {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'db-1' },
      spec: { runStrategy: 'Halted', template: { spec: { domain: { cpu: { cores: 2 }, memory: { guest: '3Gi' }, devices: {} } } } },
    });
    // The VMI CRD has no status subresource: the status written here is what a reader sees.
    const vmi = await createCr(P1, { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstances', namespace: ns }, {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'web-1', labels: { 'kubevirt.io/vm': 'web-1' } },
      spec: { domain: { devices: {} } },
      status: { phase: 'Running', nodeName: 'node-a', interfaces: [{ name: 'default', ipAddress: '10.244.1.7', ipAddresses: ['10.244.1.7', 'fd10::7'] }] },
    });
    const uid = String(vmi.metadata.uid);
    await createUnowned(P1, podBody('virt-launcher-web-1-x7k2p', { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': uid, 'vm.kubevirt.io/name': 'web-1', 'kubevirt.io/vm': 'web-1' }, { name: 'web-1', uid }));
    await createUnowned(P1, podBody('nginx', { app: 'nginx' }));
    // Only the deprecated hint label: not a launcher.
    await createUnowned(P1, podBody('copied-label', { 'vm.kubevirt.io/name': 'web-1', 'kubevirt.io/domain': 'web-1' }));
    await createUnowned(P1, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: ns }, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }], selector: { app: 'nginx' } } });
    await createUnowned(P1, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: ns },
      spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: container } } },
    });

    const clusters = [clusterFor(P1), clusterFor(DEV), clusterEntity('gone', { serverUrl: 'https://127.0.0.1:9', auth: { kind: 'tokenEnv', env: 'KONTRACT_INV_TOKEN_GONE' } })];
    const env = { ...Object.fromEntries([P1, DEV].map((c) => [envName(c), testCluster(c).adminToken])), KONTRACT_INV_TOKEN_GONE: 'x' };
    const connector = createConnector({ env, reporter: silentReporter, client: { maxRetries: 1, backoffBaseMs: 50 } });
    try {
      report = await collectInventory({ clusters, connect: connector.connect, concurrency: 3, reporter: silentReporter });
    } finally {
      connector.closeAll();
    }
  });

  afterAll(async () => {
    await deleteCr(P1, instancetypeRef(itName));
    await deleteNamespaces(P1, [ns]);
  });

  it('classifies the virt-launcher pod by its VMI owner and labels, and ordinary pods as containers', () => {
    const pods = of(P1).pods.filter((p) => p.namespace === ns);
    expect(pods.map((p) => [p.name, p.workload, p.vm ?? '', p.vmi ?? '', p.phase ?? ''])).toEqual([
      ['copied-label', 'container', '', '', 'Pending'],
      ['nginx', 'container', '', '', 'Pending'],
      ['virt-launcher-web-1-x7k2p', 'vm-launcher', 'web-1', 'web-1', 'Pending'],
    ]);
  });

  it('reports VM power from runStrategy and printableStatus, and size from the instancetype or the domain', () => {
    const vms = of(P1).vms.filter((v) => v.namespace === ns);
    expect(vms).toEqual([
      { namespace: ns, name: 'db-1', runStrategy: 'Halted', desiredPower: 'stopped', size: { cpu: 2, memory: '3Gi' } },
      { namespace: ns, name: 'web-1', runStrategy: 'Always', desiredPower: 'running', status: 'Starting', size: { instancetype: itName, cpu: 2, memory: '4Gi' } },
    ]);
    expect(of(P1).vmis.filter((v) => v.namespace === ns)).toEqual([{ namespace: ns, name: 'web-1', phase: 'Running', node: 'node-a', ips: ['10.244.1.7', 'fd10::7'] }]);
  });

  it('reports quota usage as counted by the apiserver, deployments and services', () => {
    const info = of(P1).namespaces.find((n) => n.name === ns);
    expect(info).toMatchObject({ pods: 3, vms: 2, phase: 'Active' });
    expect(info?.quotas).toEqual([{ name: 'compute', resources: [
      { resource: 'pods', used: '3', hard: '10', ratio: 0.3 },
      { resource: 'services', used: '1', hard: '5', ratio: 0.2 },
    ] }]);
    expect(of(P1).deployments.filter((d) => d.namespace === ns)).toEqual([{ namespace: ns, name: 'api', replicas: 2, ready: 0 }]);
    const svc = of(P1).services.find((s) => s.namespace === ns);
    expect(svc).toMatchObject({ name: 'api', type: 'ClusterIP', ports: ['80/TCP', '53/UDP'] });
    expect(svc?.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('lists a cluster without KubeVirt without VMs, and reports an unreachable cluster as data', () => {
    expect(of(DEV)).toMatchObject({ kubevirt: false, vms: [], vmis: [] });
    expect(of(DEV).error).toBeUndefined();
    expect(of(DEV).namespaces.some((n) => n.name === 'default')).toBe(true);
    expect(of(P1).kubevirt).toBe(true);
    expect(of('gone').error).toContain('gone');
  });

  it('renders the same report as table, json and csv', () => {
    const csv = renderInventory(report, 'csv');
    expect(csv).toContain(`prod-1,Pod,${ns},virt-launcher-web-1-x7k2p,Pending,,vm-launcher vm=web-1`);
    expect(csv).toContain(`prod-1,Pod,${ns},nginx,Pending,,container`);
    expect(renderInventory(report, 'table')).toContain('== cluster dev-1  (KubeVirt: no;');
    expect(JSON.parse(renderInventory(report, 'json'))).toEqual(JSON.parse(JSON.stringify(report)));
  });
});
