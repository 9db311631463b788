/**
 * One reconcile run: build desired (no IO) → connect clusters → fetch current (bounded
 * concurrency) → computePlan (pure) → hand the plan to the caller → apply (unless dry-run).
 *
 * Per-cluster failures are data: a cluster that cannot be configured, reached or read is
 * registered as an error in the inventory, the other clusters still converge, and the outcome is
 * 'failed'. A run without changes sends no write at all.
 */
import pLimit from 'p-limit';
import type { Registry } from 'prom-client';
import type { AppInterfaceData } from '../app-interface/model.js';
import { ERROR_CODES, errorMessage } from '../core/errors.js';
import { kindKey } from '../core/k8s-object.js';
import type { Reporter } from '../core/reporter.js';
import type { DesiredState, Integration } from '../integrations/define-integration.js';
import type { ClusterClient, RequestStats } from '../k8s/cluster-client.js';
import { foreignManagedFields } from '../k8s/cluster-client.js';
import { ResourceInventory } from '../resource-inventory/inventory.js';
import type { SecretReader } from '../secrets/index.js';
import type { ExternalSources } from '../app-interface/external-sources.js';
import { computePlan } from '../resource-inventory/planner.js';
import type { Plan, PlanError } from '../resource-inventory/plan.js';
import { applyPlan, stopReason } from './apply-plan.js';
import { withApplyOutcome } from '../resource-inventory/plan-outcome.js';
import type { AppliedChange } from './apply-plan.js';
import type { Connect } from './connector.js';
import { blockedUnitError, buildWork, markExplicitDeletions, processEnvironment } from './desired.js';
import type { IntegrationWork } from './desired.js';
import { RunDiscovery } from './discovery.js';
import { kindTable, resolveDynamicKinds } from './dynamic-kinds.js';
import { applyRecycles, isRecycleTrigger, planRecycles } from './recycle.js';
import { performOperations, planOperations } from './operations.js';
import { operationActs, operationPath } from '../resource-inventory/plan.js';
import { ClusterFailures, fetchCurrent } from './fetch-current.js';
import type { CurrentCount } from './fetch-current.js';
import { requestLimits } from './request-limits.js';
import { checkFilters, createScope } from './scope.js';
import { acquireLock } from './run-lock.js';
import type { HeldLock, LockOptions } from './run-lock.js';

export type DryRunMode = false | 'client' | 'server';

/** Default for --max-deletions: deletions per run above this need --allow-mass-deletion. */
export const DEFAULT_MAX_DELETIONS = 50;
/** Default for --concurrency: API requests in flight per cluster (request-limits.ts). */
export const DEFAULT_CONCURRENCY = 10;

export interface ReconcileOptions {
  readonly integrations: readonly Integration[];
  readonly data: AppInterfaceData;
  /** Makes (or reuses) a client for a cluster; throws E_CLUSTER_CONFIG for unusable configuration. */
  readonly connect: Connect;
  /** false = apply; 'client' = plan only; 'server' = plan, then send every change with dryRun=All. */
  readonly dryRun: DryRunMode;
  /** Adopt unowned live objects that match a desired one. @default false */
  readonly takeOver?: boolean;
  /** Adopt objects applied by the matching qontract-reconcile integration (`--adopt-qontract`). */
  readonly adoptQontract?: boolean;
  /** @default DEFAULT_MAX_DELETIONS */
  readonly maxDeletions?: number;
  /** @default false */
  readonly allowMassDeletion?: boolean;
  /** API requests in flight per cluster. @default DEFAULT_CONCURRENCY */
  readonly concurrency?: number;
  /** --cluster values (empty = all). */
  readonly clusters?: readonly string[];
  /** --namespace values (empty = all). */
  readonly namespaces?: readonly string[];
  /** @default 1 */
  readonly shards?: number;
  /** @default 0 */
  readonly shardId?: number;
  readonly reporter: Reporter;
  /** Environment handed to the integrations (DesiredContext.env). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Base of relative paths in the data (DesiredContext.cwd). @default process.cwd() */
  readonly cwd?: string;
  /** The run's clock (DesiredContext.now). @default new Date() at the start of the run */
  readonly now?: Date;
  /** Secret reader handed to the integrations (DesiredContext.secrets): vault-secret resources, Route TLS. */
  readonly secrets?: SecretReader;
  /** Readers of sources outside the data (DesiredContext.sources). @default disk and git, confined to `allowedPaths` (external-sources.ts) */
  readonly sources?: ExternalSources;
  /** Directories the integrations may read from disk (DesiredContext.allowedPaths). @default no restriction */
  readonly allowedPaths?: readonly string[];
  /** Called with the plan before anything is applied (the CLI writes --plan-file here). */
  readonly onPlan?: (plan: Plan) => void;
  /**
   * Wet runs only: take a Lease per (integration, cluster) for the run (run-lock.ts). A cluster
   * whose Lease another run holds gets an E_LOCKED error (not read, nothing sent). Absent: no lock.
   */
  readonly lock?: LockOptions;
  /**
   * Aborted (reason: the signal name) when the run must stop: no new write is sent, requests in
   * flight finish; the result's plan lists what was not sent and `interrupted` is set.
   */
  readonly stop?: AbortSignal;
}

