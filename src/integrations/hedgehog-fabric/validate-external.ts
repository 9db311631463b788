/** Webhook rules of External, ExternalAttachment and ExternalPeering (githedgehog/fabric `api/vpc/v1beta1`, their `Validate` methods). */
import type { FabricChecker, FabricObject } from './checker.js';
import { specOf } from './checker.js';
import { connectionType } from './connection.js';
import type { Ipv4Prefix } from './ipv4.js';
import { overlaps, parseCidr, parseInterfaceAddress, parseIpv4 } from './ipv4.js';
import { asArray, asInteger, asObject, asString, at, describe } from '../../app-interface/hedgehog/raw.js';
import { namespaceOf, vpcSubnets } from './validate-vpc.js';

const COMMUNITY = /^\d{1,10}:\d{1,5}$/;
const ACL_ACTIONS = ['permit', 'deny', 'discard', 'transit'];
const ACL_PROTOCOLS = ['ip', 'tcp', 'udp', 'icmp'];

function isStaticExternal(o: FabricObject): boolean {
  return asObject(specOf(o).static) !== undefined;
}

export function checkExternal(c: FabricChecker, o: FabricObject): void {
  const spec = specOf(o);
  c.ref(o, 'spec.ipv4Namespace', 'IPv4Namespace', namespaceOf(o, 'ipv4Namespace'));
  if (isStaticExternal(o)) {
    for (const k of ['inboundCommunity', 'outboundCommunity'] as const) {
      if ((asString(spec[k]) ?? '') !== '') c.error(o, at('spec', k), 'must be empty for a static external');
    }
    const prefixes = asArray(asObject(spec.static)?.prefixes) ?? [];
    if (prefixes.length === 0) c.error(o, 'spec.static.prefixes', 'a static external needs at least one prefix');
    const seen: Ipv4Prefix[] = [];
    prefixes.forEach((p, i) => {
      const parsed = typeof p === 'string' ? parseCidr(p) : undefined;
      if (parsed === undefined) c.error(o, at('spec.static.prefixes', i), `${describe(p)} is not an IPv4 CIDR`);
      else if (seen.some((s) => overlaps(s, parsed))) c.error(o, at('spec.static.prefixes', i), `${parsed.text} overlaps another prefix`);
      else seen.push(parsed);
    });
    return;
  }
  for (const k of ['inboundCommunity', 'outboundCommunity'] as const) {
    const v = asString(spec[k]);
    if (v === undefined || !COMMUNITY.test(v)) c.error(o, at('spec', k), `must be a BGP community ASN:NN, got ${describe(spec[k])}`);
  }
}

function checkAclStatement(c: FabricChecker, o: FabricObject, st: unknown, field: string, seqs: Set<number>): void {
  const so = asObject(st) ?? {};
  const seq = asInteger(so.seq);
  if (seq === undefined || seq < 10) c.error(o, at(field, 'seq'), `must be an integer >= 10, got ${describe(so.seq)}`);
  else if (seqs.has(seq)) c.error(o, at(field, 'seq'), `sequence number ${seq} is used twice`);
  else seqs.add(seq);
  if (!ACL_ACTIONS.includes(asString(so.action) ?? '')) c.error(o, at(field, 'action'), `must be one of ${ACL_ACTIONS.join(', ')}`);
  const protocol = asString(so.protocol) ?? '';
  if (!ACL_PROTOCOLS.includes(protocol)) c.error(o, at(field, 'protocol'), `must be one of ${ACL_PROTOCOLS.join(', ')}`);
  for (const k of ['srcPrefix', 'dstPrefix'] as const) {
    const v = asString(so[k]);
    if (v !== 'any' && (v === undefined || parseCidr(v) === undefined)) c.error(o, at(field, k), `must be a CIDR or 'any', got ${describe(so[k])}`);
  }
  if (so.tcpFilters !== undefined && protocol !== 'tcp') c.error(o, at(field, 'tcpFilters'), 'only with protocol tcp');
  if ((so.portRangeBegin !== undefined || so.portRangeEnd !== undefined) && protocol !== 'tcp' && protocol !== 'udp') {
    c.error(o, at(field, 'portRangeBegin'), 'port ranges only with protocol tcp or udp');
  }
}

