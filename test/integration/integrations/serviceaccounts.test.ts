/**
 * serviceaccounts against a real kube-apiserver: converge, no-op, pruning only owned objects, and
 * an unowned ServiceAccount of a declared name is an ownership conflict until take-over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAccountsIntegration } from '../../../src/integrations/serviceaccounts/integration.js';
import { DataBuilder, namespace } from '../../unit/integrations/data-builder.js';
import { uniqueName } from '../support/clusters.js';
import { clusterFor, createNamespace, createUnowned, deleteNamespaces, labelsOf, readLive, reconcile } from './tenant-harness.js';

const C = 'prod-1';
const ns = uniqueName('it-sa');
const sa = (name: string) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
const run = (serviceAccounts: string[], takeOver = false) =>
  reconcile(serviceAccountsIntegration, new DataBuilder().cluster(clusterFor(C)).namespace(namespace(ns, C, { serviceAccounts })).build(), { namespaces: [ns], takeOver });

describe('serviceaccounts on a real cluster', () => {
  beforeAll(async () => {
    await createNamespace(C, ns);
  });
  afterAll(async () => {
    await deleteNamespaces(C, [ns]);
  });

  it('creates the declared ServiceAccounts, owned by the integration, and sends nothing the second time', async () => {
    const r = await run(['deployer', 'backup']);
    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([`create ${C}/${ns}/ServiceAccount/backup`, `create ${C}/${ns}/ServiceAccount/deployer`]);
    expect(labelsOf(await readLive(C, sa('deployer')))).toMatchObject({ 'kontract.io/integration': 'serviceaccounts' });
    const again = await run(['deployer', 'backup']);
    expect(again.changes).toEqual([]);
    expect(again.writes).toBe(0);
  });

  it('prunes a removed name but not an unowned ServiceAccount', async () => {
    await createUnowned(C, sa('hand-made'));
    const r = await run(['deployer']);
    expect(r.changes).toEqual([`delete ${C}/${ns}/ServiceAccount/backup`]);
    expect(await readLive(C, sa('backup'))).toBeUndefined();
    expect(await readLive(C, sa('hand-made'))).toBeDefined();
  });

  it('refuses to take an unowned ServiceAccount of a declared name, and adopts it with take-over', async () => {
    const refused = await run(['deployer', 'hand-made']);
    expect(refused.result.errors.map((e) => e.code)).toContain('E_OWNERSHIP_CONFLICT');
    const adopted = await run(['deployer', 'hand-made'], true);
    expect(adopted.result.errors).toEqual([]);
    expect(labelsOf(await readLive(C, sa('hand-made')))).toMatchObject({ 'kontract.io/integration': 'serviceaccounts' });
  });
});
