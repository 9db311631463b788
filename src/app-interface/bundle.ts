/**
 * qontract-server bundles (the JSON file qontract-server loads with `LOAD_METHOD=fs
 * DATAFILES_FILE=…`, written by qontract-bundler), in both directions:
 *
 *   {git_commit, git_commit_timestamp,
 *    schemas:   {"/openshift/namespace-1.yml": <JSON Schema>, …},
 *    graphql:   {$schema, confs: […]}                       (qontract-schema.ts)
 *    data:      {"/path.yml": {<document>, "$file_sha256sum": sha256(file text)}, …},
 *    resources: {"/path.yml": {path, content, $schema, sha256sum, backrefs: []}, …}}
 *
 * `makeBundle` writes one from a directory snapshot (placement rules at the function);
 * `parseBundle` reads one back, real ones included (`$file_sha256sum`, qontract-validator's
 * `__identifier`), for `serve --bundle`.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as yaml from 'js-yaml';
import { ERROR_CODES, KontractError, ValidationError, errorMessage } from '../core/errors.js';
import { kindOfSchema } from './families.js';
import { kontractGraphqlConfs, typedKindTypes } from './graphql-confs.js';
import type { QontractGraphqlSchema, QontractStore, StoredDatafile, StoredResource } from './qontract-schema.js';
import { asQontractGraphqlSchema, confsOf } from './qontract-schema.js';
import type { Datafile, Snapshot } from './snapshot.js';
import { schemaOf } from './snapshot.js';

/** The field qontract-bundler adds to every datafile: sha256 of the file's text. */
export const FILE_SHA_FIELD = '$file_sha256sum';

export interface BundleResource {
  readonly path: string;
  readonly content: string;
  readonly $schema: string | null;
  readonly sha256sum: string;
  readonly backrefs: readonly unknown[];
}

export interface QontractBundle {
  readonly git_commit: string;
  readonly git_commit_timestamp: string;
  readonly schemas: Readonly<Record<string, unknown>>;
  readonly graphql: QontractGraphqlSchema;
  readonly data: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly resources: Readonly<Record<string, BundleResource>>;
}

export interface BundleOptions {
  /** JSON Schemas by `$schema` id (readSchemasDir). */
  readonly schemas: Readonly<Record<string, unknown>>;
  /** The `$schema`s whose datafiles go to `data` besides those a query lists. @default every key of `schemas` */
  readonly knownSchemas?: ReadonlySet<string>;
  /** @default kontract's own schema (graphql-confs.ts) */
  readonly graphql?: QontractGraphqlSchema;
  readonly gitCommit: string;
  readonly gitCommitTimestamp: string;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** qontract-bundler takes a resource's `$schema` from a `$schema: /x.yml` line (resources may be templates). */
const RESOURCE_SCHEMA = /^\$schema: (.+\.ya?ml)$/m;

/** The datafile `$schema`s the bundle's GraphQL schema serves through a query. */
export function servedSchemas(graphql: QontractGraphqlSchema): ReadonlySet<string> {
  const query = confsOf(graphql).find((c) => c.name === 'Query');
  return new Set((query?.fields ?? []).flatMap((f) => (f.datafileSchema === undefined ? [] : [f.datafileSchema])));
}

/** The datafile `$schema`s the bundle's GraphQL schema binds a type to (`datafile:`): their `$ref`s resolve only when they are in `data`. */
function boundSchemas(graphql: QontractGraphqlSchema): ReadonlySet<string> {
  return new Set(confsOf(graphql).flatMap((c) => (typeof c.datafile === 'string' ? [c.datafile] : [])));
}

function resource(path: string, content: string): BundleResource {
  return { path, content, $schema: RESOURCE_SCHEMA.exec(content)?.[1] ?? null, sha256sum: sha256(content), backrefs: [] };
}

/**
 * qontract-bundler's post-processing of the schemas: every schema written against qontract's
 * metaschema gets a `$file_sha256sum` property, so the validator accepts the field it adds.
 */
function withFileShaProperty(schemas: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const props = isRecord(schema) ? schema.properties : undefined;
    out[id] = isRecord(schema) && schema.$schema === '/metaschema-1.json' && isRecord(props)
      ? { ...schema, properties: { ...props, [FILE_SHA_FIELD]: { type: 'string', description: 'sha256sum of the datafile' } } }
      : schema;
  }
  return out;
}

