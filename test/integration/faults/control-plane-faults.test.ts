/**
 * Fault injection on the control plane itself, on a disposable cluster (its own etcd, apiserver and
 * controller manager; the shared test clusters are not touched): the kube-apiserver SIGKILLed in
 * the middle of a wet run of 2,000 objects, and etcd paused (SIGSTOP) for 10 s during a run.
 * Each case runs the real CLI, then checks the cluster: every desired object exactly once, no
 * unowned object changed, and a final dry-run with nothing left to do.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convergence, namespaceCount } from './support/cluster-state.js';
import { useFaultCase } from './support/fault-case.js';
import { namespaceSet, present, summary, writeAppInterface } from './support/kontract.js';
import type { NamespaceEntry } from './support/kontract.js';
import { deleteLease, refusedLease } from './support/lease.js';
import { requestsSent } from './support/metrics.js';
import { sleep, waitFor } from './support/net.js';

const CLUSTER = 'fault-cp';
/** --request-timeout of the etcd-pause case: shorter than the pause, so requests in flight time out. */
const PAUSE_REQUEST_TIMEOUT_S = 3;

describe('control-plane faults (disposable cluster)', () => {
  const fc = useFaultCase({ name: 'cp', clusters: [CLUSTER] });
  let desired: NamespaceEntry[] = [];

  const write = (ns: readonly NamespaceEntry[]): void => {
    const c = fc.clusters.cluster(CLUSTER);
    writeAppInterface(fc.dir, [{ name: CLUSTER, server: c.server, caFile: c.caFile, tokenFile: fc.tokenFile(c) }], ns);
    desired = [...ns];
  };

  /** After the fault: a clean run converges, then a dry-run has nothing to do. */
  const converge = async (args: readonly string[] = []): Promise<{ seconds: number; lost: number; touched: number }> => {
    const next = await fc.run(args);
    expect(next.code, summary(next)).toBe(0);
    return { seconds: next.seconds, ...await fc.checkConverged(present(desired), { settle: true }) };
  };

  it('kube-apiserver SIGKILLed at 20 % of a 2,000-object wet run: the cluster is given up within seconds, no deletion is sent; after a restart the next run converges, nothing unowned touched, no duplicates', async () => {
    write(namespaceSet(CLUSTER, 'kill', 5));
    expect((await fc.run()).code).toBe(0);
    // 2,000 creates plus the 5 namespaces above to delete (delete: true) in the same run
    write([...desired.map((n) => ({ ...n, delete: true })), ...namespaceSet(CLUSTER, 'kill', 2005).slice(5)]);
    const doomed = desired.filter((n) => n.delete === true).map((n) => n.name);
    const before = await namespaceCount(fc.kc);
    const run = fc.start();
    await waitFor('20 % of the objects created', 120_000, async () => { run.assertRunning(); return (await namespaceCount(fc.kc)) >= before + 400; });
    fc.clusters.killApiserver(CLUSTER);
    const killedAt = Date.now();
    const faulted = await run.done;
    const exitAfter = (Date.now() - killedAt) / 1000;
    expect(faulted.code, summary(faulted)).toBe(1);
    expect(exitAfter).toBeLessThan(30);
    const given = new RegExp(`cluster ${CLUSTER} given up \\((.*)\\): (\\d+) not sent`).exec(faulted.stdout);
    expect(given, faulted.stdout.slice(-2000)).not.toBeNull();
    const notSent = Number(given?.[2]);
    expect(notSent).toBeGreaterThan(0);
    await fc.clusters.restartApiserver(CLUSTER);
    // nothing was deleted by the failed run
    const owned = await convergence(fc.kc, []);
    expect(doomed.filter((n) => !owned.extra.includes(n))).toEqual([]);
    // The killed run's Lease could not be released: the next run is refused until it expires
    // (60 s after its last renewal) or an operator deletes it.
    const locked = await fc.run();
    expect(locked.code).toBe(1);
    const lease = refusedLease(locked);
    expect(lease, locked.stderr).toBeDefined();
    expect(lease?.validSeconds).toBeLessThanOrEqual(60);
    if (lease !== undefined) await deleteLease(fc.kc, lease);
    const conv = await converge();
    fc.report.add({
      fault: 'kube-apiserver SIGKILLed at 20 % of a wet run of 2,000 creates + 5 deletions; restarted after kontract exited',
      kontract: `${summary(faulted)}; exited ${exitAfter.toFixed(1)} s after the kill: cluster given up (${given?.[1] ?? ''}), ${notSent} change(s) not sent, no deletion sent. The next run was refused (E_LOCKED: the dead run's Lease, valid ${String(lease?.validSeconds)} s more); after deleting the Lease it converged`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds, convergeSeconds: conv.seconds,
    });
  }, 600_000);

  it('etcd paused (SIGSTOP) for 10 s during a wet run with --request-timeout 3s: requests in flight time out and are retried, the run completes, nothing corrupt', async () => {
    write([...desired, ...namespaceSet(CLUSTER, 'pause', 600)]);
    const before = await namespaceCount(fc.kc);
    const metrics = join(fc.dir, 'pause.prom');
    // two requests in flight: the run is still writing when etcd stops, on a fast machine too
    const run = fc.start(['--metrics-file', metrics, '--concurrency', '2', '--request-timeout', `${PAUSE_REQUEST_TIMEOUT_S}s`]);
    await waitFor('the first objects created', 120_000, async () => { run.assertRunning(); return (await namespaceCount(fc.kc)) >= before + 20; });
    fc.clusters.pauseEtcd();
    await sleep(10_000);
    fc.clusters.resumeEtcd();
    const faulted = await run.done;
    expect(faulted.code, `${summary(faulted)}\n${faulted.stderr.slice(-2000)}`).toBe(0);
    expect(faulted.seconds).toBeGreaterThan(10);
    // More apply requests than creates: the attempts in flight during the pause got no answer
    // within the request timeout, were cut and sent again (nothing else fails in this case).
    const applies = requestsSent(metrics, { verb: 'apply' });
    expect(applies).toBeGreaterThan(600);
    expect(faulted.stdout).not.toMatch(/given up/);
    const conv = await converge();
    fc.report.add({
      fault: `etcd SIGSTOPped for 10 s during a 600-namespace wet run (--concurrency 2, --request-timeout ${PAUSE_REQUEST_TIMEOUT_S}s)`,
      kontract: `${summary(faulted)}; ${applies} apply requests for 600 creates: the ${applies - 600} attempts cut after ${PAUSE_REQUEST_TIMEOUT_S} s without an answer were retried, none given up`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds, convergeSeconds: conv.seconds,
    });
  }, 300_000);
});
