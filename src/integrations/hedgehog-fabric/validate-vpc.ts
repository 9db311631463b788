/**
 * Webhook rules of the VPC kinds (githedgehog/fabric `api/vpc/v1beta1`, their `Validate` methods):
 * IPv4Namespace, VPC, VPCAttachment, VPCPeering.
 */
import type { FabricChecker, FabricObject } from './checker.js';
import { specOf } from './checker.js';
import { connectionSwitches, connectionType } from './connection.js';
import type { Ipv4Prefix } from './ipv4.js';
import { broadcast, contains, overlaps, parseCidr, parseIpv4, prefixInside } from './ipv4.js';
import { asArray, asInteger, asObject, asString, at, describe } from '../../app-interface/hedgehog/raw.js';
import { switchVlanNamespaces, vlanRanges } from './validate-wiring.js';

export interface VpcSubnet {
  readonly name: string;
  readonly field: string;
  readonly prefix: Ipv4Prefix | undefined;
  readonly vlan: number | undefined;
  readonly hostBGP: boolean;
}

export function vpcSubnets(o: FabricObject): VpcSubnet[] {
  const subnets = asObject(specOf(o).subnets) ?? {};
  return Object.entries(subnets).map(([name, v]) => {
    const s = asObject(v) ?? {};
    const text = asString(s.subnet);
    return {
      name, field: at('spec.subnets', name), prefix: text === undefined ? undefined : parseCidr(text),
      vlan: asInteger(s.vlan), hostBGP: s.hostBGP === true,
    };
  });
}

/** `spec.ipv4Namespace` / `spec.vlanNamespace`, defaulted to `default` as the webhook does. */
export function namespaceOf(o: FabricObject, key: 'ipv4Namespace' | 'vlanNamespace'): string {
  const v = asString(specOf(o)[key]);
  return v === undefined || v === '' ? 'default' : v;
}

export function ipv4NamespaceSubnets(o: FabricObject): Ipv4Prefix[] {
  return (asArray(specOf(o).subnets) ?? []).map((s) => (typeof s === 'string' ? parseCidr(s) : undefined)).filter((p): p is Ipv4Prefix => p !== undefined);
}

export function checkIpv4Namespace(c: FabricChecker, o: FabricObject): void {
  const raw = specOf(o).subnets;
  const subnets = asArray(raw);
  if (subnets === undefined || subnets.length < 1 || subnets.length > 10) {
    c.error(o, 'spec.subnets', `must list 1 to 10 subnets, got ${subnets === undefined ? describe(raw) : String(subnets.length)}`);
    return;
  }
  const seen: Ipv4Prefix[] = [];
  subnets.forEach((s, i) => {
    const p = typeof s === 'string' ? parseCidr(s) : undefined;
    if (p === undefined) {
      c.error(o, at('spec.subnets', i), `${describe(s)} is not an IPv4 CIDR`);
      return;
    }
    const clash = seen.find((x) => overlaps(x, p));
    if (clash !== undefined) c.error(o, at('spec.subnets', i), `${p.text} overlaps ${clash.text}`);
    seen.push(p);
  });
}

function checkDhcp(c: FabricChecker, o: FabricObject, field: string, dhcp: Readonly<Record<string, unknown>>, prefix: Ipv4Prefix | undefined, gateway: number | undefined): void {
  const enable = dhcp.enable === true;
  const relay = asString(dhcp.relay) ?? '';
  if (enable && relay !== '') c.error(o, at(field, 'relay'), 'DHCP relay and enable are mutually exclusive');
  if ((asString(dhcp.relayVPC) ?? '') !== '' && relay === '') c.error(o, at(field, 'relayVPC'), 'needs relay');
  if (!enable) {
    for (const k of ['range', 'options', 'static'] as const) if (dhcp[k] !== undefined) c.error(o, at(field, k), 'is set while DHCP is not enabled');
    return;
  }
  const range = asObject(dhcp.range);
  if (range !== undefined && prefix !== undefined) {
    const start = parseIpv4(asString(range.start) ?? '');
    const end = parseIpv4(asString(range.end) ?? '');
    for (const [k, ip] of [['start', start], ['end', end]] as const) {
      if (range[k] === undefined) continue;
      if (ip === undefined) c.error(o, at(at(field, 'range'), k), `${describe(range[k])} is not an IPv4 address`);
      else if (!contains(prefix, ip) || ip === prefix.network || ip === broadcast(prefix)) c.error(o, at(at(field, 'range'), k), `${asString(range[k]) ?? ''} is not a usable address of ${prefix.text}`);
      else if (ip === gateway) c.error(o, at(at(field, 'range'), k), 'must not be the gateway');
    }
    if (start !== undefined && end !== undefined && start >= end) c.error(o, at(field, 'range'), 'start must be lower than end');
  }
  const options = asObject(dhcp.options);
  const mtu = asInteger(options?.interfaceMTU);
  if (mtu !== undefined && (mtu < 96 || mtu > 9036)) c.error(o, at(field, 'options.interfaceMTU'), `${mtu} is outside 96-9036`);
  const lease = asInteger(options?.leaseTimeSeconds);
  if (lease !== undefined && lease < 1) c.error(o, at(field, 'options.leaseTimeSeconds'), 'must be at least 1 second');
}

