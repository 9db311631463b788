/**
 * Interrupted and overlapping runs on a disposable cluster: SIGTERM during a wet run (a cron job
 * stopped), SIGKILL of kontract itself (a job killed hard), and two overlapping wet runs of the
 * same integration against the same cluster (the run Lease).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namespaceCount, ownedNamespaces } from './support/cluster-state.js';
import { servingCertificate } from './support/disposable-clusters.js';
import { useFaultCase } from './support/fault-case.js';
import { startHttpFaultProxy } from './support/http-fault-proxy.js';
import type { HttpFaultProxy } from './support/http-fault-proxy.js';
import { namespaceSet, summary, writeAppInterface } from './support/kontract.js';
import type { NamespaceEntry, RunningKontract } from './support/kontract.js';
import { deleteLease, refusedLease } from './support/lease.js';
import { requestsSent } from './support/metrics.js';
import { waitFor } from './support/net.js';

const CLUSTER = 'fault-int';

describe('interrupted and overlapping runs (disposable cluster)', () => {
  let proxy: HttpFaultProxy;
  const fc = useFaultCase({
    name: 'int', clusters: [CLUSTER],
    async setup(f) {
      const c = f.clusters.cluster(CLUSTER);
      proxy = await startHttpFaultProxy({ upstreamPort: c.port, ...servingCertificate(c) });
    },
    teardown: async () => { await proxy?.close(); },
  });
  let desired: NamespaceEntry[] = [];

  /** Adds namespaces to the desired set; the cluster is reached directly or through the fault proxy. */
  const add = (prefix: string, count: number, viaProxy = false): void => {
    const c = fc.clusters.cluster(CLUSTER);
    desired = [...desired, ...namespaceSet(CLUSTER, prefix, count)];
    const server = viaProxy ? `https://127.0.0.1:${proxy.port}` : c.server;
    writeAppInterface(fc.dir, [{ name: CLUSTER, server, caFile: c.caFile, tokenFile: fc.tokenFile(c) }], desired);
  };
  const whenCreated = async (run: RunningKontract, n: number, before: number): Promise<void> => {
    await waitFor(`${n} namespaces created`, 120_000, async () => { run.assertRunning(); return (await namespaceCount(fc.kc)) >= before + n; });
  };
  const checkConverged = (): Promise<{ lost: number; touched: number }> => fc.checkConverged(desired.map((n) => n.name));

  it('SIGTERM during a wet run: writes stop, exactly what was reported applied exists, exit 143; the next run converges', async () => {
    add('term', 500);
    const before = await namespaceCount(fc.kc);
    // two requests in flight: the run is still writing when the signal comes, on a fast machine too
    const run = fc.start(['--concurrency', '2']);
    await whenCreated(run, 100, before);
    run.child.kill('SIGTERM');
    const signalled = Date.now();
    const faulted = await run.done;
    const stopSeconds = (Date.now() - signalled) / 1000;
    expect(faulted.code, faulted.stderr.slice(-2000)).toBe(143);
    // the grace period for requests in flight is 10 s
    expect(stopSeconds).toBeLessThan(12);
    const line = /Apply: applied (\d+), failed 0, not sent (\d+), interrupted by SIGTERM/.exec(faulted.stdout);
    expect(line, faulted.stdout.slice(-2000)).not.toBeNull();
    const [applied, notSent] = [Number(line?.[1]), Number(line?.[2])];
    expect(applied + notSent).toBe(500);
    expect(notSent).toBeGreaterThan(0);
    expect((await ownedNamespaces(fc.kc)).filter((n) => n.startsWith('term-'))).toHaveLength(applied);
    const next = await fc.run();
    expect(next.code, summary(next)).toBe(0);
    const conv = await checkConverged();
    fc.report.add({
      fault: 'SIGTERM at 20 % of a 500-namespace wet run (--concurrency 2)',
      kontract: `${summary(faulted)}; stopped ${stopSeconds.toFixed(1)} s after the signal; the plan lists the ${notSent} not sent; the Lease was released (the next run was not refused)`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds, convergeSeconds: next.seconds,
    });
  }, 300_000);

  it('SIGKILL of kontract during a wet run: nothing half-applied; its Lease refuses the next run until it expires or is deleted', async () => {
    add('killed', 500);
    const before = await namespaceCount(fc.kc);
    // two requests in flight: the run is still writing when the signal comes, on a fast machine too
    const run = fc.start(['--concurrency', '2']);
    await whenCreated(run, 100, before);
    run.child.kill('SIGKILL');
    const faulted = await run.done;
    expect(faulted.signal).toBe('SIGKILL');
    // every namespace that exists carries kontract's marks: each apply is one whole request
    const owned = (await ownedNamespaces(fc.kc)).filter((n) => n.startsWith('killed-'));
    expect(owned.length).toBeGreaterThanOrEqual(100);
    expect((await namespaceCount(fc.kc)) - before).toBe(owned.length);
    const locked = await fc.run();
    expect(locked.code).toBe(1);
    const lease = refusedLease(locked);
    expect(lease, locked.stderr).toBeDefined();
    expect(lease?.validSeconds).toBeLessThanOrEqual(60);
    if (lease !== undefined) await deleteLease(fc.kc, lease);
    const next = await fc.run();
    expect(next.code, summary(next)).toBe(0);
    const conv = await checkConverged();
    fc.report.add({
      fault: 'SIGKILL of kontract at 20 % of a 500-namespace wet run (--concurrency 2)',
      kontract: `killed after ${owned.length} creates, each complete (owned, marked); the next run was refused (E_LOCKED, Lease valid ${String(lease?.validSeconds)} s more); after deleting the Lease it converged`,
      lost: conv.lost, unownedTouched: conv.touched, exit: 'SIGKILL', faultRunSeconds: faulted.seconds, convergeSeconds: next.seconds,
    });
  }, 300_000);

  it('two overlapping wet runs: the second is refused (E_LOCKED) without a write; with --wait-for-lock a third waits and then has nothing to do', async () => {
    // through the fault proxy holding every request 20 ms: the first run takes at least 6 s
    add('overlap', 300, true);
    proxy.setDelay(20);
    const before = await namespaceCount(fc.kc);
    const first = fc.start(['--concurrency', '1', '--metrics-file', join(fc.dir, 'first.prom')]);
    await whenCreated(first, 1, before);
    // both started while the first holds the Lease and is applying
    const secondRun = fc.start(['--metrics-file', join(fc.dir, 'second.prom')]);
    const waiting = fc.start(['--wait-for-lock', '120s', '--metrics-file', join(fc.dir, 'third.prom')]);
    const [firstDone, second, third] = await Promise.all([first.done, secondRun.done, waiting.done]);
    proxy.setDelay(0);
    expect(second.code, second.stderr).toBe(1);
    expect(refusedLease(second)).toBeDefined();
    expect(requestsSent(join(fc.dir, 'second.prom'), { verb: 'apply' })).toBe(0);
    expect(firstDone.code, summary(firstDone)).toBe(0);
    expect(requestsSent(join(fc.dir, 'first.prom'), { verb: 'apply' })).toBe(300);
    expect(third.code, summary(third)).toBe(0);
    expect(third.logs.some((l) => /is held by .*; waiting up to 120 s/.test(l.msg)), third.stderr).toBe(true);
    expect(requestsSent(join(fc.dir, 'third.prom'), { verb: 'apply' })).toBe(0);
    const conv = await checkConverged();
    fc.report.add({
      fault: 'a second and a third wet run started while a 300-namespace wet run (--concurrency 1, each request held 20 ms by the fault proxy) is applying',
      kontract: `first: ${summary(firstDone)}; second: refused at once (E_LOCKED), 0 writes, exit ${String(second.code)}; third (--wait-for-lock 120s): waited for the first, then 0 writes, exit ${String(third.code)}`,
      lost: conv.lost, unownedTouched: conv.touched, exit: `${String(firstDone.code)} / ${String(second.code)} / ${String(third.code)}`, faultRunSeconds: firstDone.seconds,
    });
  }, 300_000);
});
