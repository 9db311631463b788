/**
 * Which of an update's fields another field manager owns (server-side apply `managedFields`,
 * fieldsV1 format). kontract applies with force, so such fields change hands; the plan reports
 * them (PlannedChange.takenFields). Pure.
 */
import type { FieldChange, TakenFields } from './plan.js';

/** One `metadata.managedFields` entry of a manager other than kontract. */
export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: string;
  readonly fieldsV1: unknown;
}

type FieldSet = Readonly<Record<string, unknown>>;

function isSet(v: unknown): v is FieldSet {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The part of `segments` (a FieldChange path split on dots) that `set` owns, as a dotted path, or
 * undefined. Keys may contain dots (label keys), so every split is tried. At a list index the
 * list field is the answer when the manager owns anything in it (fieldsV1 keys list items by
 * `k:`/`v:`/`i:`, not by index).
 */
function owned(set: FieldSet, segments: readonly string[], from: number, prefix: readonly string[]): string | undefined {
  if (from === segments.length) return prefix.join('.');
  if (/^\d+$/.test(segments[from] ?? '')) return Object.keys(set).some((k) => k !== '.') ? prefix.join('.') : undefined;
  for (let to = from + 1; to <= segments.length; to++) {
    const key = segments.slice(from, to).join('.');
    const child = set[`f:${key}`];
    if (!isSet(child)) continue;
    const found = owned(child, segments, to, [...prefix, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Per other manager, the fields of `changes` (set or replaced by kontract) it owns; sorted, empty when none. */
export function takenFields(changes: readonly FieldChange[], entries: readonly ManagedFieldsEntry[]): TakenFields[] {
  const out: TakenFields[] = [];
  for (const e of entries) {
    if (!isSet(e.fieldsV1)) continue;
    const fields = new Set<string>();
    for (const c of changes) {
      if (c.op === 'remove') continue;
      const f = owned(e.fieldsV1, c.path.split('.'), 0, []);
      if (f !== undefined && f !== '') fields.add(f);
    }
    if (fields.size > 0) out.push({ manager: e.manager, operation: e.operation, fields: [...fields].sort() });
  }
  return out.sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0));
}