interface SubnetCtx { readonly vlans: Map<number, string>; readonly prefixes: VpcSubnet[]; readonly ipns: Ipv4Prefix[] | undefined; readonly vlanns: { from: number; to: number }[] | undefined }

function checkSubnet(c: FabricChecker, o: FabricObject, s: VpcSubnet, raw: Readonly<Record<string, unknown>>, ctx: SubnetCtx): void {
  if (s.prefix === undefined) {
    c.error(o, at(s.field, 'subnet'), `${describe(raw.subnet)} is not an IPv4 CIDR`);
    return;
  }
  if (s.prefix.bits > 30) c.error(o, at(s.field, 'subnet'), `${s.prefix.text} is smaller than a /30`);
  const clash = ctx.prefixes.find((x) => x.prefix !== undefined && overlaps(x.prefix, s.prefix as Ipv4Prefix));
  if (clash !== undefined) c.error(o, at(s.field, 'subnet'), `${s.prefix.text} overlaps subnet ${clash.name}`);
  ctx.prefixes.push(s);
  if (ctx.ipns !== undefined && !ctx.ipns.some((p) => prefixInside(s.prefix as Ipv4Prefix, p))) {
    c.error(o, at(s.field, 'subnet'), `${s.prefix.text} is not inside IPv4Namespace ${namespaceOf(o, 'ipv4Namespace')}`);
  }
  let gateway: number | undefined;
  if (!s.hostBGP) {
    const gw = asString(raw.gateway);
    if (gw !== undefined && gw !== '') {
      gateway = parseIpv4(gw);
      if (gateway === undefined) c.error(o, at(s.field, 'gateway'), `'${gw}' is not an IPv4 address`);
      else if (!contains(s.prefix, gateway) || gateway === s.prefix.network) c.error(o, at(s.field, 'gateway'), `${gw} is not inside subnet ${s.prefix.text}`);
    } else {
      gateway = s.prefix.network + 1;
    }
    if (s.vlan === undefined || s.vlan < 1 || s.vlan > 4094) {
      c.error(o, at(s.field, 'vlan'), `is required (1-4094), got ${describe(raw.vlan)}`);
    } else {
      const other = ctx.vlans.get(s.vlan);
      if (other !== undefined) c.error(o, at(s.field, 'vlan'), `VLAN ${s.vlan} is already used by subnet ${other}`);
      ctx.vlans.set(s.vlan, s.name);
      if (ctx.vlanns !== undefined && !ctx.vlanns.some((r) => s.vlan !== undefined && s.vlan >= r.from && s.vlan <= r.to)) {
        c.error(o, at(s.field, 'vlan'), `VLAN ${s.vlan} is not inside VLANNamespace ${namespaceOf(o, 'vlanNamespace')}`);
      }
    }
  }
  const dhcp = asObject(raw.dhcp);
  if (dhcp !== undefined) checkDhcp(c, o, at(s.field, 'dhcp'), dhcp, s.prefix, gateway);
}

