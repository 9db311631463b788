import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { buildClusterInventory, classifyPod, nodeRoles, quotaUsage, usageRatio, vmInfo, vmiInfo, instancetypeSizes } from '../../../src/workload-inventory/classify.js';

const VMI_UID = '6a4f3a9e-2f6b-4c1e-9d61-0f6f3b7a1c11';

function pod(name: string, meta: Partial<KubeObject['metadata']> = {}, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'vms', ...meta }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Pending' }, ...extra };
}

const vmiOwner = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: 'web-1', uid: VMI_UID, controller: true, blockOwnerDeletion: true };

/** A pod as pkg/virt-controller/services/template.go renders it. */
const launcher = pod('virt-launcher-web-1-x7k2p', {
  labels: { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': VMI_UID, 'vm.kubevirt.io/name': 'web-1', 'kubevirt.io/vm': 'web-1' },
  annotations: { 'kubevirt.io/domain': 'web-1' },
  ownerReferences: [vmiOwner],
});

describe(classifyPod, () => {
  it.each([
    ['a virt-launcher pod (labels + controlling VMI owner)', launcher, { workload: 'vm-launcher', vmi: 'web-1', vm: 'web-1' }],
    ['a pod controlled by a VMI without the labels', pod('p1', { ownerReferences: [vmiOwner] }), { workload: 'vm-launcher', vmi: 'web-1', vm: 'web-1' }],
    ['a pod with both launcher labels but no owner reference', pod('p2', { labels: { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': VMI_UID, 'vm.kubevirt.io/name': 'db-1' } }), { workload: 'vm-launcher', vm: 'db-1' }],
    ['an ordinary pod', pod('nginx', { labels: { app: 'nginx' } }), { workload: 'container' }],
    ['a pod carrying only the deprecated vm.kubevirt.io/name label', pod('p3', { labels: { 'vm.kubevirt.io/name': 'web-1' } }), { workload: 'container' }],
    ['a pod with a copied kubevirt.io/domain label', pod('p4', { labels: { 'kubevirt.io/domain': 'web-1' } }), { workload: 'container' }],
    ['a pod with only kubevirt.io=virt-launcher (no created-by)', pod('p5', { labels: { 'kubevirt.io': 'virt-launcher' } }), { workload: 'container' }],
    ['a pod owned (not controlled) by a VMI', pod('p6', { ownerReferences: [{ ...vmiOwner, controller: false }] }), { workload: 'container' }],
    ['a pod controlled by a ReplicaSet', pod('p7', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }] }), { workload: 'container' }],
    ['a pod controlled by a VirtualMachineInstance of another API group', pod('p8', { ownerReferences: [{ ...vmiOwner, apiVersion: 'example.com/v1' }] }), { workload: 'container' }],
    ['a pod with a compute container running virt-launcher', pod('p9', {}, { spec: { containers: [{ name: 'compute', image: 'x', command: ['/usr/bin/virt-launcher'] }] } }), { workload: 'container' }],
  ])('classifies %s', (_what, p, expected) => {
    expect(classifyPod(p)).toEqual(expected);
  });

  it('takes the VM name from the label and the VMI name from the owner', () => {
    const p = pod('p', { labels: { 'vm.kubevirt.io/name': 'the-vm' }, ownerReferences: [{ ...vmiOwner, name: 'the-vmi' }] });
    expect(classifyPod(p)).toEqual({ workload: 'vm-launcher', vmi: 'the-vmi', vm: 'the-vm' });
  });
});

describe(nodeRoles, () => {
  it('reads node-role.kubernetes.io/* and the legacy kubernetes.io/role label', () => {
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'infra', 'node-role.kubernetes.io/': 'x', 'kubernetes.io/os': 'linux' } } };
    expect(nodeRoles(node)).toEqual(['control-plane', 'infra', 'worker']);
  });
});

describe(quotaUsage, () => {
  it('pairs status.used with status.hard per resource, with the ratio', () => {
    const rq: KubeObject = {
      apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'vms' },
      status: { hard: { pods: '10', 'requests.cpu': '2', 'requests.memory': '4Gi', 'limits.cpu': '0' }, used: { pods: '3', 'requests.cpu': '500m', 'requests.memory': '1536Mi' } },
    };
    expect(quotaUsage(rq)).toEqual({
      name: 'q',
      resources: [
        { resource: 'limits.cpu', used: '0', hard: '0' },
        { resource: 'pods', used: '3', hard: '10', ratio: 0.3 },
        { resource: 'requests.cpu', used: '500m', hard: '2', ratio: 0.25 },
        { resource: 'requests.memory', used: '1536Mi', hard: '4Gi', ratio: 0.375 },
      ],
    });
  });

  it.each([['1Gi', '1024Mi', 1], ['1', '3', 0.3333], ['x', '1', undefined], ['1', '0', undefined]])('usageRatio(%s, %s) = %s', (u, h, r) => {
    expect(usageRatio(u, h)).toBe(r);
  });
});

