/**
 * `kontract rbac` against a real cluster (prod-1): a service account bound to exactly the RBAC
 * that `kontract rbac` prints runs a wet reconcile of namespaces, resourcequotas, limitranges and
 * rolebindings (create, no-op, prune); with one verb removed the run fails with a 403 message that
 * names the verb and the kind.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kontract, writeTree } from './support/cli.js';
import { kubeConfigFor, testCluster, testClusters, uniqueName } from './support/clusters.js';
import { applyObjects, deleteObjects, serviceAccountToken } from './support/objects.js';
import type { PlainObject } from './support/objects.js';
import { clusterFiles, namespaceFile } from './support/app-interface.js';

const INTEGRATIONS = ['namespaces', 'resourcequotas', 'limitranges', 'rolebindings'];

/** `kubectl auth can-i VERB RESOURCE --as SA` as admin: waits until the authorizer agrees. */
async function waitCanI(verb: string, resource: string, namespace: string, as: string, expected: boolean): Promise<void> {
  const kubectl = join(testClusters().binDir, 'kubectl');
  const ask = (): Promise<boolean> => new Promise((res) => {
    execFile(kubectl, ['--kubeconfig', testClusters().kubeconfig, '--context', 'prod-1', 'auth', 'can-i', verb, resource, '-n', namespace, '--as', as], (_e, stdout) => { res(stdout.trim() === 'yes'); });
  });
  const deadline = Date.now() + 20_000;
  while (await ask() !== expected) {
    if (Date.now() > deadline) throw new Error(`RBAC did not settle: can-i ${verb} ${resource} ≠ ${String(expected)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('kontract rbac on a real cluster', () => {
  const ns = uniqueName('rbac');
  const sa = uniqueName('kontract-rbac');
  const as = `system:serviceaccount:kube-system:${sa}`;
  const work = mkdtempSync(join(tmpdir(), 'kontract-rbac-'));
  const tokenFile = join(work, 'token');
  const serviceAccount: PlainObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: 'kube-system' } };
  let rbac: PlainObject[] = [];
  let ai = '';

  const files = (withQuota: boolean): Record<string, string> => ({
    ...clusterFiles('prod-1', testCluster('prod-1').server, [`tokenFile: ${tokenFile}`], { caPath: testCluster('prod-1').caFile }),
    [`namespaces/${ns}.yml`]: namespaceFile(ns, 'prod-1', ['managedRoles: true',
      ...(withQuota ? ['quota:', '  $ref: /quotas/small.yml'] : []), 'limitRanges:', '  $ref: /limitranges/default.yml']),
    'quotas/small.yml': ['$schema: /openshift/quota-1.yml', 'labels: {}', 'name: small', 'description: test quota', 'quotas:', '- name: compute', '  resources:', '    pods: 10', ''].join('\n'),
    'limitranges/default.yml': ['$schema: /openshift/limitrange-1.yml', 'labels: {}', 'name: default', 'description: test limits', 'limits:', '- type: Container', '  default:', '    cpu: 500m', ''].join('\n'),
    'users/erin.yml': ['$schema: /access/user-1.yml', 'labels: {}', 'name: Erin', 'org_username: erin', 'github_username: erin', 'roles:', '- $ref: /roles/devs.yml', ''].join('\n'),
    'roles/devs.yml': ['$schema: /access/role-1.yml', 'labels: {}', 'name: devs', 'permissions: []', 'access:', '- namespace:', `    $ref: /namespaces/${ns}.yml`, '  clusterRole: edit', ''].join('\n'),
  });

  const reconcile = (...extra: string[]): ReturnType<typeof kontract> =>
    // the token file and the CA are outside the app-interface: the operator allows their directories
    kontract(['reconcile', ...INTEGRATIONS, '--app-interface', ai, '--allow-path', work, '--allow-path', dirname(testCluster('prod-1').caFile),
      '--namespace', ns, '--output', 'json', '--detailed-exitcode', ...extra]);

  beforeAll(async () => {
    ai = writeTree(mkdtempSync(join(work, 'ai-')), files(true));
    await applyObjects('prod-1', [serviceAccount]);
    writeFileSync(tokenFile, await serviceAccountToken('prod-1', 'kube-system', sa), { mode: 0o600 });
    const r = await kontract(['rbac', ...INTEGRATIONS, '--name', sa, '--service-account', `kube-system/${sa}`, '--app-interface', ai]);
    expect(r.code, r.stderr).toBe(0);
    rbac = loadAll(r.stdout) as PlainObject[];
    await applyObjects('prod-1', rbac);
  });

  afterAll(async () => {
    await deleteObjects('prod-1', [serviceAccount, ...rbac]);
    await kubeConfigFor('prod-1').makeApiClient(CoreV1Api).deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('prints verbs per kind derived from the integrations, and bind only on the roles the data references', () => {
    expect(rbac.map((o) => o.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
    // wet runs take a Lease per (integration, cluster) in the lock namespace
    expect(rbac[2]).toMatchObject({ metadata: { name: `${sa}-lock`, namespace: 'kube-system' }, rules: [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: INTEGRATIONS.map((i) => `kontract-${i}`).sort() },
    ] });
    expect(rbac[0]?.rules).toEqual([
      { apiGroups: [''], resources: ['limitranges', 'namespaces', 'resourcequotas'], verbs: ['create', 'delete', 'get', 'list', 'patch'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['create', 'delete', 'get', 'list', 'patch'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['edit'] },
    ]);
  });

  it('a wet run with exactly that RBAC creates, then finds nothing to do, then prunes', async () => {
    await waitCanI('patch', 'resourcequotas', ns, as, true);
    const first = await reconcile();
    expect(first.stderr).not.toMatch(/403|E_APPLY|E_CLUSTER/);
    expect(first.code).toBe(2);
    const kinds = (JSON.parse(first.stdout) as { changes: { action: string; kind: string }[] }).changes.map((c) => `${c.action} ${c.kind}`).sort();
    expect(kinds).toEqual(['create LimitRange', 'create Namespace', 'create ResourceQuota', 'create RoleBinding.rbac.authorization.k8s.io']);
    const again = await reconcile();
    expect(again.code, again.stderr).toBe(0);
    writeTree(ai, files(false));
    // the only quota of the cluster goes: the emptied-cluster refusal needs lifting
    const prune = await reconcile('--allow-mass-deletion');
    expect(prune.stderr).not.toMatch(/403/);
    expect(prune.code).toBe(2);
    expect((JSON.parse(prune.stdout) as { changes: { action: string; kind: string }[] }).changes.map((c) => `${c.action} ${c.kind}`)).toEqual(['delete ResourceQuota']);
  });

  it('with one verb removed (list on resourcequotas) the run fails with a 403 naming verb and kind', async () => {
    const [role] = rbac;
    const rules = (role?.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]).flatMap((r) => (r.resources.includes('resourcequotas')
      ? [{ ...r, resources: r.resources.filter((x) => x !== 'resourcequotas') }, { ...r, resources: ['resourcequotas'], verbs: r.verbs.filter((v) => v !== 'list') }]
      : [r]));
    await applyObjects('prod-1', [{ ...(role as PlainObject), rules }]);
    await waitCanI('list', 'resourcequotas', ns, as, false);
    const r = await reconcile();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cluster prod-1: GET ResourceQuota list: 403 Forbidden: .*cannot list resource "resourcequotas".* \(RBAC: verb "list" on ResourceQuota — resource "resourcequotas", API group "" — is not granted; `kontract rbac` prints the rules kontract needs\)/);
  });
});
