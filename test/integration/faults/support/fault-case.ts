/**
 * The set-up every fault test file shares: a temporary app-interface directory, its own disposable
 * clusters (disposable-clusters.ts), 10 namespaces kontract must leave alone on the first cluster,
 * the file's rows of the fault table, and the after-the-fault check (nothing lost, extra or
 * duplicated, nothing unowned touched, a dry-run with nothing left to do).
 *
 * Usage (inside a describe):
 *   const fc = useFaultCase({ name: 'cp', clusters: ['fault-cp'] });
 *   writeAppInterface(fc.dir, [{ name, server, caFile, tokenFile: fc.tokenFile(c) }], desired);
 *   const run = await fc.run(['--concurrency', '2']);
 *   const { lost, touched } = await fc.checkConverged(present(desired));
 *
 * kontract runs with `--allow-path` for the disposable clusters' directory: the cluster datafiles
 * name the apiservers' CA files there (outside the app-interface), as an operator allows a
 * directory of credentials the runner holds. Token files are written inside the app-interface.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect } from 'vitest';
import type { LocalClusterInfo } from '../../../../src/local-cluster/index.js';
import { adminKubeConfig, convergence, createUnowned, settledConvergence, unownedTouched } from './cluster-state.js';
import type { Unowned } from './cluster-state.js';
import { startDisposableClusters } from './disposable-clusters.js';
import type { DisposableClusters } from './disposable-clusters.js';
import { assertBuilt, startKontract, summary } from './kontract.js';
import type { CliRun, RunningKontract } from './kontract.js';
import { FaultReport } from './report.js';

export interface FaultCaseOptions {
  /** Part of the temporary directory's name. */
  readonly name: string;
  /** The disposable clusters to start; the first one holds the unowned namespaces (`kc`). */
  readonly clusters: readonly string[];
  /** More set-up once the clusters run (a proxy in front of one …). */
  readonly setup?: (fc: FaultCase) => Promise<void>;
  /** Undoes `setup`, before the clusters stop. */
  readonly teardown?: () => Promise<void>;
}

export interface FaultCase {
  /** The app-interface directory kontract runs on. */
  readonly dir: string;
  readonly clusters: DisposableClusters;
  /** Admin of the first cluster. */
  readonly kc: KubeConfig;
  readonly unowned: Unowned;
  readonly report: FaultReport;
  /** Writes the cluster's admin token to `<dir>/<name>.token` (mode 600) and returns the path. */
  tokenFile(c: LocalClusterInfo): string;
  /** `kontract <integrations> --app-interface dir …args` (integrations: `namespaces` unless args start with others). */
  run(args?: readonly string[]): Promise<CliRun>;
  start(args?: readonly string[]): RunningKontract;
  /**
   * Every desired namespace exactly once and none extra (with `settle`, polled until deleted
   * namespaces are finalised), nothing unowned touched, and a dry-run with nothing to do.
   */
  checkConverged(desired: readonly string[], opts?: { readonly settle?: boolean }): Promise<{ lost: number; touched: number }>;
}

export function useFaultCase(opts: FaultCaseOptions): FaultCase {
  const report = new FaultReport();
  let dir = '';
  let clusters: DisposableClusters | undefined;
  let kc: KubeConfig | undefined;
  let unowned: Unowned | undefined;
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`fault case ${opts.name}: ${what} used before beforeAll`);
    return v;
  };
  const withAllow = (args: readonly string[]): string[] => [...args, '--allow-path', need(clusters, 'clusters').dir];
  const fc: FaultCase = {
    get dir() { return dir; },
    get clusters() { return need(clusters, 'clusters'); },
    get kc() { return need(kc, 'kc'); },
    get unowned() { return need(unowned, 'unowned'); },
    report,
    tokenFile(c) {
      const f = join(dir, `${c.name}.token`);
      writeFileSync(f, `${c.adminToken}\n`);
      chmodSync(f, 0o600);
      return f;
    },
    start: (args = []) => startKontract(dir, withAllow(args)),
    run: (args = []) => startKontract(dir, withAllow(args)).done,
    async checkConverged(desired, check = {}) {
      const state = check.settle === true ? await settledConvergence(fc.kc, desired) : await convergence(fc.kc, desired);
      expect(state).toEqual({ missing: [], extra: [], duplicates: [] });
      const touched = await unownedTouched(fc.kc, fc.unowned);
      expect(touched).toEqual([]);
      const dry = await fc.run(['--dry-run', '--detailed-exitcode']);
      expect(dry.code, summary(dry)).toBe(0);
      return { lost: state.missing.length, touched: touched.length };
    },
  };

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), `kontract-faults-${opts.name}-`));
    clusters = await startDisposableClusters(opts.clusters);
    kc = adminKubeConfig(clusters.cluster(opts.clusters[0] ?? ''));
    unowned = await createUnowned(kc, 'unowned', 10);
    await opts.setup?.(fc);
  }, 300_000);

  afterAll(async () => {
    report.flush();
    await opts.teardown?.();
    await clusters?.stop();
  });

  return fc;
}