export interface ClusterRunInfo {
  readonly cluster: string;
  readonly reachable: boolean;
  readonly stats: RequestStats;
}

export interface ReconcileResult {
  /** The plan; after a wet run or server dry-run with the apply's outcome (plan-outcome.ts). */
  readonly plan: Plan;
  /** The signal that stopped the run (stop option), if it did. */
  readonly interrupted?: string;
  readonly dryRun: DryRunMode;
  /** Results of the apply (wet run or server dry-run); empty for a client dry-run. */
  readonly applied: readonly AppliedChange[];
  /** Plan errors plus apply failures (= plan.errors). */
  readonly errors: readonly PlanError[];
  readonly outcome: 'ok' | 'changes' | 'failed';
  readonly clusters: readonly ClusterRunInfo[];
  readonly durationSeconds: number;
  /** Seconds spent per phase (desired: build + inventory; fetch: connect + LIST/GET; plan; apply). */
  readonly phaseSeconds: { readonly desired: number; readonly fetch: number; readonly plan: number; readonly apply: number };
  /** Desired/current object counts per integration, cluster and kind (metrics). */
  readonly counts: readonly { integration: string; cluster: string; kind: string; desired: number; current: number }[];
  /** The desired state of every integration with an `observe` hook, by integration name (absent: none). */
  readonly states?: ReadonlyMap<string, DesiredState>;
  /** The run's work, dynamic kinds resolved: what the watch loop (watch-loop.ts) re-plans against. */
  readonly work?: readonly IntegrationWork[];
}

const ZERO_STATS: RequestStats = { reads: 0, writes: 0, byVerb: { list: 0, get: 0, apply: 0, delete: 0, discovery: 0, lock: 0 } };

async function connectAll(work: readonly IntegrationWork[], connect: Connect, failures: ClusterFailures, concurrency: number): Promise<Map<string, ClusterClient>> {
  const clusters = new Map(work.flatMap((w) => w.clusters).map((c) => [c.name, c]));
  const limit = pLimit(concurrency);
  const clients = new Map<string, ClusterClient>();
  await Promise.all([...clusters.values()].map((c) => limit(async () => {
    try {
      clients.set(c.name, await connect(c));
    } catch (e) {
      failures.register(c.name, e);
    }
  })));
  return clients;
}

function countObjects(work: readonly IntegrationWork[], current: readonly CurrentCount[]): ReconcileResult['counts'] {
  const counts = new Map<string, { integration: string; cluster: string; kind: string; desired: number; current: number }>();
  const entry = (integration: string, cluster: string, kind: string): { desired: number; current: number } => {
    const key = `${integration}\0${cluster}\0${kind}`;
    let c = counts.get(key);
    if (c === undefined) {
      c = { integration, cluster, kind, desired: 0, current: 0 };
      counts.set(key, c);
    }
    return c;
  };
  for (const w of work) for (const d of w.desired) entry(w.integration.name, d.cluster, kindKey(d.kind)).desired++;
  for (const c of current) entry(c.integration, c.cluster, c.kind).current += c.current;
  return [...counts.values()];
}

