/**
 * Assembles one cluster's inventory from what was listed (pure): records per section, owner
 * chains, namespace counts, the `--namespace` / `--workloads` filters and the warnings about
 * launchers whose VM and VMI are both gone.
 */
import type { KubeObject } from '../core/k8s-object.js';
import { podInfo, ownerIndex } from './classify.js';
import { byNsName, opt } from './fields.js';
import { dataVolumeInfo, instancetypeSizes, vmInfo, vmiInfo } from './kubevirt.js';
import {
  daemonSetInfo, deploymentInfo, namespaceMeta, nodeInfo, pvcInfo, quotaUsage, routeInfo, serviceInfo, statefulSetInfo,
} from './objects.js';
import { CONTAINER_SECTIONS, SECTIONS, VM_SECTIONS } from './types.js';
import type {
  ClusterInventory, InventoryWarning, KindRead, NamespaceInfo, PodInfo, QuotaUsage, Section, WorkloadFilter,
} from './types.js';

/** Everything read from one cluster: lists by plural resource (absent when not listed) and how each kind was read. */
export interface ClusterListing {
  readonly cluster: string;
  readonly kubevirt: boolean;
  readonly kinds: readonly KindRead[];
  readonly lists: Readonly<Partial<Record<string, readonly KubeObject[]>>>;
}

export interface InventoryFilter {
  readonly sections: ReadonlySet<Section>;
  /** A regular expression matched against the whole namespace name (`namespaceRegExp`). */
  readonly namespace?: string;
  readonly workloads: WorkloadFilter;
}

export const NO_FILTER: InventoryFilter = {
  sections: new Set<Section>(SECTIONS),
  workloads: 'all',
};

function countBy(items: readonly { readonly namespace: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i.namespace, (m.get(i.namespace) ?? 0) + 1);
  return m;
}

const key = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Launchers whose VMI and VM are both absent, when both kinds could be read (or are not served). */
function orphanLauncherWarnings(pods: readonly PodInfo[], l: ClusterListing): InventoryWarning[] {
  const known = (resource: string): boolean => l.kinds.some((k) => k.resource === resource && (k.state === 'listed' || k.state === 'not-served'));
  if (!known('virtualmachineinstances') || !known('virtualmachines')) return [];
  const vmis = new Set((l.lists.virtualmachineinstances ?? []).map(key));
  const vms = new Set((l.lists.virtualmachines ?? []).map(key));
  return pods.filter((p) => p.workload !== 'container' && (p.vmi !== undefined || p.vm !== undefined)
    && !vmis.has(`${p.namespace}/${p.vmi ?? ''}`) && !vms.has(`${p.namespace}/${p.vm ?? ''}`))
    .map((p) => ({
      kind: 'Pod', namespace: p.namespace, name: p.name,
      message: `launcher pod of VirtualMachineInstance ${p.vmi ?? '?'} / VirtualMachine ${p.vm ?? '?'}: neither exists`,
    }));
}

/** The sections a filter asks for, less the family `workloads` leaves out (VM kinds for `containers`, controllers for `vms`). */
export function sectionsOf(filter: InventoryFilter): Set<Section> {
  const excluded: readonly Section[] = filter.workloads === 'containers' ? VM_SECTIONS : filter.workloads === 'vms' ? CONTAINER_SECTIONS : [];
  return new Set([...filter.sections].filter((s) => !excluded.includes(s)));
}

/** `--namespace` as an anchored RegExp; throws SyntaxError for an invalid expression. */
export function namespaceRegExp(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

export function buildClusterInventory(l: ClusterListing, filter: InventoryFilter = NO_FILTER): ClusterInventory {
  const nsRe = filter.namespace === undefined ? undefined : namespaceRegExp(filter.namespace);
  const inNs = (o: KubeObject): boolean => nsRe === undefined || nsRe.test(o.metadata.namespace ?? '');
  const list = (resource: string): readonly KubeObject[] => (l.lists[resource] ?? []).filter(inNs);
  const sections = sectionsOf(filter);
  const want = (s: Section): boolean => sections.has(s);
  const index = ownerIndex({
    ReplicaSet: l.lists.replicasets ?? [], Job: l.lists.jobs ?? [],
    VirtualMachineInstance: l.lists.virtualmachineinstances ?? [], VirtualMachine: l.lists.virtualmachines ?? [],
  });
  const allPods = list('pods').map((p) => podInfo(p, index)).sort(byNsName);
  const pods = allPods.filter((p) => filter.workloads === 'all' || (filter.workloads === 'containers') === (p.workload === 'container'));
  const sizes = instancetypeSizes(l.lists.virtualmachineclusterinstancetypes ?? [], l.lists.virtualmachineinstancetypes ?? []);
  const vmiByKey = new Map(list('virtualmachineinstances').map((v) => [key(v), v]));
  const vmObjs = list('virtualmachines');
  const vms = vmObjs.map((v) => vmInfo(v, sizes, vmiByKey.get(key(v)))).sort(byNsName);
  const vmNames = new Set(vmObjs.map(key));
  const podCount = l.lists.pods === undefined ? undefined : countBy(allPods);
  const vmCount = l.lists.virtualmachines === undefined ? (l.kubevirt ? undefined : new Map<string, number>()) : countBy(vms);
  const quotas = new Map<string, QuotaUsage[]>();
  for (const rq of l.lists.resourcequotas ?? []) {
    const ns = rq.metadata.namespace ?? '';
    quotas.set(ns, [...(quotas.get(ns) ?? []), quotaUsage(rq)]);
  }
  const namespaces: NamespaceInfo[] = (l.lists.namespaces ?? [])
    .filter((ns) => nsRe === undefined || nsRe.test(ns.metadata.name))
    .map((ns) => ({
      name: ns.metadata.name,
      ...namespaceMeta(ns),
      ...(l.lists.resourcequotas === undefined ? {} : { quotas: (quotas.get(ns.metadata.name) ?? []).sort((a, b) => a.name.localeCompare(b.name)) }),
      ...opt('pods', podCount === undefined ? undefined : podCount.get(ns.metadata.name) ?? 0),
      ...opt('vms', vmCount === undefined ? undefined : vmCount.get(ns.metadata.name) ?? 0),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    cluster: l.cluster,
    kubevirt: l.kubevirt,
    kinds: l.kinds,
    warnings: want('pods') ? orphanLauncherWarnings(pods, l) : [],
    nodes: want('nodes') ? (l.lists.nodes ?? []).map(nodeInfo).sort((a, b) => a.name.localeCompare(b.name)) : [],
    namespaces: want('namespaces') ? namespaces : [],
    pods: want('pods') ? pods : [],
    deployments: want('deployments') ? list('deployments').map(deploymentInfo).sort(byNsName) : [],
    statefulsets: want('statefulsets') ? list('statefulsets').map(statefulSetInfo).sort(byNsName) : [],
    daemonsets: want('daemonsets') ? list('daemonsets').map(daemonSetInfo).sort(byNsName) : [],
    services: want('services') ? list('services').map(serviceInfo).sort(byNsName) : [],
    routes: want('routes') ? list('routes').map(routeInfo).sort(byNsName) : [],
    pvcs: want('pvcs') ? list('persistentvolumeclaims').map(pvcInfo).sort(byNsName) : [],
    vms: want('vms') ? vms : [],
    vmis: want('vmis') ? list('virtualmachineinstances').map((v) => vmiInfo(v, vmNames)).sort(byNsName) : [],
    datavolumes: want('datavolumes') ? list('datavolumes').map(dataVolumeInfo).sort(byNsName) : [],
  };
}
