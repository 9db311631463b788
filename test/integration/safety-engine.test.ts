/**
 * Safety guarantees of the reconcile engine against the real local clusters (issue 11): a failed
 * write withholds every deletion; an orphaned Namespace is left alone and a Namespace deletion is
 * flagged with what goes with it; clusters not read are not planned; filters matching nothing are
 * usage errors; a cluster whose apiserver dies (or stops answering) is given up quickly; wet runs
 * take a Lease per (integration, cluster); fields another manager owns are taken and reported.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInterfaceData, Cluster } from '../../src/app-interface/model.js';
import { isKontractError } from '../../src/core/errors.js';
import type { LogLevel, Reporter } from '../../src/core/reporter.js';
import type { Integration } from '../../src/integrations/define-integration.js';
import { namespacesIntegration } from '../../src/integrations/namespaces/integration.js';
import { startLocalClusters, stopLocalClusters } from '../../src/local-cluster/index.js';
import type { LocalClustersState } from '../../src/local-cluster/index.js';
import { RunMetrics } from '../../src/metrics/run-metrics.js';
import { createConnector } from '../../src/reconcile/connector.js';
import type { ConnectorOptions } from '../../src/reconcile/connector.js';
import { runReconcile } from '../../src/reconcile/run-reconcile.js';
import { TRANSPORT_KINDS } from '../../src/k8s/transport.js';
import type { DryRunMode, ReconcileOptions, ReconcileResult } from '../../src/reconcile/run-reconcile.js';
import { LEASE_DURATION_SECONDS, acquireLock, leaseName, microTime } from '../../src/reconcile/run-lock.js';
import { renderJson, renderMarkdown, renderText } from '../../src/resource-inventory/render/index.js';
import { cluster as clusterEntity, namespace as namespaceEntity } from '../unit/integrations/data-builder.js';
import { testCluster, testClusters, uniqueName } from './support/clusters.js';
import { configMap, createTestIntegration, on } from './support/test-integration.js';
import type { TestIntegration } from './support/test-integration.js';

function recorder(): Reporter & { lines: { level: LogLevel; message: string }[] } {
  const lines: { level: LogLevel; message: string }[] = [];
  return { lines, log: (level, message) => { lines.push({ level, message }); }, result: () => undefined };
}

const tokenEnvName = (name: string): string => `SAFETY_TOKEN_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;

function clusterDef(name: string, over: { server?: string; caFile?: string } = {}): Cluster {
  const c = over.server === undefined ? testCluster(name) : undefined;
  return clusterEntity(name, { serverUrl: over.server ?? c?.server ?? '', ca: { path: over.caFile ?? c?.caFile ?? '' }, auth: { kind: 'tokenEnv', env: tokenEnvName(name) } });
}

function data(clusters: readonly Cluster[], over: Partial<AppInterfaceData> = {}): AppInterfaceData {
  return { sha: 'safety', clusters, namespaces: [], quotas: [], limitRanges: [], roles: [], users: [], bots: [], tenants: [], ...over };
}

interface RunOpts {
  readonly env?: NodeJS.ProcessEnv;
  readonly client?: ConnectorOptions['client'];
  readonly onRequest?: ConnectorOptions['onRequest'];
  readonly reporter?: Reporter;
  readonly engine?: Partial<Omit<ReconcileOptions, 'integrations' | 'data' | 'connect' | 'dryRun' | 'reporter'>>;
}

async function run(integrations: readonly Integration[], d: AppInterfaceData, dryRun: DryRunMode, opts: RunOpts = {}): Promise<ReconcileResult> {
  const reporter = opts.reporter ?? recorder();
  const env = opts.env ?? Object.fromEntries(testClusters().clusters.map((c) => [tokenEnvName(c.name), c.adminToken]));
  const connector = createConnector({ env, reporter, ...(opts.client === undefined ? {} : { client: opts.client }), ...(opts.onRequest === undefined ? {} : { onRequest: opts.onRequest }) });
  try {
    return await runReconcile({ integrations, data: d, connect: connector.connect, dryRun, reporter, ...opts.engine });
  } finally {
    connector.closeAll();
  }
}

/** One request as the cluster admin, straight over HTTPS (independent of kontract's client). */
function api(cluster: { server: string; caFile: string; adminToken: string }, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(new URL(path, cluster.server), {
      method, ca: readFileSync(cluster.caFile),
      headers: { Authorization: `Bearer ${cluster.adminToken}`, Accept: 'application/json', ...(payload === undefined ? {} : { 'Content-Type': contentType }) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text.startsWith('{') ? JSON.parse(text) as Record<string, unknown> : {} });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
const adminOf = (name: string) => testCluster(name);

/** The holder of an integration's Lease in kube-system, undefined when it has none. */
async function heldBy(cluster: string, integration: string): Promise<string | undefined> {
  const l = await api(adminOf(cluster), 'GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${leaseName(integration)}`);
  return (l.json.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
}

async function exists(cluster: string, ns: string, name: string): Promise<boolean> {
  return (await api(adminOf(cluster), 'GET', `/api/v1/namespaces/${ns}/configmaps/${name}`)).status === 200;
}

async function createNs(cluster: string, name: string): Promise<void> {
  const r = await api(adminOf(cluster), 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (r.status !== 201) throw new Error(`create namespace ${name} on ${cluster}: HTTP ${r.status}`);
}

async function deleteNs(cluster: string, name: string): Promise<void> {
  await api(adminOf(cluster), 'DELETE', `/api/v1/namespaces/${name}`);
}

/** A forced server-side apply by another field manager. */
async function applyAs(cluster: string, manager: string, path: string, obj: unknown): Promise<void> {
  const r = await api(adminOf(cluster), 'PATCH', `${path}?fieldManager=${manager}&force=true`, obj, 'application/apply-patch+yaml');
  if (r.status !== 200 && r.status !== 201) throw new Error(`apply as ${manager} ${path}: HTTP ${r.status}`);
}

const changeIds = (r: ReconcileResult, list: 'changes' | 'withheldDeletions' | 'skippedChanges' = 'changes'): string[] =>
  r.plan[list].map((c) => `${c.action} ${c.cluster}/${c.namespace}/${c.kind}/${c.name}`).sort();

describe('a failed write withholds every deletion of the run', () => {
  const ns = uniqueName('withhold');
  let integration: TestIntegration;
  const clusters = (): Cluster[] => ['prod-1', 'dev-1'].map((n) => clusterDef(n));

  beforeAll(async () => {
    integration = createTestIntegration(uniqueName('withhold'));
    for (const c of ['prod-1', 'dev-1']) await createNs(c, ns);
  });
  afterAll(async () => {
    for (const c of ['prod-1', 'dev-1']) await deleteNs(c, ns);
  });

  it('sends no deletion anywhere after a create the apiserver rejects, and lists them as withheld', async () => {
    const keep = [on('prod-1', configMap(ns, 'keep', { a: '1' })), on('dev-1', configMap(ns, 'keep', { a: '1' }))];
    integration.setDesired([...keep, on('prod-1', configMap(ns, 'old', { a: '1' })), on('dev-1', configMap(ns, 'old', { a: '1' }))]);
    expect((await run([integration], data(clusters()), false)).outcome).toBe('changes');
    // Now: the old objects are not desired anymore, and a new one is invalid (a ConfigMap key with a space: 422).
    integration.setDesired([...keep, on('prod-1', configMap(ns, 'rejected', { 'not a valid key': 'x' }))]);
    const dry = await run([integration], data(clusters()), 'client');
    expect(changeIds(dry)).toEqual([`create prod-1/${ns}/ConfigMap/rejected`, `delete dev-1/${ns}/ConfigMap/old`, `delete prod-1/${ns}/ConfigMap/old`]);

    const server = await run([integration], data(clusters()), 'server');
    expect(server.plan.apply).toMatchObject({ mode: 'server-dry-run', failed: 1 });
    expect(server.plan.withheldDeletions).toHaveLength(2);

    const wet = await run([integration], data(clusters()), false);
    expect(wet.outcome).toBe('failed');
    expect(wet.errors.map((e) => e.code)).toEqual(['E_APPLY']);
    expect(wet.errors[0]?.message).toMatch(/rejected.*422|422.*rejected|Invalid/);
    for (const c of wet.clusters) expect(c.stats.byVerb.delete).toBe(0);
    expect(await exists('prod-1', ns, 'old')).toBe(true);
    expect(await exists('dev-1', ns, 'old')).toBe(true);
    // The plan after the apply lists both deletions as withheld, with the reason.
    expect(changeIds(wet, 'withheldDeletions')).toEqual([`delete dev-1/${ns}/ConfigMap/old`, `delete prod-1/${ns}/ConfigMap/old`]);
    for (const w of wet.plan.withheldDeletions) expect(w.reason).toBe(`withheld (a write failed in this run: prod-1/${ns}/ConfigMap/rejected): not desired anymore`);
    expect(wet.plan.apply).toMatchObject({ mode: 'apply', applied: 0, failed: 1, notSent: 0 });
    expect(changeIds(wet)).toEqual([`create prod-1/${ns}/ConfigMap/rejected`]);
    const json = JSON.parse(renderJson(wet.plan)) as { withheldDeletions: { reason: string }[]; apply: { failed: number } };
    expect(json.withheldDeletions).toHaveLength(2);
    expect(json.apply.failed).toBe(1);
    expect(renderText(wet.plan, { color: false })).toContain(`- delete dev-1/${ns}/ConfigMap/old (${integration.name}): withheld (a write failed in this run`);
    expect(renderMarkdown(wet.plan)).toContain('#### Withheld deletions');
  });
});

describe('namespaces: orphaned, not deleted; a deletion is flagged with what goes with it', () => {
  const a = uniqueName('nsa');
  const b = uniqueName('nsb');
  let inside: TestIntegration;
  const C = 'prod-2';
  const ai = (nss: ReturnType<typeof namespaceEntity>[]): AppInterfaceData => data([clusterDef(C)], { namespaces: nss });

  beforeAll(() => { inside = createTestIntegration(uniqueName('inside')); });
  afterAll(async () => { await deleteNs(C, a); await deleteNs(C, b); });

  it('leaves a namespace whose datafile disappeared alone and reports it as orphaned', async () => {
    const both = [namespaceEntity(a, C), namespaceEntity(b, C)];
    inside.setDesired([on(C, configMap(b, 'one', { k: 'v' })), on(C, configMap(b, 'two', { k: 'v' }))]);
    const first = await run([namespacesIntegration, inside], ai(both), false, { engine: { namespaces: [a, b] } });
    expect(first.errors).toEqual([]);

    // b is no longer in the data, so `--namespace b` would be a usage error: the run covers the cluster.
    const gone = await run([namespacesIntegration], ai([namespaceEntity(a, C)]), false);
    expect(gone.outcome).toBe('ok');
    expect(gone.plan.changes).toEqual([]);
    expect(gone.plan.orphaned.filter((o) => o.name === b)).toEqual([{ integration: 'namespaces', cluster: C, namespace: '', kind: 'Namespace', name: b, reason: 'orphaned: owned but no longer in the data and not marked for deletion (left alone)' }]);
    expect(gone.clusters[0]?.stats.byVerb.delete).toBe(0);
    expect(((await api(adminOf(C), 'GET', `/api/v1/namespaces/${b}`)).json.status as { phase?: string }).phase).toBe('Active');
    expect(gone.plan.clusters.find((c) => c.cluster === C)?.orphaned).toBe(gone.plan.orphaned.length);
    expect(renderText(gone.plan, { color: false })).toContain(`Orphaned (owned, not in the data, left alone):\n  ${C}/-/Namespace/${b} (namespaces)`);
    expect((JSON.parse(renderJson(gone.plan)) as { orphaned: { name: string }[] }).orphaned.map((o) => o.name)).toContain(b);
    expect(renderMarkdown(gone.plan)).toContain('#### Orphaned (left alone)');
    const metrics = new RunMetrics();
    metrics.recordRun(gone, ['namespaces']);
    expect(await metrics.text()).toContain(`kontract_orphaned_objects{integration="namespaces",cluster="${C}",kind="Namespace"} ${gone.plan.orphaned.length}`);
  });

  it('flags a delete: true namespace in every format with the objects read in it, or says unknown', async () => {
    const marked = [namespaceEntity(a, C), namespaceEntity(b, C, { delete: true })];
    // With an integration that lists namespaced kinds: its two ConfigMaps in b are counted.
    const counted = await run([namespacesIntegration, inside], ai(marked), 'client', { engine: { namespaces: [a, b] } });
    const del = counted.plan.changes.find((c) => c.action === 'delete' && c.kind === 'Namespace');
    expect(del?.name).toBe(b);
    expect(del?.namespaceContents).toEqual({ objects: 2, kinds: ['ConfigMap', 'Secret', 'ServiceAccount'] });
    const text = renderText(counted.plan, { color: false });
    expect(text).toContain('1 NAMESPACE DELETION(S)');
    expect(text).toContain(`- delete ${C}/-/Namespace/${b} (namespaces): not desired anymore\n  NAMESPACE DELETION with 2 object(s) this run read in it`);
    expect(text).toContain(`${C}/${b} with 2 object(s) this run read in it (ConfigMap, Secret, ServiceAccount; other kinds not read)`);
    expect(renderMarkdown(counted.plan)).toContain(`#### :warning: Namespace deletions`);
    expect(renderMarkdown(counted.plan)).toContain(`with 2 object(s) this run read in it`);
    const json = JSON.parse(renderJson(counted.plan)) as { summary: { namespaceDeletions: number }; changes: { kind: string; namespaceContents?: unknown }[] };
    expect(json.summary.namespaceDeletions).toBe(1);
    expect(json.changes.find((c) => c.kind === 'Namespace')?.namespaceContents).toEqual({ objects: 2, kinds: ['ConfigMap', 'Secret', 'ServiceAccount'] });

    // The namespaces integration alone lists no namespaced kind: unknown.
    const alone = await run([namespacesIntegration], ai(marked), false, { engine: { namespaces: [a, b] } });
    const gone = alone.plan.changes.find((c) => c.kind === 'Namespace');
    expect(gone?.namespaceContents).toEqual({ objects: null, kinds: [] });
    expect(renderText(alone.plan, { color: false })).toContain('with an unknown number of objects');
    expect(alone.clusters[0]?.stats.byVerb.delete).toBe(1);
  });
});

describe('clusters that were not read', () => {
  const ns = uniqueName('notread');
  let integration: TestIntegration;
  beforeAll(async () => {
    integration = createTestIntegration(uniqueName('notread'));
    await createNs('dev-1', ns);
  });
  afterAll(async () => { await deleteNs('dev-1', ns); });

  it('shows a cluster whose LIST failed as not read and plans nothing there', async () => {
    integration.setDesired([on('dev-1', configMap(ns, 'x', { a: '1' })), on('prod-1', configMap(ns, 'x', { a: '1' }))]);
    // prod-1 with the restricted user's token: its LISTs are forbidden (403).
    const env = { [tokenEnvName('dev-1')]: testCluster('dev-1').adminToken, [tokenEnvName('prod-1')]: testCluster('prod-1').restrictedToken };
    const r = await run([integration], data([clusterDef('dev-1'), clusterDef('prod-1')]), 'client', { env });
    const prod = r.plan.clusters.find((c) => c.cluster === 'prod-1');
    expect(prod).toMatchObject({ read: false, create: 0, skipped: true });
    expect(r.plan.skippedChanges.filter((c) => c.cluster === 'prod-1')).toEqual([]);
    expect(changeIds(r)).toEqual([`create dev-1/${ns}/ConfigMap/x`]);
    const text = renderText(r.plan, { color: false });
    expect(text).toMatch(/prod-1\s+0\s+0\s+0\s+0\s+0\s+1\s+not read/);
    expect(text).not.toMatch(/create prod-1\//);
    expect(renderMarkdown(r.plan)).toMatch(/\| prod-1 \|.*\| not read \|/);
  });

  it('rejects --cluster and --namespace values that match nothing, naming the valid ones', async () => {
    integration.setDesired([on('dev-1', configMap(ns, 'x', { a: '1' }))]);
    const d = data([clusterDef('dev-1'), clusterDef('prod-1')]);
    const err = await run([integration], d, 'client', { engine: { clusters: ['nosuch'] } }).catch((e: unknown) => e);
    expect(isKontractError(err) && err.code).toBe('E_USAGE');
    expect((err as Error).message).toBe('--cluster nosuch: no such cluster in the app-interface (valid: dev-1, prod-1)');
    const disabled = data([clusterDef('dev-1'), { ...clusterDef('prod-1'), disabledIntegrations: [integration.name] }]);
    const off = await run([integration], disabled, 'client', { engine: { clusters: ['prod-1'] } }).catch((e: unknown) => e);
    expect(isKontractError(off) && off.code).toBe('E_USAGE');
    expect((off as Error).message).toBe('--cluster prod-1: no integration of this run covers it (disabled there or nothing to manage)');
    const nsErr = await run([integration], d, 'client', { engine: { namespaces: ['nosuch'] } }).catch((e: unknown) => e);
    expect(isKontractError(nsErr) && nsErr.code).toBe('E_USAGE');
    expect((nsErr as Error).message).toBe(`--namespace nosuch: no such namespace in the app-interface for this run (valid: ${ns})`);
  });
});

describe('a cluster that stops answering mid-run is given up', () => {
  let state: LocalClustersState;
  let dir = '';
  const ns = uniqueName('doomed');
  let integration: TestIntegration;
  const env = (): NodeJS.ProcessEnv => ({ [tokenEnvName('doomed')]: state.clusters[0]?.adminToken ?? '', [tokenEnvName('prod-1')]: testCluster('prod-1').adminToken });
  const doomed = (): Cluster => clusterDef('doomed', { server: state.clusters[0]?.server ?? '', caFile: state.clusters[0]?.caFile ?? '' });
  const apiserverPid = (): number => state.clusters[0]?.apiserver.pid ?? 0;
  const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => on('doomed', configMap(ns, `${prefix}-${i}`, { i: String(i) })));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kontract-doomed-'));
    state = await startLocalClusters({ dir, names: ['doomed'], binDir: testClusters().binDir, reporter: recorder() });
    const d = state.clusters[0];
    if (d === undefined) throw new Error('no doomed cluster');
    expect((await api(d, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
    await createNs('prod-1', ns);
    integration = createTestIntegration(uniqueName('doomed'));
  }, 180_000);
  afterAll(async () => {
    try { process.kill(apiserverPid(), 'SIGCONT'); } catch { /* gone */ }
    await stopLocalClusters(dir, recorder(), 5000);
    await deleteNs('prod-1', ns);
  });

  // Objects of the cases before, kept desired so that each case has its own 400 creates on doomed.
  let kept: ReturnType<typeof many> = [];
  // Over both transports: over h2 the Lease release on prod-1 (healthy) used to fail with ECONNRESET —
  // prod-1's own deadline, reached while the release was in flight, destroyed its connection.
  it.each(TRANSPORT_KINDS)('gives a cluster up at --cluster-timeout when its apiserver stops answering (SIGSTOP), the others converge; every Lease is released, on the given-up cluster once it answers again (--transport %s)', async (transport) => {
    const mine = [...many(400, `stop-${transport}`), on('prod-1', configMap(ns, `fine-${transport}`, { a: '1' }))];
    integration.setDesired([...kept, ...mine]);
    kept = [...kept, ...mine];
    const reporter = recorder();
    let applies = 0;
    let resume: NodeJS.Timeout | undefined;
    const lock = { namespace: 'kube-system', waitMs: 0 };
    const t0 = Date.now();
    const onRequest = (cluster: string, verb: string): void => {
      if (cluster === 'doomed' && verb === 'apply' && ++applies === 40) {
        process.kill(apiserverPid(), 'SIGSTOP');
        // The apiserver answers again 1 s after the deadline: in time for the run's Lease release.
        resume = setTimeout(() => { process.kill(apiserverPid(), 'SIGCONT'); }, Math.max(0, t0 + 9000 - Date.now()));
      }
    };
    const r = await run([integration], data([doomed(), clusterDef('prod-1')]), false, { env: env(), onRequest, reporter, client: { deadlineMs: 8000, transport }, engine: { concurrency: 4, lock } });
    const seconds = (Date.now() - t0) / 1000;
    clearTimeout(resume);
    process.kill(apiserverPid(), 'SIGCONT');
    expect(seconds).toBeLessThan(25);
    expect(r.outcome).toBe('failed');
    expect(r.plan.apply?.givenUp).toEqual([{ cluster: 'doomed', reason: 'its deadline of 8000 ms (--cluster-timeout) passed', notSent: expect.any(Number) as number }]);
    const notSent = r.plan.apply?.givenUp[0]?.notSent ?? 0;
    expect(notSent).toBeGreaterThan(300);
    expect(r.plan.notSent?.length).toBe(notSent);
    expect(r.errors.some((e) => e.cluster === 'doomed' && e.message === `cluster doomed given up (its deadline of 8000 ms (--cluster-timeout) passed): ${notSent} change(s) not sent`)).toBe(true);
    expect(await exists('prod-1', ns, `fine-${transport}`)).toBe(true);
    expect(r.clusters.find((c) => c.cluster === 'prod-1')?.stats.protocol).toBe(transport === 'h2' ? 'h2' : 'http/1.1');
    // Both releases were answered: prod-1's was sent when doomed's deadline ended the run, just before prod-1's own deadline.
    expect(reporter.lines.filter((l) => l.message.includes('releasing the lock failed'))).toEqual([]);
    expect(await heldBy('prod-1', integration.name)).toBeUndefined();
    // The given-up run released its Lease on the recovered cluster: the next run is not E_LOCKED and converges.
    const next = await run([integration], data([doomed(), clusterDef('prod-1')]), false, { env: env(), engine: { concurrency: 4, lock } });
    expect(next.errors).toEqual([]);
    // what was not sent, plus the writes cut at the deadline
    expect(next.clusters.find((c) => c.cluster === 'doomed')?.stats.byVerb.apply).toBeGreaterThanOrEqual(notSent);
    expect((await run([integration], data([doomed(), clusterDef('prod-1')]), 'client', { env: env() })).plan.changes).toEqual([]);
  });

  it.each(TRANSPORT_KINDS)('lets a Lease release in flight when its cluster\'s deadline passes finish (--transport %s)', async (transport) => {
    const connector = createConnector({ env: env(), reporter: recorder(), client: { deadlineMs: 1500, transport } });
    try {
      const client = await connector.connect(doomed());
      const name = `${integration.name}-release-${transport}`;
      const reporter = recorder();
      const held = await acquireLock(client, name, { namespace: 'kube-system', waitMs: 0 }, reporter);
      const t0 = Date.now();
      // The apiserver stops before the release is sent and goes on 1 s after the deadline, within
      // the release's own timeout (LOCK_REQUEST_TIMEOUT_MS): the release is in flight at the deadline.
      process.kill(apiserverPid(), 'SIGSTOP');
      const resume = setTimeout(() => { process.kill(apiserverPid(), 'SIGCONT'); }, 2500);
      try {
        await held.release();
      } finally {
        clearTimeout(resume);
        process.kill(apiserverPid(), 'SIGCONT');
      }
      expect(Date.now() - t0).toBeGreaterThan(2000);
      expect(client.givenUp()).toBe('its deadline of 1500 ms (--cluster-timeout) passed');
      expect(reporter.lines.filter((l) => l.level === 'warn')).toEqual([]);
      const d = state.clusters[0];
      if (d === undefined) throw new Error('no doomed cluster');
      const lease = await api(d, 'GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${leaseName(name)}`);
      expect(lease.status).toBe(200);
      expect((lease.json.spec as { holderIdentity?: string }).holderIdentity).toBeUndefined();
    } finally {
      connector.closeAll();
    }
  });

  it('gives a cluster up after consecutive connection failures when its apiserver is killed, within seconds', async () => {
    integration.setDesired([...many(600, 'kill'), on('prod-1', configMap(ns, 'fine-2', { a: '1' }))]);
    let applies = 0;
    const onRequest = (cluster: string, verb: string): void => {
      if (cluster === 'doomed' && verb === 'apply' && ++applies === 40) process.kill(apiserverPid(), 'SIGKILL');
    };
    const t0 = Date.now();
    const r = await run([integration], data([doomed(), clusterDef('prod-1')]), false, { env: env(), onRequest, engine: { concurrency: 10 } });
    const seconds = (Date.now() - t0) / 1000;
    expect(seconds).toBeLessThan(20);
    expect(r.outcome).toBe('failed');
    const given = r.plan.apply?.givenUp[0];
    expect(given?.cluster).toBe('doomed');
    expect(given?.reason).toMatch(/^20 consecutive failed requests \(no answer after their retries\), last (ECONNREFUSED|ECONNRESET)$/);
    expect(given?.notSent).toBeGreaterThan(400);
    expect(r.clusters.find((c) => c.cluster === 'doomed')?.reachable).toBe(false);
    expect(renderText(r.plan, { color: false })).toMatch(/Apply: applied \d+, failed \d+, not sent \d+, cluster doomed given up \(20 consecutive failed requests/);
    expect(await exists('prod-1', ns, 'fine-2')).toBe(true);
  });
});

describe('wet runs take a Lease per (integration, cluster)', () => {
  const ns = uniqueName('lease');
  let integration: TestIntegration;
  const lockNs = 'kube-system';
  beforeAll(async () => {
    integration = createTestIntegration(uniqueName('lease'));
    for (const c of ['prod-1', 'dev-1']) await createNs(c, ns);
  });
  afterAll(async () => {
    for (const c of ['prod-1', 'dev-1']) {
      await deleteNs(c, ns);
      await api(adminOf(c), 'DELETE', leasePath());
    }
  });

  const leasePath = (): string => `/apis/coordination.k8s.io/v1/namespaces/${lockNs}/leases/${leaseName(integration.name)}`;
  async function putLease(cluster: string, holder: string, renewed: Date): Promise<void> {
    await applyAs(cluster, 'test-lease', leasePath(), { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: leaseName(integration.name), namespace: lockNs },
      spec: { holderIdentity: holder, leaseDurationSeconds: LEASE_DURATION_SECONDS, acquireTime: microTime(renewed), renewTime: microTime(renewed) } });
  }
  async function leaseHolder(cluster: string): Promise<string | undefined> {
    const l = await api(adminOf(cluster), 'GET', leasePath());
    return (l.json.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
  }
  const lock = { namespace: lockNs, waitMs: 0 };
  const both = (): Cluster[] => [clusterDef('prod-1'), clusterDef('dev-1')];

  it('fails only the cluster whose Lease another run holds; a dry-run takes no lock', async () => {
    integration.setDesired([on('prod-1', configMap(ns, 'l1', { a: '1' })), on('dev-1', configMap(ns, 'l1', { a: '1' }))]);
    await putLease('prod-1', 'someone-else', new Date());
    const dry = await run([integration], data(both()), 'client', { engine: { lock } });
    expect(dry.errors).toEqual([]);
    for (const c of dry.clusters) expect(c.stats.byVerb.lock).toBe(0);
    const server = await run([integration], data(both()), 'server', { engine: { lock } });
    expect(server.errors).toEqual([]);
    for (const c of server.clusters) expect(c.stats.byVerb.lock).toBe(0);

    const wet = await run([integration], data(both()), false, { engine: { lock } });
    expect(wet.outcome).toBe('failed');
    expect(wet.errors.map((e) => [e.cluster, e.code])).toEqual([['prod-1', 'E_LOCKED']]);
    expect(wet.errors[0]?.message).toMatch(new RegExp(`^Lease kube-system/${leaseName(integration.name)} on cluster prod-1 is held by another run \\(someone-else, renewed .*\\): integration ${integration.name} was not run there; retry later or pass --wait-for-lock DURATION$`));
    expect(wet.clusters.find((c) => c.cluster === 'prod-1')?.stats.writes).toBe(0);
    expect(wet.plan.clusters.find((c) => c.cluster === 'prod-1')?.read).toBe(false);
    expect(await exists('prod-1', ns, 'l1')).toBe(false);
    expect(await exists('dev-1', ns, 'l1')).toBe(true);
    // dev-1's Lease was taken and released: no holder left.
    expect(await leaseHolder('dev-1')).toBeUndefined();
    expect(await leaseHolder('prod-1')).toBe('someone-else');
  });

  it('renews a held Lease every third of its duration and clears the holder on release', async () => {
    const connector = createConnector({ env: { [tokenEnvName('prod-1')]: testCluster('prod-1').adminToken }, reporter: recorder() });
    try {
      const client = await connector.connect(clusterDef('prod-1'));
      const name = `${integration.name}-renew`;
      const held = await acquireLock(client, name, { namespace: lockNs, waitMs: 0, durationSeconds: 3 }, recorder());
      const path = `/apis/coordination.k8s.io/v1/namespaces/${lockNs}/leases/${leaseName(name)}`;
      const spec = async () => (await api(adminOf('prod-1'), 'GET', path)).json.spec as { holderIdentity?: string; acquireTime: string; renewTime: string; leaseDurationSeconds: number };
      const first = await spec();
      expect(first.leaseDurationSeconds).toBe(3);
      await new Promise((r) => setTimeout(r, 2500));
      const later = await spec();
      expect(later.holderIdentity).toBe(first.holderIdentity);
      expect(Date.parse(later.renewTime) - Date.parse(first.renewTime)).toBeGreaterThanOrEqual(900);
      await held.release();
      expect((await spec()).holderIdentity).toBeUndefined();
      await api(adminOf('prod-1'), 'DELETE', path);
    } finally {
      connector.closeAll();
    }
  });

  it('takes over an expired Lease', async () => {
    await putLease('prod-1', 'crashed-run', new Date(Date.now() - (LEASE_DURATION_SECONDS + 30) * 1000));
    const reporter = recorder();
    const wet = await run([integration], data(both()), false, { engine: { lock }, reporter });
    expect(wet.errors).toEqual([]);
    expect(await exists('prod-1', ns, 'l1')).toBe(true);
    expect(reporter.lines.some((l) => l.level === 'warn' && l.message.includes('took over the expired lock of crashed-run'))).toBe(true);
    expect(await leaseHolder('prod-1')).toBeUndefined();
  });

  it('serialises two concurrent wet runs: with --wait-for-lock the second waits and then has nothing to do', async () => {
    const n = 150;
    integration.setDesired(Array.from({ length: n }, (_, i) => on('prod-1', configMap(ns, `c-${i}`, { i: String(i) }))));
    const d = data([clusterDef('prod-1')]);
    const [r1, r2] = await Promise.all([
      run([integration], d, false, { engine: { lock: { namespace: lockNs, waitMs: 60_000 }, concurrency: 2 } }),
      run([integration], d, false, { engine: { lock: { namespace: lockNs, waitMs: 60_000 }, concurrency: 2 } }),
    ]);
    expect(r1.errors).toEqual([]);
    expect(r2.errors).toEqual([]);
    const applies = [r1, r2].map((r) => r.clusters[0]?.stats.byVerb.apply ?? -1).sort((x, y) => x - y);
    // One run created the n objects; the other read after it and sent nothing.
    expect(applies).toEqual([0, n]);
  });
});

describe('fields owned by another field manager', () => {
  const ns = uniqueName('fields');
  let integration: TestIntegration;
  beforeAll(async () => {
    integration = createTestIntegration(uniqueName('fields'));
    await createNs('dev-1', ns);
  });
  afterAll(async () => { await deleteNs('dev-1', ns); });

  it('forces them back and reports which fields were taken from which manager', async () => {
    integration.setDesired([on('dev-1', configMap(ns, 'shared', { mine: 'kontract', other: 'kontract' }))]);
    const d = data([clusterDef('dev-1')]);
    expect((await run([integration], d, false)).errors).toEqual([]);
    // A second manager takes `mine` over with a forced apply of its own.
    await applyAs('dev-1', 'rival-controller', `/api/v1/namespaces/${ns}/configmaps/shared`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared', namespace: ns }, data: { mine: 'theirs', extra: 'x' } });
    const dry = await run([integration], d, 'client');
    const upd = dry.plan.changes.find((c) => c.name === 'shared');
    expect(upd?.action).toBe('update');
    expect(upd?.takenFields).toEqual([{ manager: 'rival-controller', operation: 'Apply', fields: ['data.mine'] }]);
    expect(renderText(dry.plan, { color: false })).toContain('fields taken from manager rival-controller (Apply): data.mine');
    expect(renderMarkdown(dry.plan)).toContain('- fields taken from manager rival-controller (Apply): data.mine');
    expect((JSON.parse(renderJson(dry.plan)) as { changes: { takenFields?: unknown }[] }).changes[0]?.takenFields).toEqual([{ manager: 'rival-controller', operation: 'Apply', fields: ['data.mine'] }]);

    const wet = await run([integration], d, false);
    expect(wet.errors).toEqual([]);
    const live = (await api(adminOf('dev-1'), 'GET', `/api/v1/namespaces/${ns}/configmaps/shared`)).json as { data?: unknown; metadata: { managedFields?: { manager: string; fieldsV1?: { 'f:data'?: object } }[] } };
    expect(live.data).toEqual({ mine: 'kontract', other: 'kontract', extra: 'x' });
    const owners = (live.metadata.managedFields ?? []).map((m) => [m.manager, Object.keys(m.fieldsV1?.['f:data'] ?? {}).sort()]);
    expect(owners).toContainEqual(['kontract', ['f:mine', 'f:other']]);
    expect(owners).toContainEqual(['rival-controller', ['f:extra']]);
  });
});

describe('the RBAC a wet run needs for its Lease', () => {
  const ns = uniqueName('rbac');
  let integration: TestIntegration;
  const C = 'dev-1';
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  const leaseBinding = `${rbac}/namespaces/kube-system/rolebindings/${ns}-lease`;
  const alice = { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' };
  beforeAll(async () => {
    integration = createTestIntegration(uniqueName('rbac'));
    await createNs(C, ns);
    const admin = adminOf(C);
    // alice may manage the test integration's kinds in the namespace, and leases in kube-system.
    await api(admin, 'POST', `${rbac}/namespaces/${ns}/roles`, { metadata: { name: 'objects' }, rules: [{ apiGroups: [''], resources: ['configmaps', 'secrets', 'serviceaccounts'], verbs: ['get', 'list', 'create', 'patch', 'delete'] }] });
    await api(admin, 'POST', `${rbac}/namespaces/${ns}/rolebindings`, { metadata: { name: 'objects' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'objects' }, subjects: [alice] });
    await api(admin, 'POST', `${rbac}/namespaces/kube-system/roles`, { metadata: { name: `${ns}-lease` }, rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }] });
    await api(admin, 'POST', `${rbac}/namespaces/kube-system/rolebindings`, { metadata: { name: `${ns}-lease` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${ns}-lease` }, subjects: [alice] });
  });
  afterAll(async () => {
    await deleteNs(C, ns);
    await api(adminOf(C), 'DELETE', `${rbac}/namespaces/kube-system/roles/${ns}-lease`);
    await api(adminOf(C), 'DELETE', leaseBinding);
    await api(adminOf(C), 'DELETE', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${leaseName(integration.name)}`);
  });

  it('needs get, create and update on leases in the lock namespace, and nothing more for the lock', async () => {
    integration.setDesired([on(C, configMap(ns, 'cm', { a: '1' }))]);
    const env = { [tokenEnvName(C)]: testCluster(C).restrictedToken };
    const wetRun = () => run([integration], data([clusterDef(C)]), false, { env, engine: { namespaces: [ns], lock: { namespace: 'kube-system', waitMs: 0 } } });
    let r = await wetRun();
    // RBAC grants reach the authorizer's cache within moments.
    for (let i = 0; i < 20 && r.errors.length > 0; i++) {
      await new Promise((res) => setTimeout(res, 250));
      r = await wetRun();
    }
    expect(r.errors.map((e) => e.message)).toEqual([]);
    expect(r.clusters[0]?.stats.byVerb.lock).toBeGreaterThanOrEqual(1);
    expect(await exists(C, ns, 'cm')).toBe(true);
    // The Lease exists now: the next run reads it (get) and takes it with a conditional update.
    const again = await wetRun();
    expect(again.errors).toEqual([]);
    expect(again.clusters[0]?.stats.byVerb.lock).toBe(3);
    const lease = await api(adminOf(C), 'GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${leaseName(integration.name)}`);
    expect(lease.status).toBe(200);
    expect((lease.json.spec as { holderIdentity?: string }).holderIdentity).toBeUndefined();

    await api(adminOf(C), 'DELETE', leaseBinding);
    let denied = await wetRun();
    for (let i = 0; i < 20 && denied.errors.length === 0; i++) {
      await new Promise((res) => setTimeout(res, 250));
      denied = await wetRun();
    }
    expect(denied.errors.map((e) => e.code)).toEqual(['E_LOCKED']);
    expect(denied.errors[0]?.message).toBe(`cluster ${C}: POST Lease.coordination.k8s.io kube-system/${leaseName(integration.name)}: 403 Forbidden: leases.coordination.k8s.io is forbidden: User "alice" cannot create resource "leases" in API group "coordination.k8s.io" in the namespace "kube-system" (RBAC: verb "create" on Lease.coordination.k8s.io — resource "leases", API group "coordination.k8s.io" — is not granted; \`kontract rbac\` prints the rules kontract needs)`);
  });
});
