/**
 * What the JSON Schemas (schemas/) do not say about kontract's GraphQL types, in one place. The
 * GraphQL types of the datafile kinds listed in KIND_TYPES are generated from their JSON Schemas by
 * graphql-generate.ts (`npm run gen:graphql` writes graphql-types.generated.ts; a unit test fails
 * when it is not current): a property's GraphQL type comes from its JSON Schema type (string/enum →
 * String, integer → Int, number → Float, boolean → Boolean, array → list of non-null items, object
 * without properties → the JSON scalar, `$ref` object → the type of the referenced kind), a field
 * is non-null when the JSON Schema requires the property, and properties the JSON Schema leaves
 * untyped (qontract fields kontract accepts without reading) are not fields. What a JSON Schema
 * cannot say is below: qontract's type names, interfaces and their members, synthetic
 * back-references, the fields only `kontract serve` answers, and the types of qontract's shapes
 * kontract has no JSON Schema for (EXPLICIT_SDL). The generator refuses an entry here that no
 * longer matches a JSON Schema, so this cannot go stale silently.
 *
 * Why not `x-graphql-*` keywords in the JSON Schemas: the ajv registry runs in strict mode
 * (schema-registry.ts), so every such keyword would have to be registered there, and the types of
 * shapes without a JSON Schema would still need a place of their own.
 */

/** `$schema` → GraphQL type of every kind whose type is generated from its JSON Schema (qontract's name for a qontract kind). */
export const KIND_TYPES: Readonly<Record<string, string>> = {
  '/openshift/cluster-1.yml': 'Cluster_v1',
  '/openshift/namespace-1.yml': 'Namespace_v1',
  '/openshift/quota-1.yml': 'ResourceQuota_v1',
  '/openshift/limitrange-1.yml': 'LimitRange_v1',
  '/access/role-1.yml': 'Role_v1',
  '/access/user-1.yml': 'User_v1',
  '/access/bot-1.yml': 'Bot_v1',
  '/access/permission-1.yml': 'Permission_v1',
  '/app-sre/app-1.yml': 'App_v1',
  '/app-sre/environment-1.yml': 'Environment_v1',
  '/app-sre/product-1.yml': 'Product_v1',
  '/app-sre/escalation-policy-1.yml': 'AppEscalationPolicy_v1',
  '/kontract/tenant-1.yml': 'Tenant_v1',
  '/openshift/shared-resources-1.yml': 'SharedResources_v1',
  '/app-interface/app-interface-settings-1.yml': 'AppInterfaceSettings_v1',
};

/** Kinds whose qontract type has no `path`: a namespace's quota is answered inline (the GraphQL client finds its file by content). */
export const INLINE_KINDS: readonly string[] = ['/openshift/quota-1.yml'];

/**
 * GraphQL type of an object-valued property or array item (`[]`), keyed `<$schema>#<property
 * path>`. A `$ref` object whose `x-kontract-ref` names one kind of KIND_TYPES takes that kind's
 * type and needs no entry here.
 */
export const OBJECT_TYPES: Readonly<Record<string, string>> = {
  '/openshift/cluster-1.yml#auth[]': 'ClusterAuth_v1',
  '/openshift/cluster-1.yml#automationToken': 'VaultSecret_v1',
  '/openshift/cluster-1.yml#clusterAdminAutomationToken': 'VaultSecret_v1',
  '/openshift/cluster-1.yml#disable': 'DisableClusterFeatures_v1',
  '/openshift/cluster-1.yml#jumpHost': 'ClusterJumpHost_v1',
  '/openshift/namespace-1.yml#managedResourceNames[]': 'ManagedResourceNames_v1',
  '/openshift/namespace-1.yml#managedResourceTypeOverrides[]': 'NamespaceManagedResourceTypeOverrides_v1',
  '/openshift/namespace-1.yml#openshiftResources[]': 'NamespaceOpenshiftResource_v1',
  '/openshift/shared-resources-1.yml#openshiftResources[]': 'NamespaceOpenshiftResource_v1',
  '/openshift/quota-1.yml#quotas[]': 'ResourceQuotaItem_v1',
  '/openshift/quota-1.yml#quotas[].resources': 'ResourceQuotaItemResources_v1',
  '/openshift/quota-1.yml#quotas[].resources.limits': 'ResourceValues_v1',
  '/openshift/quota-1.yml#quotas[].resources.requests': 'ResourceValues_v1',
  '/openshift/limitrange-1.yml#limits[]': 'LimitRangeItem_v1',
  '/openshift/limitrange-1.yml#limits[].default': 'ResourceValues_v1',
  '/openshift/limitrange-1.yml#limits[].defaultRequest': 'ResourceValues_v1',
  '/openshift/limitrange-1.yml#limits[].max': 'ResourceValues_v1',
  '/openshift/limitrange-1.yml#limits[].maxLimitRequestRatio': 'ResourceValues_v1',
  '/openshift/limitrange-1.yml#limits[].min': 'ResourceValues_v1',
  '/access/role-1.yml#permissions[]': 'Permission_v1',
  '/access/role-1.yml#access[]': 'Access_v1',
};

