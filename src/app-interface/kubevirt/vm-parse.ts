/**
 * Parses `/kontract/kubevirt/vm-template-1.yml` and `/kontract/kubevirt/virtual-machine-1.yml` datafiles (as loaded
 * YAML, `unknown`) into the model, collecting every problem with its file and field. Rules that
 * need other datafiles (the template exists, the merged VM is consistent) live in the
 * virtual-machines integration (src/integrations/virtual-machines/desired.ts).
 */
import type {
  BootDisk, CatalogRef, DataVolumeSource, DiskBus, DiskSource, ExplicitRunStrategy, InstancetypeKind, PowerState,
  PreferenceKind, VirtualMachineData, VmCpu, VmDisk, VmInterface, VmMemory, VmNetwork, VmPower, VmTemplate,
  VmTemplateFields,
} from './vm-model.js';
import type { ParseResult, RawObject } from '../field-reader.js';
import { DNS_LABEL, DNS_LABEL_HINT, DNS_SUBDOMAIN, DNS_SUBDOMAIN_HINT, FieldReader, at, readerResult } from '../field-reader.js';

/** Names kontract gives the disks it generates. */
export const BOOT_DISK_NAME = 'rootdisk';
export const CLOUD_INIT_DISK_NAME = 'cloudinitdisk';

