/**
 * networkpolicies against a real kube-apiserver: converge (allow-from and isolation policies),
 * no-op, targeted update, pruning only owned objects, ownership conflicts and take-over, and a
 * cross-cluster reference stopping the run before any cluster is touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Namespace } from '../../../src/app-interface/model.js';
import { networkPoliciesIntegration } from '../../../src/integrations/networkpolicies/integration.js';
import { DataBuilder, namespace, refOf } from '../../unit/integrations/data-builder.js';
import { uniqueName } from '../support/clusters.js';
import { clusterFor, createNamespace, createUnowned, deleteNamespaces, labelsOf, readLive, reconcile, rvOf } from './tenant-harness.js';

const C = 'prod-1';
const C2 = 'prod-2';
const app = uniqueName('it-np-app');
const vdc = uniqueName('it-np-vdc');
const mon = uniqueName('it-np-mon');
const ALL = [app, vdc, mon];
const np = (ns: string, name: string) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns } });
const K = 'NetworkPolicy.networking.k8s.io';
const monitoring = namespace(mon, C);

function data(namespaces: Namespace[]) {
  return new DataBuilder().cluster(clusterFor(C)).cluster(clusterFor(C2)).namespace(monitoring, ...namespaces).build();
}
const run = (namespaces: Namespace[], takeOver = false) => reconcile(networkPoliciesIntegration, data(namespaces), { namespaces: ALL, takeOver });

const base = (): Namespace[] => [
  namespace(app, C, { networkPoliciesAllow: [refOf(monitoring)] }),
  namespace(vdc, C, { isolated: true }),
];

describe('networkpolicies on a real cluster', () => {
  beforeAll(async () => {
    for (const n of ALL) await createNamespace(C, n);
  });
  afterAll(async () => {
    await deleteNamespaces(C, ALL);
  });

  it('converges from empty: allow-from policies and the isolation pair', async () => {
    const r = await run(base());

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual(
      [
        `create ${C}/${app}/${K}/allow-from-${mon}-namespace`,
        `create ${C}/${vdc}/${K}/default-deny-ingress`,
        `create ${C}/${vdc}/${K}/allow-same-namespace`,
      ].sort(),
    );
    const allow = await readLive(C, np(app, `allow-from-${mon}-namespace`));
    expect(labelsOf(allow)).toMatchObject({ 'kontract.io/integration': 'networkpolicies' });
    expect(allow?.spec).toEqual({
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': mon } } }] }],
      policyTypes: ['Ingress'],
    });
    expect((await readLive(C, np(vdc, 'default-deny-ingress')))?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  it('sends no write on a second run with the same data', async () => {
    const r = await run(base());
    expect(r.result.outcome).toBe('ok');
    expect(r.changes).toEqual([]);
    expect(r.writes).toBe(0);
  });

  it('creates only the new policy when a source namespace is added', async () => {
    const before = rvOf(await readLive(C, np(app, `allow-from-${mon}-namespace`)));
    const r = await run([namespace(app, C, { networkPoliciesAllow: [refOf(monitoring)] }), namespace(vdc, C, { isolated: true, networkPoliciesAllow: [refOf(monitoring)] })]);

    expect(r.changes).toEqual([`create ${C}/${vdc}/${K}/allow-from-${mon}-namespace`]);
    expect(r.writes).toBe(1);
    expect(rvOf(await readLive(C, np(app, `allow-from-${mon}-namespace`)))).toBe(before);
  });

  it('prunes the isolation policies when isolation is lifted, but not an unowned policy', async () => {
    await createUnowned(C, { ...np(vdc, 'hand-made'), spec: { podSelector: {}, policyTypes: ['Ingress'] } });

    const r = await run([namespace(app, C, { networkPoliciesAllow: [refOf(monitoring)] }), namespace(vdc, C, { networkPoliciesAllow: [refOf(monitoring)] })]);

    expect(r.changes).toEqual([`delete ${C}/${vdc}/${K}/allow-same-namespace`, `delete ${C}/${vdc}/${K}/default-deny-ingress`]);
    expect(await readLive(C, np(vdc, 'default-deny-ingress'))).toBeUndefined();
    expect(await readLive(C, np(vdc, 'hand-made'))).toBeDefined();
  });

  it('refuses an unowned policy of the same name, and adopts it with take-over', async () => {
    await createUnowned(C, { ...np(mon, 'default-deny-ingress'), spec: { podSelector: { matchLabels: { app: 'x' } }, policyTypes: ['Ingress'] } });
    const desired = [...base(), namespace(mon, C, { isolated: true })];
    const run2 = (takeOver = false) =>
      reconcile(networkPoliciesIntegration, new DataBuilder().cluster(clusterFor(C)).namespace(...desired).build(), { namespaces: ALL, takeOver });

    const refused = await run2();
    expect(refused.result.outcome).toBe('failed');
    expect(refused.result.errors.map((e) => e.code)).toContain('E_OWNERSHIP_CONFLICT');
    expect((await readLive(C, np(mon, 'default-deny-ingress')))?.spec).toMatchObject({ podSelector: { matchLabels: { app: 'x' } } });

    const adopted = await run2(true);
    expect(adopted.result.errors).toEqual([]);
    expect(adopted.changes).toContain(`update ${C}/${mon}/${K}/default-deny-ingress`);
    const live = await readLive(C, np(mon, 'default-deny-ingress'));
    expect(labelsOf(live)).toMatchObject({ 'kontract.io/integration': 'networkpolicies' });
    expect(live?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });

    const again = await run2();
    expect(again.changes).toEqual([]);
    expect(again.writes).toBe(0);
  });

  it('withholds only the namespace whose source namespace is on another cluster; the others converge', async () => {
    const far = namespace(uniqueName('it-np-far'), C2);
    const bad = namespace(app, C, { networkPoliciesAllow: [refOf(far)] });

    // vdc gains an allow-from policy in the same run: it converges although `app` is broken.
    const r = await reconcile(networkPoliciesIntegration, data([bad, far, namespace(vdc, C, { isolated: true, networkPoliciesAllow: [refOf(monitoring)] })]), { namespaces: ALL });

    // One run error naming the namespace and the field; nothing of `app` is planned, not even a deletion.
    expect(r.result.errors).toEqual([expect.objectContaining({ cluster: C, code: 'E_VALIDATION',
      message: expect.stringMatching(new RegExp(`^networkpolicies: namespace ${app} withheld .*${bad.path} networkPoliciesAllow\\[0\\]`)) as unknown })]);
    expect([...r.result.plan.changes, ...r.result.plan.withheldDeletions].filter((c) => c.namespace === app)).toEqual([]);
    expect(r.changes).toEqual([`create ${C}/${vdc}/${K}/allow-from-${mon}-namespace`]);
    expect(await readLive(C, np(vdc, `allow-from-${mon}-namespace`))).toBeDefined();
    // Nothing was pruned although `app` no longer desires its allow-from policy.
    expect(await readLive(C, np(app, `allow-from-${mon}-namespace`))).toBeDefined();
  });
});
