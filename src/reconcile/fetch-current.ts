/**
 * Fetches current state: one paginated LIST per (integration, cluster, kind) filtered by the
 * ownership label, then one GET per desired name missing from that list (to see unowned or
 * foreign-owned objects that block it). Any read failure registers an error for that cluster and
 * stops reading it; the other clusters carry on.
 */
import { ERROR_CODES, errorMessage, isKontractError } from '../core/errors.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { kindKey } from '../core/k8s-object.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import type { ResourceInventory } from '../resource-inventory/inventory.js';
import { ownershipSelector } from '../resource-inventory/ownership.js';
import { unchangedFastPath } from '../resource-inventory/planner.js';
import type { IntegrationWork } from './desired.js';
import type { RunDiscovery } from './discovery.js';
import type { RequestLimits } from './request-limits.js';
import { scopeNamespace } from './scope.js';
import type { Scope } from './scope.js';

export interface FetchContext {
  readonly inventory: ResourceInventory;
  readonly clients: ReadonlyMap<string, ClusterClient>;
  readonly scope: Scope;
  /** --namespace values: namespaced kinds are then listed per namespace. */
  readonly namespaces: readonly string[];
  /** Per-cluster request limiter (request-limits.ts). */
  readonly limits: RequestLimits;
  /** The run's discovery (discovery.ts): whether each kind is served, asked once per group/version. */
  readonly discovery: RunDiscovery;
  /** A cluster is read once this resolves (its run Leases taken or failed); @default at once */
  readonly locked?: (cluster: string) => Promise<void>;
}

/** Per-cluster failure bookkeeping shared by fetch and apply. */
export class ClusterFailures {
  private readonly failed = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();
  constructor(private readonly inventory: ResourceInventory) {}
  has(cluster: string): boolean {
    return this.failed.has(cluster);
  }
  register(cluster: string, e: unknown): void {
    if (this.failed.has(cluster)) return;
    this.failed.add(cluster);
    this.inventory.markNotRead(cluster);
    const code = isKontractError(e) ? e.code : ERROR_CODES.CLUSTER_ACCESS;
    this.inventory.registerError({ cluster, code, message: errorMessage(e) });
    for (const w of this.waiters.get(cluster) ?? []) w();
    this.waiters.delete(cluster);
  }
  /** Calls `fn` once the cluster is registered as failed (at once if it is); returns a function that cancels. */
  onFailed(cluster: string, fn: () => void): () => void {
    if (this.failed.has(cluster)) {
      fn();
      return () => undefined;
    }
    this.waiters.set(cluster, [...(this.waiters.get(cluster) ?? []), fn]);
    return () => { this.waiters.set(cluster, (this.waiters.get(cluster) ?? []).filter((w) => w !== fn)); };
  }
}

/** Owned objects listed for one (integration, cluster, kind), in scope. */
export interface CurrentCount {
  readonly integration: string;
  readonly cluster: string;
  readonly kind: string;
  readonly current: number;
}

/**
 * Above this many desired-but-unowned objects per (cluster, kind), one unfiltered LIST replaces
 * the per-object GETs.
 */
export const GET_THRESHOLD = 100;
/** The replacement LIST goes per namespace when the missing objects span at most this many. */
export const PER_NAMESPACE_LIST_MAX = 10;

const keyOf = (kind: ManagedKind, o: KubeObject): string => `${kind.namespaced ? o.metadata.namespace ?? '' : ''}/${o.metadata.name}`;

/** Names per namespace ('' for cluster-scoped kinds): no key string built per listed object. */
class NameSet {
  private readonly byNs = new Map<string, Set<string>>();
  size = 0;
  constructor(private readonly kind: ManagedKind) {}
  add(namespace: string, name: string): void {
    const ns = this.kind.namespaced ? namespace : '';
    let names = this.byNs.get(ns);
    if (names === undefined) {
      names = new Set();
      this.byNs.set(ns, names);
    }
    if (!names.has(name)) {
      names.add(name);
      this.size++;
    }
  }
  has(o: KubeObject): boolean {
    return this.byNs.get(this.kind.namespaced ? o.metadata.namespace ?? '' : '')?.has(o.metadata.name) === true;
  }
}

type DesiredObjects = IntegrationWork['desired'];

interface OwnedList {
  /** Live objects in scope the planner needs whole. */
  readonly kept: KubeObject[];
  /** Live objects in scope found unchanged as they arrived: only their names are kept. */
  readonly unchanged: { readonly namespace: string; readonly name: string }[];
}

/**
 * One owned LIST, decided object by object as its pages arrive: an object that the planner's fast
 * path finds unchanged (unchangedFastPath) is recorded by name, every other one in scope is kept
 * whole. A no-op run thus holds names, not bodies, and spends the comparison while later pages
 * are still on the wire.
 */
async function listOwned(inv: ResourceInventory, client: ClusterClient, kind: ManagedKind, labelSelector: string, namespace: string | undefined, inScope: (obj: KubeObject) => boolean): Promise<OwnedList> {
  const unchanged: OwnedList['unchanged'] = [];
  const desiredEntry = inv.desiredLookup(client.cluster, kind);
  const kept = await client.list(kind, {
    labelSelector,
    ...(namespace === undefined ? {} : { namespace }),
    keep: (obj) => {
      if (!inScope(obj)) return false;
      const ns = kind.namespaced ? obj.metadata.namespace ?? '' : '';
      const entry = desiredEntry(ns, obj.metadata.name);
      if (entry === undefined || !unchangedFastPath(entry, obj)) return true;
      unchanged.push({ namespace: ns, name: obj.metadata.name });
      return false;
    },
    onRestart: () => { unchanged.length = 0; },
  });
  return { kept, unchanged };
}

