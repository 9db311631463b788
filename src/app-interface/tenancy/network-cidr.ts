/**
 * IPv4/IPv6 addresses and CIDRs for the VDC network checks (network.ts): syntax through node:net,
 * arithmetic on BigInt so both families share one code path.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  readonly family: 4 | 6;
  /** The network address (host bits zero when `aligned`). */
  readonly base: bigint;
  readonly prefix: number;
  /** false when the address has host bits set (`10.0.0.1/24`). */
  readonly aligned: boolean;
}

const BITS = { 4: 32, 6: 128 } as const;

/** The address as a number, or undefined when it is not an IPv4/IPv6 address. */
export function parseAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (isIPv4(text)) return { family: 4, value: text.split('.').reduce((acc, o) => (acc << 8n) + BigInt(o), 0n) };
  if (!isIPv6(text) || text.includes('.') || text.includes('%')) return undefined;
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) + BigInt(`0x${g}`), 0n) };
}

/** `10.1.0.0/16`, `fd00:10::/64`; undefined when not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/([0-9]{1,3})$/.exec(text);
  if (m === null) return undefined;
  const addr = parseAddress(m[1] ?? '');
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > BITS[addr.family]) return undefined;
  const hostBits = BigInt(BITS[addr.family] - prefix);
  const base = (addr.value >> hostBits) << hostBits;
  return { family: addr.family, base, prefix, aligned: base === addr.value };
}

export function cidrContains(c: Cidr, address: { family: 4 | 6; value: bigint }): boolean {
  if (c.family !== address.family) return false;
  const hostBits = BigInt(BITS[c.family] - c.prefix);
  return (address.value >> hostBits) << hostBits === c.base;
}

export function addressBits(family: 4 | 6): number {
  return BITS[family];
}
