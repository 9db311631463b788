/**
 * `npm run bench` (scripts/bench.js → dist/bench/bench.js): reconcile N owned objects over three
 * (or `--clusters N`) local clusters and four kinds; measures first wet run, no-op dry-run, 1 %
 * change run, the raw LIST floors (HTTP/1.1 and HTTP/2), the write floor, `kubectl diff` and
 * `kubectl apply --dry-run=server`. Each phase runs in its own child process so peak RSS
 * (process.resourceUsage().maxRSS) belongs to that phase alone. Not a test: it prints a report.
 *
 *   node scripts/bench.js [--mode full|pairs|changed-since|overload|writes|change] [--sizes 10000,20000] [--clusters N]
 *     [--clusters-dir DIR] [--transport h1|h2] [--concurrency N] [--pairs N] [--no-kubectl] [--kubectl-max N]
 *     [--case generic|resources] [--shares S] [--concurrency-list a,b]
 *
 * The modes are described in docs/benchmarks.md.
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
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { silentReporter } from '../core/reporter.js';
import type { Reporter } from '../core/reporter.js';
import { defineIntegration } from '../integrations/define-integration.js';
import type { DesiredObject, Integration } from '../integrations/define-integration.js';
import { rawListAll } from './raw-h1.js';
import { readState, resolveBinDir, startLocalClusters, stopLocalClusters } from '../local-cluster/index.js';
import type { LocalClustersState } from '../local-cluster/index.js';
import { resourcesIntegration } from '../integrations/resources/integration.js';
import { createConnector } from '../reconcile/connector.js';
import type { ConnectorOptions } from '../reconcile/connector.js';
import { DEFAULT_CONCURRENCY, runReconcile } from '../reconcile/run-reconcile.js';
import type { DryRunMode, ReconcileResult } from '../reconcile/run-reconcile.js';
import { liveMatchesDesired } from '../resource-inventory/diff.js';
import { INTEGRATION_LABEL, markOwned, ownershipSelector, SOURCE_SHA_ANNOTATION, sourceHash } from '../resource-inventory/ownership.js';
import { desired, KINDS, NAMESPACES, NS_KIND } from './objects.js';
import { cpuSince, deleteFloorObjects, ensureBenchNamespaces, FLOOR_NS_PREFIX, overloadMetrics, removeOverload, setOverload, writeFloor } from './writes.js';
import { changedWork } from '../reconcile/changed-since.js';

/** `--transport` of kontract's client (src/k8s/transport.ts). */
type TransportKind = NonNullable<NonNullable<ConnectorOptions['client']>['transport']>;

/** `generic` (a synthetic integration) or `resources` (the resources integration from templates). */
type BenchCase = 'generic' | 'resources';
const INTEGRATION = 'bench';
/** The overload runs' own integration and namespaces (alice's objects). */
const OVERLOAD_INTEGRATION = 'bench-overload';
const OVERLOAD_NS_PREFIX = 'benchq';
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

function benchIntegration(objects: readonly DesiredObject[], name: string = INTEGRATION): Integration {
  return defineIntegration({ name, summary: 'benchmark', kinds: KINDS, buildDesired: () => ({ objects, problems: [] }) });
}

