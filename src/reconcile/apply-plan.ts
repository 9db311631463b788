/**
 * Realises a plan: creates/updates with server-side apply by ascending order level (parallel
 * within a level, levels one after another), then deletes by descending order level. A failed
 * object is recorded and the rest proceed; clusters with a registered error are skipped entirely.
 */
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import type { ManagedKind } from '../core/k8s-object.js';
import { kindKey, resourceIdString } from '../core/k8s-object.js';
import type { Reporter } from '../core/reporter.js';
import type { Integration } from '../integrations/define-integration.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import { KubeApiError } from '../k8s/cluster-client.js';
import type { Plan, PlannedChange } from '../resource-inventory/plan.js';
import type { RequestLimits } from './request-limits.js';

export interface AppliedChange {
  readonly change: PlannedChange;
  /** 'skipped': its cluster had an error, so nothing was sent. */
  readonly status: 'applied' | 'failed' | 'skipped';
  readonly error?: string;
}

export interface ApplyContext {
  readonly plan: Plan;
  readonly integrations: readonly Integration[];
  readonly clients: ReadonlyMap<string, ClusterClient>;
  readonly dryRun: boolean;
  /** Per-cluster request limiter (request-limits.ts). */
  readonly limits: RequestLimits;
  readonly reporter: Reporter;
  readonly clusterFailed: (cluster: string) => boolean;
  /** Kinds resolved for this run (dynamic kinds, per cluster), consulted before the static `kinds`. */
  readonly resolvedKind?: (integration: string, cluster: string, key: string) => ManagedKind | undefined;
}

function managedKind(ctx: ApplyContext, change: PlannedChange): ManagedKind | undefined {
  return ctx.resolvedKind?.(change.integration, change.cluster, change.kind)
    ?? ctx.integrations.find((i) => i.name === change.integration)?.kinds.find((k) => kindKey(k) === change.kind);
}

function levels(changes: readonly PlannedChange[], descending: boolean): PlannedChange[][] {
  const byOrder = new Map<number, PlannedChange[]>();
  for (const c of changes) {
    const l = byOrder.get(c.order);
    if (l === undefined) byOrder.set(c.order, [c]);
    else l.push(c);
  }
  return [...byOrder.entries()].sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0])).map(([, l]) => l);
}

/** Namespaces this plan creates, per cluster (for server dry-run of objects inside them). */
function createdNamespaces(plan: Plan): Set<string> {
  const s = new Set<string>();
  for (const c of plan.changes) if (c.action === 'create' && c.kind === 'Namespace') s.add(`${c.cluster}/${c.name}`);
  return s;
}

function isMissingNamespace(e: unknown, change: PlannedChange): boolean {
  return e instanceof KubeApiError && e.status === 404 && change.namespace !== '' && /namespaces? "?[^"]*"? not found/.test(e.message);
}

async function applyOne(ctx: ApplyContext, change: PlannedChange, nsCreated: ReadonlySet<string>): Promise<AppliedChange> {
  const id = resourceIdString(change);
  const client = ctx.clients.get(change.cluster);
  if (client === undefined || ctx.clusterFailed(change.cluster)) return { change, status: 'skipped' };
  const kind = managedKind(ctx, change);
  try {
    if (kind === undefined) throw new KontractError(ERROR_CODES.INTERNAL, `no managed kind ${change.kind} in integration ${change.integration}`);
    if (change.action === 'delete') {
      await client.delete(kind, change.namespace, change.name, { dryRun: ctx.dryRun });
    } else {
      if (change.desired === undefined) throw new KontractError(ERROR_CODES.INTERNAL, `${change.action} of ${id} has no desired object`);
      await client.apply(kind, change.desired, { dryRun: ctx.dryRun });
    }
    ctx.reporter.log('debug', `${ctx.dryRun ? 'validated (server dry-run)' : 'applied'} ${change.action} ${id}`);
    return { change, status: 'applied' };
  } catch (e) {
    if (isMissingNamespace(e, change)) {
      // Server dry-run cannot see a namespace this same plan would create: not an error.
      if (ctx.dryRun && nsCreated.has(`${change.cluster}/${change.namespace}`)) return { change, status: 'applied' };
      const msg = `${change.action} ${id}: namespace ${change.namespace} does not exist on cluster ${change.cluster} (create it first, e.g. with the namespaces integration)`;
      ctx.reporter.log('error', msg, { code: ERROR_CODES.APPLY, cluster: change.cluster });
      return { change, status: 'failed', error: msg };
    }
    const msg = `${change.action} ${id}: ${errorMessage(e)}`;
    ctx.reporter.log('error', msg, { code: ERROR_CODES.APPLY, cluster: change.cluster });
    return { change, status: 'failed', error: msg };
  }
}

export async function applyPlan(ctx: ApplyContext): Promise<AppliedChange[]> {
  const results: AppliedChange[] = [];
  const nsCreated = createdNamespaces(ctx.plan);
  const writes = ctx.plan.changes.filter((c) => c.action !== 'delete');
  const deletes = ctx.plan.changes.filter((c) => c.action === 'delete');
  const total = ctx.plan.changes.length;
  for (const level of [...levels(writes, false), ...levels(deletes, true)]) {
    const done = await Promise.all(level.map((c) => ctx.limits(c.cluster)(() => applyOne(ctx, c, nsCreated))));
    results.push(...done);
    ctx.reporter.progress?.(`applied ${results.length}/${total}`);
  }
  return results;
}