function checkAttachmentPeer(c: FabricChecker, o: FabricObject, isStatic: boolean): void {
  const spec = specOf(o);
  const sw = asObject(spec.switch);
  const nb = asObject(spec.neighbor);
  if (sw === undefined) c.error(o, 'spec.switch', 'is required by the schema (write switch: {} for a static attachment)');
  if (nb === undefined) c.error(o, 'spec.neighbor', 'is required by the schema (write neighbor: {} for a static attachment)');
  if (isStatic) {
    if (sw !== undefined && Object.keys(sw).length > 0) c.error(o, 'spec.switch', 'must be empty for a static attachment');
    if (nb !== undefined && Object.keys(nb).length > 0) c.error(o, 'spec.neighbor', 'must be empty for a static attachment');
    const st = asObject(spec.static) ?? {};
    if (parseIpv4(asString(st.remoteIP) ?? '') === undefined) c.error(o, 'spec.static.remoteIP', `must be an IPv4 address, got ${describe(st.remoteIP)}`);
    const hasIp = (asString(st.ip) ?? '') !== '';
    if (hasIp === (st.proxy === true)) c.error(o, 'spec.static', 'exactly one of ip or proxy must be set');
    return;
  }
  if (parseInterfaceAddress(asString(sw?.ip) ?? '') === undefined) c.error(o, 'spec.switch.ip', `is required (address with prefix length), got ${describe(sw?.ip)}`);
  if ((asInteger(nb?.asn) ?? 0) <= 0) c.error(o, 'spec.neighbor.asn', `is required, got ${describe(nb?.asn)}`);
  if (parseIpv4(asString(nb?.ip) ?? '') === undefined) c.error(o, 'spec.neighbor.ip', `is required (IPv4 address), got ${describe(nb?.ip)}`);
}

/** ExternalAttachment rules; `vlans` tracks VLANs per connection. */
export function checkExternalAttachment(c: FabricChecker, o: FabricObject, vlans: Map<string, string>): void {
  const spec = specOf(o);
  const ext = c.ref(o, 'spec.external', 'External', asString(spec.external));
  const connName = asString(spec.connection);
  const conn = c.ref(o, 'spec.connection', 'Connection', connName);
  const isStatic = asObject(spec.static) !== undefined;
  if (ext !== undefined && isStaticExternal(ext) !== isStatic) {
    c.error(o, 'spec.static', `External ${ext.object.metadata.name} is ${isStaticExternal(ext) ? 'static' : 'BGP'} but the attachment is ${isStatic ? 'static' : 'BGP'}`);
  }
  const type = conn === undefined ? undefined : connectionType(conn.object);
  if (conn !== undefined && type !== undefined && type !== 'external') {
    c.error(o, 'spec.connection', `Connection ${conn.object.metadata.name} is of type ${type}; an ExternalAttachment needs type external`);
  }
  checkAttachmentPeer(c, o, isStatic);
  const vlan = asInteger(isStatic ? asObject(spec.static)?.vlan : asObject(spec.switch)?.vlan) ?? 0;
  if (connName !== undefined) {
    const key = `${connName}\0${vlan}`;
    const other = vlans.get(key);
    if (other !== undefined) c.error(o, isStatic ? 'spec.static.vlan' : 'spec.switch.vlan', `VLAN ${vlan} on Connection ${connName} is already used by ExternalAttachment ${other}`);
    else vlans.set(key, o.object.metadata.name);
  }
  const seqs = new Set<number>();
  (asArray(asObject(spec.inboundACL)?.statements) ?? []).forEach((st, i) => { checkAclStatement(c, o, st, at('spec.inboundACL.statements', i), seqs); });
}

export function checkExternalPeering(c: FabricChecker, o: FabricObject): void {
  const permit = asObject(specOf(o).permit) ?? {};
  const vpcPart = asObject(permit.vpc) ?? {};
  const extPart = asObject(permit.external) ?? {};
  const vpc = c.ref(o, 'spec.permit.vpc.name', 'VPC', asString(vpcPart.name));
  const ext = c.ref(o, 'spec.permit.external.name', 'External', asString(extPart.name));
  if (vpc !== undefined) {
    const names = new Set(vpcSubnets(vpc).map((s) => s.name));
    (asArray(vpcPart.subnets) ?? []).forEach((s, i) => {
      if (typeof s !== 'string' || !names.has(s)) c.error(o, at('spec.permit.vpc.subnets', i), `VPC ${vpc.object.metadata.name} has no subnet ${describe(s)}`);
    });
  }
  (asArray(extPart.prefixes) ?? []).forEach((p, i) => {
    const prefix = asString(asObject(p)?.prefix);
    if (prefix === undefined || parseCidr(prefix) === undefined) c.error(o, at(at('spec.permit.external.prefixes', i), 'prefix'), `${describe(prefix)} is not an IPv4 CIDR`);
  });
  if (vpc !== undefined && ext !== undefined && namespaceOf(vpc, 'ipv4Namespace') !== namespaceOf(ext, 'ipv4Namespace')) {
    c.error(o, 'spec.permit', `VPC ${vpc.object.metadata.name} and External ${ext.object.metadata.name} are in different IPv4Namespaces`);
  }
}
