/**
 * The API discovery of one run, shared by the kinds the data names (dynamic-kinds.ts) and the
 * check before each LIST that its kind is served (fetch-current.ts): each (cluster, group/version)
 * and each cluster's group list is asked at most once per run, through the cluster's request
 * limiter: a kind the data names is discovered once, not again before its LIST. A run asks again
 * (a CRD installed since the last iteration of a loop is seen).
 *
 * Built-in kinds of the core group's v1 (src/k8s/core-v1-kinds.ts) are answered from that table,
 * so their LISTs need not wait for a discovery round trip. A cluster whose kinds all came from the
 * table is still asked `/api/v1` (`asked` tells), as a probe bounded like any discovery: it is
 * what bounds the wait on a black-holed cluster without --cluster-timeout (dynamic-kinds.ts,
 * docs/cli.md).
 */
import type { ManagedKind } from '../core/k8s-object.js';
import type { ClusterClient, DiscoveredGroup, DiscoveredResource } from '../k8s/cluster-client.js';
import { CORE_V1_KINDS } from '../k8s/core-v1-kinds.js';
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
  /** Answers by `cluster\0what`, each asked once (through the cluster's limiter). */
  private readonly answers = new Map<string, Promise<unknown>>();
  private readonly askedClusters = new Set<string>();
  constructor(private readonly limits: RequestLimits) {}

  /** Whether a discovery request was sent to the cluster in this run. */
  asked(cluster: string): boolean {
    return this.askedClusters.has(cluster);
  }

  private once<T>(client: ClusterClient, what: string, ask: () => Promise<T>): Promise<T> {
    const key = `${client.cluster}\0${what}`;
    let p = this.answers.get(key) as Promise<T> | undefined;
    if (p === undefined) {
      this.askedClusters.add(client.cluster);
      p = this.limits(client.cluster)(ask);
      this.answers.set(key, p);
    }
    return p;
  }

  /** The resources a group/version serves on the client's cluster (undefined: the group/version is not served). */
  resources(client: ClusterClient, group: string, version: string): Promise<readonly DiscoveredResource[] | undefined> {
    return this.once(client, `${group}/${version}`, () => client.discover(group, version));
  }

  /** The API groups the cluster serves (`/apis`). */
  groups(client: ClusterClient): Promise<readonly DiscoveredGroup[]> {
    return this.once(client, '/apis', () => client.discoverGroups());
  }

  /** A kind of a group/version, or undefined when the cluster does not serve it (core/v1 built-ins: from CORE_V1_KINDS). */
  async kind(client: ClusterClient, group: string, version: string, kind: string): Promise<ManagedKind | undefined> {
    const core = group === '' && version === 'v1' ? CORE_V1_KINDS.get(kind) : undefined;
    if (core !== undefined) return { group, version, kind, plural: core.plural, namespaced: core.namespaced, order: orderOf(group, kind, core.namespaced) };
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
