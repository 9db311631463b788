/**
 * Reconcile commands: `kontract reconcile --all | reconcile <integration..>` (alias `run`) and one command per registered
 * integration (`kontract namespaces resourcequotas --dry-run`). Parses flags, loads the
 * app-interface, runs src/reconcile, renders the plan, exports metrics, returns an Outcome.
 */
import { writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Argv } from 'yargs';
import { allowedPathsOf, loadAppInterface, sourceFromArgs } from '../../app-interface/source-options.js';
import { ERROR_CODES, KontractError, errorMessage } from '../../core/errors.js';
import type { Reporter } from '../../core/reporter.js';
import type { Integration } from '../../integrations/define-integration.js';
import { INTEGRATIONS } from '../../integrations/index.js';
import type { RunIdentity, RunMetrics } from '../../metrics/run-metrics.js';
import { createConnector } from '../../reconcile/connector.js';
import type { SecretReader } from '../../secrets/index.js';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_DELETIONS, observeRun, runReconcile } from '../../reconcile/run-reconcile.js';
import { DEFAULT_GIVE_UP_AFTER } from '../../k8s/cluster-client.js';
import { DEFAULT_LOCK_NAMESPACE, parseDuration } from '../../reconcile/run-lock.js';
import type { LockOptions } from '../../reconcile/run-lock.js';
import { DEFAULT_RESYNC_MS, runWatchLoop } from '../../reconcile/watch-loop.js';
import type { WatchPass } from '../../reconcile/watch-loop.js';
import { connectCluster } from '../../k8s/cluster-connection.js';
import type { DryRunMode, ReconcileResult } from '../../reconcile/run-reconcile.js';
import { DEFAULT_MARKDOWN_MAX_BYTES, renderJson, renderMarkdown, renderText } from '../../resource-inventory/render/index.js';
import type { MarkdownOptions } from '../../resource-inventory/render/index.js';
import type { Plan } from '../../resource-inventory/plan.js';
import type { CommandContext, GlobalArgs, KontractCommand } from '../command.js';
import type { Outcome } from '../exit-codes.js';
import { baseAppInterface } from '../base-app-interface.js';
import { changedWork } from '../../reconcile/changed-since.js';
import type { ChangedWork } from '../../reconcile/changed-since.js';
import type { AppInterfaceData } from '../../app-interface/model.js';
import * as nodePath from 'node:path';
import { allowServerOptions, appInterfaceSourceOptions, checkedSourceArgsFrom, num, requestTimeoutMs, requestTimeoutOption, secretOptions, secretReaderFromArgs, str, strs, transportFrom, transportOption } from '../options.js';

type Args = Readonly<Record<string, unknown>> & GlobalArgs;
type OutputFormat = 'text' | 'json' | 'markdown';