function clustersOf(state: LocalClustersState, user: 'admin' | 'alice' = 'admin'): { defs: Cluster[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = {};
  const defs = state.clusters.map((c, i): Cluster => {
    env[`BENCH_TOKEN_${i}`] = user === 'admin' ? c.adminToken : c.restrictedToken;
    return { path: `/${c.name}.yml`, name: c.name, description: '', serverUrl: c.server, ca: { path: c.caFile }, auth: { kind: 'tokenEnv', env: `BENCH_TOKEN_${i}` }, insecureSkipTLSVerify: false, disabledIntegrations: [], labels: {} };
  });
  return { defs, env };
}

const dataOf = (clusters: readonly Cluster[]) => ({ sha: 'bench', clusters, namespaces: [], quotas: [], limitRanges: [], roles: [], users: [], bots: [], tenants: [] });
const rssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

interface PhaseResult {
  phase: string; size: number; seconds: number; breakdown?: ReconcileResult['phaseSeconds']; renderSeconds?: number;
  /** CPU seconds (user + system) of the timed part. */
  cpuSeconds?: number;
  reads: number; writes: number; changes: number; errors: number; maxRssMB: number;
  transport?: string; protocol?: string; concurrency?: number;
  /** HTTP requests sent by status (0: no answer), retries included. */
  statuses?: Record<string, number>;
  /** Per cluster, the lowest limit of requests in flight its 429s brought it to (absent: never throttled). */
  lowestConcurrency?: (number | null)[];
}

/** How a reconcile phase runs: transport, per-cluster concurrency, user, its objects. */
interface RunSettings {
  readonly transport?: TransportKind;
  readonly concurrency?: number;
  readonly user?: 'admin' | 'alice';
  /** Integration name and namespaces of the objects (the overload runs use their own). */
  readonly integration?: string;
  readonly nsPrefix?: string;
  /** No desired object: the run deletes what the integration owns. */
  readonly empty?: boolean;
}

async function phaseReconcile(state: LocalClustersState, size: number, dryRun: DryRunMode, changed: boolean, phase: string, benchCase: BenchCase, run: RunSettings = {}): Promise<PhaseResult> {
  const { defs, env } = clustersOf(state, run.user);
  const statuses: Record<string, number> = {};
  const concurrency = run.concurrency ?? DEFAULT_CONCURRENCY;
  const connector = createConnector({
    env, reporter: stderrReporter, client: run.transport === undefined ? {} : { transport: run.transport },
    onRequest: (_cluster, _verb, status) => { statuses[status] = (statuses[status] ?? 0) + 1; },
  });
  // The desired objects stand in for the app-interface: generated (and, for the resources case,
  // rendered from templates) before the clock starts.
  const resources = benchCase === 'resources' ? resourcesData(size, defs, changed) : undefined;
  const objects = run.empty === true ? [] : desired(size, defs.map((d) => d.name), changed, run.nsPrefix);
  const integration = resources === undefined ? benchIntegration(objects, run.integration) : resourcesIntegration;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const r = await runReconcile({
    integrations: [integration], data: resources?.data ?? dataOf(defs), connect: connector.connect,
    dryRun, reporter: silentReporter, allowMassDeletion: true, maxDeletions: Math.max(size, 1), concurrency,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = cpuSince(cpu0);
  const protocol = r.clusters[0]?.stats.protocol;
  connector.closeAll();
  return {
    phase, size, seconds, cpuSeconds, breakdown: r.phaseSeconds, ...(resources === undefined ? {} : { renderSeconds: resources.renderSeconds }),
    changes: r.plan.changes.length, errors: r.errors.length, maxRssMB: rssMB(),
    reads: r.clusters.reduce((a, c) => a + c.stats.reads, 0), writes: r.clusters.reduce((a, c) => a + c.stats.writes, 0),
    transport: run.transport ?? 'default', ...(protocol === undefined ? {} : { protocol }), concurrency, statuses,
    ...(r.clusters.some((c) => c.stats.lowestConcurrency !== undefined) ? { lowestConcurrency: r.clusters.map((c) => c.stats.lowestConcurrency ?? null) } : {}),
  };
}

/**
 * `--changed-since` at N objects: one object (a ConfigMap on the first cluster) differs between
 * the base and the head desired state. Timed: the comparison of both desired states
 * (`changedWork`, reconcile/changed-since.ts) plus the narrowed dry-run. The bench integration's
 * desired state is chosen by the data's sha (base / head), standing in for two app-interfaces.
 */
async function phaseChangedSince(state: LocalClustersState, size: number, transport: TransportKind | undefined): Promise<PhaseResult> {
  const { defs, env } = clustersOf(state);
  const names = defs.map((d) => d.name);
  const base = desired(size, names, false);
  const head = base.map((d, i) => (i === 0 ? { ...d, object: { ...d.object, data: { key: 'edited', idx: '0' } } } : d));
  const integration = defineIntegration({ name: INTEGRATION, summary: 'benchmark', kinds: KINDS, buildDesired: (ctx) => ({ objects: ctx.data.sha === 'head' ? head : base, problems: [] }) });
  const connector = createConnector({ env, reporter: stderrReporter, client: transport === undefined ? {} : { transport } });
  const t0 = process.hrtime.bigint();
  const work = await changedWork([integration], { ...dataOf(defs), sha: 'base' }, { ...dataOf(defs), sha: 'head' }, { env, cwd: process.cwd(), now: new Date(), reporter: silentReporter });
  const data = { ...dataOf(defs.filter((d) => work.clusters.includes(d.name))), sha: 'head' };
  const r = await runReconcile({ integrations: work.integrations, data, connect: connector.connect, dryRun: 'client', reporter: silentReporter, allowMassDeletion: true, maxDeletions: size });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  connector.closeAll();
  return {
    phase: 'changed-since', size, seconds, breakdown: r.phaseSeconds, changes: r.plan.changes.length, errors: r.errors.length, maxRssMB: rssMB(),
    reads: r.clusters.reduce((a, c) => a + c.stats.reads, 0), writes: r.clusters.reduce((a, c) => a + c.stats.writes, 0),
  };
}

/** What a floor does with each page's items besides counting them (the compare floor's check). */
type PageHook = (cluster: string, kind: ManagedKind, items: unknown[]) => void;

/**
 * The floor: the same paginated LISTs with a minimal raw https client, JSON parsed, nothing else.
 * `startHook` (the compare floor) is called once the clock runs; its hook sees every page.
 */
async function phaseFloor(state: LocalClustersState, size: number, integration: string, startHook?: () => PageHook): Promise<PhaseResult> {
  let reads = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const hook = startHook?.();
  const listAll = async (c: LocalClustersState['clusters'][number], kind: ManagedKind): Promise<number> => {
    const agent = new https.Agent({ keepAlive: true, ca: readFileSync(c.caFile) });
    const got = await rawListAll({ server: c.server, token: c.adminToken, agent }, `/api/v1/${kind.plural}`, ownershipSelector(integration), hook === undefined ? undefined : (items) => { hook(c.name, kind, items); });
    agent.destroy();
    reads += got.pages;
    return got.items;
  };
  const counts = await Promise.all(state.clusters.flatMap((c) => KINDS.map((k) => listAll(c, k))));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { phase: 'floor', size, seconds, cpuSeconds: cpuSince(cpu0), reads, writes: 0, changes: counts.reduce((a, b) => a + b, 0), errors: 0, maxRssMB: rssMB() };
}

/**
 * The same LISTs over HTTP/2 (one connection per cluster, a stream per kind, as client-go talks to
 * apiservers). Reported next to the HTTP/1.1 floor, which uses kontract's own transport.
 */
async function phaseFloorH2(state: LocalClustersState, size: number, integration: string, startHook?: () => PageHook): Promise<PhaseResult> {
  let reads = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const hook = startHook?.();
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
          hook?.(c.name, kind, parsed.items);
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
  return { phase: 'floor-h2', size, seconds, cpuSeconds: cpuSince(cpu0), reads, writes: 0, changes: counts.reduce((a, b) => a + b, 0), errors: 0, maxRssMB: rssMB() };
}

/**
 * The compare floors (`floor-compare`, `floor-compare-h2`): a LIST floor plus the least a correct
 * no-op must do per listed object, still with the minimal client. The desired objects are built
 * before the clock (generated, or for the resources case rendered and built by its integration);
 * on the clock they are indexed by cluster, namespace and name, and each listed object gets its
 * apiVersion and kind stamped (LIST items carry none), its ownership label checked, its
 * source-sha annotation compared with sha256 of the desired object (memoised) and the planner's
 * subset walk (liveMatchesDesired). No inventory, no retries, no plan. Fails unless every object
 * is unchanged. It tells how much of the no-op's distance to the LIST floor is the comparison.
 */
async function phaseCompareFloor(state: LocalClustersState, size: number, benchCase: BenchCase, transport: 'h1' | 'h2'): Promise<PhaseResult> {
  const integration = integrationOf(benchCase);
  const { defs } = clustersOf(state);
  const objects = benchCase === 'resources'
    ? (await resourcesIntegration.buildDesired({ data: resourcesData(size, defs, false).data, env: {}, cwd: '/', now: new Date() })).objects
    : desired(size, defs.map((d) => d.name), false);
  let unchanged = 0;
  const startHook = (): PageHook => {
    type Entry = { object: KubeObject; sha: string | undefined };
    const index = new Map<string, Map<string, Map<string, Entry>>>();
    for (const d of objects) {
      let byNs = index.get(d.cluster);
      if (byNs === undefined) index.set(d.cluster, (byNs = new Map<string, Map<string, Entry>>()));
      const ns = d.object.metadata.namespace ?? '';
      let byName = byNs.get(ns);
      if (byName === undefined) byNs.set(ns, (byName = new Map<string, Entry>()));
      byName.set(d.object.metadata.name, { object: d.object, sha: undefined });
    }
    return (cluster, kind, items) => {
      const byNs = index.get(cluster);
      for (const item of items as KubeObject[]) {
        item.apiVersion = kind.version;
        item.kind = kind.kind;
        if (item.metadata.labels?.[INTEGRATION_LABEL] !== integration) continue;
        const d = byNs?.get(item.metadata.namespace ?? '')?.get(item.metadata.name);
        if (d === undefined) continue;
        d.sha ??= sourceHash(d.object);
        if (item.metadata.annotations?.[SOURCE_SHA_ANNOTATION] === d.sha && liveMatchesDesired(item, d.object)) unchanged++;
      }
    };
  };
  const r = transport === 'h1' ? await phaseFloor(state, size, integration, startHook) : await phaseFloorH2(state, size, integration, startHook);
  if (unchanged !== size) throw new Error(`compare floor: ${unchanged} of ${size} objects unchanged (run the wet phase first)`);
  return { ...r, phase: transport === 'h1' ? 'floor-compare' : 'floor-compare-h2', changes: 0 };
}

async function child(args: readonly string[]): Promise<void> {
  const get = (f: string): string | undefined => (args.includes(f) ? args[args.indexOf(f) + 1] : undefined);
  const state = readState(get('--state') ?? '');
  if (state === undefined) throw new Error('no cluster state');
  const size = Number(get('--size'));
  const phase = get('--phase') ?? '';
  const benchCase: BenchCase = get('--case') === 'resources' ? 'resources' : 'generic';
  const t = get('--transport');
  const transport = t === 'h1' || t === 'h2' ? t : undefined;
  const concurrency = get('--concurrency') === undefined ? undefined : Number(get('--concurrency'));
  const run: RunSettings = { ...(transport === undefined ? {} : { transport }), ...(concurrency === undefined ? {} : { concurrency }) };
  const overload: RunSettings = { ...run, user: 'alice', integration: OVERLOAD_INTEGRATION, nsPrefix: OVERLOAD_NS_PREFIX };
  // `--mode writes`: kontract's creates as admin into namespaces where none of its objects exist yet.
  const fresh: RunSettings = { ...run, integration: OVERLOAD_INTEGRATION, nsPrefix: OVERLOAD_NS_PREFIX };
  const writeFloorPhase = async (changedOnly: boolean, restore = false): Promise<PhaseResult> => {
    const w = await writeFloor(state, size, changedOnly, concurrency ?? DEFAULT_CONCURRENCY, restore);
    return { phase, size, seconds: w.seconds, cpuSeconds: w.cpuSeconds, reads: 0, writes: w.writes, changes: w.writes, errors: w.failed, maxRssMB: rssMB(), concurrency: concurrency ?? DEFAULT_CONCURRENCY };
  };
  const r = phase === 'floor' ? await phaseFloor(state, size, integrationOf(benchCase))
    : phase === 'floor-compare' ? await phaseCompareFloor(state, size, benchCase, 'h1')
    : phase === 'floor-compare-h2' ? await phaseCompareFloor(state, size, benchCase, 'h2')
    : phase === 'floor-h2' ? await phaseFloorH2(state, size, integrationOf(benchCase))
      : phase === 'noop' ? await phaseReconcile(state, size, 'client', false, phase, benchCase, run)
        : phase === 'change' ? await phaseReconcile(state, size, false, true, phase, benchCase, run)
          : phase === 'changed-since' ? await phaseChangedSince(state, size, transport)
            : phase === 'write-floor' ? await writeFloorPhase(false)
              : phase === 'write-floor-change' ? await writeFloorPhase(true)
              : phase === 'write-floor-restore' ? await writeFloorPhase(true, true)
                : phase === 'fresh-wet' ? await phaseReconcile(state, size, false, false, phase, 'generic', fresh)
                : phase === 'fresh-change' ? await phaseReconcile(state, size, false, true, phase, 'generic', fresh)
                : phase === 'fresh-delete' ? await phaseReconcile(state, size, false, false, phase, 'generic', { ...fresh, empty: true })
                : phase === 'overload-wet' ? await phaseReconcile(state, size, false, false, phase, 'generic', overload)
                  : phase === 'overload-delete' ? await phaseReconcile(state, size, false, false, phase, 'generic', { ...overload, empty: true })
                    : await phaseReconcile(state, size, false, false, phase, benchCase, run);
  process.stdout.write(`${JSON.stringify(r)}\n`);
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

interface ChildOptions { readonly transport?: TransportKind; readonly concurrency?: number }

function runChild(stateDir: string, size: number, phase: string, benchCase: BenchCase, o: ChildOptions = {}): Promise<PhaseResult> {
  const extra = [...(o.transport === undefined ? [] : ['--transport', o.transport]), ...(o.concurrency === undefined ? [] : ['--concurrency', String(o.concurrency)])];
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', '--state', stateDir, '--size', String(size), '--phase', phase, '--case', benchCase, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('close', (code) => {
      if (code !== 0) { rej(new Error(`phase ${phase} exited ${code}`)); return; }
      res(JSON.parse(out.trim().split('\n').pop() ?? '{}') as PhaseResult);
    });
  });
}

