/**
 * qontract's `jumpHost`: a cluster qontract-reconcile reaches through an SSH bastion. kontract does
 * not tunnel, and must never connect to such a cluster directly: that cluster is not read (a
 * per-cluster error naming the datafile, line and field, exit 1), while the other clusters
 * converge. Against real kube-apiservers: the jump-host cluster's credentials work, so only the
 * jumpHost keeps kontract away from it.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from './support/cli.js';
import { testCluster, uniqueName } from './support/clusters.js';
import { deleteNamespaces, readLive } from './integrations/tenant-harness.js';

const BEHIND = 'prod-1';
const DIRECT = 'prod-2';
const nsBehind = uniqueName('it-jump');
const nsDirect = uniqueName('it-direct');
let root: string;

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function clusterFile(name: string, extra: readonly string[]): string {
  const c = testCluster(name);
  return `${[
    '$schema: /openshift/cluster-1.yml', 'labels: {}', `name: ${name}`, `description: the local ${name}`,
    `serverUrl: ${c.server}`, 'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid',
    'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []',
    `automationToken: {path: app-sre/creds/${name}, field: token}`, ...extra,
  ].join('\n')}\n`;
}

function namespaceFile(name: string, cluster: string): string {
  return `${[
    '$schema: /openshift/namespace-1.yml', 'labels: {}', `name: ${name}`, 'description: jump host test',
    `cluster: {$ref: /${cluster}/cluster.yml}`, 'app: {$ref: /app.yml}', 'environment: {$ref: /env.yml}',
  ].join('\n')}\n`;
}

describe('a cluster behind a jumpHost', () => {
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'kontract-jumphost-'));
    write('settings.yml', '$schema: /app-interface/app-interface-settings-1.yml\nname: app-interface\nvault: false\n');
    // a real qontract jump host datafile (a kind kontract does not model: loading skips it)
    write('jumphosts/bastion.yml', [
      '$schema: /openshift/jump-host-1.yml', 'hostname: bastion.example.invalid', 'knownHosts: /jump-host/known-hosts/bastion',
      'user: bastion', 'port: 22', 'identity: {path: app-sre/creds/bastion, field: identity}', '',
    ].join('\n'));
    write(`${BEHIND}/cluster.yml`, clusterFile(BEHIND, ['jumpHost:', '  $ref: /jumphosts/bastion.yml']));
    write(`${DIRECT}/cluster.yml`, clusterFile(DIRECT, []));
    for (const name of [BEHIND, DIRECT]) {
      // only the CA of the self-signed local apiserver: no credentials here
      write(`kontract/${name}.yml`, `$schema: /kontract/cluster-1.yml\ncluster: {$ref: /${name}/cluster.yml}\nca: {path: ${testCluster(name).caFile}}\n`);
    }
    write('app.yml', '$schema: /app-sre/app-1.yml\nname: app\n');
    write('env.yml', '$schema: /app-sre/environment-1.yml\nname: env\n');
    write('ns-behind.yml', namespaceFile(nsBehind, BEHIND));
    write('ns-direct.yml', namespaceFile(nsDirect, DIRECT));
    write('config.toml', [BEHIND, DIRECT].map((n) => `[app-sre.creds.${n}]\ntoken = "${testCluster(n).adminToken}"\n`).join('\n'));
  });
  afterAll(async () => {
    await deleteNamespaces(BEHIND, [nsBehind]);
    await deleteNamespaces(DIRECT, [nsDirect]);
    rmSync(root, { recursive: true, force: true });
  });

  it('is not read (file, line and field named, exit 1); the other cluster converges', async () => {
    const { outcome, error, text } = await runInProcess({
      integrations: ['namespaces'], 'app-interface': root, cluster: [BEHIND, DIRECT], namespace: [nsBehind, nsDirect], 'secrets-config': 'config.toml',
      // the clusters' CA files live outside the app-interface (docs/app-interface.md, confinement)
      'allow-path': [...new Set([BEHIND, DIRECT].map((n) => path.dirname(testCluster(n).caFile)))],
    }, { cwd: root });
    expect(error).toBeUndefined();
    expect(outcome).toMatchObject({ kind: 'failed' });
    expect(text).toContain(`cluster ${BEHIND}: /${BEHIND}/cluster.yml:12 jumpHost: the cluster is reached through the jump host /jumphosts/bastion.yml, which kontract does not support`);
    expect(text).not.toContain(testCluster(BEHIND).adminToken);
    expect(await readLive(BEHIND, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsBehind } })).toBeUndefined();
    expect(await readLive(DIRECT, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsDirect } })).toBeDefined();
  });
});
