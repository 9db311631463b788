/**
 * Reads the inventory from clusters: paginated LISTs through kontract's cluster client
 * (src/k8s/cluster-client.ts), clusters in parallel under a p-limit bound, the lists of one
 * cluster in parallel too (a fixed handful). KubeVirt kinds are listed only when discovery says the
 * cluster serves them. A cluster that fails is reported as data (`error`); the others carry on.
 */
import pLimit from 'p-limit';
import type { Cluster } from '../app-interface/model.js';
import { errorMessage } from '../core/errors.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import type { Reporter } from '../core/reporter.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import { buildClusterInventory } from './classify.js';
import type { ClusterInventory, InventoryReport } from './types.js';

/** Kinds the inventory reads; `order` is irrelevant (nothing is applied). */
const kind = (group: string, version: string, k: string, plural: string, namespaced: boolean): ManagedKind =>
  ({ group, version, kind: k, plural, namespaced, order: 0 });

export const INVENTORY_KINDS = {
  Node: kind('', 'v1', 'Node', 'nodes', false),
  Namespace: kind('', 'v1', 'Namespace', 'namespaces', false),
  ResourceQuota: kind('', 'v1', 'ResourceQuota', 'resourcequotas', true),
  Pod: kind('', 'v1', 'Pod', 'pods', true),
  Service: kind('', 'v1', 'Service', 'services', true),
  Deployment: kind('apps', 'v1', 'Deployment', 'deployments', true),
  VirtualMachine: kind('kubevirt.io', 'v1', 'VirtualMachine', 'virtualmachines', true),
  VirtualMachineInstance: kind('kubevirt.io', 'v1', 'VirtualMachineInstance', 'virtualmachineinstances', true),
  VirtualMachineClusterInstancetype: kind('instancetype.kubevirt.io', 'v1beta1', 'VirtualMachineClusterInstancetype', 'virtualmachineclusterinstancetypes', false),
  VirtualMachineInstancetype: kind('instancetype.kubevirt.io', 'v1beta1', 'VirtualMachineInstancetype', 'virtualmachineinstancetypes', true),
} as const satisfies Record<string, ManagedKind>;

export interface CollectOptions {
  readonly clusters: readonly Cluster[];
  /** Makes a client for a cluster (src/reconcile/connector.ts); may throw E_CLUSTER_CONFIG. */
  readonly connect: (cluster: Cluster) => Promise<ClusterClient>;
  /** Clusters read at once. @default 4 */
  readonly concurrency?: number;
  readonly reporter: Reporter;
}

function emptyInventory(cluster: string, error: string): ClusterInventory {
  return { cluster, error, kubevirt: false, nodes: [], namespaces: [], deployments: [], services: [], pods: [], vms: [], vmis: [] };
}

/** The plurals a cluster serves for a group/version (empty when the group/version is not served). */
async function servedPlurals(client: ClusterClient, group: string, version: string): Promise<ReadonlySet<string>> {
  const resources = await client.discover(group, version);
  return new Set((resources ?? []).map((r) => r.name));
}

export async function readCluster(client: ClusterClient): Promise<ClusterInventory> {
  const K = INVENTORY_KINDS;
  // Each kind is checked on its own: a cluster may serve cluster instancetypes but not the
  // namespaced ones (kontract's demo CRDs do exactly that).
  const [kv, it] = await Promise.all([
    servedPlurals(client, 'kubevirt.io', 'v1'),
    servedPlurals(client, 'instancetype.kubevirt.io', 'v1beta1'),
  ]);
  const none: Promise<KubeObject[]> = Promise.resolve([]);
  const listIf = (served: ReadonlySet<string>, k: ManagedKind): Promise<KubeObject[]> => (served.has(k.plural) ? client.list(k) : none);
  const kubevirt = kv.has(K.VirtualMachine.plural);
  const [nodes, namespaces, resourceQuotas, deployments, services, pods, vms, vmis, clusterInstancetypes, nsInstancetypes] = await Promise.all([
    client.list(K.Node), client.list(K.Namespace), client.list(K.ResourceQuota), client.list(K.Deployment),
    client.list(K.Service), client.list(K.Pod),
    listIf(kv, K.VirtualMachine),
    listIf(kv, K.VirtualMachineInstance),
    listIf(it, K.VirtualMachineClusterInstancetype),
    listIf(it, K.VirtualMachineInstancetype),
  ]);
  return buildClusterInventory({
    cluster: client.cluster, nodes, namespaces, resourceQuotas, deployments, services, pods,
    ...(kubevirt ? { kubevirt: { vms, vmis, clusterInstancetypes, instancetypes: nsInstancetypes } } : {}),
  });
}

/** The inventory of every cluster, in the order given; failures are per cluster. */
export async function collectInventory(opts: CollectOptions): Promise<InventoryReport> {
  const limit = pLimit(opts.concurrency ?? 4);
  const clusters = await Promise.all(opts.clusters.map((c) => limit(async (): Promise<ClusterInventory> => {
    try {
      const client = await opts.connect(c);
      const inv = await readCluster(client);
      opts.reporter.log('debug', `inventory of ${c.name}: ${inv.pods.length} pods, ${inv.vms.length} VMs`, { cluster: c.name });
      return inv;
    } catch (e) {
      opts.reporter.log('error', `inventory of cluster ${c.name} failed: ${errorMessage(e)}`, { cluster: c.name });
      return emptyInventory(c.name, errorMessage(e));
    }
  })));
  return { version: 1, clusters };
}
