/**
 * One shape, one source: the GraphQL types of the datafile kinds are generated from their JSON
 * Schemas (schemas/) with graphql-mapping.ts (what a JSON Schema cannot say) by
 * graphql-generate.ts. This replaces the former drift test between a hand-kept SDL and the JSON
 * Schemas: a served type of a kind is the committed generated text, and that text is what the
 * schemas give today, so the two cannot drift. What is left to check is the mapping, which the
 * generator refuses when it no longer fits the schemas (shown below on changed copies).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getNamedType, printType } from 'graphql';
import type { GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CORE_KINDS } from '../../../src/app-interface/core-kinds.js';
import { MAPPING, generateGraphqlSdl, generatedGraphqlFile, schemasById } from '../../../src/app-interface/graphql-generate.js';
import type { GraphqlMapping } from '../../../src/app-interface/graphql-generate.js';
import { KIND_TYPES } from '../../../src/app-interface/graphql-mapping.js';
import { appInterfaceGraphqlSchema } from '../../../src/app-interface/graphql-schema.js';
import { GENERATED_SDL } from '../../../src/app-interface/graphql-types.generated.js';
import { readSchemaFiles } from '../../../src/app-interface/schema-files.js';

type Node = Record<string, unknown>;

const OUTPUT = fileURLToPath(new URL('../../../src/app-interface/graphql-types.generated.ts', import.meta.url));
const schemas = schemasById(readSchemaFiles());

/** The schemas with one changed (a deep copy). */
function withSchema(id: string, change: (s: Node & { properties: Record<string, Node>; required: string[] }) => void): ReadonlyMap<string, Readonly<Node>> {
  const copy = new Map(schemas);
  const s = structuredClone(schemas.get(id)) as Node & { properties: Record<string, Node>; required: string[] };
  change(s);
  copy.set(id, s);
  return copy;
}

function typeOf(sdl: string, name: string): string {
  return new RegExp(`type ${name} (?:implements \\w+ )?\\{[^}]*\\}`).exec(sdl)?.[0] ?? '';
}

describe('GraphQL types generated from the JSON Schemas', () => {
  it('the committed graphql-types.generated.ts is current (fix: npm run gen:graphql)', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(generatedGraphqlFile(schemas));
  });

  it('every typed core kind is served with its generated type', () => {
    const schema = appInterfaceGraphqlSchema();
    const query = schema.getQueryType()?.getFields() ?? {};
    const typed: [string, string][] = CORE_KINDS.flatMap((k) => {
      const field = query[k.graphqlField];
      const name = field === undefined ? 'Datafile_v1' : getNamedType(field.type).name;
      return name === 'Datafile_v1' ? [] : [[k.schema, name] as [string, string]];
    });
    expect(typed.map(([s]) => s)).toEqual(expect.arrayContaining([
      '/openshift/cluster-1.yml', '/openshift/namespace-1.yml', '/openshift/quota-1.yml', '/openshift/limitrange-1.yml',
      '/access/role-1.yml', '/access/user-1.yml', '/access/bot-1.yml',
    ]));
    for (const [id, name] of typed) {
      expect(KIND_TYPES[id]).toBe(name);
      const served = schema.getType(name);
      expect(served === undefined ? '' : GENERATED_SDL.includes(printType(served))).toBe(true);
    }
  });

  it('serves no field for a property the JSON Schema leaves untyped, but the serve-only ones', () => {
    const cluster = schemas.get('/openshift/cluster-1.yml') as { properties: Record<string, Node> };
    expect(cluster.properties.kibanaUrl).toEqual({ description: expect.any(String) as string });
    expect(cluster.properties.spec).toEqual({ description: expect.any(String) as string });
    const fields = (appInterfaceGraphqlSchema().getType('Cluster_v1') as GraphQLObjectType).getFields();
    expect(fields.kibanaUrl).toBeUndefined();
    expect(String(fields.spec?.type)).toBe('ClusterSpec_v1');
  });

  it('a new property of a JSON Schema becomes a field, non-null when required', () => {
    const sdl = generateGraphqlSdl(withSchema('/kontract/tenant-1.yml', (s) => {
      s.properties.replicas = { type: 'integer' };
      s.properties.owners = { type: 'array', items: { type: 'string' } };
      s.required.push('owners');
    }));
    expect(typeOf(sdl, 'Tenant_v1')).toContain('replicas: Int\n');
    expect(typeOf(sdl, 'Tenant_v1')).toContain('owners: [String!]!\n');
    expect(typeOf(generateGraphqlSdl(schemas), 'Tenant_v1')).not.toContain('replicas');
  });

  it('refuses a mapping entry whose property was renamed, and the renamed object without a type name', () => {
    const renamed = withSchema('/openshift/cluster-1.yml', (s) => {
      s.properties.automationTokenV2 = s.properties.automationToken ?? {};
      delete s.properties.automationToken;
    });
    expect(() => generateGraphqlSdl(renamed)).toThrow(/OBJECT_TYPES \/openshift\/cluster-1\.yml#automationToken: no such object/);
    expect(() => generateGraphqlSdl(renamed)).toThrow(/\/openshift\/cluster-1\.yml#automationTokenV2: an object with properties and no GraphQL type name/);
  });

  it('refuses a $ref without one x-kontract-ref kind and no OBJECT_TYPES entry', () => {
    const m: GraphqlMapping = { ...MAPPING, objectTypes: Object.fromEntries(Object.entries(MAPPING.objectTypes).filter(([k]) => k !== '/access/role-1.yml#permissions[]')) };
    expect(() => generateGraphqlSdl(schemas, m)).toThrow(/\/access\/role-1\.yml#permissions\[\]: a \$ref without one x-kontract-ref kind/);
  });

  it('refuses a serve-only field the JSON Schema types (it must be derived)', () => {
    const typed = withSchema('/openshift/cluster-1.yml', (s) => { s.properties.spec = { type: 'object', properties: { product: { type: 'string' } } }; });
    expect(() => generateGraphqlSdl(typed)).toThrow(/\/openshift\/cluster-1\.yml#: spec is typed in the JSON Schema/);
  });

  it('refuses an interface discriminator value without a member, and omitting a required property', () => {
    const ldap = withSchema('/openshift/cluster-1.yml', (s) => {
      const auth = (s.properties.auth as { items: { properties: { service: { enum: string[] } } } }).items;
      auth.properties.service.enum.push('ldap');
    });
    expect(() => generateGraphqlSdl(ldap)).toThrow(/the service values of the JSON Schema \(github-org, github-org-team, oidc, rhidp, ldap\) are not those of INTERFACES\.ClusterAuth_v1/);
    const m: GraphqlMapping = { ...MAPPING, omittedProperties: { '/openshift/namespace-1.yml#': ['cluster'] } };
    expect(() => generateGraphqlSdl(schemas, m)).toThrow(/OMITTED_PROPERTIES names cluster, which the JSON Schema requires/);
  });
});
