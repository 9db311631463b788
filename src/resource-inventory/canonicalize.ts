/**
 * Canonical form of a Kubernetes object: what kontract compares and hashes. Works on a copy and
 * never mutates its input.
 *
 * - drops `status` and server-set metadata (uid, resourceVersion, generation, creationTimestamp,
 *   managedFields, selfLink, deletion*), plus `finalizers` / `ownerReferences` unless kept;
 * - drops the kubectl last-applied annotation and kontract's own marks; empty label/annotation
 *   maps and `null` map values disappear;
 * - Secret `stringData` is folded into base64 `data` (the API server does the same);
 * - quantities at known quantity paths become the API server's canonical string (`1000m` → `1`,
 *   `1024Mi` → `1Gi`), so desired and live agree however the value was written.
 */
import { hash } from 'node:crypto';
import type { KubeObject } from '../core/k8s-object.js';
import {
  INTEGRATION_LABEL,
  KONTRACT_ANNOTATION_PREFIX,
  LAST_APPLIED_ANNOTATION,
  MANAGED_BY_LABEL,
} from './marks.js';
import { canonicalQuantity, parseQuantity, quantityValuesEqual } from '../core/quantity.js';
import { isPlainObject } from '../core/plain-object.js';
import { sortedKeys, stableStringify } from './stable-json.js';

/** metadata fields the API server sets; never compared. */
export const SERVER_METADATA_FIELDS: readonly string[] = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

export interface CanonicalizeOptions {
  /** Keep `metadata.ownerReferences` (set when the desired object declares them). @default false */
  readonly keepOwnerReferences?: boolean;
  /** Keep `metadata.finalizers` (set when the desired object declares them). @default false */
  readonly keepFinalizers?: boolean;
}

const LIMIT_RANGE_KEYS = new Set(['default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio']);

/**
 * Whether a scalar at `path` (map keys only, array indices removed) holds a quantity:
 * ResourceQuota `spec.hard.*`, `…resources.{limits,requests}.*` (containers, KubeVirt domains,
 * PVCs), LimitRange `spec.limits[].{default,defaultRequest,max,min,maxLimitRequestRatio}.*`,
 * KubeVirt `…memory.guest` / `…memory.maxGuest`.
 */
export function isQuantityPath(kind: string, path: readonly string[]): boolean {
  const n = path.length;
  const parent = path[n - 2];
  if (parent === 'hard') return true;
  if ((parent === 'limits' || parent === 'requests') && path[n - 3] === 'resources') return true;
  if (kind === 'LimitRange' && path[0] === 'spec' && path[1] === 'limits' && n === 4 && LIMIT_RANGE_KEYS.has(parent ?? '')) return true;
  const last = path[n - 1];
  return parent === 'memory' && (last === 'guest' || last === 'maxGuest');
}

/**
 * Deep JSON copy in one pass: `undefined` and `null` map values are dropped (SSA treats them as
 * absent) and scalars at quantity paths become their canonical quantity string. Keys are inserted
 * in stable order (sortedKeys), so hashing serialises the copy without sorting it again. `path` is
 * a stack of the map keys above `value` (array indices are not pushed), restored on return.
 */
function cloneCanonical(kind: string, value: unknown, path: string[]): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneCanonical(kind, v, path));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k of sortedKeys(value)) {
      const v = value[k];
      if (v === undefined || v === null) continue;
      path.push(k);
      out[k] = cloneCanonical(kind, v, path);
      path.pop();
    }
    return out;
  }
  return canonicalScalar(kind, value, path);
}

/** A scalar as canonicalize() writes it at `path`: quantities canonical, anything else as is. */
export function canonicalScalar(kind: string, value: unknown, path: readonly string[]): unknown {
  if ((typeof value === 'string' || typeof value === 'number') && isQuantityPath(kind, path)) {
    return canonicalQuantity(value) ?? value;
  }
  return value;
}

