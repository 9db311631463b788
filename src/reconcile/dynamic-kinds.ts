/**
 * Kinds the data names (DesiredState.dynamicKinds, e.g. qontract's managedResourceTypes) are
 * resolved per cluster through API discovery once the cluster is connected (the run's discovery,
 * discovery.ts, which answers built-in core/v1 kinds without a request):
 *
 * - a desired object's kind from its own `apiVersion` (`GET /api/v1` or `/apis/<group>/<version>`);
 *   a kind the cluster does not serve is an error for that cluster only, naming the datafile;
 * - a named type without desired objects (`Kind.group`: the group's preferred version; bare
 *   `Kind`: the core group, else the one group serving it) only to LIST owned objects for pruning;
 *   when no group serves it there is nothing desired or owned to look at: a warning.
 *
 * Each cluster is resolved on its own and within DISCOVERY_TIMEOUT_MS: a cluster whose discovery
 * fails or does not finish in time (refused, black-holed) is registered as failed (`not read`)
 * and the others go on; the wait of the run for discovery is bounded by that timeout, and ends
 * earlier for a cluster that fails otherwise meanwhile (its run Lease).
 *
 * Apply order: discovery.ts orderOf.
 */
import { ERROR_CODES, KontractError } from '../core/errors.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { kindKey } from '../core/k8s-object.js';
import type { Reporter } from '../core/reporter.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import type { DesiredEntry, IntegrationWork } from './desired.js';
import type { RunDiscovery } from './discovery.js';
import type { ClusterFailures } from './fetch-current.js';
import { scopeNamespace } from './scope.js';
import type { Scope } from './scope.js';

