/**
 * The workload inventory (version 2): a read-only snapshot per cluster of nodes, namespaces with
 * quota usage, pods with their containers and top workload, deployments, statefulsets, daemonsets,
 * services, routes, PVCs, KubeVirt VMs / VM instances and CDI DataVolumes. Plain data;
 * `--output json` prints exactly this (docs/inventory-json.md, docs/inventory-json.schema.json).
 */

export const INVENTORY_VERSION = 2;

/** The sections of a cluster's inventory, also the values of `--kinds`. */
export const SECTIONS = [
  'nodes', 'namespaces', 'pods', 'deployments', 'statefulsets', 'daemonsets', 'services', 'routes', 'pvcs',
  'vms', 'vmis', 'datavolumes',
] as const;
export type Section = (typeof SECTIONS)[number];

/** Sections holding KubeVirt/CDI objects (left out by `--workloads containers`). */
export const VM_SECTIONS: readonly Section[] = ['vms', 'vmis', 'datavolumes'];
/** Sections holding container workload controllers (left out by `--workloads vms`). */
export const CONTAINER_SECTIONS: readonly Section[] = ['deployments', 'statefulsets', 'daemonsets'];

export type WorkloadFilter = 'all' | 'containers' | 'vms';
export const WORKLOAD_FILTERS: readonly WorkloadFilter[] = ['all', 'containers', 'vms'];

/**
 * How one kind was read: `listed`; `not-served` (discovery or a 404: the cluster lacks the API);
 * `forbidden` (403: the credentials may not list it); `error` (any other failure).
 */
export type KindReadState = 'listed' | 'not-served' | 'forbidden' | 'error';

export interface KindRead {
  /** Plural resource, e.g. `resourcequotas`, `routes`. */
  readonly resource: string;
  /** `group/version`, `v1` for the core group. */
  readonly apiVersion: string;
  readonly state: KindReadState;
  /** Objects listed (state `listed`), before namespace filtering. */
  readonly count?: number;
  readonly message?: string;
}

export interface InventoryWarning {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly message: string;
}

/** A Kubernetes quantity as written, with its value in base units (cores, bytes, count). */
export interface Quantity {
  readonly quantity: string;
  /** Undefined when the text is not a valid quantity. */
  readonly value?: number;
}

export type ResourceList = Readonly<Record<string, Quantity>>;

export interface NodeCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
}

export interface NodeInfo {
  readonly name: string;
  /** From `node-role.kubernetes.io/<role>` labels (and legacy `kubernetes.io/role`), sorted. */
  readonly roles: readonly string[];
  readonly ready: boolean | undefined;
  readonly conditions: readonly NodeCondition[];
  readonly internalIPs: readonly string[];
  readonly externalIPs: readonly string[];
  readonly hostname?: string;
  readonly osImage?: string;
  readonly kernelVersion?: string;
  readonly containerRuntimeVersion?: string;
  readonly kubeletVersion?: string;
  readonly unschedulable: boolean;
  /** `status.capacity` (cpu, memory, pods, ephemeral-storage, …). */
  readonly capacity: ResourceList;
  readonly allocatable: ResourceList;
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
  /** Annotation `openshift.io/display-name`. */
  readonly displayName?: string;
  /** Annotation `openshift.io/description`. */
  readonly description?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly phase?: string;
  /** The kontract integration owning the namespace, if any. */
  readonly managedBy?: string;
  /** Undefined when resourcequotas could not be listed (see `kinds`). */
  readonly quotas?: readonly QuotaUsage[];
  /** Pods in the namespace; undefined when pods were not listed. */
  readonly pods?: number;
  /** VirtualMachines in the namespace (0 without KubeVirt); undefined when they could not be listed. */
  readonly vms?: number;
}

export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
}

export type ContainerState = 'running' | 'waiting' | 'terminated' | 'unknown';

