/**
 * The app-interface data model after loading, `$ref` resolution and validation. Both sources (YAML
 * directory and GraphQL) produce exactly this; integrations read only this.
 *
 * Field names follow app-sre/qontract-schemas where qontract has the type (docs/app-interface.md).
 * Every entity carries `path`, the datafile it came from
 * (`/openshift/c1/namespaces/team-a.yml`), as qontract-server does.
 */
import type { Fabric } from './hedgehog/model.js';
import type { ClusterInstancetype, ClusterPreference } from './kubevirt/instancetype-model.js';
import type { Vapp, VirtualMachineData, VmTemplate } from './kubevirt/vm-model.js';
import type { NamespaceResource } from './openshift-resources.js';
import type { VdcNetwork } from './tenancy/network-model.js';

export type { Labels } from '../core/k8s-object.js';
import type { Labels } from '../core/k8s-object.js';

/** A qontract Vault secret reference (`automationToken: {path, field, version, format}`). */
export interface VaultSecretRef {
  readonly path: string;
  readonly field: string;
  readonly version?: number;
  /** @default 'plain' */
  readonly format?: 'plain' | 'base64';
}

/**
 * Where a cluster's credentials come from. Exactly one source; no silent default kubeconfig.
 * The explicit kinds come from a `/kontract/cluster-1.yml` datafile; `automationToken` is the
 * qontract cluster's Vault reference, read through the secret reader (src/secrets/).
 */
export type ClusterAuth =
  | { readonly kind: 'kubeconfig'; readonly context: string; readonly path?: string }
  | { readonly kind: 'tokenEnv'; readonly env: string }
  | { readonly kind: 'tokenFile'; readonly file: string }
  | { readonly kind: 'automationToken'; readonly secret: VaultSecretRef }
  /** kontract runs in a pod of this cluster: the mounted service account (cluster-connection.ts). */
  | { readonly kind: 'inCluster' };

/** qontract's `cluster.auth[].service`: how people log in, which decides the user key of RoleBinding subjects. */
export type ClusterAuthService = 'github-org' | 'github-org-team' | 'oidc' | 'rhidp';

export interface Cluster {
  readonly path: string;
  readonly name: string;
  readonly description: string;
  readonly serverUrl: string;
  /** PEM, inline or read from `caPath` at connect time. */
  readonly ca?: { readonly inline: string } | { readonly path: string };
  readonly auth: ClusterAuth;
  readonly insecureSkipTLSVerify: boolean;
  /** kontract integration names not to run here (qontract's `disable.integrations` mapped, plus `/kontract/cluster-1.yml`'s). */
  readonly disabledIntegrations: readonly string[];
  readonly labels: Labels;
  /** qontract `auth[].service`, in order; absent or empty when the cluster lists none. */
  readonly authServices?: readonly ClusterAuthService[];
  /**
   * qontract's `jumpHost`: the cluster is reached through this SSH bastion (the path of its
   * `/openshift/jump-host-1.yml` datafile). kontract does not tunnel, so connecting to such a
   * cluster is a per-cluster error (src/k8s/cluster-connection.ts) naming `where`
   * (`/openshift/c1/cluster.yml:12 jumpHost`; the line where the source has one).
   */
  readonly jumpHost?: { readonly path: string; readonly where: string };
}

/** `/openshift/quota-1.yml` entry. Quantities are strings as written. */
export interface QuotaEntry {
  readonly name: string;
  readonly resources: {
    readonly limits?: { readonly cpu?: string; readonly memory?: string };
    readonly requests?: { readonly cpu?: string; readonly memory?: string };
    readonly pods?: number;
    /** `spec.hard` keys kontract derives itself (a VDC's storage: `requests.storage`, per-StorageClass keys); qontract quota files have none. */
    readonly other?: Labels;
  };
  readonly scopes: readonly string[];
}

export interface Quota {
  readonly path: string;
  readonly name: string;
  readonly quotas: readonly QuotaEntry[];
}

/**
 * Waldur-style components (an alternative to `quota`): limits = burstFactor × requests.
 */
export interface QuotaComponents {
  readonly cpu?: number;
  readonly memoryGB?: number;
  readonly storageGB?: number;
  readonly pods?: number;
  /** @default 2 */
  readonly burstFactor: number;
}

export interface LimitRangeItem {
  readonly type?: 'Container' | 'Pod';
  readonly default?: Labels;
  readonly defaultRequest?: Labels;
  readonly max?: Labels;
  readonly min?: Labels;
  readonly maxLimitRequestRatio?: Labels;
}

export interface LimitRange {
  readonly path: string;
  readonly name: string;
  readonly limits: readonly LimitRangeItem[];
}

export type NamespaceState = 'active' | 'paused' | 'downscaled';

export interface NamespaceRef {
  readonly name: string;
  readonly cluster: string;
  readonly path: string;
}

