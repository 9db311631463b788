/**
 * Network faults between kontract and an apiserver, on disposable clusters: a real TCP fault proxy
 * (toxiproxy, built from Go modules by scripts/build-toxiproxy.sh) adds latency, resets connections
 * and limits bandwidth; then two of four clusters are unreachable (one refusing connections, one
 * black-holed so that connects time out) while the others must converge.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalClusterInfo } from '../../../src/local-cluster/index.js';
import { adminKubeConfig, convergence, createUnowned, namespaceCount, unownedTouched } from './support/cluster-state.js';
import type { Unowned } from './support/cluster-state.js';
import { startDisposableClusters } from './support/disposable-clusters.js';
import type { DisposableClusters } from './support/disposable-clusters.js';
import { assertBuilt, kontract, namespaceSet, startKontract, summary, writeAppInterface } from './support/kontract.js';
import type { AppInterfaceCluster, CliRun, NamespaceEntry } from './support/kontract.js';
import { blackHole, connectOutcome, freePort, sleep, waitFor } from './support/net.js';
import { refusedLease } from './support/lease.js';
import { requestsSent } from './support/metrics.js';
import { FaultReport } from './support/report.js';
import { startToxiproxy } from './support/toxiproxy.js';
import type { Toxiproxy, ToxicSpec } from './support/toxiproxy.js';

const A = 'fault-net-a';
const B = 'fault-net-b';
const PROXY = 'apiserver-a';

describe('network faults (disposable clusters, toxiproxy)', () => {
  const report = new FaultReport();
  let clusters: DisposableClusters;
  let toxiproxy: Toxiproxy;
  let proxyPort = 0;
  let kc: KubeConfig;
  let dir = '';
  let unowned: Unowned;
  let desired: NamespaceEntry[] = [];

  const tokenFile = (c: LocalClusterInfo): string => {
    const f = join(dir, `${c.name}.token`);
    writeFileSync(f, `${c.adminToken}\n`);
    chmodSync(f, 0o600);
    return f;
  };
  /** Cluster A reached through toxiproxy. */
  const proxied = (): AppInterfaceCluster => {
    const c = clusters.cluster(A);
    return { name: A, server: `https://127.0.0.1:${proxyPort}`, caFile: c.caFile, tokenFile: tokenFile(c) };
  };

  /** A wet run creating `count` namespaces through the proxy with `toxic` active for the whole run. */
  const withToxic = async (toxic: ToxicSpec, prefix: string, count: number, fault: string): Promise<{ run: CliRun; sent: number }> => {
    desired = [...desired, ...namespaceSet(A, prefix, count)];
    writeAppInterface(dir, [proxied()], desired);
    const metrics = join(dir, `${prefix}.prom`);
    let faulted: CliRun;
    await toxiproxy.addToxic(PROXY, toxic);
    try {
      faulted = await kontract(dir, ['--metrics-file', metrics]);
    } finally {
      await toxiproxy.removeToxic(PROXY, toxic.name);
    }
    expect(faulted.code, `${summary(faulted)}\n${faulted.stderr.slice(-2000)}`).toBe(0);
    const state = await convergence(kc, desired.map((n) => n.name));
    expect(state).toEqual({ missing: [], extra: [], duplicates: [] });
    const touched = await unownedTouched(kc, unowned);
    expect(touched).toEqual([]);
    const dry = await kontract(dir, ['--dry-run', '--detailed-exitcode']);
    expect(dry.code, summary(dry)).toBe(0);
    const sent = requestsSent(metrics);
    report.add({
      fault, kontract: `${summary(faulted)}; ${sent} requests sent (retries included)`,
      lost: state.missing.length, unownedTouched: touched.length, exit: String(faulted.code), faultRunSeconds: faulted.seconds,
    });
    return { run: faulted, sent };
  };

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'kontract-faults-net-'));
    clusters = await startDisposableClusters([A, B]);
    kc = adminKubeConfig(clusters.cluster(A));
    unowned = await createUnowned(kc, 'unowned', 10);
    toxiproxy = await startToxiproxy(join(dir, 'toxiproxy.log'));
    proxyPort = await toxiproxy.createProxy(PROXY, clusters.cluster(A).port);
  }, 300_000);

  afterAll(async () => {
    report.flush();
    await toxiproxy?.stop();
    await clusters?.stop();
  });

  it('latency: 200 ms added to every response; the run converges, only slower', async () => {
    const { run } = await withToxic({ name: 'latency', type: 'latency', stream: 'downstream', attributes: { latency: 200, jitter: 50 } },
      'lat', 200, 'toxiproxy latency 200 ± 50 ms on every response, 200-namespace wet run');
    // 200 writes, 10 in flight, ≥ 150 ms each
    expect(run.seconds).toBeGreaterThan(3);
  }, 300_000);

  it('connection resets: for 1 s in the middle of a run every connection is reset (RST) at its next byte; the retries absorb it, nothing is given up, the run converges', async () => {
    desired = [...desired, ...namespaceSet(A, 'rst', 600)];
    writeAppInterface(dir, [proxied()], desired);
    const metrics = join(dir, 'rst.prom');
    const before = await namespaceCount(kc);
    const run = startKontract(dir, ['--metrics-file', metrics]);
    await waitFor('the first 20 namespaces created', 60_000, async () => { run.assertRunning(); return (await namespaceCount(kc)) >= before + 20; });
    await toxiproxy.addToxic(PROXY, { name: 'reset', type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } });
    await sleep(1000);
    await toxiproxy.removeToxic(PROXY, 'reset');
    const faulted = await run.done;
    const sent = requestsSent(metrics);
    // more requests than one LIST and one apply per applied change: the resets cut some
    const applied = Number(/^(\d+) change\(s\) applied/.exec(summary(faulted))?.[1]);
    expect(sent).toBeGreaterThan(applied + 1);
    // Only a request that failed after its retries counts toward the give-up: the retries carry
    // every cut request through, nothing is given up and the run itself converges.
    expect(faulted.code, `${summary(faulted)}\n${faulted.stderr.slice(-2000)}`).toBe(0);
    expect(faulted.stdout).not.toMatch(/given up/);
    const next = await kontract(dir);
    expect(refusedLease(next)).toBeUndefined();
    expect(next.code, summary(next)).toBe(0);
    const state = await convergence(kc, desired.map((n) => n.name));
    expect(state).toEqual({ missing: [], extra: [], duplicates: [] });
    const touched = await unownedTouched(kc, unowned);
    expect(touched).toEqual([]);
    const dry = await kontract(dir, ['--dry-run', '--detailed-exitcode']);
    expect(dry.code, summary(dry)).toBe(0);
    const how = 'every cut request was retried on a new connection, nothing was given up and the run completed';
    report.add({
      fault: 'toxiproxy reset_peer for 1 s in the middle of a 600-namespace wet run: every connection reset (RST) at its next byte',
      kontract: `${summary(faulted)}; ${sent} requests sent (retries included); ${how}`,
      lost: state.missing.length, unownedTouched: touched.length, exit: String(faulted.code), faultRunSeconds: faulted.seconds, convergeSeconds: next.seconds,
    });
  }, 300_000);

  it('bandwidth limited to 64 KB/s from the apiserver; the run converges, only slower', async () => {
    const { run } = await withToxic({ name: 'bandwidth', type: 'bandwidth', stream: 'downstream', attributes: { rate: 64 } },
      'bw', 100, 'toxiproxy bandwidth 64 KB/s from the apiserver, 100-namespace wet run');
    // the LIST of the 500 namespaces already there alone is more than 200 KB
    expect(run.seconds).toBeGreaterThan(3);
  }, 300_000);

  it('two of four clusters unreachable, one refusing connections and one black-holed (connects time out): each is given up alone, the reachable ones converge in the same run within --cluster-timeout', async () => {
    const hole = await blackHole();
    try {
      // the black hole really drops connects
      expect(await connectOutcome(hole.port, 1500)).toBe('pending');
      const a = clusters.cluster(A);
      const b = clusters.cluster(B);
      const refusedPort = await freePort();
      const defs: AppInterfaceCluster[] = [
        { name: A, server: a.server, caFile: a.caFile, tokenFile: tokenFile(a) },
        { name: B, server: b.server, caFile: b.caFile, tokenFile: tokenFile(b) },
        { name: 'refusing', server: `https://127.0.0.1:${refusedPort}`, caFile: a.caFile, tokenFile: tokenFile(a) },
        { name: 'black-holed', server: `https://127.0.0.1:${hole.port}`, caFile: a.caFile, tokenFile: tokenFile(a) },
      ];
      const fresh = defs.flatMap((d) => namespaceSet(d.name, `unr-${d.name}`, 20));
      writeAppInterface(dir, defs, [...desired, ...fresh]);
      const timeout = 10;
      const faulted = await kontract(dir, ['--cluster-timeout', String(timeout)]);
      expect(faulted.code, summary(faulted)).toBe(1);
      // kontract's own start-up included: bounded by --cluster-timeout, not by the black hole
      expect(faulted.seconds).toBeLessThan(timeout + 3);
      const errorsOf = (cluster: string): string[] => faulted.logs.filter((l) => l.level === 'error' && l.cluster === cluster).map((l) => l.msg);
      expect(errorsOf('refusing').join('\n')).toContain('ECONNREFUSED');
      expect(errorsOf('black-holed').length).toBeGreaterThan(0);
      // The reachable clusters take their Leases and are read at once, whatever the others do:
      // both converge in this run; nothing unowned touched.
      const outcome: string[] = [];
      for (const c of [a, b]) {
        const mine = fresh.filter((n) => n.cluster === c.name).map((n) => n.name);
        const old = c.name === A ? desired.map((n) => n.name) : [];
        const state = await convergence(adminKubeConfig(c), [...old, ...mine]);
        expect(state).toEqual({ missing: [], extra: [], duplicates: [] });
        expect(errorsOf(c.name)).toEqual([]);
        outcome.push(`${c.name} converged`);
      }
      desired = [...desired, ...fresh.filter((n) => n.cluster === A)];
      const touched = await unownedTouched(kc, unowned);
      expect(touched).toEqual([]);
      const errors = ['refusing', 'black-holed'].map((c) => `${c}: ${(errorsOf(c)[0] ?? '').replace(/^cluster \S+: /, '')}`);
      report.add({
        fault: `two of four clusters unreachable: one refusing connections, one black-holed (connect timeout); --cluster-timeout ${timeout}`,
        kontract: `${summary(faulted)}; ${errors.join('; ')}; ${outcome.join(', ')}`,
        lost: 0, unownedTouched: touched.length, exit: String(faulted.code), faultRunSeconds: faulted.seconds,
      });
    } finally {
      await hole.close();
    }
  }, 300_000);
});