export interface ContainerInfo {
  readonly name: string;
  readonly image: string;
  /** An init container (spec.initContainers). */
  readonly init: boolean;
  readonly requests: ResourceList;
  readonly limits: ResourceList;
  /** `8080/TCP`… */
  readonly ports: readonly string[];
  readonly ready?: boolean;
  readonly restarts: number;
  readonly state: ContainerState;
  /** Waiting/terminated reason (e.g. `ImagePullBackOff`, `Completed`). */
  readonly stateReason?: string;
}

/**
 * `container`; `vm-launcher` (controlled by a kubevirt.io VirtualMachineInstance ownerReference);
 * `suspected-vm-launcher` (a weaker KubeVirt signal without a controlling VMI: see `vmEvidence`).
 */
export type PodWorkload = 'container' | 'vm-launcher' | 'suspected-vm-launcher';

export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly phase?: string;
  readonly node?: string;
  readonly podIPs: readonly string[];
  readonly hostIP?: string;
  /** Sum of the containers' restart counts. */
  readonly restarts: number;
  /** Controller ownerReferences from the pod's owner up, resolved through listed ReplicaSets, Jobs and VMIs. */
  readonly ownerChain: readonly OwnerRef[];
  /** The last of `ownerChain`; undefined for a standalone pod. */
  readonly topOwner?: OwnerRef;
  readonly workload: PodWorkload;
  /** Every KubeVirt signal seen on the pod, strongest first. */
  readonly vmEvidence: readonly string[];
  /** Why a pod is a `suspected-vm-launcher`. */
  readonly suspectReason?: string;
  /** For launchers: the VirtualMachineInstance. */
  readonly vmi?: string;
  /** For launchers: the VM name (the VMI's VM owner, label `vm.kubevirt.io/name`, else the VMI name). */
  readonly vm?: string;
  readonly containers: readonly ContainerInfo[];
}

export interface DeploymentInfo {
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  readonly ready: number;
  readonly available: number;
  readonly updated: number;
  /** `RollingUpdate` / `Recreate`. */
  readonly strategy?: string;
  /** Label selector in kubectl syntax, e.g. `app=api,tier in (web)`. */
  readonly selector: string;
  readonly managedBy?: string;
}

export interface StatefulSetInfo {
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  readonly ready: number;
  readonly serviceName?: string;
  readonly selector: string;
}

export interface DaemonSetInfo {
  readonly namespace: string;
  readonly name: string;
  readonly desired: number;
  readonly ready: number;
  readonly available: number;
  readonly selector: string;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: string;
  readonly targetPort?: string;
  readonly nodePort?: number;
}

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly clusterIP?: string;
  /** `spec.externalIPs` and load-balancer ingress IPs / hostnames. */
  readonly externalIPs: readonly string[];
  readonly ports: readonly ServicePort[];
  readonly selector: string;
}

export interface RouteInfo {
  readonly namespace: string;
  readonly name: string;
  readonly host?: string;
  readonly path?: string;
  /** `spec.tls.termination` (edge, passthrough, reencrypt); undefined for plain HTTP. Keys and certificates are never read out. */
  readonly tls?: { readonly termination: string; readonly insecureEdgeTerminationPolicy?: string };
  /** `spec.to` (normally a Service). */
  readonly to: OwnerRef;
  readonly targetPort?: string;
  /** Whether a router admitted the route (`status.ingress[].conditions[Admitted]`); undefined before any router saw it. */
  readonly admitted?: boolean;
}

export interface PvcInfo {
  readonly namespace: string;
  readonly name: string;
  readonly storageClass?: string;
  /** `spec.resources.requests.storage`. */
  readonly requested?: Quantity;
  /** `status.capacity.storage` once bound. */
  readonly capacity?: Quantity;
  readonly accessModes: readonly string[];
  readonly volumeMode?: string;
  readonly phase?: string;
  /** `spec.volumeName`: the bound PersistentVolume. */
  readonly volume?: string;
}

export interface VmSize {
  /** `u1.small` (cluster instancetype) or `namespace/name` (namespaced). */
  readonly instancetype?: string;
  readonly cpu?: number;
  readonly memory?: string;
}

