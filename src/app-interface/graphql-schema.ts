/**
 * kontract's GraphQL types (SDL): qontract's type and field names for qontract's kinds, kontract's
 * own types for its kinds. They are the single description of the GraphQL interface:
 * graphql-confs.ts turns them into qontract's schema format, which `kontract serve`, `kontract
 * bundle` and the real qontract-server serve (qontract-schema.ts resolves it), and the GraphQL
 * client derives its queries from them (graphql-client.ts). Kinds without a type here (`Datafile_v1`)
 * travel as qontract resources. What SDL cannot say is in QONTRACT_FIELDS and INTERFACES below.
 */
import { buildSchema } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { ALL_KINDS, isCoreKind } from './families.js';

const CORE_SDL = `
scalar JSON

type DisableClusterFeatures_v1 { integrations: [String!] }
interface ClusterAuth_v1 { service: String! }
type ClusterAuthGithubOrg_v1 implements ClusterAuth_v1 { service: String! org: String! }
type ClusterAuthGithubOrgTeam_v1 implements ClusterAuth_v1 { service: String! org: String! team: String! }
type ClusterAuthOIDC_v1 implements ClusterAuth_v1 { service: String! name: String! issuer: String }
type ClusterAuthRHIDP_v1 implements ClusterAuth_v1 { service: String! name: String! issuer: String status: String }
type VaultSecret_v1 { path: String! field: String! version: Int format: String }

type Cluster_v1 {
  path: String!
  schema: String!
  labels: JSON
  name: String!
  description: String
  serverUrl: String!
  consoleUrl: String
  prometheusUrl: String
  elbFQDN: String
  internal: Boolean
  auth: [ClusterAuth_v1!]!
  automationToken: VaultSecret_v1
  insecureSkipTLSVerify: Boolean
  clusterAdmin: Boolean
  disable: DisableClusterFeatures_v1
}

type Tenant_v1 { path: String! schema: String! name: String! description: String isolated: Boolean }

type App_v1 { path: String! schema: String! name: String! }
type Environment_v1 { path: String! schema: String! name: String! }
type Product_v1 { path: String! schema: String! name: String! }
type AppEscalationPolicy_v1 { path: String! schema: String! name: String! }
type Permission_v1 { path: String! schema: String! name: String! }

type ResourceValues_v1 { cpu: String memory: String }
type ResourceQuotaItemResources_v1 { limits: ResourceValues_v1 requests: ResourceValues_v1 pods: Int }
type ResourceQuotaItem_v1 { name: String! resources: ResourceQuotaItemResources_v1! scopes: [String!] }
"qontract's type has no path: a namespace's quota is answered inline (the GraphQL source finds its file by content)."
type ResourceQuota_v1 { schema: String! labels: JSON name: String! description: String quotas: [ResourceQuotaItem_v1!]! }

type LimitRangeItem_v1 { type: String default: ResourceValues_v1 defaultRequest: ResourceValues_v1 max: ResourceValues_v1 min: ResourceValues_v1 maxLimitRequestRatio: ResourceValues_v1 }
type LimitRange_v1 { path: String! schema: String! labels: JSON name: String! description: String limits: [LimitRangeItem_v1!]! }

type ManagedResourceNames_v1 { resource: String! resourceNames: [String!]! }

type Namespace_v1 {
  path: String!
  schema: String!
  labels: JSON
  name: String!
  description: String
  cluster: Cluster_v1!
  app: App_v1!
  environment: Environment_v1!
  delete: Boolean
  managedByExternal: Boolean
  managedRoles: Boolean
  clusterAdmin: Boolean
  managedResourceTypes: [String!]
  managedResourceNames: [ManagedResourceNames_v1!]
  quota: ResourceQuota_v1
  limitRanges: LimitRange_v1
  networkPoliciesAllow: [Namespace_v1!]
}

type User_v1 { path: String! schema: String! labels: JSON name: String! org_username: String! github_username: String! roles: [Role_v1!] }
type Bot_v1 { path: String! schema: String! labels: JSON name: String! description: String openshift_serviceaccount: String roles: [Role_v1!] }
type Access_v1 { namespace: Namespace_v1 role: String cluster: Cluster_v1 group: String clusterRole: String }
type Role_v1 {
  path: String!
  schema: String!
  labels: JSON
  name: String!
  description: String
  expirationDate: String
  permissions: [Permission_v1!]
  access: [Access_v1!]
  "The users whose roles list this role (qontract's synthetic back-reference)."
  users: [User_v1!]!
  "The bots whose roles list this role."
  bots: [Bot_v1!]!
}

"A datafile of a non-core family: its raw document (\`$ref\`s unresolved)."
type Datafile_v1 { path: String! schema: String! data: JSON! }

"A qontract resource: a non-datafile file (e.g. a fabric's GitOps manifests), or a datafile of a kind no query lists."
type Resource_v1 { path: String! content: String! sha256sum: String! schema: String }
`;

/** Query field → GraphQL type of the core kinds. */
const CORE_TYPES: Readonly<Record<string, string>> = {
  clusters_v1: 'Cluster_v1', namespaces_v1: 'Namespace_v1', quotas_v1: 'ResourceQuota_v1', limitranges_v1: 'LimitRange_v1',
  roles_v1: 'Role_v1', users_v1: 'User_v1', bots_v1: 'Bot_v1', tenants_v1: 'Tenant_v1',
  apps_v1: 'App_v1', environments_v1: 'Environment_v1', products_v1: 'Product_v1', escalation_policies_v1: 'AppEscalationPolicy_v1',
  permissions_v1: 'Permission_v1',
};

/** Fields qontract-server computes: `Role_v1.users` = the users whose `roles` list the role (qontract's `synthetic`). */
export const SYNTHETIC_FIELDS: Readonly<Record<string, Readonly<Record<string, { readonly schema: string; readonly subAttr: string }>>>> = {
  Role_v1: { users: { schema: '/access/user-1.yml', subAttr: 'roles' }, bots: { schema: '/access/bot-1.yml', subAttr: 'roles' } },
};

/** How an interface picks its type (qontract's `interfaceResolve`): the discriminator field and its values. */
export const INTERFACES: Readonly<Record<string, { readonly field: string; readonly fieldMap: Readonly<Record<string, string>> }>> = {
  ClusterAuth_v1: {
    field: 'service',
    fieldMap: { 'github-org': 'ClusterAuthGithubOrg_v1', 'github-org-team': 'ClusterAuthGithubOrgTeam_v1', oidc: 'ClusterAuthOIDC_v1', rhidp: 'ClusterAuthRHIDP_v1' },
  },
};

function buildAppInterfaceSchema(): GraphQLSchema {
  const fields: string[] = [];
  for (const kind of ALL_KINDS) {
    const type = isCoreKind(kind) ? CORE_TYPES[kind.graphqlField] : 'Datafile_v1';
    if (type === undefined) throw new Error(`no GraphQL type for core kind ${kind.schema}`);
    fields.push(`  ${kind.graphqlField}(path: String, name: String, filter: JSON): [${type}!]!`);
  }
  fields.push('  resources_v1(path: String, schema: String): [Resource_v1!]!');
  return buildSchema(`${CORE_SDL}\ntype Query {\n${fields.join('\n')}\n}\n`);
}

let cachedSchema: GraphQLSchema | undefined;

/** kontract's GraphQL types with a Query field per kind (no resolvers: serving goes through graphql-confs.ts). */
export function appInterfaceGraphqlSchema(): GraphQLSchema {
  cachedSchema ??= buildAppInterfaceSchema();
  return cachedSchema;
}
