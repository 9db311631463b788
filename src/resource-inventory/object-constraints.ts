/**
 * The constraints the apiserver enforces on every object (ValidateObjectMeta and the per-kind
 * validation of the kinds kontract builds), checked on desired objects before any cluster is
 * contacted, so `kontract validate` rejects what a wet run would have the apiserver reject:
 *
 * - metadata.name: a DNS-1123 label for Namespaces, a path segment name for the RBAC kinds, a
 *   DNS-1123 subdomain for every other kind (custom resources included);
 * - metadata.namespace: a DNS-1123 label;
 * - label keys are qualified names (`prefix/name`), label values ≤ 63 characters of
 *   alphanumerics, `-`, `_`, `.` (alphanumeric at both ends);
 * - annotation keys are qualified names (lower-cased), and keys plus values of all annotations
 *   total at most 256 KiB;
 * - quantity fields (ResourceQuota hard, LimitRange limits, KubeVirt memory and resources) parse
 *   as Kubernetes quantities; quota and limit-range values are not negative.
 */
import type { KubeObject } from '../core/k8s-object.js';
import { isDns1123Label, isDns1123Subdomain, isLabelValue, isPathSegmentName, isQualifiedName } from '../core/k8s-names.js';
import { parseQuantity } from '../core/quantity.js';

/** Keys plus values of an object's annotations, in bytes (TotalAnnotationSizeLimitB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export interface ConstraintProblem {
  /** Dotted path in the object, e.g. `metadata.labels.team`. */
  readonly field: string;
  readonly message: string;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Where a kind holds quantities: a path (`*` = every array item) to a map of quantities or to one. */
interface QuantityField {
  readonly path: readonly string[];
  readonly shape: 'map' | 'value';
  readonly nonNegative: boolean;
}

const QUANTITY_FIELDS: ReadonlyMap<string, readonly QuantityField[]> = new Map([
  ['|ResourceQuota', [{ path: ['spec', 'hard'], shape: 'map', nonNegative: true }]],
  ['|LimitRange', ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']
    .map((k): QuantityField => ({ path: ['spec', 'limits', '*', k], shape: 'map', nonNegative: true }))],
  ['kubevirt.io|VirtualMachine', [
    { path: ['spec', 'template', 'spec', 'domain', 'memory', 'guest'], shape: 'value', nonNegative: true },
    { path: ['spec', 'template', 'spec', 'domain', 'resources', 'requests'], shape: 'map', nonNegative: true },
    { path: ['spec', 'template', 'spec', 'domain', 'resources', 'limits'], shape: 'map', nonNegative: true },
    { path: ['spec', 'dataVolumeTemplates', '*', 'spec', 'storage', 'resources', 'requests'], shape: 'map', nonNegative: true },
    { path: ['spec', 'dataVolumeTemplates', '*', 'spec', 'pvc', 'resources', 'requests'], shape: 'map', nonNegative: true },
  ]],
  ['instancetype.kubevirt.io|VirtualMachineClusterInstancetype', [{ path: ['spec', 'memory', 'guest'], shape: 'value', nonNegative: true }]],
]);

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function nameProblem(group: string, kind: string, name: string): string | undefined {
  if (group === '' && kind === 'Namespace') {
    return isDns1123Label(name) ? undefined : 'must be a DNS-1123 label (lower-case alphanumerics and \'-\', at most 63 characters)';
  }
  if (group === RBAC_GROUP) return isPathSegmentName(name) ? undefined : 'must not be empty, \'.\' or \'..\', nor contain \'/\' or \'%\'';
  return isDns1123Subdomain(name) ? undefined : 'must be a DNS-1123 subdomain (lower-case alphanumerics, \'-\' and \'.\', at most 253 characters)';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Calls `visit` with every value at `path` (expanding `*` over arrays) and the segments leading to
 * it (`parts`, shared and mutated: join it only when reporting).
 */
function visitValuesAt(root: unknown, path: readonly string[], depth: number, parts: (string | number)[], visit: (value: unknown, parts: readonly (string | number)[]) => void): void {
  if (depth === path.length) {
    if (root !== undefined) visit(root, parts);
    return;
  }
  const head = path[depth] ?? '';
  if (head === '*') {
    if (!Array.isArray(root)) return;
    for (let i = 0; i < root.length; i++) {
      parts.push(i);
      visitValuesAt(root[i], path, depth + 1, parts, visit);
      parts.pop();
    }
    return;
  }
  if (!isRecord(root)) return;
  parts.push(head);
  visitValuesAt(root[head], path, depth + 1, parts, visit);
  parts.pop();
}

/** `['spec', 'limits', 0, 'max', 'cpu']` → `spec.limits[0].max.cpu`. */
function fieldOf(parts: readonly (string | number)[]): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

/** Memo of quantityProblem for string and number values (quota and limit values repeat across namespaces). */
const QUANTITY_MEMO = new Map<string, string | undefined>();
const QUANTITY_MEMO_MAX = 4096;

function quantityProblem(value: unknown, nonNegative: boolean): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return `${JSON.stringify(value)} is not a Kubernetes quantity`;
  const key = `${typeof value === 'number' ? 'n' : 's'}${nonNegative ? '+' : ''}:${value}`;
  if (QUANTITY_MEMO.has(key)) return QUANTITY_MEMO.get(key);
  const q = parseQuantity(value);
  const problem = q === undefined ? `${JSON.stringify(value)} is not a Kubernetes quantity`
    : nonNegative && q.num < 0n ? `${JSON.stringify(value)} must not be negative` : undefined;
  if (QUANTITY_MEMO.size >= QUANTITY_MEMO_MAX) QUANTITY_MEMO.clear();
  QUANTITY_MEMO.set(key, problem);
  return problem;
}

