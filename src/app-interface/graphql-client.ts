/**
 * The GraphQL source, for `kontract serve` and the real qontract-server alike:
 *  1. reads `/sha256`, then sends every query to `/graphqlsha/<sha>` (one consistent snapshot per
 *     run, as qontract-reconcile does);
 *  2. asks which root queries the server has (`__type(name: "Query")`);
 *  3. reads every kind it can as typed GraphQL (the selection is derived from kontract's schema,
 *     graphql-schema.ts, whose qontract kinds have qontract's types, so the same query is valid
 *     against qontract's own schema); a kind the server has no query for (a kontract-only kind on
 *     a plain qontract-server) is read from qontract resources, `resources_v1(schema: "<$schema>")`;
 *  4. rebuilds the datafiles from the answers (`{path}` of a referenced datafile → `{$ref}`,
 *     JSON-encoded strings → values), fetches the resources the datafiles declare, and runs the
 *     same validation as the directory source, so both give the same AppInterfaceData.
 * The bearer token goes only into the Authorization header; error messages never contain it.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { GraphQLClient } from 'graphql-request';
import { getNamedType, isInterfaceType, isListType, isNonNullType, isObjectType, isScalarType } from 'graphql';
import type { GraphQLField, GraphQLInterfaceType, GraphQLObjectType, GraphQLOutputType, GraphQLSchema } from 'graphql';
import * as yaml from 'js-yaml';
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { silentReporter } from '../core/reporter.js';
import { ALL_KINDS, kindOfSchema } from './families.js';
import { kindTypes, typedKindTypes } from './graphql-confs.js';
import { DATAFILE_TYPES, RESOURCE_FIELDS, SERVE_ONLY_FIELDS, SYNTHETIC_FIELDS, appInterfaceGraphqlSchema } from './graphql-schema.js';
import type { DatafileKind } from './kind.js';
import { isPlainObject } from '../core/plain-object.js';
import type { AppInterfaceData } from './model.js';
import type { Datafile } from './snapshot.js';
import { documentsSnapshot, schemaOf } from './snapshot.js';
import { resourcePrefix, validateSnapshot } from './validate.js';

export interface GraphqlSourceOptions {
  /** The `/graphql` endpoint, e.g. `http://localhost:4000/graphql`. */
  readonly url: string;
  readonly token?: string;
  readonly signal?: AbortSignal;
  /** @default 30000 */
  readonly timeoutMs?: number;
  readonly reporter?: Reporter;
}

type Obj = Record<string, unknown>;

const isObj: (v: unknown) => v is Obj = isPlainObject;

type Composite = GraphQLObjectType | GraphQLInterfaceType;

/** GraphQL type names of datafiles: a field of one of these types is a `$ref`. */
function datafileTypeNames(): ReadonlySet<string> {
  return new Set([...typedKindTypes().values(), ...Object.keys(DATAFILE_TYPES)]);
}

/**
 * A resource field (RESOURCE_FIELDS, qontract's `resolveResource`) is asked as
 * `<field>__resource: <field> { path }`: the alias keeps it apart from a plain `<field>` of the
 * interface's other types (a vault-secret's `path` is a string). Rebuilt as the path; the file
 * itself is fetched with the other resources.
 */
const RESOURCE_ALIAS = /^(\w+)__resource$/;

function selectionOf(schema: GraphQLSchema, type: Composite, refTypes: ReadonlySet<string>, depth = 0): string {
  if (depth > 8) throw new KontractError(ERROR_CODES.INTERNAL, `GraphQL selection of ${type.name} nests too deep`);
  const parts: string[] = [];
  for (const f of Object.values(type.getFields())) {
    if (SYNTHETIC_FIELDS[type.name]?.[f.name] !== undefined) continue; // computed by the server, not in the datafile
    if (SERVE_ONLY_FIELDS[type.name]?.includes(f.name) === true) continue;
    if (RESOURCE_FIELDS[type.name]?.includes(f.name) === true) { parts.push(`${f.name}__resource: ${f.name} { path }`); continue; }
    const named = getNamedType(f.type);
    if (isScalarType(named)) { parts.push(f.name); continue; }
    if (!isObjectType(named) && !isInterfaceType(named)) continue;
    if (refTypes.has(named.name)) { parts.push(`${f.name} { path }`); continue; }
    parts.push(`${f.name} { ${selectionOf(schema, named, refTypes, depth + 1)} }`);
  }
  if (isInterfaceType(type)) {
    for (const impl of schema.getPossibleTypes(type)) parts.push(`... on ${impl.name} { ${selectionOf(schema, impl, refTypes, depth + 1)} }`);
  }
  return parts.join(' ');
}

