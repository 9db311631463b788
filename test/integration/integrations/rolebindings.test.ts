/**
 * rolebindings against a real kube-apiserver: converge (and the binding really grants access to
 * the restricted user `alice`), no-op, targeted update, expiry and removal prune only owned
 * bindings, ownership conflicts and take-over.
 *
 * The local control plane runs no clusterrole-aggregation controller, so the aggregated
 * ClusterRoles admin/edit/view hold no rules there: the access check uses a ClusterRole of its own
 * (`role: <pod-reader>`; as in qontract, a role's `role: X` binds the ClusterRole X).
 */
import { ApiException, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
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
const RBAC = 'rbac.authorization.k8s.io';
const K = `RoleBinding.${RBAC}`;
const rb = (name: string, ns = nsName) => ({ apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name, namespace: ns } });

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

/** RBAC changes reach the authorizer through an informer: poll until it agrees (or time out). */
async function eventuallyAliceCanListPods(expected: boolean, timeoutMs = 15_000): Promise<boolean> {
  const t0 = Date.now();
  for (;;) {
    const can = await aliceCanListPods();
    if (can === expected || Date.now() - t0 > timeoutMs) return can;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const podReader = uniqueName('it-pod-reader');
const viewers = role('viewers', {
  access: [{ namespace: refOf(target), role: 'view' }, { namespace: refOf(off), role: 'view' }],
  users: [bob],
  bots: [ci],
});
const readers = role('readers', { access: [{ namespace: refOf(target), role: podReader }], users: [alice] });

describe('rolebindings on a real cluster', () => {
  beforeAll(async () => {
    await createNamespace(C, nsName);
    await createNamespace(C, optedOut);
    await createUnowned(C, {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: { name: podReader },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
    });
  });
  afterAll(async () => {
    await deleteNamespaces(C, [nsName, optedOut]);
    await kubeConfigFor(C).makeApiClient(RbacAuthorizationV1Api).deleteClusterRole({ name: podReader });
  });

  it('converges from empty in managedRoles namespaces only, and the binding grants access', async () => {
    expect(await aliceCanListPods()).toBe(false);

    const r = await run([viewers, readers]);

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual(
      [`create ${C}/${nsName}/${K}/view-bob`, `create ${C}/${nsName}/${K}/view-ci-system-deployer`, `create ${C}/${nsName}/${K}/${podReader}-alice`].sort(),
    );
    const live = await readLive(C, rb('view-bob'));
    expect(labelsOf(live)).toMatchObject({ 'kontract.io/integration': 'rolebindings' });
    expect(live).toMatchObject({
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', apiGroup: RBAC, name: 'bob' }],
    });
    expect(await readLive(C, rb('view-ci-system-deployer'))).toMatchObject({
      subjects: [{ kind: 'ServiceAccount', namespace: 'ci-system', name: 'deployer' }],
    });
    expect(await readLive(C, rb(`${podReader}-alice`))).toMatchObject({ roleRef: { kind: 'ClusterRole', name: podReader } });
    expect(await eventuallyAliceCanListPods(true)).toBe(true);
  });

  it('sends no write on a second run with the same data', async () => {
    const r = await run([viewers, readers]);
    expect(r.result.outcome).toBe('ok');
    expect(r.changes).toEqual([]);
    expect(r.writes).toBe(0);
  });

  it('creates and prunes only the bindings of the changed subjects', async () => {
    const rvBob = rvOf(await readLive(C, rb('view-bob')));
    const r = await run([{ ...viewers, bots: [] }, { ...readers, users: [alice, bob] }]);

    expect(r.changes).toEqual([`create ${C}/${nsName}/${K}/${podReader}-bob`, `delete ${C}/${nsName}/${K}/view-ci-system-deployer`].sort());
    expect(r.writes).toBe(2);
    expect(await readLive(C, rb('view-ci-system-deployer'))).toBeUndefined();
    expect(rvOf(await readLive(C, rb('view-bob')))).toBe(rvBob);
  });

  it('prunes the bindings of an expired role, but not an unowned binding', async () => {
    await createUnowned(C, {
      ...rb('hand-made'),
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', apiGroup: RBAC, name: 'carol' }],
    });

    const r = await run([{ ...viewers, bots: [] }, { ...readers, users: [alice, bob], expirationDate: '2000-01-01' }]);

    expect(r.changes).toEqual([`delete ${C}/${nsName}/${K}/${podReader}-alice`, `delete ${C}/${nsName}/${K}/${podReader}-bob`]);
    expect(await readLive(C, rb(`${podReader}-alice`))).toBeUndefined();
    expect(await readLive(C, rb('hand-made'))).toBeDefined();
    expect(await eventuallyAliceCanListPods(false)).toBe(false);
  });

  it('refuses an unowned binding of the same name, and adopts it with take-over', async () => {
    await createUnowned(C, {
      ...rb('view-dave'),
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', apiGroup: RBAC, name: 'someone-else' }],
    });
    const dave = role('dave', { access: [{ namespace: refOf(target), clusterRole: 'view' }], users: [user('dave', 'dave')] });
    const desired = [{ ...viewers, bots: [] }, dave];

    const refused = await run(desired);
    expect(refused.result.outcome).toBe('failed');
    expect(refused.result.errors.map((e) => e.code)).toContain('E_OWNERSHIP_CONFLICT');
    expect((await readLive(C, rb('view-dave')))?.subjects).toEqual([{ kind: 'User', apiGroup: RBAC, name: 'someone-else' }]);

    const adopted = await run(desired, true);
    expect(adopted.result.errors).toEqual([]);
    expect(adopted.changes).toEqual([`update ${C}/${nsName}/${K}/view-dave`]);
    const live = await readLive(C, rb('view-dave'));
    expect(labelsOf(live)).toMatchObject({ 'kontract.io/integration': 'rolebindings' });
    expect(live?.subjects).toEqual([{ kind: 'User', apiGroup: RBAC, name: 'dave' }]);

    const again = await run(desired);
    expect(again.changes).toEqual([]);
    expect(again.writes).toBe(0);
  });
});
