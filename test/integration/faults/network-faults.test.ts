/**
 * Network faults between kontract and an apiserver, on disposable clusters: a real TCP fault proxy
 * (toxiproxy, built from Go modules by scripts/build-toxiproxy.sh) adds latency, resets connections
 * and limits bandwidth; then two of four clusters are unreachable (one refusing connections, one
 * black-holed so that connects time out) while the others must converge; last, the `resources`
 * integration, whose kinds are resolved per cluster by API discovery, with a black-holed cluster.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { adminKubeConfig, convergence, namespaceCount, unownedTouched } from './support/cluster-state.js';
import { useFaultCase } from './support/fault-case.js';
import { namespaceSet, summary, writeAppInterface } from './support/kontract.js';
import type { AppInterfaceCluster, CliRun, NamespaceEntry } from './support/kontract.js';
import { blackHole, connectOutcome, freePort, sleep, waitFor } from './support/net.js';
import { refusedLease } from './support/lease.js';
import { requestsSent } from './support/metrics.js';
import { startToxiproxy } from './support/toxiproxy.js';
import type { Toxiproxy, ToxicSpec } from './support/toxiproxy.js';

const A = 'fault-net-a';
const B = 'fault-net-b';
const PROXY = 'apiserver-a';
/** kontract's own run time from its summary (`…; N error(s) in T s`): without node's start-up. */
const ownSeconds = (run: CliRun): number => Number(/ in ([\d.]+) s$/.exec(summary(run))?.[1] ?? 'NaN');
/** DISCOVERY_TIMEOUT_MS of src/reconcile/dynamic-kinds.ts, in seconds. */
const DISCOVERY_TIMEOUT_S = 10;

