/**
 * kontract's Vault reader (src/secrets/index.ts) against a REAL Vault: `vault server -dev` built
 * from the pinned hashicorp/vault Go module (scripts/build-vault.sh, test/support/vault.ts), with
 * a KV v2 mount (`secret/`, the dev server's) and a KV v1 mount (`kv1/`). On the real local
 * clusters, with the settings' `vault: true`, `--vault-server` and VAULT_TOKEN:
 *  - clusters' `automationToken`s are read from KV v2 (prod-1) and KV v1 (prod-2), and the
 *    namespaces integration creates a namespace on each with them;
 *  - a `vault-secret` openshiftResource becomes a Secret with the data of the pinned version of a
 *    KV v2 secret (not the newest), and one from KV v1;
 *  - a missing field is a per-cluster error naming path and field; no token or secret value is
 *    ever printed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import type { Outcome } from '../../src/cli/exit-codes.js';
import { startDevVault } from '../support/vault.js';
import type { DevVault } from '../support/vault.js';
import { testCluster, uniqueName } from './support/clusters.js';
import { deleteNamespaces, readLive } from './integrations/tenant-harness.js';

const V2 = 'prod-1';
const V1 = 'prod-2';
const ns2 = uniqueName('it-vault-kv2');
const ns1 = uniqueName('it-vault-kv1');
const DB_V1 = 'db-password-version-one';
const DB_V2 = 'db-password-version-two';
const API_KEY = 'api-key-from-kv-v1';
let root: string;
let vault: DevVault;

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function writeCluster(name: string, tokenRef: string): void {
  const c = testCluster(name);
  write(`${name}.yml`, `${[
    '$schema: /openshift/cluster-1.yml', 'labels: {}', `name: ${name}`, `description: the local ${name}`,
    `serverUrl: ${c.server}`, 'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid',
    'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []', `automationToken: ${tokenRef}`,
  ].join('\n')}\n`);
}

async function run(integrations: string[], args: Record<string, unknown> = {}): Promise<{ outcome: Outcome | undefined; error: unknown; text: string }> {
  const lines: string[] = [];
  let outcome: Outcome | undefined;
  let error: unknown;
  try {
    outcome = await runCommand.run({
      integrations, 'app-interface': root, cluster: [V2, V1], namespace: [ns2, ns1], output: 'json',
      'log-level': 'debug', 'log-format': 'text', 'detailed-exitcode': false, concurrency: 4, shards: 1, 'shard-id': 0,
      'max-deletions': 50, 'take-over': false, 'allow-mass-deletion': false, 'vault-server': vault.url, ...args,
    }, {
      reporter: { log: (_l, m) => { lines.push(m); }, result: (t) => { lines.push(t); } },
      env: { VAULT_TOKEN: vault.token }, cwd: root, signal: new AbortController().signal,
    });
  } catch (e) {
    error = e;
  }
  return { outcome, error, text: lines.join('\n') };
}

function expectNoSecrets(text: string): void {
  for (const s of [vault.token, testCluster(V2).adminToken, testCluster(V1).adminToken, DB_V1, DB_V2, API_KEY]) expect(text).not.toContain(s);
}

describe('the Vault reader against a real Vault dev server', () => {
  beforeAll(async () => {
    vault = await startDevVault();
    await vault.call('POST', 'sys/mounts/kv1', { type: 'kv', options: { version: '1' } });
    await vault.call('POST', 'secret/data/kube/prod-1', { data: { token: testCluster(V2).adminToken } });
    await vault.call('PUT', 'kv1/kube/prod-2', { token: testCluster(V1).adminToken });
    await vault.call('POST', 'secret/data/app/db', { data: { user: 'app', password: DB_V1 } });
    await vault.call('POST', 'secret/data/app/db', { data: { user: 'app', password: DB_V2 } });
    await vault.call('PUT', 'kv1/app/api', { key: API_KEY });

    root = mkdtempSync(path.join(tmpdir(), 'kontract-vault-'));
    write('settings.yml', '$schema: /app-interface/app-interface-settings-1.yml\nname: app-interface\nvault: true\n');
    writeCluster(V2, '{path: secret/kube/prod-1, field: token}');
    writeCluster(V1, '{path: kv1/kube/prod-2, field: token}');
    for (const name of [V2, V1]) {
      // only the CA of the self-signed local apiserver: the credentials come from Vault
      write(`kontract/${name}.yml`, `$schema: /kontract/cluster-1.yml\ncluster: {$ref: /${name}.yml}\nca: {path: ${testCluster(name).caFile}}\n`);
    }
    write('app.yml', '$schema: /app-sre/app-1.yml\nname: app\n');
    write('env.yml', '$schema: /app-sre/environment-1.yml\nname: env\n');
    write('ns-kv2.yml', `${[
      '$schema: /openshift/namespace-1.yml', 'labels: {}', `name: ${ns2}`, 'description: secrets from Vault',
      `cluster: {$ref: /${V2}.yml}`, 'app: {$ref: /app.yml}', 'environment: {$ref: /env.yml}',
      'managedResourceTypes: [Secret]', 'openshiftResources:',
      '- {provider: vault-secret, path: secret/app/db, version: 1, name: db}',
      '- {provider: vault-secret, path: kv1/app/api, version: 1, name: api}',
    ].join('\n')}\n`);
    write('ns-kv1.yml', `${[
      '$schema: /openshift/namespace-1.yml', 'labels: {}', `name: ${ns1}`, 'description: token from KV v1',
      `cluster: {$ref: /${V1}.yml}`, 'app: {$ref: /app.yml}', 'environment: {$ref: /env.yml}',
    ].join('\n')}\n`);
  });

  afterAll(async () => {
    await deleteNamespaces(V2, [ns2]);
    await deleteNamespaces(V1, [ns1]);
    await vault.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads automationTokens from KV v2 and KV v1: a namespace is created on each cluster', async () => {
    const r = await run(['namespaces']);
    expect(r.error).toBeUndefined();
    expect(r.outcome).toMatchObject({ kind: 'changes' });
    expect(await readLive(V2, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns2 } })).toBeDefined();
    expect(await readLive(V1, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns1 } })).toBeDefined();
    expectNoSecrets(r.text);
  });

  it('builds vault-secret Secrets from the pinned KV v2 version and from KV v1', async () => {
    const r = await run(['resources']);
    expect(r.error).toBeUndefined();
    expect(r.outcome).toMatchObject({ kind: 'changes' });
    const db = await readLive(V2, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: ns2 } }) as { data?: Record<string, string> } | undefined;
    const api = await readLive(V2, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api', namespace: ns2 } }) as { data?: Record<string, string> } | undefined;
    const decode = (d: Record<string, string> | undefined): Record<string, string> => Object.fromEntries(Object.entries(d ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    expect(decode(db?.data)).toEqual({ user: 'app', password: DB_V1 });
    expect(decode(api?.data)).toEqual({ key: API_KEY });
    expectNoSecrets(r.text);
  });

  it('a missing field fails that cluster, naming the path and field; nothing secret is printed', async () => {
    writeCluster(V1, '{path: kv1/kube/prod-2, field: no-such-field}');
    try {
      const r = await run(['namespaces'], { 'dry-run': '' });
      expect(r.outcome).toMatchObject({ kind: 'failed' });
      expect(r.text).toMatch(new RegExp(`cluster ${V1}: automationToken: secret kv1/kube/prod-2 field no-such-field \\(vault http://127\\.0\\.0\\.1:\\d+\\): no such field`));
      expectNoSecrets(r.text);
    } finally {
      writeCluster(V1, '{path: kv1/kube/prod-2, field: token}');
    }
  });
});
