/**
 * Pure classification of listed objects into the inventory (no IO). The virt-launcher rule follows
 * KubeVirt's own pod template (kubevirt/kubevirt pkg/virt-controller/services/template.go):
 *
 * - a pod is a `vm-launcher` when a `VirtualMachineInstance` (kubevirt.io) ownerReference with
 *   `controller: true` controls it, or when it carries both `kubevirt.io=virt-launcher` and
 *   `kubevirt.io/created-by` (the VMI UID) — the two labels KubeVirt always sets together;
 * - `vm.kubevirt.io/name` is only a hint for the VM name, never a test on its own (it is
 *   deprecated, and users copy it); a `kubevirt.io/domain` *label* or a `compute` container are
 *   not used at all.
 */
import type { KubeObject } from '../core/k8s-object.js';
import { isPlainObject } from '../core/plain-object.js';
import { parseQuantity } from '../core/quantity.js';
import type {
  ClusterInventory, DeploymentInfo, NamespaceInfo, NodeInfo, PodInfo, PodWorkload, QuotaUsage, ServiceInfo, VmInfo, VmiInfo, VmSize,
} from './types.js';

export const LAUNCHER_LABEL = 'kubevirt.io';
export const LAUNCHER_LABEL_VALUE = 'virt-launcher';
export const CREATED_BY_LABEL = 'kubevirt.io/created-by';
export const VM_NAME_LABEL = 'vm.kubevirt.io/name';
const ROLE_PREFIX = 'node-role.kubernetes.io/';
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const INTEGRATION = 'kontract.io/integration';

type Json = Record<string, unknown>;

function rec(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function quantityString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}
function labels(o: KubeObject): Record<string, string> {
  return o.metadata.labels ?? {};
}
function managedBy(o: KubeObject): string | undefined {
  const l = labels(o);
  return l[MANAGED_BY] === 'kontract' ? l[INTEGRATION] : undefined;
}

interface OwnerReference {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly controller?: boolean;
}

export interface PodClassification {
  readonly workload: PodWorkload;
  readonly vmi?: string;
  readonly vm?: string;
}

/** container vs vm-launcher, with the VMI and VM names for launchers. */
export function classifyPod(pod: KubeObject): PodClassification {
  const owners = arr(pod.metadata.ownerReferences).map((o) => rec(o) as OwnerReference);
  const vmiOwner = owners.find((o) => o.kind === 'VirtualMachineInstance' && o.controller === true && (o.apiVersion ?? '').startsWith('kubevirt.io/'));
  const l = labels(pod);
  const launcherLabels = l[LAUNCHER_LABEL] === LAUNCHER_LABEL_VALUE && (l[CREATED_BY_LABEL] ?? '') !== '';
  if (vmiOwner === undefined && !launcherLabels) return { workload: 'container' };
  const vmi = vmiOwner?.name;
  // A VM's VMI has the VM's name; the label is the hint when no owner reference names it.
  const vm = l[VM_NAME_LABEL] ?? vmi;
  return { workload: 'vm-launcher', ...(vmi === undefined ? {} : { vmi }), ...(vm === undefined ? {} : { vm }) };
}

export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels(node))) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    if (k === LEGACY_ROLE_LABEL && v !== '') roles.add(v);
  }
  return [...roles].sort();
}

function resourceTriple(v: unknown): NodeInfo['capacity'] {
  const r = rec(v);
  const cpu = quantityString(r.cpu);
  const memory = quantityString(r.memory);
  const pods = quantityString(r.pods);
  return { ...(cpu === undefined ? {} : { cpu }), ...(memory === undefined ? {} : { memory }), ...(pods === undefined ? {} : { pods }) };
}

export function nodeInfo(node: KubeObject): NodeInfo {
  const status = rec(node.status);
  const ready = arr(status.conditions).map(rec).find((c) => c.type === 'Ready');
  const version = str(rec(status.nodeInfo).kubeletVersion);
  return {
    name: node.metadata.name,
    roles: nodeRoles(node),
    ready: ready === undefined ? undefined : ready.status === 'True',
    capacity: resourceTriple(status.capacity),
    allocatable: resourceTriple(status.allocatable),
    ...(version === undefined ? {} : { kubeletVersion: version }),
  };
}

/** used / hard as a number, exact up to 1e-4. */
export function usageRatio(used: string, hard: string): number | undefined {
  const u = parseQuantity(used);
  const h = parseQuantity(hard);
  if (u === undefined || h === undefined || h.num === 0n) return undefined;
  return Number((u.num * h.den * 10_000n) / (u.den * h.num)) / 10_000;
}