/**
 * A bundle of a directory snapshot (which must have `texts`, i.e. come from readDirSnapshot).
 * A datafile goes to `data` when `knownSchemas` or the GraphQL schema know its `$schema` (a query
 * lists it, or a type is bound to it, as qontract's jump hosts a cluster's `jumpHost` points at), and
 * to `resources` (too) when no query of the GraphQL schema lists its `$schema`: qontract's own
 * quota and limit-range kinds, and kontract-only kinds next to qontract's schemas. Readers find
 * those with `resources_v1(schema: …)` on any qontract-server. A kind kontract reads as a raw
 * document (no type of its own in kontract's schema, e.g. qontract's app-interface settings) is
 * read from `resources_v1` too, so it goes to `resources` as well even where qontract's schema
 * has a query for it.
 */
export function makeBundle(snap: Snapshot, opts: BundleOptions): QontractBundle {
  const graphql = opts.graphql ?? kontractGraphqlConfs();
  const served = servedSchemas(graphql);
  const knownSchemas = new Set([...(opts.knownSchemas ?? Object.keys(opts.schemas)), ...boundSchemas(graphql)]);
  const text = (path: string): string => {
    const t = snap.texts?.get(path);
    if (t === undefined) throw new KontractError(ERROR_CODES.INTERNAL, `bundle: no text for ${path} (bundles are made from a directory)`);
    return t;
  };
  const data: Record<string, Readonly<Record<string, unknown>>> = {};
  const resources: Record<string, BundleResource> = {};
  const typed = typedKindTypes();
  const readRaw = (schema: string): boolean => kindOfSchema(schema) !== undefined && !typed.has(schema);
  for (const f of snap.files.values()) {
    const schema = schemaOf(f.raw);
    const known = schema !== undefined && (served.has(schema) || knownSchemas.has(schema));
    if (known && isRecord(f.raw)) data[f.path] = { ...f.raw, [FILE_SHA_FIELD]: sha256(text(f.path)) };
    if (!known || schema === undefined || !served.has(schema) || readRaw(schema)) resources[f.path] = resource(f.path, text(f.path));
  }
  for (const [path, content] of snap.resources) resources[path] = resource(path, content);
  const sortKeys = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    git_commit: opts.gitCommit,
    git_commit_timestamp: opts.gitCommitTimestamp,
    schemas: withFileShaProperty(opts.schemas),
    graphql,
    data: sortKeys(data),
    resources: sortKeys(resources),
  };
}