/** One kubectl per cluster in parallel over the same manifests (ownership marks included); resolves the wall seconds. */
function kubectlPerCluster(state: LocalClustersState, size: number, workDir: string, maxObjects: number, args: readonly string[], okCodes: readonly number[]): Promise<{ seconds: number; objects: number }> {
  const kubectl = join(state.binDir, 'kubectl');
  const names = state.clusters.map((c) => c.name);
  const objs = desired(size, names, false).slice(0, maxObjects);
  const files = state.clusters.map((c) => {
    const file = join(workDir, `${c.name}-${size}.json`);
    const items = objs.filter((d) => d.cluster === c.name).map((d) => markOwned(d.object, INTEGRATION));
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    return file;
  });
  const t0 = process.hrtime.bigint();
  return Promise.all(state.clusters.map((c, i) => new Promise<void>((res, rej) => {
    execFile(kubectl, ['--kubeconfig', state.kubeconfig, '--context', c.context, ...args, '-f', files[i] ?? ''], { maxBuffer: 256 * 1024 * 1024 }, (err) => {
      if (err !== null && !okCodes.includes(typeof err.code === 'number' ? err.code : -1)) { rej(new Error(`kubectl ${args[0] ?? ''} failed: ${err.message.slice(0, 500)}`)); return; }
      res();
    });
  }))).then(() => ({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, objects: objs.length }));
}