/** Flags shared by `run` and the per-integration commands. */
function reconcileOptions(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return transportOption(requestTimeoutOption(secretOptions(allowServerOptions(appInterfaceSourceOptions(y)))))
    .option('dry-run', { type: 'string', describe: 'Plan only (--dry-run), or let the apiserver validate every change (--dry-run=server)' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig for clusters whose auth is a context (env KONTRACT_KUBECONFIG); ~/.kube/config is never read implicitly' })
    .option('cluster', { type: 'string', array: true, describe: 'Only these clusters (repeatable)' })
    .option('namespace', { type: 'string', array: true, describe: 'Only these namespaces (repeatable); other cluster-scoped kinds are skipped' })
    .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'API requests in flight per cluster (all clusters in parallel)' })
    .option('shards', { type: 'number', defaultDescription: `env ${SHARDS_ENV}, else 1`, describe: 'Split the work into N shards by hash of cluster/namespace' })
    .option('shard-id', { type: 'number', defaultDescription: `env ${SHARD_ID_ENV}, else JOB_COMPLETION_INDEX (Indexed Job), else 0`, describe: 'Which shard this process handles (0-based)' })
    .option('take-over', { type: 'boolean', default: false, describe: 'Adopt unowned live objects that match desired ones' })
    .option('adopt-qontract', { type: 'boolean', default: false, describe: 'Adopt objects applied by the matching qontract-reconcile integration (annotation qontract.integration); reported in the plan' })
    .option('max-deletions', { type: 'number', default: DEFAULT_MAX_DELETIONS, describe: 'Refuse plans deleting more objects than this' })
    .option('allow-mass-deletion', { type: 'boolean', default: false, describe: 'Lift the deletion safety limits' })
    .option('interval', { type: 'number', describe: 'Run forever, every SECONDS (default: run once)' })
    .option('watch', { type: 'boolean', default: false, describe: 'Run forever: one full run, then watch the owned objects and the app-interface directory and re-plan only what changed (docs/watch.md)' })
    .option('resync-period', { type: 'string', describe: `With --watch: a full run this often (DURATION: 90, 90s, 5m, 1h; default ${DEFAULT_RESYNC_MS / 60_000}m)` })
    .option('output', { choices: ['text', 'json', 'markdown'] as const, default: 'text' as const, describe: 'Plan format on stdout' })
    .option('plan-file', { type: 'string', describe: 'Also write the JSON plan to this file' })
    .option('changed-since', { type: 'string', describe: 'Only the clusters and kinds whose desired objects differ from this base app-interface (a directory or a git revision); needs --app-interface' })
    .option('max-bytes', { type: 'number', default: DEFAULT_MARKDOWN_MAX_BYTES, describe: 'Markdown output: size budget in bytes (summary and tables kept, object diffs dropped whole with a note; 0 = no limit)' })
    .option('metrics-file', { type: 'string', describe: 'Write Prometheus metrics (node_exporter textfile format, atomic)' })
    .option('pushgateway', { type: 'string', describe: 'Push metrics to this Pushgateway URL (job kontract)' })
    .option('metrics-port', { type: 'number', describe: 'Serve /metrics on this port (loop mode)' })
    .option('give-up-after', { type: 'number', default: DEFAULT_GIVE_UP_AFTER, describe: 'Give a cluster up after N consecutive requests failed after their retries (its remaining requests are not sent)' })
    .option('cluster-timeout', { type: 'number', describe: 'Give a cluster up SECONDS after the run connected to it (default: no deadline)' })
    .option('wait-for-lock', { type: 'string', describe: 'Wet runs: wait up to DURATION (90, 90s, 5m, 1h) for another run holding the Lease of an (integration, cluster) to finish (default: fail that cluster at once)' })
    .option('lock-namespace', { type: 'string', default: DEFAULT_LOCK_NAMESPACE, describe: 'Namespace of the Leases wet runs take per (integration, cluster)' })
    .option('grace-period', { type: 'number', default: DEFAULT_GRACE_SECONDS, describe: 'On SIGINT/SIGTERM: SECONDS requests in flight may take to finish before they are aborted' });
}

/** Shard settings from the environment, so that a pod spec needs no shell to pass them. */
export const SHARDS_ENV = 'KONTRACT_SHARDS';
export const SHARD_ID_ENV = 'KONTRACT_SHARD_ID';
/** Set by Kubernetes in every pod of an Indexed Job. */
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new KontractError(ERROR_CODES.USAGE, `${name} must be a non-negative integer (got ${v})`);
  return Number(v);
}

/** `--shards`/`--shard-id`, else KONTRACT_SHARDS / KONTRACT_SHARD_ID / JOB_COMPLETION_INDEX. */
export function shardingOf(args: Args, env: NodeJS.ProcessEnv): { readonly shards: number; readonly shardId: number } {
  const shards = num(args.shards, 'shards') ?? envInt(env, SHARDS_ENV) ?? 1;
  const shardId = num(args['shard-id'], 'shard-id') ?? envInt(env, SHARD_ID_ENV) ?? envInt(env, JOB_COMPLETION_INDEX_ENV) ?? 0;
  return { shards, shardId }; // validated with the rest of the scope (src/reconcile/scope.ts)
}

/** Default of --grace-period. */
export const DEFAULT_GRACE_SECONDS = 10;

const DRY_RUN_MODES = new Set(['', 'true', 'client', 'server', 'false', 'none']);

/**
 * `--dry-run` is a string flag so that `--dry-run=server` works; a bare `--dry-run` followed by a
 * word makes yargs take the word as its value, so a non-mode value is an integration name — unless
 * the command line spelled it `--dry-run=<value>`, which is a flag error.
 */
