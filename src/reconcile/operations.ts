/**
 * Integration operations (Integration.operations, Plan.operations): imperative subresource calls
 * planned after the diff from live state, e.g. KubeVirt's pause/unpause/restart of VMs
 * (src/integrations/virtual-machines/power.ts).
 *
 * Planning reads each of the planner's `reads` kinds once per namespace holding a desired object
 * of the integration (clusters read without error only). Performing happens only in a wet run,
 * after the changes were applied: an operation whose object has a change that was not applied
 * (failed, not sent) is skipped; otherwise its request is sent (PUT through the cluster's
 * kube-apiserver, which proxies aggregated APIs such as `subresources.kubevirt.io`), then its
 * record (annotations, server-side apply with the field manager `kontract-operations`, so
 * kontract's own applies neither remove nor diff it).
 */
import { errorMessage } from '../core/errors.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { kindKey } from '../core/k8s-object.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import type { PlannedChange, PlannedOperation } from '../resource-inventory/plan.js';
import { operationActs } from '../resource-inventory/plan.js';
import type { AppliedChange } from './apply-plan.js';
import type { IntegrationWork } from './desired.js';
import type { RequestLimits } from './request-limits.js';

export const OPERATIONS_FIELD_MANAGER = 'kontract-operations';

export interface OperationsPlanResult {
  readonly operations: readonly PlannedOperation[];
  /** Reads that failed, per cluster (the cluster's operations are not planned). */
  readonly failures: readonly { readonly cluster: string; readonly message: string }[];
}

/** Plans the operations of every integration of the run that has a planner. */
export async function planOperations(
  work: readonly IntegrationWork[],
  changes: readonly PlannedChange[],
  clients: ReadonlyMap<string, ClusterClient>,
  limits: RequestLimits,
  clusterOk: (cluster: string) => boolean,
): Promise<OperationsPlanResult> {
  const operations: PlannedOperation[] = [];
  const failures: { cluster: string; message: string }[] = [];
  for (const w of work) {
    const planner = w.integration.operations;
    if (planner === undefined) continue;
    const desired = w.desired.filter((d) => clusterOk(d.cluster) && clients.has(d.cluster));
    if (desired.length === 0) continue;
    const places = new Map<string, { cluster: string; namespace: string }>();
    for (const d of desired) {
      const namespace = d.object.metadata.namespace ?? '';
      places.set(`${d.cluster}\0${namespace}`, { cluster: d.cluster, namespace });
    }
    const live = new Map<string, KubeObject[]>();
    const failed = new Set<string>();
    await Promise.all([...places.values()].flatMap(({ cluster, namespace }) => planner.reads.map(async (kind) => {
      const client = clients.get(cluster);
      if (client === undefined) return;
      try {
        const items = await limits(cluster)(() => client.list(kind, { namespace }));
        live.set(`${cluster}\0${namespace}\0${kindKey(kind)}`, items);
      } catch (e) {
        if (!failed.has(cluster)) failures.push({ cluster, message: `${w.integration.name}: cannot read ${kindKey(kind)} in ${namespace} to plan its operations: ${errorMessage(e)}` });
        failed.add(cluster);
      }
    })));
    operations.push(...planner.plan({
      desired: desired.filter((d) => !failed.has(d.cluster)),
      changes: changes.filter((c) => c.integration === w.integration.name && !failed.has(c.cluster)),
      live: (cluster, namespace, kind) => live.get(`${cluster}\0${namespace}\0${kind}`) ?? [],
    }));
  }
  // By object (stable: one object's operations keep the planner's order).
  const at = (o: PlannedOperation): string => `${o.cluster}\0${o.namespace}\0${o.name}`;
  operations.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
  return { operations, failures };
}

export interface OperationResult {
  readonly operation: PlannedOperation;
  readonly status: 'done' | 'skipped' | 'failed';
  readonly message?: string;
}

function objectOf(kind: ManagedKind, namespace: string, name: string, annotations: Readonly<Record<string, string>>): KubeObject {
  return { apiVersion: kind.group === '' ? kind.version : `${kind.group}/${kind.version}`, kind: kind.kind, metadata: { name, namespace, annotations: { ...annotations } } };
}

/**
 * Performs the acting operations (wet run), after `applied`. Operations on one object run in
 * plan order; different objects in parallel (bounded per cluster by `limits`).
 */
export async function performOperations(
  operations: readonly PlannedOperation[],
  applied: readonly AppliedChange[],
  clients: ReadonlyMap<string, ClusterClient>,
  limits: RequestLimits,
): Promise<OperationResult[]> {
  const notApplied = new Set(applied.filter((a) => a.status !== 'applied').map((a) => `${a.change.cluster}\0${a.change.namespace}\0${a.change.name}`));
  const byObject = new Map<string, PlannedOperation[]>();
  for (const o of operations.filter(operationActs)) {
    const key = `${o.cluster}\0${o.namespace}\0${o.name}`;
    byObject.set(key, [...(byObject.get(key) ?? []), o]);
  }
  const results = await Promise.all([...byObject].map(async ([key, ops]) => {
    const out: OperationResult[] = [];
    for (const o of ops) {
      const client = clients.get(o.cluster);
      if (client === undefined || notApplied.has(key)) {
        out.push({ operation: o, status: 'skipped', message: 'its object was not applied in this run' });
        continue;
      }
      try {
        const r = o.request;
        if (r !== undefined) {
          const kind: ManagedKind = { group: r.group, version: r.version, kind: o.kind.split('.')[0] ?? o.kind, plural: r.plural, namespaced: true, order: 0 };
          await limits(o.cluster)(() => client.putSubresource(kind, o.namespace, o.name, r.subresource));
        }
        const rec = o.record;
        if (rec !== undefined) {
          await limits(o.cluster)(() => client.apply(rec.kind, objectOf(rec.kind, o.namespace, o.name, rec.annotations), { dryRun: false, fieldManager: OPERATIONS_FIELD_MANAGER }));
        }
        out.push({ operation: o, status: 'done' });
      } catch (e) {
        out.push({ operation: o, status: 'failed', message: errorMessage(e) });
        // A failed restart must not be recorded as done by a later operation of the same object.
        break;
      }
    }
    return out;
  }));
  return results.flat();
}
