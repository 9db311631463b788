/**
 * Desired KubeVirt VirtualMachines: one per `/kontract/kubevirt/virtual-machine-1.yml` datafile, built from
 * its template plus overrides. Pure. What kontract sets (README.md, "What it sets"): labels, annotations,
 * `spec.runStrategy` (never `spec.running`), `spec.instancetype`/`spec.preference` as name + kind
 * (and then no CPU/memory in the domain), template metadata, disks/interfaces/volumes/networks
 * with matching names, and `spec.dataVolumeTemplates` for DataVolume disks.
 */
import type { AppInterfaceData, Namespace } from '../../app-interface/model.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { BlockedUnit, DesiredObject, DesiredState } from '../define-integration.js';
import { disabledClusters, externalNamespaces, METADATA_SOURCE_FIELDS } from '../tenant-namespaces.js';
import type {
  BootDisk, CatalogRef, DataVolumeSource, InstancetypeKind, PreferenceKind, RunStrategy, VirtualMachineData,
  VmCpu, VmDisk, VmInterface, VmMemory, VmNetwork, VmPower, VmTemplate,
} from '../../app-interface/kubevirt/vm-model.js';
import { BOOT_DISK_NAME, CLOUD_INIT_DISK_NAME } from '../../app-interface/kubevirt/vm-parse.js';
import { VAPP_LABEL } from '../../app-interface/kubevirt/vm-model.js';
import { at } from '../../app-interface/field-reader.js';
import { allVirtualMachines, vmField } from '../../app-interface/kubevirt/vapps.js';

export const VIRTUAL_MACHINES_INTEGRATION = 'virtual-machines';
/** Annotation naming the template datafile a VM was built from. */
export const TEMPLATE_ANNOTATION = 'kontract.io/vm-template';
/** The label KubeVirt examples put on VMs and their template (selects the VMI and its pod). */
export const VM_LABEL = 'kubevirt.io/vm';
export { VAPP_LABEL } from '../../app-interface/kubevirt/vm-model.js';
/** Annotation on a VM whose datafile says `powerState: suspended` (runStrategy Always, VMI paused). */
export const POWER_STATE_ANNOTATION = 'kontract.io/power-state';
/** Annotation carrying the datafile's `resetRequested`. */
export const RESET_REQUESTED_ANNOTATION = 'kontract.io/reset-requested';
/** Annotation present when the datafile says `restartOnResize: true`. */
export const RESTART_ON_RESIZE_ANNOTATION = 'kontract.io/restart-on-resize';

/** `powerState`/`runStrategy` of a datafile → `spec.runStrategy`. */
export function runStrategyOf(power: VmPower): RunStrategy {
  if ('runStrategy' in power) return power.runStrategy;
  // A suspended VM runs: its VMI is paused (power.ts), which needs a running VMI.
  return power.powerState === 'stopped' ? 'Halted' : 'Always';
}

/** The VM with everything resolved: what the object is rendered from. */
export interface ResolvedVm {
  readonly vm: VirtualMachineData;
  readonly template: VmTemplate;
  readonly namespace: string;
  readonly cluster: string;
  readonly instancetype?: { readonly name: string; readonly kind: InstancetypeKind };
  readonly preference?: { readonly name: string; readonly kind: PreferenceKind };
  readonly cpu?: VmCpu;
  readonly memory?: VmMemory;
  readonly bootDisk: BootDisk;
  readonly networks: readonly VmNetwork[];
  readonly interfaces: readonly VmInterface[];
}

type Report = (file: string, field: string, message: string) => void;

function resolveCatalog<K extends string>(
  ref: CatalogRef<K> | undefined,
  catalog: ReadonlyMap<string, string>,
  clusterKind: K,
  where: { file: string; field: string; what: string },
  report: Report,
): { name: string; kind: K } | undefined | null {
  if (ref === undefined) return undefined;
  if ('name' in ref) return { name: ref.name, kind: ref.kind };
  const name = catalog.get(ref.ref);
  if (name === undefined) {
    report(where.file, where.field, `unknown ${where.what} ${ref.ref} (no such datafile)`);
    return null;
  }
  return { name, kind: clusterKind };
}

