/**
 * `npm run bench` (scripts/bench.js → dist/bench/bench.js): reconcile N owned objects over three
 * local clusters and four kinds; measures first wet run, no-op dry-run, 1 % change run, the raw
 * LIST floor and `kubectl diff`. Each phase runs in its own child process so peak RSS
 * (process.resourceUsage().maxRSS) belongs to that phase alone. Not a test: it prints a report.
 *
 *   node scripts/bench.js [--sizes 10000,20000] [--clusters-dir DIR] [--no-kubectl] [--kubectl-max N] [--case generic|resources]
 *
 * `--case resources`: the same N objects of the same four kinds, but from the `resources`
 * integration (qontract's openshift-resources): each is a `resource-template` entry of a
 * namespace's `openshiftResources`, rendered with nunjucks from one template per kind, its kinds
 * resolved through API discovery. Rendering is timed apart (`render`), before the run's clock.
 */
/* eslint-disable no-console -- a benchmark script's report is its output */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppInterfaceData, Cluster, Namespace } from '../app-interface/model.js';
import { readOpenshiftResources } from '../app-interface/openshift-resources.js';
import type { ManagedKind } from '../core/k8s-object.js';
import { silentReporter } from '../core/reporter.js';
import type { Reporter } from '../core/reporter.js';
import { defineIntegration } from '../integrations/define-integration.js';
import type { DesiredObject, Integration } from '../integrations/define-integration.js';
import { readState, resolveBinDir, startLocalClusters, stopLocalClusters } from '../local-cluster/index.js';
import type { LocalClustersState } from '../local-cluster/index.js';
import { resourcesIntegration } from '../integrations/resources/integration.js';
import { createConnector } from '../reconcile/connector.js';
import { runReconcile } from '../reconcile/run-reconcile.js';
import type { DryRunMode, ReconcileResult } from '../reconcile/run-reconcile.js';
import { markOwned, ownershipSelector } from '../resource-inventory/ownership.js';
import { desired, KINDS, NAMESPACES, NS_KIND } from './objects.js';

/** `generic` (a synthetic integration) or `resources` (the resources integration from templates). */
type BenchCase = 'generic' | 'resources';
const INTEGRATION = 'bench';
const integrationOf = (c: BenchCase): string => (c === 'resources' ? resourcesIntegration.name : INTEGRATION);
const stderrReporter: Reporter = {
  log: (level, message) => { if (level !== 'debug') process.stderr.write(`[bench] ${level} ${message}\n`); },
  result: () => undefined,
};

/** One template per kind (the resources case): the object's fields come from `variables`. */
const TEMPLATES: Readonly<Record<string, string>> = {
  '/bench/configmap.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r-{{ i }}\ndata:\n  key: {{ value }}\n  idx: "{{ i }}"\n',
  '/bench/secret.yml': 'apiVersion: v1\nkind: Secret\ntype: Opaque\nmetadata:\n  name: r-{{ i }}\ndata:\n  value: {{ ("s-" ~ value ~ "-" ~ i) | b64encode }}\n',
  '/bench/serviceaccount.yml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: r-{{ i }}\n  labels: {v: {{ value }}}\n',
  '/bench/service.yml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: r-{{ i }}\n  labels: {v: {{ value }}}\nspec:\n  clusterIP: None\n  ports:\n  - {name: http, port: 80, protocol: TCP, targetPort: 8080}\n',
};
const TEMPLATE_OF = ['/bench/configmap.yml', '/bench/secret.yml', '/bench/serviceaccount.yml', '/bench/service.yml'];

/**
 * The resources case's data: the namespaces bench-0…19 of every cluster, N `resource-template`
 * entries round-robin over clusters, namespaces and the four kinds, rendered as the data loader
 * does. Returns the data and the seconds rendering took.
 */
