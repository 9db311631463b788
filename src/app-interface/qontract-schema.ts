/**
 * qontract-server's GraphQL schema format and semantics, on graphql-js.
 *
 * A qontract GraphQL schema is data (`graphql-schemas/schema.yml` in qontract-schemas, the
 * `graphql` member of a bundle): `{$schema, confs: [{name, fields: [{name, type, isList,
 * isRequired, isInterface, isSearchable, datafileSchema, synthetic, isResource, resolveResource}],
 * isInterface, interface, interfaceResolve, datafile}]}`. This module builds the executable schema
 * from it and resolves queries over a store of datafiles and resources the way qontract-server
 * does (docs/qontract-wire.md lists the behaviours):
 *  - a `datafileSchema` field lists the datafiles of that `$schema`, filtered by `path`, the
 *    `isSearchable` fields and the JSON `filter` argument (`{field: value}`, lists compared
 *    element-wise, `{in: [...]}`, `{ne: v}`, `{filter: {...}}` on a referenced object);
 *  - `{$ref: path}` values are resolved to the target datafile (lists of refs too);
 *  - `synthetic` fields list the datafiles of a schema whose `subAttr` refers back to this one;
 *  - `json` fields are answered as JSON-encoded strings;
 *  - interfaces resolve by `fieldMap` (a discriminator field) or by the datafile's `$schema`;
 *  - every `$schema` read while answering is collected for `extensions.schemas`.
 */
import { GraphQLBoolean, GraphQLError, GraphQLFloat, GraphQLInt, GraphQLInterfaceType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString } from 'graphql';
import type { GraphQLFieldConfig, GraphQLFieldConfigArgumentMap, GraphQLNamedOutputType, GraphQLOutputType, GraphQLResolveInfo } from 'graphql';
import { ERROR_CODES, KontractError } from '../core/errors.js';

export interface QontractFieldConf {
  readonly name: string;
  readonly type: string;
  readonly isList?: boolean;
  readonly isRequired?: boolean;
  readonly isInterface?: boolean;
  readonly isSearchable?: boolean;
  readonly datafileSchema?: string;
  readonly synthetic?: { readonly schema: string; readonly subAttr: string };
  readonly isResource?: boolean;
  readonly resolveResource?: boolean;
  readonly [other: string]: unknown;
}

export interface QontractTypeConf {
  readonly name: string;
  readonly fields: readonly QontractFieldConf[];
  readonly isInterface?: boolean;
  readonly interface?: string;
  readonly datafile?: string;
  readonly interfaceResolve?: { readonly strategy: string; readonly field?: string; readonly fieldMap?: Readonly<Record<string, string>> };
  readonly [other: string]: unknown;
}

/** The `graphql` member of a bundle: `{$schema, confs}` or a bare list of confs. */
export type QontractGraphqlSchema = { readonly $schema?: string; readonly confs: readonly QontractTypeConf[] } | readonly QontractTypeConf[];

export type Doc = Readonly<Record<string, unknown>>;

/** A datafile as qontract-server holds it: the document plus its `path`. */
export type StoredDatafile = Doc & { readonly path: string; readonly $schema: string };

export interface StoredResource {
  readonly path: string;
  readonly content: string;
  readonly sha256sum: string;
  readonly $schema?: string | null;
  readonly backrefs?: readonly unknown[];
}

export interface QontractStore {
  readonly datafiles: ReadonlyMap<string, StoredDatafile>;
  readonly resources: ReadonlyMap<string, StoredResource>;
}

/** Per request: the `$schema`s read while answering (qontract's `extensions.schemas`). */
export interface QontractContext extends Record<PropertyKey, unknown> {
  readonly schemas: string[];
}

export function confsOf(schema: QontractGraphqlSchema): readonly QontractTypeConf[] {
  return Array.isArray(schema) ? schema : (schema as { confs: readonly QontractTypeConf[] }).confs;
}

/** Checks the shape of a parsed schema document; throws KontractError E_VALIDATION with `source` named. */
export function asQontractGraphqlSchema(v: unknown, source: string): QontractGraphqlSchema {
  const confs = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? (v as { confs?: unknown }).confs : undefined;
  if (!Array.isArray(confs)) throw new KontractError(ERROR_CODES.VALIDATION, `${source}: a qontract GraphQL schema is {$schema, confs: [...]} or a list of type confs`);
  for (const [i, c] of confs.entries()) {
    const ok = typeof c === 'object' && c !== null && typeof (c as { name?: unknown }).name === 'string' && Array.isArray((c as { fields?: unknown }).fields);
    if (!ok) throw new KontractError(ERROR_CODES.VALIDATION, `${source}: confs[${i}] needs a name and a fields list`);
  }
  if (!confs.some((c) => (c as { name: string }).name === 'Query')) throw new KontractError(ERROR_CODES.VALIDATION, `${source}: no Query type`);
  return v as QontractGraphqlSchema;
}