/** Template + overrides → sizing, or problems (KubeVirt: instancetype excludes guest CPU/memory). */
function resolveSizing(vm: VirtualMachineData, tpl: VmTemplate, data: AppInterfaceData, report: Report): Pick<ResolvedVm, 'instancetype' | 'preference' | 'cpu' | 'memory'> | undefined {
  const ov = vm.overrides;
  const itCatalog = new Map((data.instancetypes ?? []).map((i) => [i.path, i.name]));
  const prefCatalog = new Map((data.preferences ?? []).map((p) => [p.path, p.name]));
  let ok = true;
  const fromOv = ov.instancetype !== undefined;
  const itRef = ov.instancetype ?? ((ov.cpu ?? ov.memory) === undefined ? tpl.instancetype : undefined);
  if (!fromOv && tpl.instancetype !== undefined && (ov.cpu !== undefined || ov.memory !== undefined)) {
    const field = ov.cpu !== undefined ? 'overrides.cpu' : 'overrides.memory';
    report(vm.path, field, `cannot be combined with instancetype: template ${tpl.path} sizes the VM with an instancetype (KubeVirt rejects guest CPU/memory next to an instancetype); override instancetype instead`);
    ok = false;
  }
  const itFile = fromOv ? vm.path : tpl.path;
  const itField = fromOv ? 'overrides.instancetype' : 'instancetype';
  const instancetype = resolveCatalog(itRef, itCatalog, 'VirtualMachineClusterInstancetype', { file: itFile, field: itField, what: 'instancetype' }, report);
  const prefFromOv = ov.preference !== undefined;
  const preference = resolveCatalog(ov.preference ?? tpl.preference, prefCatalog, 'VirtualMachineClusterPreference',
    { file: prefFromOv ? vm.path : tpl.path, field: prefFromOv ? 'overrides.preference' : 'preference', what: 'preference' }, report);
  if (instancetype === null || preference === null || !ok) return undefined;
  if (instancetype !== undefined) {
    return { instancetype, ...(preference === undefined ? {} : { preference }) };
  }
  const cpu = ov.cpu ?? tpl.cpu;
  const memory = ov.memory ?? tpl.memory;
  if (memory === undefined) {
    report(vm.path, 'overrides.memory', `is required: neither template ${tpl.path} nor the VM sets an instancetype or memory`);
    return undefined;
  }
  return { memory, ...(cpu === undefined ? {} : { cpu }), ...(preference === undefined ? {} : { preference }) };
}

function defaultInterface(n: VmNetwork): VmInterface {
  return { name: n.name, binding: n.type === 'pod' ? 'masquerade' : 'bridge' };
}

/** Interfaces and networks must pair up by name; masquerade only on the pod network. */
function resolveInterfaces(vm: VirtualMachineData, networks: readonly VmNetwork[], networksFrom: string, report: Report): VmInterface[] | undefined {
  if (vm.interfaces === undefined) return networks.map(defaultInterface);
  let ok = true;
  const byName = new Map(networks.map((n) => [n.name, n]));
  const seen = new Set<string>();
  vm.interfaces.forEach((iface, i) => {
    const net = byName.get(iface.name);
    if (net === undefined) {
      report(vm.path, at(at('interfaces', i), 'name'), `no network named '${iface.name}' (networks${networksFrom}: ${networks.map((n) => n.name).join(', ') || 'none'}); interface and network names must match`);
      ok = false;
    } else if (iface.binding === 'masquerade' && net.type !== 'pod') {
      report(vm.path, at(at('interfaces', i), 'binding'), `masquerade binding is only valid on the pod network; '${iface.name}' is a multus network (use bridge)`);
      ok = false;
    }
    if (seen.has(iface.name)) {
      report(vm.path, at(at('interfaces', i), 'name'), `interface '${iface.name}' is listed twice`);
      ok = false;
    }
    seen.add(iface.name);
  });
  for (const n of networks) {
    if (!seen.has(n.name)) {
      report(vm.path, 'interfaces', `network '${n.name}'${networksFrom} has no interface; interface and network names must match`);
      ok = false;
    }
  }
  return ok ? [...vm.interfaces] : undefined;
}

