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
import type { VirtualMachineData, VmTemplate } from './kubevirt/vm-model.js';

export type { Labels } from '../core/k8s-object.js';
import type { Labels } from '../core/k8s-object.js';

/** Where a cluster's credentials come from. Exactly one source; no silent default kubeconfig. */
export type ClusterAuth =
  | { readonly kind: 'kubeconfig'; readonly context: string; readonly path?: string }
  | { readonly kind: 'tokenEnv'; readonly env: string }
  | { readonly kind: 'tokenFile'; readonly file: string }
  /** kontract runs in a pod of this cluster: the mounted service account (cluster-connection.ts). */
  | { readonly kind: 'inCluster' };

export interface Cluster {
  readonly path: string;
  readonly name: string;
  readonly description: string;
  readonly serverUrl: string;
  /** PEM, inline or read from `caPath` at connect time. */
  readonly ca?: { readonly inline: string } | { readonly path: string };
  readonly auth: ClusterAuth;
  readonly insecureSkipTLSVerify: boolean;
  readonly disabledIntegrations: readonly string[];
  readonly labels: Labels;
}

/** `/openshift/quota-1.yml` entry. Quantities are strings as written. */
export interface QuotaEntry {
  readonly name: string;
  readonly resources: {
    readonly limits?: { readonly cpu?: string; readonly memory?: string };
    readonly requests?: { readonly cpu?: string; readonly memory?: string; readonly storage?: string };
    readonly pods?: number;
    /** Any other ResourceQuota `hard` key, e.g. `persistentvolumeclaims`, `services`. */
    readonly other?: { readonly [key: string]: string };
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
  readonly type: 'Container' | 'Pod' | 'PersistentVolumeClaim';
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
  /** Tenant/organisation this namespace belongs to (label `kontract.io/tenant`). */
  readonly tenant?: string;
  readonly state: NamespaceState;
  readonly quota?: Quota;
  readonly quotaComponents?: QuotaComponents;
  readonly limitRanges?: LimitRange;
  readonly networkPoliciesAllow: readonly NamespaceRef[];
  /** Adds a default-deny ingress policy (ssvirt VDC isolation). */
  readonly isolated: boolean;
}

export interface User {
  readonly path: string;
  readonly name: string;
  readonly orgUsername: string;
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
  readonly access: readonly RoleAccess[];
  readonly users: readonly User[];
  readonly bots: readonly Bot[];
  readonly expirationDate?: string;
}

export interface Tenant {
  readonly path: string;
  readonly name: string;
  readonly description: string;
  /** Isolate every namespace of the tenant (default-deny ingress except from its own namespaces). */
  readonly isolated: boolean;
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
  /** KubeVirt VM templates (`/kubevirt/vm-template-1.yml`); absent = none. */
  readonly vmTemplates?: readonly VmTemplate[];
  /** KubeVirt virtual machines (`/kubevirt/virtual-machine-1.yml`); absent = none. */
  readonly virtualMachines?: readonly VirtualMachineData[];
  /** VirtualMachineClusterInstancetypes (`/kubevirt/cluster-instancetype-1.yml`); absent = none. */
  readonly instancetypes?: readonly ClusterInstancetype[];
  /** VirtualMachineClusterPreferences (`/kubevirt/cluster-preference-1.yml`); absent = none. */
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
