/**
 * `/kontract/network-1.yml`: a network of a VDC (schema schemas/kontract/network-1.json, which has
 * checked the shape before `build` runs). `build` checks what the schema cannot: exactly one of
 * `multus`/`udn`, the fields each CNI plugin needs, CIDRs and addresses, VLAN ids, the UDN
 * layer rules the UserDefinedNetwork CRD's validations enforce, and names unique per VDC. The rule
 * `vdcNetworkRules` checks across files: at most one primary UDN per VDC, and a VM in a VDC's
 * namespace attaches only to that VDC's networks.
 */
import type { RawNetwork } from '../datafile-types.generated.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { ParseResult } from '../kind.js';
import { SKIP, ok, schemaKind } from '../kind.js';
import type { AppInterfaceData } from '../model.js';
import { allVirtualMachines, vmField } from '../kubevirt/vapps.js';
import { VDC_LABEL, vdcKind } from './kinds.js';
import type { Cidr } from './network-cidr.js';
import { addressBits, cidrContains, parseAddress, parseCidr } from './network-cidr.js';
import type { IpvlanMode, MacvlanMode, MultusIpam, MultusNetwork, UdnNetwork, VdcNetwork } from './network-model.js';
import { NETWORK_SCHEMA } from './network-model.js';

const MACVLAN_MODES = ['bridge', 'private', 'vepa', 'passthru'] as const;
const IPVLAN_MODES = ['l2', 'l3', 'l3s'] as const;
/** OVN-Kubernetes: an IPv6 subnet needs an MTU of at least 1280 (the UserDefinedNetwork CRD's rule). */
const IPV6_MIN_MTU = 1280;

type Report = (field: string, message: string) => void;

function cidrField(text: string, field: string, report: Report): Cidr | undefined {
  const c = parseCidr(text);
  if (c === undefined) {
    report(field, `'${text}' is not a CIDR (an IPv4 or IPv6 network address and prefix length, e.g. 10.10.0.0/24 or fd00:10::/64)`);
    return undefined;
  }
  if (!c.aligned) report(field, `'${text}' has host bits set: write the network address of the /${c.prefix}`);
  return c;
}

function addressIn(subnet: Cidr, text: string | undefined, field: string, report: Report): void {
  if (text === undefined) return;
  const a = parseAddress(text);
  if (a === undefined) report(field, `'${text}' is not an IP address`);
  else if (!cidrContains(subnet, a)) report(field, `${text} is not inside the subnet`);
}

function ipam(raw: NonNullable<NonNullable<RawNetwork['multus']>['ipam']>, report: Report): MultusIpam | undefined {
  const f = 'multus.ipam';
  if (raw.type === 'dhcp') {
    for (const k of ['subnet', 'rangeStart', 'rangeEnd', 'gateway', 'exclude'] as const) {
      if (raw[k] !== undefined) report(`${f}.${k}`, 'is not used with ipam type dhcp (the DHCP server hands out the addresses)');
    }
    return { type: 'dhcp' };
  }
  if (raw.subnet === undefined) {
    report(`${f}.subnet`, `is required with ipam type ${raw.type}`);
    return undefined;
  }
  const subnet = cidrField(raw.subnet, `${f}.subnet`, report);
  if (subnet === undefined) return undefined;
  addressIn(subnet, raw.rangeStart, `${f}.rangeStart`, report);
  addressIn(subnet, raw.rangeEnd, `${f}.rangeEnd`, report);
  addressIn(subnet, raw.gateway, `${f}.gateway`, report);
  const start = raw.rangeStart === undefined ? undefined : parseAddress(raw.rangeStart);
  const end = raw.rangeEnd === undefined ? undefined : parseAddress(raw.rangeEnd);
  if (start !== undefined && end !== undefined && start.value > end.value) report(`${f}.rangeEnd`, `${raw.rangeEnd ?? ''} is before rangeStart ${raw.rangeStart ?? ''}`);
  (raw.exclude ?? []).forEach((e, i) => {
    const c = cidrField(e, `${f}.exclude[${i}]`, report);
    if (c !== undefined && (c.family !== subnet.family || c.prefix < subnet.prefix || !cidrContains(subnet, { family: c.family, value: c.base }))) {
      report(`${f}.exclude[${i}]`, `${e} is not inside the subnet ${raw.subnet ?? ''}`);
    }
  });
  if (raw.exclude !== undefined && raw.type !== 'whereabouts') report(`${f}.exclude`, 'is only supported by ipam type whereabouts');
  return {
    type: raw.type,
    subnet: raw.subnet,
    ...(raw.rangeStart === undefined ? {} : { rangeStart: raw.rangeStart }),
    ...(raw.rangeEnd === undefined ? {} : { rangeEnd: raw.rangeEnd }),
    ...(raw.gateway === undefined ? {} : { gateway: raw.gateway }),
    ...(raw.exclude === undefined ? {} : { exclude: raw.exclude }),
  };
}