export async function runReconcile(opts: ReconcileOptions): Promise<ReconcileResult> {
  const started = process.hrtime.bigint();
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const scope = createScope({
    ...(opts.clusters === undefined ? {} : { clusters: opts.clusters }),
    ...(opts.namespaces === undefined ? {} : { namespaces: opts.namespaces }),
    ...(opts.shards === undefined ? {} : { shards: opts.shards }),
    ...(opts.shardId === undefined ? {} : { shardId: opts.shardId }),
  });
  // 1. Desired state: pure; a data problem throws before a cluster is contacted (a blocked unit only withholds its scope).
  const defaults = processEnvironment();
  const work = await buildWork(opts.integrations, opts.data, scope, {
    env: opts.env ?? defaults.env, cwd: opts.cwd ?? defaults.cwd, now: opts.now ?? defaults.now, reporter: opts.reporter,
    ...(opts.secrets === undefined ? {} : { secrets: opts.secrets }),
    ...(opts.sources === undefined ? {} : { sources: opts.sources }),
    ...(opts.allowedPaths === undefined ? {} : { allowedPaths: opts.allowedPaths }),
  });
  const inScopeClusters = new Set(opts.data.clusters.map((c) => c.name).filter((c) => scope.clusterInScope(c)));
  const unmatched = checkFilters({
    clusters: opts.clusters ?? [], namespaces: opts.namespaces ?? [],
    dataClusters: opts.data.clusters.map((c) => c.name),
    coveredClusters: work.flatMap((w) => w.clusters.map((c) => c.name)),
    knownNamespaces: () => new Set([
      ...opts.data.namespaces.filter((n) => inScopeClusters.has(n.cluster)).map((n) => n.name),
      ...work.flatMap((w) => [...w.namespacesSeen]),
    ]),
  });
  if (unmatched.length > 0) opts.reporter.log('warn', `--namespace ${unmatched.join(', ')}: not in the app-interface for this run (only owned objects left there can be found)`);
  const inventory = new ResourceInventory(opts.integrations);
  for (const w of work) {
    for (const c of w.clusters) inventory.addCluster(c.name);
    for (const d of w.desired) inventory.addDesired(w.integration.name, d.cluster, d.kind, d.object, d.source);
    // A unit that could not be built fails the run but withholds only its own scope.
    for (const u of w.blocked) inventory.registerError(blockedUnitError(w.integration.name, u));
    markExplicitDeletions(inventory, w);
  }
  const failures = new ClusterFailures(inventory);
  const tDesired = process.hrtime.bigint();

  // 2. Connect and fetch current state.
  opts.reporter.progress?.('connecting to clusters');
  const clients = await connectAll(work, opts.connect, failures, concurrency);
  const locking = opts.dryRun === false && opts.lock !== undefined ? lockAll(work, clients, failures, opts.lock, opts.reporter) : undefined;
  try {
    return await reconcileLocked(opts, { started, scope, work, inventory, failures, clients, concurrency, tDesired, ...(locking === undefined ? {} : { locked: locking.locked }) });
  } finally {
    // Every Lease taken is released, also on a cluster given up during the run (best effort, run-lock.ts).
    if (locking !== undefined) await Promise.all((await locking.all).map((l) => l.release()));
  }
}

/**
 * Takes every (integration, cluster) Lease at once without waiting for them: each cluster is read
 * as soon as its own Leases are taken (`locked`), so a cluster whose Lease request fails or times
 * out (LOCK_REQUEST_TIMEOUT_MS) is given up alone while the others proceed.
 */
function lockAll(work: readonly IntegrationWork[], clients: ReadonlyMap<string, ClusterClient>, failures: ClusterFailures, lock: LockOptions, reporter: Reporter): { locked: (cluster: string) => Promise<void>; all: Promise<HeldLock[]> } {
  const held: HeldLock[] = [];
  const byCluster = new Map<string, Promise<void>[]>();
  for (const w of work) {
    for (const c of w.clusters) {
      const client = clients.get(c.name);
      if (client === undefined) continue;
      const taking = acquireLock(client, w.integration.name, lock, reporter).then((l) => { held.push(l); }, (e: unknown) => { failures.register(c.name, e); });
      byCluster.set(c.name, [...(byCluster.get(c.name) ?? []), taking]);
    }
  }
  const ready = new Map([...byCluster].map(([c, ps]) => [c, Promise.all(ps).then(() => undefined)]));
  return {
    locked: (cluster) => ready.get(cluster) ?? Promise.resolve(),
    all: Promise.all([...ready.values()]).then(() => held),
  };
}

interface RunState {
  readonly started: bigint;
  readonly scope: ReturnType<typeof createScope>;
  readonly work: readonly IntegrationWork[];
  readonly inventory: ResourceInventory;
  readonly failures: ClusterFailures;
  readonly clients: Map<string, ClusterClient>;
  readonly concurrency: number;
  readonly tDesired: bigint;
  /** Resolves once the cluster's Leases are taken or failed (wet runs). */
  readonly locked?: (cluster: string) => Promise<void>;
}

