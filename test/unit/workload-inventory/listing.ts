/** A small cluster listing for the inventory unit tests (objects shaped as the apiserver returns them). */
import type { KubeObject } from '../../../src/core/k8s-object.js';
import type { ClusterListing } from '../../../src/workload-inventory/build.js';
import type { KindRead } from '../../../src/workload-inventory/types.js';

const o = (apiVersion: string, kind: string, name: string, namespace: string | undefined, rest: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion, kind, metadata: { name, ...(namespace === undefined ? {} : { namespace }), ...meta }, ...rest });
const ctl = (apiVersion: string, kind: string, name: string): Record<string, unknown> => ({ ownerReferences: [{ apiVersion, kind, name, uid: `uid-${name}`, controller: true }] });

export const lists: Record<string, KubeObject[]> = {
  nodes: [o('v1', 'Node', 'node-a', undefined, { status: { conditions: [{ type: 'Ready', status: 'True' }], capacity: { cpu: '8', memory: '32Gi' } } }, { labels: { 'node-role.kubernetes.io/worker': '' } })],
  namespaces: [
    o('v1', 'Namespace', 'vms', undefined, { status: { phase: 'Active' } }, { annotations: { 'openshift.io/display-name': 'Virtual machines' } }),
    o('v1', 'Namespace', 'apps', undefined, { status: { phase: 'Active' } }),
  ],
  resourcequotas: [o('v1', 'ResourceQuota', 'q', 'vms', { status: { hard: { pods: '4' }, used: { pods: '2' } } })],
  pods: [
    o('v1', 'Pod', 'virt-launcher-web-1-abc', 'vms', { spec: { nodeName: 'node-a', containers: [{ name: 'compute', image: 'virt-launcher' }] }, status: { phase: 'Running' } }, ctl('kubevirt.io/v1', 'VirtualMachineInstance', 'web-1')),
    o('v1', 'Pod', 'virt-launcher-ghost-xyz', 'vms', { spec: { containers: [{ name: 'compute', image: 'virt-launcher' }] } }, { labels: { 'kubevirt.io': 'virt-launcher', 'vm.kubevirt.io/name': 'ghost' } }),
    o('v1', 'Pod', 'api-5d8f-q2', 'apps', { spec: { containers: [{ name: 'app', image: 'registry/app:1', resources: { requests: { cpu: '100m' } } }] }, status: { phase: 'Running', podIP: '10.1.0.4' } }, ctl('apps/v1', 'ReplicaSet', 'api-5d8f')),
  ],
  replicasets: [o('apps/v1', 'ReplicaSet', 'api-5d8f', 'apps', {}, ctl('apps/v1', 'Deployment', 'api'))],
  jobs: [],
  deployments: [o('apps/v1', 'Deployment', 'api', 'apps', { spec: { replicas: 2, strategy: { type: 'RollingUpdate' }, selector: { matchLabels: { app: 'api' } } }, status: { readyReplicas: 1, availableReplicas: 1 } })],
  statefulsets: [], daemonsets: [],
  services: [o('v1', 'Service', 'api', 'apps', { spec: { clusterIP: '10.0.0.1', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'api' } } })],
  persistentvolumeclaims: [],
  virtualmachines: [o('kubevirt.io/v1', 'VirtualMachine', 'web-1', 'vms', { spec: { runStrategy: 'Always' }, status: { printableStatus: 'Running' } })],
  virtualmachineinstances: [o('kubevirt.io/v1', 'VirtualMachineInstance', 'web-1', 'vms', { status: { phase: 'Running', nodeName: 'node-a' } }, ctl('kubevirt.io/v1', 'VirtualMachine', 'web-1'))],
};

const listed = (resource: string, apiVersion: string): KindRead => ({ resource, apiVersion, state: 'listed', count: lists[resource]?.length ?? 0 });

export const listing: ClusterListing = {
  cluster: 'prod-1', kubevirt: true,
  kinds: [
    listed('nodes', 'v1'), listed('namespaces', 'v1'), listed('resourcequotas', 'v1'), listed('pods', 'v1'), listed('replicasets', 'apps/v1'), listed('jobs', 'batch/v1'),
    listed('deployments', 'apps/v1'), listed('statefulsets', 'apps/v1'), listed('daemonsets', 'apps/v1'), listed('services', 'v1'),
    { resource: 'routes', apiVersion: 'route.openshift.io/v1', state: 'not-served', message: 'route.openshift.io/v1 routes is not served' },
    listed('persistentvolumeclaims', 'v1'), listed('virtualmachines', 'kubevirt.io/v1'), listed('virtualmachineinstances', 'kubevirt.io/v1'),
    { resource: 'datavolumes', apiVersion: 'cdi.kubevirt.io/v1beta1', state: 'forbidden', message: 'cluster prod-1: LIST datavolumes: 403 Forbidden' },
  ],
  lists,
};
