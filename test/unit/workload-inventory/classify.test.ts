import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { classifyPod, containers, ownerChain, ownerIndex, podInfo } from '../../../src/workload-inventory/classify.js';

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
}, { spec: { containers: [{ name: 'compute', image: 'quay.io/kubevirt/virt-launcher:v1.6.0', command: ['/usr/bin/virt-launcher-monitor'] }] } });

describe(classifyPod, () => {
  it('calls a pod controlled by a kubevirt.io VMI a vm-launcher and lists every signal as evidence', () => {
    expect(classifyPod(launcher)).toEqual({
      workload: 'vm-launcher', vmi: 'web-1', vm: 'web-1',
      vmEvidence: [
        'ownerReference VirtualMachineInstance/web-1', 'label kubevirt.io=virt-launcher', 'label kubevirt.io/created-by',
        'label vm.kubevirt.io/name=web-1', 'annotation kubevirt.io/domain=web-1', 'container compute runs virt-launcher',
      ],
    });
    expect(classifyPod(pod('p1', { ownerReferences: [vmiOwner] }))).toMatchObject({ workload: 'vm-launcher', vmi: 'web-1', vm: 'web-1' });
  });

  it.each([
    ['both launcher labels but no owner reference', pod('p2', { labels: { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': VMI_UID, 'vm.kubevirt.io/name': 'db-1' } }), 'label kubevirt.io=virt-launcher, label kubevirt.io/created-by, label vm.kubevirt.io/name=db-1'],
    ['only the deprecated vm.kubevirt.io/name label', pod('p3', { labels: { 'vm.kubevirt.io/name': 'web-1' } }), 'label vm.kubevirt.io/name=web-1'],
    ['a kubevirt.io/domain label', pod('p4', { labels: { 'kubevirt.io/domain': 'web-1' } }), 'label kubevirt.io/domain=web-1'],
    ['a VMI owner that is not the controller', pod('p6', { ownerReferences: [{ ...vmiOwner, controller: false }, { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u' }], labels: { 'kubevirt.io': 'virt-launcher' } }), 'label kubevirt.io=virt-launcher'],
    ['a compute container running virt-launcher', pod('p9', {}, { spec: { containers: [{ name: 'compute', image: 'x', command: ['/usr/bin/virt-launcher'] }] } }), 'container compute runs virt-launcher'],
  ])('lists a pod with %s as a suspected VM launcher with the reason', (_what, p, seen) => {
    const c = classifyPod(p);
    expect(c.workload).toBe('suspected-vm-launcher');
    expect(c.suspectReason).toBe(`no controlling VirtualMachineInstance ownerReference; seen: ${seen}`);
  });

  it.each([
    ['an ordinary pod', pod('nginx', { labels: { app: 'nginx' } })],
    ['a pod controlled by a ReplicaSet', pod('p7', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u', controller: true }] })],
    ['a pod controlled by a VirtualMachineInstance of another API group', pod('p8', { ownerReferences: [{ ...vmiOwner, apiVersion: 'example.com/v1' }] })],
    ['a compute container not running virt-launcher', pod('p10', {}, { spec: { containers: [{ name: 'compute', image: 'registry/app:1' }] } })],
  ])('classifies %s as a container with no evidence', (_what, p) => {
    expect(classifyPod(p)).toEqual({ workload: 'container', vmEvidence: [] });
  });

  it('takes the VM name from the label and the VMI name from the owner', () => {
    const p = pod('p', { labels: { 'vm.kubevirt.io/name': 'the-vm' }, ownerReferences: [{ ...vmiOwner, name: 'the-vmi' }] });
    expect(classifyPod(p)).toMatchObject({ workload: 'vm-launcher', vmi: 'the-vmi', vm: 'the-vm' });
  });
});

describe(containers, () => {
  it('reads init and regular containers with parsed requests/limits, ports, readiness, restarts and state', () => {
    const p = pod('api', {}, {
      spec: {
        initContainers: [{ name: 'init', image: 'busybox' }],
        containers: [{ name: 'app', image: 'registry/app:1', ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }], resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: 1, memory: '1Gi' } } }],
      },
      status: {
        initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } }],
        containerStatuses: [{ name: 'app', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    });
    expect(containers(p)).toEqual([
      { name: 'init', image: 'busybox', init: true, requests: {}, limits: {}, ports: [], ready: false, restarts: 0, state: 'terminated', stateReason: 'Completed' },
      {
        name: 'app', image: 'registry/app:1', init: false,
        requests: { cpu: { quantity: '250m', value: 0.25 }, memory: { quantity: '64Mi', value: 67108864 } },
        limits: { cpu: { quantity: '1', value: 1 }, memory: { quantity: '1Gi', value: 1073741824 } },
        ports: ['8080/TCP', '53/UDP'], ready: false, restarts: 3, state: 'waiting', stateReason: 'CrashLoopBackOff',
      },
    ]);
  });
});

describe(ownerChain, () => {
  const owned = (kind: string, apiVersion: string, name: string, owner?: { kind: string; apiVersion: string; name: string }): KubeObject => ({
    apiVersion, kind, metadata: { name, namespace: 'vms', ...(owner === undefined ? {} : { ownerReferences: [{ ...owner, uid: 'u', controller: true }] }) },
  });
  const index = ownerIndex({
    ReplicaSet: [owned('ReplicaSet', 'apps/v1', 'api-5d8f', { kind: 'Deployment', apiVersion: 'apps/v1', name: 'api' })],
    Job: [owned('Job', 'batch/v1', 'backup-2911', { kind: 'CronJob', apiVersion: 'batch/v1', name: 'backup' })],
    VirtualMachineInstance: [owned('VirtualMachineInstance', 'kubevirt.io/v1', 'web-1', { kind: 'VirtualMachine', apiVersion: 'kubevirt.io/v1', name: 'web-1' }), owned('VirtualMachineInstance', 'kubevirt.io/v1', 'db-1')],
    VirtualMachine: [owned('VirtualMachine', 'kubevirt.io/v1', 'web-1'), owned('VirtualMachine', 'kubevirt.io/v1', 'db-1')],
  });
  const podOf = (kind: string, apiVersion: string, name: string): KubeObject => owned('Pod', 'v1', `p-${name}`, { kind, apiVersion, name });

  it.each([
    ['Deployment via ReplicaSet', podOf('ReplicaSet', 'apps/v1', 'api-5d8f'), [['ReplicaSet', 'api-5d8f'], ['Deployment', 'api']]],
    ['CronJob via Job', podOf('Job', 'batch/v1', 'backup-2911'), [['Job', 'backup-2911'], ['CronJob', 'backup']]],
    ['StatefulSet', podOf('StatefulSet', 'apps/v1', 'db'), [['StatefulSet', 'db']]],
    ['DaemonSet', podOf('DaemonSet', 'apps/v1', 'agent'), [['DaemonSet', 'agent']]],
    ['VM via its VMI owner', podOf('VirtualMachineInstance', 'kubevirt.io/v1', 'web-1'), [['VirtualMachineInstance', 'web-1'], ['VirtualMachine', 'web-1']]],
    ['VM of the same name when the VMI has no owner', podOf('VirtualMachineInstance', 'kubevirt.io/v1', 'db-1'), [['VirtualMachineInstance', 'db-1'], ['VirtualMachine', 'db-1']]],
    ['a ReplicaSet that was not listed', podOf('ReplicaSet', 'apps/v1', 'gone-1'), [['ReplicaSet', 'gone-1']]],
    ['nothing (standalone)', owned('Pod', 'v1', 'solo'), []],
  ])('resolves %s', (_what, p, chain) => {
    expect(ownerChain(p, index).map((o) => [o.kind, o.name])).toEqual(chain);
    const info = podInfo(p, index);
    expect(info.topOwner === undefined ? undefined : [info.topOwner.kind, info.topOwner.name]).toEqual(chain.at(-1));
  });
});
