/**
 * The plan of a watch loop's incremental pass (watch-loop.ts): only the objects that changed on
 * either side since the last pass are compared, with the rules of a full run.
 *
 * The inventory gets, for every (integration, cluster) a change touches, ALL of that
 * integration's desired objects there — the unchanged ones recorded by name only
 * (ResourceInventory.addUnchanged, as a full run records what its LIST found unchanged) — and the
 * live state of the changed ones (a watch event's object, or a GET). So the planner's safety
 * rules see the same picture as in a full run: an integration whose desired set on a cluster
 * became empty still refuses to delete all it owns there, `--max-deletions` counts the pass's
 * deletions, blocked units withhold their scope, Namespaces are deleted only when marked.
 */
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { kindKey } from '../core/k8s-object.js';
import type { Integration } from '../integrations/define-integration.js';
import { foreignManagedFields } from '../k8s/cluster-client.js';
import { ResourceInventory } from '../resource-inventory/inventory.js';
import type { Plan, PlanError } from '../resource-inventory/plan.js';
import { computePlan } from '../resource-inventory/planner.js';
import { blockedUnitError } from './desired.js';
import type { IntegrationWork } from './desired.js';

/** One object of one integration whose state may have changed (its live state is attached). */
export interface ChangedObject {
  readonly integration: string;
  readonly cluster: string;
  readonly kind: ManagedKind;
  /** '' for cluster-scoped kinds. */
  readonly namespace: string;
  readonly name: string;
  /** The live object, or undefined when it does not exist. */
  readonly live: KubeObject | undefined;
}

/** `integration\0cluster\0kind\0namespace\0name`: the identity of a changed object. */
export function changeKey(integration: string, cluster: string, kind: ManagedKind, namespace: string, name: string): string {
  return `${integration}\0${cluster}\0${kindKey(kind)}\0${kind.namespaced ? namespace : ''}\0${name}`;
}

export interface ChangesPlanInput {
  readonly integrations: readonly Integration[];
  readonly work: readonly IntegrationWork[];
  readonly dataSha: string;
  readonly changed: readonly ChangedObject[];
  /** Errors registered before planning (cluster reads that failed, an earlier write that failed). */
  readonly errors: readonly PlanError[];
  readonly takeOver: boolean;
  readonly adoptQontract: boolean;
  readonly maxDeletions: number;
  readonly allowMassDeletion: boolean;
}

/** The plan of the changed objects (pure). */
export function planChanges(input: ChangesPlanInput): Plan {
  const inv = new ResourceInventory(input.integrations);
  const byPair = new Map<string, ChangedObject[]>();
  for (const c of input.changed) {
    const k = `${c.integration}\0${c.cluster}`;
    const list = byPair.get(k);
    if (list === undefined) byPair.set(k, [c]);
    else list.push(c);
  }
  for (const [pair, changes] of byPair) {
    const [integration = '', cluster = ''] = pair.split('\0');
    const w = input.work.find((x) => x.integration.name === integration);
    if (w === undefined) continue;
    inv.addCluster(cluster);
    const changedKeys = new Set(changes.map((c) => changeKey(integration, cluster, c.kind, c.namespace, c.name)));
    for (const d of w.desired) {
      if (d.cluster !== cluster) continue;
      inv.addDesired(integration, cluster, d.kind, d.object, d.source);
      const ns = d.kind.namespaced ? d.object.metadata.namespace ?? '' : '';
      if (!changedKeys.has(changeKey(integration, cluster, d.kind, ns, d.object.metadata.name))) inv.addUnchanged(cluster, d.kind, ns, d.object.metadata.name);
    }
    for (const k of w.kindsByCluster?.get(cluster) ?? w.integration.kinds) inv.markListed(cluster, k);
    for (const c of changes) if (c.live !== undefined) inv.addCurrent(cluster, c.kind, c.live);
    for (const u of w.blocked) if (u.cluster === cluster) inv.registerError(blockedUnitError(integration, u));
    if (w.explicitDeletion !== undefined) {
      inv.deleteOnlyWhenMarked(integration, w.explicitDeletion.kinds);
      for (const o of w.explicitDeletion.objects) inv.markForDeletion(integration, o.kind, o.cluster, o.namespace, o.name);
    }
  }
  for (const e of input.errors) {
    if (e.cluster !== undefined && e.objectOnly !== true) inv.markNotRead(e.cluster);
    inv.registerError(e);
  }
  return computePlan(inv, {
    integrations: input.integrations.map((i) => i.name),
    dataSha: input.dataSha,
    takeOver: input.takeOver,
    adoptQontract: input.adoptQontract,
    maxDeletions: input.maxDeletions,
    allowMassDeletion: input.allowMassDeletion,
    managersOf: foreignManagedFields,
  });
}
