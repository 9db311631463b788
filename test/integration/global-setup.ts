/**
 * vitest globalSetup of the integration suite: builds or reuses the Kubernetes binaries, starts
 * the local clusters prod-1, prod-2 and dev-1 in a temporary state directory once per run,
 * provides them to test files (see support/clusters.ts) and stops them afterwards.
 * With KONTRACT_TEST_CLUSTERS_DIR set, reuses the running clusters recorded there instead.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import type { Reporter } from '../../src/core/reporter.js';
import {
  allRunning, killLocalClustersNow, readState, resolveBinDir, startLocalClusters, stopLocalClusters,
} from '../../src/local-cluster/index.js';
import type { LocalClustersState } from '../../src/local-cluster/index.js';
import type { TestClusters } from './support/clusters.js';

const NAMES = ['prod-1', 'prod-2', 'dev-1'];

const reporter: Reporter = {
  log(level, message, fields) {
    const extra = fields === undefined ? '' : Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}=${String(v)}`).join('');
    process.stderr.write(`[local-clusters] ${level} ${message}${extra}\n`);
  },
  result(text) {
    process.stderr.write(`${text}\n`);
  },
};

function toTestClusters(state: LocalClustersState): TestClusters {
  return {
    kubeconfig: state.kubeconfig,
    dir: state.dir,
    binDir: state.binDir,
    clusters: state.clusters.map((c) => ({
      name: c.name, context: c.context, restrictedContext: c.restrictedContext, server: c.server, caFile: c.caFile,
      adminToken: c.adminToken, restrictedToken: c.restrictedToken, kubeconfig: c.kubeconfig,
    })),
  };
}

export async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const reuseDir = process.env.KONTRACT_TEST_CLUSTERS_DIR;
  if (reuseDir !== undefined && reuseDir !== '') {
    const existing = readState(reuseDir);
    if (existing === undefined || !allRunning(existing)) {
      throw new Error(`KONTRACT_TEST_CLUSTERS_DIR=${reuseDir} holds no running local clusters (run: node bin/kontract.js local-clusters up --dir ${reuseDir})`);
    }
    const missing = NAMES.filter((n) => !existing.clusters.some((c) => c.name === n));
    if (missing.length > 0) throw new Error(`KONTRACT_TEST_CLUSTERS_DIR=${reuseDir} lacks cluster(s) ${missing.join(', ')}`);
    reporter.log('info', `reusing the running clusters in ${reuseDir} (not stopped afterwards)`);
    project.provide('kontractClusters', toTestClusters(existing));
    return undefined;
  }

  const binDir = await resolveBinDir({ reporter, binDir: process.env.K8S_BIN_DIR, env: process.env });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kontract-it-'));
  const state = await startLocalClusters({ dir, names: NAMES, binDir, reporter });
  // if vitest dies without running the teardown, do not leave servers behind
  const onExit = (): void => { killLocalClustersNow(state); };
  process.once('exit', onExit);
  project.provide('kontractClusters', toTestClusters(state));
  return async () => {
    process.off('exit', onExit);
    await stopLocalClusters(dir, reporter, 5000);
  };
}
