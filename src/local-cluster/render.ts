/**
 * Pure rendering for the local control plane: tokens.csv, kubeconfigs and command lines.
 * No IO here, so all of it is unit-tested (test/unit/local-cluster/).
 */
import * as yaml from 'js-yaml';
import { ERROR_CODES, KontractError } from '../core/errors.js';
import { ADMIN_USER, RESTRICTED_USER } from './types.js';
import { isDns1123Label } from '../core/k8s-names.js';

export interface ClusterTokens {
  readonly adminToken: string;
  readonly restrictedToken: string;
}

const TOKEN_RE = /^[A-Za-z0-9._-]+$/;

/** Cluster names become directory names, etcd prefixes and kubeconfig context names. */
export function validateClusterNames(names: readonly string[]): void {
  if (names.length === 0) throw new KontractError(ERROR_CODES.USAGE, 'at least one cluster name is required');
  const seen = new Set<string>();
  for (const n of names) {
    if (!isDns1123Label(n) || n.length > 40) {
      throw new KontractError(ERROR_CODES.USAGE, `invalid cluster name '${n}': use lowercase letters, digits and '-' (DNS label, at most 40 characters)`);
    }
    if (n.endsWith(`-${RESTRICTED_USER}`)) {
      throw new KontractError(ERROR_CODES.USAGE, `invalid cluster name '${n}': the suffix -${RESTRICTED_USER} is reserved for the restricted context`);
    }
    if (seen.has(n)) throw new KontractError(ERROR_CODES.USAGE, `duplicate cluster name '${n}'`);
    seen.add(n);
  }
}

/**
 * `--etcd-prefix` of a cluster. Names are validated DNS labels, and the trailing `/registry`
 * keeps any prefix from being a string prefix of another (`/c1/registry` vs `/c10/registry`).
 */
export function etcdPrefix(cluster: string): string {
  return `/${cluster}/registry`;
}

/**
 * kube-apiserver `--token-auth-file`: `token,user,uid,"group1,group2"`. `admin` is in
 * system:masters (bypasses RBAC); `alice` has no groups at all.
 */
export function renderTokensCsv(tokens: ClusterTokens): string {
  for (const t of [tokens.adminToken, tokens.restrictedToken]) {
    if (!TOKEN_RE.test(t)) throw new KontractError(ERROR_CODES.INTERNAL, 'a generated token contains characters that tokens.csv cannot hold');
  }
  return `${tokens.adminToken},${ADMIN_USER},uid-${ADMIN_USER},"system:masters"\n${tokens.restrictedToken},${RESTRICTED_USER},uid-${RESTRICTED_USER}\n`;
}

export interface KubeconfigCluster {
  readonly name: string;
  readonly server: string;
  /** PEM of the CA (inlined as certificate-authority-data). */
  readonly caPem: string;
  readonly adminToken: string;
  readonly restrictedToken: string;
}

interface KubeconfigDoc {
  apiVersion: 'v1';
  kind: 'Config';
  preferences: Record<string, never>;
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace: string } }[];
  'current-context': string;
}

/** Context name of the restricted user for a cluster. */
export function restrictedContextName(cluster: string): string {
  return `${cluster}-${RESTRICTED_USER}`;
}

/**
 * A kubeconfig with, per cluster, context `<name>` (admin) and `<name>-alice` (restricted).
 * Tokens are inline (a `token-file` is read untrimmed by client-node) and the CA is inline so the
 * file works from any working directory. current-context is the first cluster's admin context.
 */
export function renderKubeconfig(clusters: readonly KubeconfigCluster[]): string {
  const first = clusters[0];
  if (first === undefined) throw new KontractError(ERROR_CODES.INTERNAL, 'renderKubeconfig needs at least one cluster');
  const doc: KubeconfigDoc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [],
    users: [],
    contexts: [],
    'current-context': first.name,
  };
  for (const c of clusters) {
    doc.clusters.push({ name: c.name, cluster: { server: c.server, 'certificate-authority-data': Buffer.from(c.caPem, 'utf8').toString('base64') } });
    doc.users.push({ name: `${c.name}-${ADMIN_USER}`, user: { token: c.adminToken } });
    doc.users.push({ name: `${c.name}-${RESTRICTED_USER}`, user: { token: c.restrictedToken } });
    doc.contexts.push({ name: c.name, context: { cluster: c.name, user: `${c.name}-${ADMIN_USER}`, namespace: 'default' } });
    doc.contexts.push({ name: restrictedContextName(c.name), context: { cluster: c.name, user: `${c.name}-${RESTRICTED_USER}`, namespace: 'default' } });
  }
  return yaml.dump(doc, { lineWidth: -1, noRefs: true });
}

export interface EtcdArgsInput {
  readonly dataDir: string;
  readonly clientPort: number;
  readonly peerPort: number;
}

export function etcdArgs(i: EtcdArgsInput): string[] {
  return [
    '--name=default',
    `--data-dir=${i.dataDir}`,
    `--listen-client-urls=http://127.0.0.1:${i.clientPort}`,
    `--advertise-client-urls=http://127.0.0.1:${i.clientPort}`,
    `--listen-peer-urls=http://127.0.0.1:${i.peerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${i.peerPort}`,
    `--initial-cluster=default=http://127.0.0.1:${i.peerPort}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export interface ApiserverArgsInput {
  readonly cluster: string;
  readonly etcdClientPort: number;
  readonly securePort: number;
  readonly certDir: string;
  readonly tokensFile: string;
  readonly serviceAccountKeyFile: string;
}

/** Flags per docs/local-control-plane.md (section "kube-apiserver flags"). */
export function apiserverArgs(i: ApiserverArgsInput): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${i.etcdClientPort}`,
    `--etcd-prefix=${etcdPrefix(i.cluster)}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${i.securePort}`,
    '--endpoint-reconciler-type=none',
    `--cert-dir=${i.certDir}`,
    `--token-auth-file=${i.tokensFile}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${i.serviceAccountKeyFile}`,
    `--service-account-signing-key-file=${i.serviceAccountKeyFile}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--disable-admission-plugins=ServiceAccount',
    '--allow-privileged=true',
    '--profiling=false',
    '--v=1',
  ];
}

/**
 * One controller manager per cluster: namespace finalisation, ownerReference GC, ResourceQuota
 * status (status.hard/used, read by `kontract inventory`) and ClusterRole aggregation (so the
 * admin/edit/view roles that rolebindings binds carry their rules, as on a real cluster).
 */
export function controllerManagerArgs(kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    '--controllers=namespace-controller,garbage-collector-controller,resourcequota-controller,clusterrole-aggregation-controller',
    '--leader-elect=false',
    '--use-service-account-credentials=false',
    '--secure-port=0',
    '--kube-api-qps=100',
    '--kube-api-burst=200',
    '--profiling=false',
    '--v=1',
  ];
}