/** How long the discovery of one cluster's dynamic kinds may take (ResolveContext.timeoutMs). */
export const DISCOVERY_TIMEOUT_MS = 10_000;

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export interface ResolveContext {
  readonly clients: ReadonlyMap<string, ClusterClient>;
  readonly failures: ClusterFailures;
  /** The run's discovery, shared with fetch-current.ts. */
  readonly discovery: RunDiscovery;
  readonly scope: Scope;
  readonly reporter: Reporter;
  /** @default DISCOVERY_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** For cluster-scoped kinds the object carries no namespace. */
function placed(kind: ManagedKind, obj: KubeObject): KubeObject {
  if (kind.namespaced || obj.metadata.namespace === undefined) return obj;
  const metadata = { ...obj.metadata };
  delete metadata.namespace;
  return { ...obj, metadata };
}

/** What one cluster's resolution found; `failure`: kinds it does not serve (registered by the caller). */
interface Resolved { readonly kinds: ManagedKind[]; readonly desired: DesiredEntry[]; readonly failure?: KontractError }

async function resolveCluster(ctx: ResolveContext, w: IntegrationWork, cluster: string): Promise<Resolved> {
  const client = ctx.clients.get(cluster);
  if (client === undefined || ctx.failures.has(cluster)) return { kinds: [], desired: [] };
  const discovery = ctx.discovery;
  const byKey = new Map<string, ManagedKind>();
  const desired: DesiredEntry[] = [];
  const unknown: string[] = [];
  const pending = (w.pending ?? []).filter((d) => d.cluster === cluster);
  // One lookup per distinct apiVersion and kind, not a promise and a kind object per desired
  // object (a measurable share of the resources case's 10,000-object no-op, docs/benchmarks.md
  // "listcpu"); the same kind is then one ManagedKind object (byKey), in the data's order.
  const resolved = new Map<string, Map<string, ManagedKind | undefined>>();
  const lookups: { readonly byKind: Map<string, ManagedKind | undefined>; readonly kind: string; readonly found: Promise<ManagedKind | undefined> }[] = [];
  for (const d of pending) {
    let byKind = resolved.get(d.object.apiVersion);
    if (byKind === undefined) {
      byKind = new Map();
      resolved.set(d.object.apiVersion, byKind);
    }
    if (byKind.has(d.object.kind)) continue;
    byKind.set(d.object.kind, undefined);
    const { group, version } = splitApiVersion(d.object.apiVersion);
    lookups.push({ byKind, kind: d.object.kind, found: discovery.kind(client, group, version, d.object.kind) });
  }
  const found = await Promise.all(lookups.map((l) => l.found));
  lookups.forEach((l, i) => {
    let kind = found[i];
    if (kind !== undefined) {
      kind = byKey.get(kindKey(kind)) ?? kind;
      byKey.set(kindKey(kind), kind);
    }
    l.byKind.set(l.kind, kind);
  });
  for (const d of pending) {
    const kind = resolved.get(d.object.apiVersion)?.get(d.object.kind);
    if (kind === undefined) {
      unknown.push(`${d.source}: kind ${d.object.kind} (${d.object.apiVersion}) of ${d.object.metadata.name}`);
      continue;
    }
    const object = placed(kind, d.object);
    if (!ctx.scope.objectInScope(cluster, kind, object)) continue;
    if (w.excludedNamespaces.get(cluster)?.has(scopeNamespace(kind, object)) === true) continue;
    desired.push({ cluster, kind, object, source: d.source });
  }
  const failure = unknown.length === 0 ? undefined
    : new KontractError(ERROR_CODES.DESIRED_STATE, `cluster ${cluster} does not serve ${unknown.length === 1 ? 'this kind' : 'these kinds'} (is its CRD installed?): ${unknown.join('; ')}`, { cluster });
  const named = (w.dynamicKinds ?? []).filter((k) => k.cluster === cluster);
  const served = new Set([...byKey.values()].flatMap((k) => [kindKey(k), k.kind]));
  for (const t of named) {
    if (served.has(t.type)) continue;
    const kind = await discovery.type(client, t.type);
    if (kind === undefined) {
      ctx.reporter.log('warn', `${w.integration.name}: cluster ${cluster} serves no kind ${t.type} (named in ${t.source}); nothing of it is desired, nothing is listed`, { integration: w.integration.name, cluster });
      continue;
    }
    if (!byKey.has(kindKey(kind))) byKey.set(kindKey(kind), kind);
    served.add(t.type);
  }
  return { kinds: [...byKey.values()], desired, ...(failure === undefined ? {} : { failure }) };
}

/**
 * resolveCluster within the discovery timeout; a failure or the timeout fails that cluster alone
 * (registered, nothing resolved), the other clusters' resolution is not affected.
 */
async function resolveClusterBounded(ctx: ResolveContext, w: IntegrationWork, cluster: string): Promise<Resolved> {
  const none: Resolved = { kinds: [], desired: [] };
  const ms = ctx.timeoutMs ?? DISCOVERY_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  let cancel = (): void => undefined;
  const deadline = new Promise<'timeout'>((r) => { timer = setTimeout(() => { r('timeout'); }, ms); });
  // The cluster failing elsewhere meanwhile (its run Lease could not be taken) ends the wait too.
  const failedElsewhere = new Promise<'failed'>((r) => { cancel = ctx.failures.onFailed(cluster, () => { r('failed'); }); });
  try {
    const r = await Promise.race([resolveCluster(ctx, w, cluster), deadline, failedElsewhere]);
    if (r === 'failed') return none;
    if (r !== 'timeout') {
      if (r.failure !== undefined) ctx.failures.register(cluster, r.failure);
      return r;
    }
    ctx.failures.register(cluster, new KontractError(ERROR_CODES.CLUSTER_ACCESS,
      `cluster ${cluster}: API discovery of the kinds ${w.integration.name} resolves from the data did not finish within ${ms / 1000} s: cluster not read`, { cluster }));
    return none;
  } catch (e) {
    ctx.failures.register(cluster, e);
    return none;
  } finally {
    clearTimeout(timer);
    cancel();
  }
}

/**
 * Resolves every work's dynamic kinds on its connected clusters; returns the work with the
 * resolved desired entries added (also returned apart, for the inventory) and the kinds to LIST.
 */
export async function resolveDynamicKinds(ctx: ResolveContext, work: readonly IntegrationWork[]): Promise<{ work: IntegrationWork[]; added: DesiredEntry[][] }> {
  const out: IntegrationWork[] = [];
  const added: DesiredEntry[][] = [];
  for (const w of work) {
    if (w.dynamicKinds === undefined) {
      out.push(w);
      added.push([]);
      continue;
    }
    const results = await Promise.all(w.clusters.map(async (c) => [c.name, await resolveClusterBounded(ctx, w, c.name)] as const));
    const kindsByCluster = new Map<string, readonly ManagedKind[]>();
    const desired: DesiredEntry[] = [];
    for (const [cluster, r] of results) {
      kindsByCluster.set(cluster, [...w.integration.kinds, ...r.kinds.filter((k) => !w.integration.kinds.some((s) => kindKey(s) === kindKey(k)))]);
      desired.push(...r.desired);
    }
    out.push({ ...w, desired: [...w.desired, ...desired], kindsByCluster, pending: [] });
    added.push(desired);
  }
  return { work: out, added };
}

/** The ManagedKind of (integration, cluster, kindKey) after resolution, for apply. */
export function kindTable(work: readonly IntegrationWork[]): (integration: string, cluster: string, key: string) => ManagedKind | undefined {
  const table = new Map<string, ManagedKind>();
  for (const w of work) {
    for (const [cluster, kinds] of w.kindsByCluster ?? []) for (const k of kinds) table.set(`${w.integration.name}\0${cluster}\0${kindKey(k)}`, k);
  }
  return (integration, cluster, key) => table.get(`${integration}\0${cluster}\0${key}`);
}
