/**
 * The workload inventory: a read-only snapshot per cluster of nodes, namespaces with quota usage,
 * deployments, services, pods (containers vs KubeVirt virt-launcher pods), virtual machines and
 * their instances. Plain data; `--output json` prints exactly this.
 */

export type PodWorkload = 'container' | 'vm-launcher';

export interface NodeInfo {
  readonly name: string;
  /** From `node-role.kubernetes.io/<role>` labels (and legacy `kubernetes.io/role`), sorted. */
  readonly roles: readonly string[];
  readonly ready: boolean | undefined;
  readonly capacity: { readonly cpu?: string; readonly memory?: string; readonly pods?: string };
  readonly allocatable: { readonly cpu?: string; readonly memory?: string; readonly pods?: string };
  readonly kubeletVersion?: string;
}

export interface QuotaResourceUsage {
  readonly resource: string;
  readonly used: string;
  readonly hard: string;
  /** used / hard, 0–1 (can exceed 1 after a quota was lowered); undefined when unparsable or hard is 0. */
  readonly ratio?: number;
}

export interface QuotaUsage {
  readonly name: string;
  readonly resources: readonly QuotaResourceUsage[];
}

export interface NamespaceInfo {
  readonly name: string;
  readonly phase?: string;
  /** The kontract integration owning the namespace, if any. */
  readonly managedBy?: string;
  readonly quotas: readonly QuotaUsage[];
  readonly pods: number;
  readonly vms: number;
}

export interface DeploymentInfo {
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  readonly ready: number;
}

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly clusterIP?: string;
  /** `80/TCP`, `53/UDP`… */
  readonly ports: readonly string[];
}

export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  readonly phase?: string;
  readonly node?: string;
  readonly workload: PodWorkload;
  /** For virt-launcher pods: the controlling VirtualMachineInstance. */
  readonly vmi?: string;
  /** For virt-launcher pods: the VM name (label `vm.kubevirt.io/name`, else the VMI name). */
  readonly vm?: string;
}

export interface VmSize {
  /** `u1.small` (cluster instancetype) or `namespace/name` (namespaced). */
  readonly instancetype?: string;
  readonly cpu?: number;
  readonly memory?: string;
}

export interface VmInfo {
  readonly namespace: string;
  readonly name: string;
  /** `spec.runStrategy`, or derived from the deprecated `spec.running`. */
  readonly runStrategy?: string;
  /** What the owner asked for: running, stopped, or the strategy for Manual/Once/RerunOnFailure. */
  readonly desiredPower: 'running' | 'stopped' | 'manual' | 'once' | 'rerun-on-failure' | 'unknown';
  /** `status.printableStatus` (Stopped, Running, Starting, …); undefined before the controller saw it. */
  readonly status?: string;
  readonly size: VmSize;
  readonly managedBy?: string;
}

export interface VmiInfo {
  readonly namespace: string;
  readonly name: string;
  readonly phase?: string;
  readonly node?: string;
  readonly ips: readonly string[];
}

export interface ClusterInventory {
  readonly cluster: string;
  /** Set when the cluster could not be read; the other fields are then empty. */
  readonly error?: string;
  /** Whether the cluster serves kubevirt.io/v1 (VMs and VMIs are listed only then). */
  readonly kubevirt: boolean;
  readonly nodes: readonly NodeInfo[];
  readonly namespaces: readonly NamespaceInfo[];
  readonly deployments: readonly DeploymentInfo[];
  readonly services: readonly ServiceInfo[];
  readonly pods: readonly PodInfo[];
  readonly vms: readonly VmInfo[];
  readonly vmis: readonly VmiInfo[];
}

export interface InventoryReport {
  readonly version: 1;
  readonly clusters: readonly ClusterInventory[];
}
