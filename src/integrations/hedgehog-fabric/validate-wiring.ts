/**
 * Webhook rules of the wiring kinds (githedgehog/fabric `api/wiring/v1beta1`, `pkg/ctrl/*_wh.go`):
 * VLANNamespace, Switch, Connection. SwitchGroup and Server have no spec rules beyond the
 * generic metadata ones.
 */
import type { FabricChecker, FabricObject } from './checker.js';
import { specOf } from './checker.js';
import { CONNECTION_TYPES, connectionPorts, connectionTypes, splitPort } from './connection.js';
import { parseInterfaceAddress } from './ipv4.js';
import { asArray, asInteger, asObject, asString, at, describe } from '../../app-interface/hedgehog/raw.js';

/** VLANs the fabric reserves (IRB 3000–3899, TH5 3900–3999, the defaults). */
export const RESERVED_VLANS = { from: 3000, to: 3999 } as const;
export const SWITCH_ROLES = ['spine', 'server-leaf', 'border-leaf', 'mixed-leaf', 'virtual-edge'] as const;
/** Switch port names from the SwitchProfile: `E1/1` or the breakout form `E1/55/1`. */
const SWITCH_PORT = /^E\d+\/\d+(?:\/\d+)?$/;

export interface VlanRange { readonly from: number; readonly to: number }

/** The ranges of a VLANNamespace (`to` defaults to `from`), valid ones only. */
export function vlanRanges(o: FabricObject): VlanRange[] {
  const out: VlanRange[] = [];
  for (const r of asArray(specOf(o).ranges) ?? []) {
    const ro = asObject(r);
    const from = asInteger(ro?.from);
    const to = asInteger(ro?.to) ?? from;
    if (from !== undefined && to !== undefined) out.push({ from, to });
  }
  return out;
}

export function checkVlanNamespace(c: FabricChecker, o: FabricObject): void {
  const raw = specOf(o).ranges;
  const ranges = asArray(raw);
  if (ranges === undefined || ranges.length < 1 || ranges.length > 20) {
    c.error(o, 'spec.ranges', `must list 1 to 20 ranges, got ${ranges === undefined ? describe(raw) : String(ranges.length)}`);
    return;
  }
  const seen: VlanRange[] = [];
  ranges.forEach((r, i) => {
    const f = at('spec.ranges', i);
    const ro = asObject(r);
    const from = asInteger(ro?.from);
    const to = asInteger(ro?.to) ?? from;
    if (from === undefined || to === undefined) {
      c.error(o, at(f, 'from'), 'is required (an integer VLAN ID)');
      return;
    }
    if (from < 1 || to > 4094 || from > to) {
      c.error(o, f, `range ${from}-${to} must satisfy 1 <= from <= to <= 4094`);
      return;
    }
    if (from <= RESERVED_VLANS.to && to >= RESERVED_VLANS.from) {
      c.error(o, f, `range ${from}-${to} overlaps the reserved VLANs ${RESERVED_VLANS.from}-${RESERVED_VLANS.to}`);
    }
    const clash = seen.find((s) => from <= s.to && to >= s.from);
    if (clash !== undefined) c.error(o, f, `range ${from}-${to} overlaps range ${clash.from}-${clash.to}`);
    seen.push({ from, to });
  });
}

/** A switch's VLANNamespaces (defaults to `default`, as the webhook defaults it). */
export function switchVlanNamespaces(o: FabricObject): string[] {
  const list = asArray(specOf(o).vlanNamespaces);
  const names = (list ?? []).map(asString).filter((s): s is string => s !== undefined);
  return names.length === 0 ? ['default'] : names;
}