function resourcesData(size: number, clusters: readonly Cluster[], changed: boolean): { data: AppInterfaceData; renderSeconds: number } {
  const entries = new Map<string, { i: number; path: string; value: string }[]>();
  for (let i = 0; i < size; i++) {
    const cluster = clusters[i % clusters.length]?.name ?? '';
    const j = Math.floor(i / clusters.length);
    const key = `${cluster}/bench-${j % NAMESPACES}`;
    const list = entries.get(key) ?? [];
    list.push({ i: j, path: TEMPLATE_OF[j % TEMPLATE_OF.length] ?? '', value: changed && j % 100 === 0 ? 'changed' : 'v1' });
    entries.set(key, list);
  }
  const t0 = process.hrtime.bigint();
  const namespaces: Namespace[] = [];
  for (const c of clusters) {
    for (let n = 0; n < NAMESPACES; n++) {
      const name = `bench-${n}`;
      const path = `/bench/${c.name}/${name}.yml`;
      const list = entries.get(`${c.name}/${name}`) ?? [];
      const read = readOpenshiftResources({
        entries: list.map((e) => ({ provider: 'resource-template', path: e.path, variables: { i: e.i, value: e.value } })),
        origin: { file: path, field: 'openshiftResources' },
        namespace: { name, path, labels: {}, delete: false, clusterAdmin: false, managedResourceTypes: [], cluster: { name: c.name, serverUrl: c.serverUrl, labels: {} }, environment: { name: 'bench', parameters: null } },
        resource: (p) => TEMPLATES[p],
      });
      if (read.problems.length > 0) throw new Error(`bench templates: ${read.problems.map((p) => p.message).join('; ')}`);
      namespaces.push({
        path, name, description: '', cluster: c.name, labels: {}, annotations: {}, delete: false, managedByExternal: false, managedRoles: false,
        state: 'active', networkPoliciesAllow: [], isolated: false, managedResourceTypes: KINDS.map((k) => k.kind), openshiftResources: read.resources,
      });
    }
  }
  const renderSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { data: { ...dataOf(clusters), namespaces }, renderSeconds };
}

function benchIntegration(objects: readonly DesiredObject[]): Integration {
  return defineIntegration({ name: INTEGRATION, summary: 'benchmark', kinds: KINDS, buildDesired: () => ({ objects, problems: [] }) });
}