function stripMarks(map: unknown, isOurs: (key: string) => boolean): Record<string, string> | undefined {
  if (!isPlainObject(map)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) {
    if (!isOurs(k) && typeof v === 'string') out[k] = v;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

const SERVER_METADATA = new Set(SERVER_METADATA_FIELDS);

/** Canonical metadata; keeps the key order of `meta` (see cloneCanonical). */
function canonicalMetadata(meta: Record<string, unknown>, opts: CanonicalizeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(meta)) {
    if (SERVER_METADATA.has(k)) continue;
    if (k === 'ownerReferences' && opts.keepOwnerReferences !== true) continue;
    if (k === 'finalizers' && opts.keepFinalizers !== true) continue;
    if (k === 'labels') {
      const labels = stripMarks(meta.labels, (l) => l === MANAGED_BY_LABEL || l === INTEGRATION_LABEL);
      if (labels !== undefined) out.labels = labels;
    } else if (k === 'annotations') {
      const annotations = stripMarks(
        meta.annotations,
        (a) => a.startsWith(KONTRACT_ANNOTATION_PREFIX) || a === LAST_APPLIED_ANNOTATION,
      );
      if (annotations !== undefined) out.annotations = annotations;
    } else {
      out[k] = meta[k];
    }
  }
  return out;
}

/** `obj` with Secret `stringData` folded into `data` (obj itself when there is none), keys in stable order. */
function foldStringData(obj: Record<string, unknown>): Record<string, unknown> {
  const stringData = obj.stringData;
  if (!isPlainObject(stringData)) return obj;
  const data: Record<string, unknown> = isPlainObject(obj.data) ? { ...obj.data } : {};
  for (const [k, v] of Object.entries(stringData)) {
    if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  const out: Record<string, unknown> = {};
  for (const k of sortedKeys({ ...obj, data })) {
    if (k === 'stringData') continue;
    if (k === 'data') {
      const sorted: Record<string, unknown> = {};
      for (const dk of sortedKeys(data)) sorted[dk] = data[dk];
      out.data = sorted;
    } else {
      out[k] = obj[k];
    }
  }
  return out;
}

/** The canonical copy of `obj` (see the module comment). */
export function canonicalize(obj: KubeObject, opts: CanonicalizeOptions = {}): KubeObject {
  // Quantities are normalised while copying. The steps below only drop keys, filter label /
  // annotation values (`metadata.labels.*` is never a quantity path) and base64-fold `stringData.*`
  // into `data.*` (neither is a quantity path), so the result is the same as normalising last.
  const copy = cloneCanonical(obj.kind, obj, []) as Record<string, unknown>;
  delete copy.status;
  const meta = isPlainObject(copy.metadata) ? copy.metadata : {};
  copy.metadata = canonicalMetadata(meta, opts);
  return (obj.kind === 'Secret' ? foldStringData(copy) : copy) as unknown as KubeObject;
}

/** The canonical desired body as stable JSON (sorted keys). */
export function canonicalJson(obj: KubeObject): string {
  return stableStringify(canonicalize(obj, DESIRED_CANONICAL));
}

/** Options that canonicalise a desired object (it declares what it keeps). */
export const DESIRED_CANONICAL: CanonicalizeOptions = { keepOwnerReferences: true, keepFinalizers: true };

/** sha256 (hex) of an already canonical object, serialised with sorted keys. */
export function hashCanonical(canonical: KubeObject): string {
  return hash('sha256', stableStringify(canonical), 'hex');
}

/**
 * canonicalize() and hashCanonical() in one step, without hashCanonical's key-order check: every
 * map of a canonical copy is built by inserting keys in sortedKeys() order (cloneCanonical;
 * canonicalMetadata and stripMarks keep that order; foldStringData sorts), so plain JSON.stringify
 * already gives the stable serialisation. The one exception, an object without a plain `metadata`
 * (it is appended last), goes through stableStringify.
 */
export function canonicalizeAndHash(obj: KubeObject, opts: CanonicalizeOptions): { canonical: KubeObject; sha: string } {
  const canonical = canonicalize(obj, opts);
  const json = isPlainObject(obj.metadata) ? JSON.stringify(canonical) : stableStringify(canonical);
  return { canonical, sha: hash('sha256', json, 'hex') };
}

/** sha256 (hex) of the canonical desired body with sorted keys; ownership marks do not count. */
export function desiredHash(obj: KubeObject): string {
  return hashCanonical(canonicalize(obj, DESIRED_CANONICAL));
}

/** True when both parse as Kubernetes quantities with the same exact value (`1Gi` = `1024Mi`). */
export function quantityEquals(a: string | number, b: string | number): boolean {
  const qa = parseQuantity(a);
  const qb = parseQuantity(b);
  return qa !== undefined && qb !== undefined && quantityValuesEqual(qa, qb);
}