const INSTANCETYPE_KINDS: readonly InstancetypeKind[] = ['VirtualMachineClusterInstancetype', 'VirtualMachineInstancetype'];
const PREFERENCE_KINDS: readonly PreferenceKind[] = ['VirtualMachineClusterPreference', 'VirtualMachinePreference'];
const BUSES: readonly DiskBus[] = ['virtio', 'sata', 'scsi'];
/** Datafile power values: `on`/`off` are the vApp words, `running`/`stopped` the older VM ones. */
export const POWER_VALUES: Readonly<Record<string, PowerState>> = { on: 'running', running: 'running', off: 'stopped', stopped: 'stopped', suspended: 'suspended' };
/** RFC 3339 date-time, as `resetRequested` is written (`2026-11-29T09:00:00Z`). */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
export const RFC3339_HINT = 'an RFC 3339 time like 2026-11-29T09:00:00Z';
const EXPLICIT_RUN_STRATEGIES: readonly ExplicitRunStrategy[] = ['Manual', 'RerunOnFailure', 'Once'];
const MAC = /^(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;
const REGISTRY_URL = /^(?:docker|oci-archive):\/\/\S+$/;
const HTTP_URL = /^https?:\/\/\S+$/;
/** `name` or `namespace/name` of a NetworkAttachmentDefinition. */
const NAD_NAME = /^(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\/)?[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$/;

export const TEMPLATE_SIZING_KEYS = ['instancetype', 'preference', 'cpu', 'memory', 'bootDisk'] as const;

const result = readerResult;

function fail(r: FieldReader): ParseResult<never> {
  // Every path that gives up has reported why; readerResult keeps the result honest regardless.
  return readerResult<never>(r, undefined);
}

function catalogRef<K extends string>(r: FieldReader, value: unknown, field: string, kinds: readonly K[]): CatalogRef<K> | undefined {
  const o = r.object(value, field, false);
  if (o === undefined) return undefined;
  if ('$ref' in o) {
    r.onlyKeys(o, ['$ref'], field);
    const path = r.refValue(o, field, true);
    return path === undefined ? undefined : { ref: path };
  }
  r.onlyKeys(o, ['name', 'kind'], field);
  const name = r.string(o, 'name', field, { required: true, pattern: DNS_SUBDOMAIN, hint: DNS_SUBDOMAIN_HINT });
  const kind = o.kind === undefined ? kinds[0] : r.oneOf(o, 'kind', field, kinds);
  return name === undefined || kind === undefined ? undefined : { name, kind };
}

function cpu(r: FieldReader, value: unknown, field: string): VmCpu | undefined {
  const o = r.object(value, field, false);
  if (o === undefined) return undefined;
  r.onlyKeys(o, ['cores'], field);
  const cores = r.integer(o, 'cores', field, { required: true, min: 1 });
  return cores === undefined ? undefined : { cores };
}

function memory(r: FieldReader, value: unknown, field: string): VmMemory | undefined {
  const o = r.object(value, field, false);
  if (o === undefined) return undefined;
  r.onlyKeys(o, ['guest'], field);
  const guest = r.quantity(o, 'guest', field, { required: true });
  return guest === undefined ? undefined : { guest };
}

function dataVolumeSource(r: FieldReader, value: unknown, field: string): DataVolumeSource | undefined {
  const o = r.object(value, field);
  if (o === undefined) return undefined;
  const kinds = ['http', 'registry', 'pvc'].filter((k) => o[k] !== undefined);
  r.onlyKeys(o, ['http', 'registry', 'pvc'], field);
  if (kinds.length !== 1) {
    r.report(field, `needs exactly one of http, registry, pvc (got ${kinds.length === 0 ? 'none' : kinds.join(' and ')})`);
    return undefined;
  }
  const kind = kinds[0];
  const inner = r.object(o[kind ?? ''], at(field, kind ?? ''));
  if (inner === undefined) return undefined;
  const f = at(field, kind ?? '');
  if (kind === 'pvc') {
    r.onlyKeys(inner, ['namespace', 'name'], f);
    const namespace = r.string(inner, 'namespace', f, { required: true, pattern: DNS_LABEL, hint: DNS_LABEL_HINT });
    const name = r.string(inner, 'name', f, { required: true, pattern: DNS_SUBDOMAIN, hint: DNS_SUBDOMAIN_HINT });
    return namespace === undefined || name === undefined ? undefined : { type: 'pvc', namespace, name };
  }
  r.onlyKeys(inner, ['url'], f);
  const url = kind === 'http'
    ? r.string(inner, 'url', f, { required: true, pattern: HTTP_URL, hint: 'an http:// or https:// URL' })
    : r.string(inner, 'url', f, { required: true, pattern: REGISTRY_URL, hint: 'docker://<image> or oci-archive://<file>' });
  if (url === undefined) return undefined;
  return kind === 'http' ? { type: 'http', url } : { type: 'registry', url };
}

const DISK_SOURCES = ['containerDisk', 'dataVolume', 'persistentVolumeClaim'] as const;

function diskSource(r: FieldReader, o: RawObject, field: string): DiskSource | undefined {
  const kinds = DISK_SOURCES.filter((k) => o[k] !== undefined);
  if (kinds.length !== 1) {
    r.report(field, `needs exactly one source of ${DISK_SOURCES.join(', ')} (got ${kinds.length === 0 ? 'none' : kinds.join(' and ')})`);
    return undefined;
  }
  const kind = kinds[0] ?? 'containerDisk';
  const f = at(field, kind);
  const inner = r.object(o[kind], f);
  if (inner === undefined) return undefined;
  switch (kind) {
    case 'containerDisk': {
      r.onlyKeys(inner, ['image'], f);
      const image = r.string(inner, 'image', f, { required: true, pattern: /^\S+$/, hint: 'an image reference' });
      return image === undefined ? undefined : { type: 'containerDisk', image };
    }
    case 'persistentVolumeClaim': {
      r.onlyKeys(inner, ['claimName'], f);
      const claimName = r.string(inner, 'claimName', f, { required: true, pattern: DNS_SUBDOMAIN, hint: DNS_SUBDOMAIN_HINT });
      return claimName === undefined ? undefined : { type: 'persistentVolumeClaim', claimName };
    }
    case 'dataVolume': {
      r.onlyKeys(inner, ['size', 'storageClassName', 'source'], f);
      const size = r.quantity(inner, 'size', f, { required: true });
      const storageClassName = r.string(inner, 'storageClassName', f, { pattern: DNS_SUBDOMAIN, hint: DNS_SUBDOMAIN_HINT });
      const source = dataVolumeSource(r, inner.source, at(f, 'source'));
      if (size === undefined || source === undefined) return undefined;
      return { type: 'dataVolume', size, source, ...(storageClassName === undefined ? {} : { storageClassName }) };
    }
  }
}

function bootDisk(r: FieldReader, value: unknown, field: string, required: boolean): BootDisk | undefined {
  const o = r.object(value, field, required);
  if (o === undefined) return undefined;
  r.onlyKeys(o, ['bus', ...DISK_SOURCES], field);
  const bus = o.bus === undefined ? 'virtio' : r.oneOf(o, 'bus', field, BUSES);
  const source = diskSource(r, o, field);
  return bus === undefined || source === undefined ? undefined : { bus, source };
}

function networks(r: FieldReader, list: readonly unknown[] | undefined, field: string): VmNetwork[] | undefined {
  if (list === undefined) return undefined;
  const out: VmNetwork[] = [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const f = at(field, i);
    const o = r.object(item, f);
    if (o === undefined) return;
    r.onlyKeys(o, ['name', 'pod', 'multus'], f);
    const name = r.string(o, 'name', f, { required: true, pattern: DNS_LABEL, hint: DNS_LABEL_HINT });
    if (name !== undefined && seen.has(name)) r.report(at(f, 'name'), `network '${name}' is listed twice`);
    if (name !== undefined) seen.add(name);
    const hasPod = o.pod !== undefined;
    const hasMultus = o.multus !== undefined;
    if (hasPod === hasMultus) {
      r.report(f, 'needs exactly one of pod: {} (the pod network) or multus: {networkName} (a NetworkAttachmentDefinition)');
      return;
    }
    if (hasPod) {
      const pod = r.object(o.pod, at(f, 'pod'));
      if (pod !== undefined) r.onlyKeys(pod, [], at(f, 'pod'));
      if (name !== undefined) out.push({ name, type: 'pod' });
      return;
    }
    const multus = r.object(o.multus, at(f, 'multus'));
    if (multus === undefined) return;
    r.onlyKeys(multus, ['networkName'], at(f, 'multus'));
    const networkName = r.string(multus, 'networkName', at(f, 'multus'), { required: true, pattern: NAD_NAME, hint: 'a NetworkAttachmentDefinition name or namespace/name' });
    if (name !== undefined && networkName !== undefined) out.push({ name, type: 'multus', networkName });
  });
  const pods = out.filter((n) => n.type === 'pod');
  if (pods.length > 1) r.report(field, `at most one pod network is allowed, got ${pods.map((n) => n.name).join(', ')}`);
  return out;
}

export function templateFields(r: FieldReader, o: RawObject, base: string, bootDiskRequired: boolean): VmTemplateFields {
  const instancetype = catalogRef(r, o.instancetype, at(base, 'instancetype'), INSTANCETYPE_KINDS);
  const preference = catalogRef(r, o.preference, at(base, 'preference'), PREFERENCE_KINDS);
  const c = cpu(r, o.cpu, at(base, 'cpu'));
  const m = memory(r, o.memory, at(base, 'memory'));
  const disk = bootDisk(r, o.bootDisk, at(base, 'bootDisk'), bootDiskRequired);
  // KubeVirt rejects a VM whose instancetype is combined with guest CPU or memory settings.
  if (o.instancetype !== undefined && o.instancetype !== null) {
    for (const key of ['cpu', 'memory'] as const) {
      if (o[key] !== undefined && o[key] !== null) {
        r.report(at(base, key), `cannot be combined with instancetype: the instancetype sets CPU and memory (KubeVirt rejects both together)`);
      }
    }
  }
  return {
    ...(instancetype === undefined ? {} : { instancetype }),
    ...(preference === undefined ? {} : { preference }),
    ...(c === undefined ? {} : { cpu: c }),
    ...(m === undefined ? {} : { memory: m }),
    ...(disk === undefined ? {} : { bootDisk: disk }),
  };
}

/** `/kontract/kubevirt/vm-template-1.yml` */
export function parseVmTemplate(path: string, raw: unknown): ParseResult<VmTemplate> {
  const r = new FieldReader(path);
  const o = r.object(raw, '');
  if (o === undefined) return fail(r);
  r.onlyKeys(o, ['$schema', 'name', 'description', ...TEMPLATE_SIZING_KEYS, 'networks', 'labels'], '');
  const name = r.string(o, 'name', '', { required: true, pattern: DNS_SUBDOMAIN, hint: DNS_SUBDOMAIN_HINT });
  const description = r.string(o, 'description', '') ?? '';
  const fields = templateFields(r, o, '', true);
  if (o.instancetype === undefined && o.memory === undefined) {
    r.report('memory', 'is required when no instancetype is set (a VM needs a size: instancetype, or cpu + memory)');
  }
  const nets = networks(r, r.array(o, 'networks', ''), 'networks') ?? [{ name: 'default', type: 'pod' as const }];
  const labels = r.labels(o, 'labels', '');
  if (name === undefined || fields.bootDisk === undefined) return fail(r);
  return result(r, { path, name, description, ...fields, bootDisk: fields.bootDisk, networks: nets, labels });
}

function disks(r: FieldReader, list: readonly unknown[] | undefined, field: string): VmDisk[] {
  const out: VmDisk[] = [];
  const seen = new Set<string>();
  (list ?? []).forEach((item, i) => {
    const f = at(field, i);
    const o = r.object(item, f);
    if (o === undefined) return;
    r.onlyKeys(o, ['name', 'bus', ...DISK_SOURCES], f);
    const name = r.string(o, 'name', f, { required: true, pattern: DNS_LABEL, hint: DNS_LABEL_HINT });
    if (name === BOOT_DISK_NAME || name === CLOUD_INIT_DISK_NAME) {
      r.report(at(f, 'name'), `'${name}' is reserved for the disk kontract generates (boot disk / cloud-init)`);
      return;
    }
    if (name !== undefined && seen.has(name)) r.report(at(f, 'name'), `disk '${name}' is listed twice`);
    if (name !== undefined) seen.add(name);
    const bus = o.bus === undefined ? 'virtio' : r.oneOf(o, 'bus', f, BUSES);
    const source = diskSource(r, o, f);
    if (name !== undefined && bus !== undefined && source !== undefined) out.push({ name, bus, source });
  });
  return out;
}

function interfaces(r: FieldReader, list: readonly unknown[] | undefined, field: string): VmInterface[] | undefined {
  if (list === undefined) return undefined;
  const out: VmInterface[] = [];
  list.forEach((item, i) => {
    const f = at(field, i);
    const o = r.object(item, f);
    if (o === undefined) return;
    r.onlyKeys(o, ['name', 'binding', 'macAddress'], f);
    const name = r.string(o, 'name', f, { required: true, pattern: DNS_LABEL, hint: DNS_LABEL_HINT });
    const binding = r.oneOf(o, 'binding', f, ['masquerade', 'bridge'] as const);
    const macAddress = r.string(o, 'macAddress', f, { pattern: MAC, hint: 'a MAC address like 02:00:00:00:00:01' });
    if (name !== undefined && binding !== undefined) out.push({ name, binding, ...(macAddress === undefined ? {} : { macAddress }) });
  });
  return out;
}

function power(r: FieldReader, o: RawObject): VmPower {
  const hasPower = o.powerState !== undefined && o.powerState !== null;
  const hasStrategy = o.runStrategy !== undefined && o.runStrategy !== null;
  if (hasPower && hasStrategy) {
    r.report('runStrategy', 'runStrategy and powerState are mutually exclusive: use powerState (running|stopped) or runStrategy (Manual|RerunOnFailure|Once)');
    return { powerState: 'running' };
  }
  if (hasStrategy) {
    if (o.runStrategy === 'Always' || o.runStrategy === 'Halted') {
      r.report('runStrategy', `write powerState: ${o.runStrategy === 'Always' ? 'running' : 'stopped'} instead of runStrategy: ${o.runStrategy}`);
      return { powerState: 'running' };
    }
    const runStrategy = r.oneOf(o, 'runStrategy', '', EXPLICIT_RUN_STRATEGIES);
    return runStrategy === undefined ? { powerState: 'running' } : { runStrategy };
  }
  const value = hasPower ? r.oneOf(o, 'powerState', '', Object.keys(POWER_VALUES)) : 'running';
  return { powerState: POWER_VALUES[value ?? 'running'] ?? 'running' };
}

function cloudInit(r: FieldReader, value: unknown): VirtualMachineData['cloudInit'] {
  const o = r.object(value, 'cloudInit', false);
  if (o === undefined) return undefined;
  let inlined = false;
  for (const inline of ['userData', 'userDataBase64', 'networkData', 'networkDataBase64']) {
    if (o[inline] !== undefined) {
      inlined = true;
      r.report(at('cloudInit', inline), 'inline cloud-init data is not allowed (it would be stored in clear in the app-interface and in the VirtualMachine object): put it in a Secret in the VM namespace and reference it with cloudInit.secretRef.name');
    }
  }
  r.onlyKeys(o, ['secretRef', 'userData', 'userDataBase64', 'networkData', 'networkDataBase64'], 'cloudInit');
  // With inline data the one problem above says it all; no second "secretRef is required".
  const ref = r.object(o.secretRef, 'cloudInit.secretRef', !inlined);
  if (ref === undefined) return undefined;
  r.onlyKeys(ref, ['name'], 'cloudInit.secretRef');
  const name = r.string(ref, 'name', 'cloudInit.secretRef', { required: true, pattern: DNS_SUBDOMAIN, hint: DNS_SUBDOMAIN_HINT });
  return name === undefined ? undefined : { userDataSecretName: name };
}

/** `/kontract/kubevirt/virtual-machine-1.yml` */
export function parseVirtualMachine(path: string, raw: unknown): ParseResult<VirtualMachineData> {
  const r = new FieldReader(path);
  const o = r.object(raw, '');
  if (o === undefined) return fail(r);
  r.onlyKeys(o, [
    '$schema', 'name', 'description', 'namespace', 'template', 'overrides', 'powerState', 'runStrategy',
    'disks', 'networks', 'interfaces', 'cloudInit', 'labels', 'annotations', 'resetRequested', 'restartOnResize',
  ], '');
  const name = r.string(o, 'name', '', { required: true, pattern: DNS_LABEL, hint: DNS_LABEL_HINT });
  const description = r.string(o, 'description', '') ?? '';
  const namespace = r.ref(o, 'namespace', '', { required: true });
  const template = r.ref(o, 'template', '', { required: true });
  const ov = r.object(o.overrides, 'overrides', false);
  if (ov !== undefined) r.onlyKeys(ov, TEMPLATE_SIZING_KEYS, 'overrides');
  const overrides = ov === undefined ? {} : templateFields(r, ov, 'overrides', false);
  const pw = power(r, o);
  const ds = disks(r, r.array(o, 'disks', ''), 'disks');
  const nets = networks(r, r.array(o, 'networks', ''), 'networks');
  const ifaces = interfaces(r, r.array(o, 'interfaces', ''), 'interfaces');
  const ci = cloudInit(r, o.cloudInit);
  const labels = r.labels(o, 'labels', '');
  const annotations = r.labels(o, 'annotations', '');
  const resetRequested = r.string(o, 'resetRequested', '', { pattern: RFC3339, hint: RFC3339_HINT });
  const restartOnResize = r.boolean(o, 'restartOnResize', '');
  if (name === undefined || namespace === undefined || template === undefined) return fail(r);
  return result(r, {
    path, name, description, namespace, template, overrides, power: pw, disks: ds, labels, annotations,
    ...(resetRequested === undefined ? {} : { resetRequested }),
    ...(restartOnResize === undefined ? {} : { restartOnResize }),
    ...(nets === undefined ? {} : { networks: nets }),
    ...(ifaces === undefined ? {} : { interfaces: ifaces }),
    ...(ci === undefined ? {} : { cloudInit: ci }),
  });
}
