/**
 * Deterministic serialisation (conventions pattern 12): keys sorted at every level, with
 * `apiVersion`, `kind`, `metadata` first at the top of an object.
 */
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

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function looksLikeObject(value: Record<string, unknown>): boolean {
  return typeof value.apiVersion === 'string' && typeof value.kind === 'string' && isPlainObject(value.metadata);
}

/**
 * A deep copy with keys sorted at every level, except that a Kubernetes object (a map with
 * `apiVersion`, `kind` and `metadata`) starts with those three; `undefined` values are dropped.
 */
export function orderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(orderKeys);
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value).sort(looksLikeObject(value) ? compareKeys : undefined);
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = value[k];
    if (v !== undefined) out[k] = orderKeys(v);
  }
  return out;
}

/** JSON with sorted keys (compact unless indent is given). */
export function stableStringify(value: unknown, indent?: number): string {
  return JSON.stringify(orderKeys(value), null, indent);
}
