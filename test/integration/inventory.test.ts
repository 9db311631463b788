/**
 * `kontract inventory` against real kube-apiservers (with kube-controller-manager): KubeVirt CRDs
 * (upstream schemas), a Route CRD and a DataVolume CRD (test fixtures: ../shared has no CDI or
 * OpenShift CRDs) on prod-1, none of them on dev-1. The test creates, through the API, what the
 * clusters would hold: a Node with its status, a namespace with OpenShift display name and a quota,
 * a Deployment with its ReplicaSet, a StatefulSet, a DaemonSet and a Job of a CronJob with their
 * pods (created here: the local control plane runs no workload controllers), a Service, Routes, a PVC, VMs, a VMI owned by its VM with a launcher pod, suspected launchers and
 * a DataVolume. No kubelet runs, so pods stay Pending; statuses a kubelet or KubeVirt would write
 * are written through the status subresources. A ClusterRole without resourcequotas checks
 * partial failure; ajv checks the JSON output against docs/inventory-json.schema.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { Ajv } from 'ajv';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/app-interface/model.js';
import { inventoryCommand } from '../../src/cli/commands/inventory.js';
import { ERROR_CODES } from '../../src/core/errors.js';
import type { KubeObject } from '../../src/core/k8s-object.js';
import { silentReporter } from '../../src/core/reporter.js';
import { NO_FILTER } from '../../src/workload-inventory/build.js';
import type { InventoryFilter } from '../../src/workload-inventory/build.js';
import { collectInventory } from '../../src/workload-inventory/collect.js';
import { renderInventory } from '../../src/workload-inventory/render.js';
import type { ClusterInventory, InventoryReport } from '../../src/workload-inventory/types.js';
import { installCrds, repoRoot } from '../../src/local-cluster/index.js';
import { createConnector } from '../../src/reconcile/connector.js';
import { deleteCr, installKubevirtCrds, instancetypeRef, serves } from '../fixtures/kubevirt/live.js';
import { cluster as clusterEntity } from '../unit/integrations/data-builder.js';
import { createUnowned, deleteNamespaces } from './integrations/tenant-harness.js';
import { kubeConfigFor, testCluster, testClusters, uniqueName } from './support/clusters.js';

const P1 = 'prod-1';
const DEV = 'dev-1';
const ns = uniqueName('it-inv');
const other = uniqueName('it-inv-other');
const itName = uniqueName('u1.inv');
const nodeName = uniqueName('inv-node');
const roleName = uniqueName('inv-no-quotas');
const FIXTURES = join(repoRoot(), 'test', 'fixtures');
const envName = (c: string): string => `KONTRACT_INV_TOKEN_${c.replace(/\W/g, '_').toUpperCase()}`;

function clusterFor(name: string): Cluster {
  const c = testCluster(name);
  return clusterEntity(name, { serverUrl: c.server, ca: { path: c.caFile }, auth: { kind: 'tokenEnv', env: envName(name) } });
}

const core = (): CoreV1Api => kubeConfigFor(P1).makeApiClient(CoreV1Api);
const custom = (): CustomObjectsApi => kubeConfigFor(P1).makeApiClient(CustomObjectsApi);
const app = { name: 'app', image: 'registry.example/app:1', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '256Mi' } } };
const template = (label: string): Record<string, unknown> => ({ metadata: { labels: { app: label } }, spec: { containers: [app] } });
const ownerRef = (o: KubeObject): Record<string, unknown> => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: String(o.metadata.uid), controller: true, blockOwnerDeletion: true });
const launcherContainer = [{ name: 'compute', image: 'quay.io/kubevirt/virt-launcher:v1.6.0', command: ['/usr/bin/virt-launcher-monitor'] }];

function pod(name: string, meta: Record<string, unknown>, containers: readonly Record<string, unknown>[] = [app]): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, ...meta }, spec: { containers } };
}

async function patchStatus(plural: string, group: string, version: string, name: string, value: Record<string, unknown>): Promise<void> {
  await custom().patchNamespacedCustomObjectStatus({ group, version, plural, namespace: ns, name, body: [{ op: 'add', path: '/status', value }] });
}

async function eventually<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function collect(clusters: readonly Cluster[], env: Record<string, string>, filter: InventoryFilter = NO_FILTER): Promise<InventoryReport> {
  const connector = createConnector({ env, reporter: silentReporter, client: { maxRetries: 1, backoffBaseMs: 50 } });
  try {
    return await collectInventory({ clusters, connect: connector.connect, concurrency: 3, filter, reporter: silentReporter });
  } finally {
    connector.closeAll();
  }
}

const adminEnv = (): Record<string, string> => Object.fromEntries([P1, DEV].map((c) => [envName(c), testCluster(c).adminToken]));

let report: InventoryReport;
const of = (name: string, r: InventoryReport = report): ClusterInventory => {
  const c = r.clusters.find((x) => x.cluster === name);
  if (c === undefined) throw new Error(`no inventory for ${name}`);
  return c;
};
const mine = <T extends { readonly namespace: string }>(xs: readonly T[]): T[] => xs.filter((x) => x.namespace === ns);

describe('inventory on real clusters', () => {
  beforeAll(async () => {
    await installKubevirtCrds(P1);
    await installCrds(testClusters().kubeconfig, testCluster(P1).context, [join(FIXTURES, 'openshift', 'route-crd.yaml'), join(FIXTURES, 'cdi', 'datavolume-crd.yaml')]);
    for (const gv of ['kubevirt.io/v1', 'route.openshift.io/v1', 'cdi.kubevirt.io/v1beta1']) {
      if (await serves(DEV, gv)) throw new Error(`dev-1 serves ${gv}: this test needs a cluster without it`);
    }
    await createUnowned(P1, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: 'payments' }, annotations: { 'openshift.io/display-name': 'Payments', 'openshift.io/description': 'Card payments' } } });
    await createUnowned(P1, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: other } });
    await createUnowned(P1, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: ns }, spec: { hard: { pods: '20', services: '5' } } });

    // A node as a kubelet would register it (cluster-scoped: unique name, deleted afterwards).
    await createUnowned(P1, { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, labels: { 'node-role.kubernetes.io/worker': '' } } });
    await core().patchNodeStatus({ name: nodeName, body: [{ op: 'add', path: '/status', value: {
      addresses: [{ type: 'InternalIP', address: '10.0.0.7' }, { type: 'Hostname', address: nodeName }],
      nodeInfo: { osImage: 'Red Hat Enterprise Linux CoreOS 418.94', kernelVersion: '5.14.0-427.el9.x86_64', containerRuntimeVersion: 'cri-o://1.31.3', kubeletVersion: 'v1.31.4', machineID: 'm', systemUUID: 's', bootID: 'b', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
      capacity: { cpu: '16', memory: '65536Mi', 'ephemeral-storage': '100Gi', pods: '250' },
      allocatable: { cpu: '15500m', memory: '61440Mi', 'ephemeral-storage': '90Gi', pods: '250' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
    } }] });

    // Workloads whose pods the real controllers create.
    const deployment = await createUnowned(P1, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: ns }, spec: { replicas: 2, strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'api' } }, template: template('api') } });
    const sts = await createUnowned(P1, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: ns }, spec: { replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template('db') } });
    const ds = await createUnowned(P1, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: ns }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') } });
    const cron = await createUnowned(P1, { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: ns }, spec: { schedule: '0 3 * * *', suspend: true, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [app] } } } } } });
    const job = await createUnowned(P1, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'backup-29001', namespace: ns, ownerReferences: [ownerRef(cron)] }, spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: [app] } } } });
    // The local control plane runs no workload controllers: the ReplicaSet and the pods are created
    // here as the deployment, replicaset, statefulset and job controllers would (controller ownerReferences by UID).
    const rs = await createUnowned(P1, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'api-5d8f9c7b4', namespace: ns, labels: { app: 'api', 'pod-template-hash': '5d8f9c7b4' }, ownerReferences: [ownerRef(deployment)] }, spec: { replicas: 2, selector: { matchLabels: { app: 'api', 'pod-template-hash': '5d8f9c7b4' } }, template: { metadata: { labels: { app: 'api', 'pod-template-hash': '5d8f9c7b4' } }, spec: { containers: [app] } } } });
    for (const name of ['api-5d8f9c7b4-q2x7m', 'api-5d8f9c7b4-w9k4c']) await createUnowned(P1, pod(name, { labels: { app: 'api', 'pod-template-hash': '5d8f9c7b4' }, ownerReferences: [ownerRef(rs)] }));
    await createUnowned(P1, { ...pod('agent-7xk2p', { labels: { app: 'agent' }, ownerReferences: [ownerRef(ds)] }), spec: { nodeName, containers: [app] } });
    await createUnowned(P1, pod('db-0', { labels: { app: 'db' }, ownerReferences: [ownerRef(sts)] }));
    await createUnowned(P1, pod('backup-29001-h5t2n', { labels: { 'batch.kubernetes.io/job-name': 'backup-29001' }, ownerReferences: [ownerRef(job)] }));
    await createUnowned(P1, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: ns }, spec: { selector: { app: 'api' }, externalIPs: ['198.51.100.10'], ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] } });
    await createUnowned(P1, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: ns }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', volumeMode: 'Filesystem', resources: { requests: { storage: '10Gi' } } } });
    await createUnowned(P1, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: other }, spec: { containers: [app] } });

    // Routes: one edge-terminated with a key (never read out), one plain, admitted by a router.
    await createUnowned(P1, { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'api', namespace: ns }, spec: { host: 'api.apps.example.com', path: '/v1', to: { kind: 'Service', name: 'api', weight: 100 }, port: { targetPort: 'http' }, tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect', key: '-----BEGIN PRIVATE KEY-----\nROUTEKEYSECRET\n-----END PRIVATE KEY-----', certificate: 'CERTBODY' } } });
    await patchStatus('routes', 'route.openshift.io', 'v1', 'api', { ingress: [{ host: 'api.apps.example.com', routerName: 'default', conditions: [{ type: 'Admitted', status: 'True' }] }] });
    await createUnowned(P1, { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'plain', namespace: ns }, spec: { host: 'plain.apps.example.com', to: { kind: 'Service', name: 'api' } } });

    // KubeVirt: an instancetype, a running VM with its VMI (owned by the VM) and launcher pod, a stopped VM, a DataVolume of the VM.
    await createUnowned(P1, { apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: itName }, spec: { cpu: { guest: 2 }, memory: { guest: '4Gi' } } });
    const web = await createUnowned(P1, {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'web-1', namespace: ns },
      spec: { runStrategy: 'Always', instancetype: { name: itName, kind: 'VirtualMachineClusterInstancetype' }, template: { spec: {
        domain: { devices: { disks: [{ name: 'root', disk: { bus: 'virtio' } }, { name: 'cloudinit', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] } },
        networks: [{ name: 'default', pod: {} }],
        volumes: [{ name: 'root', dataVolume: { name: 'web-1-root' } }, { name: 'cloudinit', cloudInitNoCloud: { userData: '#cloud-config\npassword: CLOUDINITSECRET' } }],
      } } },
    });
    await patchStatus('virtualmachines', 'kubevirt.io', 'v1', 'web-1', { printableStatus: 'Running', ready: true });
    await createUnowned(P1, {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'db-1', namespace: ns },
      spec: { runStrategy: 'Halted', template: { spec: { domain: { cpu: { cores: 2 }, memory: { guest: '3Gi' }, devices: {} } } } },
    });
    // The VMI CRD has no status subresource: the status written here is what a reader sees.
    const vmi = await createUnowned(P1, {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'web-1', namespace: ns, labels: { 'kubevirt.io/vm': 'web-1' }, ownerReferences: [ownerRef(web)] },
      spec: { domain: { devices: {} } },
      status: {
        phase: 'Running', nodeName, interfaces: [{ name: 'default', ipAddress: '10.244.1.7', ipAddresses: ['10.244.1.7', 'fd10::7'] }],
        conditions: [{ type: 'Ready', status: 'True' }, { type: 'LiveMigratable', status: 'False', reason: 'DisksNotLiveMigratable' }],
        guestOSInfo: { name: 'Fedora Linux', prettyName: 'Fedora Linux 40 (Cloud Edition)' },
      },
    });
    const uid = String(vmi.metadata.uid);
    await createUnowned(P1, pod('virt-launcher-web-1-x7k2p', { labels: { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': uid, 'vm.kubevirt.io/name': 'web-1' }, annotations: { 'kubevirt.io/domain': 'web-1' }, ownerReferences: [ownerRef(vmi)] }, launcherContainer));
    // Weaker signals only: suspected launchers; the second names a VM and VMI that do not exist.
    await createUnowned(P1, pod('copied-label', { labels: { 'vm.kubevirt.io/name': 'web-1', 'kubevirt.io/domain': 'web-1' } }));
    await createUnowned(P1, pod('virt-launcher-ghost-q8z', { labels: { 'kubevirt.io': 'virt-launcher', 'vm.kubevirt.io/name': 'ghost' } }, launcherContainer));
    await createUnowned(P1, {
      apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'web-1-root', namespace: ns, ownerReferences: [ownerRef(web)] },
      spec: { source: { registry: { url: 'docker://quay.io/containerdisks/fedora:40' } }, storage: { storageClassName: 'fast', resources: { requests: { storage: '30Gi' } } } },
    });
    await patchStatus('datavolumes', 'cdi.kubevirt.io', 'v1beta1', 'web-1-root', { phase: 'ImportInProgress', progress: '45.5%' });

    // A kubelet's view of the Deployment's first pod: scheduled, with IP and container status.
    const first = 'api-5d8f9c7b4-q2x7m';
    await core().patchNamespacedPodStatus({ name: first, namespace: ns, body: [{ op: 'add', path: '/status', value: {
      phase: 'Running', hostIP: '10.0.0.7', podIP: '10.128.2.15', podIPs: [{ ip: '10.128.2.15' }],
      containerStatuses: [{ name: 'app', image: app.image, imageID: '', ready: true, restartCount: 2, started: true, state: { running: { startedAt: new Date().toISOString() } }, lastState: {} }],
    } }] });

    const clusters = [clusterFor(P1), clusterFor(DEV), clusterEntity('gone', { serverUrl: 'https://127.0.0.1:9', auth: { kind: 'tokenEnv', env: 'KONTRACT_INV_TOKEN_GONE' } })];
    report = await collect(clusters, { ...adminEnv(), KONTRACT_INV_TOKEN_GONE: 'x' });
  }, 120_000);

  afterAll(async () => {
    await deleteCr(P1, instancetypeRef(itName));
    await core().deleteNode({ name: nodeName }).catch(() => undefined);
    const rbac = kubeConfigFor(P1).makeApiClient(RbacAuthorizationV1Api);
    await rbac.deleteClusterRoleBinding({ name: roleName }).catch(() => undefined);
    await rbac.deleteClusterRole({ name: roleName }).catch(() => undefined);
    await deleteNamespaces(P1, [ns, other]);
  });

  it('reads nodes with addresses, system info, conditions and capacity', () => {
    const node = of(P1).nodes.find((n) => n.name === nodeName);
    expect(node).toMatchObject({
      roles: ['worker'], internalIPs: ['10.0.0.7'], hostname: nodeName, osImage: 'Red Hat Enterprise Linux CoreOS 418.94', kernelVersion: '5.14.0-427.el9.x86_64',
      containerRuntimeVersion: 'cri-o://1.31.3', kubeletVersion: 'v1.31.4', unschedulable: false,
      capacity: { cpu: { quantity: '16', value: 16 }, 'ephemeral-storage': { quantity: '100Gi', value: 107374182400 } },
      allocatable: { cpu: { quantity: '15500m', value: 15.5 } },
    });
    expect(node?.conditions.map((c) => c.type)).toContain('Ready');
  });

  it('reads namespaces with display name, description, labels and the quota used/hard the apiserver counts', () => {
    const info = of(P1).namespaces.find((n) => n.name === ns);
    expect(info).toMatchObject({ displayName: 'Payments', description: 'Card payments', phase: 'Active', vms: 2 });
    expect(info?.labels).toMatchObject({ team: 'payments', 'kubernetes.io/metadata.name': ns });
    expect(info?.pods).toBe(mine(of(P1).pods).length);
    const pods = info?.quotas?.[0]?.resources.find((r) => r.resource === 'pods');
    expect(pods).toMatchObject({ hard: '20' });
  });

  it('resolves every pod to its top workload: Deployment via ReplicaSet, StatefulSet, CronJob via Job, VM via VMI, standalone', () => {
    const top = Object.fromEntries(mine(of(P1).pods).map((p) => [p.name.replace(/^(api|backup-29001)-.*$/, '$1-*'), p.topOwner === undefined ? 'standalone' : `${p.topOwner.kind}/${p.topOwner.name}`]));
    expect(top).toEqual({
      'api-*': 'Deployment/api', 'db-0': 'StatefulSet/db', 'agent-7xk2p': 'DaemonSet/agent', 'backup-29001-*': 'CronJob/backup',
      'virt-launcher-web-1-x7k2p': 'VirtualMachine/web-1', 'copied-label': 'standalone', 'virt-launcher-ghost-q8z': 'standalone',
    });
    const api = mine(of(P1).pods).find((p) => p.name.startsWith('api-'));
    expect(api?.ownerChain.map((o) => o.kind)).toEqual(['ReplicaSet', 'Deployment']);
  });

  it('reads pod IPs, node, restarts and containers with parsed requests/limits, ports, readiness and state', () => {
    const running = mine(of(P1).pods).find((p) => p.phase === 'Running');
    expect(running).toMatchObject({ podIPs: ['10.128.2.15'], hostIP: '10.0.0.7', restarts: 2, workload: 'container' });
    expect(running?.containers).toEqual([{
      name: 'app', image: 'registry.example/app:1', init: false, ports: ['8080/TCP'], ready: true, restarts: 2, state: 'running',
      requests: { cpu: { quantity: '250m', value: 0.25 }, memory: { quantity: '64Mi', value: 67108864 } },
      limits: { cpu: { quantity: '1', value: 1 }, memory: { quantity: '256Mi', value: 268435456 } },
    }]);
  });

  it('classifies the launcher by its VMI owner, lists weaker signals as suspected with the reason, and warns about a launcher whose VM and VMI are gone', () => {
    const pods = Object.fromEntries(mine(of(P1).pods).map((p) => [p.name, p]));
    expect(pods['virt-launcher-web-1-x7k2p']).toMatchObject({ workload: 'vm-launcher', vmi: 'web-1', vm: 'web-1' });
    expect(pods['virt-launcher-web-1-x7k2p']?.vmEvidence[0]).toBe('ownerReference VirtualMachineInstance/web-1');
    expect(pods['copied-label']).toMatchObject({ workload: 'suspected-vm-launcher', suspectReason: 'no controlling VirtualMachineInstance ownerReference; seen: label kubevirt.io/domain=web-1, label vm.kubevirt.io/name=web-1' });
    expect(pods['virt-launcher-ghost-q8z']?.workload).toBe('suspected-vm-launcher');
    expect(mine(of(P1).warnings.map((w) => ({ ...w, namespace: w.namespace ?? '' })))).toEqual([
      { kind: 'Pod', namespace: ns, name: 'virt-launcher-ghost-q8z', message: 'launcher pod of VirtualMachineInstance ghost / VirtualMachine ghost: neither exists' },
    ]);
  });

  it('reads deployments, statefulsets, daemonsets, services and PVCs', () => {
    const c = of(P1);
    expect(mine(c.deployments)).toEqual([{ namespace: ns, name: 'api', replicas: 2, ready: 0, available: 0, updated: expect.any(Number) as number, strategy: 'Recreate', selector: 'app=api' }]);
    expect(mine(c.statefulsets)).toEqual([{ namespace: ns, name: 'db', replicas: 1, ready: 0, serviceName: 'db', selector: 'app=db' }]);
    expect(mine(c.daemonsets)).toMatchObject([{ namespace: ns, name: 'agent', selector: 'app=agent' }]);
    expect(mine(c.services)).toMatchObject([{ name: 'api', type: 'ClusterIP', externalIPs: ['198.51.100.10'], selector: 'app=api', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: '53' }] }]);
    expect(mine(c.pvcs)).toEqual([{ namespace: ns, name: 'data', storageClass: 'fast', requested: { quantity: '10Gi', value: 10737418240 }, accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', phase: 'Pending' }]);
  });

  it('reads routes (host, path, TLS termination, target, admission) without their key or certificate', () => {
    expect(mine(of(P1).routes)).toEqual([
      { namespace: ns, name: 'api', host: 'api.apps.example.com', path: '/v1', tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' }, to: { kind: 'Service', name: 'api' }, targetPort: 'http', admitted: true },
      { namespace: ns, name: 'plain', host: 'plain.apps.example.com', to: { kind: 'Service', name: 'api' } },
    ]);
    for (const format of ['json', 'csv', 'table'] as const) expect(renderInventory(report, format)).not.toMatch(/ROUTEKEYSECRET|CERTBODY|CLOUDINITSECRET/);
  });

  it('reads VMs (size, disks, interfaces, node, guest OS, VMI uid), VMIs and DataVolumes', () => {
    const vms = mine(of(P1).vms);
    const vmiUid = mine(of(P1).vmis)[0]?.uid;
    expect(vms.map((v) => v.name)).toEqual(['db-1', 'web-1']);
    expect(vms[0]).toMatchObject({ runStrategy: 'Halted', desiredPower: 'stopped', size: { cpu: 2, memory: '3Gi' } });
    expect(vms[1]).toMatchObject({
      runStrategy: 'Always', desiredPower: 'running', status: 'Running', ready: true, size: { instancetype: itName, cpu: 2, memory: '4Gi' },
      disks: [{ name: 'root', device: 'disk', bus: 'virtio', source: 'dataVolume', ref: 'web-1-root' }, { name: 'cloudinit', device: 'disk', bus: 'virtio', source: 'cloudInitNoCloud' }],
      interfaces: [{ name: 'default', binding: 'masquerade', network: 'pod' }],
      node: nodeName, vmiUid, guestOS: 'Fedora Linux 40 (Cloud Edition)',
    });
    expect(mine(of(P1).vmis)).toEqual([{ namespace: ns, name: 'web-1', uid: vmiUid, vm: 'web-1', phase: 'Running', node: nodeName, ips: ['10.244.1.7', 'fd10::7'], ready: true, liveMigratable: false, guestOS: 'Fedora Linux 40 (Cloud Edition)' }]);
    expect(mine(of(P1).datavolumes)).toEqual([{ namespace: ns, name: 'web-1-root', phase: 'ImportInProgress', progress: '45.5%', source: 'registry', size: { quantity: '30Gi', value: 32212254720 }, storageClass: 'fast', vm: 'web-1' }]);
  });

  it('skips kinds a cluster does not serve (routes, KubeVirt, CDI) and reports an unreachable cluster as data', () => {
    const dev = of(DEV);
    expect(dev).toMatchObject({ kubevirt: false, vms: [], vmis: [], routes: [], datavolumes: [] });
    expect(dev.error).toBeUndefined();
    expect(dev.kinds.filter((k) => k.state !== 'listed').map((k) => [k.resource, k.state])).toEqual([
      ['routes', 'not-served'], ['virtualmachines', 'not-served'], ['virtualmachineinstances', 'not-served'], ['datavolumes', 'not-served'],
      ['virtualmachineclusterinstancetypes', 'not-served'], ['virtualmachineinstancetypes', 'not-served'],
    ]);
    expect(dev.namespaces.some((n) => n.name === 'default')).toBe(true);
    expect(of(P1).kinds.every((k) => k.state === 'listed')).toBe(true);
    expect(of('gone').error).toContain('gone');
  });

  it('produces JSON that validates against docs/inventory-json.schema.json, and CSV that parses back', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot(), 'docs', 'inventory-json.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    const json: unknown = JSON.parse(renderInventory(report, 'json'));
    expect(validate.errors ?? [], JSON.stringify(validate(json) ? [] : validate.errors)).toEqual([]);
    expect(validate({ ...report, version: 1 })).toBe(false);
    const rows = parse<Record<string, string>>(renderInventory(report, 'csv'), { columns: true });
    expect(rows.filter((r) => r.namespace === ns && r.kind === 'Route').map((r) => r.detail)).toEqual(['host=api.apps.example.com tls=edge to=Service/api', 'host=plain.apps.example.com tls= to=Service/api']);
    expect(renderInventory(report, 'table')).toContain('== cluster dev-1  (KubeVirt: no;');
  });

  it('filters by --namespace regex, --kinds and --workloads', async () => {
    const byNs = of(P1, await collect([clusterFor(P1)], adminEnv(), { ...NO_FILTER, namespace: 'it-inv-[0-9a-f]+' }));
    expect(byNs.namespaces.map((n) => n.name)).toEqual([ns]);
    expect(new Set(byNs.pods.map((p) => p.namespace))).toEqual(new Set([ns]));
    const vmsOnly = await collect([clusterFor(P1)], adminEnv(), { sections: new Set(['pods', 'vms', 'deployments']), workloads: 'vms', namespace: ns });
    expect(of(P1, vmsOnly).pods.map((p) => p.name)).toEqual(['copied-label', 'virt-launcher-ghost-q8z', 'virt-launcher-web-1-x7k2p']);
    expect(of(P1, vmsOnly).deployments).toEqual([]);
    expect(of(P1, vmsOnly).vms.map((v) => v.name)).toEqual(['db-1', 'web-1']);
    expect(of(P1, vmsOnly).kinds.map((k) => k.resource)).not.toContain('services');
    const containers = await collect([clusterFor(P1)], adminEnv(), { sections: new Set(['pods', 'vms']), workloads: 'containers', namespace: ns });
    expect(of(P1, containers).pods.every((p) => p.workload === 'container')).toBe(true);
    expect(of(P1, containers).kinds.map((k) => k.resource)).toEqual(['pods', 'replicasets', 'jobs']);
  });

  it('with a read-only ClusterRole that omits resourcequotas, reports that kind forbidden and still produces the rest', async () => {
    await createUnowned(P1, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: roleName }, rules: [
      { apiGroups: [''], resources: ['nodes', 'namespaces', 'pods', 'services', 'persistentvolumeclaims'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], verbs: ['get', 'list'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list'] },
      { apiGroups: ['route.openshift.io'], resources: ['routes'], verbs: ['get', 'list'] },
      { apiGroups: ['kubevirt.io', 'cdi.kubevirt.io', 'instancetype.kubevirt.io'], resources: ['*'], verbs: ['get', 'list'] },
    ] });
    await createUnowned(P1, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: roleName }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }] });
    const restricted = await eventually('RBAC to take effect', async () => {
      const r = await collect([clusterFor(P1)], { [envName(P1)]: testCluster(P1).restrictedToken }, { ...NO_FILTER, namespace: ns });
      return of(P1, r).kinds.find((k) => k.resource === 'pods')?.state === 'listed' ? r : undefined;
    }, 20_000);
    const c = of(P1, restricted);
    expect(c.error).toBeUndefined();
    expect(c.kinds.filter((k) => k.state !== 'listed').map((k) => [k.resource, k.state])).toEqual([['resourcequotas', 'forbidden']]);
    expect(c.kinds.find((k) => k.resource === 'resourcequotas')?.message).toContain('403');
    expect(c.namespaces.map((n) => [n.name, n.quotas, n.displayName])).toEqual([[ns, undefined, 'Payments']]);
    expect(c.pods.length).toBe(mine(of(P1).pods).length);
    expect(c.vms.length).toBe(2);
    expect(renderInventory(restricted, 'table')).toContain('NOT READ\n  resourcequotas (v1): forbidden:');
  });

  it('kontract inventory: --kinds, --namespace, --workloads and --output csv on an app-interface; a bad --kinds is a usage error', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'kontract-it-inv-'));
    try {
      mkdirSync(join(dir, 'clusters'));
      // A qontract cluster (qontract's required fields) plus its kontract settings (the kubeconfig context).
      writeFileSync(join(dir, 'clusters', `${P1}.yml`), ['$schema: /openshift/cluster-1.yml', 'labels: {}', `name: ${P1}`, 'description: test cluster', `serverUrl: ${testCluster(P1).server}`,
        'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid', 'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []', ''].join('\n'));
      mkdirSync(join(dir, 'kontract'));
      writeFileSync(join(dir, 'kontract', `${P1}.yml`), ['$schema: /kontract/cluster-1.yml', 'cluster:', `  $ref: /clusters/${P1}.yml`, 'auth:', `  kubeconfigContext: ${testCluster(P1).context}`, ''].join('\n'));
      const run = async (extra: Record<string, unknown>): Promise<{ outcome: unknown; out: string }> => {
        const out: string[] = [];
        const outcome = await inventoryCommand.run({ 'app-interface': dir, kubeconfig: testClusters().kubeconfig, 'log-level': 'info', 'log-format': 'text', 'detailed-exitcode': false, ...extra },
          { reporter: { log: () => undefined, result: (t) => { out.push(t); } }, env: {}, cwd: dir, signal: new AbortController().signal });
        return { outcome, out: out.join('') };
      };
      const { outcome, out } = await run({ kinds: ['pods,vms'], namespace: ns, workloads: 'vms', output: 'csv' });
      expect(outcome).toEqual({ kind: 'ok' });
      const rows = parse<Record<string, string>>(out, { columns: true });
      expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['Pod', 'Container', 'VirtualMachine', 'Warning']));
      expect(rows.filter((r) => r.kind === 'Pod').map((r) => r.name)).toEqual(['copied-label', 'virt-launcher-ghost-q8z', 'virt-launcher-web-1-x7k2p']);
      const json = JSON.parse((await run({ kinds: ['namespaces'], namespace: ns, output: 'json' })).out) as InventoryReport;
      expect(json.filter).toEqual({ sections: ['namespaces'], namespace: ns, workloads: 'all' });
      expect(json.clusters[0]?.namespaces.map((n) => n.name)).toEqual([ns]);
      await expect(run({ kinds: ['secrets'] })).rejects.toMatchObject({ code: ERROR_CODES.USAGE });
      await expect(run({ cluster: ['nope'] })).rejects.toMatchObject({ code: ERROR_CODES.USAGE, message: expect.stringContaining('unknown cluster(s) nope') as unknown });
      await expect(run({ namespace: '(' })).rejects.toMatchObject({ code: ERROR_CODES.USAGE });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