/** Removes what bundlers add to documents (`$file_sha256sum`, qontract-validator's `__identifier`). */
function stripBundlerFields(v: unknown, top = true): unknown {
  if (Array.isArray(v)) return v.map((x) => stripBundlerFields(x, false));
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if ((top && k === FILE_SHA_FIELD) || k === '__identifier') continue;
    out[k] = stripBundlerFields(x, false);
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ParsedBundle {
  readonly bundle: QontractBundle;
  /** The datafiles as written (bundler fields removed), for validation; `sha` = sha256 of the bundle text, as qontract-server's. */
  readonly snapshot: Snapshot;
}

/**
 * Reads a bundle. Datafiles are `data` plus resources holding a datafile of a kind kontract knows
 * that the bundle's GraphQL schema does not serve (a kontract-only kind next to qontract's schema).
 */
export function parseBundle(text: string, source: string): ParsedBundle {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ValidationError([{ file: source, field: '', message: `bundle is not JSON: ${errorMessage(e)}` }]);
  }
  if (!isRecord(parsed) || !isRecord(parsed.data)) {
    throw new ValidationError([{ file: source, field: 'data', message: 'a bundle must have a `data` object mapping datafile paths to documents' }]);
  }
  let graphql: QontractGraphqlSchema;
  try {
    graphql = parsed.graphql === undefined ? kontractGraphqlConfs() : asQontractGraphqlSchema(parsed.graphql, 'graphql');
  } catch (e) {
    throw new ValidationError([{ file: source, field: 'graphql', message: errorMessage(e) }]);
  }
  const served = servedSchemas(graphql);
  const files = new Map<string, Datafile>();
  const data: Record<string, Readonly<Record<string, unknown>>> = {};
  for (const [key, raw] of Object.entries(parsed.data)) {
    const path = key.startsWith('/') ? key : `/${key}`;
    if (isRecord(raw)) data[path] = raw;
    files.set(path, { path, raw: stripBundlerFields(raw) });
  }
  const resources: Record<string, BundleResource> = {};
  const plain = new Map<string, string>();
  for (const [key, v] of Object.entries(isRecord(parsed.resources) ? parsed.resources : {})) {
    const path = key.startsWith('/') ? key : `/${key}`;
    const content = isRecord(v) && typeof v.content === 'string' ? v.content : undefined;
    if (content === undefined) continue;
    const schema = isRecord(v) && typeof v.$schema === 'string' ? v.$schema : null;
    resources[path] = { path, content, $schema: schema, sha256sum: isRecord(v) && typeof v.sha256sum === 'string' ? v.sha256sum : sha256(content), backrefs: isRecord(v) && Array.isArray(v.backrefs) ? v.backrefs : [] };
    if (schema !== null && !served.has(schema) && kindOfSchema(schema) !== undefined) {
      if (files.has(path)) continue; // also in `data` (a kind no query lists)
      try {
        files.set(path, { path, raw: yaml.load(content) });
      } catch (e) {
        throw new ValidationError([{ file: path, field: '', message: `YAML syntax error: ${errorMessage(e)}` }]);
      }
    } else {
      plain.set(path, content);
    }
  }
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const bundle: QontractBundle = {
    git_commit: str(parsed.git_commit), git_commit_timestamp: str(parsed.git_commit_timestamp),
    schemas: isRecord(parsed.schemas) ? parsed.schemas : {}, graphql, data, resources,
  };
  const sorted = new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { bundle, snapshot: { sha: sha256(text), files: sorted, readProblems: [], resources: plain } };
}

/** What qontract-server holds of a bundle: datafiles by path (with `path` added) and resources. */
export function storeOfBundle(b: QontractBundle): QontractStore {
  const datafiles = new Map<string, StoredDatafile>();
  for (const [path, doc] of Object.entries(b.data)) {
    if (typeof doc.$schema === 'string') datafiles.set(path, { ...doc, path, $schema: doc.$schema });
  }
  const resources = new Map<string, StoredResource>(Object.entries(b.resources).map(([p, r]) => [p, { ...r, path: p }]));
  return { datafiles, resources };
}

/**
 * JSON Schemas of a directory by `$schema` id: a schema's `$id` when it is a path (kontract's
 * `schemas/`), else its path below `dir` (qontract-schemas' `schemas/`, as qontract-bundler keys them).
 * Adds to `into` (an id already there is kept), so several directories can be merged.
 */
export async function readSchemasDir(dir: string, into: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const out = into;
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (e) {
      throw new KontractError(ERROR_CODES.USAGE, `cannot read the schemas directory ${d}: ${errorMessage(e)}`);
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = nodePath.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.(ya?ml|json)$/.test(e.name)) {
        const text = await readFile(p, 'utf8');
        let doc: unknown;
        try {
          doc = e.name.endsWith('.json') ? JSON.parse(text) : yaml.load(text);
        } catch (err) {
          throw new KontractError(ERROR_CODES.USAGE, `schema ${p} does not parse: ${errorMessage(err)}`);
        }
        const id = isRecord(doc) && typeof doc.$id === 'string' && doc.$id.startsWith('/') ? doc.$id : `/${nodePath.relative(dir, p).split(nodePath.sep).join('/')}`;
        if (!(id in out)) out[id] = doc; // the first directory given wins
      }
    }
  };
  await walk(dir);
  return out;
}

/** A qontract GraphQL schema file (`graphql-schemas/schema.yml`, YAML or JSON). */
export async function readGraphqlSchemaFile(file: string): Promise<QontractGraphqlSchema> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new KontractError(ERROR_CODES.USAGE, `cannot read the GraphQL schema ${file}: ${errorMessage(e)}`);
  }
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    throw new KontractError(ERROR_CODES.USAGE, `GraphQL schema ${file} does not parse: ${errorMessage(e)}`);
  }
  return asQontractGraphqlSchema(doc, file);
}
