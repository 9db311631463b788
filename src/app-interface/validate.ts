/**
 * Snapshot → AppInterfaceData: per-file JSON Schema validation (with `$ref` target checks), `$ref`
 * cycle detection, building the model through the kind registry (families.ts), then the
 * cross-file rules (rules.ts). Every problem of the pass is collected and thrown together as one
 * ValidationError. Pure apart from reading the compiled schemas.
 */
import type { ValidationProblem } from '../core/errors.js';
import { ValidationError } from '../core/errors.js';
import { ALL_KINDS, kindOfSchema } from './families.js';
import type { BuildContext, DatafileKind, EntryOf, ListKey } from './kind.js';
import type { AppInterfaceData, ResourceDir } from './model.js';
import { RULES } from './rules.js';
import type { ErrorObject, RefEdge, SchemaRegistry, ValidationContext } from './schema-registry.js';
import { schemaRegistry } from './schema-registry.js';
import type { Datafile, Snapshot } from './snapshot.js';
import { schemaOf } from './snapshot.js';
import { pointerToField, splitField } from './yaml-positions.js';

/** Fields of qontract datafiles kontract deliberately does not support, with the reason. */
const UNSUPPORTED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '/openshift/namespace-1.yml': {
    tenant: 'tenant is a kontract setting: put it in a /kontract/namespace-1.yml datafile pointing at this namespace',
    state: 'state is a kontract setting: put it in a /kontract/namespace-1.yml datafile pointing at this namespace',
    quotaComponents: 'quotaComponents is a kontract setting: put it in a /kontract/namespace-1.yml datafile pointing at this namespace',
    isolated: 'isolated is a kontract setting: put it in a /kontract/namespace-1.yml datafile pointing at this namespace',
    annotations: 'annotations is a kontract setting: put it in a /kontract/namespace-1.yml datafile pointing at this namespace',
  },
  '/access/role-1.yml': {
    users: 'in qontract, users point at roles: list this role under the user\'s roles: [$ref]',
    bots: 'in qontract, bots point at roles: list this role under the bot\'s roles: [$ref]',
  },
};

export interface ValidateOptions {
  readonly registry?: SchemaRegistry;
}

function joinField(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

function describeOneOf(registry: SchemaRegistry, schemaId: string, schemaPath: string): string | undefined {
  let node: unknown = registry.schema(schemaId);
  for (const seg of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  const d = typeof node === 'object' && node !== null ? (node as { description?: unknown }).description : undefined;
  return typeof d === 'string' ? d : undefined;
}

function ajvProblems(registry: SchemaRegistry, schemaId: string, errors: readonly ErrorObject[]): { field: string; message: string }[] {
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  const out: { field: string; message: string }[] = [];
  for (const e of errors) {
    if (oneOfPaths.some((p) => e.schemaPath.startsWith(p))) continue;
    const base = pointerToField(e.instancePath);
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(params.additionalProperty);
        const special = base === '' ? UNSUPPORTED[schemaId]?.[key] : undefined;
        out.push({ field: joinField(base, key), message: special ?? `unknown field (not allowed by ${schemaId})` });
        break;
      }
      case 'required':
        out.push({ field: joinField(base, String(params.missingProperty)), message: 'is required' });
        break;
      case 'oneOf':
      case 'anyOf': {
        const d = describeOneOf(registry, schemaId, e.schemaPath);
        out.push({ field: base, message: d === undefined ? (e.message ?? 'is invalid') : `must be ${d}` });
        break;
      }
      case 'enum':
        out.push({ field: base, message: `must be one of: ${((params.allowedValues as unknown[] | undefined) ?? []).map(String).join(', ')}` });
        break;
      case 'const':
        out.push({ field: base, message: `must be ${String(params.allowedValue)}` });
        break;
      default:
        out.push({ field: base, message: e.message ?? `is invalid (${e.keyword})` });
    }
  }
  if (out.length === 0 && errors.length > 0) out.push({ field: '', message: `does not match ${schemaId}` });
  return out;
}

/** Cycles among non-link `$ref` edges, each reported once with its chain. */
function refCycles(edges: readonly RefEdge[]): ValidationProblem[] {
  const next = new Map<string, RefEdge[]>();
  for (const e of edges) {
    if (e.link) continue;
    const list = next.get(e.from);
    if (list === undefined) next.set(e.from, [e]);
    else list.push(e);
  }
  const state = new Map<string, 'active' | 'done'>();
  const out: ValidationProblem[] = [];
  const stack: RefEdge[] = [];
  const visit = (node: string): void => {
    state.set(node, 'active');
    for (const e of next.get(node) ?? []) {
      const s = state.get(e.to);
      if (s === 'active') {
        const start = stack.findIndex((x) => x.from === e.to);
        const chain = [...stack.slice(start < 0 ? stack.length : start), e].map((x) => x.from);
        out.push({ file: e.from, field: pointerToField(e.pointer), message: `$ref cycle: ${[...chain, e.to].join(' → ')}` });
      } else if (s === undefined) {
        stack.push(e);
        visit(e.to);
        stack.pop();
      }
    }
    state.set(node, 'done');
  };
  for (const node of [...next.keys()].sort()) if (!state.has(node)) visit(node);
  return out;
}

