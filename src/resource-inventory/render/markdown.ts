/**
 * The plan as a merge-request comment: a heading with counts, the cluster table, errors, then per
 * cluster a table of changes and one collapsible ```diff block per object. Secret data masked.
 */
import type { Plan, PlannedChange } from '../plan.js';
import { maskChange } from './mask.js';
import { unifiedDiff } from './patch.js';
import { applyLine, clusterStatus, headline, namespaceContentsText, namespaceDeletions, operationLine, takenFieldsText, totals } from './summary.js';

function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(s: string): string {
  return s === '' ? '' : `\`${s.replace(/`/g, "'")}\``;
}

function row(values: readonly string[]): string {
  return `| ${values.map(cell).join(' | ')} |`;
}

function fence(body: string, lang: string): string {
  let ticks = '```';
  while (body.includes(ticks)) ticks += '`';
  return `${ticks}${lang}\n${body.trimEnd()}\n${ticks}`;
}

function details(change: PlannedChange): string {
  const c = maskChange(change);
  const ns = c.namespace === '' ? '' : `${c.namespace}/`;
  const diff = unifiedDiff(c);
  const diffBody = diff === '' ? '_No field differs from live: re-applied to refresh the ownership marks._' : fence(diff, 'diff');
  const taken = takenFieldsText(c).map((t) => `- ${t}`);
  const body = taken.length === 0 ? diffBody : `${taken.join('\n')}\n\n${diffBody}`;
  return `<details><summary>${c.action} ${c.kind} ${ns}${c.name}</summary>\n\n${body}\n\n</details>`;
}

function changeTable(changes: readonly PlannedChange[]): string[] {
  return [
    row(['action', 'kind', 'namespace', 'name', 'integration', 'reason']),
    row(['---', '---', '---', '---', '---', '---']),
    ...changes.map((c) => row([c.action, c.kind, c.namespace === '' ? '-' : c.namespace, c.name, c.integration, c.reason])),
  ];
}

/**
 * GitHub rejects comments over 65,536 characters; a UTF-8 byte budget of 65,000 keeps the plan
 * under that with room for a pipeline's own header line.
 */
export const DEFAULT_MARKDOWN_MAX_BYTES = 65_000;

