/** Totals over a plan, shared by the three renderers. */
import type { ClusterSummary, Plan, PlannedChange } from '../plan.js';

export interface PlanTotals {
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly unchanged: number;
  readonly withheld: number;
  readonly skipped: number;
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
    errors: plan.errors.length,
  };
}

export function clusterStatus(c: ClusterSummary): string {
  if (!c.reachable) return 'unreachable';
  if (c.skipped) return 'skipped (errors)';
  return c.errors > 0 ? 'errors' : 'ok';
}

export function headline(t: PlanTotals): string {
  const parts = [`${t.create} to create`, `${t.update} to update`, `${t.delete} to delete`, `${t.unchanged} unchanged`];
  if (t.withheld > 0) parts.push(`${t.withheld} deletion(s) withheld`);
  if (t.skipped > 0) parts.push(`${t.skipped} change(s) skipped`);
  if (t.errors > 0) parts.push(`${t.errors} error(s)`);
  return parts.join(', ');
}

/** Left-aligned plain-text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
