/**
 * When kontract last wrote a fabric's objects: the latest Apply time of field manager `kontract`
 * over the owned objects of the twelve kinds (one LIST per kind). Read-only. ClusterClient drops
 * `managedFields` on arrival and keeps only that time (`kontractApplyTime`).
 */
import type { KubeObject } from '../../core/k8s-object.js';
import type { ClusterClient } from '../../k8s/cluster-client.js';
import { FIELD_MANAGER, kontractApplyTime } from '../../k8s/cluster-client.js';
import { ownershipSelector } from '../../resource-inventory/ownership.js';
import { HEDGEHOG_FABRIC_INTEGRATION } from './desired.js';
import { FABRIC_MANAGED_KINDS } from './kinds.js';

/**
 * Latest apply time by kontract of one object: from the ClusterClient side channel, or from the
 * object's own managedFields (objects not read through a ClusterClient); undefined when none.
 */
export function kontractWriteTime(obj: KubeObject): string | undefined {
  const kept = kontractApplyTime(obj);
  if (kept !== undefined) return kept;
  const entries = obj.metadata.managedFields;
  if (!Array.isArray(entries)) return undefined;
  let latest: string | undefined;
  for (const e of entries as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const { manager, time } = e as { manager?: unknown; time?: unknown };
    if (manager === FIELD_MANAGER && typeof time === 'string' && (latest === undefined || time > latest)) latest = time;
  }
  return latest;
}

/** The last sync of the fabric objects on a cluster, or undefined when none is owned. */
export async function lastSyncOn(client: ClusterClient): Promise<string | undefined> {
  let latest: string | undefined;
  for (const kind of FABRIC_MANAGED_KINDS) {
    const items = await client.list(kind, { labelSelector: ownershipSelector(HEDGEHOG_FABRIC_INTEGRATION), namespace: 'default', keepApplyTime: true });
    for (const o of items) {
      const t = kontractWriteTime(o);
      if (t !== undefined && (latest === undefined || t > latest)) latest = t;
    }
  }
  return latest;
}