/** `kubectl diff --server-side` (exit 1 = differences found). */
const kubectlDiff = (state: LocalClustersState, size: number, workDir: string, maxObjects: number) =>
  kubectlPerCluster(state, size, workDir, maxObjects, ['diff', '--server-side', '--field-manager=kontract', '--force-conflicts'], [1]);
/** `kubectl apply --server-side --dry-run=server`. */
const kubectlApplyDryRun = (state: LocalClustersState, size: number, workDir: string, maxObjects: number) =>
  kubectlPerCluster(state, size, workDir, maxObjects, ['apply', '--server-side', '--dry-run=server', '--field-manager=kontract', '--force-conflicts'], []);

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m] ?? NaN : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** `--mode full`: per size, the first wet run, no-op, floors, write floor, 1 % change, kubectl. */
async function modeFull(ctx: ModeContext): Promise<void> {
  const { stateDir, state, sizes, benchCase, argv, child: o } = ctx;
  const kubectlMax = Number(flagOf(argv, '--kubectl-max') ?? '1000000');
  const work = mkdtempSync(join(tmpdir(), 'kontract-bench-kubectl-'));
  const report: Record<string, unknown>[] = [];
  if (benchCase === 'generic') await ensureBenchNamespaces(state, FLOOR_NS_PREFIX);
  for (const size of sizes) {
    console.error(`[bench] ${benchCase} size ${size}: first wet run`);
    const wet = await runChild(stateDir, size, 'wet', benchCase, o);
    const noop = await runChild(stateDir, size, 'noop', benchCase, o);
    const floor = await runChild(stateDir, size, 'floor', benchCase);
    const floorH2 = await runChild(stateDir, size, 'floor-h2', benchCase);
    // The write floor (generic case): the same applies into its own namespaces, then removed.
    const writeFloorWet = benchCase === 'generic' ? await runChild(stateDir, size, 'write-floor', benchCase, o) : undefined;
    const writeFloorChange = benchCase === 'generic' ? await runChild(stateDir, size, 'write-floor-change', benchCase, o) : undefined;
    if (benchCase === 'generic') await deleteFloorObjects(state, size);
    const change = await runChild(stateDir, size, 'change', benchCase, o);
    await runChild(stateDir, size, 'wet', benchCase, o); // restore the 1 % so the next size starts clean
    // kubectl applies to the generic case's manifests only.
    const withKubectl = !argv.includes('--no-kubectl') && benchCase === 'generic';
    const kd = withKubectl ? await kubectlDiff(state, size, work, kubectlMax) : undefined;
    const ka = withKubectl ? await kubectlApplyDryRun(state, size, work, kubectlMax) : undefined;
    const row = {
      case: benchCase, size, wet, noop, floor, floorH2, change, writeFloorWet, writeFloorChange,
      noopToFloor: noop.seconds / floor.seconds, noopToFloorH2: noop.seconds / floorH2.seconds,
      noopToBestFloor: noop.seconds / Math.min(floor.seconds, floorH2.seconds),
      wetToWriteFloor: writeFloorWet === undefined ? undefined : wet.seconds / writeFloorWet.seconds,
      changeToWriteFloor: writeFloorChange === undefined ? undefined : change.seconds / (writeFloorChange.seconds + Math.min(floor.seconds, floorH2.seconds)),
      kubectlDiff: kd, kubectlToNoop: kd === undefined ? undefined : kd.seconds / noop.seconds,
      kubectlApplyDryRun: ka, kubectlApplyToNoop: ka === undefined ? undefined : ka.seconds / noop.seconds,
    };
    report.push(row);
    console.log(JSON.stringify(row));
  }
  const a = report[0]?.noop as PhaseResult | undefined;
  const b = report[1]?.noop as PhaseResult | undefined;
  if (a !== undefined && b !== undefined) console.log(JSON.stringify({ noopScaling: b.seconds / a.seconds }));
}

