/**
 * planChanges (src/reconcile/watch-pass.ts): the plan of a watch loop's incremental pass follows
 * the rules of a full run for the objects that changed, and leaves the unchanged ones alone.
 */
import { describe, expect, it } from 'vitest';
import type { AppInterfaceData, Cluster } from '../../../src/app-interface/model.js';
import type { KubeObject, ManagedKind } from '../../../src/core/k8s-object.js';
import { defineIntegration } from '../../../src/integrations/define-integration.js';
import type { DesiredObject } from '../../../src/integrations/define-integration.js';
import { buildWork } from '../../../src/reconcile/desired.js';
import { createScope } from '../../../src/reconcile/scope.js';
import { ChangesPlanner, planChanges } from '../../../src/reconcile/watch-pass.js';
import type { ChangedObject } from '../../../src/reconcile/watch-pass.js';
import { markOwned } from '../../../src/resource-inventory/ownership.js';

const CM: ManagedKind = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, order: 50 };
const cluster: Cluster = { path: '/a.yml', name: 'a', description: '', serverUrl: 'https://x', auth: { kind: 'tokenEnv', env: 'T' }, insecureSkipTLSVerify: false, disabledIntegrations: [], labels: {} };
const data: AppInterfaceData = { sha: 's', clusters: [cluster], namespaces: [], quotas: [], limitRanges: [], roles: [], users: [], bots: [], tenants: [] };
const cm = (name: string, v: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'n' }, data: { v } });
const on = (object: KubeObject): DesiredObject => ({ cluster: 'a', object, source: '/src.yml' });

async function setup(desired: readonly KubeObject[]) {
  const integration = defineIntegration({ name: 'it', summary: '', kinds: [CM], buildDesired: () => ({ problems: [], objects: desired.map(on) }) });
  const work = await buildWork([integration], data, createScope({}));
  const changed = (name: string, live: KubeObject | undefined): ChangedObject => ({ integration: 'it', cluster: 'a', kind: CM, namespace: 'n', name, live });
  const plan = (changes: readonly ChangedObject[]) => planChanges({
    integrations: [integration], work, dataSha: 's', changed: changes, errors: [], takeOver: false, adoptQontract: false, maxDeletions: 50, allowMassDeletion: false,
  });
  return { plan, changed };
}

