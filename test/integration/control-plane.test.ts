/**
 * The local control plane behaves like a real cluster where kontract depends on it:
 * namespace finalisation, RBAC denials, CRDs with paginated custom resources, server-side apply
 * (and its dry run) and isolation between clusters sharing one etcd.
 */
import { existsSync } from 'node:fs';
import {
  ApiException, ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { installCrds } from '../../src/local-cluster/index.js';
import { sharedCrds } from '../support/shared-data.js';
import { kubeConfigFor, testClusters, uniqueName } from './support/clusters.js';

/** Shared data outside the repository (never copied into it). */
const VPC_CRD = sharedCrds('hedgehog', 'vpc.githedgehog.com_vpcs.yaml');

/** HTTP status of a failed client-node call, or 0 when it succeeded. */
async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    if (e instanceof ApiException) return e.code;
    throw e;
  }
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await check()) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not true after ${timeoutMs} ms`);
}

/**
 * Creates a plain object (client-node's typed create calls want model class instances; the
 * generic object API takes plain objects, which is also how kontract sends them).
 */
interface PlainObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly data?: Record<string, string>;
  readonly [field: string]: unknown;
}

async function create(cluster: string, obj: PlainObject, user: 'admin' | 'alice' = 'admin'): Promise<KubernetesObject> {
  return KubernetesObjectApi.makeApiClient(kubeConfigFor(cluster, user)).create(obj);
}

async function apply(cluster: string, obj: PlainObject, dryRun: 'All' | undefined): Promise<PlainObject> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfigFor(cluster));
  return objects.patch<PlainObject>(obj, undefined, dryRun, 'kontract', true, PatchStrategy.ServerSideApply);
}

const configMap = (namespace: string, name: string, data?: Record<string, string>): PlainObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, ...(data === undefined ? {} : { data }) });

const created: { cluster: string; ns: string }[] = [];
async function createNamespace(cluster: string, prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  await create(cluster, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  created.push({ cluster, ns });
  return ns;
}

afterAll(async () => {
  for (const { cluster, ns } of created) {
    const status = await statusOf(kubeConfigFor(cluster).makeApiClient(CoreV1Api).deleteNamespace({ name: ns }));
    expect([0, 404]).toContain(status);
  }
});

describe('local control plane', () => {
  it('provides prod-1, prod-2 and dev-1 with admin and restricted contexts', () => {
    const t = testClusters();
    expect(t.clusters.map((c) => c.name)).toEqual(['prod-1', 'prod-2', 'dev-1']);
    expect(t.clusters.map((c) => c.restrictedContext)).toEqual(['prod-1-alice', 'prod-2-alice', 'dev-1-alice']);
  });

  it('finalises a deleted namespace with a ConfigMap in it within seconds (controller manager)', async () => {
    const core = kubeConfigFor('prod-1').makeApiClient(CoreV1Api);
    const ns = await createNamespace('prod-1', 'finalize');
    await create('prod-1', configMap(ns, 'data', { k: 'v' }));

    await core.deleteNamespace({ name: ns });

    const ms = await eventually(`namespace ${ns} deleted`, async () => (await statusOf(core.readNamespace({ name: ns }))) === 404, 30_000);
    expect(ms).toBeLessThan(30_000);
    expect(await statusOf(core.readNamespacedConfigMap({ namespace: ns, name: 'data' }))).toBe(404);
  });

  it('answers 403 to the restricted user where RBAC does not allow, and 200 where a RoleBinding does', async () => {
    const admin = kubeConfigFor('prod-1');
    const alice = kubeConfigFor('prod-1', 'alice').makeApiClient(CoreV1Api);
    const allowed = await createNamespace('prod-1', 'rbac-allowed');
    const other = await createNamespace('prod-1', 'rbac-other');
    await create('prod-1', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'read-configmaps', namespace: allowed },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    });
    await create('prod-1', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'alice-reads-configmaps', namespace: allowed },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
    });
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    expect((await rbac.listNamespacedRoleBinding({ namespace: allowed })).items).toHaveLength(1);

    // the binding reaches the authorizer's informer cache almost at once
    await eventually('alice may list configmaps in the bound namespace',
      async () => (await statusOf(alice.listNamespacedConfigMap({ namespace: allowed }))) === 0, 10_000);
    expect(await statusOf(alice.listNamespacedConfigMap({ namespace: other }))).toBe(403);
    expect(await statusOf(alice.listNamespace())).toBe(403);
    expect(await statusOf(create('prod-1', configMap(allowed, 'x'), 'alice'))).toBe(403);
    expect(await statusOf(create('prod-1', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: uniqueName('alice') } }, 'alice'))).toBe(403);
  });

  it('installs a CRD until Established and lists its custom resources page by page', async () => {
    expect(existsSync(VPC_CRD), `${VPC_CRD} is missing: set KONTRACT_SHARED_DIR to the shared data directory`).toBe(true);
    const names = await installCrds(testClusters().kubeconfig, 'prod-1', [VPC_CRD]);
    expect(names).toEqual(['vpcs.vpc.githedgehog.com']);
    const crd = await kubeConfigFor('prod-1').makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: 'vpcs.vpc.githedgehog.com' });
    expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');

    const custom = kubeConfigFor('prod-1').makeApiClient(CustomObjectsApi);
    const ns = await createNamespace('prod-1', 'vpcs');
    const gvp = { group: 'vpc.githedgehog.com', version: 'v1beta1', namespace: ns, plural: 'vpcs' };
    const want = Array.from({ length: 7 }, (_, i) => `vpc-${i + 1}`);
    for (const [i, name] of want.entries()) {
      await custom.createNamespacedCustomObject({ ...gvp, body: {
        apiVersion: 'vpc.githedgehog.com/v1beta1', kind: 'VPC', metadata: { name },
        spec: { subnets: { default: { subnet: `10.0.${i + 1}.0/24` } } },
      } });
    }

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = (await custom.listNamespacedCustomObject({ ...gvp, limit: 3, ...(token === undefined ? {} : { _continue: token }) })) as {
        items: KubernetesObject[]; metadata: { continue?: string };
      };
      pages.push(page.items.map((o) => o.metadata?.name ?? ''));
      token = page.metadata.continue === '' ? undefined : page.metadata.continue;
    } while (token !== undefined);

    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().sort()).toEqual([...want].sort());
  });

  it('server-side applies with field manager kontract, and a dry run returns the object without persisting it', async () => {
    const core = kubeConfigFor('prod-2').makeApiClient(CoreV1Api);
    const ns = await createNamespace('prod-2', 'ssa');
    const cm = (data: Record<string, string>): PlainObject => configMap(ns, 'applied', data);

    // GIVEN no object WHEN dry-run apply THEN the answer is the would-be object, nothing is stored
    const dry = await apply('prod-2', cm({ a: '1' }), 'All');
    expect(dry.metadata.name).toBe('applied');
    expect(dry.data).toEqual({ a: '1' });
    expect(await statusOf(core.readNamespacedConfigMap({ namespace: ns, name: 'applied' }))).toBe(404);

    // WHEN applied for real THEN stored, managed by kontract with operation Apply
    await apply('prod-2', cm({ a: '1' }), undefined);
    const live = await core.readNamespacedConfigMap({ namespace: ns, name: 'applied' });
    expect(live.data).toEqual({ a: '1' });
    expect(live.metadata?.managedFields?.map((f) => [f.manager, f.operation])).toContainEqual(['kontract', 'Apply']);

    // WHEN a changed body is dry-run applied THEN the answer shows the change, the stored object does not
    const dryUpdate = await apply('prod-2', cm({ a: '2', b: '3' }), 'All');
    expect(dryUpdate.data).toEqual({ a: '2', b: '3' });
    const after = await core.readNamespacedConfigMap({ namespace: ns, name: 'applied' });
    expect(after.data).toEqual({ a: '1' });
    expect(after.metadata?.resourceVersion).toBe(live.metadata?.resourceVersion);
  });

  it('keeps clusters isolated although they share one etcd', async () => {
    const ns = await createNamespace('prod-1', 'isolated');
    await create('prod-1', configMap(ns, 'only-here'));

    for (const other of ['prod-2', 'dev-1']) {
      const core = kubeConfigFor(other).makeApiClient(CoreV1Api);
      expect(await statusOf(core.readNamespace({ name: ns }))).toBe(404);
      expect(await statusOf(core.readNamespacedConfigMap({ namespace: ns, name: 'only-here' }))).toBe(404);
      const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
      expect(names).not.toContain(ns);
    }
    // the restricted token of one cluster is unknown to another
    const prod1 = testClusters().clusters.find((c) => c.name === 'prod-1');
    const dev1 = testClusters().clusters.find((c) => c.name === 'dev-1');
    expect(prod1?.restrictedToken).not.toBe(dev1?.restrictedToken);
  });
});