async function reconcileLocked(opts: ReconcileOptions, st: RunState): Promise<ReconcileResult> {
  const { started, scope, inventory, failures, clients, concurrency, tDesired } = st;
  const limits = requestLimits(concurrency);
  // One discovery per run, shared by the kinds the data names and the served check before each LIST.
  const discovery = new RunDiscovery(limits);
  // Kinds only the data names (e.g. qontract managedResourceTypes) are resolved per cluster now.
  const resolved = await resolveDynamicKinds({ clients, failures, discovery, scope, reporter: opts.reporter }, st.work);
  const work = resolved.work;
  for (const [i, added] of resolved.added.entries()) {
    const w = work[i];
    if (w !== undefined) for (const d of added) inventory.addDesired(w.integration.name, d.cluster, d.kind, d.object, d.source);
  }
  opts.reporter.progress?.('reading current state');
  // Live objects are compared with their desired ones as LIST pages arrive (fetch-current.ts).
  const current = await fetchCurrent({ inventory, clients, scope, namespaces: opts.namespaces ?? [], limits, discovery, ...(st.locked === undefined ? {} : { locked: st.locked }) }, failures, work);

  const tFetch = process.hrtime.bigint();
  // 3. Plan (pure).
  const computed = computePlan(inventory, {
    integrations: opts.integrations.map((i) => i.name),
    dataSha: opts.data.sha,
    takeOver: opts.takeOver ?? false,
    adoptQontract: opts.adoptQontract ?? false,
    maxDeletions: opts.maxDeletions ?? DEFAULT_MAX_DELETIONS,
    allowMassDeletion: opts.allowMassDeletion ?? false,
    managersOf: foreignManagedFields,
  });
  // Integration warnings (already logged while building) travel with the plan.
  const warnings = work.flatMap((w) => w.warnings.map((p) => ({ integration: w.integration.name, ...p })));
  const withWarnings: Plan = warnings.length === 0 ? computed : { ...computed, warnings };
  // qontract.recycle: the workloads using an updated Secret/ConfigMap (reads only when there is one).
  const recycles = computed.changes.some(isRecycleTrigger)
    ? await planRecycles(computed.changes.filter((c) => !failures.has(c.cluster)), clients, limits).catch((e: unknown) => {
      opts.reporter.log('error', `recycle: cannot read the workloads to restart: ${errorMessage(e)}`, { code: ERROR_CODES.CLUSTER_ACCESS });
      return [];
    })
    : [];
  const withRecycles: Plan = recycles.length === 0 ? withWarnings : { ...withWarnings, recycles };
  // Integration operations (VM power: pause, unpause, restart), from the live state after the diff.
  const ops = work.some((w) => w.integration.operations !== undefined)
    ? await planOperations(work, computed.changes, clients, limits, (c) => !failures.has(c) && !inventory.clusterHasError(c))
    : { operations: [], failures: [] };
  const plan: Plan = ops.operations.length === 0 ? withRecycles : { ...withRecycles, operations: ops.operations };
  const tPlan = process.hrtime.bigint();
  opts.onPlan?.(plan);

  // 4. Act (nothing is sent once a stop was requested).
  let applied: AppliedChange[] = [];
  let finalPlan = plan;
  if (opts.dryRun !== 'client' && plan.changes.length > 0) {
    applied = await applyPlan({
      plan, integrations: opts.integrations, clients, dryRun: opts.dryRun === 'server', limits,
      reporter: opts.reporter, clusterFailed: (c) => failures.has(c) || inventory.clusterHasError(c), resolvedKind: kindTable(work),
      ...(opts.stop === undefined ? {} : { stop: opts.stop }),
    });
    // A cluster given up after its work was done (a deadline passing later) cost nothing: not reported.
    const hurt = new Set(applied.filter((a) => a.status === 'not-sent' || a.status === 'failed').map((a) => a.change.cluster));
    const givenUp = [...clients.values()].flatMap((c) => {
      const why = c.givenUp();
      return why === undefined || failures.has(c.cluster) || !hurt.has(c.cluster) ? [] : [{ cluster: c.cluster, reason: why }];
    });
    const interrupted = stopReason(opts.stop);
    finalPlan = withApplyOutcome(plan, {
      mode: opts.dryRun === 'server' ? 'server-dry-run' : 'apply', outcomes: applied, givenUp,
      ...(interrupted === undefined ? {} : { interrupted }),
    });
  }
  const interrupted = stopReason(opts.stop);
  const recycleErrors: PlanError[] = [];
  if (opts.dryRun === false && recycles.length > 0 && interrupted === undefined) {
    // Restart only after the Secret/ConfigMap that triggers it was applied.
    const done = new Set(applied.filter((a) => a.status === 'applied' && isRecycleTrigger(a.change)).map((a) => `${a.change.cluster}\0${a.change.namespace}\0${a.change.kind} ${a.change.name}`));
    const due = recycles.filter((x) => x.because.split(', ').some((b) => done.has(`${x.cluster}\0${x.namespace}\0${b}`)));
    for (const x of await applyRecycles(due, clients, limits, new Date())) {
      const id = `${x.recycle.cluster}/${x.recycle.namespace}/${x.recycle.kind}/${x.recycle.name}`;
      if (x.error === undefined) opts.reporter.log('info', `recycled ${id} (${x.recycle.because} changed)`);
      else recycleErrors.push({ cluster: x.recycle.cluster, code: ERROR_CODES.APPLY, message: `recycle ${id}: ${x.error}` });
    }
  }
  const operationErrors: PlanError[] = ops.failures.map((f) => ({ cluster: f.cluster, code: ERROR_CODES.CLUSTER_ACCESS, message: f.message }));
  if (opts.dryRun === false && interrupted === undefined && ops.operations.some(operationActs)) {
    for (const x of await performOperations(ops.operations, applied, clients, limits)) {
      const o = x.operation;
      const id = `${o.cluster}/${o.namespace}/${o.kind}/${o.name}`;
      const what = o.request === undefined ? `${o.operation} ${id}` : `${o.operation} ${id} (PUT ${operationPath(o)})`;
      if (x.status === 'done') opts.reporter.log('info', `${what}: ${o.reason}`);
      else if (x.status === 'skipped') opts.reporter.log('warn', `${what} skipped: ${x.message ?? ''}`);
      else operationErrors.push({ cluster: o.cluster, code: ERROR_CODES.APPLY, message: `${what}: ${x.message ?? ''}` });
    }
  }
  reportThrottling(clients, opts.reporter);
  const errors = [...finalPlan.errors, ...recycleErrors, ...operationErrors];
  const allClusters = new Set(work.flatMap((w) => w.clusters.map((c) => c.name)));
  const clusters: ClusterRunInfo[] = [...allClusters].sort().map((c) => ({
    cluster: c,
    reachable: clients.has(c) && !failures.has(c) && clients.get(c)?.givenUp() === undefined,
    stats: clients.get(c)?.stats() ?? ZERO_STATS,
  }));
  const outcome = errors.length > 0 ? 'failed' : plan.changes.length > 0 || ops.operations.some(operationActs) ? 'changes' : 'ok';
  const end = process.hrtime.bigint();
  const secs = (a: bigint, b: bigint): number => Number(b - a) / 1e9;
  const phaseSeconds = { desired: secs(started, tDesired), fetch: secs(tDesired, tFetch), plan: secs(tFetch, tPlan), apply: secs(tPlan, end) };
  const states = new Map(work.flatMap((w) => (w.state === undefined ? [] : [[w.integration.name, w.state] as const])));
  return { plan: finalPlan, dryRun: opts.dryRun, applied, errors, outcome, ...(interrupted === undefined ? {} : { interrupted }), clusters, durationSeconds: secs(started, end), phaseSeconds, counts: countObjects(work, current), states, work };
}

/** Names every cluster that answered 429 during the run: how often, and how far its requests in flight were lowered. */
function reportThrottling(clients: ReadonlyMap<string, ClusterClient>, reporter: Reporter): void {
  for (const c of clients.values()) {
    const { throttled, lowestConcurrency } = c.stats();
    if (throttled === undefined) continue;
    reporter.log('warn', `cluster ${c.cluster}: ${throttled} request(s) answered 429 Too Many Requests (retried after Retry-After)${lowestConcurrency === undefined ? '' : `; requests in flight lowered to ${lowestConcurrency} at the lowest`}`, { cluster: c.cluster });
  }
}

/**
 * Lets each integration of the run record its own metrics from the plan (Integration.observe).
 * A failing hook is logged, never fails the run.
 */
export function observeRun(result: ReconcileResult, integrations: readonly Integration[], registry: Registry, reporter: Reporter): void {
  for (const i of integrations) {
    const state = result.states?.get(i.name);
    if (i.observe === undefined || state === undefined) continue;
    try {
      i.observe({ plan: result.plan, state, registry });
    } catch (e) {
      reporter.log('warn', `${i.name}: recording its metrics failed: ${errorMessage(e)}`, { integration: i.name });
    }
  }
}
