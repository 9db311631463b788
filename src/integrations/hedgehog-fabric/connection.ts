/**
 * What a Connection is: its type (the one key set under `spec`, immutable) and the ports it
 * names, each with the kind of device the port belongs to.
 */
import type { KubeObject } from '../../core/k8s-object.js';
import { asArray, asObject, asString, at } from '../../app-interface/hedgehog/raw.js';

/** Every connection type the v1beta1 schema knows; exactly one is set. */
export const CONNECTION_TYPES = [
  'unbundled', 'bundled', 'mclag', 'eslag', 'mclagDomain', 'fabric', 'mesh', 'gateway', 'vpcLoopback', 'external', 'staticExternal',
] as const;

export type ConnectionType = (typeof CONNECTION_TYPES)[number];

/** The connection types set on a Connection body (valid when exactly one). */
export function connectionTypes(obj: Pick<KubeObject, 'spec'> | KubeObject): ConnectionType[] {
  const spec = asObject(obj.spec);
  if (spec === undefined) return [];
  return CONNECTION_TYPES.filter((t) => spec[t] !== undefined && spec[t] !== null);
}

/** The type when exactly one is set. */
export function connectionType(obj: KubeObject): ConnectionType | undefined {
  const types = connectionTypes(obj);
  return types.length === 1 ? types[0] : undefined;
}

export type DeviceKind = 'Switch' | 'Server' | 'Gateway';

export interface ConnectionPort {
  /** As written, `<device>/<port>`. */
  readonly port: string;
  /** Field path, e.g. `spec.unbundled.link.switch.port`. */
  readonly field: string;
  readonly deviceKind: DeviceKind;
}

/** The key an endpoint sits under decides the device kind (`server`, `gateway`, else a switch). */
function deviceKindOf(key: string): DeviceKind {
  if (key === 'server') return 'Server';
  if (key === 'gateway') return 'Gateway';
  return 'Switch';
}

function collect(v: unknown, field: string, key: string, out: ConnectionPort[]): void {
  const arr = asArray(v);
  if (arr !== undefined) {
    arr.forEach((item, i) => { collect(item, at(field, i), key, out); });
    return;
  }
  const o = asObject(v);
  if (o === undefined) return;
  const port = asString(o.port);
  if (port !== undefined) out.push({ port, field: at(field, 'port'), deviceKind: deviceKindOf(key) });
  for (const [k, child] of Object.entries(o)) {
    if (k !== 'port') collect(child, at(field, k), k, out);
  }
}

/** Every `port` under the connection's type, with its field path. */
export function connectionPorts(obj: KubeObject): ConnectionPort[] {
  const spec = asObject(obj.spec);
  const out: ConnectionPort[] = [];
  if (spec === undefined) return out;
  for (const t of connectionTypes(obj)) collect(spec[t], at('spec', t), t, out);
  return out;
}

/** `<device>/<port>` split at the first slash. */
export function splitPort(port: string): { device: string; port: string } | undefined {
  const i = port.indexOf('/');
  if (i <= 0 || i === port.length - 1) return undefined;
  return { device: port.slice(0, i), port: port.slice(i + 1) };
}

/** Names of the switches a connection uses. */
export function connectionSwitches(obj: KubeObject): string[] {
  const names = new Set<string>();
  for (const p of connectionPorts(obj)) {
    const s = splitPort(p.port);
    if (p.deviceKind === 'Switch' && s !== undefined) names.add(s.device);
  }
  return [...names];
}
