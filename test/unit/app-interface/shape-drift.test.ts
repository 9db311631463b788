/**
 * One shape, one source: a core kind's JSON Schema (schemas/) is the source; its TypeScript type is
 * generated from it (datafile-types.test.ts) and its GraphQL type must agree with it. This test
 * walks every typed GraphQL kind and fails on drift:
 * - every GraphQL field (but `path`, `schema`, qontract's synthetic back-references and the fields
 *   only `kontract serve` answers, SERVE_ONLY_FIELDS) is a
 *   property of the JSON Schema, with a matching type (string → String, boolean → Boolean,
 *   integer → Int, number → Float, array → list, `$ref` object → a datafile type, object → an
 *   object type checked the same way, or the JSON scalar);
 * - every property the JSON Schema requires (but `$schema`) is a GraphQL field, so a document
 *   rebuilt from GraphQL answers still validates.
 */
import { readFileSync } from 'node:fs';
import { getNamedType, isListType, isNonNullType, isObjectType, isScalarType } from 'graphql';
import type { GraphQLObjectType, GraphQLOutputType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SERVE_ONLY_FIELDS, SYNTHETIC_FIELDS, appInterfaceGraphqlSchema } from '../../../src/app-interface/graphql-schema.js';
import { CORE_KINDS } from '../../../src/app-interface/core-kinds.js';
import { SCHEMAS_DIR } from '../../../src/app-interface/schema-registry.js';

type Node = Readonly<Record<string, unknown>>;

function schemaFile(id: string): Node {
  return JSON.parse(readFileSync(`${SCHEMAS_DIR}${id.slice(1).replace(/\.yml$/, '.json')}`, 'utf8')) as Node;
}

function props(node: Node): Readonly<Record<string, Node>> {
  return (node.properties ?? {}) as Readonly<Record<string, Node>>;
}

function unwrap(t: GraphQLOutputType): { list: boolean; named: ReturnType<typeof getNamedType> } {
  const x = isNonNullType(t) ? t.ofType : t;
  return { list: isListType(x), named: getNamedType(x) };
}

const SCALAR_OF: Readonly<Record<string, string>> = { string: 'String', boolean: 'Boolean', integer: 'Int', number: 'Float' };

function drift(node: Node, type: GraphQLObjectType, at: string, out: string[]): void {
  const fields = type.getFields();
  const back = SYNTHETIC_FIELDS[type.name] ?? {};
  for (const [name, field] of Object.entries(fields)) {
    if (name === 'path' || name === 'schema' || back[name] !== undefined) continue;
    if (SERVE_ONLY_FIELDS[type.name]?.includes(name) === true) continue; // answered for qontract-reconcile, never read back
    const p = props(node)[name];
    if (p === undefined) { out.push(`${at}.${name}: a GraphQL field the JSON Schema does not have`); continue; }
    const { list, named } = unwrap(field.type);
    const isArray = p.type === 'array';
    if (list !== isArray) out.push(`${at}.${name}: GraphQL ${list ? 'list' : 'single'}, JSON Schema ${isArray ? 'array' : String(p.type)}`);
    const item = isArray ? (p.items as Node) : p;
    if (isScalarType(named)) {
      if (named.name === 'JSON') continue;
      const want = typeof item.type === 'string' ? SCALAR_OF[item.type] : item.enum !== undefined ? 'String' : undefined;
      if (want !== named.name) out.push(`${at}.${name}: GraphQL ${named.name}, JSON Schema ${typeof item.type === 'string' ? item.type : 'enum'}`);
    } else if (isObjectType(named)) {
      if (props(item).$ref !== undefined) continue; // a `$ref` resolved to the target's type
      if (item.type !== 'object') { out.push(`${at}.${name}: GraphQL ${named.name}, JSON Schema ${String(item.type)}`); continue; }
      drift(item, named, `${at}.${name}`, out);
    }
  }
  for (const req of (node.required ?? []) as string[]) {
    if (req !== '$schema' && fields[req] === undefined) out.push(`${at}.${req}: required by the JSON Schema, missing in GraphQL ${type.name}`);
  }
}

describe('JSON Schema ↔ GraphQL types of the core kinds', () => {
  const schema = appInterfaceGraphqlSchema();
  const query = schema.getQueryType()?.getFields() ?? {};
  const typed = CORE_KINDS.flatMap((k) => {
    const f = query[k.graphqlField];
    const named = f === undefined ? undefined : getNamedType(f.type);
    return named !== undefined && isObjectType(named) && named.name !== 'Datafile_v1' ? [[k.schema, named] as const] : [];
  });

  it('covers the qontract kinds', () => {
    expect(typed.map(([s]) => s)).toEqual(expect.arrayContaining([
      '/openshift/cluster-1.yml', '/openshift/namespace-1.yml', '/openshift/quota-1.yml', '/openshift/limitrange-1.yml',
      '/access/role-1.yml', '/access/user-1.yml', '/access/bot-1.yml',
    ]));
  });

  it.each(typed.map(([s, t]) => [s, t.name, t] as const))('%s and %s agree', (id, _name, type) => {
    const out: string[] = [];
    drift(schemaFile(id), type, id, out);
    expect(out).toEqual([]);
  });
});
