/**
 * Field-level comparison of a canonical desired object with its canonical live counterpart.
 *
 * Only what kontract sets counts ("desired ⊆ live", docs/ownership-and-diff.md): the live object is first
 * projected onto the shape of the desired one (map keys the desired object does not set are
 * dropped, arrays are cut to the desired length), then deep-diff lists the differences. So server
 * defaults never show up, while a desired key missing from live, a changed value or a shorter
 * live array do. Scalars compare as equal when they are the same int-or-string (`80` / `"80"`) or,
 * outside metadata and Secret/ConfigMap data, the same quantity (`1Gi` / `1024Mi`).
 */
import deepDiff from 'deep-diff';
import type { KubeObject } from '../core/k8s-object.js';
import { canonicalScalar, quantityEquals } from './canonicalize.js';
import type { FieldChange } from './plan.js';
import { isPlainObject } from '../core/plain-object.js';

/** `live` reduced to the keys / array positions `desired` sets (a copy; inputs untouched). */
export function projectOnto(live: unknown, desired: unknown): unknown {
  if (isPlainObject(desired) && isPlainObject(live)) {
    const out: Record<string, unknown> = {};
    for (const [k, d] of Object.entries(desired)) {
      if (k in live) out[k] = projectOnto(live[k], d);
    }
    return out;
  }
  if (Array.isArray(desired) && Array.isArray(live)) {
    return live.slice(0, desired.length).map((l: unknown, i) => projectOnto(l, desired[i]));
  }
  return live;
}

/** Top-level fields whose values are opaque payloads: never compared as quantities. */
const OPAQUE_ROOTS = new Set(['metadata', 'data', 'stringData', 'binaryData']);

/** Whether a desired scalar and a live scalar mean the same (see the module comment). */
export function scalarEquivalent(desired: unknown, live: unknown, path: readonly string[]): boolean {
  if (desired === live) return true;
  const dt = typeof desired;
  const lt = typeof live;
  if ((dt !== 'string' && dt !== 'number') || (lt !== 'string' && lt !== 'number')) return false;
  const d = desired as string | number;
  const l = live as string | number;
  if (dt !== lt && String(d) === String(l)) return true;
  return !OPAQUE_ROOTS.has(path[0] ?? '') && quantityEquals(d, l);
}

function patternRegex(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^.]*');
  return new RegExp(`^${body}(?:\\.|$)`);
}

/**
 * Whether a dotted field path lies at or under one of `patterns` (dot-separated, `*` matches one
 * segment, e.g. `spec.containers.*.image`), or is a parent of one (replacing `roleRef` touches
 * `roleRef.name`).
 */
export function pathMatches(path: string, patterns: readonly string[], includeParents = false): boolean {
  return patterns.some((p) => patternRegex(p).test(path) || (includeParents && p.startsWith(`${path}.`)));
}

type Diff = deepDiff.Diff<unknown, unknown>;

function toChange(d: Diff, base: readonly string[]): FieldChange | undefined {
  const raw: unknown[] = d.path ?? [];
  const path = [...base, ...raw.map(String)];
  switch (d.kind) {
    case 'N':
      return { path: path.join('.'), op: 'add', after: d.rhs };
    case 'D':
      return { path: path.join('.'), op: 'remove', before: d.lhs };
    case 'E':
      return scalarEquivalent(d.rhs, d.lhs, path) ? undefined : { path: path.join('.'), op: 'replace', before: d.lhs, after: d.rhs };
    case 'A':
      return toChange(d.item, [...path, String(d.index)]);
  }
}

export interface FieldDiffOptions {
  /** Paths not compared (Integration.ignoreFields). @default [] */
  readonly ignoreFields?: readonly string[];
}

/**
 * Differences between canonical live and canonical desired, restricted to what desired sets,
 * sorted by path. Empty when the live object already matches.
 */
export function fieldChanges(current: KubeObject, desired: KubeObject, opts: FieldDiffOptions = {}): FieldChange[] {
  const ignore = opts.ignoreFields ?? [];
  const diffs = deepDiff.diff<unknown, unknown>(projectOnto(current, desired), desired) ?? [];
  const out: FieldChange[] = [];
  for (const d of diffs) {
    const c = toChange(d, []);
    if (c !== undefined && !(ignore.length > 0 && pathMatches(c.path, ignore))) out.push(c);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Fast check, without copying: true only when `fieldChanges(canonicalize(live, …), canonical
 * desired)` is certainly empty, for `live` as read and `desired` either already canonical or as
 * its integration built it. It walks what `desired` sets and stops at the first difference; on any
 * doubt (a different scalar that might still be the same int-or-string or quantity, a null in
 * live, a Secret with `stringData`, …) it answers false and the caller runs the full canonicalize +
 * fieldChanges, so the result is never weaker.
 *
 * Sound because, for what `desired` sets: canonical live keeps the live values except that null
 * map values are dropped (→ false here), `status` and server metadata are dropped, labels /
 * annotations keep only string values without kontract's marks, ownerReferences / finalizers are
 * kept when desired sets them, and scalars at quantity paths are canonicalised (done here on both
 * sides with canonicalScalar, which is idempotent). An uncanonical desired object differs from its
 * canonical form only by null / undefined map values (skipped here, dropped there), quantities
 * (canonicalised here) and keys canonicalisation drops (status, server metadata, marks,
 * `stringData`): walking those only makes this check stricter.
 */
export function liveMatchesDesired(live: KubeObject, desired: KubeObject): boolean {
  const l: unknown = live;
  if (!isPlainObject(l)) return false;
  if (live.kind === 'Secret' && l.stringData !== undefined) return false;
  return subsetEqual(live.kind, desired, l, []);
}

function subsetEqual(kind: string, desired: unknown, live: unknown, path: string[]): boolean {
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length < desired.length) return false;
    for (let i = 0; i < desired.length; i++) {
      if (!subsetEqual(kind, desired[i], live[i], path)) return false;
    }
    return true;
  }
  if (isPlainObject(desired)) {
    if (!isPlainObject(live)) return false;
    // for…in, not Object.keys: no key array per map (JSON objects have no inherited enumerables).
    for (const k in desired) {
      const dv = desired[k];
      if (dv === undefined || dv === null) continue;
      const lv = live[k];
      if (lv === undefined || lv === null || !Object.hasOwn(live, k)) return false;
      path.push(k);
      const same = subsetEqual(kind, dv, lv, path);
      path.pop();
      if (!same) return false;
    }
    return true;
  }
  // `undefined` only occurs as an array element (never in JSON); deep-diff reports those oddly,
  // so leave them to the full comparison.
  if (desired === undefined || (typeof live === 'object' && live !== null)) return false;
  return live === desired || canonicalScalar(kind, live, path) === canonicalScalar(kind, desired, path);
}