/**
 * `--mode pairs`: per size, one wet run, then `--pairs N` rounds of the no-op over HTTP/1.1 and
 * HTTP/2, both LIST floors and both compare floors (phaseCompareFloor), the order rotated every
 * round; medians per size.
 */
async function modePairs(ctx: ModeContext): Promise<void> {
  const { stateDir, sizes, benchCase, argv } = ctx;
  const pairs = Number(flagOf(argv, '--pairs') ?? '10');
  const runs: readonly { name: string; phase: string; o: ChildOptions }[] = [
    { name: 'noop-h1', phase: 'noop', o: { transport: 'h1' } }, { name: 'noop-h2', phase: 'noop', o: { transport: 'h2' } },
    { name: 'floor-h1', phase: 'floor', o: {} }, { name: 'floor-h2', phase: 'floor-h2', o: {} },
    { name: 'floor-compare-h1', phase: 'floor-compare', o: {} }, { name: 'floor-compare-h2', phase: 'floor-compare-h2', o: {} },
  ];
  for (const size of sizes) {
    console.error(`[bench] ${benchCase} size ${size}: wet run, then ${pairs} interleaved rounds`);
    const wet = await runChild(stateDir, size, 'wet', benchCase, ctx.child);
    const got = new Map<string, PhaseResult[]>(runs.map((r) => [r.name, []]));
    for (let round = 0; round < pairs; round++) {
      for (let j = 0; j < runs.length; j++) {
        const r = runs[(round + j) % runs.length];
        if (r === undefined) continue;
        got.get(r.name)?.push(await runChild(stateDir, size, r.phase, benchCase, r.o));
      }
    }
    const sec = (n: string): number[] => (got.get(n) ?? []).map((x) => x.seconds);
    const row: Record<string, unknown> = { case: benchCase, size, clusters: ctx.state.clusters.length, pairs, wet: { seconds: r3(wet.seconds), writes: wet.writes, errors: wet.errors } };
    for (const r of runs) {
      const xs = got.get(r.name) ?? [];
      row[r.name] = { median: r3(median(sec(r.name))), min: r3(Math.min(...sec(r.name))), max: r3(Math.max(...sec(r.name))), maxRssMB: median(xs.map((x) => x.maxRssMB)), writes: Math.max(...xs.map((x) => x.writes)), reads: median(xs.map((x) => x.reads)), errors: Math.max(...xs.map((x) => x.errors)) };
    }
    const best = Math.min(median(sec('floor-h1')), median(sec('floor-h2')));
    // Ratios per round (each side against the better of two others in the same round), then the median.
    const betterOf = (x: string, y: string): number[] => sec(x).map((v, i) => Math.min(v, sec(y)[i] ?? Infinity));
    const overRounds = (xs: readonly number[], den: readonly number[]): number => r3(median(xs.map((v, i) => v / (den[i] ?? NaN))));
    const floorPerRound = betterOf('floor-h1', 'floor-h2');
    const comparePerRound = betterOf('floor-compare-h1', 'floor-compare-h2');
    row.h1ToBestFloor = { ofMedians: r3(median(sec('noop-h1')) / best), medianOfRounds: overRounds(sec('noop-h1'), floorPerRound) };
    row.h2ToBestFloor = { ofMedians: r3(median(sec('noop-h2')) / best), medianOfRounds: overRounds(sec('noop-h2'), floorPerRound) };
    // The comparison's own share: the better compare floor against the better LIST floor, and each
    // no-op against the better compare floor of its round.
    const compareMedian = Math.min(median(sec('floor-compare-h1')), median(sec('floor-compare-h2')));
    row.compareToBestFloor = { ofMedians: r3(compareMedian / best), medianOfRounds: overRounds(comparePerRound, floorPerRound) };
    row.h1ToCompareFloor = { ofMedians: r3(median(sec('noop-h1')) / compareMedian), medianOfRounds: overRounds(sec('noop-h1'), comparePerRound) };
    row.h2ToCompareFloor = { ofMedians: r3(median(sec('noop-h2')) / compareMedian), medianOfRounds: overRounds(sec('noop-h2'), comparePerRound) };
    row.h2ToH1 = { ofMedians: r3(median(sec('noop-h2')) / median(sec('noop-h1'))), medianOfRounds: overRounds(sec('noop-h2'), sec('noop-h1')) };
    console.log(JSON.stringify(row));
  }
}