export interface Namespace {
  readonly path: string;
  readonly name: string;
  readonly description: string;
  readonly cluster: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly delete: boolean;
  readonly managedByExternal: boolean;
  readonly managedRoles: boolean;
  /** qontract: the namespace's objects need the cluster-admin credential; kontract uses the cluster's one credential. */
  readonly clusterAdmin?: boolean;
  /** qontract `managedResourceTypes`: the kinds (`Kind` or `Kind.group`) the `resources` integration owns in this namespace. */
  readonly managedResourceTypes?: readonly string[];
  /** qontract `managedResourceTypeOverrides`: `{resource: Deployment, override: Deployment.apps}`. */
  readonly managedResourceTypeOverrides?: readonly { readonly resource: string; readonly override: string }[];
  /** qontract `managedResourceNames`: per type, the only names the `resources` integration owns. */
  readonly managedResourceNames?: readonly { readonly resource: string; readonly resourceNames: readonly string[] }[];
  /** qontract `openshiftResources`, then those of each `sharedResources` file, read and rendered (openshift-resources.ts). */
  readonly openshiftResources?: readonly NamespaceResource[];
  /** Name of the qontract app (`app: $ref`). */
  readonly app?: string;
  /** Name of the qontract environment (`environment: $ref`). */
  readonly environment?: string;
  /** Tenant/organisation this namespace belongs to (label `kontract.io/tenant`). */
  readonly tenant?: string;
  readonly state: NamespaceState;
  readonly quota?: Quota;
  readonly quotaComponents?: QuotaComponents;
  readonly limitRanges?: LimitRange;
  readonly networkPoliciesAllow: readonly NamespaceRef[];
  /** Adds a default-deny ingress policy (ssvirt VDC isolation). */
  readonly isolated: boolean;
  /**
   * Roles granted in this namespace besides the role datafiles' (a VDC's organisation members,
   * see tenancy/): the rolebindings integration binds them like role datafiles. Absent = none.
   */
  readonly memberRoles?: readonly Role[];
  /** ServiceAccounts to create in the namespace (a VDC's `serviceAccounts`, see tenancy/). Absent = none. */
  readonly serviceAccounts?: readonly string[];
}

export interface User {
  readonly path: string;
  readonly name: string;
  readonly orgUsername: string;
  /** qontract requires it; the user key on clusters whose `auth` is github-org(-team) or absent. */
  readonly githubUsername?: string;
}

export interface Bot {
  readonly path: string;
  readonly name: string;
  /** `namespace/name` of the service account this bot is. */
  readonly serviceAccount?: { readonly namespace: string; readonly name: string };
}

export type RoleAccess =
  | { readonly namespace: NamespaceRef; readonly role: string }
  | { readonly namespace: NamespaceRef; readonly clusterRole: string };

export interface Role {
  readonly path: string;
  readonly name: string;
  /** Namespace access entries (qontract's cluster-scoped `{cluster, group}` / `{cluster, clusterRole}` entries are not read). */
  readonly access: readonly RoleAccess[];
  /** The users whose `roles` point at this role (qontract: users and bots point at roles). */
  readonly users: readonly User[];
  /** The bots whose `roles` point at this role. */
  readonly bots: readonly Bot[];
  readonly expirationDate?: string;
}

export interface Tenant {
  readonly path: string;
  readonly name: string;
  readonly description: string;
  /** Isolate every namespace of the tenant (default-deny ingress except from its own namespaces). */
  readonly isolated: boolean;
  /** Set when the tenant is an organisation (`/kontract/organisation-1.yml`, see tenancy/). */
  readonly organisation?: Organisation;
}

/** An organisation's member role and the ClusterRole it binds. */
export type OrganisationRole = 'owner' | 'manager' | 'member';

/** What an organisation adds to a tenant (`/kontract/organisation-1.yml`). */
export interface Organisation {
  /** The human name. */
  readonly displayName: string;
  /** `false` pauses every VDC of the organisation. */
  readonly enabled: boolean;
  readonly members: readonly { readonly user: User; readonly role: OrganisationRole }[];
}

/** `/kontract/catalog-1.yml`: VM templates of an organisation (or tenant), see tenancy/. */
export interface Catalog {
  readonly path: string;
  readonly name: string;
  /** Name of the owning organisation or tenant. */
  readonly organisation: string;
  /** Visible to every organisation. */
  readonly shared: boolean;
  /** Paths of the VM template datafiles. */
  readonly templates: readonly string[];
}

/** A datafile kontract reads only the name of. */
export interface NamedEntry {
  readonly path: string;
  /** Its `$schema`. */
  readonly schema: string;
  readonly name: string;
}

/** qontract's app-interface settings: `vault: false` means secrets come from the config file, not Vault. */
export interface AppInterfaceSettings {
  readonly path: string;
  readonly name: string;
  /** @default true (as qontract-reconcile: Vault unless the settings say otherwise) */
  readonly vault: boolean;
}

