/**
 * computePlan: the pure step between fetching and applying. Walks the inventory once (Maps, O(n)),
 * decides create / update / delete / unchanged per object with the ownership matrix (below),
 * applies the safety rules and returns a Plan whose `changes` are exactly what to apply.
 *
 * Ownership matrix, per (cluster, namespace, kind, name):
 *
 * | live object                    | desired?  | result                                         |
 * |--------------------------------|-----------|------------------------------------------------|
 * | absent                         | yes       | create                                         |
 * | owned by the same integration  | yes       | update if hash differs or drift, else unchanged |
 * | unowned                        | yes       | E_OWNERSHIP_CONFLICT (cluster) / update with --take-over |
 * | unowned, made by qontract-reconcile's matching integration | yes | as unowned; also adopted with --adopt-qontract |
 * | owned by another integration   | yes       | E_OWNERSHIP_CONFLICT (cluster)                 |
 * | owned by a run integration     | no        | delete (may be withheld)                       |
 * | unowned / another integration  | no        | left alone                                     |
 */
import { ERROR_CODES } from '../core/errors.js';
import { resourceIdString } from '../core/k8s-object.js';
import type { KubeObject } from '../core/k8s-object.js';
import { canonicalize } from './canonicalize.js';
import { canonicalDesired, desiredHashes, desiredSourceHash } from './desired-canonical.js';
import { fieldChanges, liveMatchesDesired, pathMatches } from './diff.js';
import type { DesiredEntry, InventoryCell, ResourceInventory } from './inventory.js';
import { takenFields } from './managed-fields.js';
import type { ManagedFieldsEntry } from './managed-fields.js';
import { isClusterError } from './inventory.js';
import { liveHash, liveSourceHash, markOwnedWithHash, ownerOf } from './ownership.js';
import type { ClusterSummary, FieldChange, NamespaceContents, OrphanedObject, Plan, PlanError, PlannedChange } from './plan.js';

export interface PlanOptions {
  /** Integrations of this run: only objects owned by one of them can be deleted. */
  readonly integrations: readonly string[];
  /** sha of the app-interface data the desired state comes from (recorded in the plan). */
  readonly dataSha: string;
  /** Adopt unowned live objects a desired object names (`--take-over`). */
  readonly takeOver: boolean;
  /**
   * Adopt unowned live objects made by qontract-reconcile: those whose `qontract.integration`
   * annotation names the desiring integration's `qontractIntegration` (`--adopt-qontract`).
   */
  readonly adoptQontract?: boolean;
  /** More deletions than this in one run are refused unless allowMassDeletion. */
  readonly maxDeletions: number;
  /** Lifts the maxDeletions and empty-desired refusals. */
  readonly allowMassDeletion: boolean;
  /** Other field managers' managedFields of a live object (reported as takenFields of an update). */
  readonly managersOf?: (live: KubeObject) => readonly ManagedFieldsEntry[] | undefined;
}

interface Counters {
  desired: number;
  current: number;
  unchanged: number;
}

/** Mutable state of one computePlan call. */
class PlanBuilder {
  readonly writes: PlannedChange[] = [];
  readonly deletes: PlannedChange[] = [];
  readonly refused: PlannedChange[] = [];
  readonly orphaned: OrphanedObject[] = [];
  readonly errors: PlanError[] = [];
  readonly counters = new Map<string, Counters>();
  /** `cluster\0integration` → [desired, owned]. */
  readonly pairs = new Map<string, [number, number]>();

  constructor(
    readonly inv: ResourceInventory,
    readonly opts: PlanOptions,
    readonly runIntegrations: ReadonlySet<string>,
  ) {}

  counter(cluster: string): Counters {
    let c = this.counters.get(cluster);
    if (c === undefined) {
      c = { desired: 0, current: 0, unchanged: 0 };
      this.counters.set(cluster, c);
    }
    return c;
  }

  pair(cluster: string, integration: string): [number, number] {
    const key = `${cluster}\0${integration}`;
    let p = this.pairs.get(key);
    if (p === undefined) {
      p = [0, 0];
      this.pairs.set(key, p);
    }
    return p;
  }
}