function dryRunOf(args: Args, names: string[], argv: readonly string[]): DryRunMode {
  const v = args['dry-run'];
  if (v === undefined) return false;
  const s = typeof v === 'string' ? v : typeof v === 'boolean' ? String(v) : '';
  if (!DRY_RUN_MODES.has(s)) {
    if (argv.includes(`--dry-run=${s}`)) {
      throw new KontractError(ERROR_CODES.USAGE, `invalid value for --dry-run: ${s} (use --dry-run, --dry-run=client, --dry-run=server or --dry-run=none)`);
    }
    names.push(s);
    return 'client';
  }
  if (s === 'false' || s === 'none') return false;
  return s === 'server' ? 'server' : 'client';
}

export function selectIntegrations(names: readonly string[], all: boolean): Integration[] {
  if (all) {
    if (names.length > 0) throw new KontractError(ERROR_CODES.USAGE, '--all and integration names are exclusive');
    return [...INTEGRATIONS];
  }
  if (names.length === 0) throw new KontractError(ERROR_CODES.USAGE, `name at least one integration or use --all (known: ${INTEGRATIONS.map((i) => i.name).join(', ')})`);
  const out: Integration[] = [];
  for (const n of names) {
    const i = INTEGRATIONS.find((x) => x.name === n);
    if (i === undefined) throw new KontractError(ERROR_CODES.USAGE, `unknown integration ${n} (known: ${INTEGRATIONS.map((x) => x.name).join(', ')})`);
    if (!out.includes(i)) out.push(i);
  }
  return out;
}

function render(plan: Plan, format: OutputFormat, color: boolean, markdown: MarkdownOptions): string {
  switch (format) {
    case 'json':
      return renderJson(plan);
    case 'markdown':
      return renderMarkdown(plan, markdown);
    case 'text':
      return renderText(plan, { color });
  }
}

function summarise(result: ReconcileResult, reporter: Reporter): void {
  const failed = result.applied.filter((a) => a.status === 'failed').length;
  const applied = result.applied.filter((a) => a.status === 'applied').length;
  const skipped = result.applied.filter((a) => a.status === 'skipped').length;
  const notSent = result.applied.filter((a) => a.status === 'not-sent').length;
  const withheld = result.applied.filter((a) => a.status === 'withheld').length;
  const verb = result.dryRun === false ? 'applied' : result.dryRun === 'server' ? 'validated by the apiserver (dry-run)' : 'planned (dry-run)';
  const n = result.dryRun === 'client' ? result.plan.changes.length : applied;
  // Plan errors (cluster access, conflicts, safety) also go to stderr; apply failures were logged as they happened.
  for (const e of result.plan.errors) if (e.code !== ERROR_CODES.APPLY) reporter.log('error', e.message, { code: e.code, cluster: e.cluster });
  for (const c of result.clusters) {
    reporter.log('debug', `cluster ${c.cluster}: reachable=${c.reachable} reads=${c.stats.reads} writes=${c.stats.writes}`, { cluster: c.cluster });
  }
  reporter.log(result.outcome === 'failed' ? 'error' : 'info',
    `${n} change(s) ${verb}${failed > 0 ? `, ${failed} failed` : ''}${skipped > 0 ? `, ${skipped} skipped (cluster errors)` : ''}`
    + `${withheld > 0 ? `, ${withheld} deletion(s) withheld` : ''}${notSent > 0 ? `, ${notSent} not sent` : ''}`
    + `${result.interrupted === undefined ? '' : ` (interrupted by ${result.interrupted})`}; ${result.errors.length} error(s) in ${result.durationSeconds.toFixed(2)} s`);
}

function toOutcome(result: ReconcileResult): Outcome {
  if (result.interrupted === 'SIGINT' || result.interrupted === 'SIGTERM') return { kind: 'interrupted', signal: result.interrupted };
  if (result.outcome === 'failed') return { kind: 'failed', errors: result.errors.length };
  if (result.outcome === 'changes') return { kind: 'changes', count: result.plan.changes.length };
  return { kind: 'ok' };
}

