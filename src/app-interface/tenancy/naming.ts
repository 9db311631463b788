/**
 * The namespace of a VDC: `vdc-<organisation>-<vdc>` (both slugs). When that is longer than a
 * namespace name may be (63 characters), it is cut to 54 characters (trailing `-` removed) and
 * `-<8 hex digits of the SHA-256 of the full name>` appended, so the name stays unique and stable.
 */
import { createHash } from 'node:crypto';
import { DNS1123_LABEL_MAX } from '../../core/k8s-names.js';

export const VDC_NAMESPACE_PREFIX = 'vdc-';
const HASH_LENGTH = 8;

export function vdcNamespaceName(organisation: string, vdc: string): string {
  const full = `${VDC_NAMESPACE_PREFIX}${organisation}-${vdc}`;
  if (full.length <= DNS1123_LABEL_MAX) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH);
  const head = full.slice(0, DNS1123_LABEL_MAX - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}
