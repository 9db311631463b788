/**
 * The watch-driven loop of `kontract reconcile --watch` (docs/watch.md): one full run (the same
 * runReconcile as a one-shot run), then one watch per (cluster, kind) on the objects the run's
 * integrations own (label selector `kontract.io/integration in (…)`, src/k8s/watch.ts), and from
 * then on only the objects that changed are re-planned (watch-pass.ts):
 * - a cluster event on an owned object (out-of-band edit, delete, label removed) re-plans that
 *   object against its desired state, with the event's object as its live state (a GET when the
 *   event is a deletion: the name may now hold an unowned object);
 * - an app-interface change (`dataChanges`) rebuilds the desired state and re-plans the objects
 *   whose desired body changed, appeared or disappeared, each with a GET of its live state; a
 *   change to the clusters, blocked units or dynamic kinds, or more than DATA_CHANGE_GET_LIMIT
 *   objects, runs a full pass instead;
 * - a 410 Gone on any watch (events lost) and every `resyncMs` run a full pass (data reloaded).
 *
 * Safety is that of a one-shot run, pass by pass: a wet pass takes the Leases of the
 * (integration, cluster) pairs it writes to (run-lock.ts) and frees them after; a pass with an
 * error withholds every deletion; after a pass in which a write failed, deletions stay withheld
 * until a full pass runs clean; on `stop` nothing more is sent and the loop ends.
 */
import type { AppInterfaceData, Cluster } from '../app-interface/model.js';
import { ERROR_CODES, errorMessage, isKontractError } from '../core/errors.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { kindKey } from '../core/k8s-object.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import { connectCluster } from '../k8s/cluster-connection.js';
import type { ClusterConnection } from '../k8s/cluster-connection.js';
import { WatchAgents, startKindWatch } from '../k8s/watch.js';
import type { KindWatch, WatchEvent, WatchHealth } from '../k8s/watch.js';
import type { TransportKind } from '../k8s/transport.js';
import { INTEGRATION_LABEL } from '../resource-inventory/marks.js';
import { sourceHash } from '../resource-inventory/ownership.js';
import type { Plan, PlanError } from '../resource-inventory/plan.js';
import { withApplyOutcome } from '../resource-inventory/plan-outcome.js';
import { applyPlan, stopReason } from './apply-plan.js';
import type { AppliedChange } from './apply-plan.js';
import type { Connect } from './connector.js';
import { buildWork, processEnvironment } from './desired.js';
import type { IntegrationWork } from './desired.js';
import { kindTable } from './dynamic-kinds.js';
import { requestLimits } from './request-limits.js';
import { LEASE_DURATION_SECONDS, acquireLock } from './run-lock.js';
import type { HeldLock, LockOptions } from './run-lock.js';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_DELETIONS, runReconcile } from './run-reconcile.js';
import type { ClusterRunInfo, ReconcileOptions, ReconcileResult } from './run-reconcile.js';
import { createScope, scopeNamespace } from './scope.js';
import type { Scope } from './scope.js';
import { ChangesPlanner, changeKey } from './watch-pass.js';
import type { ChangedObject } from './watch-pass.js';

/** Default of --resync-period: a full pass this often, whatever the watches say. */
export const DEFAULT_RESYNC_MS = 10 * 60_000;
/** Events arriving within this many ms are planned together. */
export const DEFAULT_DEBOUNCE_MS = 20;
/**
 * A Lease an incremental pass took is kept (renewed by run-lock.ts) until no pass wrote to its
 * (integration, cluster) for this long, so a burst of corrections takes it once.
 */
export const LEASE_IDLE_MS = 15_000;
/** A data change touching more objects than this runs a full pass instead of one GET per object. */
export const DATA_CHANGE_GET_LIMIT = 200;

/** The clients of a pass; replaced when a client gave its cluster up. */
export interface PassClients {
  readonly connect: Connect;
  readonly clients: ReadonlyMap<string, ClusterClient>;
  closeAll(): void;
}

/** What the loop reports about its watches (src/metrics/watch-metrics.ts records them). */
export interface WatchHooks {
  onHealth?(cluster: string, kind: string, health: WatchHealth): void;
  onEvent?(cluster: string, kind: string, event: WatchEvent): void;
  /** Per changed object planned in an incremental pass: seconds from its event's arrival to the end of the pass. */
  onLag?(seconds: number): void;
  onRequest?(cluster: string, verb: 'list' | 'watch', status: number): void;
}