/**
 * The ValidationError of invalid data, carrying the model built from the datafiles that passed
 * (`partial`), so `kontract validate` can also run the integrations on it and report every
 * problem in one pass. Never used to reconcile.
 */
export class InvalidDataError extends ValidationError {
  readonly partial: AppInterfaceData;
  constructor(problems: readonly ValidationProblem[], partial: AppInterfaceData) {
    super(problems);
    this.partial = partial;
  }
}

export function isInvalidDataError(e: unknown): e is InvalidDataError {
  return e instanceof InvalidDataError;
}

/** `/openshift/namespace-1.yml` → `/openshift/namespace` (the kind without its version). */
function unversioned(schema: string): string {
  return schema.toLowerCase().replace(/-\d+\.ya?ml$/, '');
}

/**
 * Why a `$schema` that no kind and no JSON Schema of kontract knows is an error, or undefined when
 * it is a kind kontract does not model (qontract's saas files, integrations, …), which loading
 * skips. Errors: kontract's own namespace (`/kontract/…`), and a spelling or version of a kind
 * kontract reads (`/Kontract/Tenant-1.yml`, `/openshift/namespace-2.yml`), whose data would
 * otherwise be silently dropped.
 */
function unknownSchemaProblem(schema: string, known: readonly string[]): string | undefined {
  const near = known.find((k) => unversioned(k) === unversioned(schema));
  if (near !== undefined) return `kontract reads ${near}`;
  if (schema.toLowerCase().startsWith('/kontract/')) return `kontract's kinds: ${known.filter((k) => k.startsWith('/kontract/')).join(', ')}`;
  return undefined;
}

/**
 * The datafiles loading skips, by `$schema`: kinds kontract neither models nor has a JSON Schema
 * for (a real app-interface has many: saas files, apps' dependencies, …). They are never an
 * error; the loader reports their count (source-options.ts).
 */
export function unmodelledDatafiles(snap: Snapshot, opts: ValidateOptions = {}): ReadonlyMap<string, readonly string[]> {
  const registry = opts.registry ?? schemaRegistry();
  const known = [...new Set([...ALL_KINDS.map((k) => k.schema), ...registry.ids])].sort();
  const out = new Map<string, string[]>();
  for (const f of snap.files.values()) {
    const schema = schemaOf(f.raw);
    if (schema === undefined || kindOfSchema(schema) !== undefined || registry.validator(schema) !== undefined) continue;
    if (unknownSchemaProblem(schema, known) !== undefined) continue;
    out.set(schema, [...(out.get(schema) ?? []), f.path]);
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, paths]) => [s, paths.sort()]));
}

/** Validates a snapshot and builds the model; throws InvalidDataError (a ValidationError) listing every problem. */
export function validateSnapshot(snap: Snapshot, opts: ValidateOptions = {}): AppInterfaceData {
  const registry = opts.registry ?? schemaRegistry();
  const problems: ValidationProblem[] = [...snap.readProblems];
  const schemaIds = new Set(registry.ids);
  const schemaAt = (path: string): string | undefined => {
    const f = snap.files.get(path);
    return f === undefined ? undefined : (schemaOf(f.raw) ?? '(no $schema)');
  };
  const valid = new Set<string>();
  const edges: RefEdge[] = [];

  for (const f of snap.files.values()) {
    if (typeof f.raw !== 'object' || f.raw === null || Array.isArray(f.raw)) {
      problems.push({ file: f.path, field: '', message: 'a datafile must be a YAML mapping with a $schema' });
      continue;
    }
    const schema = schemaOf(f.raw);
    if (schema === undefined) {
      problems.push({ file: f.path, field: '$schema', message: 'is required (e.g. $schema: /openshift/namespace-1.yml)' });
      continue;
    }
    const kind = kindOfSchema(schema);
    const validate = registry.validator(schema);
    if (kind === undefined && validate === undefined) {
      const known = [...new Set([...ALL_KINDS.map((k) => k.schema), ...schemaIds])].sort();
      const why = unknownSchemaProblem(schema, known);
      if (why !== undefined) problems.push({ file: f.path, field: '$schema', message: `unknown $schema ${schema}; ${why}` });
      continue; // else a kind kontract does not model (unmodelledDatafiles): skipped
    }
    if (validate !== undefined) {
      const ctx: ValidationContext = { file: f.path, schemaAt, edges: [], refProblems: [] };
      const ok = validate.call(ctx, f.raw);
      edges.push(...ctx.edges);
      const fileProblems = [
        ...(ok ? [] : ajvProblems(registry, schema, validate.errors ?? [])),
        ...ctx.refProblems.map((r) => ({ field: pointerToField(r.pointer), message: r.message })),
      ];
      for (const p of fileProblems) problems.push({ file: f.path, field: p.field, message: p.message });
      if (fileProblems.length > 0) continue;
    }
    valid.add(f.path);
  }
  problems.push(...refCycles(edges));
  const data = buildModel(snap, valid, problems);
  for (const { rule } of RULES) problems.push(...rule(data));
  if (problems.length > 0) throw new InvalidDataError(withLines(snap, problems), data);
  return data;
}