function markdownOptions(args: Args, planFile: string | undefined): MarkdownOptions {
  const max = num(args['max-bytes'], 'max-bytes') ?? DEFAULT_MARKDOWN_MAX_BYTES;
  if (!Number.isInteger(max) || max < 0) throw new KontractError(ERROR_CODES.USAGE, `--max-bytes must be a non-negative integer (got ${max})`);
  return { ...(max === 0 ? {} : { maxBytes: max }), ...(planFile === undefined ? {} : { fullPlan: planFile }) };
}

interface RunSettings {
  readonly integrations: readonly Integration[];
  readonly dryRun: DryRunMode;
  readonly output: OutputFormat;
  readonly color: boolean;
  /**
   * Absent for a one-shot run that exports no metrics (no --metrics-file, no --pushgateway): the
   * metrics modules and prom-client (some 90 CommonJS files with @opentelemetry/api, 35–65 ms to
   * load; docs/benchmarks.md, "Current figures: session 7") are then not loaded at all.
   */
  readonly metrics: RunMetrics | undefined;
}

/** The settings of the loop modes, which always keep metrics. */
type LoopSettings = RunSettings & { readonly metrics: RunMetrics };

/** Whether a run records metrics: loop modes, or a one-shot run that exports them. */
function wantsMetrics(args: Args, looping: boolean): boolean {
  return looping || str(args['metrics-file']) !== undefined || str(args.pushgateway) !== undefined;
}

async function exportMetrics(args: Args, s: RunSettings): Promise<void> {
  if (s.metrics === undefined) return;
  const names = s.integrations.map((i) => i.name);
  const file = str(args['metrics-file']);
  const gw = str(args.pushgateway);
  if (file === undefined && gw === undefined) return;
  const { pushMetrics, writeMetricsFile } = await import('../../metrics/export.js');
  if (file !== undefined) await writeMetricsFile(s.metrics, file);
  if (gw !== undefined) await pushMetrics(s.metrics, gw, names);
}

/**
 * The signal a connector's clients abort on: fires `grace` seconds after `stop` (SIGINT/SIGTERM),
 * so requests in flight get that long to finish. Call the returned dispose when the run is over.
 */
function hardAbortAfter(stop: AbortSignal, graceSeconds: number): { signal: AbortSignal; dispose: () => void } {
  const hard = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onStop = (): void => { timer = setTimeout(() => { hard.abort(stop.reason); }, graceSeconds * 1000); };
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });
  return { signal: hard.signal, dispose: () => { stop.removeEventListener('abort', onStop); if (timer !== undefined) clearTimeout(timer); } };
}

/** The client, Lease and grace settings of a run (shared by one-shot, --interval and --watch). */
interface ClientSettings {
  readonly kubeconfig: string | undefined;
  readonly grace: number;
  readonly client: { readonly giveUpAfter: number; readonly timeoutMs: number; readonly deadlineMs?: number } & ReturnType<typeof transportFrom>;
  readonly lock: LockOptions;
}

function clientSettings(args: Args, env: NodeJS.ProcessEnv): ClientSettings {
  const kubeconfig = str(args.kubeconfig);
  const grace = num(args['grace-period'], 'grace-period') ?? DEFAULT_GRACE_SECONDS;
  if (grace < 0) throw new KontractError(ERROR_CODES.USAGE, '--grace-period must not be negative');
  const giveUpAfter = num(args['give-up-after'], 'give-up-after') ?? DEFAULT_GIVE_UP_AFTER;
  if (!Number.isInteger(giveUpAfter) || giveUpAfter < 1) throw new KontractError(ERROR_CODES.USAGE, '--give-up-after must be a positive integer');
  const clusterTimeout = num(args['cluster-timeout'], 'cluster-timeout');
  if (clusterTimeout !== undefined && clusterTimeout <= 0) throw new KontractError(ERROR_CODES.USAGE, '--cluster-timeout must be positive');
  const waitText = str(args['wait-for-lock']);
  const waitMs = waitText === undefined ? 0 : parseDuration(waitText);
  if (waitMs === undefined) throw new KontractError(ERROR_CODES.USAGE, `--wait-for-lock ${waitText ?? ''}: expected a duration such as 90, 90s, 5m or 1h`);
  const lockNamespace = str(args['lock-namespace']) ?? DEFAULT_LOCK_NAMESPACE;
  return {
    kubeconfig, grace, lock: { namespace: lockNamespace, waitMs },
    client: { giveUpAfter, timeoutMs: requestTimeoutMs(args, env), ...transportFrom(args), ...(clusterTimeout === undefined ? {} : { deadlineMs: clusterTimeout * 1000 }) },
  };
}