type Base = Pick<PlannedChange, 'integration' | 'cluster' | 'namespace' | 'kind' | 'name' | 'order'>;

function baseOf(cell: InventoryCell, integration: string, name: string): Base {
  return { integration, cluster: cell.cluster, namespace: cell.namespace, kind: cell.kindKey, name, order: cell.kind.order };
}

function idOf(b: Base): string {
  return resourceIdString(b);
}

/** qontract-reconcile's mark on the objects it applies (reconcile/utils/openshift_resource.py). */
export const QONTRACT_INTEGRATION_ANNOTATION = 'qontract.integration';

function qontractOwnerOf(live: KubeObject): string | undefined {
  const v = live.metadata.annotations?.[QONTRACT_INTEGRATION_ANNOTATION];
  return v === undefined || v === '' ? undefined : v;
}

function conflict(b: Base, owner: string | undefined, qontractOwner: string | undefined, adoptable: boolean): PlanError {
  const why =
    owner !== undefined
      ? `is owned by integration ${owner}`
      : qontractOwner !== undefined
        ? `exists and was applied by qontract-reconcile's ${qontractOwner} (${adoptable ? 'pass --adopt-qontract or --take-over to adopt it' : 'pass --take-over to adopt it'})`
        : 'exists and is not managed by kontract (pass --take-over to adopt it)';
  return {
    cluster: b.cluster,
    code: ERROR_CODES.OWNERSHIP_CONFLICT,
    message: `${idOf(b)} desired by integration ${b.integration} ${why}`,
    object: { integration: b.integration, namespace: b.namespace, kind: b.kind, name: b.name },
  };
}

function summarisePaths(changes: readonly FieldChange[]): string {
  const paths = changes.slice(0, 5).map((c) => c.path);
  return changes.length > 5 ? `${paths.join(', ')}, …(+${changes.length - 5})` : paths.join(', ');
}

function updateReason(adopting: boolean, hashMatches: boolean, changes: readonly FieldChange[], fromQontract?: string): string {
  const drift = changes.length > 0 ? `drift: ${summarisePaths(changes)}` : '';
  if (adopting && fromQontract !== undefined) return `adopt from qontract-reconcile (${QONTRACT_INTEGRATION_ANNOTATION}=${fromQontract})${drift === '' ? '' : `; ${drift}`}`;
  if (adopting) return `take over: adopt unowned object${drift === '' ? '' : `; ${drift}`}`;
  if (!hashMatches) return drift === '' ? 'hash differs' : `hash differs; ${drift}`;
  return `${drift} (edited out of band)`;
}

/**
 * No canonical copy needed: the desired object is byte for byte the one last applied (source
 * hash, memoised) and a copy-free subset walk finds no out-of-band edit.
 */
function sameAsLastApplied(entry: DesiredEntry, live: KubeObject): boolean {
  const source = liveSourceHash(live);
  return source !== undefined && source === desiredSourceHash(entry) && liveMatchesDesired(live, entry.object);
}

/**
 * The planner's unchanged fast path on its own, for deciding while objects are read: true when
 * `live` is owned by the integration that desires it and is the same as last applied, so
 * computePlan would count it unchanged (it may then be recorded with addUnchanged, without its
 * body). False decides nothing; the planner then compares canonical forms.
 */
export function unchangedFastPath(entry: DesiredEntry, live: KubeObject): boolean {
  return ownerOf(live) === entry.integration && sameAsLastApplied(entry, live);
}

