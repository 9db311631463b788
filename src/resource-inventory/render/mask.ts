/**
 * Secret masking for every rendered form of a plan. A Secret's `data` / `stringData` values are
 * replaced by `<masked sha256:1a2b3c4d>`: the first 8 hex digits of the sha256 of the base64
 * value (stringData is base64-encoded first), so a changed value is visible as a changed hash and
 * desired/live compare alike, while the value itself never leaves the process. (A short unsalted
 * hash of a weak password can be guessed offline; the digits are a change marker, not a secret.)
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../core/k8s-object.js';
import type { FieldChange, PlannedChange } from '../plan.js';
import { isPlainObject } from '../../core/plain-object.js';

const SECRET_FIELDS = new Set(['data', 'stringData']);

function maskOne(value: unknown, field: string): string {
  const raw = typeof value === 'string' ? value : (JSON.stringify(value) as string | undefined) ?? '';
  const b64 = field === 'stringData' ? Buffer.from(raw, 'utf8').toString('base64') : raw;
  return `<masked sha256:${createHash('sha256').update(b64).digest('hex').slice(0, 8)}>`;
}

function maskMap(map: unknown, field: string): unknown {
  if (!isPlainObject(map)) return map === undefined ? undefined : maskOne(map, field);
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, maskOne(v, field)]));
}

export function isSecretKind(kind: string): boolean {
  return kind === 'Secret';
}

/** A copy of `obj` with Secret data masked (other kinds are returned as they are). */
export function maskObject(obj: KubeObject): KubeObject;
export function maskObject(obj: KubeObject | undefined): KubeObject | undefined;
export function maskObject(obj: KubeObject | undefined): KubeObject | undefined {
  if (obj === undefined || !isSecretKind(obj.kind)) return obj;
  const out: KubeObject = { ...obj };
  for (const f of SECRET_FIELDS) {
    if (f in out) out[f] = maskMap(out[f], f);
  }
  return out;
}

function maskFieldChange(c: FieldChange): FieldChange {
  const [root, key] = c.path.split('.', 2);
  if (root === undefined || !SECRET_FIELDS.has(root)) return c;
  const mask = (v: unknown): unknown => (key === undefined ? maskMap(v, root) : maskOne(v, root));
  return {
    path: c.path,
    op: c.op,
    ...('before' in c ? { before: mask(c.before) } : {}),
    ...('after' in c ? { after: mask(c.after) } : {}),
  };
}

/** A copy of a planned change safe to print: Secret data masked in objects and field changes. */
export function maskChange(change: PlannedChange): PlannedChange {
  const kind = change.kind;
  if (!isSecretKind(kind) && change.desired?.kind !== 'Secret' && change.current?.kind !== 'Secret') return change;
  return {
    ...change,
    ...(change.desired === undefined ? {} : { desired: maskObject(change.desired) }),
    ...(change.current === undefined ? {} : { current: maskObject(change.current) }),
    changes: change.changes.map(maskFieldChange),
  };
}
