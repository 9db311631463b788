/**
 * kontract's own GraphQL schema (graphql-schema.ts, qontract's type names) written in qontract's
 * schema format (`{$schema, confs}`, see qontract-schema.ts), so `kontract serve`, `kontract
 * bundle` and the real qontract-server all serve it the same way. Every kind with a typed GraphQL
 * type becomes a `<graphqlField>` query over its `$schema` (filters `path`, `name`, `filter`);
 * kinds served only as raw documents (`Datafile_v1`) have no query here and travel as qontract
 * resources instead (`resources_v1(schema: …)`, see bundle.ts).
 */
import { getNamedType, isInterfaceType, isListType, isNonNullType, isObjectType, isScalarType } from 'graphql';
import type { GraphQLField, GraphQLOutputType } from 'graphql';
import { ALL_KINDS } from './families.js';
import { DATAFILE_TYPES, INTERFACES, RESOURCE_FIELDS, SERVED_QUERIES, SYNTHETIC_FIELDS, appInterfaceGraphqlSchema } from './graphql-schema.js';
import type { QontractFieldConf, QontractGraphqlSchema, QontractTypeConf } from './qontract-schema.js';

/** `$schema` → the GraphQL type of the kind in kontract's schema (kinds served as raw documents, `Datafile_v1`, have none). */
export function kindTypes(): ReadonlyMap<string, string> {
  const query = appInterfaceGraphqlSchema().getQueryType();
  const out = new Map<string, string>();
  for (const kind of ALL_KINDS) {
    const f = query?.getFields()[kind.graphqlField];
    if (f === undefined) continue;
    const named = getNamedType(f.type).name;
    // DATAFILE_TYPES are served typed, but kontract reads them as raw documents
    if (named !== 'Datafile_v1' && DATAFILE_TYPES[named] === undefined) out.set(kind.schema, named);
  }
  return out;
}

/**
 * The kinds with a query of their own: a type with `path` (qontract's DatafileObject_v1). A kind
 * whose type has none (qontract's ResourceQuota_v1) is only answered inline where it is referenced.
 */
export function typedKindTypes(): ReadonlyMap<string, string> {
  const schema = appInterfaceGraphqlSchema();
  return new Map([...kindTypes()].filter(([, t]) => {
    const type = schema.getType(t);
    return (isObjectType(type) || isInterfaceType(type)) && type.getFields().path !== undefined;
  }));
}

const SCALARS: Readonly<Record<string, string>> = { String: 'string', ID: 'string', Int: 'int', Float: 'float', Boolean: 'boolean', JSON: 'json' };

function fieldConf(name: string, type: GraphQLOutputType, extra: Partial<QontractFieldConf> = {}): QontractFieldConf {
  let t = type;
  let isRequired = false;
  let isList = false;
  if (isNonNullType(t)) { isRequired = true; t = t.ofType; }
  if (isListType(t)) { isList = true; t = t.ofType; }
  const named = getNamedType(t);
  const base = isScalarType(named) ? SCALARS[named.name] ?? 'string' : named.name;
  return { name, type: base, ...(isList ? { isList } : {}), ...(isRequired ? { isRequired } : {}), ...(isInterfaceType(named) ? { isInterface: true } : {}), ...extra };
}

let cached: QontractGraphqlSchema | undefined;

/** kontract's GraphQL schema as qontract schema data (the default `graphql` of `kontract bundle` and `serve`). */
export function kontractGraphqlConfs(): QontractGraphqlSchema {
  if (cached !== undefined) return cached;
  const schema = appInterfaceGraphqlSchema();
  const kindTypes = typedKindTypes();
  const datafileOfType = new Map([...[...kindTypes.entries()].map(([s, t]) => [t, s] as const), ...Object.entries(DATAFILE_TYPES)]);
  const confs: QontractTypeConf[] = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith('__') || ['Query', 'Datafile_v1', 'Resource_v1', 'DatafileObject_v1'].includes(t.name)) continue;
    if (!isObjectType(t) && !isInterfaceType(t)) continue;
    const datafile = datafileOfType.get(t.name);
    const fields = Object.values(t.getFields()).map((f: GraphQLField<unknown, unknown>) => {
      const synthetic = SYNTHETIC_FIELDS[t.name]?.[f.name];
      if (RESOURCE_FIELDS[t.name]?.includes(f.name) === true) return { name: f.name, type: 'string', isRequired: isNonNullType(f.type), isResource: true, resolveResource: true };
      return fieldConf(f.name, f.type, { ...(datafile !== undefined && f.name === 'name' ? { isSearchable: true } : {}), ...(synthetic === undefined ? {} : { synthetic }) });
    });
    const resolve = INTERFACES[t.name];
    const iface = isObjectType(t) ? t.getInterfaces()[0]?.name : undefined;
    confs.push({
      name: t.name,
      ...(datafile === undefined ? {} : { datafile }),
      ...(isInterfaceType(t) ? { isInterface: true, interfaceResolve: resolve === undefined ? { strategy: 'schema' } : { strategy: 'fieldMap', ...resolve } } : {}),
      ...(iface === undefined ? {} : { interface: iface }),
      fields,
    });
  }
  // qontract's interface of every datafile type (qontract-server also needs at least one interface)
  confs.push({
    name: 'DatafileObject_v1',
    isInterface: true,
    interfaceResolve: { strategy: 'schema' },
    fields: [{ name: 'path', type: 'string', isRequired: true }, { name: 'schema', type: 'string', isRequired: true }],
  });
  confs.push({
    name: 'Resource_v1',
    fields: [
      { name: 'path', type: 'string', isRequired: true },
      { name: 'content', type: 'string', isRequired: true },
      { name: 'sha256sum', type: 'string', isRequired: true },
      { name: 'schema', type: 'string' },
    ],
  });
  const query: QontractFieldConf[] = [];
  for (const kind of ALL_KINDS) {
    const typeName = kindTypes.get(kind.schema);
    if (typeName === undefined) continue;
    query.push({ name: kind.graphqlField, type: typeName, isList: true, datafileSchema: kind.schema });
  }
  for (const [field, typeName] of Object.entries(SERVED_QUERIES)) {
    const datafileSchema = DATAFILE_TYPES[typeName];
    if (datafileSchema !== undefined) query.push({ name: field, type: typeName, isList: true, datafileSchema });
  }
  query.push({ name: 'resources_v1', type: 'Resource_v1', isResource: true, isRequired: true, isList: true });
  confs.push({ name: 'Query', fields: query });
  cached = { $schema: '/app-interface/graphql-schemas-1.yml', confs };
  return cached;
}