function checkSwitchRefs(c: FabricChecker, o: FabricObject): void {
  const spec = specOf(o);
  const nsFields = asArray(spec.vlanNamespaces);
  const nsRanges: { name: string; ranges: VlanRange[] }[] = [];
  (nsFields ?? []).forEach((n, i) => {
    const target = c.ref(o, at('spec.vlanNamespaces', i), 'VLANNamespace', asString(n));
    if (target !== undefined) nsRanges.push({ name: target.object.metadata.name, ranges: vlanRanges(target) });
  });
  nsRanges.forEach((a, i) => {
    for (const b of nsRanges.slice(i + 1)) {
      if (a.ranges.some((x) => b.ranges.some((y) => x.from <= y.to && x.to >= y.from))) {
        c.error(o, 'spec.vlanNamespaces', `VLANNamespaces ${a.name} and ${b.name} overlap`);
      }
    }
  });
  (asArray(spec.groups) ?? []).forEach((g, i) => { c.ref(o, at('spec.groups', i), 'SwitchGroup', asString(g)); });
  const redundancy = asObject(spec.redundancy);
  const group = asString(redundancy?.group);
  if (group !== undefined && group !== '') c.ref(o, 'spec.redundancy.group', 'SwitchGroup', group);
}

export function checkSwitch(c: FabricChecker, o: FabricObject): void {
  const spec = specOf(o);
  const role = asString(spec.role);
  if (role === undefined || !(SWITCH_ROLES as readonly string[]).includes(role)) {
    c.error(o, 'spec.role', `must be one of ${SWITCH_ROLES.join(', ')}, got ${describe(spec.role)}`);
  }
  for (const key of ['profile', 'ip', 'protocolIP'] as const) {
    if (asString(spec[key]) === undefined || spec[key] === '') c.error(o, at('spec', key), 'is required');
  }
  if (asInteger(spec.asn) === undefined || (asInteger(spec.asn) ?? 0) <= 0) c.error(o, 'spec.asn', 'is required (a positive integer)');
  for (const key of ['ip', 'protocolIP', 'vtepIP'] as const) {
    const v = asString(spec[key]);
    if (v !== undefined && v !== '' && parseInterfaceAddress(v) === undefined) c.error(o, at('spec', key), `'${v}' is not an IPv4 address with prefix length`);
  }
  if (role === 'spine' && asString(spec.vtepIP) !== undefined && spec.vtepIP !== '') c.error(o, 'spec.vtepIP', 'must not be set on a spine');
  checkSwitchRefs(c, o);
}

export interface PortUse { readonly connection: FabricObject; readonly field: string }

/** Physical port key: a breakout `E1/55/1` and its parent `E1/55` are the same port. */
function portKey(device: string, port: string): string {
  return /^E\d+\/\d+$/.test(port) ? `${device}/${port}/1` : `${device}/${port}`;
}

/** Connection rules; `ports` is shared across connections so a port belongs to one only. */
export function checkConnection(c: FabricChecker, o: FabricObject, ports: Map<string, PortUse>): void {
  const types = connectionTypes(o.object);
  if (types.length !== 1) {
    c.error(o, 'spec', `exactly one connection type must be set (one of ${CONNECTION_TYPES.join(', ')}), got ${types.length === 0 ? 'none' : types.join(', ')}`);
  }
  if (types.includes('mclag')) c.warn(o, 'spec.mclag', 'MCLAG is deprecated; use eslag');
  for (const p of connectionPorts(o.object)) {
    const split = splitPort(p.port);
    if (split === undefined) {
      c.error(o, p.field, `'${p.port}' is not of the form <device>/<port>`);
      continue;
    }
    if (p.deviceKind === 'Switch' && !SWITCH_PORT.test(split.port)) {
      c.error(o, p.field, `switch port '${split.port}' is not a SwitchProfile port name such as E1/1 or E1/55/1`);
    }
    if (p.deviceKind !== 'Gateway') c.ref(o, p.field, p.deviceKind, split.device);
    const key = portKey(split.device, split.port);
    const used = ports.get(key);
    if (used !== undefined) {
      const where = used.connection === o ? `at ${used.field}` : `by Connection ${used.connection.object.metadata.name}`;
      c.error(o, p.field, `port ${p.port} is already used ${where}`);
    } else {
      ports.set(key, { connection: o, field: p.field });
    }
  }
}