function quantityProblems(obj: KubeObject, group: string): ConstraintProblem[] {
  const out: ConstraintProblem[] = [];
  for (const f of QUANTITY_FIELDS.get(`${group}|${obj.kind}`) ?? []) {
    visitValuesAt(obj, f.path, 0, [], (value, parts) => {
      if (f.shape === 'value') {
        const message = quantityProblem(value, f.nonNegative);
        if (message !== undefined) out.push({ field: fieldOf(parts), message });
        return;
      }
      if (!isRecord(value)) return;
      for (const k of Object.keys(value)) {
        const message = quantityProblem(value[k], f.nonNegative);
        if (message !== undefined) out.push({ field: `${fieldOf(parts)}.${k}`, message });
      }
    });
  }
  return out;
}

/** Every apiserver constraint the object breaks (empty when the apiserver would accept its metadata and quantities). */
export function objectConstraintProblems(obj: KubeObject, namespaced: boolean): ConstraintProblem[] {
  const out: ConstraintProblem[] = [];
  const group = groupOf(obj.apiVersion);
  const meta = obj.metadata;
  const name = typeof meta.name === 'string' ? meta.name : '';
  const bad = nameProblem(group, obj.kind, name);
  if (bad !== undefined) out.push({ field: 'metadata.name', message: `${JSON.stringify(name)} ${bad}` });
  if (namespaced) {
    const ns = meta.namespace ?? '';
    if (!isDns1123Label(ns)) out.push({ field: 'metadata.namespace', message: `${JSON.stringify(ns)} must be a DNS-1123 label` });
  }
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    if (!isQualifiedName(k)) out.push({ field: `metadata.labels.${k}`, message: 'the key must be a qualified name ([prefix/]name: name ≤ 63 alphanumerics, \'-\', \'_\', \'.\'; prefix a DNS-1123 subdomain)' });
    if (typeof v !== 'string' || !isLabelValue(v)) {
      const len = typeof v === 'string' ? v.length : 0;
      out.push({ field: `metadata.labels.${k}`, message: `the value must be at most 63 characters (alphanumerics, '-', '_', '.'; alphanumeric at both ends)${len > 63 ? `, got ${len}` : ''}` });
    }
  }
  let size = 0;
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    if (!isQualifiedName(k.toLowerCase())) out.push({ field: `metadata.annotations.${k}`, message: 'the key must be a qualified name ([prefix/]name)' });
    size += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : '');
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    out.push({ field: 'metadata.annotations', message: `total size ${size} bytes exceeds the apiserver's limit of ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes (256 KiB)` });
  }
  out.push(...quantityProblems(obj, group));
  return out;
}
