/**
 * `npm run bench:watch` (scripts/bench-watch.js → dist/bench/watch-bench.js): the watch loop of
 * `kontract reconcile --watch` (src/reconcile/watch-loop.ts) at N owned ConfigMaps over three
 * local clusters. Not a test: it prints a report (docs/benchmarks.md, "Watch loop").
 *
 *   node scripts/bench-watch.js [--size 10000] [--edits 20] [--soak 3000] [--idle-seconds 10] [--clusters-dir DIR]
 *
 * The loop runs wet in a child process; the driver (this process) measures it from outside:
 * - drift-correction latency: `--edits` out-of-band edits one after another (a ConfigMap's data
 *   changed with a PUT), each timed from the edit's answer until a GET (polled every 10 ms) shows
 *   the desired data again — median and max;
 * - idle CPU: the child's user+system CPU time (/proc/PID/stat) over `--idle-seconds` with nothing
 *   changing, and the LIST requests it sent meanwhile (counted by the child);
 * - memory: the child's RSS after a soak of `--soak` edits (in bursts of 50, each corrected before
 *   the next burst), against the peak RSS of a one-shot no-op dry-run of the same objects in a child
 *   of its own.
 */
/* eslint-disable no-console -- a benchmark script's report is its output */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppInterfaceData, Cluster } from '../app-interface/model.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import type { Reporter } from '../core/reporter.js';
import { silentReporter } from '../core/reporter.js';
import { defineIntegration } from '../integrations/define-integration.js';
import type { DesiredObject, Integration } from '../integrations/define-integration.js';
import { readState, resolveBinDir, startLocalClusters, stopLocalClusters } from '../local-cluster/index.js';
import type { LocalClustersState } from '../local-cluster/index.js';
import { createConnector } from '../reconcile/connector.js';
import { runReconcile } from '../reconcile/run-reconcile.js';
import { runWatchLoop } from '../reconcile/watch-loop.js';

const INTEGRATION = 'bench-watch';
const NAMESPACES = 20;
const CM: ManagedKind = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, order: 50 };
const NS_KIND: ManagedKind = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, order: 10 };
const nsName = (i: number): string => `bench-watch-${i % NAMESPACES}`;

const stderrReporter: Reporter = {
  log: (level, message) => { if (level === 'warn' || level === 'error') process.stderr.write(`[bench-watch] ${level} ${message}\n`); },
  result: () => undefined,
};

function clustersOf(state: LocalClustersState): { defs: Cluster[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = {};
  const defs = state.clusters.map((c, i): Cluster => {
    env[`BENCH_TOKEN_${i}`] = c.adminToken;
    return { path: `/${c.name}.yml`, name: c.name, description: '', serverUrl: c.server, ca: { path: c.caFile }, auth: { kind: 'tokenEnv', env: `BENCH_TOKEN_${i}` }, insecureSkipTLSVerify: false, disabledIntegrations: [], labels: {} };
  });
  return { defs, env };
}

/** Object i: ConfigMap o-<j> in namespace bench-watch-<j mod 20> of cluster i mod |clusters|. */
function desired(size: number, clusters: readonly string[]): DesiredObject[] {
  const out: DesiredObject[] = [];
  for (let i = 0; i < size; i++) {
    const j = Math.floor(i / clusters.length);
    out.push({ cluster: clusters[i % clusters.length] ?? '', source: '/bench-watch.yml', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `o-${j}`, namespace: nsName(j) }, data: { key: 'v1', idx: String(j) } } });
  }
  return out;
}

function integrationOf(size: number, clusters: readonly string[]): Integration {
  const objects = desired(size, clusters);
  return defineIntegration({ name: INTEGRATION, summary: 'watch benchmark', kinds: [CM, NS_KIND], buildDesired: () => ({ objects, problems: [] }) });
}

const dataOf = (clusters: readonly Cluster[]): AppInterfaceData => ({ sha: 'bench-watch', clusters, namespaces: [], quotas: [], limitRanges: [], roles: [], users: [], bots: [], tenants: [] });

