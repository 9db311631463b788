/**
 * Fault injection on the control plane itself, on a disposable cluster (its own etcd, apiserver and
 * controller manager; the shared test clusters are not touched): the kube-apiserver SIGKILLed in
 * the middle of a wet run of 2,000 objects, and etcd paused (SIGSTOP) for 10 s during a run.
 * Each case runs the real CLI, then checks the cluster: every desired object exactly once, no
 * unowned object changed, and a final dry-run with nothing left to do.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKubeConfig, convergence, createUnowned, namespaceCount, settledConvergence, unownedTouched } from './support/cluster-state.js';
import type { Unowned } from './support/cluster-state.js';
import { startDisposableClusters } from './support/disposable-clusters.js';
import type { DisposableClusters } from './support/disposable-clusters.js';
import { assertBuilt, kontract, namespaceSet, present, startKontract, summary, writeAppInterface } from './support/kontract.js';
import type { NamespaceEntry } from './support/kontract.js';
import { deleteLease, refusedLease } from './support/lease.js';
import { requestsSent } from './support/metrics.js';
import { sleep, waitFor } from './support/net.js';
import { FaultReport } from './support/report.js';

const CLUSTER = 'fault-cp';

describe('control-plane faults (disposable cluster)', () => {
  const report = new FaultReport();
  let clusters: DisposableClusters;
  let kc: KubeConfig;
  let dir = '';
  let unowned: Unowned;
  let desired: NamespaceEntry[] = [];

  const write = (ns: readonly NamespaceEntry[]): void => {
    const c = clusters.cluster(CLUSTER);
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${c.adminToken}\n`);
    chmodSync(tokenFile, 0o600);
    writeAppInterface(dir, [{ name: CLUSTER, server: c.server, caFile: c.caFile, tokenFile }], ns);
    desired = [...ns];
  };

  /** After the fault: a clean run converges, then a dry-run has nothing to do. */
  const converge = async (args: readonly string[] = []): Promise<{ seconds: number; lost: number; touched: number }> => {
    const next = await kontract(dir, args);
    expect(next.code, summary(next)).toBe(0);
    const state = await settledConvergence(kc, present(desired));
    expect(state).toEqual({ missing: [], extra: [], duplicates: [] });
    const touched = await unownedTouched(kc, unowned);
    expect(touched).toEqual([]);
    const dry = await kontract(dir, ['--dry-run', '--detailed-exitcode']);
    expect(dry.code, summary(dry)).toBe(0);
    return { seconds: next.seconds, lost: state.missing.length, touched: touched.length };
  };

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'kontract-faults-cp-'));
    clusters = await startDisposableClusters([CLUSTER]);
    kc = adminKubeConfig(clusters.cluster(CLUSTER));
    unowned = await createUnowned(kc, 'unowned', 10);
  }, 300_000);

  afterAll(async () => {
    report.flush();
    await clusters?.stop();
  });

  it('kube-apiserver SIGKILLed at 20 % of a 2,000-object wet run: the cluster is given up within seconds, no deletion is sent; after a restart the next run converges, nothing unowned touched, no duplicates', async () => {
    write(namespaceSet(CLUSTER, 'kill', 5));
    expect((await kontract(dir)).code).toBe(0);
    // 2,000 creates plus the 5 namespaces above to delete (delete: true) in the same run
    write([...desired.map((n) => ({ ...n, delete: true })), ...namespaceSet(CLUSTER, 'kill', 2005).slice(5)]);
    const doomed = desired.filter((n) => n.delete === true).map((n) => n.name);
    const before = await namespaceCount(kc);
    const run = startKontract(dir);
    await waitFor('20 % of the objects created', 120_000, async () => { run.assertRunning(); return (await namespaceCount(kc)) >= before + 400; });
    clusters.killApiserver(CLUSTER);
    const killedAt = Date.now();
    const faulted = await run.done;
    const exitAfter = (Date.now() - killedAt) / 1000;
    expect(faulted.code, summary(faulted)).toBe(1);
    expect(exitAfter).toBeLessThan(30);
    const given = new RegExp(`cluster ${CLUSTER} given up \\((.*)\\): (\\d+) not sent`).exec(faulted.stdout);
    expect(given, faulted.stdout.slice(-2000)).not.toBeNull();
    const notSent = Number(given?.[2]);
    expect(notSent).toBeGreaterThan(0);
    await clusters.restartApiserver(CLUSTER);
    // nothing was deleted by the failed run
    const owned = await convergence(kc, []);
    expect(doomed.filter((n) => !owned.extra.includes(n))).toEqual([]);
    // The killed run's Lease could not be released: the next run is refused until it expires
    // (60 s after its last renewal) or an operator deletes it.
    const locked = await kontract(dir);
    expect(locked.code).toBe(1);
    const lease = refusedLease(locked);
    expect(lease, locked.stderr).toBeDefined();
    expect(lease?.validSeconds).toBeLessThanOrEqual(60);
    if (lease !== undefined) await deleteLease(kc, lease);
    const conv = await converge();
    report.add({
      fault: 'kube-apiserver SIGKILLed at 20 % of a wet run of 2,000 creates + 5 deletions; restarted after kontract exited',
      kontract: `${summary(faulted)}; exited ${exitAfter.toFixed(1)} s after the kill: cluster given up (${given?.[1] ?? ''}), ${notSent} change(s) not sent, no deletion sent. The next run was refused (E_LOCKED: the dead run's Lease, valid ${String(lease?.validSeconds)} s more); after deleting the Lease it converged`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds, convergeSeconds: conv.seconds,
    });
  }, 600_000);

  it('etcd paused (SIGSTOP) for 10 s during a wet run: requests wait or retry, nothing corrupt', async () => {
    write([...desired, ...namespaceSet(CLUSTER, 'pause', 600)]);
    const before = await namespaceCount(kc);
    const metrics = join(dir, 'pause.prom');
    // two requests in flight: the run is still writing when etcd stops, on a fast machine too
    const run = startKontract(dir, ['--metrics-file', metrics, '--concurrency', '2']);
    await waitFor('the first objects created', 120_000, async () => { run.assertRunning(); return (await namespaceCount(kc)) >= before + 20; });
    clusters.pauseEtcd();
    await sleep(10_000);
    clusters.resumeEtcd();
    const faulted = await run.done;
    expect(faulted.code, summary(faulted)).toBe(0);
    expect(faulted.seconds).toBeGreaterThan(10);
    const applies = requestsSent(metrics, { verb: 'apply' });
    const conv = await converge();
    report.add({
      fault: 'etcd SIGSTOPped for 10 s during a 600-namespace wet run (--concurrency 2)',
      kontract: `${summary(faulted)}; ${applies} apply requests for 600 creates`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds, convergeSeconds: conv.seconds,
    });
  }, 300_000);
});
