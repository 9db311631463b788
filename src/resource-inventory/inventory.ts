/**
 * ResourceInventory: cluster → namespace → kind → { desired, current }, plus the errors of the run
 * (docs/architecture.md). Filled by the IO layer (desired from integrations, current from LIST/GET), read by
 * computePlan. Maps all the way down, so lookups stay O(1) on 20,000 objects.
 */
import { ERROR_CODES, KontractError } from '../core/errors.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { kindKey, resourceIdString } from '../core/k8s-object.js';
import type { PlanError } from './plan.js';

export interface DesiredEntry {
  readonly integration: string;
  readonly object: KubeObject;
  /** The datafile the object comes from. */
  readonly source: string;
  /**
   * Memo of desired-canonical.ts, filled on first use (fields of the entry rather than a WeakMap:
   * cheaper to fill and to collect): sourceHash(object) …
   */
  sourceSha: string | undefined;
  /** … and the canonical form with its sha. */
  canonical: { readonly canonical: KubeObject; readonly sha: string } | undefined;
}

/** One (cluster, namespace, kind) cell of the inventory. */
export interface InventoryCell {
  readonly cluster: string;
  /** '' for cluster-scoped kinds. */
  readonly namespace: string;
  readonly kind: ManagedKind;
  /** kindKey(kind). */
  readonly kindKey: string;
  /** name → desired object. */
  readonly desired: ReadonlyMap<string, DesiredEntry>;
  /** name → live object (as read; not canonicalised). */
  readonly current: ReadonlyMap<string, KubeObject>;
  /**
   * Names of live objects found unchanged while they were read (owned by the integration that
   * desires them and matching `unchangedFastPath`); their bodies are not kept. Disjoint from
   * `current`; every name here has a desired entry.
   */
  readonly unchanged: ReadonlySet<string>;
}

interface MutableCell extends InventoryCell {
  readonly desired: Map<string, DesiredEntry>;
  readonly current: Map<string, KubeObject>;
  readonly unchanged: Set<string>;
}

type ClusterMap = Map<string, Map<string, MutableCell>>;

/** True when the error stops its whole cluster (not object-only, not global). */
export function isClusterError(e: PlanError, cluster: string): boolean {
  return e.cluster === cluster && e.objectOnly !== true;
}

/**
 * What the planner needs of an integration: its name and how to compare its objects. An
 * `Integration` (src/integrations/define-integration.ts) is one; the planning core does not import it.
 */
export interface ComparisonRules {
  /** CLI name of the integration, the value of the ownership label. */
  readonly name: string;
  /**
   * Paths (dot-separated, under the object root) the planner ignores when comparing desired
   * with live, beyond the generic canonicalisation (e.g. labels a controller rewrites).
   */
  readonly ignoreFields?: readonly string[];
  /** Fields that cannot change in place: the plan refuses such an update. */
  readonly immutableFields?: readonly string[];
  /**
   * Immutability that paths cannot express (e.g. "which key under `spec` is set"): given the
   * canonical live and desired objects of an update, the immutable fields that would change (the
   * plan refuses the update, like `immutableFields`); empty when the update is allowed.
   */
  readonly immutable?: (current: KubeObject, desired: KubeObject) => readonly string[];
  /**
   * The qontract-reconcile integration that manages the same objects (`openshift-rolebindings`).
   * With `--adopt-qontract`, a live object of a desired name whose `qontract.integration`
   * annotation names it is adopted (reported in the plan) instead of being an ownership conflict.
   */
  readonly qontractIntegration?: string;
}

export class ResourceInventory {
  private readonly clusters = new Map<string, ClusterMap>();
  private readonly errorList: PlanError[] = [];
  private readonly notRead = new Set<string>();
  /** cluster → namespaced kinds (kindKey) whose owned LIST completed. */
  private readonly listedKinds = new Map<string, Set<string>>();
  /** integration → kindKey → `cluster\0namespace\0name` keys marked for deletion. */
  private readonly explicit = new Map<string, Map<string, Set<string>>>();
  private readonly byName: ReadonlyMap<string, ComparisonRules>;

