/**
 * KubeVirt VirtualMachines and VirtualMachineInstances and CDI DataVolumes as inventory records.
 * Pure. Volume sources are named by type only (plus the DataVolume / claim name or container disk
 * image): cloud-init user data and the like are never read out.
 */
import type { KubeObject } from '../core/k8s-object.js';
import {
  arr, conditionStatus, controllerOf, managedBy, opt, quantity, quantityString, rec, str,
} from './fields.js';
import { VAPP_LABEL } from '../app-interface/kubevirt/vm-model.js';
import type { DataVolumeInfo, VmDisk, VmInfo, VmInterface, VmiInfo, VmSize } from './types.js';

/** Sizes of the instancetypes a cluster serves, by `name` (cluster) or `namespace/name`. */
export type InstancetypeSizes = ReadonlyMap<string, { readonly cpu?: number; readonly memory?: string }>;

export function instancetypeSizes(clusterScoped: readonly KubeObject[], namespaced: readonly KubeObject[]): InstancetypeSizes {
  const out = new Map<string, { cpu?: number; memory?: string }>();
  const size = (o: KubeObject): { cpu?: number; memory?: string } => {
    const spec = rec(o.spec);
    const cpu = rec(spec.cpu).guest;
    return { ...opt('cpu', typeof cpu === 'number' ? cpu : undefined), ...opt('memory', quantityString(rec(spec.memory).guest)) };
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
  return { ...(hasCpu ? { cpu: n(cpu.cores) * n(cpu.sockets) * n(cpu.threads) } : {}), ...opt('memory', memory) };
}

const DEVICE_TYPES = ['disk', 'cdrom', 'lun'] as const;
const REF_OF: Readonly<Record<string, (v: Record<string, unknown>) => string | undefined>> = {
  dataVolume: (v) => str(v.name),
  persistentVolumeClaim: (v) => str(v.claimName),
  containerDisk: (v) => str(v.image),
};

function vmDisks(templateSpec: Record<string, unknown>): VmDisk[] {
  const volumes = new Map(arr(templateSpec.volumes).map(rec).map((v) => [str(v.name) ?? '', v]));
  return arr(rec(rec(templateSpec.domain).devices).disks).map(rec).map((d) => {
    const name = str(d.name) ?? '';
    const device = DEVICE_TYPES.find((t) => t in d) ?? 'disk';
    const volume = volumes.get(name) ?? {};
    const source = Object.keys(volume).find((k) => k !== 'name');
    const ref = source === undefined ? undefined : REF_OF[source]?.(rec(volume[source]));
    return { name, device, ...opt('bus', str(rec(d[device]).bus)), ...opt('source', source), ...opt('ref', ref) };
  });
}

const BINDINGS = ['masquerade', 'bridge', 'sriov', 'slirp', 'passt'] as const;

function vmInterfaces(templateSpec: Record<string, unknown>): VmInterface[] {
  const networks = new Map(arr(templateSpec.networks).map(rec).map((n) => [str(n.name) ?? '', n]));
  return arr(rec(rec(templateSpec.domain).devices).interfaces).map(rec).map((i) => {
    const name = str(i.name) ?? '';
    const binding = BINDINGS.find((b) => b in i) ?? str(rec(i.binding).name);
    const net = networks.get(name);
    const network = net === undefined ? undefined : 'pod' in net ? 'pod' : 'multus' in net ? `multus:${str(rec(net.multus).networkName) ?? ''}` : undefined;
    return { name, ...opt('binding', binding), ...opt('network', network), ...opt('macAddress', str(i.macAddress)) };
  });
}

export function guestOS(vmi: KubeObject | undefined): string | undefined {
  const info = rec(rec(vmi?.status).guestOSInfo);
  const pretty = str(info.prettyName);
  return pretty !== undefined && pretty !== '' ? pretty : str(info.name) === '' ? undefined : str(info.name);
}

export function vmInfo(vm: KubeObject, sizes: InstancetypeSizes, vmi: KubeObject | undefined): VmInfo {
  const spec = rec(vm.spec);
  const status = rec(vm.status);
  // `spec.running` is deprecated but still found on older VMs: read it as Always/Halted.
  const runStrategy = str(spec.runStrategy) ?? (typeof spec.running === 'boolean' ? (spec.running ? 'Always' : 'Halted') : undefined);
  const templateSpec = rec(rec(spec.template).spec);
  return {
    namespace: vm.metadata.namespace ?? '',
    name: vm.metadata.name,
    ...opt('uid', str(vm.metadata.uid)),
    ...opt('runStrategy', runStrategy),
    desiredPower: desiredPower(runStrategy),
    ...opt('status', str(status.printableStatus)),
    ...opt('ready', typeof status.ready === 'boolean' ? status.ready : undefined),
    size: vmSize(vm, sizes),
    disks: vmDisks(templateSpec),
    interfaces: vmInterfaces(templateSpec),
    ...opt('node', str(rec(vmi?.status).nodeName)),
    ...opt('vmiUid', str(vmi?.metadata.uid)),
    ...opt('guestOS', guestOS(vmi)),
    ...opt('managedBy', managedBy(vm)),
    ...opt('vapp', vm.metadata.labels?.[VAPP_LABEL]),
  };
}

/** The VM owning a VMI: its VirtualMachine controller ownerReference. */
export function vmOfVmi(vmi: KubeObject): string | undefined {
  const c = controllerOf(vmi);
  return c?.kind === 'VirtualMachine' ? c.name : undefined;
}

export function vmiInfo(vmi: KubeObject, vmNames: ReadonlySet<string>): VmiInfo {
  const status = rec(vmi.status);
  const ips = new Set<string>();
  for (const i of arr(status.interfaces).map(rec)) {
    const one = str(i.ipAddress);
    if (one !== undefined) ips.add(one);
    for (const ip of arr(i.ipAddresses)) if (typeof ip === 'string') ips.add(ip);
  }
  const ns = vmi.metadata.namespace ?? '';
  const vm = vmOfVmi(vmi) ?? (vmNames.has(`${ns}/${vmi.metadata.name}`) ? vmi.metadata.name : undefined);
  return {
    namespace: ns,
    name: vmi.metadata.name,
    ...opt('uid', str(vmi.metadata.uid)),
    ...opt('vm', vm),
    ...opt('phase', str(status.phase)),
    ...opt('node', str(status.nodeName)),
    ips: [...ips],
    ...opt('ready', conditionStatus(status, 'Ready')),
    ...opt('liveMigratable', conditionStatus(status, 'LiveMigratable')),
    ...opt('guestOS', guestOS(vmi)),
  };
}

export function dataVolumeInfo(dv: KubeObject): DataVolumeInfo {
  const spec = rec(dv.spec);
  const status = rec(dv.status);
  const sourceKey = Object.keys(rec(spec.source))[0];
  const sourceRef = str(rec(spec.sourceRef).kind);
  const storage = rec(spec.storage);
  const pvc = rec(spec.pvc);
  const owner = controllerOf(dv);
  return {
    namespace: dv.metadata.namespace ?? '',
    name: dv.metadata.name,
    ...opt('phase', str(status.phase)),
    ...opt('progress', str(status.progress)),
    ...opt('source', sourceKey ?? (sourceRef === undefined ? undefined : `sourceRef:${sourceRef}`)),
    ...opt('size', quantity(rec(rec(storage.resources).requests).storage ?? rec(rec(pvc.resources).requests).storage)),
    ...opt('storageClass', str(storage.storageClassName) ?? str(pvc.storageClassName)),
    ...opt('vm', owner?.kind === 'VirtualMachine' ? owner.name : undefined),
  };
}
