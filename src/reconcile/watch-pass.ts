/**
 * The plan of a watch loop's incremental pass (watch-loop.ts): only the objects that changed on
 * either side since the last pass are compared, with the rules of a full run.
 *
 * The inventory holds, for every (integration, cluster) a change touches, ALL of that
 * integration's desired objects there — the unchanged ones recorded by name only
 * (ResourceInventory.addUnchanged, as a full run records what its LIST found unchanged) — and the
 * live state of the changed ones (a watch event's object, or a GET). So the planner's safety
 * rules see the same picture as in a full run: an integration whose desired set on a cluster
 * became empty still refuses to delete all it owns there, `--max-deletions` counts the pass's
 * deletions, blocked units withhold their scope, Namespaces are deleted only when marked.
 *
 * Building that inventory for every pass costs an allocation per desired object of the touched
 * pairs, garbage that outlives the pass's awaits and so grows the old generation of a
 * long-running loop (docs/benchmarks.md, "Watch loop"). ChangesPlanner therefore builds it once
 * per work — every desired object of every pair, all recorded unchanged — and a pass only
 * overlays its changed objects' live states, its errors and the clusters it touches, planning
 * and then restoring the inventory synchronously (PassInventory). A pass the overlay cannot
 * express (an object read as absent, or one no integration of the pair desires) is planned on a
 * fresh inventory of its pairs, as before.
 */
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { kindKey } from '../core/k8s-object.js';
import type { Integration } from '../integrations/define-integration.js';
import { foreignManagedFields } from '../k8s/cluster-client.js';
import { ResourceInventory, isClusterError } from '../resource-inventory/inventory.js';
import type { InventoryCell } from '../resource-inventory/inventory.js';
import type { Plan, PlanError } from '../resource-inventory/plan.js';
import { computePlan } from '../resource-inventory/planner.js';
import { blockedUnitError, markExplicitDeletions } from './desired.js';
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

/** The options of a pass's plan, beyond its changed objects and errors. */
type PassOptions = Omit<ChangesPlanInput, 'integrations' | 'work' | 'changed' | 'errors'>;

/** The plan of the changed objects on a fresh inventory of the touched pairs (pure). */
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
    markExplicitDeletions(inv, w);
  }
  registerPassErrors(inv, input.errors);
  return plan(inv, input.integrations, input);
}

/** A pass's read errors: each stops its cluster (not read) unless it concerns one object only. */
function registerPassErrors(inv: ResourceInventory, errors: readonly PlanError[]): void {
  for (const e of errors) {
    if (e.cluster !== undefined && e.objectOnly !== true) inv.markNotRead(e.cluster);
    inv.registerError(e);
  }
}

function plan(inv: ResourceInventory, integrations: readonly Integration[], o: PassOptions): Plan {
  return computePlan(inv, {
    integrations: integrations.map((i) => i.name),
    dataSha: o.dataSha,
    takeOver: o.takeOver,
    adoptQontract: o.adoptQontract,
    maxDeletions: o.maxDeletions,
    allowMassDeletion: o.allowMassDeletion,
    managersOf: foreignManagedFields,
  });
}

/**
 * The inventory of every desired object of a work, all recorded unchanged, with a pass overlay:
 * while a pass is open, the planner sees only the cells of the pass's clusters, and the pass's
 * errors and unread clusters besides the inventory's own (none). The cells themselves are
 * changed by the pass (addCurrent) and restored after it (addUnchanged).
 */
class PassInventory extends ResourceInventory {
  private pass: { readonly clusters: ReadonlySet<string>; readonly errors: PlanError[]; readonly notRead: Set<string> } | undefined;

  open(clusters: ReadonlySet<string>): void {
    this.pass = { clusters, errors: [], notRead: new Set() };
  }

  close(): void {
    this.pass = undefined;
  }

  override *cells(): IterableIterator<InventoryCell> {
    const pass = this.pass;
    for (const c of super.cells()) if (pass === undefined || pass.clusters.has(c.cluster)) yield c;
  }

