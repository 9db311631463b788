/**
 * The API discovery of one run, shared by the kinds the data names (dynamic-kinds.ts) and the
 * check before each LIST that its kind is served (fetch-current.ts): each (cluster, group/version)
 * and each cluster's group list is asked at most once per run, through the cluster's request
 * limiter: a kind the data names is discovered once, not again before its LIST. A run asks again
 * (a CRD installed since the last iteration of a loop is seen).
 *
 * Data-named kinds of the core group are discovered too (`/api/v1`), although their plural and
 * scope never change: that request, bounded by DISCOVERY_TIMEOUT_MS (dynamic-kinds.ts), is what
 * bounds the wait on a black-holed cluster without --cluster-timeout (docs/cli.md,
 * test/integration/faults/network-faults.test.ts). Skipping it was measured and not kept
 * (docs/benchmarks.md, "Session 7").
 */
import type { ManagedKind } from '../core/k8s-object.js';
import type { ClusterClient, DiscoveredGroup, DiscoveredResource } from '../k8s/cluster-client.js';
import type { RequestLimits } from './request-limits.js';

/** Apply order: CustomResourceDefinitions 0, Namespaces 10, other cluster-scoped kinds 20, namespaced kinds 50 (deletes in reverse). */
export function orderOf(group: string, kind: string, namespaced: boolean): number {
  if (group === 'apiextensions.k8s.io' && kind === 'CustomResourceDefinition') return 0;
  if (group === '' && kind === 'Namespace') return 10;
  return namespaced ? 50 : 20;
}

/** `Deployment.apps` → {kind: Deployment, group: apps}; `ConfigMap` → {kind: ConfigMap}. */
export function parseType(type: string): { kind: string; group?: string } {
  const i = type.indexOf('.');
  return i < 0 ? { kind: type } : { kind: type.slice(0, i), group: type.slice(i + 1) };
}

export class RunDiscovery {
  private readonly gv = new Map<string, Promise<readonly DiscoveredResource[] | undefined>>();
  private readonly groupLists = new Map<string, Promise<readonly DiscoveredGroup[]>>();
  constructor(private readonly limits: RequestLimits) {}

  /** The resources a group/version serves on the client's cluster (undefined: the group/version is not served). */
  resources(client: ClusterClient, group: string, version: string): Promise<readonly DiscoveredResource[] | undefined> {
    const key = `${client.cluster}\0${group}/${version}`;
    let p = this.gv.get(key);
    if (p === undefined) {
      p = this.limits(client.cluster)(() => client.discover(group, version));
      this.gv.set(key, p);
    }
    return p;
  }

  groups(client: ClusterClient): Promise<readonly DiscoveredGroup[]> {
    let p = this.groupLists.get(client.cluster);
    if (p === undefined) {
      p = this.limits(client.cluster)(() => client.discoverGroups());
      this.groupLists.set(client.cluster, p);
    }
    return p;
  }

  /** A kind of a group/version, or undefined when the cluster does not serve it. */
  async kind(client: ClusterClient, group: string, version: string, kind: string): Promise<ManagedKind | undefined> {
    const r = (await this.resources(client, group, version))?.find((x) => x.kind === kind);
    return r === undefined ? undefined : { group, version, kind, plural: r.name, namespaced: r.namespaced, order: orderOf(group, kind, r.namespaced) };
  }

  /** A named type (`Kind.group`: the group's preferred version; bare `Kind`: the core group, else the one group serving it). */
  async type(client: ClusterClient, type: string): Promise<ManagedKind | undefined> {
    const t = parseType(type);
    if (t.group === undefined) {
      const core = await this.kind(client, '', 'v1', t.kind);
      if (core !== undefined) return core;
    }
    const groups = await this.groups(client);
    if (t.group !== undefined) {
      const g = groups.find((x) => x.name === t.group);
      return g === undefined ? undefined : this.kind(client, g.name, g.preferredVersion, t.kind);
    }
    const found = (await Promise.all(groups.map((g) => this.kind(client, g.name, g.preferredVersion, t.kind)))).filter((k): k is ManagedKind => k !== undefined);
    return found.length === 1 ? found[0] : undefined;
  }

  /** Whether the cluster serves the kind's plural at its group/version (core v1 is always served). */
  async served(client: ClusterClient, kind: ManagedKind): Promise<boolean> {
    if (kind.group === '') return true;
    const rs = await this.resources(client, kind.group, kind.version);
    return rs !== undefined && rs.some((r) => r.name === kind.plural);
  }
}
