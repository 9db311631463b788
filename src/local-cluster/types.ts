/**
 * Types of the local control plane harness (one etcd, N kube-apiservers, one
 * kube-controller-manager per cluster). `state.json` in the state directory is a `LocalClustersState`.
 */

/** The restricted user every local cluster knows (no groups, so RBAC denies almost everything). */
export const RESTRICTED_USER = 'alice';
/** The admin user every local cluster knows (group system:masters, bypasses RBAC). */
export const ADMIN_USER = 'admin';

/** Default cluster names: the sample app-interface uses these names and contexts. */
export const DEFAULT_CLUSTER_NAMES: readonly string[] = ['prod-1', 'prod-2', 'dev-1'];

/** One recorded child process. `binary` is checked against /proc/<pid>/cmdline before a kill. */
export interface ProcessRecord {
  readonly pid: number;
  readonly binary: string;
  readonly log: string;
}

export interface LocalClusterInfo {
  readonly name: string;
  /** Context of the admin user in the merged kubeconfig (same as `name`). */
  readonly context: string;
  /** Context of the restricted user `alice` in the merged kubeconfig (`<name>-alice`). */
  readonly restrictedContext: string;
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  readonly port: number;
  readonly etcdPrefix: string;
  /** The apiserver's self-signed `apiserver.crt` (leaf + CA), usable as certificate-authority. */
  readonly caFile: string;
  readonly adminToken: string;
  readonly restrictedToken: string;
  /** Per-cluster kubeconfig with contexts `<name>` and `<name>-alice`. */
  readonly kubeconfig: string;
  readonly dir: string;
  readonly apiserver: ProcessRecord;
  readonly controllerManager: ProcessRecord;
}

export interface LocalClustersState {
  readonly version: 1;
  readonly dir: string;
  /** Merged kubeconfig with every cluster's two contexts. */
  readonly kubeconfig: string;
  readonly binDir: string;
  readonly startedAt: string;
  readonly etcd: ProcessRecord & { readonly clientPort: number; readonly peerPort: number; readonly dataDir: string };
  readonly clusters: readonly LocalClusterInfo[];
}
