/**
 * Human plan output: headline, a cluster × action table, errors, then one unified diff per change
 * (ANSI colours only when `color` is true; the CLI decides from NO_COLOR / TTY).
 */
import type { Plan, PlannedChange } from '../plan.js';
import { maskChange } from './mask.js';
import { changeId, unifiedDiff } from './patch.js';
import { applyLine, clusterStatus, headline, namespaceContentsText, namespaceDeletions, operationLine, table, takenFieldsText, totals } from './summary.js';

export interface TextOptions {
  /** Emit ANSI colour codes. */
  readonly color: boolean;
}

type Paint = (code: string, s: string) => string;

const SYMBOL: Record<PlannedChange['action'], string> = { create: '+', update: '~', delete: '-' };
const ACTION_COLOUR: Record<PlannedChange['action'], string> = { create: '32', update: '33', delete: '31' };

function colourDiffLine(paint: Paint, line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return paint('1', line);
  if (line.startsWith('@@')) return paint('36', line);
  if (line.startsWith('+')) return paint('32', line);
  if (line.startsWith('-')) return paint('31', line);
  return line;
}

function renderChange(paint: Paint, change: PlannedChange): string {
  const c = maskChange(change);
  const head = paint(ACTION_COLOUR[c.action], `${SYMBOL[c.action]} ${c.action} ${changeId(c)}`);
  const lines = [`${head} (${c.integration}): ${c.reason}`];
  if (c.action === 'delete' && c.kind === 'Namespace') lines.push(paint('31', `  NAMESPACE DELETION ${namespaceContentsText(c)}`));
  for (const t of takenFieldsText(c)) lines.push(`  ${t}`);
  const diff = unifiedDiff(c);
  if (diff === '') lines.push('  (no field differs from live: re-applied to refresh the ownership marks)');
  else lines.push(...diff.trimEnd().split('\n').map((l) => colourDiffLine(paint, l)));
  return lines.join('\n');
}

function listSection(paint: Paint, title: string, items: readonly PlannedChange[]): string[] {
  if (items.length === 0) return [];
  return ['', paint('1', title), ...items.map((c) => `  ${SYMBOL[c.action]} ${c.action} ${changeId(c)} (${c.integration}): ${c.reason}`)];
}

export function renderText(plan: Plan, opts: TextOptions): string {
  const paint: Paint = opts.color ? (code, s) => `\u001b[${code}m${s}\u001b[0m` : (_code, s) => s;
  const t = totals(plan);
  const out: string[] = [paint('1', `Plan: ${headline(t)}`)];
  out.push(`integrations: ${plan.integrations.join(', ') || '-'}; data sha: ${plan.dataSha || '-'}`);
  out.push('');
  out.push(
    table(
      ['CLUSTER', 'CREATE', 'UPDATE', 'DELETE', 'UNCHANGED', 'WITHHELD', 'ERRORS', 'STATUS'],
      plan.clusters.map((c) => [c.cluster, String(c.create), String(c.update), String(c.delete), String(c.unchanged), String(c.withheld), String(c.errors), clusterStatus(c)]),
    ),
  );
  if (plan.errors.length > 0) {
    out.push('', paint('1', 'Errors:'));
    for (const e of plan.errors) out.push(`  ${paint('31', e.code)} [${e.cluster ?? 'global'}] ${e.message}`);
  }
  const nsDeletes = namespaceDeletions(plan);
  if (nsDeletes.length > 0) {
    out.push('', paint('31', 'Namespace deletions (everything in the namespace goes with it):'));
    for (const c of nsDeletes) out.push(`  ${c.cluster}/${c.name} ${namespaceContentsText(c)}${plan.changes.includes(c) ? '' : ' [withheld]'}`);
  }
  const applied = applyLine(plan);
  if (applied !== undefined) out.push('', paint('1', `Apply: ${applied}`));
  out.push(...listSection(paint, 'Withheld deletions:', plan.withheldDeletions));
  out.push(...listSection(paint, 'Skipped changes:', plan.skippedChanges));
  if (plan.recycles !== undefined && plan.recycles.length > 0) {
    out.push('', paint('1', 'Recycle (restart, qontract.recycle):'));
    for (const r of plan.recycles) out.push(`  ${r.cluster}/${r.namespace}/${r.kind}/${r.name} (${r.because} changes)`);
  }
  if (plan.operations !== undefined && plan.operations.length > 0) {
    out.push('', paint('1', 'Operations (after the changes; a dry-run only lists them):'));
    for (const o of plan.operations) out.push(`  ${operationLine(o)}`);
  }
  out.push(...listSection(paint, 'Not sent:', plan.notSent ?? []));
  if (plan.orphaned.length > 0) {
    out.push('', paint('1', 'Orphaned (owned, not in the data, left alone):'));
    for (const o of plan.orphaned) out.push(`  ${changeId(o)} (${o.integration}): ${o.reason}`);
  }
  for (const c of plan.changes) out.push('', renderChange(paint, c));
  return `${out.join('\n')}\n`;
}
