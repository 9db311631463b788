/**
 * The one plain-object check: a JSON/YAML object (not null, not a list). Used wherever a value
 * arrives as `unknown` (datafiles, GraphQL answers, live objects).
 */

/** True for a non-null object that is not an array. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