function resolveVm(vm: VirtualMachineData, ns: Namespace, tpl: VmTemplate, data: AppInterfaceData, report: Report): ResolvedVm | undefined {
  const sizing = resolveSizing(vm, tpl, data, report);
  const networks = vm.networks ?? tpl.networks;
  const from = vm.networks === undefined ? ` from template ${tpl.path}` : '';
  const interfaces = resolveInterfaces(vm, networks, from, report);
  if (sizing === undefined || interfaces === undefined) return undefined;
  return {
    vm, template: tpl, namespace: ns.name, cluster: ns.cluster, ...sizing,
    bootDisk: vm.overrides.bootDisk ?? tpl.bootDisk, networks, interfaces,
  };
}

function dataVolumeName(vm: string, disk: string): string {
  return `${vm}-${disk}`;
}

function dataVolumeSourceSpec(s: DataVolumeSource): Record<string, unknown> {
  switch (s.type) {
    case 'http': return { http: { url: s.url } };
    case 'registry': return { registry: { url: s.url } };
    case 'pvc': return { pvc: { namespace: s.namespace, name: s.name } };
  }
}

interface DiskParts {
  readonly disk: Record<string, unknown>;
  readonly volume: Record<string, unknown>;
  readonly dataVolumeTemplate?: Record<string, unknown>;
}

function diskParts(vmName: string, d: VmDisk): DiskParts {
  const disk = { name: d.name, disk: { bus: d.bus } };
  const s = d.source;
  switch (s.type) {
    case 'containerDisk':
      return { disk, volume: { name: d.name, containerDisk: { image: s.image } } };
    case 'persistentVolumeClaim':
      return { disk, volume: { name: d.name, persistentVolumeClaim: { claimName: s.claimName } } };
    case 'dataVolume': {
      const dvName = dataVolumeName(vmName, d.name);
      const storage: Record<string, unknown> = { resources: { requests: { storage: s.size } } };
      if (s.storageClassName !== undefined) storage.storageClassName = s.storageClassName;
      return {
        disk,
        volume: { name: d.name, dataVolume: { name: dvName } },
        dataVolumeTemplate: { metadata: { name: dvName }, spec: { storage, source: dataVolumeSourceSpec(s.source) } },
      };
    }
  }
}

/** The VirtualMachine object of a resolved VM (before ownership marks). */
export function virtualMachineObject(r: ResolvedVm): KubeObject {
  const { vm } = r;
  const allDisks: VmDisk[] = [{ name: BOOT_DISK_NAME, ...r.bootDisk }, ...vm.disks];
  const parts = allDisks.map((d) => diskParts(vm.name, d));
  const disks = parts.map((p) => p.disk);
  const volumes = parts.map((p) => p.volume);
  if (vm.cloudInit !== undefined) {
    disks.push({ name: CLOUD_INIT_DISK_NAME, disk: { bus: 'virtio' } });
    volumes.push({ name: CLOUD_INIT_DISK_NAME, cloudInitNoCloud: { secretRef: { name: vm.cloudInit.userDataSecretName } } });
  }
  const dataVolumeTemplates = parts.flatMap((p) => (p.dataVolumeTemplate === undefined ? [] : [p.dataVolumeTemplate]));
  const interfaces = r.interfaces.map((i) => ({
    name: i.name,
    [i.binding]: {},
    ...(i.macAddress === undefined ? {} : { macAddress: i.macAddress }),
  }));
  const networks = r.networks.map((n) => (n.type === 'pod' ? { name: n.name, pod: {} } : { name: n.name, multus: { networkName: n.networkName } }));
  const devices: Record<string, unknown> = { disks, interfaces };
  // Without networks KubeVirt would still attach a pod interface; the datafile said none.
  if (r.networks.length === 0) devices.autoattachPodInterface = false;
  const domain: Record<string, unknown> = { devices };
  if (r.instancetype === undefined) {
    if (r.cpu !== undefined) domain.cpu = { cores: r.cpu.cores };
    if (r.memory !== undefined) domain.memory = { guest: r.memory.guest };
  }
  const spec: Record<string, unknown> = { runStrategy: runStrategyOf(vm.power) };
  if (r.instancetype !== undefined) spec.instancetype = { name: r.instancetype.name, kind: r.instancetype.kind };
  if (r.preference !== undefined) spec.preference = { name: r.preference.name, kind: r.preference.kind };
  if (dataVolumeTemplates.length > 0) spec.dataVolumeTemplates = dataVolumeTemplates;
  const labels = { ...vm.labels, ...(vm.vapp === undefined ? {} : { [VAPP_LABEL]: vm.vapp.name }), [VM_LABEL]: vm.name };
  spec.template = {
    metadata: { labels },
    spec: { domain, networks, volumes },
  };
  const annotations: Record<string, string> = { ...vm.annotations, [TEMPLATE_ANNOTATION]: r.template.path };
  if ('powerState' in vm.power && vm.power.powerState === 'suspended') annotations[POWER_STATE_ANNOTATION] = 'suspended';
  if (vm.resetRequested !== undefined) annotations[RESET_REQUESTED_ANNOTATION] = vm.resetRequested;
  if (vm.restartOnResize === true) annotations[RESTART_ON_RESIZE_ANNOTATION] = 'true';
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: vm.name, namespace: r.namespace, labels: { ...labels }, annotations },
    spec,
  };
}