export interface MarkdownOptions {
  /** Size budget in UTF-8 bytes (default: none). */
  readonly maxBytes?: number;
  /** Where the full plan is, for the note when something was left out (e.g. `plan.json`). */
  readonly fullPlan?: string;
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

interface Section {
  /** Always kept when the budget allows any of it: heading and change table. */
  readonly fixed: readonly string[];
  /** One collapsible diff per object: kept whole or dropped, never cut. */
  readonly diffs: readonly string[];
}

/**
 * The plan as Markdown. With `maxBytes`, the summary, cluster table and errors are always kept,
 * then the per-cluster change tables, then the object diffs in plan order as long as they fit;
 * what does not fit is dropped whole (never cut inside a code block) and a note says how much was
 * left out and where the full plan is.
 */
export function renderMarkdown(plan: Plan, opts: MarkdownOptions = {}): string {
  const t = totals(plan);
  const head: string[] = [`### kontract plan: ${headline(t)}`, ''];
  head.push(`Integrations: ${plan.integrations.map(code).join(', ') || '-'} · data ${code(plan.dataSha) || '-'}`, '');
  head.push(row(['cluster', 'create', 'update', 'delete', 'unchanged', 'withheld', 'errors', 'status']));
  head.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---']));
  for (const c of plan.clusters) {
    head.push(row([c.cluster, String(c.create), String(c.update), String(c.delete), String(c.unchanged), String(c.withheld), String(c.errors), clusterStatus(c)]));
  }
  const nsDeletes = namespaceDeletions(plan);
  if (nsDeletes.length > 0) {
    head.push('', '#### :warning: Namespace deletions', '');
    for (const c of nsDeletes) head.push(`- **${code(`${c.cluster}/${c.name}`)}** ${namespaceContentsText(c)}${plan.changes.includes(c) ? '' : ' (withheld)'}`);
  }
  const applied = applyLine(plan);
  if (applied !== undefined) head.push('', `**Apply:** ${applied}`);
  if (plan.errors.length > 0) {
    head.push('', '#### Errors', '');
    for (const e of plan.errors) head.push(`- **${e.code}** ${code(e.cluster ?? 'global')}: ${e.message.replace(/\r?\n/g, ' ')}`);
  }
  const sections: Section[] = [];
  for (const cluster of plan.clusters.map((c) => c.cluster)) {
    const changes = plan.changes.filter((c) => c.cluster === cluster);
    if (changes.length === 0) continue;
    sections.push({ fixed: ['', `#### Changes on ${code(cluster)}`, '', ...changeTable(changes), ''], diffs: changes.map((c) => `${details(c)}\n`) });
  }
  if (plan.withheldDeletions.length > 0) sections.push({ fixed: ['', '#### Withheld deletions', '', ...changeTable(plan.withheldDeletions)], diffs: [] });
  if (plan.skippedChanges.length > 0) sections.push({ fixed: ['', '#### Skipped changes', '', ...changeTable(plan.skippedChanges)], diffs: [] });
  if (plan.recycles !== undefined && plan.recycles.length > 0) {
    sections.push({
      fixed: ['', '#### Recycle (restart, `qontract.recycle`)', '', ...plan.recycles.map((r) => `- ${code(`${r.cluster}/${r.namespace}/${r.kind}/${r.name}`)} (${r.because} changes)`)],
      diffs: [],
    });
  }
  if (plan.operations !== undefined && plan.operations.length > 0) {
    sections.push({ fixed: ['', '#### Operations (after the changes)', '', ...plan.operations.map((o) => `- ${code(operationLine(o))}`)], diffs: [] });
  }
  if ((plan.notSent ?? []).length > 0) sections.push({ fixed: ['', '#### Not sent', '', ...changeTable(plan.notSent ?? [])], diffs: [] });
  if (plan.orphaned.length > 0) {
    sections.push({
      fixed: ['', '#### Orphaned (left alone)', '', row(['kind', 'namespace', 'name', 'integration', 'cluster', 'reason']), row(['---', '---', '---', '---', '---', '---']),
        ...plan.orphaned.map((o) => row([o.kind, o.namespace === '' ? '-' : o.namespace, o.name, o.integration, o.cluster, o.reason]))],
      diffs: [],
    });
  }

  const full = finish([...head, ...sections.flatMap((s) => [...s.fixed, ...s.diffs])]);
  if (opts.maxBytes === undefined || bytes(full) <= opts.maxBytes) return full;
  return withinBudget(head, sections, opts.maxBytes, opts.fullPlan);
}

function finish(lines: readonly string[]): string {
  return `${lines.join('\n').trimEnd()}\n`;
}

function budgetNote(droppedDiffs: number, droppedRows: number, maxBytes: number, fullPlan: string | undefined): string {
  const parts = [
    ...(droppedDiffs > 0 ? [`the diffs of ${droppedDiffs} object(s)`] : []),
    ...(droppedRows > 0 ? [`${droppedRows} change table row(s)`] : []),
  ];
  const where = fullPlan === undefined ? 'the full plan is in the JSON plan file (`--plan-file`)' : `the full plan is in ${code(fullPlan)}`;
  return `> **Plan shortened to ${maxBytes} bytes:** ${parts.join(' and ')} left out; ${where}.`;
}

function withinBudget(head: readonly string[], sections: readonly Section[], maxBytes: number, fullPlan: string | undefined): string {
  const totalDiffs = sections.reduce((n, s) => n + s.diffs.length, 0);
  const totalRows = sections.reduce((n, s) => n + s.fixed.length, 0);
  // worst-case note (every count at its maximum) so that adding it can never overflow
  const reserve = bytes(budgetNote(totalDiffs, totalRows, maxBytes, fullPlan)) + 4;
  const out: string[] = [...head];
  let used = bytes(finish(out)) + reserve;
  let droppedDiffs = 0;
  let droppedRows = 0;
  const fits = (line: string): boolean => used + bytes(line) + 1 <= maxBytes;
  const fixedBytes = sections.reduce((n, s) => n + s.fixed.reduce((m, l) => m + bytes(l) + 1, 0), 0);
  if (used + fixedBytes <= maxBytes) {
    // every table fits: then the diffs, in plan order, each whole or not at all
    const tablesOnly = sections.map((s) => s.fixed);
    used += fixedBytes;
    const chosen = sections.map((s) => s.diffs.filter((d) => {
      if (fits(d)) { used += bytes(d) + 1; return true; }
      droppedDiffs++;
      return false;
    }));
    sections.forEach((_, i) => { out.push(...(tablesOnly[i] ?? []), ...(chosen[i] ?? [])); });
  } else {
    // not even the tables fit: table rows while they fit, no diffs
    for (const s of sections) {
      droppedDiffs += s.diffs.length;
      for (const line of s.fixed) {
        if (fits(line)) { out.push(line); used += bytes(line) + 1; } else if (line !== '') droppedRows++;
      }
    }
  }
  const lines = out.join('\n').trimEnd().split('\n');
  return finish([...lines, '', budgetNote(droppedDiffs, droppedRows, maxBytes, fullPlan)]);
}