export interface WatchPass {
  /** `full`: a complete run (start, resync, relist, data change too large); `changes`: only changed objects. */
  readonly kind: 'full' | 'changes';
  /** Why the pass ran: `start`, `resync`, `relist <cluster> <kind>`, `events`, `data`. */
  readonly reason: string;
  readonly result: ReconcileResult;
  /** `changes` passes: the cluster events and data changes planned. */
  readonly events: number;
}

export interface WatchLoopOptions {
  /** Everything of a run but its data, clients, Lease and stop signal. */
  readonly reconcile: Omit<ReconcileOptions, 'data' | 'connect' | 'lock' | 'stop' | 'onPlan'>;
  /** Loads the app-interface (at start, for every full pass, after each data change). */
  readonly loadData: () => Promise<AppInterfaceData>;
  /** Subscribes to app-interface changes; resolves to the unsubscribe once watching. */
  readonly dataChanges?: (onChange: () => void) => Promise<() => Promise<void>>;
  /** Fresh clients (a new connector). */
  readonly clients: () => PassClients;
  /** The connection of a cluster, for its watches. @default connectCluster with the reconcile options' env, cwd, secrets */
  readonly connection?: (cluster: Cluster) => Promise<ClusterConnection>;
  /** Wet passes take the Leases (run-lock.ts). */
  readonly lock?: LockOptions;
  readonly stop: AbortSignal;
  /** Transport of the watch streams (`--transport`; over h2 a cluster's watches share one session). @default DEFAULT_TRANSPORT */
  readonly transport?: TransportKind;
  /** @default DEFAULT_RESYNC_MS */
  readonly resyncMs?: number;
  /** @default DEFAULT_DEBOUNCE_MS */
  readonly debounceMs?: number;
  /** Server-side timeout of one watch stream, seconds (src/k8s/watch.ts). */
  readonly watchTimeoutSeconds?: number;
  /** The plan of a full pass, before it is applied (the CLI prints a client dry-run's plan here). */
  readonly onPlan?: (plan: Plan) => void;
  /** Called after every pass. */
  readonly onPass: (pass: WatchPass) => void | Promise<void>;
  readonly hooks?: WatchHooks;
}