/** `--mode changed-since`: per size, `--pairs N` rounds of a full no-op dry-run and a `--changed-since` run with one object changed. */
async function modeChangedSince(ctx: ModeContext): Promise<void> {
  const { stateDir, sizes, argv } = ctx;
  const pairs = Number(flagOf(argv, '--pairs') ?? '5');
  for (const size of sizes) {
    await runChild(stateDir, size, 'wet', 'generic', ctx.child);
    const full: PhaseResult[] = [];
    const since: PhaseResult[] = [];
    for (let round = 0; round < pairs; round++) {
      const order = round % 2 === 0 ? ['noop', 'changed-since'] : ['changed-since', 'noop'];
      for (const phase of order) (phase === 'noop' ? full : since).push(await runChild(stateDir, size, phase, 'generic', ctx.child));
    }
    console.log(JSON.stringify({
      mode: 'changed-since', size, pairs,
      full: { median: r3(median(full.map((x) => x.seconds))), reads: median(full.map((x) => x.reads)), changes: median(full.map((x) => x.changes)) },
      changedSince: { median: r3(median(since.map((x) => x.seconds))), reads: median(since.map((x) => x.reads)), changes: median(since.map((x) => x.changes)), errors: Math.max(...since.map((x) => x.errors)) },
    }));
  }
}

/**
 * `--mode overload`: wet runs (creates) and delete runs of `--sizes` objects as alice, first with
 * no priority-level restriction, then with the tight level (`--shares`, default 1) at each
 * `--concurrency-list` value; counts the requests by status (429 = rejected) and the apiserver's
 * own rejection count.
 */
async function modeOverload(ctx: ModeContext): Promise<void> {
  const { stateDir, state, sizes, argv } = ctx;
  const shares = Number(flagOf(argv, '--shares') ?? '1');
  const concurrencies = (flagOf(argv, '--concurrency-list') ?? String(DEFAULT_CONCURRENCY)).split(',').map(Number);
  await ensureBenchNamespaces(state, OVERLOAD_NS_PREFIX);
  const size = sizes[0] ?? 3000;
  const once = async (tight: boolean, concurrency: number): Promise<void> => {
    await setOverload(state, tight, shares);
    const before = tight ? await overloadMetrics(state) : [];
    const o = { ...ctx.child, concurrency };
    const wet = await runChild(stateDir, size, 'overload-wet', 'generic', o);
    const del = await runChild(stateDir, size, 'overload-delete', 'generic', o);
    const after = tight ? await overloadMetrics(state) : [];
    const summary = (r: PhaseResult) => ({ seconds: r3(r.seconds), writes: r.writes, changes: r.changes, errors: r.errors, statuses: r.statuses, lowestConcurrency: r.lowestConcurrency });
    console.log(JSON.stringify({
      mode: 'overload', tight, shares: tight ? shares : undefined, concurrency, size, wet: summary(wet), delete: summary(del),
      serverSeats: after.map((a) => a.seats), serverRejected: after.map((a, i) => a.rejected - (before[i]?.rejected ?? 0)),
    }));
  };
  try {
    for (const c of concurrencies) await once(false, c);
    for (const c of concurrencies) await once(true, c);
  } finally {
    await removeOverload(state);
  }
}

