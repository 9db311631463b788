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
import { sleep, waitFor } from './support/net.js';
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

  /**
   * A wet run creating `count` namespaces through the proxy with `toxic` active for the whole run,
   * or, with `windowMs`, only for that long once the first 50 namespaces exist.
   */
  const withToxic = async (toxic: ToxicSpec, prefix: string, count: number, fault: string, windowMs?: number): Promise<{ run: CliRun; sent: number }> => {
    desired = [...desired, ...namespaceSet(A, prefix, count)];
    writeAppInterface(dir, [proxied()], desired);
    const metrics = join(dir, `${prefix}.prom`);
    let faulted: CliRun;
    if (windowMs === undefined) {
      await toxiproxy.addToxic(PROXY, toxic);
      try {
        faulted = await kontract(dir, ['--metrics-file', metrics]);
      } finally {
        await toxiproxy.removeToxic(PROXY, toxic.name);
      }
    } else {
      const before = await namespaceCount(kc);
      const run = startKontract(dir, ['--metrics-file', metrics]);
      await waitFor('the first 50 namespaces created', 60_000, async () => { run.assertRunning(); return (await namespaceCount(kc)) >= before + 50; });
      await toxiproxy.addToxic(PROXY, toxic);
      await sleep(windowMs);
      await toxiproxy.removeToxic(PROXY, toxic.name);
      faulted = await run.done;
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

  it('connection resets: for 1 s in the middle of a run every connection is reset (RST) at its next byte; cut requests are retried on new connections', async () => {
    const { sent } = await withToxic({ name: 'reset', type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } },
      'rst', 300, 'toxiproxy reset_peer for 1 s in the middle of a 300-namespace wet run: every connection reset (RST) at its next byte', 1000);
    // one LIST, 300 applies, and the retries of the requests the resets cut
    expect(sent).toBeGreaterThan(301);
  }, 300_000);

  it('bandwidth limited to 64 KB/s from the apiserver; the run converges, only slower', async () => {
    const { run } = await withToxic({ name: 'bandwidth', type: 'bandwidth', stream: 'downstream', attributes: { rate: 64 } },
      'bw', 100, 'toxiproxy bandwidth 64 KB/s from the apiserver, 100-namespace wet run');
    // the LIST of the 500 namespaces already there alone is more than 200 KB
    expect(run.seconds).toBeGreaterThan(3);
  }, 300_000);
});