function multus(raw: NonNullable<RawNetwork['multus']>, report: Report): MultusNetwork {
  const p = raw.plugin;
  const only = (key: 'bridge' | 'vlan' | 'master', plugins: readonly string[]): void => {
    if (raw[key] !== undefined && !plugins.includes(p)) report(`multus.${key}`, `is not used by the ${p} plugin (only by ${plugins.join(', ')})`);
  };
  only('bridge', ['bridge']);
  only('vlan', ['bridge']);
  only('master', ['macvlan', 'ipvlan']);
  if (p === 'bridge' && raw.bridge === undefined) report('multus.bridge', 'is required with plugin bridge (the Linux bridge on the node)');
  if (p !== 'bridge' && raw.master === undefined) report('multus.master', `is required with plugin ${p} (the node's parent interface)`);
  let mode: MultusNetwork['mode'];
  if (raw.mode !== undefined) {
    const modes: readonly (MacvlanMode | IpvlanMode)[] = p === 'macvlan' ? MACVLAN_MODES : p === 'ipvlan' ? IPVLAN_MODES : [];
    mode = modes.find((m) => m === raw.mode);
    if (modes.length === 0) report('multus.mode', 'is not used by the bridge plugin (only by macvlan, ipvlan)');
    else if (mode === undefined) report('multus.mode', `'${raw.mode}' is not a ${p} mode (one of ${modes.join(', ')})`);
  }
  const ip = raw.ipam === undefined ? undefined : ipam(raw.ipam, report);
  if (ip !== undefined && 'subnet' in ip && raw.mtu !== undefined && raw.mtu < IPV6_MIN_MTU && parseCidr(ip.subnet)?.family === 6) {
    report('multus.mtu', `${raw.mtu} is below ${IPV6_MIN_MTU}, the minimum MTU of IPv6`);
  }
  return {
    type: 'multus',
    plugin: p,
    ...(raw.bridge === undefined ? {} : { bridge: raw.bridge }),
    ...(raw.vlan === undefined ? {} : { vlan: raw.vlan }),
    ...(raw.master === undefined ? {} : { master: raw.master }),
    ...(mode === undefined ? {} : { mode }),
    ...(raw.mtu === undefined ? {} : { mtu: raw.mtu }),
    ...(ip === undefined ? {} : { ipam: ip }),
  };
}

function udn(raw: NonNullable<RawNetwork['udn']>, report: Report): UdnNetwork | undefined {
  if ((raw.layer2 === undefined) === (raw.layer3 === undefined)) {
    report(raw.layer2 === undefined ? 'udn' : 'udn.layer3', 'needs exactly one of layer2 or layer3 (the topology)');
    return undefined;
  }
  const topology = raw.layer2 === undefined ? 'layer3' : 'layer2';
  const entries: readonly { cidr: string; hostSubnet?: number }[] = raw.layer2 === undefined ? (raw.layer3?.subnets ?? []) : raw.layer2.subnets.map((cidr) => ({ cidr }));
  const base = `udn.${topology}.subnets`;
  const families: number[] = [];
  entries.forEach((s, i) => {
    const field = topology === 'layer2' ? `${base}[${i}]` : `${base}[${i}].cidr`;
    const c = cidrField(s.cidr, field, report);
    if (c === undefined) return;
    families.push(c.family);
    if (s.hostSubnet !== undefined) {
      const hf = `${base}[${i}].hostSubnet`;
      if (s.hostSubnet <= c.prefix) report(hf, `/${s.hostSubnet} must be longer than the subnet's /${c.prefix} (each node gets a part of it)`);
      else if (s.hostSubnet >= addressBits(c.family)) report(hf, `/${s.hostSubnet} leaves no addresses in an IPv${c.family} subnet`);
    }
  });
  if (families.length === 2 && families[0] === families[1]) report(base, 'two subnets must be of different IP families (one IPv4, one IPv6)');
  if (raw.mtu !== undefined && raw.mtu < IPV6_MIN_MTU && families.includes(6)) report('udn.mtu', `${raw.mtu} is below ${IPV6_MIN_MTU}, the minimum MTU of IPv6`);
  return {
    type: 'udn',
    role: raw.role,
    topology,
    subnets: entries.map((s) => ({ cidr: s.cidr, ...(s.hostSubnet === undefined ? {} : { hostSubnet: s.hostSubnet }) })),
    ...(raw.mtu === undefined ? {} : { mtu: raw.mtu }),
  };
}

