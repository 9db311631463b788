/**
 * When kontract last wrote an integration's objects on one cluster: the latest Apply time of field
 * manager `kontract` over the objects it owns of the given kinds (one LIST per kind). Read-only;
 * used by `kontract fabric-status` for a fabric's last sync.
 */
import type { ManagedKind } from '../core/k8s-object.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import { kontractApplyTime } from '../k8s/cluster-client.js';
import { ownershipSelector } from '../resource-inventory/ownership.js';

/** The latest `kontract` Apply time over the owned objects of `kinds`, or undefined when none is owned. */
export async function lastApplyTime(client: ClusterClient, integration: string, kinds: readonly ManagedKind[], namespace?: string): Promise<string | undefined> {
  let latest: string | undefined;
  for (const kind of kinds) {
    const items = await client.list(kind, { labelSelector: ownershipSelector(integration), keepApplyTime: true, ...(namespace === undefined ? {} : { namespace }) });
    for (const o of items) {
      const t = kontractApplyTime(o);
      if (t !== undefined && (latest === undefined || t > latest)) latest = t;
    }
  }
  return latest;
}