  constructor(integrations: readonly ComparisonRules[]) {
    this.byName = new Map(integrations.map((i) => [i.name, i]));
  }

  /** The integration definition (ignoreFields, immutableFields), if given to the constructor. */
  integration(name: string): ComparisonRules | undefined {
    return this.byName.get(name);
  }

  /** Makes a cluster known even when it has no objects (it then appears in the plan summary). */
  addCluster(cluster: string): void {
    if (!this.clusters.has(cluster)) this.clusters.set(cluster, new Map());
  }

  /**
   * The cell cell() returned last: objects arrive grouped by (cluster, kind, namespace) (a LIST
   * page, a namespace's desired objects), so most calls are for the same cell as the one before
   * and skip three map lookups and a kind key string. Cells are never removed, so it stays valid.
   */
  private lastCell: MutableCell | undefined;

  private cell(cluster: string, kind: ManagedKind, namespace: string): MutableCell {
    const last = this.lastCell;
    if (last !== undefined && last.kind === kind && last.namespace === namespace && last.cluster === cluster) return last;
    const cell = this.findOrMakeCell(cluster, kind, namespace);
    this.lastCell = cell;
    return cell;
  }

  private findOrMakeCell(cluster: string, kind: ManagedKind, namespace: string): MutableCell {
    this.addCluster(cluster);
    const byNs = this.clusters.get(cluster) as ClusterMap;
    let byKind = byNs.get(namespace);
    if (byKind === undefined) {
      byKind = new Map();
      byNs.set(namespace, byKind);
    }
    const key = kindKey(kind);
    let cell = byKind.get(key);
    if (cell === undefined) {
      cell = { cluster, namespace, kind, kindKey: key, desired: new Map(), current: new Map(), unchanged: new Set() };
      byKind.set(key, cell);
    }
    return cell;
  }

  /** Adds one desired object. Throws E_DESIRED_STATE on a duplicate, naming both sources. */
  addDesired(integration: string, cluster: string, kind: ManagedKind, obj: KubeObject, source: string): void {
    const namespace = namespaceOf(kind, obj);
    if (kind.namespaced && namespace === '') {
      throw new KontractError(
        ERROR_CODES.DESIRED_STATE,
        `${source}: ${kindKey(kind)} ${obj.metadata.name} (integration ${integration}) is namespaced but has no metadata.namespace`,
        { cluster },
      );
    }
    const cell = this.cell(cluster, kind, namespace);
    const name = obj.metadata.name;
    const existing = cell.desired.get(name);
    if (existing !== undefined) {
      const id = resourceIdString({ cluster, namespace, kind: cell.kindKey, name });
      throw new KontractError(
        ERROR_CODES.DESIRED_STATE,
        `duplicate desired object ${id}: from ${existing.source} (integration ${existing.integration}) and ${source} (integration ${integration})`,
        { cluster },
      );
    }
    cell.desired.set(name, { integration, object: obj, source, sourceSha: undefined, canonical: undefined });
  }

  /** Adds one live object (owned LIST results and unowned GET results); a repeat overwrites. */
  addCurrent(cluster: string, kind: ManagedKind, obj: KubeObject): void {
    const cell = this.cell(cluster, kind, namespaceOf(kind, obj));
    cell.unchanged.delete(obj.metadata.name);
    cell.current.set(obj.metadata.name, obj);
  }

  /**
   * Records a live object found unchanged as it was read (see InventoryCell.unchanged), without its
   * body. Throws when no desired object has that name: only a desired object can be unchanged.
   */
  addUnchanged(cluster: string, kind: ManagedKind, namespace: string, name: string): void {
    const cell = this.cell(cluster, kind, kind.namespaced ? namespace : '');
    if (!cell.desired.has(name)) {
      throw new KontractError(ERROR_CODES.INTERNAL, `${resourceIdString({ cluster, namespace: cell.namespace, kind: cell.kindKey, name })} recorded as unchanged but not desired`);
    }
    cell.current.delete(name);
    cell.unchanged.add(name);
  }

