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
  clusterAdminAutomationToken: VaultSecret_v1
  insecureSkipTLSVerify: Boolean
  clusterAdmin: Boolean
  disable: DisableClusterFeatures_v1
  jumpHost: ClusterJumpHost_v1
  spec: ClusterSpec_v1
  network: ClusterNetwork_v1
}

type Tenant_v1 { path: String! schema: String! name: String! description: String isolated: Boolean }

type Owner_v1 { name: String! email: String! }
type App_v1 { path: String! schema: String! name: String! serviceOwners: [Owner_v1!] }
type Environment_v1 { path: String! schema: String! name: String! parameters: JSON }
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
  managedResourceTypeOverrides: [NamespaceManagedResourceTypeOverrides_v1!]
  openshiftResources: [NamespaceOpenshiftResource_v1!]
  sharedResources: [SharedResources_v1!]
  managedExternalResources: Boolean
  externalResources: [NamespaceExternalResource_v1!]
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

type NamespaceManagedResourceTypeOverrides_v1 { resource: String! override: String! }

"qontract's openshiftResources entries; the provider picks the type. A \`path\` answered as Resource_v1 is a resource file (RESOURCE_FIELDS)."
interface NamespaceOpenshiftResource_v1 { provider: String! }
type NamespaceOpenshiftResourceResource_v1 implements NamespaceOpenshiftResource_v1 {
  provider: String! path: Resource_v1! validate_json: Boolean validate_alertmanager_config: Boolean alertmanager_config_key: String enable_query_support: Boolean
}
type NamespaceOpenshiftResourceResourceTemplate_v1 implements NamespaceOpenshiftResource_v1 {
  provider: String! path: Resource_v1! type: String variables: JSON validate_alertmanager_config: Boolean alertmanager_config_key: String enable_query_support: Boolean
}
type NamespaceOpenshiftResourceVaultSecret_v1 implements NamespaceOpenshiftResource_v1 {
  provider: String! path: String! version: Int! name: String labels: JSON annotations: JSON type: String validate_alertmanager_config: Boolean alertmanager_config_key: String
}
type NamespaceOpenshiftResourceRoute_v1 implements NamespaceOpenshiftResource_v1 {
  provider: String! path: Resource_v1! vault_tls_secret_path: String vault_tls_secret_version: Int
}
type NamespaceOpenshiftResourcePrometheusRule_v1 implements NamespaceOpenshiftResource_v1 {
  provider: String! path: Resource_v1! type: String variables: JSON enable_query_support: Boolean tests: [String!]
}
type SharedResources_v1 { path: String! schema: String! labels: JSON name: String! description: String! openshiftResources: [NamespaceOpenshiftResource_v1!]! }

type ClusterJumpHost_v1 { path: String! schema: String! hostname: String! knownHosts: String! user: String! port: Int remotePort: Int identity: VaultSecret_v1! }
type ClusterNetwork_v1 { type: String vpc: String! service: String! pod: String! }
interface ClusterSpec_v1 { product: String! provider: String! region: String! version: String! hypershift: Boolean }
type ClusterSpecOSD_v1 implements ClusterSpec_v1 { product: String! provider: String! region: String! version: String! hypershift: Boolean }
type ClusterSpecROSA_v1 implements ClusterSpec_v1 { product: String! provider: String! region: String! version: String! hypershift: Boolean account: AWSAccount_v1 }

interface ExternalResourcesProvisioner_v1 { name: String! }
type AWSAccount_v1 implements ExternalResourcesProvisioner_v1 { path: String! schema: String! name: String! uid: String! }
interface NamespaceExternalResource_v1 { provider: String! provisioner: ExternalResourcesProvisioner_v1! }
type NamespaceTerraformProviderResourceAWS_v1 implements NamespaceExternalResource_v1 { provider: String! provisioner: ExternalResourcesProvisioner_v1! resources: [NamespaceTerraformResourceAWS_v1!]! }
interface NamespaceTerraformResourceAWS_v1 { provider: String! }
type NamespaceTerraformResourceRDS_v1 implements NamespaceTerraformResourceAWS_v1 { provider: String! region: String identifier: String! defaults: String! output_resource_name: String replica_source: String }
type NamespaceTerraformResourceECR_v1 implements NamespaceTerraformResourceAWS_v1 { provider: String! region: String identifier: String! output_resource_name: String mirror: ContainerImageMirror_v1 }
type ContainerImageMirror_v1 { path: String! schema: String! url: String! pullCredentials: VaultSecret_v1 tags: [String!] tagsExclude: [String!] }

type Integration_v1 { path: String! schema: String! labels: JSON name: String! description: String! upstream: String schemas: [String!]! }

