/**
 * kontract's GraphQL types (SDL): qontract's type and field names for qontract's kinds, kontract's
 * own types for its kinds. They are the single description of the GraphQL interface:
 * graphql-confs.ts turns them into qontract's schema format, which `kontract serve`, `kontract
 * bundle` and the real qontract-server serve (qontract-schema.ts resolves it), and the GraphQL
 * client derives its queries from them (graphql-client.ts). The types of the datafile kinds are
 * generated from their JSON Schemas (graphql-types.generated.ts, `npm run gen:graphql`); what a
 * JSON Schema cannot say, and the types of shapes kontract has no JSON Schema for, are in
 * graphql-mapping.ts. Kinds without a type (`Datafile_v1`) travel as qontract resources.
 */
import { buildSchema } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { ALL_KINDS, isCoreKind } from './families.js';
import { EXPLICIT_SDL, KIND_TYPES, SERVED_QUERIES } from './graphql-mapping.js';
import { GENERATED_SDL } from './graphql-types.generated.js';

export { DATAFILE_TYPES, INTERFACES, RESOURCE_FIELDS, SERVED_QUERIES, SERVE_ONLY_FIELDS, SYNTHETIC_FIELDS } from './graphql-mapping.js';

function buildAppInterfaceSchema(): GraphQLSchema {
  const fields: string[] = [];
  for (const kind of ALL_KINDS) {
    const type = isCoreKind(kind) ? KIND_TYPES[kind.schema] : SERVED_QUERIES[kind.graphqlField] ?? 'Datafile_v1';
    if (type === undefined) throw new Error(`no GraphQL type for core kind ${kind.schema}`);
    fields.push(`  ${kind.graphqlField}(path: String, name: String, filter: JSON): [${type}!]!`);
  }
  for (const [field, type] of Object.entries(SERVED_QUERIES)) {
    if (!ALL_KINDS.some((k) => k.graphqlField === field)) fields.push(`  ${field}(path: String, name: String, filter: JSON): [${type}!]!`);
  }
  fields.push('  resources_v1(path: String, schema: String): [Resource_v1!]!');
  return buildSchema(`${GENERATED_SDL}\n${EXPLICIT_SDL}\ntype Query {\n${fields.join('\n')}\n}\n`);
}

let cachedSchema: GraphQLSchema | undefined;

/** kontract's GraphQL types with a Query field per kind (no resolvers: serving goes through graphql-confs.ts). */
export function appInterfaceGraphqlSchema(): GraphQLSchema {
  cachedSchema ??= buildAppInterfaceSchema();
  return cachedSchema;
}
