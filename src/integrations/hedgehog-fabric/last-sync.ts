/**
 * The live objects of a fabric cluster for fabric-status: every object of the twelve kinds (one
 * LIST per kind), whether kontract manages it, its uid / resourceVersion / creation time and when
 * kontract last applied it (the Apply time of field manager `kontract`; ClusterClient drops
 * `managedFields` on arrival and keeps only that time, `kontractApplyTime`). Read-only.
 */
import type { KubeObject } from '../../core/k8s-object.js';
import type { ClusterClient } from '../../k8s/cluster-client.js';
import { FIELD_MANAGER, kontractApplyTime } from '../../k8s/cluster-client.js';
import { ownerOf } from '../../resource-inventory/ownership.js';
import { HEDGEHOG_FABRIC_INTEGRATION } from './desired.js';
import { FABRIC_KINDS } from './kinds.js';
import { FABRIC_KIND_NAMES } from './model.js';
import type { FabricKindName } from './model.js';

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

/** One live object of a fabric kind (namespace `default`), as fabric-status reports it. */
export interface LiveFabricObject {
  readonly kind: FabricKindName;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
  /** Time of kontract's last Apply (field manager `kontract`), when kontract ever applied it. */
  readonly lastApplied?: string;
  /** True when it carries kontract's ownership labels for hedgehog-fabric. */
  readonly managed: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Every object of the twelve kinds in namespace `default` on a fabric cluster, owned or not (one
 * LIST per kind, no label selector): the per-object status and the `unmanaged` objects of
 * fabric-status. Read-only.
 */
export async function readFabricLive(client: ClusterClient): Promise<LiveFabricObject[]> {
  const out: LiveFabricObject[] = [];
  for (const kind of FABRIC_KIND_NAMES) {
    const items = await client.list(FABRIC_KINDS[kind], { namespace: 'default', keepApplyTime: true });
    for (const o of items) {
      const applied = kontractWriteTime(o);
      const uid = str(o.metadata.uid);
      const rv = str(o.metadata.resourceVersion);
      const created = str(o.metadata.creationTimestamp);
      out.push({
        kind, name: o.metadata.name,
        ...(uid === undefined ? {} : { uid }), ...(rv === undefined ? {} : { resourceVersion: rv }),
        ...(created === undefined ? {} : { creationTimestamp: created }), ...(applied === undefined ? {} : { lastApplied: applied }),
        managed: ownerOf(o) === HEDGEHOG_FABRIC_INTEGRATION,
      });
    }
  }
  return out;
}

/** The last sync (latest kontract Apply over the managed objects) of a live read. */
export function lastSyncOf(live: readonly LiveFabricObject[]): string | undefined {
  let latest: string | undefined;
  for (const o of live) if (o.managed && o.lastApplied !== undefined && (latest === undefined || o.lastApplied > latest)) latest = o.lastApplied;
  return latest;
}
