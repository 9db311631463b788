/**
 * The reconcile engine (src/reconcile + src/k8s) against the real local clusters prod-1, prod-2
 * and dev-1: creates, no-op runs with zero writes, targeted updates, owned-only deletes, a down
 * cluster, invalid data, rotated token files, server dry-run and missing namespaces.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/app-interface/model.js';
import type { LogLevel, Reporter } from '../../src/core/reporter.js';
import { defineIntegration } from '../../src/integrations/define-integration.js';
import { createConnector } from '../../src/reconcile/connector.js';
import type { Connect } from '../../src/reconcile/connector.js';
import { TRANSPORT_KINDS } from '../../src/k8s/transport.js';
import { runReconcile } from '../../src/reconcile/run-reconcile.js';
import type { DryRunMode, ReconcileResult } from '../../src/reconcile/run-reconcile.js';
import { kubeConfigFor, testCluster, testClusters, uniqueName } from './support/clusters.js';
import { configMap, createTestIntegration, dataWith, on, secret, serviceAccount } from './support/test-integration.js';
import type { TestIntegration } from './support/test-integration.js';

const NAMES = ['prod-1', 'prod-2', 'dev-1'] as const;

function recorder(): Reporter & { lines: { level: LogLevel; message: string }[] } {
  const lines: { level: LogLevel; message: string }[] = [];
  return { lines, log: (level, message) => { lines.push({ level, message }); }, result: () => undefined };
}

/** prod-1 and dev-1 authenticate with a token env var + CA file, prod-2 with a kubeconfig context. */
function clusterDef(name: string): Cluster {
  const c = testCluster(name);
  const auth: Cluster['auth'] = name === 'prod-2' ? { kind: 'kubeconfig', context: c.context } : { kind: 'tokenEnv', env: `TOKEN_${name.replace('-', '_').toUpperCase()}` };
  return { path: `/clusters/${name}.yml`, name, description: '', serverUrl: c.server, ca: { path: c.caFile }, auth, insecureSkipTLSVerify: false, disabledIntegrations: [], labels: {} };
}

function env(): NodeJS.ProcessEnv {
  return { TOKEN_PROD_1: testCluster('prod-1').adminToken, TOKEN_DEV_1: testCluster('dev-1').adminToken };
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => { r(); }));
  return port;
}

const core = (cluster: string): CoreV1Api => kubeConfigFor(cluster).makeApiClient(CoreV1Api);
/** Creates a plain object with client-node's generic object API (independent of kontract's client). */
const create = (cluster: string, obj: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; data?: Record<string, string> }) =>
  KubernetesObjectApi.makeApiClient(kubeConfigFor(cluster)).create(obj);