export function quotaUsage(rq: KubeObject): QuotaUsage {
  const status = rec(rq.status);
  const hard = rec(status.hard);
  const used = rec(status.used);
  const resources = Object.keys(hard).sort().map((resource) => {
    const h = quantityString(hard[resource]) ?? '';
    const u = quantityString(used[resource]) ?? '0';
    const ratio = usageRatio(u, h);
    return { resource, used: u, hard: h, ...(ratio === undefined ? {} : { ratio }) };
  });
  return { name: rq.metadata.name, resources };
}

export function deploymentInfo(d: KubeObject): DeploymentInfo {
  const spec = rec(d.spec);
  const status = rec(d.status);
  return {
    namespace: d.metadata.namespace ?? '',
    name: d.metadata.name,
    replicas: typeof spec.replicas === 'number' ? spec.replicas : 1,
    ready: typeof status.readyReplicas === 'number' ? status.readyReplicas : 0,
  };
}

export function serviceInfo(s: KubeObject): ServiceInfo {
  const spec = rec(s.spec);
  const ip = str(spec.clusterIP);
  return {
    namespace: s.metadata.namespace ?? '',
    name: s.metadata.name,
    type: str(spec.type) ?? 'ClusterIP',
    ...(ip === undefined ? {} : { clusterIP: ip }),
    ports: arr(spec.ports).map(rec).map((p) => `${typeof p.port === 'number' ? p.port : '?'}/${str(p.protocol) ?? 'TCP'}`),
  };
}

export function podInfo(pod: KubeObject): PodInfo {
  const status = rec(pod.status);
  const phase = str(status.phase);
  const node = str(rec(pod.spec).nodeName);
  return {
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name,
    ...(phase === undefined ? {} : { phase }),
    ...(node === undefined ? {} : { node }),
    ...classifyPod(pod),
  };
}

/** Sizes of the instancetypes a cluster serves, by `name` (cluster) or `namespace/name`. */
export type InstancetypeSizes = ReadonlyMap<string, { readonly cpu?: number; readonly memory?: string }>;

export function instancetypeSizes(clusterScoped: readonly KubeObject[], namespaced: readonly KubeObject[]): InstancetypeSizes {
  const out = new Map<string, { cpu?: number; memory?: string }>();
  const size = (o: KubeObject): { cpu?: number; memory?: string } => {
    const spec = rec(o.spec);
    const cpu = rec(spec.cpu).guest;
    const memory = quantityString(rec(spec.memory).guest);
    return { ...(typeof cpu === 'number' ? { cpu } : {}), ...(memory === undefined ? {} : { memory }) };
  };
  for (const o of clusterScoped) out.set(o.metadata.name, size(o));
  for (const o of namespaced) out.set(`${o.metadata.namespace ?? ''}/${o.metadata.name}`, size(o));
  return out;
}

function desiredPower(runStrategy: string | undefined): VmInfo['desiredPower'] {
  switch (runStrategy) {
    case 'Always': return 'running';
    case 'Halted': return 'stopped';
    case 'Manual': return 'manual';
    case 'Once': return 'once';
    case 'RerunOnFailure': return 'rerun-on-failure';
    default: return 'unknown';
  }
}

function vmSize(vm: KubeObject, sizes: InstancetypeSizes): VmSize {
  const spec = rec(vm.spec);
  const it = rec(spec.instancetype);
  const itName = str(it.name);
  if (itName !== undefined) {
    const namespaced = it.kind === 'VirtualMachineInstancetype';
    const key = namespaced ? `${vm.metadata.namespace ?? ''}/${itName}` : itName;
    return { instancetype: key, ...(sizes.get(key) ?? {}) };
  }
  const domain = rec(rec(rec(spec.template).spec).domain);
  const cpu = rec(domain.cpu);
  const n = (v: unknown): number => (typeof v === 'number' ? v : 1);
  const hasCpu = cpu.cores !== undefined || cpu.sockets !== undefined || cpu.threads !== undefined;
  const memory = quantityString(rec(domain.memory).guest) ?? quantityString(rec(rec(domain.resources).requests).memory);
  return { ...(hasCpu ? { cpu: n(cpu.cores) * n(cpu.sockets) * n(cpu.threads) } : {}), ...(memory === undefined ? {} : { memory }) };
}