describe('network faults (disposable clusters, toxiproxy)', () => {
  let toxiproxy: Toxiproxy;
  let proxyPort = 0;
  const fc = useFaultCase({
    name: 'net', clusters: [A, B],
    async setup(f) {
      toxiproxy = await startToxiproxy(join(f.dir, 'toxiproxy.log'));
      proxyPort = await toxiproxy.createProxy(PROXY, f.clusters.cluster(A).port);
    },
    teardown: async () => { await toxiproxy?.stop(); },
  });
  let desired: NamespaceEntry[] = [];

  /** Cluster A reached through toxiproxy. */
  const proxied = (): AppInterfaceCluster => {
    const c = fc.clusters.cluster(A);
    return { name: A, server: `https://127.0.0.1:${proxyPort}`, caFile: c.caFile, tokenFile: fc.tokenFile(c) };
  };

  /** A wet run creating `count` namespaces through the proxy with `toxic` active for the whole run. */
  const withToxic = async (toxic: ToxicSpec, prefix: string, count: number, fault: string): Promise<{ run: CliRun; sent: number }> => {
    desired = [...desired, ...namespaceSet(A, prefix, count)];
    writeAppInterface(fc.dir, [proxied()], desired);
    const metrics = join(fc.dir, `${prefix}.prom`);
    let faulted: CliRun;
    await toxiproxy.addToxic(PROXY, toxic);
    try {
      faulted = await fc.run(['--metrics-file', metrics]);
    } finally {
      await toxiproxy.removeToxic(PROXY, toxic.name);
    }
    expect(faulted.code, `${summary(faulted)}\n${faulted.stderr.slice(-2000)}`).toBe(0);
    const conv = await fc.checkConverged(desired.map((n) => n.name));
    const sent = requestsSent(metrics);
    fc.report.add({
      fault, kontract: `${summary(faulted)}; ${sent} requests sent (retries included)`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds,
    });
    return { run: faulted, sent };
  };

  it('latency: 200 ms added to every response; the run converges, only slower', async () => {
    const { run } = await withToxic({ name: 'latency', type: 'latency', stream: 'downstream', attributes: { latency: 200, jitter: 50 } },
      'lat', 200, 'toxiproxy latency 200 ± 50 ms on every response, 200-namespace wet run');
    // 200 writes, 10 in flight, ≥ 150 ms each
    expect(run.seconds).toBeGreaterThan(3);
  }, 300_000);

  it('connection resets: for 1 s in the middle of a run every connection is reset (RST) at its next byte; the retries absorb it, nothing is given up, the run converges', async () => {
    desired = [...desired, ...namespaceSet(A, 'rst', 600)];
    writeAppInterface(fc.dir, [proxied()], desired);
    const metrics = join(fc.dir, 'rst.prom');
    const before = await namespaceCount(fc.kc);
    const run = fc.start(['--metrics-file', metrics]);
    await waitFor('the first 20 namespaces created', 60_000, async () => { run.assertRunning(); return (await namespaceCount(fc.kc)) >= before + 20; });
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
    const next = await fc.run();
    expect(refusedLease(next)).toBeUndefined();
    expect(next.code, summary(next)).toBe(0);
    const conv = await fc.checkConverged(desired.map((n) => n.name));
    const how = 'every cut request was retried on a new connection, nothing was given up and the run completed';
    fc.report.add({
      fault: 'toxiproxy reset_peer for 1 s in the middle of a 600-namespace wet run: every connection reset (RST) at its next byte',
      kontract: `${summary(faulted)}; ${sent} requests sent (retries included); ${how}`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds, convergeSeconds: next.seconds,
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
      const a = fc.clusters.cluster(A);
      const b = fc.clusters.cluster(B);
      const refusedPort = await freePort();
      const defs: AppInterfaceCluster[] = [
        { name: A, server: a.server, caFile: a.caFile, tokenFile: fc.tokenFile(a) },
        { name: B, server: b.server, caFile: b.caFile, tokenFile: fc.tokenFile(b) },
        { name: 'refusing', server: `https://127.0.0.1:${refusedPort}`, caFile: a.caFile, tokenFile: fc.tokenFile(a) },
        { name: 'black-holed', server: `https://127.0.0.1:${hole.port}`, caFile: a.caFile, tokenFile: fc.tokenFile(a) },
      ];
      const fresh = defs.flatMap((d) => namespaceSet(d.name, `unr-${d.name}`, 20));
      writeAppInterface(fc.dir, defs, [...desired, ...fresh]);
      const timeout = 10;
      const faulted = await fc.run(['--cluster-timeout', String(timeout)]);
      expect(faulted.code, summary(faulted)).toBe(1);
      // bounded by --cluster-timeout, not by the black hole (30 s per attempt, 4 retries): kontract's
      // own time (its summary) within the timeout plus the two reachable clusters' work on a loaded machine
      expect(ownSeconds(faulted)).toBeLessThan(timeout + 10);
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
      const touched = await unownedTouched(fc.kc, fc.unowned);
      expect(touched).toEqual([]);
      const errors = ['refusing', 'black-holed'].map((c) => `${c}: ${(errorsOf(c)[0] ?? '').replace(/^cluster \S+: /, '')}`);
      fc.report.add({
        fault: `two of four clusters unreachable: one refusing connections, one black-holed (connect timeout); --cluster-timeout ${timeout}`,
        kontract: `${summary(faulted)}; ${errors.join('; ')}; ${outcome.join(', ')}`,
        lost: 0, unownedTouched: touched.length, exit: String(faulted.code), faultRunSeconds: faulted.seconds,
      });
    } finally {
      await hole.close();
    }
  }, 300_000);
  it('dynamic-kind discovery (resources integration) with a black-holed cluster: that cluster alone is not read, at the discovery timeout; the others converge in the same run', async () => {
    const hole = await blackHole();
    try {
      expect(await connectOutcome(hole.port, 1500)).toBe('pending');
      const a = fc.clusters.cluster(A);
      const b = fc.clusters.cluster(B);
      const defs: AppInterfaceCluster[] = [
        { name: A, server: a.server, caFile: a.caFile, tokenFile: fc.tokenFile(a) },
        { name: B, server: b.server, caFile: b.caFile, tokenFile: fc.tokenFile(b) },
        { name: 'black-holed', server: `https://127.0.0.1:${hole.port}`, caFile: a.caFile, tokenFile: fc.tokenFile(a) },
      ];
      // each namespace carries one ConfigMap through qontract's openshiftResources: its kind is resolved per cluster
      mkdirSync(join(fc.dir, 'resources'), { recursive: true });
      writeFileSync(join(fc.dir, 'resources', 'probe.yml'), ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: discovery-probe', 'data:', '  probe: "1"', ''].join('\n'));
      const extra = ['managedResourceTypes: [ConfigMap]', 'openshiftResources:', '- provider: resource', '  path: /probe.yml'];
      const fresh = defs.flatMap((d) => namespaceSet(d.name, `disc-${d.name}`, 5).map((n) => ({ ...n, extra })));
      writeAppInterface(fc.dir, defs, [...desired, ...fresh]);

      // a dry-run shows why the black-holed cluster is not read: its discovery did not finish in time
      const dry = await fc.run(['resources', '--dry-run', '--output', 'json']);
      expect(dry.code, summary(dry)).toBe(1);
      const holeErrors = dry.logs.filter((l) => l.level === 'error' && l.cluster === 'black-holed').map((l) => l.msg);
      expect(holeErrors.join('\n')).toContain(`API discovery of the kinds resources resolves from the data did not finish within ${DISCOVERY_TIMEOUT_S} s: cluster not read`);
      // kontract's own time: the discovery timeout plus the reachable clusters' LISTs on a loaded
      // machine; unbounded, the black hole's discovery requests take 30 s per attempt and 4 retries
      expect(ownSeconds(dry)).toBeLessThan(DISCOVERY_TIMEOUT_S + 10);

      // the wet run: the reachable clusters get their namespaces and ConfigMaps in the same run
      const faulted = await fc.run(['resources']);
      expect(faulted.code, summary(faulted)).toBe(1);
      // bounded by the discovery timeout, not by the black hole's request timeouts and retries
      expect(ownSeconds(faulted)).toBeLessThan(DISCOVERY_TIMEOUT_S + 10);
      const errorsOf = (cluster: string): string[] => faulted.logs.filter((l) => l.level === 'error' && l.cluster === cluster).map((l) => l.msg);
      // in a wet run its Lease request (5 s, not retried) fails first, which also ends the wait for its discovery
      expect(errorsOf('black-holed').join('\n')).toMatch(/Lease\.coordination\.k8s\.io .*KONTRACT_TIMEOUT/);
      const outcome: string[] = [];
      for (const c of [a, b]) {
        expect(errorsOf(c.name)).toEqual([]);
        const mine = fresh.filter((n) => n.cluster === c.name).map((n) => n.name);
        const core = adminKubeConfig(c).makeApiClient(CoreV1Api);
        for (const ns of mine) expect((await core.readNamespacedConfigMap({ name: 'discovery-probe', namespace: ns })).data).toEqual({ probe: '1' });
        const state = await convergence(adminKubeConfig(c), [...(c.name === A ? desired.map((n) => n.name) : []), ...mine]);
        expect(state.missing).toEqual([]);
        expect(state.duplicates).toEqual([]);
        outcome.push(`${c.name}: ${mine.length} namespaces with their ConfigMap`);
      }
      desired = [...desired, ...fresh.filter((n) => n.cluster === A)];
      const touched = await unownedTouched(fc.kc, fc.unowned);
      expect(touched).toEqual([]);
      fc.report.add({
        fault: 'resources integration (kinds resolved per cluster by API discovery) on three clusters, one black-holed (connect timeout); no --cluster-timeout',
        kontract: `${summary(faulted)}; black-holed: ${(errorsOf('black-holed')[0] ?? '').replace(/^cluster \S+: /, '')} (dry-run: ${(holeErrors[0] ?? '').replace(/^cluster \S+: /, '')} after ${dry.seconds.toFixed(1)} s); ${outcome.join(', ')}`,
        lost: 0, unownedTouched: touched.length, exit: String(faulted.code), faultRunSeconds: faulted.seconds,
      });
    } finally {
      await hole.close();
    }
  }, 300_000);
});
