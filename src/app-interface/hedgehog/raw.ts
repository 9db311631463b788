/**
 * Small readers for fabric datafiles and the CR bodies of a fabric's GitOps documents, which
 * arrive as `unknown` from YAML. `at` and `RawObject` are the datafile field reader's
 * (field-reader.ts).
 */
import type { RawObject } from '../field-reader.js';
import { isPlainObject } from '../../core/plain-object.js';

export type { RawObject } from '../field-reader.js';
export { at } from '../field-reader.js';

export function asObject(v: unknown): RawObject | undefined {
  return isPlainObject(v) ? v : undefined;
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function asArray(v: unknown): readonly unknown[] | undefined {
  return Array.isArray(v) ? (v as unknown[]) : undefined;
}

export function asInteger(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** A short description of a value for messages (never the value of a secret: CRs hold none). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}