/** `/kontract/cluster-1.yml`: explicit credentials, CA and kontract integrations to skip for one qontract cluster. */
export interface ClusterSettings {
  readonly path: string;
  /** Path of the qontract cluster datafile. */
  readonly cluster: string;
  readonly auth?: Exclude<ClusterAuth, { kind: 'automationToken' }>;
  readonly ca?: { readonly inline: string } | { readonly path: string };
  readonly disabledIntegrations: readonly string[];
}

/** `/kontract/namespace-1.yml`: tenant, lifecycle, quota components, isolation and annotations of one qontract namespace. */
export interface NamespaceSettings {
  readonly path: string;
  /** Path of the qontract namespace datafile. */
  readonly namespace: string;
  readonly tenant?: string;
  readonly state: NamespaceState;
  readonly quotaComponents?: QuotaComponents;
  readonly isolated: boolean;
  readonly annotations: Labels;
}

/**
 * Types that qontract lacks are added by their own integration issues as extra fields of
 * AppInterfaceData (virtual machines, VM templates, instancetypes, fabrics), each with its own
 * schema in schemas/ and its model type next to its integration.
 */
export interface AppInterfaceData {
  /** Content hash of the data snapshot this run reads (GraphQL: the server's sha256). */
  readonly sha: string;
  readonly clusters: readonly Cluster[];
  readonly namespaces: readonly Namespace[];
  readonly quotas: readonly Quota[];
  readonly limitRanges: readonly LimitRange[];
  readonly roles: readonly Role[];
  readonly users: readonly User[];
  readonly bots: readonly Bot[];
  readonly tenants: readonly Tenant[];
  /**
   * qontract datafiles kontract accepts but does not read beyond their name: apps and environments
   * (the targets of a namespace's `app` and `environment`), products, escalation policies.
   * Absent = none; as the next two.
   */
  readonly qontractDatafiles?: readonly NamedEntry[];
  /** qontract's `/app-interface/app-interface-settings-1.yml` (at most one is expected); absent = none. */
  readonly appInterfaceSettings?: readonly AppInterfaceSettings[];
  /** `/kontract/cluster-1.yml`: kontract's settings for qontract clusters (already merged into `clusters`). */
  readonly clusterSettings?: readonly ClusterSettings[];
  /** `/kontract/namespace-1.yml`: kontract's settings for qontract namespaces (already merged into `namespaces`). */
  readonly namespaceSettings?: readonly NamespaceSettings[];
  /** Catalogs of VM templates (`/kontract/catalog-1.yml`); absent = none. */
  readonly catalogs?: readonly Catalog[];
  /** Networks of VDCs (`/kontract/network-1.yml`); absent = none. */
  readonly networks?: readonly VdcNetwork[];
  /** KubeVirt VM templates (`/kontract/kubevirt/vm-template-1.yml`); absent = none. */
  readonly vmTemplates?: readonly VmTemplate[];
  /** KubeVirt virtual machines (`/kontract/kubevirt/virtual-machine-1.yml`); absent = none. */
  readonly virtualMachines?: readonly VirtualMachineData[];
  /** vApps (`/kontract/vapp-1.yml`), each carrying its VMs; absent = none. */
  readonly vapps?: readonly Vapp[];
  /** VirtualMachineClusterInstancetypes (`/kontract/kubevirt/cluster-instancetype-1.yml`); absent = none. */
  readonly instancetypes?: readonly ClusterInstancetype[];
  /** VirtualMachineClusterPreferences (`/kontract/kubevirt/cluster-preference-1.yml`); absent = none. */
  readonly preferences?: readonly ClusterPreference[];
  /** Hedgehog fabrics (`/hedgehog/fabric-1.yml`); absent = none. */
  readonly fabrics?: readonly Fabric[];
  /**
   * Non-datafile files (qontract "resources") that datafiles read from in-tree directories, by
   * the datafile's path: e.g. `resources['/hedgehog/fabric-1.yml']` holds the GitOps directory
   * `/hedgehog/fabric-1` of that fabric. Declared per kind (`DatafileKind.resourceDirs`); the YAML
   * directory, bundle and GraphQL sources fill it identically. Absent = no datafile needs any.
   */
  readonly resources?: Readonly<Record<string, readonly ResourceDir[]>>;
}

/** One resource: its app-interface path (`/hedgehog/fabric-1/10-namespaces.yaml`) and text. */
export interface ResourceFile {
  readonly path: string;
  readonly content: string;
}

/** An in-tree directory (`/hedgehog/fabric-1`, no trailing slash) and every resource below it, sorted by path. */
export interface ResourceDir {
  readonly directory: string;
  readonly files: readonly ResourceFile[];
}
