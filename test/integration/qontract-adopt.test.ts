/**
 * Migration from qontract-reconcile on a real cluster: RoleBindings applied by
 * qontract-reconcile's openshift-rolebindings (annotations `qontract.integration`,
 * `qontract.sha256sum`, no kontract marks) are an ownership conflict by default, whose message
 * names qontract-reconcile and the flag; with `--adopt-qontract` (RunOptions.adoptQontract) the
 * rolebindings integration adopts exactly those, reported in the plan, while an object another
 * qontract integration applied stays a conflict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleBindingsIntegration } from '../../src/integrations/rolebindings/integration.js';
import { DataBuilder, namespace, refOf, role, user } from '../unit/integrations/data-builder.js';
import { uniqueName } from './support/clusters.js';
import { clusterFor, createNamespace, createUnowned, deleteNamespaces, labelsOf, readLive, reconcile } from './integrations/tenant-harness.js';

const C = 'prod-1';
const nsName = uniqueName('it-adopt');
const target = namespace(nsName, C, { managedRoles: true });
const RBAC = 'rbac.authorization.k8s.io';
const rb = (name: string) => ({ apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name, namespace: nsName } });
const viewers = role('viewers', { access: [{ namespace: refOf(target), role: 'view' }], users: [user('bob', 'bob'), user('carol', 'carol')] });

function qontractMade(name: string, subject: string, integration: string): Parameters<typeof createUnowned>[1] {
  return {
    ...rb(name),
    metadata: {
      name, namespace: nsName,
      annotations: { 'qontract.integration': integration, 'qontract.integration_version': '0.3.0', 'qontract.sha256sum': '0'.repeat(64) },
    },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', apiGroup: RBAC, name: subject }],
  };
}

function run(adoptQontract: boolean, r = viewers) {
  const data = new DataBuilder().cluster(clusterFor(C)).namespace(target).role(r).build();
  return reconcile(roleBindingsIntegration, data, { namespaces: [nsName], adoptQontract });
}

describe('adopting objects applied by qontract-reconcile', () => {
  beforeAll(async () => {
    await createNamespace(C, nsName);
    await createUnowned(C, qontractMade('view-bob', 'bob', 'openshift-rolebindings'));
    await createUnowned(C, qontractMade('view-carol', 'carol', 'openshift-resources'));
  });
  afterAll(async () => {
    await deleteNamespaces(C, [nsName]);
  });

  it('refuses them without the flag, naming qontract-reconcile and --adopt-qontract', async () => {
    const r = await run(false);
    expect(r.writes).toBe(0);
    const messages = r.result.plan.errors.map((e) => e.message);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/view-bob desired by integration rolebindings exists and was applied by qontract-reconcile's openshift-rolebindings \(pass --adopt-qontract or --take-over to adopt it\)/),
      expect.stringMatching(/view-carol desired by integration rolebindings exists and was applied by qontract-reconcile's openshift-resources \(pass --take-over to adopt it\)/),
    ]));
    expect(labelsOf(await readLive(C, rb('view-bob')))).not.toHaveProperty('kontract.io/integration');
  });

  it('still refuses, with --adopt-qontract, an object another qontract integration applied (nothing is written on that cluster)', async () => {
    const r = await run(true);
    expect(r.result.plan.errors.map((e) => e.message)).toEqual([expect.stringMatching(/view-carol .* openshift-resources/)]);
    expect(r.writes).toBe(0);
  });

  it('adopts the matching integration\'s objects with --adopt-qontract, and says so in the plan', async () => {
    const bobOnly = role('viewers', { access: [{ namespace: refOf(target), role: 'view' }], users: [user('bob', 'bob')] });
    const r = await run(true, bobOnly);
    expect(r.result.plan.errors).toEqual([]);
    expect(r.result.plan.changes).toEqual([expect.objectContaining({
      action: 'update', name: 'view-bob', reason: expect.stringMatching(/^adopt from qontract-reconcile \(qontract\.integration=openshift-rolebindings\)/) as unknown,
    })]);
    expect(r.writes).toBe(1);
    const bob = await readLive(C, rb('view-bob'));
    expect(labelsOf(bob)).toMatchObject({ 'app.kubernetes.io/managed-by': 'kontract', 'kontract.io/integration': 'rolebindings' });
    expect(bob?.metadata.annotations).toMatchObject({ 'qontract.integration': 'openshift-rolebindings' });
    // not desired any more and not kontract's: left alone
    expect(labelsOf(await readLive(C, rb('view-carol')))).not.toHaveProperty('kontract.io/integration');
    // adopted: the next run without the flag sees it as its own
    const again = await run(false, bobOnly);
    expect(again.result.plan.errors).toEqual([]);
    expect(again.writes).toBe(0);
  });
});