/** The runReconcile options every kind of run shares, from the command line. */
function reconcileArgs(args: Args, ctx: CommandContext, s: RunSettings, source: ReturnType<typeof checkedSourceArgsFrom>, secrets: SecretReader | undefined) {
  return {
    integrations: s.integrations, dryRun: s.dryRun,
    takeOver: args['take-over'] === true,
    adoptQontract: args['adopt-qontract'] === true,
    maxDeletions: num(args['max-deletions'], 'max-deletions') ?? DEFAULT_MAX_DELETIONS,
    allowMassDeletion: args['allow-mass-deletion'] === true,
    concurrency: num(args.concurrency, 'concurrency') ?? DEFAULT_CONCURRENCY,
    clusters: strs(args.cluster), namespaces: strs(args.namespace),
    ...shardingOf(args, ctx.env),
    reporter: ctx.reporter, env: ctx.env, cwd: ctx.cwd, allowedPaths: allowedPathsOf(source), ...(secrets === undefined ? {} : { secrets }),
  } as const;
}

async function runOnce(args: Args, ctx: CommandContext, s: RunSettings): Promise<Outcome> {
  const started = Date.now();
  let result: ReconcileResult;
  const { kubeconfig, grace, client, lock } = clientSettings(args, ctx.env);
  const hard = hardAbortAfter(ctx.signal, grace);
  let secrets: SecretReader | undefined;
  const connector = createConnector({
    env: ctx.env, cwd: ctx.cwd, reporter: ctx.reporter, ...(s.metrics === undefined ? {} : { onRequest: s.metrics.onRequest }), secrets: () => secrets,
    client: { signal: hard.signal, ...client },
    ...(kubeconfig === undefined ? {} : { kubeconfigPath: kubeconfig }),
  });
  const planFile = str(args['plan-file']);
  try {
    const source = checkedSourceArgsFrom(args, ctx);
    const data = await loadAppInterface(source);
    secrets = secretReaderFromArgs(args, ctx, data);
    let pendingPlanFile: Promise<void> | undefined;
    const narrowed = await narrowToChanges(args, ctx, s, data, allowedPathsOf(source));
    if (narrowed !== undefined && narrowed.integrations.length === 0) {
      ctx.reporter.result(`No desired object differs from --changed-since ${str(args['changed-since']) ?? ''}: nothing to plan, no cluster contacted.`);
      return { kind: 'ok' };
    }
    result = await runReconcile({
      ...reconcileArgs(args, ctx, s, source, secrets),
      integrations: narrowed?.integrations ?? s.integrations, data, connect: connector.connect,
      clusters: narrowed === undefined ? strs(args.cluster) : narrowed.clusters,
      stop: ctx.signal, lock,
      onPlan: (plan) => {
        if (s.dryRun === 'client') ctx.reporter.result(render(plan, s.output, s.color, markdownOptions(args, planFile)));
        if (planFile !== undefined) {
          // Written before anything is sent, so the artefact exists even if the apply fails.
          pendingPlanFile = writeFile(planFile, renderJson(plan));
        }
      },
    });
    if (pendingPlanFile !== undefined) await pendingPlanFile;
  } catch (e) {
    s.metrics?.recordAbortedRun((Date.now() - started) / 1000);
    await exportMetrics(args, s).catch((me: unknown) => { ctx.reporter.log('warn', errorMessage(me), { code: ERROR_CODES.METRICS }); });
    throw e;
  } finally {
    hard.dispose();
    connector.closeAll();
  }
  if (s.dryRun !== 'client') {
    // After a wet run or server dry-run the plan says what was sent, withheld and not sent.
    ctx.reporter.result(render(result.plan, s.output, s.color, markdownOptions(args, str(args['plan-file']))));
    if (planFile !== undefined) await writeFile(planFile, renderJson(result.plan));
  }
  summarise(result, ctx.reporter);
  if (s.metrics !== undefined) {
    s.metrics.recordRun(result, s.integrations.map((i) => i.name));
    // Integration-specific metrics (e.g. kontract_fabric_drift_objects), from this run's plan.
    observeRun(result, s.integrations, s.metrics.registry, ctx.reporter);
    await exportMetrics(args, s);
  }
  return toOutcome(result);
}