export interface KindQuery {
  readonly kind: DatafileKind;
  readonly typeName: string;
  /** `namespaces_v1 { path schema name … }` */
  readonly field: string;
}

/** The typed query field of every kind kontract has a GraphQL type for (what the client sends). */
export function kindQueries(): readonly KindQuery[] {
  const schema = appInterfaceGraphqlSchema();
  const refTypes = datafileTypeNames();
  const types = typedKindTypes();
  const out: KindQuery[] = [];
  for (const kind of ALL_KINDS) {
    const typeName = types.get(kind.schema);
    const type = typeName === undefined ? undefined : schema.getType(typeName);
    if (typeName === undefined || type === undefined || (!isObjectType(type) && !isInterfaceType(type))) continue;
    out.push({ kind, typeName, field: `${kind.graphqlField} { ${selectionOf(schema, type, refTypes)} }` });
  }
  return out;
}

/** A composite type's fields, with an interface's implementations' fields merged in. */
function fieldsOf(schema: GraphQLSchema, type: Composite): Map<string, GraphQLField<unknown, unknown>> {
  const out = new Map(Object.entries(type.getFields()));
  if (isInterfaceType(type)) for (const impl of schema.getPossibleTypes(type)) for (const [k, f] of Object.entries(impl.getFields())) if (!out.has(k)) out.set(k, f);
  return out;
}

/** A referenced datafile answered inline (its type has no `path`): resolved to a `{$ref}` by content once all datafiles are read. */
class InlineRef {
  constructor(readonly schema: string, readonly value: Obj) {}
}

let inlineTypes: ReadonlyMap<string, string> | undefined;

/** Type name → `$schema` of the kinds answered inline. */
function inlineRefTypes(): ReadonlyMap<string, string> {
  if (inlineTypes === undefined) {
    const typed = new Set(typedKindTypes().values());
    inlineTypes = new Map([...kindTypes()].filter(([, t]) => !typed.has(t)).map(([s, t]) => [t, s]));
  }
  return inlineTypes;
}

/** An answer back into a datafile value: nulls dropped, JSON strings parsed, referenced datafiles → `{$ref}`. */
function rebuildValue(schema: GraphQLSchema, v: unknown, type: GraphQLOutputType, refTypes: ReadonlySet<string>): unknown {
  if (v === null || v === undefined) return undefined;
  const t = isNonNullType(type) ? type.ofType : type;
  if (isListType(t)) return Array.isArray(v) ? v.map((x) => rebuildValue(schema, x, t.ofType, refTypes)).filter((x) => x !== undefined) : v;
  const named = getNamedType(t);
  if (isScalarType(named)) {
    if (named.name === 'JSON' && typeof v === 'string') {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return v;
      }
    }
    return v;
  }
  if (!isObj(v) || (!isObjectType(named) && !isInterfaceType(named))) return v;
  if (refTypes.has(named.name)) return typeof v.path === 'string' ? { $ref: v.path } : undefined;
  const inline = inlineRefTypes().get(named.name);
  const obj = rebuildObject(schema, v, named, refTypes);
  if (inline === undefined) return obj;
  delete obj.schema;
  return new InlineRef(inline, obj);
}

/**
 * `{$ref}`s for inline answers: the datafile of that kind whose fields equal the answer (the first
 * by path when several are equal, which then carry the same data).
 */