/**
 * `--mode writes [--pairs N]` (default 3): per size, N rounds of kontract's first wet run (creates
 * into namespaces holding none of its objects), its 1 % change run, and the write floor of each
 * (the same applies by the minimal client), alternating which goes first; both sides' objects
 * are deleted after each round (kontract: a run with no desired object).
 */
async function modeWrites(ctx: ModeContext): Promise<void> {
  const { stateDir, state, sizes, argv } = ctx;
  const pairs = Number(flagOf(argv, '--pairs') ?? '3');
  await ensureBenchNamespaces(state, OVERLOAD_NS_PREFIX);
  await ensureBenchNamespaces(state, FLOOR_NS_PREFIX);
  for (const size of sizes) {
    const got: Record<string, PhaseResult[]> = { wet: [], floorWet: [], change: [], floorChange: [], delete: [] };
    for (let round = 0; round < pairs; round++) {
      const kontractFirst = round % 2 === 0;
      for (const side of kontractFirst ? ['kontract', 'floor'] : ['floor', 'kontract']) {
        if (side === 'kontract') {
          got.wet?.push(await runChild(stateDir, size, 'fresh-wet', 'generic', ctx.child));
          got.change?.push(await runChild(stateDir, size, 'fresh-change', 'generic', ctx.child));
        } else {
          got.floorWet?.push(await runChild(stateDir, size, 'write-floor', 'generic', ctx.child));
          got.floorChange?.push(await runChild(stateDir, size, 'write-floor-change', 'generic', ctx.child));
        }
      }
      got.delete?.push(await runChild(stateDir, size, 'fresh-delete', 'generic', ctx.child));
      await deleteFloorObjects(state, size);
    }
    const m = (k: string): number => r3(median((got[k] ?? []).map((x) => x.seconds)));
    const summary = (k: string) => ({ median: m(k), runs: (got[k] ?? []).map((x) => r3(x.seconds)), writes: median((got[k] ?? []).map((x) => x.writes)), reads: median((got[k] ?? []).map((x) => x.reads)), errors: Math.max(...(got[k] ?? []).map((x) => x.errors)) });
    console.log(JSON.stringify({
      mode: 'writes', size, clusters: state.clusters.length, pairs, concurrency: ctx.child.concurrency ?? DEFAULT_CONCURRENCY,
      wet: summary('wet'), writeFloorWet: summary('floorWet'), change: summary('change'), writeFloorChange: summary('floorChange'), delete: summary('delete'),
      wetToWriteFloor: r3(m('wet') / m('floorWet')), changeToWriteFloor: r3(m('change') / m('floorChange')),
    }));
  }
}

/**
 * `--mode change [--pairs N]` (default 5): per size, N rounds of kontract's 1 % change run and of
 * the run that undoes it (`restore`), each against its floor — the better LIST floor of the round
 * plus the write floor of the same applies (`write-floor-change`, `write-floor-restore`) — and the
 * compare floors (`floor-compare`, `floor-compare-h2`), the order of the six sides rotated every
 * round; medians of the per-round ratios, wall and CPU (`changeToCompareFloor`: the change run
 * against the better compare floor plus the write floor).
 */