function checkPermitAndRoutes(c: FabricChecker, o: FabricObject, names: ReadonlySet<string>): void {
  const spec = specOf(o);
  (asArray(spec.permit) ?? []).forEach((g, i) => {
    const list = (asArray(g) ?? []).map(asString);
    const distinct = new Set(list.filter((s): s is string => s !== undefined));
    if (distinct.size < 2) c.error(o, at('spec.permit', i), 'a permit group lists at least 2 distinct subnets');
    for (const n of distinct) if (!names.has(n)) c.error(o, at('spec.permit', i), `subnet ${n} is not defined in this VPC`);
  });
  (asArray(spec.staticRoutes) ?? []).forEach((r, i) => {
    const ro = asObject(r) ?? {};
    const p = parseCidr(asString(ro.prefix) ?? '');
    const text = asString(ro.prefix) ?? '';
    if (p === undefined || `${[p.network >>> 24, (p.network >>> 16) & 255, (p.network >>> 8) & 255, p.network & 255].join('.')}/${p.bits}` !== text) {
      c.error(o, at(at('spec.staticRoutes', i), 'prefix'), `${describe(ro.prefix)} is not a canonical IPv4 prefix`);
    }
    if ((asArray(ro.nextHops) ?? []).length === 0) c.error(o, at(at('spec.staticRoutes', i), 'nextHops'), 'needs at least one next hop');
  });
}

/** VPC rules; `allocated` collects subnets per IPv4Namespace across VPCs (no overlap). */
export function checkVpc(c: FabricChecker, o: FabricObject, allocated: Map<string, { vpc: string; prefix: Ipv4Prefix }[]>): void {
  const spec = specOf(o);
  if (o.object.metadata.name.startsWith('ext.')) c.error(o, 'metadata.name', 'must not start with ext.');
  const mode = spec.mode;
  if (mode !== undefined && mode !== '' && mode !== 'l3vni') c.error(o, 'spec.mode', `must be "" (l2vni) or l3vni, got ${describe(mode)}`);
  const ipnsName = namespaceOf(o, 'ipv4Namespace');
  const ipns = c.ref(o, 'spec.ipv4Namespace', 'IPv4Namespace', ipnsName);
  const vlanns = c.ref(o, 'spec.vlanNamespace', 'VLANNamespace', namespaceOf(o, 'vlanNamespace'));
  const rawSubnets = asObject(spec.subnets);
  const count = rawSubnets === undefined ? 0 : Object.keys(rawSubnets).length;
  if (count < 1 || count > 20) {
    c.error(o, 'spec.subnets', `must define 1 to 20 subnets, got ${rawSubnets === undefined ? describe(spec.subnets) : String(count)}`);
    return;
  }
  const ctx: SubnetCtx = {
    vlans: new Map(), prefixes: [], ipns: ipns === undefined ? undefined : ipv4NamespaceSubnets(ipns),
    vlanns: vlanns === undefined ? undefined : vlanRanges(vlanns),
  };
  for (const s of vpcSubnets(o)) checkSubnet(c, o, s, asObject(rawSubnets?.[s.name]) ?? {}, ctx);
  const others = allocated.get(ipnsName) ?? [];
  for (const s of ctx.prefixes) {
    const p = s.prefix;
    if (p === undefined) continue;
    const clash = others.find((x) => overlaps(x.prefix, p));
    if (clash !== undefined) c.error(o, at(s.field, 'subnet'), `${p.text} overlaps a subnet of VPC ${clash.vpc} in IPv4Namespace ${ipnsName}`);
  }
  allocated.set(ipnsName, [...others, ...ctx.prefixes.flatMap((s) => (s.prefix === undefined ? [] : [{ vpc: o.object.metadata.name, prefix: s.prefix }]))]);
  checkPermitAndRoutes(c, o, new Set(Object.keys(rawSubnets ?? {})));
}

/** `<vpc>/<subnet>` (a bare `<vpc>` means `<vpc>/default`). */
export function splitVpcSubnet(s: string): { vpc: string; subnet: string } {
  const i = s.indexOf('/');
  return i < 0 ? { vpc: s, subnet: 'default' } : { vpc: s.slice(0, i), subnet: s.slice(i + 1) };
}

const ATTACHABLE = ['unbundled', 'bundled', 'eslag'];

function checkAttachmentTarget(c: FabricChecker, o: FabricObject, vpc: FabricObject, subnet: VpcSubnet, conn: FabricObject): void {
  const type = connectionType(conn.object);
  if (type === undefined) return; // reported on the Connection itself
  if (!ATTACHABLE.includes(type)) {
    c.error(o, 'spec.connection', `Connection ${conn.object.metadata.name} is of type ${type}; a VPCAttachment needs unbundled, bundled or eslag`);
    return;
  }
  if (type === 'eslag' && specOf(vpc).mode === 'l3vni') c.error(o, 'spec.connection', `ESLAG connection ${conn.object.metadata.name} cannot attach l3vni VPC ${vpc.object.metadata.name}`);
  if (subnet.hostBGP && type !== 'unbundled') c.error(o, 'spec.connection', `hostBGP subnet ${subnet.name} can only use an unbundled connection`);
  const vlanns = namespaceOf(vpc, 'vlanNamespace');
  for (const sw of connectionSwitches(conn.object)) {
    const swObj = c.get('Switch', sw);
    if (swObj !== undefined && !switchVlanNamespaces(swObj).includes(vlanns)) {
      c.error(o, 'spec.connection', `Switch ${sw} behind Connection ${conn.object.metadata.name} does not list VLANNamespace ${vlanns} of VPC ${vpc.object.metadata.name}`);
    }
  }
}

