/**
 * kontract's Prometheus metrics, in their own registry (no default process metrics: a CLI run is
 * short-lived; loop mode adds them, see `collectProcessMetrics`). Labels carry names only — never
 * tokens or object contents.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestVerb } from '../k8s/cluster-client.js';
import type { ReconcileResult } from '../reconcile/run-reconcile.js';

/** Label value for errors that belong to no cluster. */
export const GLOBAL_CLUSTER_LABEL = '_global';

/**
 * Which run the metrics describe: added as labels to every metric (`shard`, `shards`, `mode`) and
 * to the Pushgateway grouping key, so shards and dry-runs never overwrite each other's group.
 */
export interface RunIdentity {
  readonly shard: number;
  readonly shards: number;
  /** `dry-run` (client), `server-dry-run` or `wet`. */
  readonly mode: 'dry-run' | 'server-dry-run' | 'wet';
}

export function identityLabels(id: RunIdentity): Record<string, string> {
  return { shard: String(id.shard), shards: String(id.shards), mode: id.mode };
}

export class RunMetrics {
  readonly registry = new Registry();
  constructor(readonly identity?: RunIdentity) {
    if (identity !== undefined) this.registry.setDefaultLabels(identityLabels(identity));
  }

  private readonly runDuration = new Gauge({ name: 'kontract_run_duration_seconds', help: 'Wall time of the last reconcile run', registers: [this.registry] });
  private readonly desired = new Gauge({ name: 'kontract_desired_objects', help: 'Desired objects in the last run', labelNames: ['integration', 'cluster', 'kind'] as const, registers: [this.registry] });
  private readonly current = new Gauge({ name: 'kontract_current_objects', help: 'Owned live objects found in the last run', labelNames: ['integration', 'cluster', 'kind'] as const, registers: [this.registry] });
  private readonly actions = new Counter({
    name: 'kontract_actions_total',
    help: 'Actions planned (dry_run=client), validated (dry_run=server) or applied (dry_run=false)',
    labelNames: ['integration', 'action', 'kind', 'cluster', 'dry_run'] as const,
    registers: [this.registry],
  });
  private readonly errors = new Gauge({ name: 'kontract_errors', help: `Errors in the last run per cluster (${GLOBAL_CLUSTER_LABEL} = not cluster-specific)`, labelNames: ['cluster'] as const, registers: [this.registry] });
  private readonly reachable = new Gauge({ name: 'kontract_cluster_reachable', help: '1 when the cluster was configured, reached and read in the last run', labelNames: ['cluster'] as const, registers: [this.registry] });
  private readonly lastSuccess = new Gauge({ name: 'kontract_last_success_timestamp_seconds', help: 'Unix time of the last run without errors', labelNames: ['integration'] as const, registers: [this.registry] });
  private readonly orphaned = new Gauge({ name: 'kontract_orphaned_objects', help: 'Owned objects not in the data and left alone (orphaned Namespaces) in the last run', labelNames: ['integration', 'cluster', 'kind'] as const, registers: [this.registry] });
  private readonly requests = new Counter({ name: 'kontract_api_requests_total', help: 'Kubernetes API requests sent (retries included)', labelNames: ['cluster', 'verb'] as const, registers: [this.registry] });
  private processMetrics = false;

  /** Hook for the connector (and the watches of watch-metrics.ts, verbs list and watch): one call per HTTP request. */
  readonly onRequest = (cluster: string, verb: RequestVerb | 'watch'): void => {
    this.requests.inc({ cluster, verb });
  };

  /** Adds Node process metrics (loop mode, where they are meaningful). */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry, prefix: 'kontract_' });
  }

  /** Records one finished run; per-run gauges are reset first so stale series disappear. */
  recordRun(result: ReconcileResult, integrations: readonly string[], now: Date = new Date()): void {
    this.runDuration.set(result.durationSeconds);
    this.desired.reset();
    this.current.reset();
    for (const c of result.counts) {
      this.desired.set({ integration: c.integration, cluster: c.cluster, kind: c.kind }, c.desired);
      this.current.set({ integration: c.integration, cluster: c.cluster, kind: c.kind }, c.current);
    }
    this.recordActions(result);
    this.orphaned.reset();
    for (const o of result.plan.orphaned) this.orphaned.inc({ integration: o.integration, cluster: o.cluster, kind: o.kind });
    this.errors.reset();
    this.reachable.reset();
    for (const c of result.clusters) {
      this.reachable.set({ cluster: c.cluster }, c.reachable ? 1 : 0);
      this.errors.set({ cluster: c.cluster }, 0);
    }
    for (const e of result.errors) this.errors.inc({ cluster: e.cluster ?? GLOBAL_CLUSTER_LABEL });
    if (result.outcome !== 'failed') {
      for (const i of integrations) this.lastSuccess.set({ integration: i }, now.getTime() / 1000);
    }
  }

  /**
   * Counts the actions of a run or of a watch loop's incremental pass (which records only these:
   * its object counts and errors describe a few objects, not the clusters).
   */
  recordActions(result: ReconcileResult): void {
    const dryRun = result.dryRun === false ? 'false' : result.dryRun;
    if (result.dryRun === 'client') {
      for (const ch of result.plan.changes) this.actions.inc({ integration: ch.integration, action: ch.action, kind: ch.kind, cluster: ch.cluster, dry_run: dryRun });
    } else {
      for (const a of result.applied) {
        if (a.status !== 'applied') continue;
        const ch = a.change;
        this.actions.inc({ integration: ch.integration, action: ch.action, kind: ch.kind, cluster: ch.cluster, dry_run: dryRun });
      }
    }
  }

  /** A run that failed before it produced a plan (invalid data, usage): counts as a global error. */
  recordAbortedRun(durationSeconds: number): void {
    this.runDuration.set(durationSeconds);
    this.errors.reset();
    this.errors.set({ cluster: GLOBAL_CLUSTER_LABEL }, 1);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