async function modeChange(ctx: ModeContext): Promise<void> {
  const { stateDir, state, sizes, argv } = ctx;
  const pairs = Number(flagOf(argv, '--pairs') ?? '5');
  await ensureBenchNamespaces(state, FLOOR_NS_PREFIX);
  const sides: readonly (readonly string[])[] = [['change', 'restore'], ['write-floor-change', 'write-floor-restore'], ['floor'], ['floor-h2'], ['floor-compare'], ['floor-compare-h2']];
  for (const size of sizes) {
    // kontract's objects in place with their original values; the floor's 1 % likewise.
    await runChild(stateDir, size, 'wet', 'generic', ctx.child);
    await runChild(stateDir, size, 'write-floor-restore', 'generic', ctx.child);
    const got = new Map<string, PhaseResult[]>(sides.flat().map((p) => [p, []]));
    for (let round = 0; round < pairs; round++) {
      for (let j = 0; j < sides.length; j++) {
        for (const phase of sides[(round + j) % sides.length] ?? []) got.get(phase)?.push(await runChild(stateDir, size, phase, 'generic', ctx.child));
      }
    }
    await deleteFloorObjects(state, size);
    const of = (p: string): PhaseResult[] => got.get(p) ?? [];
    const at = (p: string, i: number, f: (r: PhaseResult) => number): number => { const r = of(p)[i]; return r === undefined ? NaN : f(r); };
    const ratios = (run: string, writeFloorPhase: string, f: (r: PhaseResult) => number): number[] =>
      of(run).map((r, i) => f(r) / (Math.min(at('floor', i, f), at('floor-h2', i, f)) + at(writeFloorPhase, i, f)));
    const wall = (r: PhaseResult): number => r.seconds;
    const cpu = (r: PhaseResult): number => r.cpuSeconds ?? NaN;
    const summary = (p: string) => ({
      median: r3(median(of(p).map(wall))), min: r3(Math.min(...of(p).map(wall))), max: r3(Math.max(...of(p).map(wall))),
      cpuMedian: r3(median(of(p).map(cpu))), writes: median(of(p).map((x) => x.writes)), errors: Math.max(...of(p).map((x) => x.errors)),
      ...(of(p)[0]?.breakdown === undefined ? {} : {
        breakdown: Object.fromEntries((['desired', 'fetch', 'plan', 'apply'] as const).map((k) => [k, r3(median(of(p).map((x) => x.breakdown?.[k] ?? NaN)))])),
      }),
    });
    console.log(JSON.stringify({
      mode: 'change', size, clusters: state.clusters.length, pairs, transport: ctx.child.transport ?? 'default',
      ...Object.fromEntries(sides.flat().map((p) => [p, summary(p)])),
      changeToFloor: { wall: r3(median(ratios('change', 'write-floor-change', wall))), cpu: r3(median(ratios('change', 'write-floor-change', cpu))) },
      restoreToFloor: { wall: r3(median(ratios('restore', 'write-floor-restore', wall))), cpu: r3(median(ratios('restore', 'write-floor-restore', cpu))) },
      // The same with the better compare floor (phaseCompareFloor) in place of the better LIST floor.
      changeToCompareFloor: { wall: r3(median(of('change').map((r, i) => r.seconds / (Math.min(at('floor-compare', i, wall), at('floor-compare-h2', i, wall)) + at('write-floor-change', i, wall))))) },
    }));
  }
}

interface ModeContext {
  readonly stateDir: string;
  readonly state: LocalClustersState;
  readonly sizes: readonly number[];
  readonly benchCase: BenchCase;
  readonly argv: readonly string[];
  /** `--transport` / `--concurrency` for kontract's phases. */
  readonly child: ChildOptions;
}

function flagOf(argv: readonly string[], f: string): string | undefined {
  const i = argv.indexOf(f);
  return i < 0 ? undefined : argv[i + 1];
}

/** Cluster names for `--clusters N`: the default three, or c01…cNN. */
function clusterNames(n: number | undefined): string[] {
  if (n === undefined || n === 3) return ['prod-1', 'prod-2', 'dev-1'];
  return Array.from({ length: n }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--child')) { await child(argv); return; }
  const flag = (f: string): string | undefined => flagOf(argv, f);
  const mode = flag('--mode') ?? 'full';
  const sizes = (flag('--sizes') ?? (mode === 'overload' ? '3000' : '10000,20000')).split(',').map(Number);
  const benchCase: BenchCase = flag('--case') === 'resources' ? 'resources' : 'generic';
  const t = flag('--transport');
  const c = flag('--concurrency');
  const childOptions: ChildOptions = { ...(t === 'h1' || t === 'h2' ? { transport: t } : {}), ...(c === undefined ? {} : { concurrency: Number(c) }) };
  let stateDir = flag('--clusters-dir');
  let started = false;
  if (stateDir === undefined) {
    stateDir = mkdtempSync(join(tmpdir(), 'kontract-bench-'));
    const binDir = await resolveBinDir({ reporter: stderrReporter, binDir: process.env.K8S_BIN_DIR, env: process.env });
    const n = flag('--clusters');
    const names = clusterNames(n === undefined ? undefined : Number(n));
    // 20 apiservers starting at once on 2 cores take longer than the harness's default 4 minutes.
    await startLocalClusters({ dir: stateDir, names, binDir, reporter: stderrReporter, timeoutMs: Math.max(240_000, names.length * 45_000) });
    started = true;
  }
  const state = readState(stateDir);
  if (state === undefined) throw new Error(`no local clusters in ${stateDir}`);
  const ctx: ModeContext = { stateDir, state, sizes, benchCase, argv, child: childOptions };
  try {
    await ensureNamespaces(state);
    if (mode === 'pairs') await modePairs(ctx);
    else if (mode === 'changed-since') await modeChangedSince(ctx);
    else if (mode === 'overload') await modeOverload(ctx);
    else if (mode === 'writes') await modeWrites(ctx);
    else if (mode === 'change') await modeChange(ctx);
    else await modeFull(ctx);
  } finally {
    if (started) await stopLocalClusters(stateDir, stderrReporter);
  }
}

await main(process.argv.slice(2));