describe(vmInfo, () => {
  const sizes = instancetypeSizes(
    [{ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: 'u1.small' }, spec: { cpu: { guest: 1 }, memory: { guest: '2Gi' } } }],
    [{ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineInstancetype', metadata: { name: 'csmall', namespace: 'vms' }, spec: { cpu: { guest: 1 }, memory: { guest: '128Mi' } } }],
  );
  const vm = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
    apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v', namespace: 'vms', labels: { 'app.kubernetes.io/managed-by': 'kontract', 'kontract.io/integration': 'virtual-machines' } },
    spec: { template: { spec: { domain: { devices: {} } } }, ...spec }, ...(status === undefined ? {} : { status }),
  });

  it('reports power from runStrategy plus printableStatus, and size from the cluster instancetype', () => {
    expect(vmInfo(vm({ runStrategy: 'Always', instancetype: { name: 'u1.small', kind: 'VirtualMachineClusterInstancetype' } }, { printableStatus: 'Starting' }), sizes)).toEqual({
      namespace: 'vms', name: 'v', runStrategy: 'Always', desiredPower: 'running', status: 'Starting', size: { instancetype: 'u1.small', cpu: 1, memory: '2Gi' }, managedBy: 'virtual-machines',
    });
  });

  it('sizes from a namespaced instancetype, and reads the deprecated spec.running', () => {
    const info = vmInfo(vm({ running: false, instancetype: { name: 'csmall', kind: 'VirtualMachineInstancetype' } }), sizes);
    expect(info).toMatchObject({ runStrategy: 'Halted', desiredPower: 'stopped', size: { instancetype: 'vms/csmall', cpu: 1, memory: '128Mi' } });
    expect(info).not.toHaveProperty('status');
  });

  it('sizes from the domain when no instancetype is used, and names an unknown instancetype', () => {
    const explicit = vm({ runStrategy: 'Manual', template: { spec: { domain: { cpu: { cores: 2, sockets: 2 }, memory: { guest: '3Gi' }, devices: {} } } } });
    expect(vmInfo(explicit, sizes)).toMatchObject({ desiredPower: 'manual', size: { cpu: 4, memory: '3Gi' } });
    expect(vmInfo(vm({ runStrategy: 'Once', instancetype: { name: 'u9.huge' } }), sizes).size).toEqual({ instancetype: 'u9.huge' });
  });
});

describe(vmiInfo, () => {
  it('reads phase, node and every IP', () => {
    const vmi: KubeObject = {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'web-1', namespace: 'vms' },
      status: { phase: 'Running', nodeName: 'node-a', interfaces: [{ name: 'default', ipAddress: '10.0.0.5', ipAddresses: ['10.0.0.5', 'fd00::5'] }, { name: 'storage', ipAddress: '192.168.1.9' }] },
    };
    expect(vmiInfo(vmi)).toEqual({ namespace: 'vms', name: 'web-1', phase: 'Running', node: 'node-a', ips: ['10.0.0.5', 'fd00::5', '192.168.1.9'] });
  });
});

describe(buildClusterInventory, () => {
  it('counts pods and VMs per namespace and attaches quotas', () => {
    const inv = buildClusterInventory({
      cluster: 'c1',
      nodes: [],
      namespaces: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vms' }, status: { phase: 'Active' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'empty' } }],
      resourceQuotas: [{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'vms' }, status: { hard: { pods: '4' }, used: { pods: '2' } } }],
      deployments: [], services: [],
      pods: [launcher, pod('nginx')],
      kubevirt: { vms: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'web-1', namespace: 'vms' }, spec: { runStrategy: 'Always' } }], vmis: [], clusterInstancetypes: [], instancetypes: [] },
    });
    expect(inv.kubevirt).toBe(true);
    expect(inv.namespaces).toEqual([
      { name: 'empty', quotas: [], pods: 0, vms: 0 },
      { name: 'vms', phase: 'Active', quotas: [{ name: 'q', resources: [{ resource: 'pods', used: '2', hard: '4', ratio: 0.5 }] }], pods: 2, vms: 1 },
    ]);
    expect(inv.pods.map((p) => [p.name, p.workload])).toEqual([['nginx', 'container'], ['virt-launcher-web-1-x7k2p', 'vm-launcher']]);
  });
});
