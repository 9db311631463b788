/**
 * `kontract reconcile --watch` (docs/watch.md) against real apiservers: the CLI runs as a child
 * process with /metrics; the test edits and deletes owned objects out of band, changes the
 * app-interface on disk and (served by the real qontract-server, test/support/qontract-server.ts)
 * over GraphQL, and (on a disposable cluster of its own) restarts the apiserver and compacts etcd. Each case checks the cluster converging back and the watch-health series.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, readSchemasDir } from '../../src/app-interface/bundle.js';
import { SCHEMAS_DIR } from '../../src/app-interface/schema-registry.js';
import { readDirSnapshot } from '../../src/app-interface/snapshot.js';
import { startQontractServer } from '../support/qontract-server.js';
import type { QontractServer } from '../support/qontract-server.js';
import { BIN, writeTree } from './support/cli.js';
import { kubeConfigFor, testClusters, uniqueName } from './support/clusters.js';
import { clusterFiles, namespaceFile } from './support/app-interface.js';
import { adminKubeConfig } from './faults/support/cluster-state.js';
import { startDisposableClusters } from './faults/support/disposable-clusters.js';
import type { DisposableClusters } from './faults/support/disposable-clusters.js';
import { freePort, sleep, waitFor } from './faults/support/net.js';
import { testTransportArgs } from './faults/support/kontract.js';

interface Loop {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: () => string;
  readonly metrics: () => Promise<string>;
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

async function startLoop(args: readonly string[]): Promise<Loop> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'reconcile', 'namespaces', 'resourcequotas', '--watch', '--metrics-port', String(port), '--log-level', 'debug', ...testTransportArgs(), ...args], {
    env: { PATH: process.env.PATH, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((r) => { child.once('exit', (code) => { r(code); }); });
  return {
    child, port, output: () => out,
    metrics: () => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => ''),
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Sum of a metric's samples whose label set contains every `labels` pair. */
function metricSum(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const quotaFile = (pods: number): string => ['$schema: /openshift/quota-1.yml', 'labels: {}', 'description: test', 'name: q', 'quotas:', '- name: compute', '  resources:', `    pods: ${pods}`, ''].join('\n');

async function podsHard(core: CoreV1Api, ns: string): Promise<string | undefined> {
  try {
    const q = await core.readNamespacedResourceQuota({ name: 'compute', namespace: ns });
    return q.spec?.hard?.pods;
  } catch {
    return undefined;
  }
}

async function editPods(core: CoreV1Api, ns: string, pods: string): Promise<void> {
  const q = await core.readNamespacedResourceQuota({ name: 'compute', namespace: ns });
  if (q.spec?.hard === undefined) throw new Error(`quota ${ns}/compute has no spec.hard`);
  q.spec.hard.pods = pods;
  await core.replaceNamespacedResourceQuota({ name: 'compute', namespace: ns, body: q });
}

function appInterfaceFiles(cluster: string, server: string, auth: readonly string[], namespaces: readonly string[], pods: number, caPath?: string): Record<string, string> {
  return {
    ...clusterFiles(cluster, server, auth, caPath === undefined ? {} : { caPath }),
    'quotas/q.yml': quotaFile(pods),
    ...Object.fromEntries(namespaces.map((n) => [`namespaces/${n}.yml`, namespaceFile(n, cluster, ['quota:', '  $ref: /quotas/q.yml'])])),
  };
}

function appInterface(cluster: string, server: string, auth: readonly string[], namespaces: readonly string[], pods: number): string {
  return writeTree(mkdtempSync(join(tmpdir(), 'kontract-watch-')), appInterfaceFiles(cluster, server, auth, namespaces, pods));
}

describe('reconcile --watch on the shared clusters', () => {
  const cluster = testClusters().clusters.find((c) => c.name === 'prod-1');
  if (cluster === undefined) throw new Error('no prod-1');
  const kc: KubeConfig = kubeConfigFor('prod-1');
  const core = kc.makeApiClient(CoreV1Api);
  const ns = [uniqueName('watch-a'), uniqueName('watch-b')];
  let dir = '';
  let loop: Loop;

  beforeAll(async () => {
    dir = appInterface('prod-1', cluster.server, ['kubeconfigContext: prod-1'], ns, 10);
    loop = await startLoop(['--app-interface', dir, '--kubeconfig', testClusters().kubeconfig, '--resync-period', '1h', ...ns.flatMap((n) => ['--namespace', n])]);
    await waitFor('the first full pass', 180_000, async () => (await podsHard(core, ns[1] ?? '')) === '10', loop.output);
    await waitFor('the watches', 60_000, async () => metricSum(await loop.metrics(), 'kontract_watch_connected', { cluster: 'prod-1' }) >= 2, loop.output);
  });

  afterAll(async () => {
    await loop.stop();
    for (const n of ns) await core.deleteNamespace({ name: n }).catch(() => undefined);
  });

  it('corrects an out-of-band edit of an owned object, without a LIST', async () => {
    const before = await loop.metrics();
    const lists = metricSum(before, 'kontract_api_requests_total', { verb: 'list' });
    const leases = metricSum(before, 'kontract_api_requests_total', { verb: 'lock' });
    await editPods(core, ns[0] ?? '', '99');
    await waitFor('the edit corrected', 30_000, async () => (await podsHard(core, ns[0] ?? '')) === '10', loop.output);
    await sleep(500);
    const after = await loop.metrics();
    expect(metricSum(after, 'kontract_api_requests_total', { verb: 'list' })).toBe(lists);
    expect(metricSum(after, 'kontract_watch_events_total', { kind: 'ResourceQuota', type: 'MODIFIED' })).toBeGreaterThan(0);
    expect(metricSum(after, 'kontract_watch_event_lag_seconds_count')).toBeGreaterThan(0);
    expect(metricSum(after, 'kontract_actions_total', { action: 'update', kind: 'ResourceQuota' })).toBeGreaterThan(0);
    // the wet pass that corrected it took (and freed) its Lease
    expect(metricSum(after, 'kontract_api_requests_total', { verb: 'lock' })).toBeGreaterThan(leases);
  });

  it('recreates an owned object deleted out of band', async () => {
    await core.deleteNamespacedResourceQuota({ name: 'compute', namespace: ns[1] ?? '' });
    await waitFor('the quota recreated', 30_000, async () => (await podsHard(core, ns[1] ?? '')) === '10', loop.output);
  });

  it('keeps the last good data when the app-interface becomes invalid', async () => {
    writeFileSync(join(dir, 'quotas', 'q.yml'), `${quotaFile(12)}bogusField: 1\n`);
    await waitFor('the invalid change reported', 30_000, () => loop.output().includes('app-interface change not applied, keeping the last good data'), loop.output);
    expect(await podsHard(core, ns[0] ?? '')).toBe('10');
    expect(loop.child.exitCode).toBeNull();
  });

  it('applies an app-interface change without a restart', async () => {
    writeFileSync(join(dir, 'quotas', 'q.yml'), quotaFile(15));
    await waitFor('the data change applied', 30_000, async () => (await podsHard(core, ns[0] ?? '')) === '15' && (await podsHard(core, ns[1] ?? '')) === '15', loop.output);
    expect(loop.output()).toMatch(/app-interface changed \(\w+ → \w+\): 2 desired object\(s\) differ/);
    expect(loop.child.exitCode).toBeNull();
  });

  it('sends no LIST in steady state between resyncs', async () => {
    const before = await loop.metrics();
    const a = metricSum(before, 'kontract_api_requests_total', { verb: 'list' });
    const leases = metricSum(before, 'kontract_api_requests_total', { verb: 'lock' });
    await sleep(3000);
    const b = await loop.metrics();
    expect(metricSum(b, 'kontract_api_requests_total', { verb: 'list' })).toBe(a);
    expect(metricSum(b, 'kontract_api_requests_total', { verb: 'lock' })).toBe(leases);
    expect(metricSum(b, 'kontract_watch_passes_total', { pass: 'full' })).toBe(1);
  });

  it('stops on SIGTERM', async () => {
    expect(await loop.stop('SIGTERM')).toBe(0);
    expect(loop.output()).not.toContain(testClusters().clusters[0]?.adminToken ?? 'no-token');
  });

  it('in a dry-run loop, prints the plan of an out-of-band edit and changes nothing', async () => {
    const dry = await startLoop(['--dry-run', '--app-interface', dir, '--kubeconfig', testClusters().kubeconfig, '--resync-period', '1h', ...ns.flatMap((n) => ['--namespace', n])]);
    try {
      await waitFor('the watches', 180_000, async () => metricSum(await dry.metrics(), 'kontract_watch_connected', { cluster: 'prod-1' }) >= 2, dry.output);
      await editPods(core, ns[0] ?? '', '42');
      await waitFor('the plan of the edit', 30_000, () => dry.output().includes(`~ update prod-1/${ns[0] ?? ''}/ResourceQuota/compute`), dry.output);
      await sleep(500);
      expect(await podsHard(core, ns[0] ?? '')).toBe('42');
      expect(metricSum(await dry.metrics(), 'kontract_api_requests_total', { verb: 'apply' })).toBe(0);
      expect(await dry.stop('SIGINT')).toBe(0);
    } finally {
      await dry.stop('SIGKILL');
    }
  }, 300_000);
});

describe('reconcile --watch across an apiserver restart and an etcd compaction (disposable cluster)', () => {
  const CLUSTER = 'watch-cp';
  let clusters: DisposableClusters;
  let core: CoreV1Api;
  let loop: Loop;
  const ns = ['watch-r1'];

  /** The etcd behind the disposable cluster, over its JSON gateway: compacts up to the current revision. */
  const compactEtcd = async (): Promise<number> => {
    const base = `http://127.0.0.1:${clusters.state().etcd.clientPort}`;
    const range = await fetch(`${base}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) }).then((r) => r.json()) as { header?: { revision?: string } };
    const revision = Number(range.header?.revision ?? 0);
    const res = await fetch(`${base}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision, physical: true }) });
    expect(res.status).toBe(200);
    return revision;
  };

  beforeAll(async () => {
    clusters = await startDisposableClusters([CLUSTER]);
    const c = clusters.cluster(CLUSTER);
    const kc = adminKubeConfig(c);
    core = kc.makeApiClient(CoreV1Api);
    const dir = mkdtempSync(join(tmpdir(), 'kontract-watch-'));
    const tokenFile = join(dir, 'token'); // inside the app-interface: credential paths are confined to it
    writeFileSync(tokenFile, `${c.adminToken}\n`, { mode: 0o600 });
    writeTree(dir, appInterfaceFiles(CLUSTER, c.server, [`tokenFile: ${tokenFile}`], ns, 10, c.caFile));
    loop = await startLoop(['--app-interface', dir, '--allow-path', dirname(c.caFile), '--resync-period', '1h']);
    await waitFor('the first full pass', 180_000, async () => (await podsHard(core, ns[0] ?? '')) === '10', loop.output);
    await waitFor('the watches', 60_000, async () => metricSum(await loop.metrics(), 'kontract_watch_connected') >= 2, loop.output);
  }, 400_000);

  afterAll(async () => {
    await loop.stop();
    await clusters.stop();
  });

  it('reconnects after an apiserver restart (resuming or relisting) and corrects drift afterwards', async () => {
    const streams = metricSum(await loop.metrics(), 'kontract_api_requests_total', { verb: 'watch' });
    expect(streams).toBeGreaterThanOrEqual(2);
    clusters.killApiserver(CLUSTER);
    await clusters.restartApiserver(CLUSTER);
    await waitFor('a reconnect', 60_000, async () => metricSum(await loop.metrics(), 'kontract_watch_reconnects_total') >= 1, loop.output);
    await waitFor('the watches open again', 60_000, async () => metricSum(await loop.metrics(), 'kontract_watch_connected') >= 2, loop.output);
    // every stream re-opened is a `watch` request
    expect(metricSum(await loop.metrics(), 'kontract_api_requests_total', { verb: 'watch' })).toBeGreaterThan(streams);
    await editPods(core, ns[0] ?? '', '77');
    await waitFor('the edit corrected', 60_000, async () => (await podsHard(core, ns[0] ?? '')) === '10', loop.output);
  }, 180_000);

  it('relists on 410 Gone after etcd was compacted past its resourceVersion, and corrects drift', async () => {
    const before = await loop.metrics();
    const relists = metricSum(before, 'kontract_watch_relists_total');
    const full = metricSum(before, 'kontract_watch_passes_total', { pass: 'full' });
    clusters.killApiserver(CLUSTER);
    await compactEtcd();
    await clusters.restartApiserver(CLUSTER);
    await waitFor('a relist', 60_000, async () => metricSum(await loop.metrics(), 'kontract_watch_relists_total') > relists, loop.output);
    await waitFor('the full pass after it', 60_000, async () => metricSum(await loop.metrics(), 'kontract_watch_passes_total', { pass: 'full', reason: 'relist' }) >= 1, loop.output);
    expect(metricSum(await loop.metrics(), 'kontract_watch_passes_total', { pass: 'full' })).toBeGreaterThan(full);
    expect(loop.output()).toMatch(/410 Gone/);
    await editPods(core, ns[0] ?? '', '55');
    await waitFor('the edit corrected', 60_000, async () => (await podsHard(core, ns[0] ?? '')) === '10', loop.output);
  }, 180_000);
});

