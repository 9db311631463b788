/**
 * Small readers over listed objects (plain JSON from the apiserver): records, arrays, strings,
 * numbers, quantities and label selectors. Pure.
 */
import type { KubeObject } from '../core/k8s-object.js';
import { isPlainObject } from '../core/plain-object.js';
import { parseQuantity } from '../core/quantity.js';
import type { Quantity, ResourceList } from './types.js';

export type Json = Record<string, unknown>;

export function rec(v: unknown): Json {
  return isPlainObject(v) ? v : {};
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
export function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' ? v : fallback;
}
export function strings(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string');
}
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(rec(v)).sort(([a], [b]) => a.localeCompare(b))) if (typeof x === 'string') out[k] = x;
  return out;
}
export function quantityString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}
/** `{ ...(v === undefined ? {} : { [key]: v }) }` for exactOptionalPropertyTypes. */
export function opt<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

/** A quantity with its value in base units; undefined when absent. */
export function quantity(v: unknown): Quantity | undefined {
  const text = quantityString(v);
  if (text === undefined) return undefined;
  const q = parseQuantity(text);
  return q === undefined ? { quantity: text } : { quantity: text, value: Number(q.num) / Number(q.den) };
}

export function resourceList(v: unknown): ResourceList {
  const out: Record<string, Quantity> = {};
  for (const k of Object.keys(rec(v)).sort()) {
    const q = quantity(rec(v)[k]);
    if (q !== undefined) out[k] = q;
  }
  return out;
}

/** A LabelSelector (matchLabels + matchExpressions) or a plain map, in kubectl syntax. */
export function selectorString(v: unknown): string {
  const sel = rec(v);
  const isStructured = 'matchLabels' in sel || 'matchExpressions' in sel;
  const parts = Object.entries(stringMap(isStructured ? sel.matchLabels : sel)).map(([k, x]) => `${k}=${x}`);
  for (const e of arr(sel.matchExpressions).map(rec)) {
    const key = str(e.key) ?? '';
    const values = strings(e.values).join(',');
    switch (e.operator) {
      case 'In': parts.push(`${key} in (${values})`); break;
      case 'NotIn': parts.push(`${key} notin (${values})`); break;
      case 'Exists': parts.push(key); break;
      case 'DoesNotExist': parts.push(`!${key}`); break;
      default: break;
    }
  }
  return parts.join(',');
}

export function labelsOf(o: KubeObject): Record<string, string> {
  return o.metadata.labels ?? {};
}

const MANAGED_BY = 'app.kubernetes.io/managed-by';
const INTEGRATION = 'kontract.io/integration';

/** The kontract integration that owns an object, if kontract manages it. */
export function managedBy(o: KubeObject): string | undefined {
  const l = labelsOf(o);
  return l[MANAGED_BY] === 'kontract' ? l[INTEGRATION] : undefined;
}

export interface RawOwnerReference {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly uid?: string;
  readonly controller?: boolean;
}

export function ownerReferences(o: KubeObject): RawOwnerReference[] {
  return arr(o.metadata.ownerReferences).map((x) => rec(x) as RawOwnerReference);
}

/** The controller ownerReference (`controller: true`), else the only ownerReference. */
export function controllerOf(o: KubeObject): RawOwnerReference | undefined {
  const refs = ownerReferences(o);
  return refs.find((r) => r.controller === true) ?? (refs.length === 1 ? refs[0] : undefined);
}

export const byNsName = <T extends { readonly namespace: string; readonly name: string }>(a: T, b: T): number =>
  a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);

export function conditionStatus(status: unknown, type: string): boolean | undefined {
  const c = arr(rec(status).conditions).map(rec).find((x) => x.type === type);
  if (c === undefined) return undefined;
  return c.status === 'True';
}
