/** IPv4 addresses and prefixes, as the fabric webhooks parse them (Hedgehog VPCs are IPv4 only). */

export interface Ipv4Prefix {
  /** Network address as an unsigned 32-bit number. */
  readonly network: number;
  readonly bits: number;
  /** As written. */
  readonly text: string;
}

const OCTET = /^(?:0|[1-9]\d{0,2})$/;

/** The address as an unsigned 32-bit number, or undefined. */
export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** `a.b.c.d/n`; the host bits are masked off (as Go's net.ParseCIDR does). */
export function parseCidr(s: string): Ipv4Prefix | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  if (m === null) return undefined;
  const ip = parseIpv4(m[1] ?? '');
  const bits = Number(m[2]);
  if (ip === undefined || bits > 32) return undefined;
  return { network: (ip & mask(bits)) >>> 0, bits, text: s };
}

/** `a.b.c.d/n` where the address may be a host address (e.g. a switch IP `172.30.0.2/21`). */
export function parseInterfaceAddress(s: string): { ip: number; prefix: Ipv4Prefix } | undefined {
  const prefix = parseCidr(s);
  const ip = parseIpv4(s.split('/')[0] ?? '');
  return prefix === undefined || ip === undefined ? undefined : { ip, prefix };
}

export function contains(p: Ipv4Prefix, ip: number): boolean {
  return ((ip & mask(p.bits)) >>> 0) === p.network;
}

export function prefixInside(inner: Ipv4Prefix, outer: Ipv4Prefix): boolean {
  return inner.bits >= outer.bits && contains(outer, inner.network);
}

export function overlaps(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  return prefixInside(a, b) || prefixInside(b, a);
}

export function broadcast(p: Ipv4Prefix): number {
  return (p.network | ~mask(p.bits)) >>> 0;
}
