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

/** kind → API group → quantity fields (looked up per object: no key string built). */
const QUANTITY_FIELDS: ReadonlyMap<string, ReadonlyMap<string, readonly QuantityField[]>> = new Map([
  ['ResourceQuota', new Map([['', [{ path: ['spec', 'hard'], shape: 'map', nonNegative: true }]]])],
  ['LimitRange', new Map([['', ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']
    .map((k): QuantityField => ({ path: ['spec', 'limits', '*', k], shape: 'map', nonNegative: true }))]])],
  ['VirtualMachine', new Map([['kubevirt.io', [
    { path: ['spec', 'template', 'spec', 'domain', 'memory', 'guest'], shape: 'value', nonNegative: true },
    { path: ['spec', 'template', 'spec', 'domain', 'resources', 'requests'], shape: 'map', nonNegative: true },
    { path: ['spec', 'template', 'spec', 'domain', 'resources', 'limits'], shape: 'map', nonNegative: true },
    { path: ['spec', 'dataVolumeTemplates', '*', 'spec', 'storage', 'resources', 'requests'], shape: 'map', nonNegative: true },
    { path: ['spec', 'dataVolumeTemplates', '*', 'spec', 'pvc', 'resources', 'requests'], shape: 'map', nonNegative: true },
  ]]])],
  ['VirtualMachineClusterInstancetype', new Map([['instancetype.kubevirt.io', [{ path: ['spec', 'memory', 'guest'], shape: 'value', nonNegative: true }]]])],
]);

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/**
 * Strings a check already accepted, per check. Desired objects repeat the same names, namespaces,
 * label keys and values thousands of times (the e2e bench's 22,682 objects; docs/benchmarks.md,
 * "validate: data loading and validation"); only accepted strings are kept, so a problem is
 * always computed and reported as before. Bounded: cleared when full.
 */
class Accepted {
  private readonly seen = new Set<string>();
  constructor(private readonly test: (s: string) => boolean) {}
  has(s: string): boolean {
    if (this.seen.has(s)) return true;
    if (!this.test(s)) return false;
    if (this.seen.size >= ACCEPTED_MAX) this.seen.clear();
    this.seen.add(s);
    return true;
  }
}

const ACCEPTED_MAX = 16_384;
const DNS_LABELS = new Accepted(isDns1123Label);
const DNS_SUBDOMAINS = new Accepted(isDns1123Subdomain);
const QUALIFIED_NAMES = new Accepted(isQualifiedName);
const LABEL_VALUES = new Accepted(isLabelValue);

function nameProblem(group: string, kind: string, name: string): string | undefined {
  if (group === '' && kind === 'Namespace') {
    return DNS_LABELS.has(name) ? undefined : 'must be a DNS-1123 label (lower-case alphanumerics and \'-\', at most 63 characters)';
  }
  if (group === RBAC_GROUP) return isPathSegmentName(name) ? undefined : 'must not be empty, \'.\' or \'..\', nor contain \'/\' or \'%\'';
  return DNS_SUBDOMAINS.has(name) ? undefined : 'must be a DNS-1123 subdomain (lower-case alphanumerics, \'-\' and \'.\', at most 253 characters)';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `['spec', 'limits', 0, 'max', 'cpu']` → `spec.limits[0].max.cpu`. */
function fieldOf(parts: readonly (string | number)[]): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

/** Memo of quantityProblem for string and number values (quota and limit values repeat across namespaces), per sign rule. */
const QUANTITY_MEMO = { strict: new Map<string | number, string | undefined>(), signed: new Map<string | number, string | undefined>() };
const QUANTITY_MEMO_MAX = 4096;

function quantityProblem(value: unknown, nonNegative: boolean): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return `${JSON.stringify(value)} is not a Kubernetes quantity`;
  const memo = nonNegative ? QUANTITY_MEMO.strict : QUANTITY_MEMO.signed;
  if (memo.has(value)) return memo.get(value);
  const q = parseQuantity(value);
  const problem = q === undefined ? `${JSON.stringify(value)} is not a Kubernetes quantity`
    : nonNegative && q.num < 0n ? `${JSON.stringify(value)} must not be negative` : undefined;
  if (memo.size >= QUANTITY_MEMO_MAX) memo.clear();
  memo.set(value, problem);
  return problem;
}