/** With --changed-since: the integrations/clusters whose desired objects differ from the base. */
async function narrowToChanges(args: Args, ctx: CommandContext, s: RunSettings, head: AppInterfaceData, allowedPaths: readonly string[]): Promise<ChangedWork | undefined> {
  const since = str(args['changed-since']);
  if (since === undefined) return undefined;
  const headDir = str(args['app-interface']);
  if (headDir === undefined) throw new KontractError(ERROR_CODES.USAGE, '--changed-since needs --app-interface DIR');
  const base = await baseAppInterface(since, nodePath.resolve(ctx.cwd, headDir), ctx.cwd);
  try {
    // Both sides are read as confined as the run itself: the head app-interface and --allow-path,
    // plus the base copy (docs/app-interface.md, confinement).
    const allowPaths = allowedPaths.slice(1);
    const baseData = await loadAppInterface({ kind: 'dir', path: base.path, ...(allowPaths.length === 0 ? {} : { allowPaths }) });
    const work = await changedWork(s.integrations, baseData, head, { env: ctx.env, cwd: ctx.cwd, now: new Date(), reporter: ctx.reporter, allowedPaths: [...allowedPaths, base.path] });
    const only = strs(args.cluster);
    const clusters = only.length === 0 ? work.clusters : work.clusters.filter((c) => only.includes(c));
    ctx.reporter.log('info', `--changed-since ${since}: ${work.pairs.length === 0 ? 'no desired object differs' : `changed: ${work.pairs.join('; ')}`}`);
    return { ...work, integrations: clusters.length === 0 ? [] : work.integrations, clusters };
  } finally {
    base.cleanup();
  }
}

