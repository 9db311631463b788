/**
 * Renders an InventoryReport: `table` (one block per cluster, for humans), `json` (the report
 * itself, a stable interface: docs/inventory-json.md) and `csv` (one row per object:
 * cluster,kind,namespace,name,status,node,detail — for spreadsheets, written by csv-stringify). Pure.
 */
import { stringify } from 'csv-stringify/sync';
import type {
  ClusterInventory, InventoryReport, KindRead, QuotaUsage, ResourceList, Section, VmSize,
} from './types.js';

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

export function quotaSummary(quotas: readonly QuotaUsage[] | undefined): string {
  if (quotas === undefined) return '?';
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

export function resourcesSummary(r: ResourceList): string {
  return Object.entries(r).map(([k, q]) => `${k}=${q.quantity}`).join(' ');
}

/** Left-aligned columns separated by two spaces. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '  (none)';
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}`;
  return [line(header), ...rows.map(line)].join('\n');
}

/** The kind whose read state decides whether a section could be produced. */
const PRIMARY: Readonly<Record<Section, string>> = {
  nodes: 'nodes', namespaces: 'namespaces', pods: 'pods', deployments: 'deployments', statefulsets: 'statefulsets',
  daemonsets: 'daemonsets', services: 'services', routes: 'routes', pvcs: 'persistentvolumeclaims', vms: 'virtualmachines',
  vmis: 'virtualmachineinstances', datavolumes: 'datavolumes',
};

const yesNo = (b: boolean | undefined): string => (b === undefined ? '?' : b ? 'yes' : 'no');
const count = (n: number | undefined): string => (n === undefined ? '?' : String(n));

function sectionTable(c: ClusterInventory, s: Section): string {
  switch (s) {
    case 'nodes': return table(['NAME', 'ROLES', 'READY', 'INTERNAL-IP', 'OS-IMAGE', 'KERNEL', 'RUNTIME', 'KUBELET', 'CPU', 'MEMORY', 'EPHEMERAL'],
      c.nodes.map((n) => [n.name, n.roles.join(',') || '<none>', yesNo(n.ready), n.internalIPs.join(','), n.osImage ?? '', n.kernelVersion ?? '', n.containerRuntimeVersion ?? '', n.kubeletVersion ?? '',
        n.capacity.cpu?.quantity ?? '', n.capacity.memory?.quantity ?? '', n.capacity['ephemeral-storage']?.quantity ?? '']));
    case 'namespaces': return table(['NAME', 'DISPLAY-NAME', 'PODS', 'VMS', 'MANAGED-BY', 'QUOTA USED/HARD'],
      c.namespaces.map((n) => [n.name, n.displayName ?? '', count(n.pods), count(n.vms), n.managedBy ?? '', quotaSummary(n.quotas)]));
    case 'pods': return [
      table(['NAMESPACE', 'NAME', 'WORKLOAD', 'PHASE', 'NODE', 'IP', 'RESTARTS', 'OWNER', 'VM'],
        c.pods.map((p) => [p.namespace, p.name, p.workload, p.phase ?? '', p.node ?? '', p.podIPs.join(','), String(p.restarts),
          p.topOwner === undefined ? '<standalone>' : `${p.topOwner.kind}/${p.topOwner.name}`, p.vm ?? ''])),
      'CONTAINERS',
      table(['NAMESPACE', 'POD', 'CONTAINER', 'IMAGE', 'STATE', 'READY', 'RESTARTS', 'REQUESTS', 'LIMITS'],
        c.pods.flatMap((p) => p.containers.map((k) => [p.namespace, p.name, k.init ? `${k.name} (init)` : k.name, k.image,
          k.stateReason === undefined ? k.state : `${k.state} (${k.stateReason})`, yesNo(k.ready), String(k.restarts), resourcesSummary(k.requests), resourcesSummary(k.limits)]))),
    ].join('\n');
    case 'deployments': return table(['NAMESPACE', 'NAME', 'READY', 'AVAILABLE', 'STRATEGY', 'SELECTOR'],
      c.deployments.map((d) => [d.namespace, d.name, `${d.ready}/${d.replicas}`, String(d.available), d.strategy ?? '', d.selector]));
    case 'statefulsets': return table(['NAMESPACE', 'NAME', 'READY', 'SERVICE', 'SELECTOR'],
      c.statefulsets.map((d) => [d.namespace, d.name, `${d.ready}/${d.replicas}`, d.serviceName ?? '', d.selector]));
    case 'daemonsets': return table(['NAMESPACE', 'NAME', 'DESIRED', 'READY', 'AVAILABLE', 'SELECTOR'],
      c.daemonsets.map((d) => [d.namespace, d.name, String(d.desired), String(d.ready), String(d.available), d.selector]));
    case 'services': return table(['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORTS', 'SELECTOR'],
      c.services.map((s) => [s.namespace, s.name, s.type, s.clusterIP ?? '', s.externalIPs.join(','),
        s.ports.map((p) => `${p.port}${p.targetPort === undefined ? '' : `:${p.targetPort}`}/${p.protocol}`).join(','), s.selector]));
    case 'routes': return table(['NAMESPACE', 'NAME', 'HOST', 'PATH', 'TLS', 'TO', 'PORT', 'ADMITTED'],
      c.routes.map((r) => [r.namespace, r.name, r.host ?? '', r.path ?? '', r.tls?.termination ?? '', `${r.to.kind}/${r.to.name}`, r.targetPort ?? '', yesNo(r.admitted)]));
    case 'pvcs': return table(['NAMESPACE', 'NAME', 'STATUS', 'VOLUME', 'REQUESTED', 'CAPACITY', 'ACCESS', 'CLASS'],
      c.pvcs.map((p) => [p.namespace, p.name, p.phase ?? '', p.volume ?? '', p.requested?.quantity ?? '', p.capacity?.quantity ?? '', p.accessModes.join(','), p.storageClass ?? '']));
    case 'vms': return table(['NAMESPACE', 'NAME', 'VAPP', 'RUN-STRATEGY', 'DESIRED', 'STATUS', 'SIZE', 'NODE', 'GUEST-OS', 'DISKS', 'MANAGED-BY'],
      c.vms.map((v) => [v.namespace, v.name, v.vapp ?? '', v.runStrategy ?? '', v.desiredPower, v.status ?? '', sizeSummary(v.size), v.node ?? '', v.guestOS ?? '',
        v.disks.map((d) => `${d.name}:${d.source ?? '?'}${d.ref === undefined ? '' : `=${d.ref}`}`).join(','), v.managedBy ?? '']));
    case 'vmis': return table(['NAMESPACE', 'NAME', 'VM', 'PHASE', 'NODE', 'IPS', 'READY', 'LIVE-MIGRATABLE'],
      c.vmis.map((v) => [v.namespace, v.name, v.vm ?? '', v.phase ?? '', v.node ?? '', v.ips.join(','), yesNo(v.ready), yesNo(v.liveMigratable)]));
    case 'datavolumes': return table(['NAMESPACE', 'NAME', 'PHASE', 'PROGRESS', 'SOURCE', 'SIZE', 'CLASS', 'VM'],
      c.datavolumes.map((d) => [d.namespace, d.name, d.phase ?? '', d.progress ?? '', d.source ?? '', d.size?.quantity ?? '', d.storageClass ?? '', d.vm ?? '']));
  }
}

const TITLES: Readonly<Record<Section, string>> = {
  nodes: 'NODES', namespaces: 'NAMESPACES', pods: 'PODS', deployments: 'DEPLOYMENTS', statefulsets: 'STATEFULSETS', daemonsets: 'DAEMONSETS',
  services: 'SERVICES', routes: 'ROUTES', pvcs: 'PERSISTENT VOLUME CLAIMS', vms: 'VIRTUAL MACHINES', vmis: 'VM INSTANCES', datavolumes: 'DATAVOLUMES',
};

function unread(k: KindRead): string {
  return `${k.state}${k.message === undefined ? '' : `: ${k.message}`}`;
}

function clusterTable(c: ClusterInventory, sections: readonly Section[]): string {
  if (c.error !== undefined) return `== cluster ${c.cluster}: ERROR ${c.error}`;
  const launchers = c.pods.filter((p) => p.workload === 'vm-launcher').length;
  const suspected = c.pods.filter((p) => p.workload === 'suspected-vm-launcher');
  const out = [`== cluster ${c.cluster}  (KubeVirt: ${c.kubevirt ? 'yes' : 'no'}; ${c.pods.length} pods, of which ${launchers} virt-launcher and ${suspected.length} suspected; ${c.vms.length} VMs)`];
  const problems = c.kinds.filter((k) => k.state === 'forbidden' || k.state === 'error');
  if (problems.length > 0) out.push('NOT READ', ...problems.map((k) => `  ${k.resource} (${k.apiVersion}): ${unread(k)}`));
  for (const s of sections) {
    const k = c.kinds.find((x) => x.resource === PRIMARY[s]);
    out.push(TITLES[s], k !== undefined && k.state !== 'listed' ? `  ${unread(k)}` : sectionTable(c, s));
  }
  if (suspected.length > 0) out.push('SUSPECTED VM LAUNCHERS', ...suspected.map((p) => `  ${p.namespace}/${p.name}: ${p.suspectReason ?? ''}`));
  if (c.warnings.length > 0) out.push('WARNINGS', ...c.warnings.map((w) => `  ${w.kind} ${w.namespace === undefined ? '' : `${w.namespace}/`}${w.name}: ${w.message}`));
  return out.join('\n');
}

export function renderTable(report: InventoryReport): string {
  return `${report.clusters.map((c) => clusterTable(c, report.filter.sections)).join('\n\n')}\n`;
}

export const CSV_HEADER = ['cluster', 'kind', 'namespace', 'name', 'status', 'node', 'detail'] as const;

export function renderCsv(report: InventoryReport): string {
  const rows: string[][] = [[...CSV_HEADER]];
  for (const c of report.clusters) {
    const row = (kind: string, namespace: string, name: string, status: string, node: string, detail: string): void => {
      rows.push([c.cluster, kind, namespace, name, status, node, detail]);
    };
    if (c.error !== undefined) row('Error', '', '', 'error', '', c.error);
    for (const k of c.kinds) if (k.state !== 'listed') row('Unread', '', k.resource, k.state, '', k.message ?? '');
    for (const n of c.nodes) row('Node', '', n.name, n.ready === undefined ? '' : n.ready ? 'Ready' : 'NotReady', '', `roles=${n.roles.join('|')} ip=${n.internalIPs.join('|')} kubelet=${n.kubeletVersion ?? ''} ${resourcesSummary(n.capacity)}`);
    for (const n of c.namespaces) row('Namespace', '', n.name, n.phase ?? '', '', quotaSummary(n.quotas));
    for (const p of c.pods) {
      const owner = p.topOwner === undefined ? 'standalone' : `owner=${p.topOwner.kind}/${p.topOwner.name}`;
      row('Pod', p.namespace, p.name, p.phase ?? '', p.node ?? '', p.workload === 'container' ? `container ${owner}` : `${p.workload} vm=${p.vm ?? ''} ${owner}`);
      for (const k of p.containers) row('Container', p.namespace, `${p.name}/${k.name}`, k.state, p.node ?? '', `image=${k.image} requests=${resourcesSummary(k.requests)} limits=${resourcesSummary(k.limits)}`);
    }
    for (const d of c.deployments) row('Deployment', d.namespace, d.name, `${d.ready}/${d.replicas}`, '', `strategy=${d.strategy ?? ''} selector=${d.selector}`);
    for (const d of c.statefulsets) row('StatefulSet', d.namespace, d.name, `${d.ready}/${d.replicas}`, '', `selector=${d.selector}`);
    for (const d of c.daemonsets) row('DaemonSet', d.namespace, d.name, `${d.ready}/${d.desired}`, '', `selector=${d.selector}`);
    for (const s of c.services) row('Service', s.namespace, s.name, s.type, '', s.ports.map((p) => `${p.port}/${p.protocol}`).join(' '));
    for (const r of c.routes) row('Route', r.namespace, r.name, r.admitted === undefined ? '' : r.admitted ? 'Admitted' : 'NotAdmitted', '', `host=${r.host ?? ''} tls=${r.tls?.termination ?? ''} to=${r.to.kind}/${r.to.name}`);
    for (const p of c.pvcs) row('PersistentVolumeClaim', p.namespace, p.name, p.phase ?? '', '', `class=${p.storageClass ?? ''} size=${p.capacity?.quantity ?? p.requested?.quantity ?? ''} volume=${p.volume ?? ''}`);
    for (const v of c.vms) row('VirtualMachine', v.namespace, v.name, v.status ?? v.desiredPower, v.node ?? '', `runStrategy=${v.runStrategy ?? ''} size=${sizeSummary(v.size)}${v.vapp === undefined ? '' : ` vapp=${v.vapp}`}`);
    for (const v of c.vmis) row('VirtualMachineInstance', v.namespace, v.name, v.phase ?? '', v.node ?? '', v.ips.join(' '));
    for (const d of c.datavolumes) row('DataVolume', d.namespace, d.name, d.phase ?? '', '', `source=${d.source ?? ''} size=${d.size?.quantity ?? ''}`);
    for (const w of c.warnings) row('Warning', w.namespace ?? '', w.name, 'warning', '', w.message);
  }
  return stringify(rows, { record_delimiter: 'unix' });
}