/** Properties of a JSON Schema object that qontract's GraphQL type does not have (keyed like OBJECT_TYPES). */
export const OMITTED_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  '/openshift/cluster-1.yml#disable': ['labels', 'name'],
};

/**
 * How an interface picks its type (qontract's `interfaceResolve`): the discriminator field and its
 * values. Other interfaces resolve by the datafile's `$schema`.
 */
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
 * Members of an interface generated from one JSON Schema object (one object schema, a
 * discriminator): each member has the interface's fields (the properties the object requires) and
 * the properties listed here, typed from the same object schema.
 */
export const MEMBER_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  ClusterAuthGithubOrg_v1: ['org'],
  ClusterAuthGithubOrgTeam_v1: ['org', 'team'],
  ClusterAuthOIDC_v1: ['name', 'issuer'],
  ClusterAuthRHIDP_v1: ['name', 'issuer', 'status'],
};

/** Fields qontract-server computes: `Role_v1.users` = the users whose `roles` list the role (qontract's `synthetic`); a list of the kind's type. */
export const SYNTHETIC_FIELDS: Readonly<Record<string, Readonly<Record<string, { readonly schema: string; readonly subAttr: string }>>>> = {
  Role_v1: { users: { schema: '/access/user-1.yml', subAttr: 'roles' }, bots: { schema: '/access/bot-1.yml', subAttr: 'roles' } },
};

/**
 * Fields `kontract serve` answers (qontract-reconcile asks them) that kontract's JSON Schemas leave
 * untyped or do not list, with their GraphQL type: nothing in kontract's model comes from them, and
 * the GraphQL client does not ask them. An untyped property keeps its place in the type; the others
 * follow the JSON Schema's fields.
 */
export const SERVE_ONLY_FIELD_TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Cluster_v1: { spec: 'ClusterSpec_v1', network: 'ClusterNetwork_v1' },
  Namespace_v1: { managedExternalResources: 'Boolean', externalResources: '[NamespaceExternalResource_v1!]' },
  App_v1: { serviceOwners: '[Owner_v1!]' },
  AppInterfaceSettings_v1: {
    labels: 'JSON', description: 'String!', repoUrl: 'String!', kubeBinary: 'String!', mergeRequestGateway: 'String', saasDeployJobTemplate: 'String!',
    hashLength: 'Int!', smtp: 'SmtpSettings_v1', imap: 'ImapSettings_v1', githubRepoInvites: 'GithubRepoInvites_v1', ldap: 'LdapSettings_v1',
    dependencies: '[AppInterfaceDependencyMapping_v1!]', credentials: '[CredentialsRequestMap_v1!]', sqlQuery: 'SqlQuerySettings_v1',
    alertingServices: '[String!]', endpointMonitoringBlackboxExporterModules: '[String!]', jiraWatcher: 'JiraWatcherSettings_v1',
    terraformResourcesProviderExclusions: '[TerraformResourcesProviderExclusions_v1!]',
  },
};

/** SERVE_ONLY_FIELD_TYPES' field names per type (what the GraphQL client leaves out). */
export const SERVE_ONLY_FIELDS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(SERVE_ONLY_FIELD_TYPES).map(([type, fields]) => [type, Object.keys(fields)]),
);

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

/**
 * The types no JSON Schema of kontract describes, in SDL: the JSON scalar (qontract answers such
 * fields as JSON-encoded text), kontract's Datafile_v1, qontract's Resource_v1, the entries of
 * `openshiftResources` (namespace-1.json leaves them open; openshift-resources.ts checks each
 * provider's fields), and qontract's shapes that only `kontract serve` answers (the
 * SERVE_ONLY_FIELD_TYPES and the datafile types kontract does not read).
 */
export const EXPLICIT_SDL = `
scalar JSON

type Owner_v1 { name: String! email: String! }

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

"A datafile of a non-core family: its raw document (\`$ref\`s unresolved)."
type Datafile_v1 { path: String! schema: String! data: JSON! }

"A qontract resource: a non-datafile file (e.g. a fabric's GitOps manifests), or a datafile of a kind no query lists."
type Resource_v1 { path: String! content: String! sha256sum: String! schema: String }
`;