/** Plans one desired object against its live counterpart (absent: create) owned by `owner`. */
function planDesired(pb: PlanBuilder, cell: InventoryCell, name: string, d: DesiredEntry, counter: Counters, live: KubeObject | undefined, owner: string | undefined): void {
  if (live === undefined) {
    const desired = markOwnedWithHash(d.object, d.integration, desiredHashes(d));
    pb.writes.push({ ...baseOf(cell, d.integration, name), action: 'create', desired, changes: [], reason: 'not on the cluster' });
    return;
  }
  const adopting = owner === undefined;
  const qontractOwner = adopting ? qontractOwnerOf(live) : undefined;
  const fromQontract = qontractOwner !== undefined && qontractOwner === pb.inv.integration(d.integration)?.qontractIntegration ? qontractOwner : undefined;
  const adoptQontract = fromQontract !== undefined && pb.opts.adoptQontract === true;
  if ((adopting && !pb.opts.takeOver && !adoptQontract) || (owner !== undefined && owner !== d.integration)) {
    pb.errors.push(conflict(baseOf(cell, d.integration, name), owner, qontractOwner, fromQontract !== undefined));
    return;
  }
  if (!adopting && sameAsLastApplied(d, live)) {
    counter.unchanged++;
    return;
  }
  // Otherwise the canonical form decides: an equivalent object built differently (key order,
  // `1000m` for `1`) or one applied without a source hash still has the same canonical sha and is
  // unchanged; when the walk finds something, the full canonicalisation + field diff below decides.
  const { canonical: canonDesired, sha } = canonicalDesired(d);
  const hashMatches = liveHash(live) === sha;
  if (!adopting && hashMatches && liveMatchesDesired(live, canonDesired)) {
    counter.unchanged++;
    return;
  }
  const b = baseOf(cell, d.integration, name);
  const desired = markOwnedWithHash(d.object, d.integration, desiredHashes(d));
  const current = canonicalize(live, {
    keepOwnerReferences: d.object.metadata.ownerReferences !== undefined,
    keepFinalizers: d.object.metadata.finalizers !== undefined,
  });
  const integration = pb.inv.integration(d.integration);
  const changes = fieldChanges(current, canonDesired, { ignoreFields: integration?.ignoreFields ?? [] });
  if (!adopting && hashMatches && changes.length === 0) {
    counter.unchanged++;
    return;
  }
  const immutable = integration?.immutableFields ?? [];
  const blocked = immutable.length === 0 ? [] : changes.filter((c) => pathMatches(c.path, immutable, true)).map((c) => c.path);
  if (integration?.immutable !== undefined) blocked.push(...integration.immutable(current, canonDesired));
  if (blocked.length > 0) {
    const fields = blocked.length > 5 ? `${blocked.slice(0, 5).join(', ')}, …(+${blocked.length - 5})` : blocked.join(', ');
    const reason = `refused: immutable field(s) ${fields} would change; delete and recreate the object to change them`;
    pb.errors.push({
      cluster: b.cluster,
      code: ERROR_CODES.SAFETY,
      message: `${idOf(b)}: ${reason}`,
      object: { integration: b.integration, namespace: b.namespace, kind: b.kind, name: b.name },
      objectOnly: true,
    });
    pb.refused.push({ ...b, action: 'update', desired, current, changes, reason });
    return;
  }
  const taken = takenFields(changes, pb.opts.managersOf?.(live) ?? []);
  pb.writes.push({ ...b, action: 'update', desired, current, changes, reason: updateReason(adopting, hashMatches, changes, adoptQontract ? fromQontract : undefined), ...(taken.length === 0 ? {} : { takenFields: taken }) });
}