describe('planChanges', () => {
  it('updates an owned object edited out of band and plans nothing for the unchanged ones', async () => {
    const { plan, changed } = await setup([cm('x', '1'), cm('y', '1')]);
    const p = plan([changed('x', markOwned(cm('x', 'edited'), 'it'))]);
    expect(p.changes.map((c) => `${c.action} ${c.name}`)).toEqual(['update x']);
    expect(p.clusters[0]?.unchanged).toBe(1);
  });

  it('creates a desired object deleted out of band, and finds an unchanged one unchanged', async () => {
    const { plan, changed } = await setup([cm('x', '1'), cm('y', '1')]);
    expect(plan([changed('x', undefined)]).changes.map((c) => `${c.action} ${c.name}`)).toEqual(['create x']);
    expect(plan([changed('y', markOwned(cm('y', '1'), 'it'))]).changes).toEqual([]);
  });

  it('deletes an owned object no longer desired, and refuses when nothing is desired on the cluster any more', async () => {
    const { plan, changed } = await setup([cm('x', '1')]);
    expect(plan([changed('gone', markOwned(cm('gone', '1'), 'it'))]).changes.map((c) => `${c.action} ${c.name}`)).toEqual(['delete gone']);
    const empty = await setup([]);
    const refused = empty.plan([empty.changed('gone', markOwned(cm('gone', '1'), 'it'))]);
    expect(refused.changes).toEqual([]);
    expect(refused.errors.map((e) => e.code)).toContain('E_SAFETY');
  });

  it('withholds deletions when an error is registered (a write failed in an earlier pass)', async () => {
    const { changed } = await setup([cm('x', '1')]);
    const integration = defineIntegration({ name: 'it', summary: '', kinds: [CM], buildDesired: () => ({ problems: [], objects: [on(cm('x', '1'))] }) });
    const work = await buildWork([integration], data, createScope({}));
    const p = planChanges({
      integrations: [integration], work, dataSha: 's', changed: [changed('gone', markOwned(cm('gone', '1'), 'it'))],
      errors: [{ code: 'E_SAFETY', message: 'deletions withheld until a full pass runs clean' }], takeOver: false, adoptQontract: false, maxDeletions: 50, allowMassDeletion: false,
    });
    expect(p.changes).toEqual([]);
    expect(p.withheldDeletions.map((c) => c.name)).toEqual(['gone']);
  });

  it('refuses to take over an unowned object of a desired name', async () => {
    const { plan, changed } = await setup([cm('x', '1')]);
    const p = plan([changed('x', cm('x', 'theirs'))]);
    expect(p.changes).toEqual([]);
    expect(p.errors.map((e) => e.code)).toContain('E_OWNERSHIP_CONFLICT');
  });

  it('ChangesPlanner plans every pass as planChanges does, reusing one inventory and restoring it after each pass', async () => {
    const NS: ManagedKind = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, order: 10 };
    const b: Cluster = { ...cluster, path: '/b.yml', name: 'b' };
    const twoClusters: AppInterfaceData = { ...data, clusters: [cluster, b] };
    const objects: DesiredObject[] = ['a', 'b'].flatMap((c) => [
      { cluster: c, source: '/ns.yml', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } } },
      ...['x', 'y', 'z'].map((n) => ({ cluster: c, source: '/src.yml', object: cm(n, '1') })),
    ]);
    const integration = defineIntegration({ name: 'it', summary: '', kinds: [NS, CM], buildDesired: () => ({ problems: [], objects }) });
    const work = await buildWork([integration], twoClusters, createScope({}));
    const planner = new ChangesPlanner([integration], work);
    const opts = { dataSha: 's', takeOver: false, adoptQontract: false, maxDeletions: 50, allowMassDeletion: false };
    const changed = (c: string, name: string, live: KubeObject | undefined): ChangedObject => ({ integration: 'it', cluster: c, kind: CM, namespace: 'n', name, live });
    const passes: { changed: ChangedObject[]; errors: { cluster?: string; code: string; message: string }[] }[] = [
      { changed: [changed('a', 'x', markOwned(cm('x', 'edited'), 'it'))], errors: [] }, // update (overlay)
      { changed: [changed('a', 'x', markOwned(cm('x', '1'), 'it')), changed('b', 'y', markOwned(cm('y', '2'), 'it'))], errors: [] }, // unchanged + update on two clusters
      { changed: [changed('b', 'z', markOwned(cm('z', '3'), 'it'))], errors: [{ cluster: 'b', code: 'E_CLUSTER_ACCESS', message: 'unreachable' }] }, // not read: nothing planned
      { changed: [changed('a', 'y', undefined)], errors: [] }, // deleted out of band: a fresh inventory
      { changed: [changed('a', 'gone', markOwned(cm('gone', '1'), 'it'))], errors: [] }, // not desired: a fresh inventory
      { changed: [changed('a', 'x', cm('x', 'theirs'))], errors: [] }, // unowned: an ownership conflict
      { changed: [changed('b', 'x', markOwned(cm('x', 'edited'), 'it'))], errors: [] }, // again after all that
    ];
    const plans = passes.map((p) => planner.plan(p.changed, p.errors, opts));
    expect(plans).toEqual(passes.map((p) => planChanges({ integrations: [integration], work, changed: p.changed, errors: p.errors, ...opts })));
    expect(plans.map((p) => p.changes.map((c) => `${c.action} ${c.cluster}/${c.name}`))).toEqual([
      ['update a/x'], ['update b/y'], [], ['create a/y'], ['delete a/gone'], [], ['update b/x'],
    ]);
    expect(plans[0]?.clusters.map((c) => [c.cluster, c.desired, c.unchanged])).toEqual([['a', 4, 3]]);
  });
});
