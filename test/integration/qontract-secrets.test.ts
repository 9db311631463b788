/**
 * A qontract cluster whose credentials are its `automationToken`, read through the secret reader:
 * the app-interface settings say `vault: false`, so the token comes from a qontract-reconcile
 * style TOML config file (`--secrets-config`). Against a real kube-apiserver: the namespaces
 * integration creates a namespace with that token, and a missing secret is a per-cluster error
 * naming the path and field, never the token.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from './support/cli.js';
import type { InProcessRun } from './support/cli.js';
import { testCluster, testClusters, uniqueName } from './support/clusters.js';
import { deleteNamespaces, readLive } from './integrations/tenant-harness.js';

const C = 'prod-1';
const nsName = uniqueName('it-secret');
let root: string;

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function run(args: Record<string, unknown>): Promise<InProcessRun> {
  return runInProcess({ integrations: ['namespaces'], 'app-interface': root, cluster: [C], namespace: [nsName], 'allow-path': [testClusters().dir], ...args }, { cwd: root });
}

describe('automationToken from the secrets config file (settings vault: false)', () => {
  const cluster = testCluster(C);
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'kontract-secrets-'));
    write('settings.yml', '$schema: /app-interface/app-interface-settings-1.yml\nname: app-interface\nvault: false\n');
    write('cluster.yml', [
      '$schema: /openshift/cluster-1.yml', 'labels: {}', `name: ${C}`, 'description: the local prod-1',
      `serverUrl: ${cluster.server}`, 'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid',
      'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []',
      'automationToken: {path: app-sre/creds/kube-configs/prod-1, field: token}', '',
    ].join('\n'));
    // Only the CA of the self-signed local apiserver: no credentials here.
    write('kontract/cluster.yml', `$schema: /kontract/cluster-1.yml\ncluster: {$ref: /cluster.yml}\nca: {path: ${cluster.caFile}}\n`);
    write('app.yml', '$schema: /app-sre/app-1.yml\nname: app\n');
    write('env.yml', '$schema: /app-sre/environment-1.yml\nname: env\n');
    write('ns.yml', [
      '$schema: /openshift/namespace-1.yml', 'labels: {}', `name: ${nsName}`, 'description: made with an automationToken',
      'cluster: {$ref: /cluster.yml}', 'app: {$ref: /app.yml}', 'environment: {$ref: /env.yml}', '',
    ].join('\n'));
    write('config.toml', `[app-sre.creds.kube-configs.prod-1]\ntoken = "${cluster.adminToken}"\n\n[app-sre.creds.other]\nx = "y"\n`);
  });
  afterAll(async () => {
    await deleteNamespaces(C, [nsName]);
    rmSync(root, { recursive: true, force: true });
  });

  it('reads the token from the config file and creates the namespace', async () => {
    const r = await run({ 'secrets-config': 'config.toml' });
    expect(r.error).toBeUndefined();
    expect(r.outcome).toMatchObject({ kind: 'changes' });
    expect(await readLive(C, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsName } })).toBeDefined();
    expect([...r.logs, ...r.results].join('\n')).not.toContain(cluster.adminToken);
  });

  it('fails the cluster, naming the path and field, when the secret is missing; never prints the token', async () => {
    write('cluster.yml', `${[
      '$schema: /openshift/cluster-1.yml', 'labels: {}', `name: ${C}`, 'description: the local prod-1',
      `serverUrl: ${cluster.server}`, 'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid',
      'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []',
      'automationToken: {path: app-sre/creds/other, field: token}',
    ].join('\n')}\n`);
    const r = await run({ 'secrets-config': 'config.toml', 'dry-run': '' });
    expect(r.outcome).toMatchObject({ kind: 'failed' });
    const text = [...r.logs, ...r.results].join('\n');
    expect(text).toMatch(/automationToken: secret app-sre\/creds\/other field token \(config file .*config\.toml\): no such field/);
    expect(text).not.toContain(cluster.adminToken);
  });

  it('without --secrets-config says what to give', async () => {
    const r = await run({ 'dry-run': '' });
    expect(r.outcome).toMatchObject({ kind: 'failed' });
    expect([...r.logs, ...r.results].join('\n')).toMatch(/needs a secret reader: give --vault-server .* or --secrets-config FILE/);
  });
});
