/** Public surface of the local control plane harness (see docs/local-control-plane.md). */
export * from './types.js';
export { renderKubeconfig, renderTokensCsv, validateClusterNames, etcdPrefix, restrictedContextName } from './render.js';
export { resolveBinDir, hasBinaries, repoRoot, REQUIRED_BINARIES } from './binaries.js';
export {
  defaultStateDir, readState, startLocalClusters, stopLocalClusters, ensureLocalClusters, clusterStatuses,
  killLocalClustersNow, allRunning, restartApiserver, STATE_FILE,
} from './control-plane.js';
export type { StartOptions, StopResult, ClusterStatus, EnsureResult } from './control-plane.js';
export { installCrds, expandCrdPaths, endpointFromKubeconfig, CRD_FIELD_MANAGER } from './crds.js';
export type { InstallCrdsOptions } from './crds.js';
