/**
 * The local control plane: ONE etcd shared by N kube-apiservers (one `--etcd-prefix` each) and
 * one kube-controller-manager per cluster, all local processes recorded in `<dir>/state.json`.
 * See docs/local-control-plane.md.
 *
 * Layout of the state directory:
 *   state.json  kubeconfig (merged)  etcd/data  etcd.log
 *   clusters/<name>/{pki/apiserver.crt, tokens.csv, sa.key, kubeconfig, apiserver.log, kcm.log}
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { Endpoint } from './http.js';
import { request, requestJson, sleep, statusMessage } from './http.js';
import { isRunning, killNow, logTail, servicePort, startProcess, stopProcess, waitUntilListenable } from './processes.js';
import type { Started } from './processes.js';
import {
  apiserverArgs, controllerManagerArgs, etcdArgs, etcdPrefix, renderKubeconfig, renderTokensCsv,
  restrictedContextName, validateClusterNames,
} from './render.js';
import type { KubeconfigCluster } from './render.js';
import type { LocalClusterInfo, LocalClustersState, ProcessRecord } from './types.js';

export const STATE_FILE = 'state.json';

/** `${XDG_STATE_HOME:-~/.local/state}/kontract/local-clusters` */
export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== ''
    ? env.XDG_STATE_HOME
    : path.join(env.HOME ?? os.homedir(), '.local', 'state');
  return path.join(base, 'kontract', 'local-clusters');
}

export interface StartOptions {
  /** State directory (created; must not hold running clusters). */
  readonly dir: string;
  /** Cluster names, e.g. DEFAULT_CLUSTER_NAMES. */
  readonly names: readonly string[];
  /** Directory with etcd, kube-apiserver, kube-controller-manager (see resolveBinDir). */
  readonly binDir: string;
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
  /** Readiness timeout per component. @default 240000 */
  readonly timeoutMs?: number;
}

/** Reads `<dir>/state.json`, or undefined when there is none. */
export function readState(dir: string): LocalClustersState | undefined {
  const file = path.join(dir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalClustersState;
  } catch (e) {
    throw new KontractError(ERROR_CODES.LOCAL_CLUSTER, `cannot read ${file}: ${errorMessage(e)}`, { cause: e });
  }
}