  override clusterNames(): string[] {
    const pass = this.pass;
    return pass === undefined ? super.clusterNames() : super.clusterNames().filter((c) => pass.clusters.has(c));
  }

  override registerError(error: PlanError): void {
    if (this.pass === undefined) super.registerError(error);
    else this.pass.errors.push(error);
  }

  override errors(): readonly PlanError[] {
    return this.pass === undefined ? super.errors() : [...super.errors(), ...this.pass.errors];
  }

  override hasErrors(): boolean {
    return this.errors().length > 0;
  }

  override clusterHasError(cluster: string): boolean {
    return this.errors().some((e) => isClusterError(e, cluster));
  }

  override markNotRead(cluster: string): void {
    if (this.pass === undefined) super.markNotRead(cluster);
    else this.pass.notRead.add(cluster);
  }

  override wasRead(cluster: string): boolean {
    return super.wasRead(cluster) && this.pass?.notRead.has(cluster) !== true;
  }
}

/**
 * Plans the passes of one work (the loop makes one per work: after each full pass and data
 * change); same plans as planChanges, without rebuilding the inventory per pass (module comment).
 */
export class ChangesPlanner {
  private inv: PassInventory | undefined;
  private built = false;

  constructor(private readonly integrations: readonly Integration[], private readonly work: readonly IntegrationWork[]) {}

  plan(changed: readonly ChangedObject[], errors: readonly PlanError[], o: PassOptions): Plan {
    const inv = this.inventory();
    const entries = inv === undefined ? undefined : changed.map((c) => (c.live === undefined ? undefined : inv.get(c.cluster, c.namespace, kindKey(c.kind))?.desired.get(c.name)));
    if (inv === undefined || entries === undefined || entries.some((e, i) => e === undefined || e.integration !== changed[i]?.integration)) {
      return planChanges({ integrations: this.integrations, work: this.work, changed, errors, ...o });
    }
    const clusters = new Set(changed.map((c) => c.cluster));
    inv.open(clusters);
    try {
      for (const pair of new Set(changed.map((c) => `${c.integration}\0${c.cluster}`))) {
        const [integration = '', cluster = ''] = pair.split('\0');
        for (const u of this.work.find((x) => x.integration.name === integration)?.blocked ?? []) if (u.cluster === cluster) inv.registerError(blockedUnitError(integration, u));
      }
      registerPassErrors(inv, errors);
      for (const c of changed) if (c.live !== undefined) inv.addCurrent(c.cluster, c.kind, c.live);
      return plan(inv, this.integrations, o);
    } finally {
      for (const c of changed) inv.addUnchanged(c.cluster, c.kind, c.namespace, c.name);
      // The canonical forms computed for this pass are the plan's now; the inventory keeps none.
      for (const e of entries) if (e !== undefined) e.canonical = undefined;
      inv.close();
    }
  }

  /** The work's inventory, built on first use; undefined when it cannot hold the work (planChanges then). */
  private inventory(): PassInventory | undefined {
    if (this.built) return this.inv;
    this.built = true;
    const inv = new PassInventory(this.integrations);
    try {
      for (const w of this.work) {
        const integration = w.integration.name;
        for (const c of w.clusters) {
          inv.addCluster(c.name);
          for (const k of w.kindsByCluster?.get(c.name) ?? w.integration.kinds) inv.markListed(c.name, k);
        }
        for (const d of w.desired) {
          inv.addDesired(integration, d.cluster, d.kind, d.object, d.source);
          inv.addUnchanged(d.cluster, d.kind, d.kind.namespaced ? d.object.metadata.namespace ?? '' : '', d.object.metadata.name);
        }
        markExplicitDeletions(inv, w);
      }
    } catch {
      // a duplicate desired object across integrations: each pass plans its own pairs afresh
      return undefined;
    }
    this.inv = inv;
    return inv;
  }
}