/** Child: the watch loop, wet, until SIGTERM; `ready` (and the port answering its LIST count) on stdout after its first pass. */
async function childLoop(state: LocalClustersState, size: number): Promise<void> {
  const { defs, env } = clustersOf(state);
  const integration = integrationOf(size, defs.map((d) => d.name));
  const ns = [...new Set(Array.from({ length: NAMESPACES }, (_, i) => nsName(i)))];
  const withNamespaces = defineIntegration({
    name: INTEGRATION, summary: integration.summary, kinds: integration.kinds,
    buildDesired: async (ctx) => {
      const base = await integration.buildDesired(ctx);
      return { ...base, objects: [...base.objects, ...defs.flatMap((d) => ns.map((n) => ({ cluster: d.name, source: '/bench-watch.yml', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } } })))] };
    },
  });
  const stop = new AbortController();
  process.once('SIGTERM', () => { stop.abort('SIGTERM'); });
  // LIST requests sent (full passes and resourceVersion probes) and the heap's figures (MB),
  // answered on GET / for the driver; GET /?gc=1 first collects garbage (what is retained).
  let lists = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/?gc=1') (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    const mb = (x: number): number => Math.round(x / 2 ** 20);
    res.end(JSON.stringify({ lists, heap: { heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) } }));
  });
  await new Promise<void>((r) => { server.listen(0, '127.0.0.1', () => { r(); }); });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  let first = true;
  await runWatchLoop({
    reconcile: { integrations: [withNamespaces], dryRun: false, reporter: stderrReporter, env, allowMassDeletion: true, maxDeletions: size },
    loadData: () => Promise.resolve(dataOf(defs)),
    clients: () => createConnector({ env, reporter: stderrReporter, onRequest: (_c, verb) => { if (verb === 'list') lists++; }, client: { signal: stop.signal } }),
    stop: stop.signal, resyncMs: 3_600_000,
    hooks: { onRequest: (_c, verb) => { if (verb === 'list') lists++; } },
    onPass: (p) => {
      if (first) {
        first = false;
        process.stdout.write(`${JSON.stringify({ ready: true, port, firstPassSeconds: p.result.durationSeconds, changes: p.result.plan.changes.length, errors: p.result.errors.length })}\n`);
      }
    },
  });
  await new Promise<void>((r) => { server.close(() => { r(); }); });
}

/** Child: a one-shot no-op dry-run of the same objects; prints its peak RSS. */
async function childNoop(state: LocalClustersState, size: number): Promise<void> {
  const { defs, env } = clustersOf(state);
  const connector = createConnector({ env, reporter: stderrReporter });
  const t0 = process.hrtime.bigint();
  const r = await runReconcile({ integrations: [integrationOf(size, defs.map((d) => d.name))], data: dataOf(defs), connect: connector.connect, dryRun: 'client', reporter: silentReporter, allowMassDeletion: true, maxDeletions: size });
  connector.closeAll();
  process.stdout.write(`${JSON.stringify({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, changes: r.plan.changes.length, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
}

/** GET/PUT of one ConfigMap with the admin token (the driver's own minimal client). */
function api(c: LocalClustersState['clusters'][number], method: 'GET' | 'PUT', path: string, body?: unknown): Promise<{ status: number; body: KubeObject }> {
  return new Promise((res, rej) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(`${c.server}${path}`, {
      method, ca: readFileSync(c.caFile),
      headers: { Authorization: `Bearer ${c.adminToken}`, Accept: 'application/json', ...(text === undefined ? {} : { 'Content-Type': 'application/json' }) },
    }, (resp) => {
      const chunks: Buffer[] = [];
      resp.on('data', (d: Buffer) => chunks.push(d));
      resp.on('end', () => { res({ status: resp.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as KubeObject }); });
      resp.on('error', rej);
    });
    req.on('error', rej);
    req.end(text);
  });
}

const cmPath = (j: number): string => `/api/v1/namespaces/${nsName(j)}/configmaps/o-${j}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Edits object j on cluster c out of band; resolves to the ms until it is back to its desired data. */
async function driftAndWait(c: LocalClustersState['clusters'][number], j: number, tag: string): Promise<number> {
  const live = await api(c, 'GET', cmPath(j));
  const edited = { ...live.body, data: { ...(live.body.data as Record<string, string>), key: tag } };
  const put = await api(c, 'PUT', cmPath(j), edited);
  if (put.status !== 200) throw new Error(`edit of o-${j} answered ${put.status}`);
  const t0 = Date.now();
  for (;;) {
    const now = await api(c, 'GET', cmPath(j));
    if ((now.body.data as Record<string, string> | undefined)?.key === 'v1') return Date.now() - t0;
    if (Date.now() - t0 > 60_000) throw new Error(`o-${j} not corrected within 60 s`);
    await sleep(10);
  }
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of proc(5))
}

function rssMB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), hwm: Math.round(kb('VmHWM') / 1024) };
}

interface ChildReport { lists: number; heap: Record<string, number> }

async function childReport(port: number, gc = false): Promise<ChildReport> {
  return await fetch(`http://127.0.0.1:${port}/${gc ? '?gc=1' : ''}`).then((r) => r.json()) as ChildReport;
}

async function listRequests(port: number): Promise<number> {
  return (await childReport(port)).lists;
}

/** The child's RSS and peak (from /proc) with its heap's figures, MB. */
async function memoryOf(pid: number, port: number): Promise<Record<string, number>> {
  return { ...rssMB(pid), ...(await childReport(port)).heap };
}

function spawnChild(args: readonly string[], nodeFlags: readonly string[] = []): { p: ChildProcess; line: Promise<Record<string, unknown>> } {
  const p = spawn(process.execPath, [...nodeFlags, fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = new Promise<Record<string, unknown>>((res, rej) => {
    let out = '';
    p.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) res(JSON.parse(out.slice(0, nl)) as Record<string, unknown>);
    });
    p.on('close', (code) => { rej(new Error(`child exited ${String(code)} before reporting`)); });
  });
  return { p, line };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 0 ? ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2 : s[m] ?? 0;
};