/**
 * Desired VirtualMachines of the whole app-interface. A VM whose namespace is known but which
 * cannot be built (sizing, interfaces, disks, a duplicate) is a blocked unit: its namespace's VMs
 * on its cluster are withheld and the rest converge. Problems without a known namespace abort.
 */
export function desiredVirtualMachines(data: AppInterfaceData): DesiredState {
  const problems: ValidationProblem[] = [];
  const blocked: BlockedUnit[] = [];
  let sink = problems;
  let current: VirtualMachineData | undefined;
  // A VM of a vApp is reported in the vApp's file, under its entry (`vms[1].overrides.cpu`).
  const report: Report = (file, field, message) => {
    sink.push({ file, field: current !== undefined && file === current.path ? vmField(current, field) : field, message });
  };
  const templates = new Map((data.vmTemplates ?? []).map((t) => [t.path, t]));
  const namespaces = new Map(data.namespaces.map((n) => [n.path, n]));
  const disabled = disabledClusters(data, VIRTUAL_MACHINES_INTEGRATION);
  const seen = new Map<string, string>();
  const objects: DesiredObject[] = [];
  const deletedVapps = new Set((data.vapps ?? []).filter((a) => a.delete).map((a) => a.path));
  for (const vm of allVirtualMachines(data)) {
    current = vm;
    const ns = namespaces.get(vm.namespace);
    const tpl = templates.get(vm.template);
    if (ns === undefined) report(vm.path, 'namespace', `unknown namespace ${vm.namespace} (no namespace datafile at that path)`);
    if (ns === undefined) continue;
    if (ns.managedByExternal) {
      report(vm.path, 'namespace', `namespace ${ns.name} on cluster ${ns.cluster} is managedByExternal: kontract manages nothing in it`);
      continue;
    }
    const own: ValidationProblem[] = [];
    sink = own;
    if (tpl === undefined) report(vm.path, 'template', `unknown template ${vm.template} (no /kontract/kubevirt/vm-template-1.yml datafile at that path)`);
    const key = `${ns.cluster}/${ns.name}/${vm.name}`;
    const first = seen.get(key);
    if (first !== undefined) report(vm.path, 'name', `virtual machine ${vm.name} in namespace ${ns.name} on cluster ${ns.cluster} is already declared in ${first}`);
    else seen.set(key, vm.path);
    const resolved = tpl === undefined || first !== undefined ? undefined : resolveVm(vm, ns, tpl, data, report);
    sink = problems;
    if (own.length > 0) {
      blocked.push({ unit: `virtual machine ${ns.name}/${vm.name}`, cluster: ns.cluster, namespaces: [ns.name], problems: own });
      continue;
    }
    // A namespace being deleted takes its VMs with it, a vApp with `delete: true` its own; a
    // disabled cluster is not managed.
    if (resolved === undefined || ns.delete || deletedVapps.has(vm.path) || disabled.has(ns.cluster)) continue;
    objects.push({ cluster: ns.cluster, object: virtualMachineObject(resolved), source: vm.path, sourceFields: METADATA_SOURCE_FIELDS });
  }
  return { objects, problems, blocked, excludedNamespaces: externalNamespaces(data) };
}