export const networkKind = schemaKind(NETWORK_SCHEMA, 'networks', 'networks_v1', (r: RawNetwork, f, ctx): ParseResult<VdcNetwork> => {
  const problems: ValidationProblem[] = [];
  const report: Report = (field, message) => { problems.push({ file: f.path, field, message }); };
  let spec: MultusNetwork | UdnNetwork | undefined;
  if (r.multus !== undefined && r.udn === undefined) spec = multus(r.multus, report);
  else if (r.udn !== undefined && r.multus === undefined) spec = udn(r.udn, report);
  else report(r.multus === undefined ? 'multus' : 'udn', 'needs exactly one of multus (a NetworkAttachmentDefinition) or udn (a UserDefinedNetwork)');
  if (problems.length > 0 || spec === undefined) return { ok: false, problems };
  const vdc = ctx.entry(vdcKind, r.vdc.$ref);
  if (vdc === undefined) return SKIP;
  return ok({ path: f.path, name: r.name, description: r.description ?? '', vdc: r.vdc.$ref, namespace: vdc.name, cluster: vdc.cluster, spec });
});

/**
 * Cross-file rules: network names unique per VDC, at most one primary UDN per VDC (OVN-Kubernetes
 * allows one primary network per namespace), and a VM whose namespace is a VDC attaches (Multus
 * `networkName`, its own or its template's) only to that VDC's networks.
 */
export function vdcNetworkRules(data: AppInterfaceData): ValidationProblem[] {
  const out: ValidationProblem[] = [];
  const byVdc = new Map<string, VdcNetwork[]>();
  for (const n of data.networks ?? []) {
    const list = byVdc.get(n.vdc) ?? [];
    const twin = list.find((o) => o.name === n.name);
    if (twin !== undefined) out.push({ file: n.path, field: 'name', message: `network ${n.name} is already declared for VDC ${n.vdc} by ${twin.path}` });
    const primary = list.find((o) => o.spec.type === 'udn' && o.spec.role === 'primary');
    if (primary !== undefined && n.spec.type === 'udn' && n.spec.role === 'primary') {
      out.push({ file: n.path, field: 'udn.role', message: `VDC ${n.vdc} already has the primary UDN ${primary.name} (${primary.path}); a namespace has at most one primary network` });
    }
    byVdc.set(n.vdc, [...list, n]);
  }
  const vdcPaths = new Set(data.namespaces.filter((ns) => ns.labels[VDC_LABEL] !== undefined).map((ns) => ns.path));
  // vApps' VMs too (kubevirt/vapps.ts): a problem names the vApp file and its vms[i] field.
  for (const vm of allVirtualMachines(data)) {
    if (!vdcPaths.has(vm.namespace)) continue;
    const ns = data.namespaces.find((n) => n.path === vm.namespace);
    const own = byVdc.get(vm.namespace) ?? [];
    const attachable = own.filter((n) => n.spec.type === 'multus' || n.spec.role === 'secondary').map((n) => n.name);
    const fromTemplate = vm.networks === undefined;
    const nets = vm.networks ?? data.vmTemplates?.find((t) => t.path === vm.template)?.networks ?? [];
    nets.forEach((n, i) => {
      if (n.type !== 'multus') return;
      const slash = n.networkName.indexOf('/');
      const name = slash < 0 ? n.networkName : n.networkName.slice(slash + 1);
      const inNamespace = slash < 0 || n.networkName.slice(0, slash) === ns?.name;
      if (inNamespace && attachable.includes(name)) return;
      const field = fromTemplate ? 'template' : `networks[${i}].multus.networkName`;
      const via = fromTemplate ? ` (network ${n.name} of template ${vm.template})` : '';
      out.push({
        file: vm.path,
        field: vmField(vm, field),
        message: `${n.networkName}${via} is not a network of the VM's VDC ${vm.namespace}: a VM in a VDC attaches only to its VDC's multus networks and secondary UDNs (${attachable.join(', ') || 'it has none'})`,
      });
    });
  }
  return out;
}
