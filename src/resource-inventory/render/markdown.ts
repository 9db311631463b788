/**
 * The plan as a merge-request comment: a heading with counts, the cluster table, errors, then per
 * cluster a table of changes and one collapsible ```diff block per object. Secret data masked.
 */
import type { Plan, PlannedChange } from '../plan.js';
import { maskChange } from './mask.js';
import { unifiedDiff } from './patch.js';
import { applyLine, clusterStatus, headline, namespaceContentsText, namespaceDeletions, takenFieldsText, totals } from './summary.js';

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

export function renderMarkdown(plan: Plan): string {
  const t = totals(plan);
  const out: string[] = [`### kontract plan: ${headline(t)}`, ''];
  out.push(`Integrations: ${plan.integrations.map(code).join(', ') || '-'} · data ${code(plan.dataSha) || '-'}`, '');
  out.push(row(['cluster', 'create', 'update', 'delete', 'unchanged', 'withheld', 'errors', 'status']));
  out.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---']));
  for (const c of plan.clusters) {
    out.push(row([c.cluster, String(c.create), String(c.update), String(c.delete), String(c.unchanged), String(c.withheld), String(c.errors), clusterStatus(c)]));
  }
  const nsDeletes = namespaceDeletions(plan);
  if (nsDeletes.length > 0) {
    out.push('', '#### :warning: Namespace deletions', '');
    for (const c of nsDeletes) out.push(`- **${code(`${c.cluster}/${c.name}`)}** ${namespaceContentsText(c)}${plan.changes.includes(c) ? '' : ' (withheld)'}`);
  }
  const applied = applyLine(plan);
  if (applied !== undefined) out.push('', `**Apply:** ${applied}`);
  if (plan.errors.length > 0) {
    out.push('', '#### Errors', '');
    for (const e of plan.errors) out.push(`- **${e.code}** ${code(e.cluster ?? 'global')}: ${e.message.replace(/\r?\n/g, ' ')}`);
  }
  for (const cluster of plan.clusters.map((c) => c.cluster)) {
    const changes = plan.changes.filter((c) => c.cluster === cluster);
    if (changes.length === 0) continue;
    out.push('', `#### Changes on ${code(cluster)}`, '', ...changeTable(changes), '');
    for (const c of changes) out.push(details(c), '');
  }
  if (plan.withheldDeletions.length > 0) out.push('', '#### Withheld deletions', '', ...changeTable(plan.withheldDeletions));
  if (plan.skippedChanges.length > 0) out.push('', '#### Skipped changes', '', ...changeTable(plan.skippedChanges));
  if (plan.recycles !== undefined && plan.recycles.length > 0) {
    out.push('', '#### Recycle (restart, `qontract.recycle`)', '');
    for (const r of plan.recycles) out.push(`- ${code(`${r.cluster}/${r.namespace}/${r.kind}/${r.name}`)} (${r.because} changes)`);
  }
  if ((plan.notSent ?? []).length > 0) out.push('', '#### Not sent', '', ...changeTable(plan.notSent ?? []));
  if (plan.orphaned.length > 0) {
    out.push('', '#### Orphaned (left alone)', '', row(['kind', 'namespace', 'name', 'integration', 'cluster', 'reason']), row(['---', '---', '---', '---', '---', '---']));
    for (const o of plan.orphaned) out.push(row([o.kind, o.namespace === '' ? '-' : o.namespace, o.name, o.integration, o.cluster, o.reason]));
  }
  return `${out.join('\n').trimEnd()}\n`;
}