describe('reconcile --watch over a --graphql-url source (the real qontract-server)', () => {
  const cluster = testClusters().clusters.find((c) => c.name === 'prod-1');
  if (cluster === undefined) throw new Error('no prod-1');
  const core = kubeConfigFor('prod-1').makeApiClient(CoreV1Api);
  const ns = [uniqueName('watch-g1'), uniqueName('watch-g2')];
  const token = `graphql-token-${uniqueName('t')}`;
  let work = '';
  let dir = '';
  let bundleFile = '';
  let server: QontractServer | undefined;
  let loop: Loop;

  /** The app-interface in `dir` as `kontract bundle` makes it, served by qontract-server after /reload. */
  const serve = async (): Promise<void> => {
    const bundle = makeBundle(await readDirSnapshot(dir), { schemas: await readSchemasDir(SCHEMAS_DIR), gitCommit: 'c'.repeat(40), gitCommitTimestamp: '1764374400' });
    writeFileSync(bundleFile, JSON.stringify(bundle));
    if (server !== undefined) expect(await server.reload()).toBe(200);
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kontract-watch-graphql-'));
    dir = writeTree(join(work, 'data'), appInterfaceFiles('prod-1', cluster.server, ['kubeconfigContext: prod-1'], ns, 10));
    bundleFile = join(work, 'bundle.json');
    await serve();
    server = await startQontractServer(bundleFile);
    const tokenFile = join(work, 'graphql-token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    loop = await startLoop(['--graphql-url', `${server.url}/graphql`, '--graphql-token-file', tokenFile, '--kubeconfig', testClusters().kubeconfig, '--resync-period', '1h', ...ns.flatMap((n) => ['--namespace', n])]);
    await waitFor('the first full pass', 180_000, async () => (await podsHard(core, ns[1] ?? '')) === '10', loop.output);
    await waitFor('the watches', 60_000, async () => metricSum(await loop.metrics(), 'kontract_watch_connected', { cluster: 'prod-1' }) >= 2, loop.output);
  }, 400_000);

  afterAll(async () => {
    await loop.stop();
    await server?.stop();
    for (const n of ns) await core.deleteNamespace({ name: n }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it('applies a data change the server reloaded (a new /sha256) without a restart', async () => {
    writeFileSync(join(dir, 'quotas', 'q.yml'), quotaFile(15));
    await serve();
    await waitFor('the data change applied', 60_000, async () => (await podsHard(core, ns[0] ?? '')) === '15' && (await podsHard(core, ns[1] ?? '')) === '15', loop.output);
    expect(loop.output()).toMatch(/app-interface changed \(\w+ → \w+\): 2 desired object\(s\) differ/);
    const m = await loop.metrics();
    expect(metricSum(m, 'kontract_watch_passes_total', { pass: 'full' })).toBe(1);
    expect(metricSum(m, 'kontract_watch_passes_total', { pass: 'changes', reason: 'data' })).toBeGreaterThanOrEqual(1);
    expect(loop.child.exitCode).toBeNull();
  });

  it('keeps polling (and the last good data) while the server is down, and applies the next change once it is back', async () => {
    await server?.stop();
    server = undefined;
    await waitFor('the failing poll reported', 30_000, () => loop.output().includes('polling the GraphQL source failed, keeping the last good data'), loop.output);
    expect(loop.child.exitCode).toBeNull();
    writeFileSync(join(dir, 'quotas', 'q.yml'), quotaFile(20));
    await serve();
    server = await startQontractServer(bundleFile);
    await waitFor('the change applied after the outage', 60_000, async () => (await podsHard(core, ns[0] ?? '')) === '20' && (await podsHard(core, ns[1] ?? '')) === '20', loop.output);
    expect(loop.output()).toContain('the GraphQL source answers again');
    expect(metricSum(await loop.metrics(), 'kontract_watch_passes_total', { pass: 'full' })).toBe(1);
  }, 180_000);

  it('stops on SIGTERM and never printed the GraphQL token', async () => {
    expect(await loop.stop('SIGTERM')).toBe(0);
    expect(loop.output()).not.toContain(token);
  });
});