/**
 * Checks every value at `f.path` from `depth` (expanding `*` over arrays); `parts` are the
 * segments leading to `node` (shared and mutated: joined only when reporting).
 */
function checkQuantitiesAt(node: unknown, f: QuantityField, depth: number, parts: (string | number)[], out: ConstraintProblem[]): void {
  if (node === undefined) return;
  if (depth === f.path.length) {
    if (f.shape === 'value') {
      const message = quantityProblem(node, f.nonNegative);
      if (message !== undefined) out.push({ field: fieldOf(parts), message });
      return;
    }
    if (!isRecord(node)) return;
    for (const k in node) {
      if (!Object.prototype.hasOwnProperty.call(node, k)) continue;
      const message = quantityProblem(node[k], f.nonNegative);
      if (message !== undefined) out.push({ field: `${fieldOf(parts)}.${k}`, message });
    }
    return;
  }
  const head = f.path[depth] ?? '';
  if (head === '*') {
    if (!Array.isArray(node)) return;
    for (let i = 0; i < node.length; i++) {
      parts.push(i);
      checkQuantitiesAt(node[i], f, depth + 1, parts, out);
      parts.pop();
    }
    return;
  }
  if (!isRecord(node)) return;
  parts.push(head);
  checkQuantitiesAt(node[head], f, depth + 1, parts, out);
  parts.pop();
}

const LABEL_KEY_PROBLEM = 'the key must be a qualified name ([prefix/]name: name ≤ 63 alphanumerics, \'-\', \'_\', \'.\'; prefix a DNS-1123 subdomain)';

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
    if (!DNS_LABELS.has(ns)) out.push({ field: 'metadata.namespace', message: `${JSON.stringify(ns)} must be a DNS-1123 label` });
  }
  const labels = meta.labels;
  if (labels !== undefined) {
    for (const k in labels) {
      if (!Object.prototype.hasOwnProperty.call(labels, k)) continue;
      const v: unknown = labels[k];
      if (!QUALIFIED_NAMES.has(k)) out.push({ field: `metadata.labels.${k}`, message: LABEL_KEY_PROBLEM });
      if (typeof v !== 'string' || !LABEL_VALUES.has(v)) {
        const len = typeof v === 'string' ? v.length : 0;
        out.push({ field: `metadata.labels.${k}`, message: `the value must be at most 63 characters (alphanumerics, '-', '_', '.'; alphanumeric at both ends)${len > 63 ? `, got ${len}` : ''}` });
      }
    }
  }
  const annotations = meta.annotations;
  if (annotations !== undefined) {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit: the exact byte count is needed only near the limit.
    let units = 0;
    for (const k in annotations) {
      if (!Object.prototype.hasOwnProperty.call(annotations, k)) continue;
      if (!QUALIFIED_NAMES.has(k.toLowerCase())) out.push({ field: `metadata.annotations.${k}`, message: 'the key must be a qualified name ([prefix/]name)' });
      const v: unknown = annotations[k];
      units += k.length + (typeof v === 'string' ? v.length : 0);
    }
    if (units * 3 > TOTAL_ANNOTATION_SIZE_LIMIT) {
      let size = 0;
      for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : '');
      if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
        out.push({ field: 'metadata.annotations', message: `total size ${size} bytes exceeds the apiserver's limit of ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes (256 KiB)` });
      }
    }
  }
  const fields = QUANTITY_FIELDS.get(obj.kind)?.get(group);
  if (fields !== undefined) for (const f of fields) checkQuantitiesAt(obj, f, 0, [], out);
  return out;
}
