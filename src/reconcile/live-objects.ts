/**
 * Every live object of some kinds on one cluster, owned or not (one LIST per kind, no label
 * selector), reduced to what a status report shows: uid, resourceVersion, creation time, the time
 * of kontract's last Apply and the kontract integration owning it. Read-only; used by
 * `kontract fabric-status` for per-object state and unmanaged objects.
 */
import type { ManagedKind } from '../core/k8s-object.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import { kontractApplyTime } from '../k8s/cluster-client.js';
import { ownerOf } from '../resource-inventory/ownership.js';

export interface LiveObjectSummary {
  readonly kind: ManagedKind;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
  /** Time of kontract's last Apply (field manager `kontract`), when kontract ever applied it. */
  readonly lastApplied?: string;
  /** The kontract integration owning it (ownership labels), undefined when kontract does not. */
  readonly owner?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export async function readLiveObjects(client: ClusterClient, kinds: readonly ManagedKind[], namespace?: string): Promise<LiveObjectSummary[]> {
  const out: LiveObjectSummary[] = [];
  for (const kind of kinds) {
    const items = await client.list(kind, { keepApplyTime: true, ...(namespace === undefined ? {} : { namespace }) });
    for (const o of items) {
      const fields = {
        uid: str(o.metadata.uid), resourceVersion: str(o.metadata.resourceVersion), creationTimestamp: str(o.metadata.creationTimestamp),
        lastApplied: kontractApplyTime(o), owner: ownerOf(o),
      };
      out.push({ kind, name: o.metadata.name, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) });
    }
  }
  return out;
}
