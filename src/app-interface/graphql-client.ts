/**
 * The GraphQL source: reads `/sha256`, then sends every query to `/graphqlsha/<sha>` (one
 * consistent snapshot per run, as qontract-reconcile does), rebuilds the datafiles from the
 * answers, fetches the resources (non-datafile files) the datafiles declare from the same sha, and
 * runs the same validation as the YAML source, so both give the same AppInterfaceData.
 * The bearer token goes only into the Authorization header; error messages never contain it.
 */
import { createHash } from 'node:crypto';
import { GraphQLClient } from 'graphql-request';
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import { isPlainObject } from '../core/plain-object.js';
import { ALL_KINDS, isCoreKind, kindOfSchema } from './families.js';
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
}

/** Query text and the fields whose values are `$ref`s (`[]` = a list of refs, `.` = nested). */
interface CoreQuery {
  readonly selection: string;
  readonly refs: readonly string[];
}

const CORE_QUERIES: Readonly<Record<string, CoreQuery>> = {
  clusters_v1: { selection: 'path schema name description serverUrl labels auth ca insecureSkipTLSVerify disable { integrations }', refs: [] },
  namespaces_v1: {
    selection: 'path schema name description cluster { path } app environment labels annotations delete managedByExternal managedRoles '
      + 'quota { path } limitRanges { path } networkPoliciesAllow { path } tenant { path } state quotaComponents isolated',
    refs: ['cluster', 'quota', 'limitRanges', 'tenant', 'networkPoliciesAllow[]'],
  },
  quotas_v1: { selection: 'path schema name description quotas { name resources scopes }', refs: [] },
  limitranges_v1: { selection: 'path schema name description limits { type default defaultRequest max min maxLimitRequestRatio }', refs: [] },
  roles_v1: {
    selection: 'path schema name description expirationDate access { namespace { path } role clusterRole } users { path } bots { path }',
    refs: ['access[].namespace', 'users[]', 'bots[]'],
  },
  users_v1: { selection: 'path schema name org_username github_username', refs: [] },
  bots_v1: { selection: 'path schema name description openshift_serviceaccount', refs: [] },
  tenants_v1: { selection: 'path schema name description isolated', refs: [] },
};

type Obj = Record<string, unknown>;

const isObj: (v: unknown) => v is Obj = isPlainObject;

/** GraphQL answers `null` for absent fields; datafiles simply omit them. */
function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = stripNulls(x);
  return out;
}

/** `{path}` at a ref position → `{$ref: path}`. */
function toRefs(v: unknown, spec: readonly string[]): unknown {
  if (spec.length === 0 || !isObj(v)) return v;
  const [head = '', ...rest] = spec;
  const list = head.endsWith('[]');
  const key = list ? head.slice(0, -2) : head;
  const asRef = (x: unknown): unknown => (rest.length > 0 ? toRefs(x, rest) : isObj(x) && typeof x.path === 'string' ? { $ref: x.path } : x);
  if (!(key in v)) return v;
  const value = v[key];
  return { ...v, [key]: list && Array.isArray(value) ? value.map(asRef) : asRef(value) };
}

function rebuild(entity: unknown, refs: readonly string[]): Datafile | undefined {
  if (!isObj(entity) || typeof entity.path !== 'string') return undefined;
  let doc = stripNulls(entity) as Obj;
  for (const r of refs) doc = toRefs(doc, r.split('.')) as Obj;
  const { schema, ...rest } = doc;
  delete rest.path;
  return { path: entity.path, raw: { $schema: schema, ...rest } };
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

/** Loads the snapshot the server currently serves; throws ValidationError or KontractError E_GRAPHQL. */
export async function loadFromGraphql(opts: GraphqlSourceOptions): Promise<AppInterfaceData> {
  const sha = await fetchSha(opts);
  const endpoint = `${graphqlBase(opts.url)}/graphqlsha/${sha}`;
  const client = new GraphQLClient(endpoint, {
    headers: opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` },
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  const parts: string[] = [];
  const refsByField = new Map<string, readonly string[]>();
  for (const kind of ALL_KINDS) {
    const core = isCoreKind(kind) ? CORE_QUERIES[kind.graphqlField] : undefined;
    parts.push(`  ${kind.graphqlField} { ${core?.selection ?? 'path schema data'} }`);
    refsByField.set(kind.graphqlField, core?.refs ?? []);
  }
  let answer: Record<string, unknown>;
  try {
    answer = await client.request<Record<string, unknown>>(`query AppInterface {\n${parts.join('\n')}\n}`);
  } catch (e) {
    throw graphqlError(endpoint, e, opts.token);
  }
  const docs: Datafile[] = [];
  for (const kind of ALL_KINDS) {
    const list = answer[kind.graphqlField];
    if (!Array.isArray(list)) throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: ${kind.graphqlField} is not a list`);
    for (const entity of list) {
      const doc = isCoreKind(kind)
        ? rebuild(entity, refsByField.get(kind.graphqlField) ?? [])
        : isObj(entity) && typeof entity.path === 'string' ? { path: entity.path, raw: entity.data } : undefined;
      if (doc === undefined) throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: ${kind.graphqlField} has an entry without path`);
      docs.push(doc);
    }
  }
  const resources = await fetchResources(client, endpoint, resourceDirsOf(docs), opts.token);
  return validateSnapshot(documentsSnapshot(sha, docs, resources));
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
 * The resources below `dirs`: one query on the pinned endpoint, `resources_v1(pathPrefix:)` per
 * directory. Each file's sha256sum is checked against its content.
 */
async function fetchResources(client: GraphQLClient, endpoint: string, dirs: readonly string[], token: string | undefined): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (dirs.length === 0) return out;
  const vars = dirs.map((_, i) => `$p${i}: String`).join(', ');
  const fields = dirs.map((_, i) => `  r${i}: resources_v1(pathPrefix: $p${i}) { path content sha256sum }`).join('\n');
  let answer: Record<string, unknown>;
  try {
    answer = await client.request<Record<string, unknown>>(`query Resources(${vars}) {\n${fields}\n}`, Object.fromEntries(dirs.map((d, i) => [`p${i}`, resourcePrefix(d)])));
  } catch (e) {
    throw graphqlError(endpoint, e, token);
  }
  for (const [i, dir] of dirs.entries()) {
    const list = answer[`r${i}`];
    if (!Array.isArray(list)) throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: resources_v1 under ${dir} is not a list`);
    for (const r of list) {
      if (!isObj(r) || typeof r.path !== 'string' || typeof r.content !== 'string') {
        throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: resources_v1 under ${dir} has an entry without path or content`);
      }
      if (typeof r.sha256sum === 'string' && r.sha256sum !== createHash('sha256').update(r.content).digest('hex')) {
        throw new KontractError(ERROR_CODES.GRAPHQL, `GraphQL source ${endpoint}: resource ${r.path} does not match its sha256sum`);
      }
      out.set(r.path, r.content);
    }
  }
  return out;
}