interface Pending {
  readonly integration: string;
  readonly cluster: string;
  readonly kind: ManagedKind;
  readonly namespace: string;
  readonly name: string;
  /** The object an event carried; 'get' when the live state must be read. */
  readonly live: KubeObject | 'get';
  readonly receivedAt: number;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((r) => {
    const onAbort = (): void => { clearTimeout(t); r(); };
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); r(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** `kontract.io/integration in (a,b)`: the owned objects of every integration watching a kind. */
function selectorOf(integrations: ReadonlySet<string>): string {
  return `${INTEGRATION_LABEL} in (${[...integrations].sort().join(',')})`;
}

/** Desired objects by changeKey → sourceHash: what a data change is compared with. */
function desiredHashes(work: readonly IntegrationWork[]): Map<string, { integration: string; cluster: string; kind: ManagedKind; namespace: string; name: string; sha: string }> {
  const out = new Map<string, { integration: string; cluster: string; kind: ManagedKind; namespace: string; name: string; sha: string }>();
  for (const w of work) {
    for (const d of w.desired) {
      const namespace = d.kind.namespaced ? d.object.metadata.namespace ?? '' : '';
      out.set(changeKey(w.integration.name, d.cluster, d.kind, namespace, d.object.metadata.name),
        { integration: w.integration.name, cluster: d.cluster, kind: d.kind, namespace, name: d.object.metadata.name, sha: sourceHash(d.object) });
    }
  }
  return out;
}

/** What of a work, besides its desired objects, makes a data change need a full pass. */
function shapeOf(work: readonly IntegrationWork[]): string {
  return JSON.stringify(work.map((w) => ({
    i: w.integration.name, c: w.clusters.map((c) => c.name), b: w.blocked, d: w.dynamicKinds ?? [], p: (w.pending ?? []).length,
    x: [...w.excludedNamespaces].map(([c, s]) => [c, [...s].sort()]),
  })));
}

/** Runs the loop until `stop` is aborted; resolves to the last pass's result (interrupted when stopped). */
export async function runWatchLoop(opts: WatchLoopOptions): Promise<ReconcileResult | undefined> {
  const r = opts.reconcile;
  const reporter = r.reporter;
  const resyncMs = opts.resyncMs ?? DEFAULT_RESYNC_MS;
  const debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const scope: Scope = createScope({
    ...(r.clusters === undefined ? {} : { clusters: r.clusters }),
    ...(r.namespaces === undefined ? {} : { namespaces: r.namespaces }),
    ...(r.shards === undefined ? {} : { shards: r.shards }),
    ...(r.shardId === undefined ? {} : { shardId: r.shardId }),
  });
  const watchesStop = new AbortController();
  const onStop = (): void => { watchesStop.abort(); wake(); };
  opts.stop.addEventListener('abort', onStop, { once: true });
  const agents = new WatchAgents(opts.transport);
  /** `cluster\0kindKey` → the watch and the integrations it serves. */
  const watches = new Map<string, { watch: KindWatch; integrations: ReadonlySet<string>; stop: AbortController }>();
  /** Leases of incremental passes, by `integration\0cluster`, freed after LEASE_IDLE_MS without a write. */
  const leases = new Map<string, { lock: HeldLock; timer: NodeJS.Timeout; since: number }>();
  const freeLease = async (pair: string): Promise<void> => {
    const l = leases.get(pair);
    if (l === undefined) return;
    leases.delete(pair);
    clearTimeout(l.timer);
    await l.lock.release();
  };
  const freeLeases = (): Promise<void> => Promise.all([...leases.keys()].map(freeLease)).then(() => undefined);
  const keepLease = (pair: string, lock: HeldLock): void => {
    const known = leases.get(pair);
    if (known !== undefined) clearTimeout(known.timer);
    const timer = setTimeout(() => { void freeLease(pair); }, LEASE_IDLE_MS);
    timer.unref();
    leases.set(pair, { lock, timer, since: known?.since ?? Date.now() });
  };
  /** Watches replaced by wider ones, awaited on exit. */
  const retired: KindWatch[] = [];
  const queue = new Map<string, Pending>();
  let fullDue: string | undefined = 'start';
  let dataDirty = false;
  let data: AppInterfaceData | undefined;
  let work: readonly IntegrationWork[] = [];
  /** Deletions withheld in incremental passes until a full pass runs clean (a write failed). */
  let writeFailed: string | undefined;
  let nextResync = Date.now() + resyncMs;
  let last: ReconcileResult | undefined;
  let clients: PassClients | undefined;
  let wakeUp: (() => void) | undefined;
  function wake(): void {
    const w = wakeUp;
    wakeUp = undefined;
    w?.();
  }

  /** One connection per cluster for all its watches (they share its credentials and agent). */
  const connections = new Map<string, Promise<ClusterConnection>>();
  const connectionOf = (cluster: Cluster): Promise<ClusterConnection> => {
    let c = connections.get(cluster.name);
    if (c === undefined) {
      c = opts.connection?.(cluster) ?? connectCluster(cluster, {
        env: r.env ?? process.env, reporter, ...(r.cwd === undefined ? {} : { cwd: r.cwd }), ...(r.secrets === undefined ? {} : { secrets: r.secrets }),
      });
      // a cluster that could not be configured is tried again at the next full pass
      c.catch(() => { connections.delete(cluster.name); });
      connections.set(cluster.name, c);
    }
    return c;
  };

  const freshClients = (): PassClients => {
    clients?.closeAll();
    clients = opts.clients();
    return clients;
  };

  const onEvent = (cluster: string, kind: ManagedKind, e: WatchEvent): void => {
    opts.hooks?.onEvent?.(cluster, kindKey(kind), e);
    const integration = e.object.metadata.labels?.[INTEGRATION_LABEL];
    const w = work.find((x) => x.integration.name === integration);
    if (w === undefined || integration === undefined || !w.clusters.some((c) => c.name === cluster)) return;
    if (!(w.kindsByCluster?.get(cluster) ?? w.integration.kinds).some((k) => kindKey(k) === kindKey(kind))) return;
    // The filters of a full run's LIST (fetch-current.ts): scope, excluded namespaces, `manages`.
    if (!scope.objectInScope(cluster, kind, e.object)) return;
    if (w.excludedNamespaces.get(cluster)?.has(scopeNamespace(kind, e.object)) === true) return;
    if (w.manages !== undefined && !w.manages(cluster, kindKey(kind), e.object)) return;
    const namespace = kind.namespaced ? e.object.metadata.namespace ?? '' : '';
    const key = changeKey(integration, cluster, kind, namespace, e.object.metadata.name);
    const earlier = queue.get(key);
    queue.set(key, {
      integration, cluster, kind, namespace, name: e.object.metadata.name,
      live: e.type === 'DELETED' ? 'get' : e.object, receivedAt: earlier?.receivedAt ?? e.receivedAt,
    });
    wake();
  };

  /** Starts the watches the work needs that do not run yet. */
  const ensureWatches = async (targets: ReadonlyMap<string, { cluster: Cluster; kind: ManagedKind; integrations: Set<string> }>): Promise<void> => {
    const started: KindWatch[] = [];
    for (const [key, t] of targets) {
      const known = watches.get(key);
      if (known !== undefined && [...t.integrations].every((i) => known.integrations.has(i))) continue;
      let conn: ClusterConnection;
      try {
        conn = await connectionOf(t.cluster);
      } catch (e) {
        reporter.log('warn', `watch: cluster ${t.cluster.name}: ${errorMessage(e)} (re-read at the next full pass)`, { cluster: t.cluster.name });
        continue;
      }
      const integrations = new Set([...(known?.integrations ?? []), ...t.integrations]);
      const kind = t.kind;
      const k = kindKey(kind);
      const stop = new AbortController();
      watchesStop.signal.addEventListener('abort', () => { stop.abort(); }, { once: true });
      const watch = startKindWatch({
        connection: conn, kind, labelSelector: selectorOf(integrations), signal: stop.signal, agents,
        ...(opts.watchTimeoutSeconds === undefined ? {} : { timeoutSeconds: opts.watchTimeoutSeconds }),
        onEvent: (e) => { onEvent(conn.cluster, kind, e); },
        onRelist: () => {
          fullDue ??= `relist ${conn.cluster} ${k}`;
          wake();
        },
        onHealth: (h) => {
          opts.hooks?.onHealth?.(conn.cluster, k, h);
          if (h.kind === 'reconnect') reporter.log('debug', `watch ${conn.cluster} ${k}: reconnecting in ${h.delayMs} ms (${h.reason})`, { cluster: conn.cluster });
          if (h.kind === 'relist') reporter.log('info', `watch ${conn.cluster} ${k}: 410 Gone (${h.reason}); full pass`, { cluster: conn.cluster });
        },
        onRequest: (verb, status) => { opts.hooks?.onRequest?.(conn.cluster, verb, status); },
      });
      watches.set(key, { watch, integrations, stop });
      if (known !== undefined) {
        // The watch replaced (an integration was added to its selector) ends once the new one is open.
        reporter.log('debug', `watch ${conn.cluster} ${k}: selector widened`);
        void watch.ready.then(() => { known.stop.abort(); });
        retired.push(known.watch);
      }
      started.push(watch);
    }
    // The first full LIST of a kind runs after its watch has its resourceVersion: nothing in between is missed.
    await Promise.race([Promise.all(started.map((w) => w.ready)), sleep(10_000, watchesStop.signal)]);
  };

  /** The (cluster, kind) pairs of a work: static kinds on every covered cluster, resolved dynamic kinds. */
  const targetsOf = (d: AppInterfaceData, ws: readonly IntegrationWork[] | undefined): Map<string, { cluster: Cluster; kind: ManagedKind; integrations: Set<string> }> => {
    const out = new Map<string, { cluster: Cluster; kind: ManagedKind; integrations: Set<string> }>();
    const add = (cluster: Cluster, kind: ManagedKind, integration: string): void => {
      const key = `${cluster.name}\0${kindKey(kind)}`;
      const t = out.get(key);
      if (t === undefined) out.set(key, { cluster, kind, integrations: new Set([integration]) });
      else t.integrations.add(integration);
    };
    if (ws === undefined) {
      const clustersInScope = d.clusters.filter((c) => scope.clusterInScope(c.name));
      for (const i of r.integrations) for (const c of clustersInScope) for (const k of i.kinds) add(c, k, i.name);
    } else {
      for (const w of ws) for (const c of w.clusters) for (const k of w.kindsByCluster?.get(c.name) ?? w.integration.kinds) add(c, k, w.integration.name);
    }
    return out;
  };

  const fullPass = async (reason: string): Promise<void> => {
    queue.clear(); // the pass reads everything after this point
    await freeLeases(); // the full run takes its own
    let fresh: AppInterfaceData;
    try {
      fresh = await opts.loadData();
    } catch (e) {
      if (data === undefined) throw e;
      reporter.log('error', `app-interface not reloaded, keeping the last good data: ${errorMessage(e)}`, { code: isKontractError(e) ? e.code : ERROR_CODES.VALIDATION });
      fresh = data;
    }
    if (data === undefined) await ensureWatches(targetsOf(fresh, undefined));
    data = fresh;
    const c = freshClients();
    const result = await runReconcile({
      ...r, data: fresh, connect: c.connect, stop: opts.stop,
      ...(opts.lock === undefined ? {} : { lock: opts.lock }),
      ...(opts.onPlan === undefined ? {} : { onPlan: opts.onPlan }),
    });
    work = result.work ?? [];
    writeFailed = result.applied.some((a) => a.status === 'failed' || a.status === 'not-sent') ? 'a write of the last full pass failed' : undefined;
    nextResync = Date.now() + resyncMs;
    last = result;
    await opts.onPass({ kind: 'full', reason, result, events: 0 });
    if (stopReason(opts.stop) === undefined) await ensureWatches(targetsOf(fresh, work));
  };

  /** Rebuilds the desired state; queues what changed, or asks for a full pass. */
  const dataPass = async (): Promise<void> => {
    if (data === undefined) return;
    let fresh: AppInterfaceData;
    let next: IntegrationWork[];
    try {
      fresh = await opts.loadData();
      if (fresh.sha === data.sha) return;
      const env = processEnvironment();
      next = await buildWork(r.integrations, fresh, scope, {
        env: r.env ?? env.env, cwd: r.cwd ?? env.cwd, now: r.now ?? env.now, reporter,
        ...(r.secrets === undefined ? {} : { secrets: r.secrets }),
        ...(r.allowedPaths === undefined ? {} : { allowedPaths: r.allowedPaths }),
      });
    } catch (e) {
      reporter.log('error', `app-interface change not applied, keeping the last good data: ${errorMessage(e)}`, { code: isKontractError(e) ? e.code : ERROR_CODES.VALIDATION });
      return;
    }
    const old = desiredHashes(work);
    const now = desiredHashes(next);
    const changed = [...now].filter(([k, v]) => old.get(k)?.sha !== v.sha).map(([, v]) => v);
    for (const [k, v] of old) if (!now.has(k)) changed.push(v);
    reporter.log('info', `app-interface changed (${data.sha.slice(0, 12)} → ${fresh.sha.slice(0, 12)}): ${changed.length} desired object(s) differ`);
    const needsFull = shapeOf(next) !== shapeOf(work) || next.some((w) => w.dynamicKinds !== undefined || (w.pending ?? []).length > 0) || changed.length > DATA_CHANGE_GET_LIMIT;
    if (needsFull) {
      fullDue ??= 'data';
      return;
    }
    data = fresh;
    work = next;
    const t = Date.now();
    for (const c of changed) {
      queue.set(changeKey(c.integration, c.cluster, c.kind, c.namespace, c.name), { integration: c.integration, cluster: c.cluster, kind: c.kind, namespace: c.namespace, name: c.name, live: 'get', receivedAt: t });
    }
  };

  /** The planner of the current work: its inventory is built once per work, not per pass (watch-pass.ts). */
  let planner: { work: readonly IntegrationWork[]; planner: ChangesPlanner } | undefined;
  const plannerOf = (w: readonly IntegrationWork[]): ChangesPlanner => {
    if (planner?.work !== w) planner = { work: w, planner: new ChangesPlanner(r.integrations, w) };
    return planner.planner;
  };

  const changesPass = async (reason: string): Promise<void> => {
    const passData = data;
    if (passData === undefined) return;
    const batch = [...queue.values()];
    queue.clear();
    if (batch.length === 0) return;
    const started = process.hrtime.bigint();
    let c = clients;
    if (c === undefined || [...c.clients.values()].some((x) => x.givenUp() !== undefined)) {
      await freeLeases(); // they renew through the clients being replaced
      c = freshClients();
    }
    const byName = new Map(passData.clusters.map((x) => [x.name, x]));
    const errors: PlanError[] = [];
    const failed = new Set<string>();
    const fail = (cluster: string, e: unknown): void => {
      if (failed.has(cluster)) return;
      failed.add(cluster);
      errors.push({ cluster, code: isKontractError(e) ? e.code : ERROR_CODES.CLUSTER_ACCESS, message: errorMessage(e) });
    };
    const used = new Map<string, ClusterClient>();
    for (const cluster of new Set(batch.map((b) => b.cluster))) {
      const cl = byName.get(cluster);
      if (cl === undefined) continue;
      try {
        used.set(cluster, await c.connect(cl));
      } catch (e) {
        fail(cluster, e);
      }
    }
    const limits = requestLimits(r.concurrency ?? DEFAULT_CONCURRENCY);
    /** The live state of each item: the event's object, or a GET (always with `fresh`). */
    const readLive = async (items: readonly Pending[], fresh: boolean): Promise<ChangedObject[]> => {
      const out: ChangedObject[] = [];
      await Promise.all(items.map(async (b) => {
        const client = used.get(b.cluster);
        if (client === undefined || failed.has(b.cluster)) return;
        if (b.live !== 'get' && !fresh) {
          out.push({ ...b, live: b.live });
          return;
        }
        try {
          const live = await limits(b.cluster)(() => client.get(b.kind, b.namespace, b.name));
          out.push({ ...b, live });
        } catch (e) {
          fail(b.cluster, e);
        }
      }));
      return out;
    };
    if (writeFailed !== undefined) errors.push({ code: ERROR_CODES.SAFETY, message: `deletions withheld until a full pass runs clean (${writeFailed})` });
    const planner = plannerOf(work);
    const planOf = (changed: readonly ChangedObject[]): Plan => planner.plan(changed.filter((x) => !failed.has(x.cluster)), errors, {
      dataSha: passData.sha, takeOver: r.takeOver ?? false, adoptQontract: r.adoptQontract ?? false,
      maxDeletions: r.maxDeletions ?? DEFAULT_MAX_DELETIONS, allowMassDeletion: r.allowMassDeletion ?? false,
    });
    try {
      let changed = await readLive(batch, false);
      let plan = planOf(changed);
      if (r.dryRun === false && opts.lock !== undefined && plan.changes.length > 0) {
        // Only a pass with something to write takes Leases; what it writes is then read again
        // under them, as a one-shot run reads only once its Leases are taken.
        const lock = opts.lock;
        const pairs = new Set(plan.changes.map((x) => `${x.integration}\0${x.cluster}`));
        // A Lease held since before these events were read needs no re-read: no other run wrote meanwhile.
        const taken = new Set<string>();
        await Promise.all([...pairs].map(async (p) => {
          const [integration = '', cluster = ''] = p.split('\0');
          const client = used.get(cluster);
          if (client === undefined) return;
          const known = leases.get(p);
          // Reused only well within its duration since taken: valid even if its renewals failed.
          if (known !== undefined && Date.now() - known.since < (LEASE_DURATION_SECONDS * 1000) / 2) {
            keepLease(p, known.lock);
            return;
          }
          await freeLease(p);
          try {
            keepLease(p, await acquireLock(client, integration, lock, reporter));
            taken.add(p);
          } catch (e) {
            fail(cluster, e);
          }
        }));
        const fresh = (b: { integration: string; cluster: string }): boolean => taken.has(`${b.integration}\0${b.cluster}`);
        if (taken.size > 0) changed = [...changed.filter((x) => !fresh(x)), ...(await readLive(batch.filter(fresh), true))];
        plan = planOf(changed);
      }
      const tPlan = process.hrtime.bigint();
      let applied: AppliedChange[] = [];
      let finalPlan = plan;
      if (r.dryRun !== 'client' && plan.changes.length > 0) {
        applied = await applyPlan({
          plan, integrations: r.integrations, clients: used, dryRun: r.dryRun === 'server', limits, reporter,
          clusterFailed: (x) => failed.has(x), resolvedKind: kindTable(work), stop: opts.stop,
        });
        const interrupted = cutByStop(applied);
        finalPlan = withApplyOutcome(plan, { mode: r.dryRun === 'server' ? 'server-dry-run' : 'apply', outcomes: applied, givenUp: [], ...(interrupted === undefined ? {} : { interrupted }) });
        const bad = applied.find((a) => a.status === 'failed' || a.status === 'not-sent');
        if (bad !== undefined && r.dryRun === false) writeFailed = `${bad.change.action} ${bad.change.kind} ${bad.change.namespace === '' ? '' : `${bad.change.namespace}/`}${bad.change.name} on ${bad.change.cluster} failed`;
      }
      const end = process.hrtime.bigint();
      const now = Date.now();
      for (const b of batch) opts.hooks?.onLag?.((now - b.receivedAt) / 1000);
      const interrupted = cutByStop(applied);
      const secs = (a: bigint, z: bigint): number => Number(z - a) / 1e9;
      const clusters: ClusterRunInfo[] = [...new Set(batch.map((b) => b.cluster))].sort().map((cluster) => {
        const client = used.get(cluster);
        return { cluster, reachable: client !== undefined && !failed.has(cluster), stats: client?.stats() ?? { reads: 0, writes: 0, byVerb: { list: 0, get: 0, apply: 0, delete: 0, discovery: 0, lock: 0 } } };
      });
      const result: ReconcileResult = {
        plan: finalPlan, dryRun: r.dryRun, applied, errors: finalPlan.errors,
        outcome: finalPlan.errors.length > 0 ? 'failed' : plan.changes.length > 0 ? 'changes' : 'ok',
        clusters, durationSeconds: secs(started, end), phaseSeconds: { desired: 0, fetch: secs(started, tPlan), plan: 0, apply: secs(tPlan, end) }, counts: [],
        ...(interrupted === undefined ? {} : { interrupted }),
      };
      last = result;
      await opts.onPass({ kind: 'changes', reason, result, events: batch.length });
    } finally {
      // Leases of clusters that failed in this pass are not kept.
      await Promise.all([...leases.keys()].filter((p) => failed.has(p.split('\0')[1] ?? '')).map(freeLease));
    }
  };

  /**
   * The stop's reason when it cut this incremental pass short (a change left not sent); a pass
   * that finished its work while the stop arrived is not interrupted, so the loop exits with that
   * pass's code (docs/watch.md, "Stop").
   */
  function cutByStop(applied: readonly AppliedChange[]): string | undefined {
    return applied.some((a) => a.status === 'not-sent') ? stopReason(opts.stop) : undefined;
  }

  /**
   * The first pass failing (bad data, bad command line) ends the loop; a later one is logged and
   * tried again at the next resync, as a failed --interval iteration is.
   */
  const guardedFullPass = async (reason: string): Promise<void> => {
    try {
      await fullPass(reason);
    } catch (e) {
      if (last === undefined) throw e;
      reporter.log('error', `full pass (${reason}) failed: ${errorMessage(e)}`, { code: isKontractError(e) ? e.code : ERROR_CODES.INTERNAL });
      nextResync = Date.now() + resyncMs;
    }
  };

  let unsubscribe: (() => Promise<void>) | undefined;
  try {
    if (opts.dataChanges !== undefined) {
      unsubscribe = await opts.dataChanges(() => {
        dataDirty = true;
        wake();
      });
    }
    while (!opts.stop.aborted) {
      if (fullDue !== undefined) {
        const reason = fullDue;
        fullDue = undefined;
        dataDirty = false;
        await guardedFullPass(reason);
        continue;
      }
      if (dataDirty) {
        dataDirty = false;
        await dataPass();
        if (queue.size > 0 && fullDue === undefined) await changesPass('data');
        continue;
      }
      if (queue.size > 0) {
        await sleep(debounceMs, opts.stop);
        if (fullDue === undefined) await changesPass('events');
        continue;
      }
      const waitMs = nextResync - Date.now();
      if (waitMs <= 0) {
        fullDue = 'resync';
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { wakeUp = undefined; resolve(); }, waitMs);
        wakeUp = (): void => { clearTimeout(t); resolve(); };
      });
    }
  } finally {
    opts.stop.removeEventListener('abort', onStop);
    await freeLeases();
    watchesStop.abort();
    await Promise.all([...[...watches.values()].map((w) => w.watch.done), ...retired.map((w) => w.done)]);
    agents.close();
    clients?.closeAll();
    await unsubscribe?.();
  }
  return last;
}
