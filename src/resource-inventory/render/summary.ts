/** Totals over a plan, shared by the three renderers. */
import type { ClusterSummary, Plan, PlannedChange, PlannedOperation } from '../plan.js';

export interface PlanTotals {
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly unchanged: number;
  readonly withheld: number;
  readonly skipped: number;
  readonly orphaned: number;
  /** Namespace deletions in `changes` or `withheldDeletions` (flagged in every format). */
  readonly namespaceDeletions: number;
  /** Changes never sent (after an apply). */
  readonly notSent: number;
  readonly errors: number;
}

export function totals(plan: Plan): PlanTotals {
  const count = (a: PlannedChange['action']): number => plan.changes.filter((c) => c.action === a).length;
  return {
    create: count('create'),
    update: count('update'),
    delete: count('delete'),
    unchanged: plan.clusters.reduce((n, c) => n + c.unchanged, 0),
    withheld: plan.withheldDeletions.length,
    skipped: plan.skippedChanges.length,
    orphaned: plan.orphaned.length,
    namespaceDeletions: namespaceDeletions(plan).length,
    notSent: plan.notSent?.length ?? 0,
    errors: plan.errors.length,
  };
}

/** Every Namespace deletion of the plan, sent or withheld. */
export function namespaceDeletions(plan: Plan): PlannedChange[] {
  return [...plan.changes, ...plan.withheldDeletions].filter((c) => c.action === 'delete' && c.kind === 'Namespace');
}

/** `with 12 object(s) (ConfigMap, ResourceQuota; other kinds not read)` or `with an unknown number of objects`. */
export function namespaceContentsText(c: PlannedChange): string {
  const n = c.namespaceContents;
  if (n === undefined || n.objects === null) return 'with an unknown number of objects (no namespaced kind was read on this cluster)';
  return `with ${n.objects} object(s) this run read in it (${n.kinds.join(', ')}; other kinds not read)`;
}

/** `fields taken from manager kubectl-edit (Update): data.key` per manager. */
export function takenFieldsText(c: PlannedChange): string[] {
  return (c.takenFields ?? []).map((t) => `fields taken from manager ${t.manager} (${t.operation}): ${t.fields.join(', ')}`);
}

/** The apply's outcome in one line, e.g. `applied 3, failed 1, not sent 0`. */
export function applyLine(plan: Plan): string | undefined {
  const a = plan.apply;
  if (a === undefined) return undefined;
  const verb = a.mode === 'apply' ? 'applied' : 'validated (server dry-run)';
  const parts = [`${verb} ${a.applied}`, `failed ${a.failed}`, `not sent ${a.notSent}`];
  if (a.interrupted !== undefined) parts.push(`interrupted by ${a.interrupted}`);
  for (const g of a.givenUp) parts.push(`cluster ${g.cluster} given up (${g.reason}): ${g.notSent} not sent`);
  return parts.join(', ');
}

export function clusterStatus(c: ClusterSummary): string {
  if (!c.read) return 'not read';
  if (!c.reachable) return 'unreachable';
  if (c.skipped) return 'skipped (errors)';
  return c.errors > 0 ? 'errors' : 'ok';
}

export function headline(t: PlanTotals): string {
  const parts = [`${t.create} to create`, `${t.update} to update`, `${t.delete} to delete`, `${t.unchanged} unchanged`];
  if (t.withheld > 0) parts.push(`${t.withheld} deletion(s) withheld`);
  if (t.skipped > 0) parts.push(`${t.skipped} change(s) skipped`);
  if (t.notSent > 0) parts.push(`${t.notSent} change(s) not sent`);
  if (t.orphaned > 0) parts.push(`${t.orphaned} orphaned`);
  if (t.namespaceDeletions > 0) parts.push(`${t.namespaceDeletions} NAMESPACE DELETION(S)`);
  if (t.errors > 0) parts.push(`${t.errors} error(s)`);
  return parts.join(', ');
}

/** Left-aligned plain-text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One planned operation as a line: `prod-1/vms/VirtualMachine.kubevirt.io/web-1: restart (reset requested at …)`. */
export function operationLine(o: PlannedOperation): string {
  const what = o.operation === 'notice' ? 'notice' : o.operation;
  return `${o.cluster}/${o.namespace}/${o.kind}/${o.name}: ${what} (${o.reason})`;
}
