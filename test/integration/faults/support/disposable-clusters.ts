/**
 * Disposable local clusters for destructive fault cases: each call starts its OWN etcd and
 * kube-apiserver(s) (src/local-cluster) in a temporary state directory, so killing or pausing them
 * never disturbs the shared prod-1/prod-2/dev-1 of the other test files. `stop()` removes them.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reporter } from '../../../../src/core/reporter.js';
import {
  killLocalClustersNow, readState, restartApiserver, startLocalClusters, stopLocalClusters,
} from '../../../../src/local-cluster/index.js';
import type { LocalClusterInfo, LocalClustersState } from '../../../../src/local-cluster/index.js';
import { testClusters } from '../../support/clusters.js';

/** Harness messages of warn/error level only (the suite's output stays readable). */
export const harnessReporter: Reporter = {
  log(level, message) {
    if (level === 'warn' || level === 'error') process.stderr.write(`[fault-clusters] ${level} ${message}\n`);
  },
  result: () => undefined,
};

export interface DisposableClusters {
  readonly dir: string;
  state(): LocalClustersState;
  cluster(name: string): LocalClusterInfo;
  /** SIGKILL of one cluster's kube-apiserver (no shutdown, no drain). */
  killApiserver(name: string): void;
  /** Starts the killed apiserver again (same port, certificates, tokens) and waits for /readyz. */
  restartApiserver(name: string): Promise<void>;
  /** SIGSTOP / SIGCONT of the etcd behind these clusters. */
  pauseEtcd(): void;
  resumeEtcd(): void;
  stop(): Promise<void>;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  process.kill(pid, sig);
}

export async function startDisposableClusters(names: readonly string[]): Promise<DisposableClusters> {
  const dir = mkdtempSync(join(tmpdir(), 'kontract-faults-'));
  const started = await startLocalClusters({ dir, names, binDir: testClusters().binDir, reporter: harnessReporter });
  let state = started;
  const onExit = (): void => { killLocalClustersNow(readState(dir) ?? state); };
  process.once('exit', onExit);
  const cluster = (name: string): LocalClusterInfo => {
    const c = state.clusters.find((x) => x.name === name);
    if (c === undefined) throw new Error(`no disposable cluster ${name}`);
    return c;
  };
  return {
    dir,
    state: () => state,
    cluster,
    killApiserver(name) { signal(cluster(name).apiserver.pid, 'SIGKILL'); },
    async restartApiserver(name) { state = await restartApiserver(dir, name, harnessReporter); },
    pauseEtcd() { signal(state.etcd.pid, 'SIGSTOP'); },
    resumeEtcd() { signal(state.etcd.pid, 'SIGCONT'); },
    async stop() {
      process.off('exit', onExit);
      try { signal(state.etcd.pid, 'SIGCONT'); } catch { /* gone */ }
      await stopLocalClusters(dir, harnessReporter, 5000);
    },
  };
}

/** The PEM CA and the serving key pair of a local apiserver (a TLS-terminating test proxy presents the same certificate). */
export function servingCertificate(c: Pick<LocalClusterInfo, 'caFile'>): { cert: string; key: string } {
  return { cert: readFileSync(c.caFile, 'utf8'), key: readFileSync(c.caFile.replace(/\.crt$/, '.key'), 'utf8') };
}
