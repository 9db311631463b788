/**
 * Realises a plan: creates/updates with server-side apply by ascending order level (parallel
 * within a level, levels one after another), then deletes by descending order level. A failed
 * object is recorded and the rest of the creates/updates proceed; clusters with a registered error
 * are skipped entirely. If any create/update failed, no deletion is sent anywhere (withheld).
 * A stop request (SIGINT/SIGTERM) or a given-up cluster means: nothing more is sent (not-sent).
 */
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import type { ManagedKind } from '../core/k8s-object.js';
import { kindKey, resourceIdString } from '../core/k8s-object.js';
import type { Reporter } from '../core/reporter.js';
import type { Integration } from '../integrations/define-integration.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import { KubeApiError, isGivenUp } from '../k8s/cluster-client.js';
import type { Plan, PlannedChange } from '../resource-inventory/plan.js';
import type { RequestLimits } from './request-limits.js';

export interface AppliedChange {
  readonly change: PlannedChange;
  /**
   * 'skipped': its cluster had an error, so nothing was sent. 'withheld': a deletion not sent
   * because a create/update of this run failed. 'not-sent': the run was stopped or the cluster
   * given up before it was sent. `error` says why for every status but 'applied'.
   */
  readonly status: 'applied' | 'failed' | 'skipped' | 'withheld' | 'not-sent';
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
  /** Aborted: send nothing more (requests in flight finish). Its reason names the signal. */
  readonly stop?: AbortSignal;
}

/** Why nothing more is sent, if so: the stop request. */
export function stopReason(stop: AbortSignal | undefined): string | undefined {
  if (stop?.aborted !== true) return undefined;
  return typeof stop.reason === 'string' ? stop.reason : 'stop requested';
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
  if (client === undefined || ctx.clusterFailed(change.cluster)) return { change, status: 'skipped', error: `cluster ${change.cluster} has errors` };
  const stopped = stopReason(ctx.stop);
  if (stopped !== undefined) return { change, status: 'not-sent', error: `not sent: run interrupted (${stopped})` };
  const gaveUp = client.givenUp();
  if (gaveUp !== undefined) return { change, status: 'not-sent', error: `not sent: cluster ${change.cluster} given up (${gaveUp})` };
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
    if (isGivenUp(e)) return { change, status: 'not-sent', error: `not sent: cluster ${change.cluster} given up (${client.givenUp() ?? ''})` };
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
  const runLevel = async (level: readonly PlannedChange[]): Promise<void> => {
    const done = await Promise.all(level.map((c) => ctx.limits(c.cluster)(() => applyOne(ctx, c, nsCreated))));
    results.push(...done);
    ctx.reporter.progress?.(`applied ${results.length}/${total}`);
  };
  /** Withholds `pending` deletions when a write of this run failed (or was not sent); true if it did. */
  const withheldAfterFailure = (pending: readonly PlannedChange[]): boolean => {
    const firstFailure = results.find((r) => r.status === 'failed' || r.status === 'not-sent');
    if (firstFailure === undefined || pending.length === 0 || stopReason(ctx.stop) !== undefined) return false;
    const id = resourceIdString(firstFailure.change);
    for (const d of pending) results.push({ change: d, status: 'withheld', error: `withheld (a write failed in this run: ${id}): ${d.reason}` });
    ctx.reporter.log('warn', `${pending.length} deletion(s) withheld: ${id} failed in this run`, { code: ERROR_CODES.SAFETY });
    return true;
  };
  for (const level of levels(writes, false)) await runLevel(level);
  // Any failed (or unsent) write is a registered error: no further deletion anywhere in this run
  // (a failed delete withholds the delete levels after its own; one level is sent in parallel).
  const deleteLevels = levels(deletes, true);
  for (let i = 0; i < deleteLevels.length; i++) {
    if (withheldAfterFailure(deleteLevels.slice(i).flat())) break;
    await runLevel(deleteLevels[i] ?? []);
  }
  return results;
}