function resolveInlineRefs(v: unknown, docs: readonly Datafile[], where: string): unknown {
  if (v instanceof InlineRef) {
    const match = docs.find((d) => isObj(d.raw) && d.raw.$schema === v.schema && Object.entries(v.value).every(([k, x]) => isDeepStrictEqual((d.raw as Obj)[k], x)));
    if (match === undefined) throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source: ${where} refers to a ${v.schema} datafile the server did not list (resources_v1(schema: "${v.schema}"))`);
    return { $ref: match.path };
  }
  if (Array.isArray(v)) return v.map((x) => resolveInlineRefs(x, docs, where));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveInlineRefs(x, docs, where)]));
  return v;
}

function rebuildObject(schema: GraphQLSchema, v: Obj, type: Composite, refTypes: ReadonlySet<string>): Obj {
  const fields = fieldsOf(schema, type);
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const resourceField = RESOURCE_ALIAS.exec(k)?.[1];
    if (resourceField !== undefined) {
      if (isObj(x) && typeof x.path === 'string') out[resourceField] = x.path;
      continue;
    }
    const f = fields.get(k);
    const value = f === undefined ? x : rebuildValue(schema, x, f.type, refTypes);
    if (value !== undefined && value !== null) out[k] = value;
  }
  return out;
}

function rebuildDatafile(schema: GraphQLSchema, entity: unknown, typeName: string, refTypes: ReadonlySet<string>): Datafile | undefined {
  const type = schema.getType(typeName);
  if (!isObj(entity) || typeof entity.path !== 'string' || (!isObjectType(type) && !isInterfaceType(type))) return undefined;
  const rest = rebuildObject(schema, entity, type, refTypes);
  const schemaId = rest.schema;
  delete rest.path;
  delete rest.schema;
  return { path: entity.path, raw: { $schema: schemaId, ...rest } };
}

function scrub(text: string, token: string | undefined): string {
  return token === undefined || token === '' ? text : text.split(token).join('***');
}

function graphqlError(url: string, e: unknown, token: string | undefined): KontractError {
  const resp = (e as { response?: { status?: number; errors?: { message?: string }[] } }).response;
  const detail = resp === undefined
    ? networkDetail(e)
    : `HTTP ${resp.status ?? '?'}${resp.errors === undefined ? '' : `: ${resp.errors.map((x) => x.message ?? '').join('; ')}`}`;
  return new KontractError(ERROR_CODES.GRAPHQL, scrub(`GraphQL source ${url}: ${detail}`, token));
}

/** `fetch failed` says nothing: name the cause (ECONNREFUSED, ENOTFOUND, a TLS error …) too. */
function networkDetail(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const msg = typeof cause?.message === 'string' ? cause.message : undefined;
  return code ?? msg ?? errorMessage(e);
}

/** `…/graphql` → `…` (qontract-server's other endpoints sit next to it). */
export function graphqlBase(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/graphql$/, '');
}

export async function fetchSha(opts: GraphqlSourceOptions): Promise<string> {
  const base = graphqlBase(opts.url);
  let res: Response;
  try {
    res = await fetch(`${base}/sha256`, {
      headers: opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` },
      signal: opts.signal ?? AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
  } catch (e) {
    throw new KontractError(ERROR_CODES.GRAPHQL, scrub(`GraphQL source ${base}/sha256 unreachable: ${networkDetail(e)}`, opts.token));
  }
  if (!res.ok) throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${base}/sha256: HTTP ${res.status}`);
  const sha = (await res.text()).trim();
  if (!/^[0-9a-f]{64}$/.test(sha)) throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${base}/sha256 did not answer a sha256`);
  return sha;
}

interface Request { <T>(query: string, variables?: Record<string, unknown>): Promise<T> }

/** Root query name → its argument names, as the server has them. */
async function queryFields(request: Request, endpoint: string): Promise<Map<string, ReadonlySet<string>>> {
  const answer = await request<{ __type?: { fields?: { name: string; args: { name: string }[] }[] } | null }>('query QueryFields { __type(name: "Query") { fields { name args { name } } } }');
  const fields = answer.__type?.fields;
  if (!Array.isArray(fields)) throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: the server does not describe its Query type (introspection is needed)`);
  return new Map(fields.map((f) => [f.name, new Set(f.args.map((a) => a.name))]));
}

interface ResourceFile { readonly path: string; readonly content: string }

function checkedResources(list: unknown, endpoint: string, what: string): ResourceFile[] {
  if (!Array.isArray(list)) throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: resources_v1 ${what} is not a list`);
  return list.map((r) => {
    if (!isObj(r) || typeof r.path !== 'string' || typeof r.content !== 'string') {
      throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: resources_v1 ${what} has an entry without path or content`);
    }
    if (typeof r.sha256sum === 'string' && r.sha256sum !== createHash('sha256').update(r.content).digest('hex')) {
      throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: resource ${r.path} does not match its sha256sum`);
    }
    return { path: r.path, content: r.content };
  });
}

