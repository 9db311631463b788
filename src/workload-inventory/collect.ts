/**
 * Reads the inventory from clusters: paginated LISTs through kontract's cluster client
 * (src/k8s/cluster-client.ts), clusters in parallel under a p-limit bound, the kinds of one
 * cluster in parallel too. Only the kinds the requested sections need are listed; optional APIs
 * (KubeVirt, CDI, OpenShift routes) only when discovery shows them served.
 *
 * Failures are per kind: a 403 is `forbidden`, a 404 or an API discovery does not show is
 * `not-served`, anything else `error`; the rest of the cluster is still produced. A cluster whose
 * discovery fails, or whose every LIST fails with an `error`, is reported as a whole (`error`).
 */
import pLimit from 'p-limit';
import type { Cluster } from '../app-interface/model.js';
import { errorMessage } from '../core/errors.js';
import { apiVersionOf } from '../core/k8s-object.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import type { Reporter } from '../core/reporter.js';
import { KubeApiError } from '../k8s/cluster-client.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import { buildClusterInventory, NO_FILTER, sectionsOf } from './build.js';
import type { InventoryFilter } from './build.js';
import { INVENTORY_VERSION, SECTIONS } from './types.js';
import type { ClusterInventory, InventoryReport, KindRead, Section } from './types.js';

/** Kinds the inventory reads; `order` is irrelevant (nothing is applied). */
const kind = (group: string, version: string, k: string, plural: string, namespaced: boolean): ManagedKind =>
  ({ group, version, kind: k, plural, namespaced, order: 0 });

interface InventoryKind {
  readonly kind: ManagedKind;
  /** The sections that need this kind listed. */
  readonly for: readonly Section[];
  /** Listed only when discovery shows the group/version serving it. */
  readonly optional?: true;
}

const KUBEVIRT_FOR: readonly Section[] = ['vms', 'vmis', 'pods'];