async function main(argv: readonly string[]): Promise<void> {
  const flag = (f: string): string | undefined => { const i = argv.indexOf(f); return i < 0 ? undefined : argv[i + 1]; };
  const size = Number(flag('--size') ?? '10000');
  if (argv.includes('--child-loop') || argv.includes('--child-noop')) {
    const state = readState(flag('--state') ?? '');
    if (state === undefined) throw new Error('no cluster state');
    if (argv.includes('--child-loop')) await childLoop(state, size);
    else await childNoop(state, size);
    return;
  }
  const edits = Number(flag('--edits') ?? '20');
  const soak = Number(flag('--soak') ?? '3000');
  const idleSeconds = Number(flag('--idle-seconds') ?? '10');
  let stateDir = flag('--clusters-dir');
  let started = false;
  if (stateDir === undefined) {
    stateDir = mkdtempSync(join(tmpdir(), 'kontract-bench-watch-'));
    const binDir = await resolveBinDir({ reporter: stderrReporter, binDir: process.env.K8S_BIN_DIR, env: process.env });
    await startLocalClusters({ dir: stateDir, names: ['prod-1', 'prod-2', 'dev-1'], binDir, reporter: stderrReporter });
    started = true;
  }
  const state = readState(stateDir);
  if (state === undefined) throw new Error(`no local clusters in ${stateDir}`);
  // --expose-gc: only for the retained-heap figure, read after every other measurement.
  const loop = spawnChild(['--child-loop', '--state', stateDir, '--size', String(size)], ['--expose-gc']);
  const pid = loop.p.pid ?? 0;
  try {
    const ready = await loop.line;
    const port = Number(ready.port);
    console.error(`[bench-watch] loop ready: ${JSON.stringify(ready)}`);
    await sleep(3000); // events of the first pass's own writes settle
    const afterFirstPass = await memoryOf(pid, port);
    const clk = 100; // USER_HZ on Linux
    const lists0 = await listRequests(port);
    const cpu0 = cpuTicks(pid);
    await sleep(idleSeconds * 1000);
    const idleCpuPercent = ((cpuTicks(pid) - cpu0) / clk / idleSeconds) * 100;
    const idleLists = (await listRequests(port)) - lists0;
    const latencies: number[] = [];
    const perCluster = Math.floor(size / state.clusters.length);
    for (let e = 0; e < edits; e++) {
      const c = state.clusters[e % state.clusters.length];
      if (c === undefined) continue;
      latencies.push(await driftAndWait(c, (e * 7919) % perCluster, `drift-${e}`));
    }
    const soakStart = Date.now();
    for (let done = 0; done < soak; done += 50) {
      await Promise.all(Array.from({ length: Math.min(50, soak - done) }, (_, k) => {
        const n = done + k;
        const c = state.clusters[n % state.clusters.length];
        return c === undefined ? Promise.resolve(0) : driftAndWait(c, (n * 104_729) % perCluster, `soak-${n}`);
      }));
    }
    const soakSeconds = (Date.now() - soakStart) / 1000;
    await sleep(2000);
    const afterSoak = await memoryOf(pid, port);
    const mem = { rss: afterSoak.rss ?? 0, hwm: afterSoak.hwm ?? 0 };
    const lists = (await listRequests(port)) - lists0;
    const retainedHeapMB = (await childReport(port, true)).heap.heapUsed;
    loop.p.kill('SIGTERM');
    const noop = spawnChild(['--child-noop', '--state', stateDir, '--size', String(size)]);
    const oneShot = await noop.line;
    const oneShotPeak = Number(oneShot.maxRssMB);
    console.log(JSON.stringify({
      case: 'watch', size, firstPassSeconds: ready.firstPassSeconds, idleSeconds, idleCpuPercent: Math.round(idleCpuPercent * 100) / 100, idleListRequests: idleLists,
      edits, latencyMs: { median: median(latencies), max: Math.max(...latencies), all: latencies },
      soakEdits: soak, soakSeconds, listRequestsDuringEditsAndSoak: lists,
      rssAfterSoakMB: mem.rss, peakRssLoopMB: mem.hwm, oneShotNoopPeakMB: oneShotPeak, rssAfterSoakToOneShotPeak: Math.round((mem.rss / oneShotPeak) * 100) / 100,
      peakLoopToOneShotPeak: Math.round((mem.hwm / oneShotPeak) * 100) / 100, oneShotNoopSeconds: oneShot.seconds,
      memoryMB: { afterFirstPass, afterSoak, retainedHeapAfterSoak: retainedHeapMB },
    }));
  } finally {
    if (loop.p.exitCode === null) loop.p.kill('SIGTERM');
    if (started) await stopLocalClusters(stateDir, stderrReporter);
  }
}

await main(process.argv.slice(2));