const isObj = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

function isRef(v: unknown): v is { readonly $ref: string } {
  return isObj(v) && Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).length === 1 && typeof v.$ref === 'string';
}

/** `{$ref: "/path.yml"}` (optionally `#/json/pointer` or `$…` after the path) → the target, or null. */
function resolveRef(store: QontractStore, ref: string): unknown {
  const path = /^[^$#]*/.exec(ref)?.[0] ?? ref;
  const target = store.datafiles.get(path);
  if (target === undefined) return null;
  const pointer = /[#$].*/.exec(ref)?.[0] ?? '';
  if (pointer === '' || pointer === '#' || pointer === '$') return target;
  let cur: unknown = target;
  for (const raw of pointer.replace(/^[#$]\/?/, '').split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isObj(cur)) cur = cur[key];
    else return null;
  }
  return cur ?? null;
}

function noteSchema(root: Doc, ctx: QontractContext | undefined): void {
  const s = root.$schema;
  if (ctx !== undefined && typeof s === 'string' && s !== '' && !ctx.schemas.includes(s)) ctx.schemas.push(s);
}

/** The value of `field` on `root`, with `$ref`s resolved (qontract-server's default resolver). */
function resolveValue(store: QontractStore, root: unknown, field: string, returnsList: boolean, ctx?: QontractContext): unknown {
  if (!isObj(root)) return null;
  noteSchema(root, ctx);
  if (field === 'schema') return root.$schema ?? null;
  const val = root[field];
  if (val === undefined) return null;
  if (Array.isArray(val) && val.length > 0) {
    if (!val.every(isRef)) return val;
    const resolved = val.map((r: { $ref: string }) => resolveRef(store, r.$ref));
    return returnsList ? resolved.flat(1) : resolved;
  }
  if (isRef(val)) return resolveRef(store, val.$ref);
  return val;
}

const JSON_SCALAR = new GraphQLScalarType({ name: 'JSON', serialize: (v) => JSON.stringify(v) });

type Predicate = (source: unknown) => boolean;

interface Built {
  readonly schema: GraphQLSchema;
}

/** Field confs of a type, including the implementations' fields of a fieldMap interface (for `filter`). */
function filterableFields(byName: ReadonlyMap<string, QontractTypeConf>, name: string, seen = new Set<string>()): Map<string, QontractFieldConf> {
  const conf = byName.get(name);
  if (conf === undefined || seen.has(name)) return new Map();
  seen.add(name);
  let out = new Map(conf.fields.map((f) => [f.name, f]));
  if (conf.isInterface === true && conf.interfaceResolve?.strategy === 'fieldMap') {
    for (const impl of Object.values(conf.interfaceResolve.fieldMap ?? {})) out = new Map([...out, ...filterableFields(byName, impl, seen)]);
  }
  return out;
}

const CONDITIONS = ['in', 'filter', 'ne'];

function isConditions(v: unknown): v is Doc {
  return isObj(v) && CONDITIONS.some((k) => Object.prototype.hasOwnProperty.call(v, k));
}

function fieldOf(source: unknown, field: string): unknown {
  return isObj(source) ? source[field] ?? null : null;
}

/** Builds the predicate of a `filter: {...}` argument for a value of type `typeName`. */
function filterPredicate(store: QontractStore, byName: ReadonlyMap<string, QontractTypeConf>, typeName: string, filter: unknown): Predicate {
  if (!isObj(filter)) return () => false;
  const fields = filterableFields(byName, typeName);
  const preds: Predicate[] = Object.entries(filter).map(([field, value]) => {
    const conf = fields.get(field);
    if (conf === undefined) {
      throw new GraphQLError(`Field "${field}" does not exist on type "${typeName}"`, { extensions: { code: 'BAD_FILTER_FIELD', gqlType: typeName } });
    }
    if (conf.isList === true && Array.isArray(value)) {
      return (s) => {
        const arr = fieldOf(s, field);
        return arr === value || (Array.isArray(arr) && arr.length === value.length && arr.every((x, i) => x === value[i]));
      };
    }
    if (isConditions(value)) {
      const one = (s: unknown): boolean => {
        if (Object.prototype.hasOwnProperty.call(value, 'in')) {
          const set = new Set(Array.isArray(value.in) ? value.in : []);
          return isObj(s) && field in s && set.has(s[field]);
        }
        if (Object.prototype.hasOwnProperty.call(value, 'filter')) {
          const v = resolveValue(store, s, field, conf.isList === true);
          if (v === null || v === undefined) return false;
          return filterPredicate(store, byName, conf.type, value.filter)(v);
        }
        if (Object.prototype.hasOwnProperty.call(value, 'ne')) return fieldOf(s, field) !== value.ne;
        throw new GraphQLError(`Condition object ${JSON.stringify(value)} unsupported`);
      };
      return (s) => (Array.isArray(s) ? s : [s]).every(one);
    }
    return (s) => fieldOf(s, field) === value;
  });
  return (s) => preds.every((p) => p(s));
}

function scalarOf(type: string): GraphQLScalarType | undefined {
  switch (type) {
    case 'string': return GraphQLString;
    case 'float': return GraphQLFloat;
    case 'boolean': return GraphQLBoolean;
    case 'int': return GraphQLInt;
    case 'json': return JSON_SCALAR;
    default: return undefined;
  }
}

/** The executable GraphQL schema of a qontract schema document over `store`. */
export function buildQontractSchema(doc: QontractGraphqlSchema, store: QontractStore): GraphQLSchema {
  return build(doc, store).schema;
}

function build(doc: QontractGraphqlSchema, store: QontractStore): Built {
  const confs = confsOf(doc);
  const byName = new Map(confs.map((c) => [c.name, c]));
  const objects = new Map<string, GraphQLObjectType>();
  const interfaces = new Map<string, GraphQLInterfaceType>();
  /** datafile `$schema` → GraphQL type name (from `conf.datafile`). */
  const typeOfDatafileSchema = new Map<string, string>();
  for (const c of confs) if (typeof c.datafile === 'string') typeOfDatafileSchema.set(c.datafile, c.name);
  const datafileTypeNames = new Set(typeOfDatafileSchema.values());

  const bySchema = new Map<string, StoredDatafile[]>();
  for (const d of store.datafiles.values()) {
    const list = bySchema.get(d.$schema);
    if (list === undefined) bySchema.set(d.$schema, [d]);
    else list.push(d);
  }

  const backRefs = new Map<string, Map<string, StoredDatafile[]>>();
  /** Datafiles of `schema` whose `subAttr` path holds a `$ref` to `path` (qontract `synthetic`). */
  const syntheticLookup = (schema: string, subAttr: string, path: string): StoredDatafile[] => {
    const key = `${schema}\0${subAttr}`;
    let index = backRefs.get(key);
    if (index === undefined) {
      index = new Map();
      const keys = subAttr.split('.');
      for (const d of bySchema.get(schema) ?? []) {
        const found = new Set<string>();
        const walk = (v: unknown, i: number): void => {
          if (Array.isArray(v)) { for (const x of v) walk(x, i); return; }
          if (!isObj(v)) return;
          if (i === keys.length) { if (typeof v.$ref === 'string') found.add(v.$ref); return; }
          const k = keys[i];
          if (k !== undefined && k in v) walk(v[k], i + 1);
        };
        walk(d, 0);
        for (const p of found) {
          const l = index.get(p);
          if (l === undefined) index.set(p, [d]);
          else l.push(d);
        }
      }
      backRefs.set(key, index);
    }
    return index.get(path) ?? [];
  };

  const outputType = (f: QontractFieldConf): GraphQLOutputType => {
    const named: GraphQLNamedOutputType | undefined = scalarOf(f.type) ?? (f.isInterface === true ? interfaces.get(f.type) : objects.get(f.type));
    if (named === undefined) throw new KontractError(ERROR_CODES.VALIDATION, `qontract GraphQL schema: field ${f.name} has unknown type ${f.type}`);
    const listed = f.isList === true ? new GraphQLList<GraphQLOutputType>(new GraphQLNonNull<GraphQLNamedOutputType>(named)) : named;
    return f.isRequired === true ? new GraphQLNonNull(listed) : listed;
  };

  const searchArgs = (typeName: string): GraphQLFieldConfigArgumentMap => {
    const conf = byName.get(typeName);
    const args: GraphQLFieldConfigArgumentMap = {};
    for (const f of conf?.fields ?? []) if (f.isSearchable === true) args[f.name] = { type: GraphQLString };
    args.path = { type: GraphQLString };
    args.filter = { type: JSON_SCALAR };
    return args;
  };

  const fieldConfig = (f: QontractFieldConf): GraphQLFieldConfig<unknown, QontractContext> => {
    if (f.datafileSchema !== undefined) {
      const schemaId = f.datafileSchema;
      const typeName = f.type;
      return {
        type: outputType(f),
        args: searchArgs(typeName),
        resolve: (_root, args: Record<string, unknown>) => {
          const preds: Predicate[] = [];
          for (const [k, v] of Object.entries(args)) {
            if (v === null || v === undefined) continue;
            preds.push(k === 'filter' ? filterPredicate(store, byName, typeName, v) : (d) => fieldOf(d, k) === v);
          }
          return (bySchema.get(schemaId) ?? []).filter((d) => preds.every((p) => p(d)));
        },
      };
    }
    if (f.synthetic !== undefined) {
      const { schema, subAttr } = f.synthetic;
      return { type: outputType(f), resolve: (root) => (isObj(root) && typeof root.path === 'string' ? syntheticLookup(schema, subAttr, root.path) : []) };
    }
    if (f.isResource === true && f.type === 'string' && f.resolveResource === true) {
      const resourceType = objects.get('Resource_v1');
      if (resourceType === undefined) throw new KontractError(ERROR_CODES.VALIDATION, 'qontract GraphQL schema: resolveResource needs a Resource_v1 type');
      return { type: resourceType, resolve: (root) => (isObj(root) && typeof root[f.name] === 'string' ? store.resources.get(root[f.name] as string) ?? null : null) };
    }
    if (f.isResource === true && f.type === 'Resource_v1') {
      return {
        type: outputType(f),
        args: { path: { type: GraphQLString }, schema: { type: GraphQLString } },
        resolve: (_root, args: { path?: string | null; schema?: string | null }) => {
          if (args.path !== undefined && args.path !== null && args.path !== '') return [store.resources.get(args.path) ?? null];
          const all = [...store.resources.values()];
          return args.schema !== undefined && args.schema !== null && args.schema !== '' ? all.filter((r) => r.$schema === args.schema) : all;
        },
      };
    }
    return {
      type: outputType(f),
      resolve: (root, _args, ctx, info: GraphQLResolveInfo) => resolveValue(store, root, info.fieldName, String(info.returnType).startsWith('['), ctx),
    };
  };

  const fieldsOf = (c: QontractTypeConf) => () => Object.fromEntries(c.fields.map((f) => [f.name, fieldConfig(f)]));

  const interfacesOf = (c: QontractTypeConf) => (): GraphQLInterfaceType[] => {
    const own = c.interface === undefined ? undefined : interfaces.get(c.interface);
    const list = own === undefined ? [] : [own];
    const names = [...list.map((i) => i.name), c.name];
    const datafileObject = interfaces.get('DatafileObject_v1');
    if (datafileObject !== undefined && names.some((n) => datafileTypeNames.has(n))) list.push(datafileObject);
    return list;
  };

  for (const c of confs) {
    if (c.isInterface === true) {
      const strategy = c.interfaceResolve?.strategy;
      const resolveType = (source: unknown): string | undefined => {
        if (!isObj(source)) return undefined;
        if (strategy === 'fieldMap') {
          const v = source[c.interfaceResolve?.field ?? ''];
          return typeof v === 'string' ? c.interfaceResolve?.fieldMap?.[v] : undefined;
        }
        const target = typeof source.$schema === 'string' ? typeOfDatafileSchema.get(source.$schema) : undefined;
        const nested = target === undefined ? undefined : byName.get(target);
        if (nested?.isInterface === true && nested.interfaceResolve?.strategy === 'fieldMap') {
          const v = source[nested.interfaceResolve.field ?? ''];
          return typeof v === 'string' ? nested.interfaceResolve.fieldMap?.[v] : undefined;
        }
        return target;
      };
      interfaces.set(c.name, new GraphQLInterfaceType({
        name: c.name,
        fields: fieldsOf(c),
        ...(c.interface !== undefined || c.datafile !== undefined ? { interfaces: interfacesOf(c) } : {}),
        resolveType,
      }));
    } else {
      objects.set(c.name, new GraphQLObjectType({
        name: c.name,
        fields: fieldsOf(c),
        ...(c.interface !== undefined || c.datafile !== undefined ? { interfaces: interfacesOf(c) } : {}),
      }));
    }
  }
  const query = objects.get('Query');
  if (query === undefined) throw new KontractError(ERROR_CODES.VALIDATION, 'qontract GraphQL schema: no Query type');
  return { schema: new GraphQLSchema({ query, types: [...objects.values()] }) };
}

/** qontract-server drops empty objects from lists in the answer (e.g. interface members no fragment selected). */
export function dropEmptyObjectsInLists(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.filter((x) => !(isObj(x) && Object.keys(x).length === 0)).map(dropEmptyObjectsInLists);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dropEmptyObjectsInLists(x)]));
}