type SmtpSettings_v1 { mailAddress: String! timeout: Int credentials: VaultSecret_v1! }
type ImapSettings_v1 { timeout: Int credentials: VaultSecret_v1! }
type GithubRepoInvites_v1 { credentials: VaultSecret_v1! }
type LdapSettings_v1 { serverUrl: String! baseDn: String! }
type Dependency_v1 { path: String! schema: String! name: String! }
type AppInterfaceDependencyMapping_v1 { type: String! services: [Dependency_v1!]! }
type CredentialsRequestMap_v1 { name: String! secret: VaultSecret_v1! }
type SqlQuerySettings_v1 { imageRepository: String! pullSecret: NamespaceOpenshiftResourceVaultSecret_v1! }
type JiraWatcherSettings_v1 { readTimeout: Int! connectTimeout: Int! }
type TerraformResourcesProviderExclusions_v1 { provider: String! excludeProvisioners: [ExternalResourcesProvisioner_v1!] excludeAllProvisioners: Boolean }
type AppInterfaceSettings_v1 {
  path: String! schema: String! labels: JSON name: String! description: String!
  repoUrl: String! vault: Boolean! kubeBinary: String! mergeRequestGateway: String saasDeployJobTemplate: String! hashLength: Int!
  smtp: SmtpSettings_v1 imap: ImapSettings_v1 githubRepoInvites: GithubRepoInvites_v1 ldap: LdapSettings_v1
  dependencies: [AppInterfaceDependencyMapping_v1!] credentials: [CredentialsRequestMap_v1!] sqlQuery: SqlQuerySettings_v1
  alertingServices: [String!] endpointMonitoringBlackboxExporterModules: [String!] jiraWatcher: JiraWatcherSettings_v1
  terraformResourcesProviderExclusions: [TerraformResourcesProviderExclusions_v1!]
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

/** How an interface picks its type (qontract's `interfaceResolve`): the discriminator field and its values. Other interfaces resolve by the datafile's `$schema`. */
export const INTERFACES: Readonly<Record<string, { readonly field: string; readonly fieldMap: Readonly<Record<string, string>> }>> = {
  ClusterAuth_v1: {
    field: 'service',
    fieldMap: { 'github-org': 'ClusterAuthGithubOrg_v1', 'github-org-team': 'ClusterAuthGithubOrgTeam_v1', oidc: 'ClusterAuthOIDC_v1', rhidp: 'ClusterAuthRHIDP_v1' },
  },
  NamespaceOpenshiftResource_v1: {
    field: 'provider',
    fieldMap: {
      resource: 'NamespaceOpenshiftResourceResource_v1', 'resource-template': 'NamespaceOpenshiftResourceResourceTemplate_v1',
      'vault-secret': 'NamespaceOpenshiftResourceVaultSecret_v1', route: 'NamespaceOpenshiftResourceRoute_v1', 'prometheus-rule': 'NamespaceOpenshiftResourcePrometheusRule_v1',
    },
  },
  ClusterSpec_v1: { field: 'product', fieldMap: { osd: 'ClusterSpecOSD_v1', rosa: 'ClusterSpecROSA_v1' } },
  NamespaceExternalResource_v1: { field: 'provider', fieldMap: { aws: 'NamespaceTerraformProviderResourceAWS_v1' } },
  NamespaceTerraformResourceAWS_v1: { field: 'provider', fieldMap: { rds: 'NamespaceTerraformResourceRDS_v1', ecr: 'NamespaceTerraformResourceECR_v1' } },
};

/**
 * Fields holding the path of a resource file (qontract's `resolveResource`): the datafile has the
 * path, the answer is the Resource_v1 at that path.
 */
export const RESOURCE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  NamespaceOpenshiftResourceResource_v1: ['path'],
  NamespaceOpenshiftResourceResourceTemplate_v1: ['path'],
  NamespaceOpenshiftResourceRoute_v1: ['path'],
  NamespaceOpenshiftResourcePrometheusRule_v1: ['path'],
};

/**
 * Types of datafiles kontract serves typed but reads as raw documents or not at all (the GraphQL
 * client reads a field of such a type as a `$ref`), with their `$schema`.
 */
export const DATAFILE_TYPES: Readonly<Record<string, string>> = {
  AppInterfaceSettings_v1: '/app-interface/app-interface-settings-1.yml',
  SharedResources_v1: '/openshift/shared-resources-1.yml',
  Integration_v1: '/app-sre/integration-1.yml',
  ClusterJumpHost_v1: '/openshift/jump-host-1.yml',
  AWSAccount_v1: '/aws/account-1.yml',
  ContainerImageMirror_v1: '/dependencies/container-image-mirror-1.yml',
  Dependency_v1: '/dependencies/dependency-1.yml',
};

/** Root queries of the DATAFILE_TYPES that qontract-reconcile sends (query field → type). */
export const SERVED_QUERIES: Readonly<Record<string, string>> = {
  app_interface_settings_v1: 'AppInterfaceSettings_v1',
  shared_resources_v1: 'SharedResources_v1',
  integrations_v1: 'Integration_v1',
};

/** Fields `kontract serve` answers (qontract-reconcile asks them) that the GraphQL client does not read: nothing in the model comes from them. */
export const SERVE_ONLY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Cluster_v1: ['spec', 'network'],
  Namespace_v1: ['managedExternalResources', 'externalResources'],
  App_v1: ['serviceOwners'],
};

function buildAppInterfaceSchema(): GraphQLSchema {
  const fields: string[] = [];
  for (const kind of ALL_KINDS) {
    const type = isCoreKind(kind) ? CORE_TYPES[kind.graphqlField] : SERVED_QUERIES[kind.graphqlField] ?? 'Datafile_v1';
    if (type === undefined) throw new Error(`no GraphQL type for core kind ${kind.schema}`);
    fields.push(`  ${kind.graphqlField}(path: String, name: String, filter: JSON): [${type}!]!`);
  }
  for (const [field, type] of Object.entries(SERVED_QUERIES)) {
    if (!ALL_KINDS.some((k) => k.graphqlField === field)) fields.push(`  ${field}(path: String, name: String, filter: JSON): [${type}!]!`);
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
