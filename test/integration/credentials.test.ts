/**
 * Credentials against a real local cluster (prod-1):
 * - in-cluster mode: a /kontract/cluster-1.yml with `auth: {inCluster: true}`; the run gets the server from
 *   KUBERNETES_SERVICE_HOST/PORT and a real service account token (TokenRequest API) and the CA
 *   from the service account directory (KONTRACT_SERVICE_ACCOUNT_DIR stands in for the pod mount);
 * - a kubeconfig `exec` credential plugin (a small shell script printing an ExecCredential).
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kontract, writeTree } from './support/cli.js';
import { testCluster, uniqueName } from './support/clusters.js';
import { applyObjects, deleteObjects, serviceAccountToken } from './support/objects.js';
import type { PlainObject } from './support/objects.js';

interface Plan { readonly changes: readonly { readonly action: string; readonly kind: string; readonly name: string }[] }

describe('credentials', () => {
  const ns = uniqueName('creds');
  const sa = uniqueName('kontract-sa');
  const work = mkdtempSync(join(tmpdir(), 'kontract-creds-'));

  function appInterface(auth: string): string {
    return writeTree(mkdtempSync(join(work, 'ai-')), {
      // a qontract cluster; kontract's credentials for it in its /kontract/cluster-1.yml
      'clusters/prod-1.yml': [
        '$schema: /openshift/cluster-1.yml', 'labels: {}', 'name: prod-1', 'description: test cluster', `serverUrl: ${testCluster('prod-1').server}`,
        'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid', 'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []', '',
      ].join('\n'),
      'kontract/prod-1.yml': ['$schema: /kontract/cluster-1.yml', 'cluster:', '  $ref: /clusters/prod-1.yml', 'auth:', `  ${auth}`, ''].join('\n'),
      'app.yml': '$schema: /app-sre/app-1.yml\nname: app\n',
      'env.yml': '$schema: /app-sre/environment-1.yml\nname: env\n',
      [`namespaces/${ns}.yml`]: [
        '$schema: /openshift/namespace-1.yml', 'labels: {}', `name: ${ns}`, 'description: test namespace', 'cluster:', '  $ref: /clusters/prod-1.yml',
        'app:', '  $ref: /app.yml', 'environment:', '  $ref: /env.yml', '',
      ].join('\n'),
    });
  }

  const rbac: PlainObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: 'kube-system' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: sa }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] }] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: sa },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: sa }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: 'kube-system' }],
    },
  ];

  // a service account in kube-system that may read namespaces (what the dry-run needs)
  beforeAll(async () => { await applyObjects('prod-1', rbac); });
  afterAll(async () => { await deleteObjects('prod-1', rbac); });

  it('in-cluster mode reads the mounted service account token and CA', async () => {
    const token = await serviceAccountToken('prod-1', 'kube-system', sa);
    expect(token).not.toBe('');
    const mount = join(work, 'serviceaccount');
    mkdirSync(mount);
    writeFileSync(join(mount, 'token'), token);
    copyFileSync(testCluster('prod-1').caFile, join(mount, 'ca.crt'));
    const url = new URL(testCluster('prod-1').server);
    const env = { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port, KONTRACT_SERVICE_ACCOUNT_DIR: mount };
    const r = await kontract(['reconcile', 'namespaces', '--dry-run', '--output', 'json', '--cluster', 'prod-1', '--namespace', ns, '--app-interface', appInterface('inCluster: true')], env);
    expect(r.stderr).not.toMatch(/E_CLUSTER/);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Plan).changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([`create Namespace ${ns}`]);
    expect(r.stdout + r.stderr).not.toContain(token);
    // without the pod environment the cluster is a configuration error naming what is missing
    const outside = await kontract(['reconcile', 'namespaces', '--dry-run', '--app-interface', appInterface('inCluster: true')], { KONTRACT_SERVICE_ACCOUNT_DIR: mount });
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/cluster prod-1: auth is inCluster but KUBERNETES_SERVICE_HOST\/KUBERNETES_SERVICE_PORT are not set/);
  });

  it('a kubeconfig exec credential plugin supplies the token', async () => {
    const c = testCluster('prod-1');
    const log = join(work, 'plugin.log');
    const tokenFile = join(work, 'plugin-token');
    writeFileSync(tokenFile, c.adminToken, { mode: 0o600 });
    const plugin = join(work, 'kontract-test-credential-plugin.sh');
    writeFileSync(plugin, [
      '#!/bin/sh',
      '# a minimal client.authentication.k8s.io/v1 exec plugin: prints an ExecCredential',
      'echo "called with KUBERNETES_EXEC_INFO=${KUBERNETES_EXEC_INFO:+set}" >> "$PLUGIN_LOG"',
      'printf \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\\n\' "$(cat "$PLUGIN_TOKEN_FILE")"',
      '',
    ].join('\n'));
    chmodSync(plugin, 0o755);
    const kubeconfig = join(work, 'exec-kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '- name: prod-1', '  cluster:', `    server: ${c.server}`, `    certificate-authority: ${c.caFile}`,
      'users:', '- name: exec-user', '  user:', '    exec:', '      apiVersion: client.authentication.k8s.io/v1', `      command: ${plugin}`,
      '      interactiveMode: Never', '      env:', `      - {name: PLUGIN_LOG, value: "${log}"}`, `      - {name: PLUGIN_TOKEN_FILE, value: "${tokenFile}"}`,
      'contexts:', '- name: prod-1-exec', '  context: {cluster: prod-1, user: exec-user}', 'current-context: prod-1-exec', '',
    ].join('\n'));
    const r = await kontract(['reconcile', 'namespaces', '--dry-run', '--output', 'json', '--namespace', ns, '--app-interface', appInterface('kubeconfigContext: prod-1-exec'), '--kubeconfig', kubeconfig]);
    expect(r.stderr).not.toMatch(/E_CLUSTER/);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Plan).changes.map((x) => `${x.action} ${x.kind} ${x.name}`)).toEqual([`create Namespace ${ns}`]);
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8')).toMatch(/called/);
    expect(r.stdout + r.stderr).not.toContain(c.adminToken);
    // a plugin whose first token is rejected (401) is run again and the request retried once
    writeFileSync(plugin, [
      '#!/bin/sh',
      'echo call >> "$PLUGIN_LOG.calls"',
      'if [ "$(wc -l < "$PLUGIN_LOG.calls")" -eq 1 ]; then token=expired-token; else token=$(cat "$PLUGIN_TOKEN_FILE"); fi',
      'printf \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\\n\' "$token"',
      '',
    ].join('\n'));
    const rotated = await kontract(['reconcile', 'namespaces', '--dry-run', '--output', 'json', '--namespace', ns, '--app-interface', appInterface('kubeconfigContext: prod-1-exec'), '--kubeconfig', kubeconfig]);
    expect(rotated.stderr).toContain('cluster prod-1: 401 Unauthorized; credentials re-read (changed), retrying once');
    expect(rotated.code).toBe(0);
    expect(readFileSync(`${log}.calls`, 'utf8').trim().split('\n')).toHaveLength(2);
    // a plugin that fails is a configuration error for that cluster
    writeFileSync(plugin, '#!/bin/sh\necho "no credentials for you" >&2\nexit 1\n');
    const bad = await kontract(['reconcile', 'namespaces', '--dry-run', '--namespace', ns, '--app-interface', appInterface('kubeconfigContext: prod-1-exec'), '--kubeconfig', kubeconfig]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cluster prod-1: cannot apply credentials: no credentials for you/);
  });
});