function planCell(pb: PlanBuilder, cell: InventoryCell): void {
  const counter = pb.counter(cell.cluster);
  counter.desired += cell.desired.size;
  // A cluster not (fully) read: a missing object proves nothing, so nothing is planned there.
  if (!pb.inv.wasRead(cell.cluster)) return;
  counter.current += cell.current.size + cell.unchanged.size;
  // (desired, owned) per integration, counted locally: one pair() lookup per integration and cell.
  const perIntegration = new Map<string, [number, number]>();
  const tally = (integration: string, i: 0 | 1): void => {
    let t = perIntegration.get(integration);
    if (t === undefined) {
      t = [0, 0];
      perIntegration.set(integration, t);
    }
    t[i]++;
  };
  let matched = 0;
  for (const [name, d] of cell.desired) {
    tally(d.integration, 0);
    if (cell.unchanged.has(name)) {
      // Found unchanged while read (unchangedFastPath): owned by d.integration.
      if (pb.runIntegrations.has(d.integration)) tally(d.integration, 1);
      counter.unchanged++;
      continue;
    }
    const live = cell.current.get(name);
    let owner: string | undefined;
    if (live !== undefined) {
      matched++;
      owner = ownerOf(live);
      if (owner !== undefined && pb.runIntegrations.has(owner)) tally(owner, 1);
    }
    planDesired(pb, cell, name, d, counter, live, owner);
  }
  // Live objects without a desired counterpart: deletions. None when every live one matched.
  if (matched < cell.current.size) {
    for (const [name, live] of cell.current) {
      if (cell.desired.has(name)) continue;
      const owner = ownerOf(live);
      if (owner === undefined || !pb.runIntegrations.has(owner)) continue;
      if (!pb.inv.deletionAllowed(owner, cell.kindKey, cell.cluster, cell.namespace, name)) {
        pb.orphaned.push({
          integration: owner, cluster: cell.cluster, namespace: cell.namespace, kind: cell.kindKey, name,
          reason: 'orphaned: owned but no longer in the data and not marked for deletion (left alone)',
        });
        continue;
      }
      tally(owner, 1);
      pb.deletes.push({
        ...baseOf(cell, owner, name),
        action: 'delete',
        current: canonicalize(live),
        changes: [],
        reason: 'not desired anymore',
      });
    }
  }
  for (const [integration, [desired, owned]] of perIntegration) {
    const p = pb.pair(cell.cluster, integration);
    p[0] += desired;
    p[1] += owned;
  }
}

/** Empty desired set for a (cluster, integration) that still owns objects: refuse pruning it. */
function emptyDesiredErrors(pb: PlanBuilder): PlanError[] {
  if (pb.opts.allowMassDeletion) return [];
  const out: PlanError[] = [];
  for (const [key, [desired, owned]] of pb.pairs) {
    if (desired > 0 || owned === 0) continue;
    const [cluster = '', integration = ''] = key.split('\0');
    out.push({
      cluster,
      code: ERROR_CODES.SAFETY,
      message: `integration ${integration} has no desired objects on cluster ${cluster} but owns ${owned}: refusing to delete them all (pass --allow-mass-deletion if intended)`,
    });
  }
  return out;
}

/**
 * What goes with a deleted Namespace: the objects of the namespaced kinds this run listed on that
 * cluster, read in that namespace; unknown (null) when no namespaced kind was listed there.
 */
function namespaceContents(inv: ResourceInventory, cluster: string, namespace: string): NamespaceContents {
  const kinds = inv.listedNamespacedKinds(cluster);
  if (kinds.length === 0) return { objects: null, kinds };
  let objects = 0;
  for (const k of kinds) {
    const cell = inv.get(cluster, namespace, k);
    if (cell !== undefined) objects += cell.current.size + cell.unchanged.size;
  }
  return { objects, kinds };
}

function withNamespaceContents(inv: ResourceInventory, d: PlannedChange): PlannedChange {
  if (d.kind !== 'Namespace') return d;
  return { ...d, namespaceContents: namespaceContents(inv, d.cluster, d.name) };
}

