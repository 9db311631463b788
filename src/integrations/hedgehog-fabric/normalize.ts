/**
 * Writes desired objects in the form the fabric's mutating webhook stores them (the `Default`
 * methods of githedgehog/fabric's API types), so a real fabric shows no perpetual diff: sorted lists, defaulted values the webhook
 * rewrites. Fields the webhook only adds need nothing here — the diff compares only what kontract
 * sets. Works on the (already copied) object in place.
 */
import type { KubeObject } from '../../core/k8s-object.js';
import type { FabricKindName } from '../../app-interface/hedgehog/model.js';
import { asArray, asInteger, asObject, asString } from '../../app-interface/hedgehog/raw.js';

type Mutable = Record<string, unknown>;

function mutableSpec(obj: KubeObject): Mutable | undefined {
  return asObject(obj.spec);
}

function sortedStrings(v: unknown): unknown {
  const a = asArray(v);
  if (a === undefined || !a.every((x) => typeof x === 'string')) return v;
  return [...(a as string[])].sort();
}

function normalizeSwitch(spec: Mutable): void {
  if (spec.vlanNamespaces !== undefined) spec.vlanNamespaces = sortedStrings(spec.vlanNamespaces);
  const group = asString(asObject(spec.redundancy)?.group);
  const groups = asArray(spec.groups);
  if (groups !== undefined || (group !== undefined && group !== '')) {
    const list = [...(groups ?? [])];
    if (group !== undefined && group !== '' && !list.includes(group)) list.push(group);
    spec.groups = sortedStrings(list);
  }
  const speeds = asObject(spec.portSpeeds);
  if (speeds !== undefined) {
    spec.portSpeeds = Object.fromEntries(Object.entries(speeds).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/^SPEED_/, '') : v]));
  }
}

function normalizeVpc(spec: Mutable): void {
  for (const s of Object.values(asObject(spec.subnets) ?? {})) {
    const options = asObject(asObject(asObject(s)?.dhcp)?.options) as Mutable | undefined;
    if (options === undefined) continue;
    for (const k of ['dnsServers', 'timeServers']) if (options[k] !== undefined) options[k] = sortedStrings(options[k]);
  }
}

function normalizeVlanNamespace(spec: Mutable): void {
  const ranges = asArray(spec.ranges);
  if (ranges === undefined) return;
  const withTo = ranges.map((r) => {
    const ro = asObject(r);
    const from = asInteger(ro?.from);
    return ro !== undefined && from !== undefined && ro.to === undefined ? { ...ro, to: from } : r;
  });
  spec.ranges = [...withTo].sort((a, b) => (asInteger(asObject(a)?.from) ?? 0) - (asInteger(asObject(b)?.from) ?? 0));
}

export function normalizeFabricObject(kind: FabricKindName, obj: KubeObject): void {
  const spec = mutableSpec(obj);
  if (spec === undefined) return;
  switch (kind) {
    case 'Switch': normalizeSwitch(spec); break;
    case 'VPC': normalizeVpc(spec); break;
    case 'VLANNamespace': normalizeVlanNamespace(spec); break;
    case 'IPv4Namespace':
      if (spec.subnets !== undefined) spec.subnets = sortedStrings(spec.subnets);
      break;
    case 'VPCAttachment': {
      // A bare `<vpc>` subnet is stored as `<vpc>/default`.
      const subnet = asString(spec.subnet);
      if (subnet !== undefined && subnet !== '' && !subnet.includes('/')) spec.subnet = `${subnet}/default`;
      break;
    }
    default:
      break;
  }
}
