/**
 * Organisations and VDCs against a real kube-apiserver: datafiles (organisation, VDC, users, the
 * sample's qontract cluster) loaded by the real YAML loader and validator, reconciled by the
 * namespaces, serviceaccounts, resourcequotas, networkpolicies and rolebindings integrations; per-storage-class
 * quota enforced by the apiserver's quota admission; a disabled organisation pauses its VDC.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiException } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { vdcNamespaceName } from '../../../src/app-interface/tenancy/naming.js';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import type { Integration } from '../../../src/integrations/define-integration.js';
import { namespacesIntegration } from '../../../src/integrations/namespaces/integration.js';
import { networkPoliciesIntegration } from '../../../src/integrations/networkpolicies/integration.js';
import { LIFECYCLE_QUOTA_NAME } from '../../../src/integrations/resourcequotas/desired.js';
import { resourceQuotasIntegration } from '../../../src/integrations/resourcequotas/integration.js';
import { roleBindingsIntegration } from '../../../src/integrations/rolebindings/integration.js';
import { serviceAccountsIntegration } from '../../../src/integrations/serviceaccounts/integration.js';
import { uniqueName } from '../support/clusters.js';
import { clusterFor, createUnowned, deleteNamespaces, readLive, reconcile } from './tenant-harness.js';

const C = 'prod-1';
const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const org = uniqueName('it-org');
const ns = vdcNamespaceName(org, 'prod');
const INTEGRATIONS: readonly Integration[] = [namespacesIntegration, serviceAccountsIntegration, resourceQuotasIntegration, networkPoliciesIntegration, roleBindingsIntegration];

const tree = mkdtempSync(join(tmpdir(), 'kontract-it-tenancy-'));
function write(path: string, text: string): void {
  mkdirSync(dirname(join(tree, path)), { recursive: true });
  writeFileSync(join(tree, path), text);
}
function organisation(enabled: boolean): void {
  write('/tenancy/org.yml', `$schema: /kontract/organisation-1.yml
name: ${org}
displayName: Integration Test Org
enabled: ${String(enabled)}
members:
  - user: {$ref: /access/users/alice.yml}
    role: owner
  - user: {$ref: /access/users/bob.yml}
`);
}

/** The tree's data, its one cluster pointing at the local test cluster prod-1 (keeping the sample's oidc auth: users are org_username). */
async function load(): Promise<AppInterfaceData> {
  const data = await loadAppInterface({ kind: 'dir', path: tree });
  const authServices = data.clusters.find((c) => c.name === C)?.authServices;
  return { ...data, clusters: [{ ...clusterFor(C), ...(authServices === undefined ? {} : { authServices }) }] };
}

async function reconcileAll(): Promise<string[]> {
  const data = await load();
  const changes: string[] = [];
  for (const integration of INTEGRATIONS) {
    const r = await reconcile(integration, data, { namespaces: [ns] });
    expect(r.result.errors, integration.name).toEqual([]);
    changes.push(...r.changes);
  }
  return changes.sort();
}

const header = (apiVersion: string, kind: string, name: string) => ({ apiVersion, kind, metadata: { name, namespace: ns } });
const pvc = (name: string, storageClassName: string, size: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: ns },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: size } } },
});

async function create(obj: KubeObject): Promise<{ ok: true } | { ok: false; code: number; body: string }> {
  try {
    await createUnowned(C, obj);
    return { ok: true };
  } catch (e) {
    if (e instanceof ApiException) return { ok: false, code: e.code, body: String(e.body) };
    throw e;
  }
}

/** Quota admission checks `status.hard`, which the resourcequota controller copies from `spec.hard`. */
async function synced(name: string): Promise<KubeObject> {
  const t0 = Date.now();
  while (Date.now() - t0 < 30_000) {
    const live = await readLive(C, header('v1', 'ResourceQuota', name));
    const spec = (live?.spec as { hard?: unknown } | undefined)?.hard;
    if (live !== undefined && spec !== undefined && JSON.stringify(spec) === JSON.stringify((live.status as { hard?: unknown } | undefined)?.hard)) return live;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`ResourceQuota ${name} status.hard never matched spec.hard`);
}