function clustersOf(state: LocalClustersState): { defs: Cluster[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = {};
  const defs = state.clusters.map((c, i): Cluster => {
    env[`BENCH_TOKEN_${i}`] = c.adminToken;
    return { path: `/${c.name}.yml`, name: c.name, description: '', serverUrl: c.server, ca: { path: c.caFile }, auth: { kind: 'tokenEnv', env: `BENCH_TOKEN_${i}` }, insecureSkipTLSVerify: false, disabledIntegrations: [], labels: {} };
  });
  return { defs, env };
}

const dataOf = (clusters: readonly Cluster[]) => ({ sha: 'bench', clusters, namespaces: [], quotas: [], limitRanges: [], roles: [], users: [], bots: [], tenants: [] });
const rssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

interface PhaseResult { phase: string; size: number; seconds: number; breakdown?: ReconcileResult['phaseSeconds']; renderSeconds?: number; reads: number; writes: number; changes: number; errors: number; maxRssMB: number }

async function phaseReconcile(state: LocalClustersState, size: number, dryRun: DryRunMode, changed: boolean, phase: string, benchCase: BenchCase): Promise<PhaseResult> {
  const { defs, env } = clustersOf(state);
  const connector = createConnector({ env, reporter: stderrReporter });
  // The desired objects stand in for the app-interface: generated (and, for the resources case,
  // rendered from templates) before the clock starts.
  const resources = benchCase === 'resources' ? resourcesData(size, defs, changed) : undefined;
  const integration = resources === undefined ? benchIntegration(desired(size, defs.map((d) => d.name), changed)) : resourcesIntegration;
  const t0 = process.hrtime.bigint();
  const r = await runReconcile({
    integrations: [integration], data: resources?.data ?? dataOf(defs), connect: connector.connect,
    dryRun, reporter: silentReporter, allowMassDeletion: true, maxDeletions: size,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  connector.closeAll();
  return {
    phase, size, seconds, breakdown: r.phaseSeconds, ...(resources === undefined ? {} : { renderSeconds: resources.renderSeconds }),
    changes: r.plan.changes.length, errors: r.errors.length, maxRssMB: rssMB(),
    reads: r.clusters.reduce((a, c) => a + c.stats.reads, 0), writes: r.clusters.reduce((a, c) => a + c.stats.writes, 0),
  };
}

/** The floor: the same paginated LISTs with a minimal raw https client, JSON parsed, nothing else. */
async function phaseFloor(state: LocalClustersState, size: number, integration: string): Promise<PhaseResult> {
  let reads = 0;
  const t0 = process.hrtime.bigint();
  const listAll = async (c: LocalClustersState['clusters'][number], kind: ManagedKind): Promise<number> => {
    const agent = new https.Agent({ keepAlive: true, ca: readFileSync(c.caFile) });
    let cont = '';
    let n = 0;
    do {
      const q = new URLSearchParams({ labelSelector: ownershipSelector(integration), limit: '500', ...(cont === '' ? {} : { continue: cont }) });
      const body = await new Promise<string>((res, rej) => {
        https.get(`${c.server}/api/v1/${kind.plural}?${q.toString()}`, { agent, headers: { Authorization: `Bearer ${c.adminToken}`, Accept: 'application/json' } }, (resp) => {
          const chunks: Buffer[] = [];
          resp.on('data', (d: Buffer) => chunks.push(d));
          resp.on('end', () => { res(Buffer.concat(chunks).toString('utf8')); });
          resp.on('error', rej);
        }).on('error', rej);
      });
      reads++;
      const parsed = JSON.parse(body) as { items: unknown[]; metadata: { continue?: string } };
      n += parsed.items.length;
      cont = parsed.metadata.continue ?? '';
    } while (cont !== '');
    agent.destroy();
    return n;
  };
  const counts = await Promise.all(state.clusters.flatMap((c) => KINDS.map((k) => listAll(c, k))));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { phase: 'floor', size, seconds, reads, writes: 0, changes: counts.reduce((a, b) => a + b, 0), errors: 0, maxRssMB: rssMB() };
}

/**
 * The same LISTs over HTTP/2 (one connection per cluster, a stream per kind, as client-go talks to
 * apiservers). Reported next to the HTTP/1.1 floor, which uses kontract's own transport.
 */
async function phaseFloorH2(state: LocalClustersState, size: number, integration: string): Promise<PhaseResult> {
  let reads = 0;
  const t0 = process.hrtime.bigint();
  const counts = await Promise.all(state.clusters.map(async (c) => {
    const session = http2.connect(c.server, { ca: readFileSync(c.caFile), settings: { initialWindowSize: 16 * 1024 * 1024 } });
    session.on('connect', () => { session.setLocalWindowSize(32 * 1024 * 1024); });
    try {
      const perKind = await Promise.all(KINDS.map(async (kind) => {
        let cont = '';
        let n = 0;
        do {
          const q = new URLSearchParams({ labelSelector: ownershipSelector(integration), limit: '500', ...(cont === '' ? {} : { continue: cont }) });
          const body = await new Promise<string>((res, rej) => {
            const req = session.request({ ':path': `/api/v1/${kind.plural}?${q.toString()}`, authorization: `Bearer ${c.adminToken}`, accept: 'application/json' });
            const chunks: Buffer[] = [];
            req.on('data', (d: Buffer) => chunks.push(d));
            req.on('end', () => { res(Buffer.concat(chunks).toString('utf8')); });
            req.on('error', rej);
            req.end();
          });
          reads++;
          const parsed = JSON.parse(body) as { items: unknown[]; metadata: { continue?: string } };
          n += parsed.items.length;
          cont = parsed.metadata.continue ?? '';
        } while (cont !== '');
        return n;
      }));
      return perKind.reduce((a, b) => a + b, 0);
    } finally {
      session.close();
    }
  }));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { phase: 'floor-h2', size, seconds, reads, writes: 0, changes: counts.reduce((a, b) => a + b, 0), errors: 0, maxRssMB: rssMB() };
}

async function child(args: readonly string[]): Promise<void> {
  const get = (f: string): string => args[args.indexOf(f) + 1] ?? '';
  const state = readState(get('--state'));
  if (state === undefined) throw new Error('no cluster state');
  const size = Number(get('--size'));
  const phase = get('--phase');
  const benchCase: BenchCase = args.includes('--case') && get('--case') === 'resources' ? 'resources' : 'generic';
  const r = phase === 'floor' ? await phaseFloor(state, size, integrationOf(benchCase))
    : phase === 'floor-h2' ? await phaseFloorH2(state, size, integrationOf(benchCase))
    : phase === 'wet' ? await phaseReconcile(state, size, false, false, phase, benchCase)
      : phase === 'noop' ? await phaseReconcile(state, size, 'client', false, phase, benchCase)
        : phase === 'change' ? await phaseReconcile(state, size, false, true, phase, benchCase)
          : await phaseReconcile(state, size, false, false, phase, benchCase);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

function runChild(stateDir: string, size: number, phase: string, benchCase: BenchCase): Promise<PhaseResult> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', '--state', stateDir, '--size', String(size), '--phase', phase, '--case', benchCase], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('close', (code) => {
      if (code !== 0) { rej(new Error(`phase ${phase} exited ${code}`)); return; }
      res(JSON.parse(out.trim().split('\n').pop() ?? '{}') as PhaseResult);
    });
  });
}

