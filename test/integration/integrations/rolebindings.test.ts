/**
 * rolebindings against a real kube-apiserver: converge (and the binding really grants access to
 * the restricted user `alice`), no-op, targeted update, expiry and removal prune only owned
 * bindings, ownership conflicts and take-over.
 */
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../src/app-interface/model.js';
import { roleBindingsIntegration } from '../../../src/integrations/rolebindings/integration.js';
import { bot, DataBuilder, namespace, refOf, role, user } from '../../unit/integrations/data-builder.js';
import { kubeConfigFor, uniqueName } from '../support/clusters.js';
import { clusterFor, createNamespace, createUnowned, deleteNamespaces, labelsOf, readLive, reconcile, rvOf } from './tenant-harness.js';

const C = 'prod-1';
const nsName = uniqueName('it-rb');
const optedOut = uniqueName('it-rb-off');
const target = namespace(nsName, C, { managedRoles: true });
const off = namespace(optedOut, C);
const rb = (name: string, ns = nsName) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: ns } });

const alice = user('alice', 'alice');
const bob = user('bob', 'bob');
const ci = bot('ci', { namespace: 'ci-system', name: 'deployer' });

function run(roles: Role[], takeOver = false) {
  const data = new DataBuilder().cluster(clusterFor(C)).namespace(target, off).role(...roles).build();
  return reconcile(roleBindingsIntegration, data, { namespaces: [nsName, optedOut], takeOver });
}

async function aliceCanListPods(): Promise<boolean> {
  try {
    await kubeConfigFor(C, 'alice').makeApiClient(CoreV1Api).listNamespacedPod({ namespace: nsName });
    return true;
  } catch (e) {
    if (e instanceof ApiException && e.code === 403) return false;
    throw e;
  }
}

const viewers = role('viewers', {
  access: [{ namespace: refOf(target), role: 'member' }, { namespace: refOf(off), role: 'member' }],
  users: [alice],
  bots: [ci],
});
const deployers = role('deployers', { access: [{ namespace: refOf(target), role: 'deployer' }], users: [bob] });

describe('rolebindings on a real cluster', () => {
  beforeAll(async () => {
    await createNamespace(C, nsName);
    await createNamespace(C, optedOut);
  });
  afterAll(async () => {
    await deleteNamespaces(C, [nsName, optedOut]);
  });

  it('converges from empty in managedRoles namespaces only, and the binding grants access', async () => {
    expect(await aliceCanListPods()).toBe(false);

    const r = await run([viewers, deployers]);

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual(
      [
        `create ${C}/${nsName}/RoleBinding.rbac.authorization.k8s.io/member-alice`,
        `create ${C}/${nsName}/RoleBinding.rbac.authorization.k8s.io/member-ci-system-deployer`,
        `create ${C}/${nsName}/RoleBinding.rbac.authorization.k8s.io/deployer-bob`,
      ].sort(),
    );
    const live = await readLive(C, rb('member-alice'));
    expect(labelsOf(live)).toMatchObject({ 'kontract.io/integration': 'rolebindings' });
    expect(live).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
    });
    expect(await readLive(C, rb('deployer-bob'))).toMatchObject({ roleRef: { kind: 'Role', name: 'deployer' } });
    expect(await aliceCanListPods()).toBe(true);
  });

  it('sends no write on a second run with the same data', async () => {
    const r = await run([viewers, deployers]);
    expect(r.result.outcome).toBe('ok');
    expect(r.changes).toEqual([]);
    expect(r.writes).toBe(0);
  });

  it('creates and prunes only the bindings of the changed user list', async () => {
    const rvAlice = rvOf(await readLive(C, rb('member-alice')));
    const r = await run([{ ...viewers, bots: [] }, { ...deployers, users: [bob, alice] }]);

    expect(r.changes).toEqual(
      [
        `create ${C}/${nsName}/RoleBinding.rbac.authorization.k8s.io/deployer-alice`,
        `delete ${C}/${nsName}/RoleBinding.rbac.authorization.k8s.io/member-ci-system-deployer`,
      ].sort(),
    );
    expect(r.writes).toBe(2);
    expect(await readLive(C, rb('member-ci-system-deployer'))).toBeUndefined();
    expect(rvOf(await readLive(C, rb('member-alice')))).toBe(rvAlice);
  });

  it('prunes the bindings of an expired role, but not an unowned binding', async () => {
    await createUnowned(C, {
      ...rb('hand-made'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'carol' }],
    });

    const r = await run([{ ...viewers, bots: [], expirationDate: '2000-01-01' }, { ...deployers, users: [bob, alice] }]);

    expect(r.changes).toEqual([`delete ${C}/${nsName}/RoleBinding.rbac.authorization.k8s.io/member-alice`]);
    expect(await readLive(C, rb('member-alice'))).toBeUndefined();
    expect(await readLive(C, rb('hand-made'))).toBeDefined();
    expect(await aliceCanListPods()).toBe(false);
  });

  it('refuses an unowned binding of the same name, and adopts it with take-over', async () => {
    await createUnowned(C, {
      ...rb('view-dave'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'someone-else' }],
    });
    const dave = role('dave', { access: [{ namespace: refOf(target), clusterRole: 'view' }], users: [user('dave', 'dave')] });
    const desired = [{ ...deployers, users: [bob, alice] }, dave];

    const refused = await run(desired);
    expect(refused.result.outcome).toBe('failed');
    expect(refused.result.errors.map((e) => e.code)).toContain('E_OWNERSHIP_CONFLICT');
    expect((await readLive(C, rb('view-dave')))?.subjects).toEqual([
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'someone-else' },
    ]);

    const adopted = await run(desired, true);
    expect(adopted.result.errors).toEqual([]);
    expect(adopted.changes).toEqual([`update ${C}/${nsName}/RoleBinding.rbac.authorization.k8s.io/view-dave`]);
    const live = await readLive(C, rb('view-dave'));
    expect(labelsOf(live)).toMatchObject({ 'kontract.io/integration': 'rolebindings' });
    expect(live?.subjects).toEqual([{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'dave' }]);

    const again = await run(desired);
    expect(again.changes).toEqual([]);
    expect(again.writes).toBe(0);
  });
});
