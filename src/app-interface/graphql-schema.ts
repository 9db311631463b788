/**
 * The qontract-server-shaped GraphQL schema over a snapshot. Core kinds are typed like qontract
 * (`namespaces_v1 { cluster { name } quota { quotas { name } } … }`; kontract-specific nested
 * objects and free-form maps are the `JSON` scalar). Every entity has `path` and `schema`.
 * Non-core families (families.ts) are served as `{path, schema, data}` with `data` the raw
 * document. `$ref`s are resolved lazily by the field resolver, so mutual references are fine.
 * Non-datafile files (Kubernetes manifests, e.g. a fabric's GitOps directory) are qontract
 * `resources_v1(path, pathPrefix) { path content sha256sum }`.
 */
import { createHash } from 'node:crypto';
import { buildSchema, getNamedType, isObjectType } from 'graphql';
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { isPlainObject } from '../core/plain-object.js';
import { ALL_KINDS, isCoreKind } from './families.js';
import type { Snapshot } from './snapshot.js';
import { schemaOf } from './snapshot.js';

const CORE_SDL = `
scalar JSON

type DisableClusterFeatures_v1 { integrations: [String!] }

type Cluster_v1 {
  path: String!
  schema: String!
  name: String!
  description: String
  serverUrl: String!
  labels: JSON
  auth: JSON!
  ca: JSON
  insecureSkipTLSVerify: Boolean
  disable: DisableClusterFeatures_v1
}

type Tenant_v1 { path: String! schema: String! name: String! description: String isolated: Boolean }

type NamespaceQuotaItem_v1 { name: String! resources: JSON! scopes: [String!] }
type NamespaceQuota_v1 { path: String! schema: String! name: String! description: String quotas: [NamespaceQuotaItem_v1!]! }

type LimitRangeItem_v1 { type: String! default: JSON defaultRequest: JSON max: JSON min: JSON maxLimitRequestRatio: JSON }
type LimitRange_v1 { path: String! schema: String! name: String! description: String limits: [LimitRangeItem_v1!]! }

type Namespace_v1 {
  path: String!
  schema: String!
  name: String!
  description: String
  cluster: Cluster_v1!
  app: JSON
  environment: JSON
  labels: JSON
  annotations: JSON
  delete: Boolean
  managedByExternal: Boolean
  managedRoles: Boolean
  quota: NamespaceQuota_v1
  limitRanges: LimitRange_v1
  networkPoliciesAllow: [Namespace_v1!]
  tenant: Tenant_v1
  state: String
  quotaComponents: JSON
  isolated: Boolean
}

type User_v1 { path: String! schema: String! name: String! org_username: String! github_username: String }
type Bot_v1 { path: String! schema: String! name: String! description: String openshift_serviceaccount: String }
type Access_v1 { namespace: Namespace_v1 role: String clusterRole: String }
type Role_v1 {
  path: String!
  schema: String!
  name: String!
  description: String
  expirationDate: String
  access: [Access_v1!]
  users: [User_v1!]
  bots: [Bot_v1!]
}

"A datafile of a non-core family: its raw document (\`$ref\`s unresolved)."
type Datafile_v1 { path: String! schema: String! data: JSON! }

"A non-datafile file (qontract resources_v1): e.g. the Kubernetes manifests of a fabric's GitOps directory."
type Resource_v1 { path: String! content: String! sha256sum: String! }
`;

/** Query field → GraphQL type of the core kinds. */
const CORE_TYPES: Readonly<Record<string, string>> = {
  clusters_v1: 'Cluster_v1', namespaces_v1: 'Namespace_v1', quotas_v1: 'NamespaceQuota_v1', limitranges_v1: 'LimitRange_v1',
  roles_v1: 'Role_v1', users_v1: 'User_v1', bots_v1: 'Bot_v1', tenants_v1: 'Tenant_v1',
};

/** Per request: the snapshot's documents by path. */
export interface GraphqlContext extends Record<PropertyKey, unknown> {
  readonly docs: ReadonlyMap<string, unknown>;
}

type Doc = Readonly<Record<string, unknown>>;

const isDoc: (v: unknown) => v is Doc = isPlainObject;

function deref(v: unknown, ctx: GraphqlContext): unknown {
  if (Array.isArray(v)) return v.map((x) => deref(x, ctx));
  if (isDoc(v) && typeof v.$ref === 'string') {
    const target = ctx.docs.get(v.$ref);
    return isDoc(target) ? { ...target, path: v.$ref } : null;
  }
  return v;
}

const fieldResolver: GraphQLFieldResolver<unknown, GraphqlContext> = (source, _args, ctx, info) => {
  if (!isDoc(source)) return null;
  if (info.fieldName === 'schema') return source.$schema ?? source.schema;
  const v = source[info.fieldName];
  return isObjectType(getNamedType(info.returnType)) ? deref(v, ctx) : v;
};

function buildAppInterfaceSchema(): GraphQLSchema {
  const fields: string[] = [];
  for (const kind of ALL_KINDS) {
    const type = isCoreKind(kind) ? CORE_TYPES[kind.graphqlField] : 'Datafile_v1';
    if (type === undefined) throw new Error(`no GraphQL type for core kind ${kind.schema}`);
    fields.push(`  ${kind.graphqlField}(path: String, name: String): [${type}!]!`);
  }
  fields.push('  resources_v1(path: String, pathPrefix: String): [Resource_v1!]!');
  const schema = buildSchema(`${CORE_SDL}\ntype Query {\n${fields.join('\n')}\n}\n`);
  for (const t of Object.values(schema.getTypeMap())) {
    if (!isObjectType(t) || t.name.startsWith('__') || t.name === 'Query') continue;
    for (const f of Object.values(t.getFields())) f.resolve = fieldResolver;
  }
  return schema;
}

let cachedSchema: GraphQLSchema | undefined;

export function appInterfaceGraphqlSchema(): GraphQLSchema {
  cachedSchema ??= buildAppInterfaceSchema();
  return cachedSchema;
}

interface Filter { readonly path?: string | null; readonly name?: string | null; readonly pathPrefix?: string | null }

/** The root value serving one snapshot: one function per query field. */
export function rootValueFor(snap: Snapshot): Record<string, (args: Filter) => unknown[]> {
  const root: Record<string, (args: Filter) => unknown[]> = {};
  // qontract's resources_v1(path); `pathPrefix` (kontract) selects a directory: `/hedgehog/fabric-1/`.
  root.resources_v1 = (args) => {
    const out: unknown[] = [];
    for (const [path, content] of [...snap.resources.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (args.path != null && path !== args.path) continue;
      if (args.pathPrefix != null && !path.startsWith(args.pathPrefix)) continue;
      out.push({ path, content, sha256sum: createHash('sha256').update(content).digest('hex') });
    }
    return out;
  };
  for (const kind of ALL_KINDS) {
    const core = isCoreKind(kind);
    root[kind.graphqlField] = (args) => {
      const out: unknown[] = [];
      for (const f of snap.files.values()) {
        if (schemaOf(f.raw) !== kind.schema || !isDoc(f.raw)) continue;
        if (args.path != null && f.path !== args.path) continue;
        if (args.name != null && f.raw.name !== args.name) continue;
        out.push(core ? { ...f.raw, path: f.path } : { path: f.path, schema: kind.schema, data: f.raw });
      }
      return out;
    };
  }
  return root;
}

export function contextFor(snap: Snapshot): GraphqlContext {
  return { docs: new Map([...snap.files.values()].map((f) => [f.path, f.raw])) };
}
