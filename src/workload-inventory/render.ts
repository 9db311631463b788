/**
 * Renders an InventoryReport: `table` (one block per cluster, for humans), `json` (the report
 * itself, a stable interface) and `csv` (one row per object: cluster,kind,namespace,name,status,
 * node,detail — for spreadsheets). Pure.
 */
import type { ClusterInventory, InventoryReport, QuotaUsage, VmSize } from './types.js';

export type InventoryFormat = 'table' | 'json' | 'csv';
export const INVENTORY_FORMATS: readonly InventoryFormat[] = ['table', 'json', 'csv'];

export function renderInventory(report: InventoryReport, format: InventoryFormat): string {
  switch (format) {
    case 'json': return `${JSON.stringify(report, null, 2)}\n`;
    case 'csv': return renderCsv(report);
    case 'table': return renderTable(report);
  }
}

function percent(ratio: number | undefined): string {
  return ratio === undefined ? '' : ` (${Math.round(ratio * 100)}%)`;
}

export function quotaSummary(quotas: readonly QuotaUsage[]): string {
  return quotas.flatMap((q) => q.resources.map((r) => `${r.resource} ${r.used}/${r.hard}${percent(r.ratio)}`)).join(', ');
}

export function sizeSummary(s: VmSize): string {
  const parts: string[] = [];
  if (s.cpu !== undefined) parts.push(`${s.cpu} vCPU`);
  if (s.memory !== undefined) parts.push(s.memory);
  const dims = parts.join(' / ');
  if (s.instancetype === undefined) return dims;
  return dims === '' ? s.instancetype : `${s.instancetype} (${dims})`;
}

/** Left-aligned columns separated by two spaces. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '  (none)';
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}`;
  return [line(header), ...rows.map(line)].join('\n');
}

function clusterTable(c: ClusterInventory): string {
  if (c.error !== undefined) return `== cluster ${c.cluster}: ERROR ${c.error}`;
  const workloads = c.pods.filter((p) => p.workload === 'vm-launcher').length;
  const out = [
    `== cluster ${c.cluster}  (KubeVirt: ${c.kubevirt ? 'yes' : 'no'}; ${c.pods.length} pods, of which ${workloads} virt-launcher; ${c.vms.length} VMs)`,
    'NODES',
    table(['NAME', 'ROLES', 'READY', 'CPU', 'MEMORY'], c.nodes.map((n) => [n.name, n.roles.join(',') || '<none>', n.ready === undefined ? '?' : String(n.ready), n.capacity.cpu ?? '', n.capacity.memory ?? ''])),
    'NAMESPACES',
    table(['NAME', 'PODS', 'VMS', 'MANAGED-BY', 'QUOTA USED/HARD'], c.namespaces.map((n) => [n.name, String(n.pods), String(n.vms), n.managedBy ?? '', quotaSummary(n.quotas)])),
    'DEPLOYMENTS',
    table(['NAMESPACE', 'NAME', 'READY'], c.deployments.map((d) => [d.namespace, d.name, `${d.ready}/${d.replicas}`])),
    'SERVICES',
    table(['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'PORTS'], c.services.map((s) => [s.namespace, s.name, s.type, s.clusterIP ?? '', s.ports.join(',')])),
    'PODS',
    table(['NAMESPACE', 'NAME', 'WORKLOAD', 'PHASE', 'NODE', 'VM'], c.pods.map((p) => [p.namespace, p.name, p.workload, p.phase ?? '', p.node ?? '', p.vm ?? ''])),
  ];
  if (c.kubevirt) {
    out.push(
      'VIRTUAL MACHINES',
      table(['NAMESPACE', 'NAME', 'RUN-STRATEGY', 'DESIRED', 'STATUS', 'SIZE', 'MANAGED-BY'], c.vms.map((v) => [v.namespace, v.name, v.runStrategy ?? '', v.desiredPower, v.status ?? '', sizeSummary(v.size), v.managedBy ?? ''])),
      'VM INSTANCES',
      table(['NAMESPACE', 'NAME', 'PHASE', 'NODE', 'IPS'], c.vmis.map((v) => [v.namespace, v.name, v.phase ?? '', v.node ?? '', v.ips.join(',')])),
    );
  }
  return out.join('\n');
}

export function renderTable(report: InventoryReport): string {
  return `${report.clusters.map(clusterTable).join('\n\n')}\n`;
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export const CSV_HEADER = ['cluster', 'kind', 'namespace', 'name', 'status', 'node', 'detail'] as const;

export function renderCsv(report: InventoryReport): string {
  const rows: string[][] = [[...CSV_HEADER]];
  for (const c of report.clusters) {
    const row = (kind: string, namespace: string, name: string, status: string, node: string, detail: string): void => {
      rows.push([c.cluster, kind, namespace, name, status, node, detail]);
    };
    if (c.error !== undefined) row('Error', '', '', 'error', '', c.error);
    for (const n of c.nodes) row('Node', '', n.name, n.ready === undefined ? '' : n.ready ? 'Ready' : 'NotReady', '', `roles=${n.roles.join('|')} cpu=${n.capacity.cpu ?? ''} memory=${n.capacity.memory ?? ''}`);
    for (const n of c.namespaces) row('Namespace', '', n.name, n.phase ?? '', '', quotaSummary(n.quotas));
    for (const d of c.deployments) row('Deployment', d.namespace, d.name, `${d.ready}/${d.replicas}`, '', '');
    for (const s of c.services) row('Service', s.namespace, s.name, s.type, '', s.ports.join(' '));
    for (const p of c.pods) row('Pod', p.namespace, p.name, p.phase ?? '', p.node ?? '', p.workload === 'vm-launcher' ? `vm-launcher vm=${p.vm ?? ''}` : 'container');
    for (const v of c.vms) row('VirtualMachine', v.namespace, v.name, v.status ?? v.desiredPower, '', `runStrategy=${v.runStrategy ?? ''} size=${sizeSummary(v.size)}`);
    for (const v of c.vmis) row('VirtualMachineInstance', v.namespace, v.name, v.phase ?? '', v.node ?? '', v.ips.join(' '));
  }
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}