/** Loads the snapshot the server currently serves; throws ValidationError or KontractError E_GRAPHQL. */
export async function loadFromGraphql(opts: GraphqlSourceOptions): Promise<AppInterfaceData> {
  const reporter = opts.reporter ?? silentReporter;
  const sha = await fetchSha(opts);
  const endpoint = `${graphqlBase(opts.url)}/graphqlsha/${sha}`;
  const client = new GraphQLClient(endpoint, {
    headers: opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` },
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  const request: Request = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    try {
      return await client.request<T>(query, variables);
    } catch (e) {
      throw graphqlError(endpoint, e, opts.token);
    }
  };
  const offered = await queryFields(request, endpoint);
  const resourcesArgs = offered.get('resources_v1');
  const schema = appInterfaceGraphqlSchema();
  const refTypes = datafileTypeNames();

  const typed = kindQueries().filter((q) => offered.has(q.kind.graphqlField));
  const typedKinds = new Set(typed.map((q) => q.kind));
  const viaResources = ALL_KINDS.filter((k) => !typedKinds.has(k));
  if (viaResources.length > 0 && resourcesArgs?.has('schema') !== true) {
    throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: the server has no ${viaResources.map((k) => k.graphqlField).join(', ')} `
      + '(kontract extensions) and no resources_v1(schema:) to read those datafiles from; serve the app-interface with `kontract serve`, '
      + 'or load a bundle written by `kontract bundle` into qontract-server');
  }
  if (viaResources.length > 0) {
    reporter.log('debug', `GraphQL source: reading ${viaResources.map((k) => k.schema).join(', ')} from resources_v1 (no typed query on this server)`);
  }
  const vars = viaResources.map((_, i) => `$s${i}: String`);
  const fields = [...typed.map((q) => q.field), ...viaResources.map((_, i) => `r${i}: resources_v1(schema: $s${i}) { path content sha256sum }`)];
  const answer = await request<Record<string, unknown>>(
    `query AppInterface${vars.length > 0 ? `(${vars.join(', ')})` : ''} {\n  ${fields.join('\n  ')}\n}`,
    Object.fromEntries(viaResources.map((k, i) => [`s${i}`, k.schema])),
  );

  const docs: Datafile[] = [];
  for (const q of typed) {
    const list = answer[q.kind.graphqlField];
    if (!Array.isArray(list)) throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: ${q.kind.graphqlField} is not a list`);
    for (const entity of list) {
      const doc = rebuildDatafile(schema, entity, q.typeName, refTypes);
      if (doc === undefined) throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: ${q.kind.graphqlField} has an entry without path`);
      docs.push(doc);
    }
  }
  for (const [i, kind] of viaResources.entries()) {
    for (const r of checkedResources(answer[`r${i}`], endpoint, `(schema: ${kind.schema})`)) {
      let raw: unknown;
      try {
        raw = yaml.load(r.content);
      } catch (e) {
        throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: resource ${r.path} does not parse: ${errorMessage(e)}`);
      }
      docs.push({ path: r.path, raw });
    }
  }
  const resolved = docs.map((d) => ({ ...d, raw: resolveInlineRefs(d.raw, docs, d.path) }));
  const resources = await fetchResources(request, endpoint, resourceDirsOf(resolved), openshiftResourcePaths(resolved));
  return validateSnapshot(documentsSnapshot(sha, resolved, resources));
}

/** The in-tree directories the datafiles declare (DatafileKind.resourceDirs), without duplicates. */
function resourceDirsOf(docs: readonly Datafile[]): string[] {
  const dirs = new Set<string>();
  for (const d of docs) {
    const schema = schemaOf(d.raw);
    const kind = schema === undefined ? undefined : kindOfSchema(schema);
    for (const dir of kind?.resourceDirs?.(d) ?? []) dirs.add(dir);
  }
  return [...dirs].sort();
}

/**
 * The resource files qontract's `openshiftResources` entries name (namespaces' and shared
 * resources' alike): every entry's `path` but a vault-secret's, which is a secret path.
 */
function openshiftResourcePaths(docs: readonly Datafile[]): string[] {
  const paths = new Set<string>();
  for (const d of docs) {
    const entries = isObj(d.raw) ? d.raw.openshiftResources : undefined;
    if (!Array.isArray(entries)) continue;
    for (const e of entries) if (isObj(e) && e.provider !== 'vault-secret' && typeof e.path === 'string') paths.add(e.path);
  }
  return [...paths].sort();
}

/**
 * The resources below `dirs` and those at `paths`, pinned to the same sha: qontract's `resources_v1` lists every
 * resource (it has no prefix filter), so they are fetched once and filtered here. Each file's
 * sha256sum is checked against its content.
 */
async function fetchResources(request: Request, endpoint: string, dirs: readonly string[], paths: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (dirs.length === 0 && paths.length === 0) return out;
  const answer = await request<Record<string, unknown>>('query Resources { resources_v1 { path content sha256sum } }');
  const prefixes = dirs.map(resourcePrefix);
  const exact = new Set(paths);
  for (const r of checkedResources(answer.resources_v1, endpoint, '')) {
    if (exact.has(r.path) || prefixes.some((p) => r.path.startsWith(p))) out.set(r.path, r.content);
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