  /**
   * Lookup of the desired entries of one (cluster, kind) by namespace and name; the cells are
   * resolved once per namespace, so it is cheap to call once per listed object.
   */
  desiredLookup(cluster: string, kind: ManagedKind): (namespace: string, name: string) => DesiredEntry | undefined {
    const key = kindKey(kind);
    const byNs = this.clusters.get(cluster);
    let lastNs: string | undefined;
    let lastCell: MutableCell | undefined;
    return (namespace, name) => {
      const ns = kind.namespaced ? namespace : '';
      if (ns !== lastNs) {
        lastNs = ns;
        lastCell = byNs?.get(ns)?.get(key);
      }
      return lastCell?.desired.get(name);
    };
  }

  /**
   * Records that a cluster could not be (fully) read: the planner compares nothing there (what was
   * read is partial, so a missing object proves nothing) and the plan shows it as `not read`.
   */
  markNotRead(cluster: string): void {
    this.addCluster(cluster);
    this.notRead.add(cluster);
  }

  /** Records a completed LIST of a namespaced kind on a cluster (namespace deletion counts). */
  markListed(cluster: string, kind: ManagedKind): void {
    if (!kind.namespaced) return;
    let s = this.listedKinds.get(cluster);
    if (s === undefined) {
      s = new Set();
      this.listedKinds.set(cluster, s);
    }
    s.add(kindKey(kind));
  }

  /** Namespaced kinds listed on a cluster (markListed), sorted. */
  listedNamespacedKinds(cluster: string): string[] {
    return [...(this.listedKinds.get(cluster) ?? [])].sort();
  }

  /** False after markNotRead(cluster). */
  wasRead(cluster: string): boolean {
    return !this.notRead.has(cluster);
  }

  /**
   * Declares that the owned objects of `kinds` of an integration are deleted only when marked with
   * markForDeletion (e.g. a Namespace only when its datafile says `delete: true`); an unmarked one
   * that is not desired is orphaned: reported, left alone.
   */
  deleteOnlyWhenMarked(integration: string, kinds: readonly string[]): void {
    let byKind = this.explicit.get(integration);
    if (byKind === undefined) {
      byKind = new Map();
      this.explicit.set(integration, byKind);
    }
    for (const k of kinds) if (!byKind.has(k)) byKind.set(k, new Set());
  }

  /** Marks one object of a deleteOnlyWhenMarked kind as to be deleted. */
  markForDeletion(integration: string, kind: string, cluster: string, namespace: string, name: string): void {
    this.explicit.get(integration)?.get(kind)?.add(`${cluster}\0${namespace}\0${name}`);
  }

  /** True when an owned, undesired object may be deleted (its kind needs no mark, or it is marked). */
  deletionAllowed(integration: string, kind: string, cluster: string, namespace: string, name: string): boolean {
    const marked = this.explicit.get(integration)?.get(kind);
    return marked === undefined || marked.has(`${cluster}\0${namespace}\0${name}`);
  }

  /** Registers an error for one cluster, or for the whole run when `cluster` is undefined. */
  registerError(error: PlanError): void {
    this.errorList.push(error);
  }

  /** True when a cluster-wide error is registered for `cluster` (its changes are then skipped). */
  clusterHasError(cluster: string): boolean {
    return this.errorList.some((e) => isClusterError(e, cluster));
  }

  hasErrors(): boolean {
    return this.errorList.length > 0;
  }

  /** Registered errors, in registration order. */
  errors(): readonly PlanError[] {
    return this.errorList;
  }

  /** Known clusters, sorted. */
  clusterNames(): string[] {
    return [...this.clusters.keys()].sort();
  }

  /** Every (cluster, namespace, kind) cell, in insertion order. */
  *cells(): IterableIterator<InventoryCell> {
    for (const byNs of this.clusters.values()) {
      for (const byKind of byNs.values()) yield* byKind.values();
    }
  }

  /** The cell for (cluster, namespace, kindKey), if any. */
  get(cluster: string, namespace: string, kind: string): InventoryCell | undefined {
    return this.clusters.get(cluster)?.get(namespace)?.get(kind);
  }
}

function namespaceOf(kind: ManagedKind, obj: KubeObject): string {
  return kind.namespaced ? (obj.metadata.namespace ?? '') : '';
}