async function fetchOne(ctx: FetchContext, failures: ClusterFailures, w: IntegrationWork, client: ClusterClient, kind: ManagedKind, desiredOf: () => DesiredObjects): Promise<CurrentCount | undefined> {
  const cluster = client.cluster;
  const limit = ctx.limits(cluster);
  try {
    if (!(await ctx.discovery.served(client, kind))) {
      const desired = desiredOf();
      if (desired.length > 0) {
        // missingApiHint (define-integration.ts) says what is missing, e.g. `KubeVirt is not installed`.
        const hint = w.integration.missingApiHint ?? 'is its CRD/operator installed?';
        failures.register(cluster, new Error(`cluster ${cluster}: ${kindKey(kind)} (${kind.group}/${kind.version}) is not served by this cluster (${hint}); ${desired.length} desired object(s) cannot be applied`));
      }
      return undefined;
    }
    if (failures.has(cluster)) return undefined;
    const selector = ownershipSelector(w.integration.name);
    const namespaces: (string | undefined)[] = kind.namespaced && ctx.namespaces.length > 0 ? [...ctx.namespaces] : [undefined];
    const excluded = w.excludedNamespaces.get(cluster);
    const key = kindKey(kind);
    const manages = w.manages;
    const inScope = (obj: KubeObject): boolean =>
      ctx.scope.objectInScope(cluster, kind, obj) && !(excluded !== undefined && excluded.has(scopeNamespace(kind, obj)))
      && (manages === undefined || manages(cluster, key, obj));
    const lists = await Promise.all(namespaces.map((ns) => limit(() => listOwned(ctx.inventory, client, kind, selector, ns, inScope))));
    ctx.inventory.markListed(cluster, kind);
    const seen = new NameSet(kind);
    for (const { kept, unchanged } of lists) {
      for (const obj of kept) {
        seen.add(obj.metadata.namespace ?? '', obj.metadata.name);
        ctx.inventory.addCurrent(cluster, kind, obj);
      }
      for (const u of unchanged) {
        seen.add(u.namespace, u.name);
        ctx.inventory.addUnchanged(cluster, kind, u.namespace, u.name);
      }
    }
    const missing = desiredOf().filter((d) => !seen.has(d.object));
    if (missing.length > GET_THRESHOLD) {
      // Many desired objects are not owned yet (first run, new integration): one unfiltered LIST
      // finds the blocking live objects with far fewer requests than a GET each.
      // Few namespaces involved: LIST just those; otherwise one cluster-wide (or --namespace) LIST.
      const wanted = new Set(missing.map((d) => keyOf(kind, d.object)));
      const missingNs = [...new Set(missing.map((d) => d.object.metadata.namespace ?? ''))];
      const scopes = kind.namespaced && missingNs.length <= PER_NAMESPACE_LIST_MAX ? missingNs : namespaces;
      const lives = await Promise.all(scopes.map((ns) => limit(() => client.list(kind, { keep: (o) => wanted.has(keyOf(kind, o)), ...(ns === undefined ? {} : { namespace: ns }) }))));
      for (const live of lives.flat()) ctx.inventory.addCurrent(cluster, kind, live);
    } else {
      await Promise.all(missing.map((d) => limit(async () => {
        if (failures.has(cluster)) return;
        const live = await client.get(kind, kind.namespaced ? d.object.metadata.namespace ?? '' : '', d.object.metadata.name);
        if (live !== undefined) ctx.inventory.addCurrent(cluster, kind, live);
      })));
    }
    return { integration: w.integration.name, cluster, kind: kindKey(kind), current: seen.size };
  } catch (e) {
    failures.register(cluster, e);
    return undefined;
  }
}

function groupByClusterKind(desired: DesiredObjects): Map<string, Map<ManagedKind, DesiredObjects[number][]>> {
  const byClusterKind = new Map<string, Map<ManagedKind, DesiredObjects[number][]>>();
  for (const d of desired) {
    let byKind = byClusterKind.get(d.cluster);
    if (byKind === undefined) {
      byKind = new Map();
      byClusterKind.set(d.cluster, byKind);
    }
    const list = byKind.get(d.kind);
    if (list === undefined) byKind.set(d.kind, [d]);
    else list.push(d);
  }
  return byClusterKind;
}

/** Reads every (integration, cluster, kind) of the work; failures are registered per cluster. */
export async function fetchCurrent(ctx: FetchContext, failures: ClusterFailures, work: readonly IntegrationWork[]): Promise<CurrentCount[]> {
  const tasks: Promise<CurrentCount | undefined>[] = [];
  for (const w of work) {
    // The integration's desired objects by cluster and kind, grouped once (not filtered per task),
    // when a task first needs them: after its LIST, so the requests go out first.
    let grouped: Map<string, Map<ManagedKind, DesiredObjects[number][]>> | undefined;
    const desiredOf = (cluster: string, kind: ManagedKind): DesiredObjects => {
      grouped ??= groupByClusterKind(w.desired);
      return grouped.get(cluster)?.get(kind) ?? [];
    };
    for (const c of w.clusters) {
      const client = ctx.clients.get(c.name);
      if (client === undefined || failures.has(c.name)) continue;
      const locked = ctx.locked?.(c.name) ?? Promise.resolve();
      for (const kind of w.kindsByCluster?.get(c.name) ?? w.integration.kinds) {
        tasks.push(locked.then(() => (failures.has(c.name) ? undefined : fetchOne(ctx, failures, w, client, kind, () => desiredOf(c.name, kind)))));
      }
    }
  }
  // Each task's requests go through its cluster's limiter: --concurrency per cluster, all clusters at once.
  return (await Promise.all(tasks)).filter((c): c is CurrentCount => c !== undefined);
}