export const INVENTORY_KINDS: readonly InventoryKind[] = [
  { kind: kind('', 'v1', 'Node', 'nodes', false), for: ['nodes'] },
  { kind: kind('', 'v1', 'Namespace', 'namespaces', false), for: ['namespaces'] },
  { kind: kind('', 'v1', 'ResourceQuota', 'resourcequotas', true), for: ['namespaces'] },
  { kind: kind('', 'v1', 'Pod', 'pods', true), for: ['pods'] },
  { kind: kind('apps', 'v1', 'ReplicaSet', 'replicasets', true), for: ['pods'] },
  { kind: kind('batch', 'v1', 'Job', 'jobs', true), for: ['pods'] },
  { kind: kind('apps', 'v1', 'Deployment', 'deployments', true), for: ['deployments'] },
  { kind: kind('apps', 'v1', 'StatefulSet', 'statefulsets', true), for: ['statefulsets'] },
  { kind: kind('apps', 'v1', 'DaemonSet', 'daemonsets', true), for: ['daemonsets'] },
  { kind: kind('', 'v1', 'Service', 'services', true), for: ['services'] },
  { kind: kind('route.openshift.io', 'v1', 'Route', 'routes', true), for: ['routes'], optional: true },
  { kind: kind('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true), for: ['pvcs'] },
  { kind: kind('kubevirt.io', 'v1', 'VirtualMachine', 'virtualmachines', true), for: KUBEVIRT_FOR, optional: true },
  { kind: kind('kubevirt.io', 'v1', 'VirtualMachineInstance', 'virtualmachineinstances', true), for: KUBEVIRT_FOR, optional: true },
  { kind: kind('cdi.kubevirt.io', 'v1beta1', 'DataVolume', 'datavolumes', true), for: ['datavolumes'], optional: true },
  { kind: kind('instancetype.kubevirt.io', 'v1beta1', 'VirtualMachineClusterInstancetype', 'virtualmachineclusterinstancetypes', false), for: ['vms'], optional: true },
  { kind: kind('instancetype.kubevirt.io', 'v1beta1', 'VirtualMachineInstancetype', 'virtualmachineinstancetypes', true), for: ['vms'], optional: true },
];

export interface CollectOptions {
  readonly clusters: readonly Cluster[];
  /** Makes a client for a cluster (src/reconcile/connector.ts); may throw E_CLUSTER_CONFIG. */
  readonly connect: (cluster: Cluster) => Promise<ClusterClient>;
  /** Clusters read at once. @default 4 */
  readonly concurrency?: number;
  readonly filter?: InventoryFilter;
  readonly reporter: Reporter;
}

function emptyInventory(cluster: string, error: string, kinds: readonly KindRead[] = []): ClusterInventory {
  return {
    cluster, error, kubevirt: false, kinds, warnings: [], nodes: [], namespaces: [], pods: [], deployments: [], statefulsets: [],
    daemonsets: [], services: [], routes: [], pvcs: [], vms: [], vmis: [], datavolumes: [],
  };
}

/** The kinds the filter's sections need (pods need the KubeVirt kinds only when launchers are wanted). */
export function kindsFor(filter: InventoryFilter): InventoryKind[] {
  const sections = sectionsOf(filter);
  return INVENTORY_KINDS.filter((k) => k.for.some((s) => sections.has(s)
    && !(s === 'pods' && filter.workloads === 'containers' && k.for === KUBEVIRT_FOR)));
}

async function readKind(client: ClusterClient, k: ManagedKind): Promise<{ read: KindRead; items?: KubeObject[] }> {
  const base = { resource: k.plural, apiVersion: apiVersionOf(k) };
  try {
    const items = await client.list(k);
    return { read: { ...base, state: 'listed', count: items.length }, items };
  } catch (e) {
    const status = e instanceof KubeApiError ? e.status : -1;
    const state = status === 403 ? 'forbidden' : status === 404 ? 'not-served' : 'error';
    return { read: { ...base, state, message: errorMessage(e) } };
  }
}

export async function readCluster(client: ClusterClient, filter: InventoryFilter = NO_FILTER): Promise<ClusterInventory> {
  const wanted = kindsFor(filter);
  const groupVersions = [...new Set(wanted.filter((k) => k.optional === true).map((k) => `${k.kind.group}/${k.kind.version}`))];
  // Discovery failing means the cluster cannot be read at all: that throws to the caller.
  const served = new Map(await Promise.all(groupVersions.map(async (gv) => {
    const [group = '', version = ''] = gv.split('/');
    const resources = await client.discover(group, version);
    return [gv, new Set((resources ?? []).map((r) => r.name))] as const;
  })));
  const reads = await Promise.all(wanted.map(async (k) => {
    if (k.optional === true && served.get(`${k.kind.group}/${k.kind.version}`)?.has(k.kind.plural) !== true) {
      return { read: { resource: k.kind.plural, apiVersion: apiVersionOf(k.kind), state: 'not-served', message: `${apiVersionOf(k.kind)} ${k.kind.plural} is not served` } satisfies KindRead };
    }
    return readKind(client, k.kind);
  }));
  const kinds = reads.map((r) => r.read);
  const listed = kinds.filter((k) => k.state === 'listed' || k.state === 'forbidden' || k.state === 'not-served');
  if (kinds.length > 0 && listed.length === 0) return emptyInventory(client.cluster, kinds[0]?.message ?? 'every LIST failed', kinds);
  const lists: Record<string, KubeObject[]> = {};
  for (const r of reads) if ('items' in r && r.items !== undefined) lists[r.read.resource] = r.items;
  const kubevirt = served.get('kubevirt.io/v1')?.has('virtualmachines') ?? false;
  return buildClusterInventory({ cluster: client.cluster, kubevirt, kinds, lists }, filter);
}

/** The inventory of every cluster, in the order given; failures are per cluster and per kind. */
export async function collectInventory(opts: CollectOptions): Promise<InventoryReport> {
  const limit = pLimit(opts.concurrency ?? 4);
  const filter = opts.filter ?? NO_FILTER;
  const clusters = await Promise.all(opts.clusters.map((c) => limit(async (): Promise<ClusterInventory> => {
    try {
      const client = await opts.connect(c);
      const inv = await readCluster(client, filter);
      for (const k of inv.kinds.filter((x) => x.state === 'forbidden' || x.state === 'error')) {
        opts.reporter.log('warn', `inventory of ${c.name}: ${k.resource} ${k.state}: ${k.message ?? ''}`, { cluster: c.name });
      }
      opts.reporter.log('debug', `inventory of ${c.name}: ${inv.pods.length} pods, ${inv.vms.length} VMs`, { cluster: c.name });
      return inv;
    } catch (e) {
      opts.reporter.log('error', `inventory of cluster ${c.name} failed: ${errorMessage(e)}`, { cluster: c.name });
      return emptyInventory(c.name, errorMessage(e));
    }
  })));
  const wanted = sectionsOf(filter);
  const sections = SECTIONS.filter((s) => wanted.has(s));
  return { version: INVENTORY_VERSION, filter: { sections, ...(filter.namespace === undefined ? {} : { namespace: filter.namespace }), workloads: filter.workloads }, clusters };
}