function writeState(state: LocalClustersState): void {
  const file = path.join(state.dir, STATE_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Every recorded process, in stop order: controller managers, apiservers, then etcd. */
export function processesInStopOrder(state: LocalClustersState): ProcessRecord[] {
  return [
    ...state.clusters.map((c) => c.controllerManager),
    ...state.clusters.map((c) => c.apiserver),
    state.etcd,
  ];
}

/** True when every recorded process of a complete state is alive. */
export function allRunning(state: LocalClustersState): boolean {
  return processesInStopOrder(state).every(isRunning);
}

export function adminEndpoint(c: LocalClusterInfo): Endpoint {
  return { server: c.server, ca: readFileSync(c.caFile, 'utf8'), token: c.adminToken };
}

/**
 * Starts etcd, then all apiservers (concurrently), then one controller manager per cluster, and
 * checks each controller manager by deleting a probe namespace. On any failure, every process
 * started so far is killed and the error is rethrown. state.json is written after each step, so
 * `stopLocalClusters` can clean up even after an interrupted start.
 */
export async function startLocalClusters(opts: StartOptions): Promise<LocalClustersState> {
  validateClusterNames(opts.names);
  const dir = path.resolve(opts.dir);
  if (readState(dir) !== undefined) {
    throw new KontractError(ERROR_CODES.LOCAL_CLUSTER, `${dir} already holds local clusters (state.json); stop them first`);
  }
  const timeoutMs = opts.timeoutMs ?? 240_000;
  const r = opts.reporter;
  const t0 = Date.now();
  // leftovers of a start that died before writing state.json
  rmSync(path.join(dir, 'etcd'), { recursive: true, force: true });
  rmSync(path.join(dir, 'clusters'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  const started: ProcessRecord[] = [];
  const emergency = (): void => { for (const p of [...started].reverse()) killNow(p); };
  process.once('exit', emergency);
  const used = new Set<number>();
  const port = async (): Promise<number> => {
    for (;;) {
      const p = await servicePort();
      if (!used.has(p)) { used.add(p); return p; }
    }
  };

  try {
    // 1. etcd
    const clientPort = await port();
    const peerPort = await port();
    const dataDir = path.join(dir, 'etcd', 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const etcdLog = path.join(dir, 'etcd.log');
    r.log('info', 'starting etcd', { port: clientPort });
    const etcd = startProcess(path.join(opts.binDir, 'etcd'), etcdArgs({ dataDir, clientPort, peerPort }), etcdLog);
    started.push(etcd.record);
    await waitUntil(`etcd http://127.0.0.1:${clientPort}/health`, etcd, r, timeoutMs, opts.signal, async () => {
      const res = await request({ server: `http://127.0.0.1:${clientPort}` }, '/health', { timeoutMs: 2000 });
      return res.status >= 200 && res.status < 300;
    });
    let state: LocalClustersState = {
      version: 1,
      dir,
      kubeconfig: path.join(dir, 'kubeconfig'),
      binDir: opts.binDir,
      startedAt: new Date().toISOString(),
      etcd: { ...etcd.record, clientPort, peerPort, dataDir },
      clusters: [],
    };
    writeState(state);

    // 2. apiservers, all at once (they mostly wait on etcd and post-start hooks)
    const prepared = await Promise.all(opts.names.map(async (name) => prepareCluster(dir, name, await port())));
    const apiservers = prepared.map((p) => {
      r.log('info', `starting kube-apiserver for ${p.name}`, { port: p.port, etcdPrefix: etcdPrefix(p.name) });
      const proc = startProcess(path.join(opts.binDir, 'kube-apiserver'), apiserverArgs({
        cluster: p.name, etcdClientPort: clientPort, securePort: p.port, certDir: p.certDir,
        tokensFile: p.tokensFile, serviceAccountKeyFile: p.saKeyFile,
      }), p.apiserverLog);
      started.push(proc.record);
      return { p, proc };
    });
    await Promise.all(apiservers.map(async ({ p, proc }) => waitApiserverReady(p, proc, r, timeoutMs, opts.signal)));

    // 3. kubeconfigs and controller managers
    const kcCluster = (p: PreparedCluster): KubeconfigCluster => ({
      name: p.name, server: p.server, caPem: readFileSync(p.caFile, 'utf8'), adminToken: p.adminToken, restrictedToken: p.restrictedToken,
    });
    const running: { info: LocalClusterInfo; kcm: Started }[] = [];
    for (const { p, proc } of apiservers) {
      writeFileSync(p.kubeconfig, renderKubeconfig([kcCluster(p)]), { mode: 0o600 });
      r.log('info', `starting kube-controller-manager for ${p.name}`);
      const kcm = startProcess(path.join(opts.binDir, 'kube-controller-manager'), controllerManagerArgs(p.kubeconfig), p.kcmLog);
      started.push(kcm.record);
      const info: LocalClusterInfo = {
        name: p.name, context: p.name, restrictedContext: restrictedContextName(p.name), server: p.server, port: p.port,
        etcdPrefix: etcdPrefix(p.name), caFile: p.caFile, adminToken: p.adminToken, restrictedToken: p.restrictedToken,
        kubeconfig: p.kubeconfig, dir: p.dir, apiserver: proc.record, controllerManager: kcm.record,
      };
      running.push({ info, kcm });
      state = { ...state, clusters: [...state.clusters, info] };
      writeState(state);
    }
    writeFileSync(state.kubeconfig, renderKubeconfig(prepared.map(kcCluster)), { mode: 0o600 });

    // 4. controller manager check: a deleted namespace must disappear (namespace controller)
    await Promise.all(running.map(async ({ info, kcm }) => probeControllerManager(info, kcm, r, timeoutMs, opts.signal)));
    r.log('info', `${running.length} local cluster(s) ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`, { kubeconfig: state.kubeconfig });
    return state;
  } catch (e) {
    r.log('warn', 'start failed; stopping the processes started so far');
    for (const p of [...started].reverse()) await stopProcess(p, 5000);
    rmSync(path.join(dir, STATE_FILE), { force: true });
    throw e instanceof KontractError ? e : new KontractError(ERROR_CODES.LOCAL_CLUSTER, errorMessage(e), { cause: e });
  } finally {
    process.off('exit', emergency);
  }
}

interface PreparedCluster {
  readonly name: string;
  readonly dir: string;
  readonly port: number;
  readonly server: string;
  readonly certDir: string;
  readonly caFile: string;
  readonly tokensFile: string;
  readonly saKeyFile: string;
  readonly kubeconfig: string;
  readonly apiserverLog: string;
  readonly kcmLog: string;
  readonly adminToken: string;
  readonly restrictedToken: string;
}

function prepareCluster(root: string, name: string, port: number): PreparedCluster {
  const dir = path.join(root, 'clusters', name);
  const certDir = path.join(dir, 'pki');
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  const adminToken = randomBytes(24).toString('hex');
  const restrictedToken = randomBytes(24).toString('hex');
  const tokensFile = path.join(dir, 'tokens.csv');
  writeFileSync(tokensFile, renderTokensCsv({ adminToken, restrictedToken }), { mode: 0o600 });
  const saKeyFile = path.join(dir, 'sa.key');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(saKeyFile, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  return {
    name, dir, port, server: `https://127.0.0.1:${port}`, certDir, caFile: path.join(certDir, 'apiserver.crt'),
    tokensFile, saKeyFile, kubeconfig: path.join(dir, 'kubeconfig'),
    apiserverLog: path.join(dir, 'apiserver.log'), kcmLog: path.join(dir, 'kcm.log'), adminToken, restrictedToken,
  };
}

async function waitApiserverReady(p: PreparedCluster, proc: Started, r: Reporter, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  await waitUntil(`kube-apiserver ${p.name} ${p.server}/readyz`, proc, r, timeoutMs, signal, async () => {
    if (!existsSync(p.caFile)) return false;
    const res = await request({ server: p.server, ca: readFileSync(p.caFile, 'utf8'), token: p.adminToken }, '/readyz', { timeoutMs: 5000 });
    return res.status === 200;
  });
}

async function probeControllerManager(c: LocalClusterInfo, kcm: Started, r: Reporter, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const ep = adminEndpoint(c);
  const ns = `kontract-probe-${randomBytes(4).toString('hex')}`;
  await requestJson(ep, '/api/v1/namespaces', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }) });
  await requestJson(ep, `/api/v1/namespaces/${ns}`, { method: 'DELETE' });
  await waitUntil(`kube-controller-manager ${c.name} (probe namespace ${ns} deleted)`, kcm, r, timeoutMs, signal, async () => {
    const res = await request(ep, `/api/v1/namespaces/${ns}`);
    if (res.status === 404) return true;
    if (res.status !== 200) throw new KontractError(ERROR_CODES.LOCAL_CLUSTER, `GET namespace ${ns} on ${c.name}: HTTP ${res.status}: ${statusMessage(res.body)}`);
    return false;
  });
}

/**
 * Polls `check` every 250 ms until it returns true; logs progress every 10 s (never silent);
 * fails fast with the log tail if the process exits, and after `timeoutMs`.
 */
async function waitUntil(what: string, proc: Started, r: Reporter, timeoutMs: number, signal: AbortSignal | undefined,
  check: () => Promise<boolean>): Promise<void> {
  const t0 = Date.now();
  let exitedWith: string | undefined;
  void proc.exited.then((how) => { exitedWith = how; });
  let lastLog = t0;
  let lastError = '';
  r.log('info', `waiting for ${what}`);
  for (;;) {
    if (exitedWith !== undefined) {
      throw new KontractError(ERROR_CODES.LOCAL_CLUSTER, `${what}: process ${proc.record.pid} ended (${exitedWith}); last lines of ${proc.record.log}:\n${logTail(proc.record.log)}`);
    }
    try {
      if (await check()) {
        r.log('info', `ready: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        return;
      }
      lastError = 'not ready yet';
    } catch (e) {
      lastError = errorMessage(e);
    }
    const now = Date.now();
    if (now - t0 > timeoutMs) {
      throw new KontractError(ERROR_CODES.LOCAL_CLUSTER, `${what}: not ready after ${timeoutMs / 1000}s (${lastError}); last lines of ${proc.record.log}:\n${logTail(proc.record.log)}`);
    }
    if (now - lastLog >= 10_000) {
      lastLog = now;
      r.log('info', `still waiting for ${what} (${Math.round((now - t0) / 1000)}s)`);
    }
    await sleep(250, signal);
  }
}

/**
 * Starts one cluster's kube-apiserver again with the flags, port, certificates and tokens it had
 * (after it was killed, e.g. by a fault-injection test), waits for `/readyz` and records the new
 * PID in state.json. A recorded apiserver that still runs is stopped first. The controller
 * manager reconnects by itself.
 */
export async function restartApiserver(dir: string, name: string, reporter: Reporter, timeoutMs = 240_000): Promise<LocalClustersState> {
  const abs = path.resolve(dir);
  const state = readState(abs);
  const c = state?.clusters.find((x) => x.name === name);
  if (state === undefined || c === undefined) throw new KontractError(ERROR_CODES.LOCAL_CLUSTER, `no local cluster ${name} recorded in ${abs}`);
  await stopProcess(c.apiserver, 5000);
  // The stopped (or killed) apiserver's socket may outlive its PID by a moment: starting the new
  // one before it is closed failed with "bind: address already in use" (the watch-loop test, in
  // two full test runs of 2026-11-29).
  if (!(await waitUntilListenable(c.port, 30_000))) reporter.log('warn', `port ${c.port} of ${name} is still in use after 30 s; starting kube-apiserver anyway`);
  reporter.log('info', `restarting kube-apiserver for ${name}`, { port: c.port });
  const proc = startProcess(c.apiserver.binary, apiserverArgs({
    cluster: name, etcdClientPort: state.etcd.clientPort, securePort: c.port, certDir: path.dirname(c.caFile),
    tokensFile: path.join(c.dir, 'tokens.csv'), serviceAccountKeyFile: path.join(c.dir, 'sa.key'),
  }), c.apiserver.log);
  const next: LocalClustersState = { ...state, clusters: state.clusters.map((x) => (x.name === name ? { ...x, apiserver: proc.record } : x)) };
  writeState(next);
  await waitUntil(`kube-apiserver ${name} ${c.server}/readyz`, proc, reporter, timeoutMs, undefined, async () => {
    const res = await request(adminEndpoint(c), '/readyz', { timeoutMs: 5000 });
    return res.status === 200;
  });
  return next;
}

export interface StopResult {
  readonly stopped: number;
  readonly removed: boolean;
}

/**
 * Kills every recorded PID (controller managers, apiservers, then etcd; SIGTERM, then SIGKILL
 * after `graceMs`) and removes the state directory. Does nothing when `dir` has no state.json,
 * so an arbitrary directory is never deleted.
 */
export async function stopLocalClusters(dir: string, reporter: Reporter, graceMs = 10_000): Promise<StopResult> {
  const abs = path.resolve(dir);
  const state = readState(abs);
  if (state === undefined) {
    reporter.log('info', `no local clusters recorded in ${abs}`);
    return { stopped: 0, removed: false };
  }
  let stopped = 0;
  for (const p of processesInStopOrder(state)) {
    const how = await stopProcess(p, graceMs);
    if (how !== 'gone') {
      stopped++;
      reporter.log('info', `stopped ${path.basename(p.binary)}`, { pid: p.pid, how });
    }
  }
  rmSync(abs, { recursive: true, force: true });
  reporter.log('info', `removed ${abs}`);
  return { stopped, removed: true };
}

/** Synchronous last-resort kill of everything in a state (for process 'exit' hooks). */
export function killLocalClustersNow(state: LocalClustersState): void {
  for (const p of processesInStopOrder(state)) killNow(p);
}

export interface ClusterStatus {
  readonly name: string;
  readonly context: string;
  readonly server: string;
  readonly running: boolean;
  readonly version?: string;
  readonly namespaces?: number;
  readonly error?: string;
}

/** Asks each cluster for /version and its namespace count (admin token). */
export async function clusterStatuses(state: LocalClustersState): Promise<ClusterStatus[]> {
  return Promise.all(state.clusters.map(async (c): Promise<ClusterStatus> => {
    const base = { name: c.name, context: c.context, server: c.server, running: isRunning(c.apiserver) && isRunning(c.controllerManager) };
    try {
      const ep = adminEndpoint(c);
      const v = await requestJson(ep, '/version');
      const nsList = await requestJson(ep, '/api/v1/namespaces');
      const version = typeof v === 'object' && v !== null && 'gitVersion' in v && typeof v.gitVersion === 'string' ? v.gitVersion : 'unknown';
      const items = typeof nsList === 'object' && nsList !== null && 'items' in nsList && Array.isArray(nsList.items) ? nsList.items.length : 0;
      return { ...base, version, namespaces: items };
    } catch (e) {
      return { ...base, error: errorMessage(e) };
    }
  }));
}

export interface EnsureResult {
  readonly state: LocalClustersState;
  readonly reused: boolean;
}

/**
 * Idempotent `up`: reuses the clusters recorded in `dir` when they have the requested names, all
 * processes run and every cluster answers; otherwise stops whatever is recorded and starts fresh.
 */
export async function ensureLocalClusters(opts: StartOptions): Promise<EnsureResult> {
  const dir = path.resolve(opts.dir);
  const existing = readState(dir);
  if (existing !== undefined) {
    const sameNames = existing.clusters.map((c) => c.name).join(',') === opts.names.join(',');
    if (sameNames && allRunning(existing)) {
      const statuses = await clusterStatuses(existing);
      if (statuses.every((s) => s.error === undefined)) {
        opts.reporter.log('info', `reusing the running local clusters in ${dir}`);
        return { state: existing, reused: true };
      }
    }
    opts.reporter.log('info', `restarting: the clusters recorded in ${dir} are ${sameNames ? 'not all healthy' : 'a different set'}`);
    await stopLocalClusters(dir, opts.reporter);
  }
  return { state: await startLocalClusters({ ...opts, dir }), reused: false };
}
