/**
 * Access to the local clusters of the integration run.
 *
 * test/integration/global-setup.ts starts ONE etcd and three kube-apiservers, `prod-1`, `prod-2`
 * and `dev-1` (each with a kube-controller-manager), once per `vitest run`, and stops them
 * afterwards. All integration test files share them, one file at a time, so:
 *   - create your own namespaces with `uniqueName('my-test')` and delete them in afterAll;
 *   - cluster-scoped objects (CRDs, ClusterRoles) are shared: apply them idempotently (SSA).
 *
 * Usage:
 *   import { testClusters, kubeConfigFor, uniqueName } from './support/clusters.js';
 *   const kc = kubeConfigFor('prod-1');            // admin (system:masters, bypasses RBAC)
 *   const alice = kubeConfigFor('prod-1', 'alice'); // restricted user: no groups, no RBAC grants
 *   const core = kc.makeApiClient(CoreV1Api);
 *   testClusters().kubeconfig                      // merged kubeconfig: contexts <name> and <name>-alice
 *
 * To iterate quickly against clusters you already started with
 * `node bin/kontract.js local-clusters up`, set KONTRACT_TEST_CLUSTERS_DIR to that state
 * directory (e.g. ~/.local/state/kontract/local-clusters): the global setup then reuses them and
 * does not stop them.
 */
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';

export type TestUser = 'admin' | 'alice';

export interface TestCluster {
  /** Cluster name, e.g. `prod-1`; also the admin context name. */
  readonly name: string;
  /** Admin context in the merged kubeconfig (`<name>`). */
  readonly context: string;
  /** Restricted context in the merged kubeconfig (`<name>-alice`). */
  readonly restrictedContext: string;
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** PEM file of the apiserver's self-signed CA. */
  readonly caFile: string;
  /** Bearer token of `admin` (group system:masters). */
  readonly adminToken: string;
  /** Bearer token of `alice` (no groups). */
  readonly restrictedToken: string;
  /** Per-cluster kubeconfig (contexts `<name>` and `<name>-alice`). */
  readonly kubeconfig: string;
}

export interface TestClusters {
  /** Merged kubeconfig with every cluster's two contexts. */
  readonly kubeconfig: string;
  /** State directory (state.json, logs). */
  readonly dir: string;
  /** Directory with etcd, kube-apiserver, kube-controller-manager and kubectl. */
  readonly binDir: string;
  readonly clusters: readonly TestCluster[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    kontractClusters: TestClusters;
  }
}

/** The clusters of this run (provided by the global setup). */
export function testClusters(): TestClusters {
  return inject('kontractClusters');
}

/** One cluster by name; throws when the run has no such cluster. */
export function testCluster(name: string): TestCluster {
  const c = testClusters().clusters.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no local test cluster named ${name}`);
  return c;
}

/** A client-node KubeConfig for one cluster and user (admin by default). */
export function kubeConfigFor(name: string, user: TestUser = 'admin'): KubeConfig {
  const c = testCluster(name);
  const kc = new KubeConfig();
  kc.loadFromFile(testClusters().kubeconfig);
  kc.setCurrentContext(user === 'admin' ? c.context : c.restrictedContext);
  return kc;
}

/** A DNS-label name unique to this run, e.g. `uniqueName('ns')` → `ns-3f9a1c2e`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
