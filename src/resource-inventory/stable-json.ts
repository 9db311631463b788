/**
 * Deterministic serialisation (same object, same bytes: hashes and plan output): keys sorted at every level, with
 * `apiVersion`, `kind`, `metadata` first at the top of an object.
 */
import { isPlainObject } from '../core/plain-object.js';

const FIRST_KEYS = ['apiVersion', 'kind', 'metadata'];

function keyRank(k: string): number {
  const i = FIRST_KEYS.indexOf(k);
  return i === -1 ? FIRST_KEYS.length : i;
}

function compareKeys(a: string, b: string): number {
  const r = keyRank(a) - keyRank(b);
  if (r !== 0) return r;
  return a < b ? -1 : a > b ? 1 : 0;
}

function looksLikeObject(value: Record<string, unknown>): boolean {
  return typeof value.apiVersion === 'string' && typeof value.kind === 'string' && isPlainObject(value.metadata);
}

/**
 * The keys of `value` in stable order: sorted, except that a Kubernetes object starts with
 * `apiVersion`, `kind`, `metadata` (the default sort compares UTF-16 code units, like `<`).
 */
export function sortedKeys(value: Record<string, unknown>): string[] {
  const keys = Object.keys(value).sort();
  if (!looksLikeObject(value)) return keys;
  const out = [...FIRST_KEYS];
  for (const k of keys) if (keyRank(k) === FIRST_KEYS.length) out.push(k);
  return out;
}

/** Whether `k` is an array-index property name (objects enumerate those first, ascending). */
function isIndexKey(k: string): boolean {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d*)$/.test(k) && Number(k) < 4294967295;
}

/**
 * True when JSON.stringify(value) already equals JSON.stringify(orderKeys(value)): every plain
 * object (no toJSON, plain prototype) enumerates its keys in stable order, so the sorted copy can
 * be skipped. Objects built by inserting keys in sortedKeys() order pass (canonicalize builds
 * them so); anything else is simply serialised through orderKeys.
 */
function isInStableOrder(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isInStableOrder);
  if (!isPlainObject(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in value) return false;
  const compare = looksLikeObject(value) ? compareKeys : undefined;
  let prev: string | undefined;
  for (const k of Object.keys(value)) {
    // Array-index keys come first, ascending, in any object: the same in the sorted copy.
    if (!isIndexKey(k)) {
      if (prev !== undefined && (compare === undefined ? !(prev < k) : compare(prev, k) >= 0)) return false;
      prev = k;
    }
    if (!isInStableOrder(value[k])) return false;
  }
  return true;
}

/**
 * A deep copy with keys sorted at every level, except that a Kubernetes object (a map with
 * `apiVersion`, `kind` and `metadata`) starts with those three; `undefined` values are dropped.
 */
export function orderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(orderKeys);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of sortedKeys(value)) {
    const v = value[k];
    if (v !== undefined) out[k] = orderKeys(v);
  }
  return out;
}

/** JSON with sorted keys (compact unless indent is given). */
export function stableStringify(value: unknown, indent?: number): string {
  if (indent === undefined && isInStableOrder(value)) return JSON.stringify(value);
  return JSON.stringify(orderKeys(value), null, indent);
}