export function vmInfo(vm: KubeObject, sizes: InstancetypeSizes): VmInfo {
  const spec = rec(vm.spec);
  const status = str(rec(vm.status).printableStatus);
  // `spec.running` is deprecated but still found on older VMs: read it as Always/Halted.
  const runStrategy = str(spec.runStrategy) ?? (typeof spec.running === 'boolean' ? (spec.running ? 'Always' : 'Halted') : undefined);
  const owner = managedBy(vm);
  return {
    namespace: vm.metadata.namespace ?? '',
    name: vm.metadata.name,
    ...(runStrategy === undefined ? {} : { runStrategy }),
    desiredPower: desiredPower(runStrategy),
    ...(status === undefined ? {} : { status }),
    size: vmSize(vm, sizes),
    ...(owner === undefined ? {} : { managedBy: owner }),
  };
}

export function vmiInfo(vmi: KubeObject): VmiInfo {
  const status = rec(vmi.status);
  const phase = str(status.phase);
  const node = str(status.nodeName);
  const ips = new Set<string>();
  for (const i of arr(status.interfaces).map(rec)) {
    const one = str(i.ipAddress);
    if (one !== undefined) ips.add(one);
    for (const ip of arr(i.ipAddresses)) if (typeof ip === 'string') ips.add(ip);
  }
  return {
    namespace: vmi.metadata.namespace ?? '',
    name: vmi.metadata.name,
    ...(phase === undefined ? {} : { phase }),
    ...(node === undefined ? {} : { node }),
    ips: [...ips],
  };
}

/** Everything listed from one cluster. KubeVirt lists are absent when the cluster lacks KubeVirt. */
export interface ClusterListing {
  readonly cluster: string;
  readonly nodes: readonly KubeObject[];
  readonly namespaces: readonly KubeObject[];
  readonly resourceQuotas: readonly KubeObject[];
  readonly deployments: readonly KubeObject[];
  readonly services: readonly KubeObject[];
  readonly pods: readonly KubeObject[];
  readonly kubevirt?: {
    readonly vms: readonly KubeObject[];
    readonly vmis: readonly KubeObject[];
    readonly clusterInstancetypes: readonly KubeObject[];
    readonly instancetypes: readonly KubeObject[];
  };
}

const byNsName = <T extends { readonly namespace: string; readonly name: string }>(a: T, b: T): number =>
  a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);

function countBy(items: readonly { readonly namespace: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i.namespace, (m.get(i.namespace) ?? 0) + 1);
  return m;
}

export function buildClusterInventory(l: ClusterListing): ClusterInventory {
  const pods = l.pods.map(podInfo).sort(byNsName);
  const kv = l.kubevirt;
  const sizes = kv === undefined ? new Map() : instancetypeSizes(kv.clusterInstancetypes, kv.instancetypes);
  const vms = (kv?.vms ?? []).map((v) => vmInfo(v, sizes)).sort(byNsName);
  const podCount = countBy(pods);
  const vmCount = countBy(vms);
  const quotas = new Map<string, QuotaUsage[]>();
  for (const rq of l.resourceQuotas) {
    const ns = rq.metadata.namespace ?? '';
    quotas.set(ns, [...(quotas.get(ns) ?? []), quotaUsage(rq)]);
  }
  const namespaces: NamespaceInfo[] = l.namespaces.map((ns) => {
    const phase = str(rec(ns.status).phase);
    const owner = managedBy(ns);
    return {
      name: ns.metadata.name,
      ...(phase === undefined ? {} : { phase }),
      ...(owner === undefined ? {} : { managedBy: owner }),
      quotas: (quotas.get(ns.metadata.name) ?? []).sort((a, b) => a.name.localeCompare(b.name)),
      pods: podCount.get(ns.metadata.name) ?? 0,
      vms: vmCount.get(ns.metadata.name) ?? 0,
    };
  }).sort((a, b) => a.name.localeCompare(b.name));
  return {
    cluster: l.cluster,
    kubevirt: kv !== undefined,
    nodes: l.nodes.map(nodeInfo).sort((a, b) => a.name.localeCompare(b.name)),
    namespaces,
    deployments: l.deployments.map(deploymentInfo).sort(byNsName),
    services: l.services.map(serviceInfo).sort(byNsName),
    pods,
    vms,
    vmis: (kv?.vmis ?? []).map(vmiInfo).sort(byNsName),
  };
}
