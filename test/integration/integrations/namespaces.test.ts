/**
 * namespaces against a real kube-apiserver (+ controller manager finalising deletions): converge,
 * no-op, targeted update, delete: true prunes only owned namespaces, managedByExternal is never
 * touched, ownership conflicts and take-over.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Namespace } from '../../../src/app-interface/model.js';
import { namespacesIntegration } from '../../../src/integrations/namespaces/integration.js';
import { DataBuilder, namespace } from '../../unit/integrations/data-builder.js';
import { uniqueName } from '../support/clusters.js';
import { clusterFor, createNamespace, deleteNamespaces, eventuallyAbsent, labelsOf, readLive, reconcile, rvOf } from './tenant-harness.js';

const C = 'prod-1';
const C2 = 'prod-2';
const a = uniqueName('it-ns-a');
const b = uniqueName('it-ns-b');
const other = uniqueName('it-ns-c2');
const unowned = uniqueName('it-ns-unowned');
const external = uniqueName('it-ns-ext');
const ALL = [a, b, other, unowned, external];
const nsHeader = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

function run(namespaces: Namespace[], takeOver = false) {
  const data = new DataBuilder().cluster(clusterFor(C)).cluster(clusterFor(C2)).namespace(...namespaces).build();
  return reconcile(namespacesIntegration, data, { namespaces: ALL, takeOver });
}

/** `env` is the label the update test changes (later tests keep the changed value). */
const base = (env = 'prod'): Namespace[] => [
  namespace(a, C, { tenant: 'acme', labels: { env }, description: 'first' }),
  namespace(b, C),
  namespace(other, C2),
];

describe('namespaces on real clusters', () => {
  afterAll(async () => {
    await deleteNamespaces(C, [a, b, unowned, external]);
    await deleteNamespaces(C2, [other]);
  });

  it('converges from empty on every cluster, with labels and OpenShift annotations', async () => {
    const r = await run(base('test'));

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([`create ${C}/-/Namespace/${a}`, `create ${C}/-/Namespace/${b}`, `create ${C2}/-/Namespace/${other}`].sort());
    const live = await readLive(C, nsHeader(a));
    expect(labelsOf(live)).toMatchObject({ env: 'test', 'kontract.io/tenant': 'acme', 'kontract.io/integration': 'namespaces' });
    expect(live?.metadata.annotations).toMatchObject({ 'openshift.io/display-name': a, 'openshift.io/description': 'first' });
    expect(await readLive(C2, nsHeader(other))).toBeDefined();
    expect(await readLive(C2, nsHeader(a))).toBeUndefined();
  });

  it('sends no write on a second run with the same data', async () => {
    const r = await run(base('test'));
    expect(r.result.outcome).toBe('ok');
    expect(r.changes).toEqual([]);
    expect(r.writes).toBe(0);
  });

  it('updates only the namespace whose labels changed', async () => {
    const rvB = rvOf(await readLive(C, nsHeader(b)));
    const r = await run(base('prod'));

    expect(r.changes).toEqual([`update ${C}/-/Namespace/${a}`]);
    expect(r.writes).toBe(1);
    expect(labelsOf(await readLive(C, nsHeader(a)))).toMatchObject({ env: 'prod' });
    expect(rvOf(await readLive(C, nsHeader(b)))).toBe(rvB);
  });

  it('deletes an owned namespace marked delete: true, but never an unowned one', async () => {
    await createNamespace(C, unowned);
    const marked = [...base().map((n) => (n.name === b ? { ...n, delete: true } : n)), namespace(unowned, C, { delete: true })];

    const r = await run(marked);

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([`delete ${C}/-/Namespace/${b}`]);
    await eventuallyAbsent(C, nsHeader(b));
    expect(await readLive(C, nsHeader(unowned))).toBeDefined();
  });

  it('leaves a managedByExternal namespace alone, even one kontract created before', async () => {
    const withExternal = [...base().filter((n) => n.name !== b), namespace(external, C)];
    await run(withExternal);
    const created = await readLive(C, nsHeader(external));
    expect(labelsOf(created)).toMatchObject({ 'kontract.io/integration': 'namespaces' });

    const r = await run([...base().filter((n) => n.name !== b), namespace(external, C, { managedByExternal: true, labels: { changed: 'yes' } })]);

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([]);
    expect(rvOf(await readLive(C, nsHeader(external)))).toBe(rvOf(created));
  });

  it('refuses an unowned namespace of the same name, and adopts it with take-over', async () => {
    const desired = [
      ...base().filter((n) => n.name !== b),
      namespace(external, C, { managedByExternal: true }),
      namespace(unowned, C, { labels: { adopted: 'yes' } }),
    ];

    const refused = await run(desired);
    expect(refused.result.outcome).toBe('failed');
    expect(refused.result.errors.map((e) => e.code)).toContain('E_OWNERSHIP_CONFLICT');
    expect(labelsOf(await readLive(C, nsHeader(unowned)))).not.toHaveProperty('adopted');

    const adopted = await run(desired, true);
    expect(adopted.result.errors).toEqual([]);
    expect(adopted.changes).toEqual([`update ${C}/-/Namespace/${unowned}`]);
    expect(labelsOf(await readLive(C, nsHeader(unowned)))).toMatchObject({ adopted: 'yes', 'kontract.io/integration': 'namespaces' });

    const again = await run(desired);
    expect(again.changes).toEqual([]);
    expect(again.writes).toBe(0);
  });
});