// Every case runs over both HTTP transports (`--transport h1|h2`, src/k8s/transport.ts).
describe.each(TRANSPORT_KINDS)('runReconcile on real clusters (transport %s)', (transport) => {
  const ns = uniqueName('engine');
  let integration: TestIntegration;
  const clusters = (): Cluster[] => NAMES.map(clusterDef);

  async function run(dryRun: DryRunMode, opts: { clusters?: Cluster[]; connect?: Connect; reporter?: Reporter } = {}): Promise<ReconcileResult> {
    const reporter = opts.reporter ?? recorder();
    const connector = createConnector({ env: env(), kubeconfigPath: testClusters().kubeconfig, reporter, client: { transport } });
    try {
      return await runReconcile({ integrations: [integration], data: dataWith(opts.clusters ?? clusters()), connect: opts.connect ?? connector.connect, dryRun, reporter });
    } finally {
      connector.closeAll();
    }
  }

  const desiredFor = (cluster: string, value: string) => [
    on(cluster, configMap(ns, 'app-config', { key: value })),
    on(cluster, configMap(ns, 'second', { a: '1' })),
    on(cluster, secret(ns, 'creds', 'hunter2-secret')),
    on(cluster, serviceAccount(ns, 'deployer')),
  ];

  beforeAll(async () => {
    integration = createTestIntegration(uniqueName('engine-test'));
    for (const c of NAMES) await create(c, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });

  afterAll(async () => {
    for (const c of NAMES) await core(c).deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('creates every desired object on the first wet run', async () => {
    integration.setDesired(NAMES.flatMap((c) => desiredFor(c, 'v1')));
    const r = await run(false);
    expect(r.errors).toEqual([]);
    expect(r.outcome).toBe('changes');
    expect(r.plan.changes.filter((c) => c.action === 'create')).toHaveLength(12);
    for (const c of r.clusters) expect(c.stats.writes).toBe(4);
    for (const c of r.clusters) expect(c.stats.protocol).toBe(transport === 'h2' ? 'h2' : 'http/1.1');
    for (const c of NAMES) {
      const cm = await core(c).readNamespacedConfigMap({ name: 'app-config', namespace: ns });
      expect(cm.data).toEqual({ key: 'v1' });
      expect(cm.metadata?.labels?.['kontract.io/integration']).toBe(integration.name);
    }
  });

  it('reports no change on a dry-run and sends zero writes on the next wet run', async () => {
    const dry = await run('client');
    expect(dry.plan.changes).toEqual([]);
    expect(dry.outcome).toBe('ok');
    const wet = await run(false);
    expect(wet.outcome).toBe('ok');
    expect(wet.clusters.map((c) => c.stats.writes)).toEqual([0, 0, 0]);
    // one LIST per kind per cluster, and no GET: everything desired is already owned
    for (const c of wet.clusters) expect(c.stats.byVerb).toMatchObject({ list: 3, get: 0, apply: 0, delete: 0 });
  });

  it('keeps an object applied without a source hash (older kontract) unchanged, and still catches an edit', async () => {
    const cm = await core('dev-1').readNamespacedConfigMap({ name: 'second', namespace: ns });
    expect(cm.metadata?.annotations?.['kontract.io/sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(cm.metadata?.annotations?.['kontract.io/source-sha256']).toMatch(/^[0-9a-f]{64}$/);
    // GIVEN the object as an older kontract left it: no source-sha256 annotation
    await core('dev-1').patchNamespacedConfigMap({ name: 'second', namespace: ns, body: [{ op: 'remove', path: '/metadata/annotations/kontract.io~1source-sha256' }] });
    // THEN the canonical sha still matches: no change and no write
    const wet = await run(false);
    expect(wet.plan.changes).toEqual([]);
    expect(wet.clusters.map((c) => c.stats.writes)).toEqual([0, 0, 0]);
    // AND an out-of-band edit of a field kontract sets is drift, on the fast path's objects too
    await core('prod-1').patchNamespacedConfigMap({ name: 'second', namespace: ns, body: [{ op: 'replace', path: '/data/a', value: 'edited' }] });
    const dry = await run('client');
    expect(dry.plan.changes.map((c) => `${c.action} ${c.cluster} ${c.name} ${c.reason}`)).toEqual(['update prod-1 second drift: data.a (edited out of band)']);
    await run(false);
    expect((await core('prod-1').readNamespacedConfigMap({ name: 'second', namespace: ns })).data).toEqual({ a: '1' });
  });

  it('updates exactly the object whose field changed', async () => {
    const before = await core('prod-2').readNamespacedConfigMap({ name: 'second', namespace: ns });
    integration.setDesired(NAMES.flatMap((c) => desiredFor(c, c === 'prod-2' ? 'v2' : 'v1')));
    const r = await run(false);
    expect(r.plan.changes.map((c) => `${c.action} ${c.cluster} ${c.kind} ${c.name}`)).toEqual(['update prod-2 ConfigMap app-config']);
    expect(r.clusters.map((c) => [c.cluster, c.stats.writes])).toEqual([['dev-1', 0], ['prod-1', 0], ['prod-2', 1]]);
    expect((await core('prod-2').readNamespacedConfigMap({ name: 'app-config', namespace: ns })).data).toEqual({ key: 'v2' });
    const after = await core('prod-2').readNamespacedConfigMap({ name: 'second', namespace: ns });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('deletes a removed object only when owned, leaving an unowned look-alike untouched', async () => {
    await create('dev-1', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hand-made', namespace: ns, labels: { app: 'x' } }, data: { keep: 'me' } });
    integration.setDesired(NAMES.flatMap((c) => desiredFor(c, c === 'prod-2' ? 'v2' : 'v1')).filter((d) => !(d.cluster === 'dev-1' && d.object.metadata.name === 'second')));
    const r = await run(false);
    expect(r.plan.changes.map((c) => `${c.action} ${c.cluster} ${c.kind} ${c.name}`)).toEqual(['delete dev-1 ConfigMap second']);
    const names = (await core('dev-1').listNamespacedConfigMap({ namespace: ns })).items.map((i) => i.metadata?.name).sort();
    expect(names).toContain('hand-made');
    expect(names).toContain('app-config');
    expect(names).not.toContain('second');
    const handMade = await core('dev-1').readNamespacedConfigMap({ name: 'hand-made', namespace: ns });
    expect(handMade.data).toEqual({ keep: 'me' });
  });

  it('converges the reachable clusters and fails the run when one cluster is down', async () => {
    const down: Cluster = { ...clusterDef('prod-1'), name: 'down-1', path: '/clusters/down-1.yml', serverUrl: `https://127.0.0.1:${await closedPort()}`, auth: { kind: 'tokenEnv', env: 'TOKEN_PROD_1' } };
    integration.setDesired([...NAMES.flatMap((c) => desiredFor(c, 'v3')), on('down-1', configMap(ns, 'app-config', { key: 'v3' }))]);
    const r = await run(false, { clusters: [...clusters(), down] });
    expect(r.outcome).toBe('failed');
    expect(r.errors.map((e) => [e.cluster, e.code])).toContainEqual(['down-1', 'E_CLUSTER_ACCESS']);
    expect(r.clusters.find((c) => c.cluster === 'down-1')?.reachable).toBe(false);
    for (const c of NAMES) expect((await core(c).readNamespacedConfigMap({ name: 'app-config', namespace: ns })).data).toEqual({ key: 'v3' });
  });

  it('registers an RBAC denial (restricted user) and a missing token env as errors of their clusters only', async () => {
    const restricted: Cluster = { ...clusterDef('prod-1'), name: 'alice-1', path: '/clusters/alice-1.yml', auth: { kind: 'tokenEnv', env: 'ALICE_TOKEN' } };
    const unconfigured: Cluster = { ...clusterDef('dev-1'), name: 'noenv-1', path: '/clusters/noenv-1.yml', auth: { kind: 'tokenEnv', env: 'NOT_SET_ANYWHERE' } };
    integration.setDesired([...NAMES.flatMap((c) => desiredFor(c, 'v3')), on('alice-1', configMap(ns, 'x', {})), on('noenv-1', configMap(ns, 'x', {}))]);
    const reporter = recorder();
    const connector = createConnector({ env: { ...env(), ALICE_TOKEN: testCluster('prod-1').restrictedToken }, kubeconfigPath: testClusters().kubeconfig, reporter, client: { transport } });
    const r = await runReconcile({ integrations: [integration], data: dataWith([...clusters(), restricted, unconfigured]), connect: connector.connect, dryRun: false, reporter });
    connector.closeAll();
    expect(r.outcome).toBe('failed');
    const byCluster = new Map(r.errors.map((e) => [e.cluster, e]));
    expect(byCluster.get('alice-1')).toMatchObject({ code: 'E_CLUSTER_ACCESS', message: expect.stringContaining('403') as unknown });
    expect(byCluster.get('noenv-1')).toMatchObject({ code: 'E_CLUSTER_CONFIG', message: expect.stringContaining('NOT_SET_ANYWHERE') as unknown });
    expect(r.errors.filter((e) => NAMES.some((n) => n === e.cluster))).toEqual([]);
    expect(r.clusters.filter((c) => c.reachable).map((c) => c.cluster).sort()).toEqual(['dev-1', 'prod-1', 'prod-2']);
    expect(JSON.stringify(r.errors)).not.toContain(testCluster('prod-1').restrictedToken);
  });

  it('sends no request at all when the desired state is invalid', async () => {
    let connects = 0;
    const bad = defineIntegration({
      name: 'broken', summary: 'x', kinds: integration.kinds,
      buildDesired: () => ({ objects: [], problems: [{ file: '/x.yml', field: 'name', message: 'bad' }] }),
    });
    const connect: Connect = () => { connects++; return Promise.reject(new Error('must not connect')); };
    await expect(runReconcile({ integrations: [integration, bad], data: dataWith(clusters()), connect, dryRun: false, reporter: recorder() }))
      .rejects.toMatchObject({ code: 'E_VALIDATION' });
    expect(connects).toBe(0);
  });

  it('re-reads a rotated token file after a 401 and succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kontract-rot-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'revoked-token-0000\n');
    const c: Cluster = { ...clusterDef('prod-1'), auth: { kind: 'tokenFile', file } };
    const reporter = recorder();
    const connector = createConnector({ env: {}, reporter, client: { transport } });
    // GIVEN a client that read the token file before the token was rotated
    const client = await connector.connect(c);
    // WHEN the file now holds the new, valid token
    writeFileSync(file, `${testCluster('prod-1').adminToken}\n`);
    integration.setDesired(desiredFor('prod-1', 'v3'));
    const r = await runReconcile({ integrations: [integration], data: dataWith([c]), connect: connector.connect, dryRun: 'client', reporter });
    connector.closeAll();
    // THEN the first LIST got a 401, the file was re-read, and the run succeeded
    expect(r.errors).toEqual([]);
    // the three kinds are LISTed concurrently: each first LIST may hit the 401 and is retried once
    expect(client.stats().byVerb.list).toBeGreaterThanOrEqual(4);
    expect(client.stats().byVerb.list).toBeLessThanOrEqual(6);
    expect(reporter.lines.some((l) => l.message.includes('401') && l.message.includes('re-read'))).toBe(true);
    expect(JSON.stringify(reporter.lines)).not.toContain(testCluster('prod-1').adminToken);
  });

  it('lets the apiserver validate every change with --dry-run=server without persisting', async () => {
    integration.setDesired([
      ...NAMES.flatMap((c) => desiredFor(c, 'v3')),
      on('prod-1', configMap(ns, 'valid-new', { a: 'b' })),
      on('prod-1', configMap(ns, 'invalid-new', { 'not a valid key!': 'b' })),
    ]);
    const r = await run('server');
    expect(r.plan.changes.map((c) => c.name).sort()).toEqual(['invalid-new', 'valid-new']);
    expect(r.applied.map((a) => [a.change.name, a.status]).sort()).toEqual([['invalid-new', 'failed'], ['valid-new', 'applied']]);
    expect(r.outcome).toBe('failed');
    const names = (await core('prod-1').listNamespacedConfigMap({ namespace: ns })).items.map((i) => i.metadata?.name);
    expect(names).not.toContain('valid-new');
  });

  it('reports a missing namespace clearly and still applies the rest', async () => {
    integration.setDesired([...NAMES.flatMap((c) => desiredFor(c, 'v3')), on('prod-1', configMap(`${ns}-missing`, 'x', {}))]);
    const reporter = recorder();
    const r = await run(false, { reporter });
    expect(r.outcome).toBe('failed');
    expect(r.errors.some((e) => e.cluster === 'prod-1' && e.message.includes(`namespace ${ns}-missing does not exist`))).toBe(true);
  });

  it('finds an unowned blocker among many new objects with one unfiltered LIST instead of a GET each', async () => {
    const bulkNs = uniqueName('bulk');
    await create('prod-1', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: bulkNs } });
    try {
      await create('prod-1', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-7', namespace: bulkNs }, data: { mine: 'yes' } });
      integration.setDesired(Array.from({ length: 150 }, (_, i) => on('prod-1', configMap(bulkNs, `cm-${i}`, { i: String(i) }))));
      const c: Cluster = clusterDef('prod-1');
      const r = await run(false, { clusters: [c] });
      expect(r.errors.map((e) => e.code)).toEqual(['E_OWNERSHIP_CONFLICT']);
      expect(r.errors[0]?.message).toContain('cm-7');
      const stats = r.clusters[0]!.stats;
      expect(stats.byVerb.get).toBe(0);
      // one owned LIST per kind (3) + one LIST of the ConfigMaps in that namespace
      expect(stats.byVerb.list).toBe(4);
      expect(stats.writes).toBe(0);
      expect((await core('prod-1').readNamespacedConfigMap({ name: 'cm-7', namespace: bulkNs })).data).toEqual({ mine: 'yes' });
    } finally {
      await core('prod-1').deleteNamespace({ name: bulkNs }).catch(() => undefined);
    }
  });

  it('never puts Secret data in results or logs', async () => {
    integration.setDesired(NAMES.flatMap((c) => desiredFor(c, 'v3')).map((d) => (d.object.kind === 'Secret' ? on(d.cluster, secret(ns, 'creds', 'rotated-secret-value')) : d)));
    const reporter = recorder();
    const r = await run(false, { reporter });
    expect(r.outcome).toBe('changes');
    const b64 = Buffer.from('rotated-secret-value').toString('base64');
    expect(JSON.stringify(reporter.lines)).not.toContain(b64);
    expect(JSON.stringify(r.errors)).not.toContain(b64);
  });
});
