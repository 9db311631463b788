/**
 * Deterministic, valid object names from free-form parts (usernames may hold `@`, `_`, capitals).
 */
import { createHash } from 'node:crypto';
import { DNS1123_LABEL_MAX, DNS1123_SUBDOMAIN_MAX, isDns1123Label, isDns1123Subdomain } from '../../core/k8s-names.js';


const HASH_LENGTH = 8;

export function isDnsName(name: string, maxLength: number = DNS1123_SUBDOMAIN_MAX): boolean {
  const valid = maxLength <= DNS1123_LABEL_MAX ? isDns1123Label(name) : isDns1123Subdomain(name);
  return valid && name.length <= maxLength;
}

function shortHash(raw: string): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, HASH_LENGTH);
}

function trimEdges(s: string): string {
  return s.replace(/^[^a-z0-9]+/, '').replace(/[^a-z0-9]+$/, '');
}

function clean(raw: string, maxLength: number): string {
  const lower = raw.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  const kept = trimEdges(lower);
  // Dots only survive where they separate valid labels (and never in a DNS label).
  if (isDnsName(kept, Number.MAX_SAFE_INTEGER) && maxLength > DNS1123_LABEL_MAX) return kept;
  return trimEdges(kept.replace(/\./g, '-'));
}

/**
 * A DNS-1123 name for `raw`. A valid name is returned unchanged. Otherwise it is lower-cased,
 * characters outside `[a-z0-9.-]` (and misplaced dots) become `-`, edges are trimmed, and a
 * `-<first 8 hex of sha256(raw)>` suffix keeps distinct inputs distinct (`Alice` and `alice`);
 * a name longer than `maxLength` is cut to make room for that suffix.
 *
 * @param maxLength {@link DNS1123_SUBDOMAIN_MAX} (the default) or {@link DNS1123_LABEL_MAX}
 */
export function dnsName(raw: string, maxLength: number = DNS1123_SUBDOMAIN_MAX): string {
  if (isDnsName(raw, maxLength)) return raw;
  const suffix = shortHash(raw);
  const head = trimEdges(clean(raw, maxLength).slice(0, maxLength - HASH_LENGTH - 1));
  return head === '' ? suffix : `${head}-${suffix}`;
}