/** VPCAttachment rules; `seen` tracks (connection, subnet) pairs and native VLANs per connection. */
export function checkVpcAttachment(c: FabricChecker, o: FabricObject, seen: Map<string, string>): void {
  const spec = specOf(o);
  const subnetRef = asString(spec.subnet);
  const connName = asString(spec.connection);
  const conn = c.ref(o, 'spec.connection', 'Connection', connName);
  if (subnetRef === undefined || subnetRef === '') {
    c.error(o, 'spec.subnet', 'is required (<vpc>/<subnet>)');
    return;
  }
  const { vpc: vpcName, subnet: subnetName } = splitVpcSubnet(subnetRef);
  const vpc = c.ref(o, 'spec.subnet', 'VPC', vpcName);
  const subnet = vpc === undefined ? undefined : vpcSubnets(vpc).find((s) => s.name === subnetName);
  if (vpc !== undefined && subnet === undefined) c.error(o, 'spec.subnet', `VPC ${vpcName} has no subnet ${subnetName}`);
  if (vpc !== undefined && subnet !== undefined && conn !== undefined) checkAttachmentTarget(c, o, vpc, subnet, conn);
  if (connName === undefined) return;
  const pair = `pair\0${connName}\0${vpcName}/${subnetName}`;
  const dup = seen.get(pair);
  if (dup !== undefined) c.error(o, 'spec.subnet', `VPCAttachment ${dup} already attaches ${vpcName}/${subnetName} to Connection ${connName}`);
  else seen.set(pair, o.object.metadata.name);
  if (spec.nativeVLAN === true) {
    const key = `native\0${connName}`;
    const other = seen.get(key);
    if (other !== undefined) c.error(o, 'spec.nativeVLAN', `Connection ${connName} already has a native VLAN attachment (${other})`);
    else seen.set(key, o.object.metadata.name);
  }
}

export function checkVpcPeering(c: FabricChecker, o: FabricObject): void {
  const spec = specOf(o);
  if (spec.remote !== undefined && spec.remote !== '') c.error(o, 'spec.remote', 'remote peerings are not supported');
  const permit = asArray(spec.permit);
  if (permit === undefined || permit.length < 1 || permit.length > 10) {
    c.error(o, 'spec.permit', `must list 1 to 10 entries, got ${permit === undefined ? describe(spec.permit) : String(permit.length)}`);
    return;
  }
  const vpcs = new Set<string>();
  permit.forEach((entry, i) => {
    const eo = asObject(entry);
    if (eo === undefined) {
      c.error(o, at('spec.permit', i), `must map VPC names to {subnets}, got ${describe(entry)}`);
      return;
    }
    for (const [name, v] of Object.entries(eo)) {
      vpcs.add(name);
      if (asObject(v) === undefined) c.error(o, at(at('spec.permit', i), name), `must be an object (write '${name}: {}', not '${name}:')`);
    }
    if (Object.keys(eo).length !== 2) c.error(o, at('spec.permit', i), `must name exactly two VPCs, got ${Object.keys(eo).length}`);
  });
  if (vpcs.size !== 2) {
    c.error(o, 'spec.permit', `all entries must name the same two VPCs, got ${[...vpcs].join(', ')}`);
    return;
  }
  const resolved = [...vpcs].map((n) => c.ref(o, 'spec.permit', 'VPC', n));
  const [a, b] = resolved;
  if (a === undefined || b === undefined) return;
  for (const key of ['ipv4Namespace', 'vlanNamespace'] as const) {
    if (namespaceOf(a, key) !== namespaceOf(b, key)) {
      c.error(o, 'spec.permit', `VPCs ${a.object.metadata.name} and ${b.object.metadata.name} are in different ${key === 'ipv4Namespace' ? 'IPv4Namespaces' : 'VLANNamespaces'}`);
    }
  }
}