function buildModel(snap: Snapshot, valid: ReadonlySet<string>, problems: ValidationProblem[]): AppInterfaceData {
  const built = new Map<string, unknown>();
  const inProgress = new Set<string>();
  const reverse = new Map<string, Map<string, Datafile[]>>();
  let byPath: readonly Datafile[] | undefined; // every file sorted by path, once for all reverse indexes
  const referrers = (schema: string, field: string, target: string): readonly Datafile[] => {
    const key = `${schema}\0${field}`;
    let index = reverse.get(key);
    if (index === undefined) {
      index = new Map();
      byPath ??= [...snap.files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const f of byPath) {
        // Invalid files count too: a broken settings file must not read as "no settings" (it is reported, and its target skipped).
        if (schemaOf(f.raw) !== schema || typeof f.raw !== 'object' || f.raw === null) continue;
        const v = (f.raw as Record<string, unknown>)[field];
        for (const r of Array.isArray(v) ? v : [v]) {
          const to = typeof r === 'object' && r !== null ? (r as { $ref?: unknown }).$ref : undefined;
          if (typeof to !== 'string') continue;
          const list = index.get(to) ?? [];
          if (!list.includes(f)) list.push(f);
          index.set(to, list);
        }
      }
      reverse.set(key, index);
    }
    return index.get(target) ?? [];
  };
  const ctx: BuildContext = {
    root: snap.root,
    resource: (path) => snap.resources.get(path),
    file: (path) => snap.files.get(path),
    referrers,
    entry<K extends ListKey>(kind: DatafileKind<K>, path: string): EntryOf<K> | undefined {
      const f = snap.files.get(path);
      if (f === undefined || !valid.has(path) || schemaOf(f.raw) !== kind.schema) return undefined;
      if (built.has(path)) return built.get(path) as EntryOf<K> | undefined;
      if (inProgress.has(path)) return undefined; // a cycle, reported by refCycles
      inProgress.add(path);
      const r = kind.build(f, ctx);
      inProgress.delete(path);
      built.set(path, r.ok ? r.value : undefined);
      if (!r.ok) problems.push(...r.problems);
      return r.ok ? r.value : undefined;
    },
  };
  const lists = new Map<ListKey, unknown[]>();
  for (const kind of ALL_KINDS) lists.set(kind.modelKey, []);
  for (const f of snap.files.values()) {
    if (!valid.has(f.path)) continue;
    const schema = schemaOf(f.raw);
    const kind = schema === undefined ? undefined : kindOfSchema(schema);
    if (kind === undefined) continue;
    const e = ctx.entry(kind, f.path);
    if (e !== undefined) lists.get(kind.modelKey)?.push(e);
  }
  const out: Record<string, unknown> = { sha: snap.sha };
  for (const [key, entries] of lists) out[key] = entries;
  const resources = resourcesOf(snap, valid, built);
  if (Object.keys(resources).length > 0) out.resources = resources;
  return out as unknown as AppInterfaceData;
}

/** `/a/b` → `/a/b/`, `/` → `/`: the prefix of the resources below a directory. */
export function resourcePrefix(directory: string): string {
  return directory.endsWith('/') ? directory : `${directory}/`;
}

/** The resources below `directory`, sorted by path. */
export function resourceDir(snap: Snapshot, directory: string): ResourceDir {
  const prefix = resourcePrefix(directory);
  const files = [...snap.resources.entries()]
    .filter(([p]) => p.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, content]) => ({ path, content }));
  return { directory, files };
}

/** AppInterfaceData.resources: for every built datafile whose kind declares resourceDirs. */
function resourcesOf(snap: Snapshot, valid: ReadonlySet<string>, built: ReadonlyMap<string, unknown>): Record<string, readonly ResourceDir[]> {
  const out: Record<string, readonly ResourceDir[]> = {};
  for (const f of snap.files.values()) {
    if (!valid.has(f.path) || built.get(f.path) === undefined) continue;
    const schema = schemaOf(f.raw);
    const dirs = (schema === undefined ? undefined : kindOfSchema(schema))?.resourceDirs?.(f) ?? [];
    if (dirs.length > 0) out[f.path] = dirs.map((d) => resourceDir(snap, d));
  }
  return out;
}

/** Adds the line (from the snapshot's YAML positions) to problems that name a datafile and a field; dedupes and sorts. */
export function withLines(snap: Snapshot, problems: readonly ValidationProblem[]): ValidationProblem[] {
  const seen = new Set<string>();
  const out: ValidationProblem[] = [];
  for (const p of problems) {
    const line = p.line ?? snap.files.get(p.file)?.positions?.lineOf(splitField(p.field));
    const q: ValidationProblem = line === undefined ? p : { ...p, line };
    const key = `${q.file}\0${q.field}\0${q.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(q);
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
}

export type { Datafile };