describe('organisations and VDCs on a real cluster', () => {
  beforeAll(() => {
    for (const p of ['/openshift/prod-1/cluster.yml', '/kontract/clusters/prod-1.yml']) {
      mkdirSync(dirname(join(tree, p)), { recursive: true });
      cpSync(join(SAMPLE, p), join(tree, p));
    }
    for (const u of ['alice', 'bob']) {
      write(`/access/users/${u}.yml`, `$schema: /access/user-1.yml\nlabels: {}\nname: ${u}\norg_username: ${u}\ngithub_username: ${u}-gh\n`);
    }
    organisation(true);
    write('/tenancy/prod.yml', `$schema: /kontract/vdc-1.yml
name: prod
displayName: Production (EU)
organisation: {$ref: /tenancy/org.yml}
cluster: {$ref: /openshift/prod-1/cluster.yml}
allocationModel: reservation-pool
cpuCores: 2
memory: 1536MB
storage: 10GB
storagePolicies:
  - storageClass: fast-ssd
    limit: 1GB
  - storageClass: standard
    limit: 5GB
serviceAccounts: [deployer]
`);
  });
  afterAll(async () => {
    await deleteNamespaces(C, [ns]);
    rmSync(tree, { recursive: true, force: true });
  });

  it('creates the namespace, its quota, isolation policies and member role bindings from the datafiles', async () => {
    expect(await reconcileAll()).toEqual([
      `create ${C}/-/Namespace/${ns}`,
      `create ${C}/${ns}/NetworkPolicy.networking.k8s.io/allow-same-namespace`,
      `create ${C}/${ns}/NetworkPolicy.networking.k8s.io/allow-same-tenant`,
      `create ${C}/${ns}/NetworkPolicy.networking.k8s.io/default-deny-ingress`,
      `create ${C}/${ns}/ResourceQuota/vdc`,
      `create ${C}/${ns}/RoleBinding.rbac.authorization.k8s.io/admin-alice`,
      `create ${C}/${ns}/RoleBinding.rbac.authorization.k8s.io/view-bob`,
      `create ${C}/${ns}/ServiceAccount/deployer`,
    ]);
    const live = await readLive(C, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    expect(live?.metadata.labels).toMatchObject({ 'kontract.io/tenant': org, 'kontract.io/vdc': 'prod' });
    expect(live?.metadata.annotations).toMatchObject({
      'openshift.io/display-name': 'Production (EU)', 'kontract.io/organisation-display-name': 'Integration Test Org',
    });
    const quota = await synced('vdc');
    expect(quota.spec).toEqual({
      hard: {
        'requests.cpu': '2', 'limits.cpu': '2', 'requests.memory': '1536Mi', 'limits.memory': '1536Mi', 'requests.storage': '10Gi',
        'fast-ssd.storageclass.storage.k8s.io/requests.storage': '1Gi', 'standard.storageclass.storage.k8s.io/requests.storage': '5Gi',
      },
    });
    const admin = await readLive(C, header('rbac.authorization.k8s.io/v1', 'RoleBinding', 'admin-alice'));
    expect(admin).toMatchObject({ roleRef: { kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'User', name: 'alice' }] });
    const viewer = await readLive(C, header('rbac.authorization.k8s.io/v1', 'RoleBinding', 'view-bob'));
    expect(viewer).toMatchObject({ roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'bob' }] });
    expect(await readLive(C, header('networking.k8s.io/v1', 'NetworkPolicy', 'allow-same-tenant'))).toMatchObject({
      spec: { ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ values: [ns] }] } }] }] },
    });
  });

  it('sends no change on a second run', async () => {
    expect(await reconcileAll()).toEqual([]);
  });

  it('enforces the per-storage-class quota in the apiserver', async () => {
    expect(await create(pvc('standard-2g', 'standard', '2Gi'))).toEqual({ ok: true });
    const refused = await create(pvc('fast-2g', 'fast-ssd', '2Gi'));
    expect(refused).toMatchObject({ ok: false, code: 403 });
    expect(refused.ok ? '' : refused.body).toContain('exceeded quota: vdc');
    expect(refused.ok ? '' : refused.body).toContain('fast-ssd.storageclass.storage.k8s.io/requests.storage');
    expect(await create(pvc('fast-512m', 'fast-ssd', '512Mi'))).toEqual({ ok: true });
  });

  it('pauses the VDC when its organisation is disabled, and restores its quota when enabled again', async () => {
    organisation(false);
    expect(await reconcileAll()).toEqual([
      `create ${C}/${ns}/ResourceQuota/${LIFECYCLE_QUOTA_NAME}`,
      `update ${C}/${ns}/ResourceQuota/vdc`,
    ]);
    const lifecycle = await synced(LIFECYCLE_QUOTA_NAME);
    expect(Object.values((lifecycle.spec as { hard: Record<string, string> }).hard).every((v) => v === '0')).toBe(true);
    await synced('vdc');
    expect(await create(pvc('standard-1m', 'standard', '1Mi'))).toMatchObject({ ok: false, code: 403 });

    organisation(true);
    expect(await reconcileAll()).toEqual([
      `delete ${C}/${ns}/ResourceQuota/${LIFECYCLE_QUOTA_NAME}`,
      `update ${C}/${ns}/ResourceQuota/vdc`,
    ]);
    await synced('vdc');
    expect(await create(pvc('standard-1m', 'standard', '1Mi'))).toEqual({ ok: true });
  });
});