export interface VmDisk {
  readonly name: string;
  /** disk, cdrom, lun (the device type). */
  readonly device: string;
  readonly bus?: string;
  /** The volume source type: containerDisk, dataVolume, persistentVolumeClaim, cloudInitNoCloud, … */
  readonly source?: string;
  /** The DataVolume / claim name or the container disk image; other sources' contents are never read out. */
  readonly ref?: string;
}

export interface VmInterface {
  readonly name: string;
  /** masquerade, bridge, sriov, or the binding plugin name. */
  readonly binding?: string;
  /** `pod` or `multus:<networkName>`. */
  readonly network?: string;
  readonly macAddress?: string;
}

export interface VmInfo {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  /** `spec.runStrategy`, or derived from the deprecated `spec.running`. */
  readonly runStrategy?: string;
  /** What the owner asked for: running, stopped, or the strategy for Manual/Once/RerunOnFailure. */
  readonly desiredPower: 'running' | 'stopped' | 'manual' | 'once' | 'rerun-on-failure' | 'unknown';
  /** `status.printableStatus` (Stopped, Running, Starting, …); undefined before the controller saw it. */
  readonly status?: string;
  readonly ready?: boolean;
  readonly size: VmSize;
  readonly disks: readonly VmDisk[];
  readonly interfaces: readonly VmInterface[];
  /** From the VM's instance. */
  readonly node?: string;
  readonly vmiUid?: string;
  /** `status.guestOSInfo.prettyName` (or name) of the instance, when the guest agent reports it. */
  readonly guestOS?: string;
  readonly managedBy?: string;
  /** The vApp the VM belongs to (label `kontract.io/vapp`, set by kontract's virtual-machines integration). */
  readonly vapp?: string;
}

export interface VmiInfo {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  /** The VirtualMachine owning this instance, if any. */
  readonly vm?: string;
  readonly phase?: string;
  readonly node?: string;
  readonly ips: readonly string[];
  /** Condition `Ready`. */
  readonly ready?: boolean;
  /** Condition `LiveMigratable`. */
  readonly liveMigratable?: boolean;
  readonly guestOS?: string;
}

export interface DataVolumeInfo {
  readonly namespace: string;
  readonly name: string;
  readonly phase?: string;
  /** `status.progress`, e.g. `45.5%`. */
  readonly progress?: string;
  /** Source type: http, registry, pvc, blank, upload, … (or `sourceRef:<kind>`). */
  readonly source?: string;
  readonly size?: Quantity;
  readonly storageClass?: string;
  /** The VirtualMachine owning it (dataVolumeTemplates). */
  readonly vm?: string;
}

export interface ClusterInventory {
  readonly cluster: string;
  /** Set when the cluster could not be read at all; the other fields are then empty. */
  readonly error?: string;
  /** Whether the cluster serves kubevirt.io/v1 VirtualMachines. */
  readonly kubevirt: boolean;
  /** How each kind was read; a kind not requested (`--kinds`, `--workloads`) is absent. */
  readonly kinds: readonly KindRead[];
  readonly warnings: readonly InventoryWarning[];
  readonly nodes: readonly NodeInfo[];
  readonly namespaces: readonly NamespaceInfo[];
  readonly pods: readonly PodInfo[];
  readonly deployments: readonly DeploymentInfo[];
  readonly statefulsets: readonly StatefulSetInfo[];
  readonly daemonsets: readonly DaemonSetInfo[];
  readonly services: readonly ServiceInfo[];
  readonly routes: readonly RouteInfo[];
  readonly pvcs: readonly PvcInfo[];
  readonly vms: readonly VmInfo[];
  readonly vmis: readonly VmiInfo[];
  readonly datavolumes: readonly DataVolumeInfo[];
}

export interface InventoryReport {
  readonly version: typeof INVENTORY_VERSION;
  /** What was asked for: the sections (`--kinds`), the namespace regex (`--namespace`), `--workloads`. */
  readonly filter: { readonly sections: readonly Section[]; readonly namespace?: string; readonly workloads: WorkloadFilter };
  readonly clusters: readonly ClusterInventory[];
}
