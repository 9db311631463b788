/**
 * `--changed-since`: compare the desired state built from a base app-interface with the current
 * one and keep only the (integration, cluster, kind) work whose desired objects differ, so a
 * merge-request dry-run reads just the clusters and kinds the change touches. Pure: the caller
 * loads both app-interfaces.
 *
 * Narrowing keeps every desired object of each kept (cluster, kind) — the plan of a kept pair is
 * the same as in a full run, deletions included — and drops the other pairs entirely: their kinds
 * are not listed and their clusters not contacted.
 */
import { createHash } from 'node:crypto';
import type { AppInterfaceData } from '../app-interface/model.js';
import type { ManagedKind } from '../core/k8s-object.js';
import type { DesiredContext, DesiredObject, Integration } from '../integrations/define-integration.js';
import { kindOf } from './desired.js';
import { withExternalSources } from './external-sources.js';

export interface ChangedWork {
  /** The integrations with their kinds narrowed to the changed ones (only those with any change). */
  readonly integrations: readonly Integration[];
  /** Clusters with any changed desired object. */
  readonly clusters: readonly string[];
  /** `integration cluster kind` of every changed pair, sorted (for logs and tests). */
  readonly pairs: readonly string[];
}

type Env = Omit<DesiredContext, 'data'>;

function digestByPair(integration: Integration, objects: readonly DesiredObject[]): Map<string, string> {
  const lines = new Map<string, string[]>();
  for (const o of objects) {
    const kind = kindOf(integration, o.object);
    const key = `${o.cluster}\u0000${kind?.kind ?? o.object.kind}\u0000${kind?.group ?? o.object.apiVersion}`;
    const list = lines.get(key) ?? [];
    list.push(JSON.stringify(o.object));
    lines.set(key, list);
  }
  const out = new Map<string, string>();
  for (const [key, list] of lines) out.set(key, createHash('sha256').update(list.sort().join('\n')).digest('hex'));
  return out;
}

/** The work of `integrations` whose desired objects differ between `base` and `head`. */
export async function changedWork(integrations: readonly Integration[], base: AppInterfaceData, head: AppInterfaceData, env: Env): Promise<ChangedWork> {
  const narrowed: Integration[] = [];
  const clusters = new Set<string>();
  const pairs: string[] = [];
  const ctx = withExternalSources(env);
  for (const integration of integrations) {
    const [before, after] = await Promise.all([integration.buildDesired({ ...ctx, data: base }), integration.buildDesired({ ...ctx, data: head })]);
    const a = digestByPair(integration, before.objects);
    const b = digestByPair(integration, after.objects);
    const changedClusters = new Set<string>();
    const changedKinds = new Set<ManagedKind>();
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      if (a.get(key) === b.get(key)) continue;
      const [cluster = '', kindName = '', group = ''] = key.split('\u0000');
      const kind = integration.kinds.find((k) => k.kind === kindName && k.group === group);
      changedClusters.add(cluster);
      if (kind !== undefined) changedKinds.add(kind);
      pairs.push(`${integration.name} ${cluster} ${kindName}`);
    }
    if (changedClusters.size === 0) continue;
    for (const c of changedClusters) clusters.add(c);
    narrowed.push({
      ...integration,
      kinds: integration.kinds.filter((k) => changedKinds.has(k)),
      buildDesired: async (ctx) => {
        const state = await integration.buildDesired(ctx);
        const keep = (o: DesiredObject): boolean => {
          const k = kindOf(integration, o.object);
          return changedClusters.has(o.cluster) && k !== undefined && changedKinds.has(k);
        };
        return { ...state, objects: state.objects.filter(keep), ...(state.clusters === undefined ? {} : { clusters: state.clusters.filter((c) => changedClusters.has(c)) }) };
      },
    });
  }
  return { integrations: narrowed, clusters: [...clusters].sort(), pairs: pairs.sort() };
}