async function ensureNamespaces(state: LocalClustersState): Promise<void> {
  const { defs, env } = clustersOf(state);
  const connector = createConnector({ env, reporter: stderrReporter });
  for (const d of defs) {
    const c = await connector.connect(d);
    for (let i = 0; i < NAMESPACES; i++) await c.apply(NS_KIND, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${i}` } }, { dryRun: false });
  }
  connector.closeAll();
}

function kubectlDiff(state: LocalClustersState, size: number, workDir: string, maxObjects: number): Promise<{ seconds: number; objects: number }> {
  const kubectl = join(state.binDir, 'kubectl');
  const names = state.clusters.map((c) => c.name);
  const objs = desired(size, names, false).slice(0, maxObjects);
  const t0 = process.hrtime.bigint();
  return Promise.all(state.clusters.map((c) => {
    const file = join(workDir, `${c.name}-${size}.json`);
    const items = objs.filter((d) => d.cluster === c.name).map((d) => markOwned(d.object, INTEGRATION));
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    return new Promise<void>((res, rej) => {
      execFile(kubectl, ['--kubeconfig', state.kubeconfig, '--context', c.context, 'diff', '--server-side', '--field-manager=kontract', '--force-conflicts', '-f', file], { maxBuffer: 256 * 1024 * 1024 }, (err) => {
        // exit 1 = differences found; anything else is a failure
        if (err !== null && err.code !== 1) { rej(new Error(`kubectl diff failed: ${err.message}`)); return; }
        res();
      });
    });
  })).then(() => ({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, objects: objs.length }));
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--child')) { await child(argv); return; }
  const flag = (f: string): string | undefined => { const i = argv.indexOf(f); return i < 0 ? undefined : argv[i + 1]; };
  const sizes = (flag('--sizes') ?? '10000,20000').split(',').map(Number);
  const kubectlMax = Number(flag('--kubectl-max') ?? '1000000');
  const benchCase: BenchCase = flag('--case') === 'resources' ? 'resources' : 'generic';
  let stateDir = flag('--clusters-dir');
  let started = false;
  if (stateDir === undefined) {
    stateDir = mkdtempSync(join(tmpdir(), 'kontract-bench-'));
    const binDir = await resolveBinDir({ reporter: stderrReporter, binDir: process.env.K8S_BIN_DIR, env: process.env });
    await startLocalClusters({ dir: stateDir, names: ['prod-1', 'prod-2', 'dev-1'], binDir, reporter: stderrReporter });
    started = true;
  }
  const state = readState(stateDir);
  if (state === undefined) throw new Error(`no local clusters in ${stateDir}`);
  const work = mkdtempSync(join(tmpdir(), 'kontract-bench-kubectl-'));
  const report: Record<string, unknown>[] = [];
  try {
    await ensureNamespaces(state);
    for (const size of sizes) {
      console.error(`[bench] ${benchCase} size ${size}: first wet run`);
      const wet = await runChild(stateDir, size, 'wet', benchCase);
      const noop = await runChild(stateDir, size, 'noop', benchCase);
      const floor = await runChild(stateDir, size, 'floor', benchCase);
      const floorH2 = await runChild(stateDir, size, 'floor-h2', benchCase);
      const change = await runChild(stateDir, size, 'change', benchCase);
      await runChild(stateDir, size, 'wet', benchCase); // restore the 1 % so the next size starts clean
      // kubectl diff applies to the generic case's manifests only.
      const kd = argv.includes('--no-kubectl') || benchCase === 'resources' ? undefined : await kubectlDiff(state, size, work, kubectlMax);
      const row = { case: benchCase, size, wet, noop, floor, floorH2, change, noopToFloor: noop.seconds / floor.seconds, noopToFloorH2: noop.seconds / floorH2.seconds, kubectlDiff: kd, kubectlToNoop: kd === undefined ? undefined : kd.seconds / noop.seconds };
      report.push(row);
      console.log(JSON.stringify(row));
    }
    const a = report[0]?.noop as PhaseResult | undefined;
    const b = report[1]?.noop as PhaseResult | undefined;
    if (a !== undefined && b !== undefined) console.log(JSON.stringify({ noopScaling: b.seconds / a.seconds }));
  } finally {
    if (started) await stopLocalClusters(stateDir, stderrReporter);
  }
}

await main(process.argv.slice(2));