function compareIds(a: Pick<Base, 'cluster' | 'namespace' | 'kind' | 'name' | 'integration'>, b: Pick<Base, 'cluster' | 'namespace' | 'kind' | 'name' | 'integration'>): number {
  for (const k of ['cluster', 'namespace', 'kind', 'name', 'integration'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return 0;
}

function compareErrors(a: PlanError, b: PlanError): number {
  const ka = `${a.cluster ?? ''}\0${a.object?.namespace ?? ''}\0${a.object?.kind ?? ''}\0${a.object?.name ?? ''}\0${a.code}\0${a.message}`;
  const kb = `${b.cluster ?? ''}\0${b.object?.namespace ?? ''}\0${b.object?.kind ?? ''}\0${b.object?.name ?? ''}\0${b.code}\0${b.message}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function withReason(c: PlannedChange, prefix: string): PlannedChange {
  return { ...c, reason: `${prefix}: ${c.reason}` };
}

function summaries(pb: PlanBuilder, plan: Omit<Plan, 'clusters'>): ClusterSummary[] {
  // One pass over changes and errors (O(n)), not one per cluster.
  const counts = new Map<string, { create: number; update: number; delete: number; withheld: number; orphaned: number; errors: PlanError[] }>();
  const entry = (cluster: string) => {
    let e = counts.get(cluster);
    if (e === undefined) {
      e = { create: 0, update: 0, delete: 0, withheld: 0, orphaned: 0, errors: [] };
      counts.set(cluster, e);
    }
    return e;
  };
  for (const c of plan.changes) entry(c.cluster)[c.action]++;
  for (const c of plan.withheldDeletions) entry(c.cluster).withheld++;
  for (const o of plan.orphaned) entry(o.cluster).orphaned++;
  for (const e of plan.errors) if (e.cluster !== undefined) entry(e.cluster).errors.push(e);
  const names = new Set([...pb.inv.clusterNames(), ...pb.counters.keys()]);
  return [...names].sort().map((cluster) => {
    const e = entry(cluster);
    const counter = pb.counters.get(cluster) ?? { desired: 0, current: 0, unchanged: 0 };
    return {
      cluster,
      reachable: !e.errors.some((x) => x.code === ERROR_CODES.CLUSTER_ACCESS || x.code === ERROR_CODES.CLUSTER_CONFIG),
      desired: counter.desired,
      current: counter.current,
      create: e.create,
      update: e.update,
      delete: e.delete,
      unchanged: counter.unchanged,
      withheld: e.withheld,
      orphaned: e.orphaned,
      notSent: 0,
      read: pb.inv.wasRead(cluster),
      errors: e.errors.length,
      skipped: e.errors.some((x) => isClusterError(x, cluster)),
    };
  });
}

/** The plan for everything in the inventory (pure; the inventory is not modified). */
export function computePlan(inv: ResourceInventory, opts: PlanOptions): Plan {
  const pb = new PlanBuilder(inv, opts, new Set(opts.integrations));
  for (const cell of inv.cells()) planCell(pb, cell);

  const plannerErrors = [...pb.errors, ...emptyDesiredErrors(pb)];
  if (!opts.allowMassDeletion && pb.deletes.length > opts.maxDeletions) {
    plannerErrors.push({
      code: ERROR_CODES.SAFETY,
      message: `${pb.deletes.length} deletions exceed the limit of ${opts.maxDeletions}: no object is deleted (pass --allow-mass-deletion or raise --max-deletions if intended)`,
    });
  }
  plannerErrors.sort(compareErrors);
  const errors = [...inv.errors(), ...plannerErrors];
  const skippedClusters = new Set(
    errors.flatMap((e) => (e.cluster !== undefined && e.objectOnly !== true ? [e.cluster] : [])),
  );

  const changes: PlannedChange[] = [];
  const skippedChanges: PlannedChange[] = pb.refused;
  for (const w of pb.writes) {
    if (skippedClusters.has(w.cluster)) skippedChanges.push(withReason(w, `skipped (cluster ${w.cluster} has errors)`));
    else changes.push(w);
  }
  const withheldDeletions: PlannedChange[] = [];
  for (const del of pb.deletes) {
    const d = withNamespaceContents(inv, del);
    if (skippedClusters.has(d.cluster)) withheldDeletions.push(withReason(d, `withheld (cluster ${d.cluster} has errors)`));
    else if (errors.length > 0) withheldDeletions.push(withReason(d, 'withheld (errors registered in this run)'));
    else changes.push(d);
  }
  const byOrderThenId = (a: PlannedChange, b: PlannedChange): number => a.order - b.order || compareIds(a, b);
  const writes = changes.filter((c) => c.action !== 'delete').sort(byOrderThenId);
  const deletes = changes.filter((c) => c.action === 'delete').sort((a, b) => b.order - a.order || compareIds(a, b));
  const partial = {
    version: 1 as const,
    integrations: [...opts.integrations],
    dataSha: opts.dataSha,
    changes: [...writes, ...deletes],
    errors,
    withheldDeletions: withheldDeletions.sort((a, b) => b.order - a.order || compareIds(a, b)),
    skippedChanges: skippedChanges.sort(byOrderThenId),
    orphaned: pb.orphaned.sort(compareIds),
  };
  return { ...partial, clusters: summaries(pb, partial) };
}