/** Sleeps until the timeout or the abort, removing its listener either way (no leak in loop mode). */
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((r) => {
    const onAbort = (): void => { clearTimeout(t); r(); };
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); r(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

async function loop(args: Args, ctx: CommandContext, s: LoopSettings, intervalSeconds: number): Promise<Outcome> {
  const port = num(args['metrics-port'], 'metrics-port');
  let server: Server | undefined;
  if (port !== undefined) {
    const { serveMetrics } = await import('../../metrics/export.js');
    s.metrics.collectProcessMetrics();
    server = await serveMetrics(s.metrics, port);
    ctx.reporter.log('info', `serving /metrics on port ${port}`);
  }
  let last: Outcome = { kind: 'ok' };
  try {
    while (!ctx.signal.aborted) {
      try {
        last = await runOnce(args, ctx, s);
        if (last.kind === 'interrupted') break;
      } catch (e) {
        // In loop mode a failed iteration is logged and retried on the next tick.
        ctx.reporter.log('error', errorMessage(e), { code: (e as { code?: string }).code ?? ERROR_CODES.INTERNAL });
        last = { kind: 'failed', errors: 1 };
      }
      await sleep(intervalSeconds * 1000, ctx.signal);
    }
  } finally {
    await new Promise<void>((r) => { if (server === undefined) r(); else server.close(() => { r(); }); });
  }
  return last;
}

/**
 * `--watch` (docs/watch.md): the watch loop of src/reconcile/watch-loop.ts. Every pass is
 * reported like a one-shot run (plan on stdout — for an incremental pass only when it has
 * something to say — summary on stderr, metrics); the loop ends on SIGINT/SIGTERM.
 */
async function watchLoop(args: Args, ctx: CommandContext, s: LoopSettings, resyncMs: number): Promise<Outcome> {
  const port = num(args['metrics-port'], 'metrics-port');
  const [{ WatchMetrics }, { pollGraphqlSha, watchDirectory }, { serveMetrics }] = await Promise.all([
    import('../../metrics/watch-metrics.js'), import('../../reconcile/watch-data.js'), import('../../metrics/export.js'),
  ]);
  const watchMetrics = new WatchMetrics(s.metrics);
  let server: Server | undefined;
  s.metrics.collectProcessMetrics();
  if (port !== undefined) {
    server = await serveMetrics(s.metrics, port);
    ctx.reporter.log('info', `serving /metrics on port ${port}`);
  }
  const { kubeconfig, grace, client, lock } = clientSettings(args, ctx.env);
  const hard = hardAbortAfter(ctx.signal, grace);
  const source = checkedSourceArgsFrom(args, ctx);
  const connectionOptions = {
    env: ctx.env, cwd: ctx.cwd, reporter: ctx.reporter, ...(kubeconfig === undefined ? {} : { kubeconfigPath: kubeconfig }),
  };
  const first = await loadAppInterface(source);
  const secrets = secretReaderFromArgs(args, ctx, first);
  let pending: AppInterfaceData | undefined = first;
  const loadData = async (): Promise<AppInterfaceData> => {
    const d = pending ?? await loadAppInterface(source);
    pending = undefined;
    return d;
  };
  const onPass = async (pass: WatchPass): Promise<void> => {
    const r = pass.result;
    watchMetrics.recordPass(pass);
    const quiet = pass.kind === 'changes' && r.plan.changes.length === 0 && r.errors.length === 0 && r.plan.withheldDeletions.length === 0 && r.plan.skippedChanges.length === 0;
    if (!quiet && (pass.kind === 'changes' || s.dryRun !== 'client')) ctx.reporter.result(render(r.plan, s.output, s.color, markdownOptions(args, undefined)));
    if (pass.kind === 'full') {
      summarise(r, ctx.reporter);
      s.metrics.recordRun(r, s.integrations.map((i) => i.name));
      observeRun(r, s.integrations, s.metrics.registry, ctx.reporter);
    } else {
      if (!quiet) summarise(r, ctx.reporter);
      else ctx.reporter.log('debug', `watch: ${pass.events} object(s) re-planned, nothing to do`);
      s.metrics.recordActions(r);
    }
    await exportMetrics(args, s).catch((e: unknown) => { ctx.reporter.log('warn', errorMessage(e), { code: ERROR_CODES.METRICS }); });
  };
  const dir = source.dir === undefined ? undefined : nodePath.resolve(ctx.cwd, source.dir);
  // A directory is watched; a GraphQL source's /sha256 is polled (src/reconcile/watch-data.ts).
  const graphqlEndpoint = async (): Promise<{ url: string; token?: string }> => {
    const src = await sourceFromArgs(source);
    if (src.kind !== 'graphql') throw new KontractError(ERROR_CODES.INTERNAL, 'the data source is not a GraphQL endpoint');
    return src;
  };
  const dataChanges = dir !== undefined
    ? (onChange: () => void) => watchDirectory(dir, onChange)
    : (onChange: () => void) => pollGraphqlSha({ endpoint: graphqlEndpoint, sha: first.sha, reporter: ctx.reporter }, onChange);
  try {
    const last = await runWatchLoop({
      reconcile: reconcileArgs(args, ctx, s, source, secrets),
      loadData,
      dataChanges,
      clients: () => createConnector({
        env: ctx.env, cwd: ctx.cwd, reporter: ctx.reporter, onRequest: s.metrics.onRequest, secrets: () => secrets,
        client: { signal: hard.signal, ...client }, ...(kubeconfig === undefined ? {} : { kubeconfigPath: kubeconfig }),
      }),
      connection: (cluster) => connectCluster(cluster, { ...connectionOptions, ...(secrets === undefined ? {} : { secrets }) }),
      ...(s.dryRun === false ? { lock } : {}),
      stop: ctx.signal, resyncMs, ...(client.transport === undefined ? {} : { transport: client.transport }),
      onPlan: (plan) => { if (s.dryRun === 'client') ctx.reporter.result(render(plan, s.output, s.color, markdownOptions(args, undefined))); },
      onPass, hooks: watchMetrics.hooks,
    });
    return last === undefined ? { kind: 'ok' } : toOutcome(last);
  } finally {
    hard.dispose();
    await new Promise<void>((r) => { if (server === undefined) r(); else server.close(() => { r(); }); });
  }
}

interface ReconcileChoice {
  readonly integrations: readonly Integration[];
  readonly dryRun: DryRunMode;
  readonly interval: number | undefined;
  /** --watch: the resync period in ms; undefined without --watch. */
  readonly resyncMs: number | undefined;
}

/** The argument checks of a reconcile command (pure; E_USAGE on a bad command line). */
export function checkReconcileArgs(names: readonly string[], args: Args, argv: readonly string[]): ReconcileChoice {
  const all = [...names];
  const dryRun = dryRunOf(args, all, argv);
  const integrations = selectIntegrations(all, args.all === true);
  const interval = num(args.interval, 'interval');
  if (interval !== undefined && interval <= 0) throw new KontractError(ERROR_CODES.USAGE, '--interval must be positive');
  const watching = args.watch === true;
  if (args['metrics-port'] !== undefined && interval === undefined && !watching) throw new KontractError(ERROR_CODES.USAGE, '--metrics-port needs --interval or --watch (loop mode)');
  let resyncMs: number | undefined;
  const resync = str(args['resync-period']);
  if (watching) {
    if (interval !== undefined) throw new KontractError(ERROR_CODES.USAGE, '--watch and --interval are exclusive (--watch runs a full pass every --resync-period)');
    if (args['changed-since'] !== undefined) throw new KontractError(ERROR_CODES.USAGE, '--watch and --changed-since are exclusive');
    if (args['plan-file'] !== undefined) throw new KontractError(ERROR_CODES.USAGE, '--watch and --plan-file are exclusive');
    resyncMs = resync === undefined ? DEFAULT_RESYNC_MS : parseDuration(resync);
    if (resyncMs === undefined || resyncMs <= 0) throw new KontractError(ERROR_CODES.USAGE, `--resync-period ${resync ?? ''}: expected a positive duration such as 90, 90s, 5m or 1h`);
  } else if (resync !== undefined) {
    throw new KontractError(ERROR_CODES.USAGE, '--resync-period needs --watch');
  }
  markdownOptions(args, undefined);
  return { integrations, dryRun, interval, resyncMs };
}

/** Shared handler of `reconcile` and the per-integration commands. */
export async function executeReconcile(names: string[], args: Args, ctx: CommandContext): Promise<Outcome> {
  const { integrations, dryRun, interval, resyncMs } = checkReconcileArgs(names, args, ctx.argv ?? []);
  const output = (str(args.output) ?? 'text') as OutputFormat;
  const color = process.stdout.isTTY && (ctx.env.NO_COLOR === undefined || ctx.env.NO_COLOR === '');
  const sharding = shardingOf(args, ctx.env);
  const identity: RunIdentity = {
    shard: sharding.shardId, shards: sharding.shards,
    mode: dryRun === false ? 'wet' : dryRun === 'server' ? 'server-dry-run' : 'dry-run',
  };
  const looping = resyncMs !== undefined || interval !== undefined;
  const metrics = wantsMetrics(args, looping) ? new (await import('../../metrics/run-metrics.js')).RunMetrics(identity) : undefined;
  const settings: RunSettings = { integrations, dryRun, output, color, metrics };
  if (metrics !== undefined && resyncMs !== undefined) return watchLoop(args, ctx, { ...settings, metrics }, resyncMs);
  if (metrics !== undefined && interval !== undefined) return loop(args, ctx, { ...settings, metrics }, interval);
  return runOnce(args, ctx, settings);
}

export const runCommand: KontractCommand = {
  command: ['reconcile [integrations..]', 'run'],
  describe: 'Reconcile the named integrations (or --all) against their clusters',
  builder: (y) => reconcileOptions(y)
    .positional('integrations', { type: 'string', array: true, describe: 'Integration names' })
    .option('all', { type: 'boolean', default: false, describe: 'Run every registered integration' }),
  run: (args, ctx) => executeReconcile(strs(args.integrations), args, ctx),
  check: (args, argv) => { checkReconcileArgs(strs(args.integrations), args, argv); },
};

/** One command per registered integration: `kontract <name> [more integrations..]`. */
export function integrationCommand(integration: Integration): KontractCommand {
  return {
    command: `${integration.name} [integrations..]`,
    describe: integration.summary,
    builder: (y) => reconcileOptions(y).positional('integrations', { type: 'string', array: true, describe: 'More integrations to run together' }),
    run: (args, ctx) => executeReconcile([integration.name, ...strs(args.integrations)], args, ctx),
    check: (args, argv) => { checkReconcileArgs([integration.name, ...strs(args.integrations)], args, argv); },
  };
}

export const integrationCommands: readonly KontractCommand[] = INTEGRATIONS.map(integrationCommand);
