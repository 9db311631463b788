/**
 * The Vault secret reader (src/secrets/) against a REAL Vault: vault-dev (Vault's own server code
 * in dev mode, built from the hashicorp/vault Go module by scripts/build-vault.sh; see
 * tools/vault/main.go for what it compiles in), a KV v2 mount and a KV v1 mount filled through
 * Vault's HTTP API. Through the CLI's run command, against the real local cluster prod-1:
 *  - a qontract cluster's `automationToken` read from KV v2 with a root token (`--vault-server`,
 *    VAULT_TOKEN): its `version` is honoured, without one the latest version is read;
 *  - read from KV v1 with `format: base64` after an AppRole login (VAULT_ADDR, VAULT_ROLE_ID,
 *    VAULT_SECRET_ID);
 *  - a wrong path, field, version or AppRole secret id is a per-cluster error naming the datafile,
 *    the field and the secret path, and nothing is written;
 *  - the `resources` integration's `vault-secret` provider builds a Secret from a KV v2 secret
 *    at the version it names (`_qb64` keys taken as base64), and no token or secret value is ever
 *    printed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from './support/cli.js';
import type { InProcessRun } from './support/cli.js';
import { testCluster, testClusters, uniqueName } from './support/clusters.js';
import { namespaceFile } from './support/app-interface.js';
import { startVaultDev } from './support/vault-dev.js';
import type { VaultDev } from './support/vault-dev.js';
import { createNamespace, deleteNamespaces, readLive } from './integrations/tenant-harness.js';

const C = 'prod-1';
const nsToken = uniqueName('it-vault-a');
const nsAppRole = uniqueName('it-vault-b');
const nsRes = uniqueName('it-vault-res');
const secret = (what: string): string => `${what}-${randomBytes(9).toString('hex')}`;
/** Version 2 of the KV v2 token secret: not a valid token (version 1 holds the real one). */
const STALE_TOKEN = secret('stale-token');
const PASSWORD_1 = secret('pw-one');
const PASSWORD_2 = secret('pw-two');
const CA_TEXT = secret('ca');
let root: string;
let vault: VaultDev;
let roleId = '';
let secretId = '';
/** Every line any run printed or logged, and every error message. */
const allOutput: string[] = [];

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function writeCluster(automationToken: string): void {
  write(`clusters/${C}.yml`, `${[
    '$schema: /openshift/cluster-1.yml', 'labels: {}', `name: ${C}`, 'description: the local prod-1',
    `serverUrl: ${testCluster(C).server}`, 'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid',
    'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []',
    `automationToken: ${automationToken}`,
  ].join('\n')}\n`);
}

function writeNamespace(file: string, name: string, extra: string[] = []): void {
  write(file, namespaceFile(name, C, extra));
}

type Run = InProcessRun;

async function run(args: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<Run> {
  const r = await runInProcess({ integrations: ['namespaces'], 'app-interface': root, cluster: [C], 'allow-path': [testClusters().dir], ...args }, { cwd: root, env });
  allOutput.push(r.text);
  return r;
}

async function ok(call: Promise<{ status: number; body: unknown }>): Promise<unknown> {
  const a = await call;
  expect(a.status, JSON.stringify(a.body)).toBeLessThan(300);
  return a.body;
}

const tokenEnv = (): NodeJS.ProcessEnv => ({ VAULT_TOKEN: vault.rootToken });
const appRoleEnv = (): NodeJS.ProcessEnv => ({ VAULT_ADDR: vault.address, VAULT_ROLE_ID: roleId, VAULT_SECRET_ID: secretId });
/** `vault http://127.0.0.1:PORT`, as the reader describes itself in messages. */
const reader = (): string => `vault ${vault.address}`.replace(/[.]/g, '\\.');

describe('automationToken and vault-secret from a real Vault (KV v1 and v2, token and AppRole)', () => {
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'kontract-vault-'));
    vault = await startVaultDev(path.join(root, 'vault-dev.log'));
    const admin = testCluster(C).adminToken;
    await ok(vault.api('POST', 'sys/mounts/app-sre', { type: 'kv', options: { version: '2' } }));
    await ok(vault.api('POST', 'sys/mounts/legacy', { type: 'kv', options: { version: '1' } }));
    await ok(vault.api('POST', 'app-sre/data/creds/prod-1', { data: { token: admin } }));
    await ok(vault.api('POST', 'app-sre/data/creds/prod-1', { data: { token: STALE_TOKEN } }));
    await ok(vault.api('POST', 'legacy/creds/prod-1', { token_b64: Buffer.from(admin).toString('base64') }));
    await ok(vault.api('POST', 'app-sre/data/it/db', { data: { user: 'app', password: PASSWORD_1 } }));
    await ok(vault.api('POST', 'app-sre/data/it/db', { data: { user: 'app', password: PASSWORD_2, 'ca.crt_qb64': Buffer.from(CA_TEXT).toString('base64') } }));
    // AppRole: a role whose tokens may only read the two mounts
    await ok(vault.api('POST', 'sys/auth/approle', { type: 'approle' }));
    await ok(vault.api('POST', 'sys/policies/acl/kontract-read', { policy: 'path "app-sre/*" { capabilities = ["read"] }\npath "legacy/*" { capabilities = ["read"] }\n' }));
    await ok(vault.api('POST', 'auth/approle/role/kontract', { token_policies: ['kontract-read'] }));
    roleId = ((await ok(vault.api('GET', 'auth/approle/role/kontract/role-id'))) as { data: { role_id: string } }).data.role_id;
    secretId = ((await ok(vault.api('POST', 'auth/approle/role/kontract/secret-id'))) as { data: { secret_id: string } }).data.secret_id;

    write('settings.yml', '$schema: /app-interface/app-interface-settings-1.yml\nname: app-interface\nvault: true\n');
    // Only the CA of the self-signed local apiserver: no credentials here.
    write('kontract/cluster.yml', `$schema: /kontract/cluster-1.yml\ncluster: {$ref: /clusters/${C}.yml}\nca: {path: ${testCluster(C).caFile}}\n`);
    write('app.yml', '$schema: /app-sre/app-1.yml\nname: app\n');
    write('env.yml', '$schema: /app-sre/environment-1.yml\nname: env\n');
    writeNamespace('ns-a.yml', nsToken);
    writeNamespace('ns-b.yml', nsAppRole);
  }, 600_000);

  afterAll(async () => {
    await deleteNamespaces(C, [nsToken, nsAppRole, nsRes]);
    await vault.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('token: reads the KV v2 automationToken at the version the datafile names and creates the namespace', async () => {
    writeCluster('{path: app-sre/creds/prod-1, field: token, version: 1}');
    const r = await run({ namespace: [nsToken], 'vault-server': vault.address }, tokenEnv());
    expect(r.error).toBeUndefined();
    expect(r.outcome).toMatchObject({ kind: 'changes' });
    expect(await readLive(C, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsToken } })).toBeDefined();
  });

  it('token: without a version the latest KV v2 version is read (here a stale token the apiserver refuses)', async () => {
    writeCluster('{path: app-sre/creds/prod-1, field: token}');
    const r = await run({ namespace: [nsToken], 'vault-server': vault.address, 'dry-run': '' }, tokenEnv());
    expect(r.outcome).toMatchObject({ kind: 'failed' });
    expect(r.text).toMatch(/401|Unauthorized/);
  });

  it('AppRole (VAULT_ADDR, VAULT_ROLE_ID, VAULT_SECRET_ID): reads a KV v1 automationToken in base64 and creates the namespace', async () => {
    writeCluster('{path: legacy/creds/prod-1, field: token_b64, format: base64}');
    const r = await run({ namespace: [nsAppRole] }, appRoleEnv());
    expect(r.error).toBeUndefined();
    expect(r.outcome).toMatchObject({ kind: 'changes' });
    expect(await readLive(C, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsAppRole } })).toBeDefined();
  });

  it.each([
    ['a field the secret lacks', '{path: app-sre/creds/prod-1, field: nope, version: 1}', 'secret app-sre/creds/prod-1 field nope version 1', 'no such field'],
    ['a path Vault does not hold (KV v2)', '{path: app-sre/creds/prod-9, field: token}', 'secret app-sre/creds/prod-9 field token', 'not found \\(HTTP 404\\)'],
    ['a path Vault does not hold (KV v1)', '{path: legacy/creds/prod-9, field: token_b64, format: base64}', 'secret legacy/creds/prod-9 field token_b64', 'not found \\(HTTP 404\\)'],
    ['a version Vault does not hold', '{path: app-sre/creds/prod-1, field: token, version: 7}', 'secret app-sre/creds/prod-1 field token version 7', 'this version was not found \\(HTTP 404\\)'],
  ])('%s fails the cluster, naming the datafile, field and secret; nothing is written', async (_what, ref, where, why) => {
    writeCluster(ref);
    writeNamespace('ns-c.yml', uniqueName('it-vault-never'));
    const r = await run({ 'vault-server': vault.address }, tokenEnv());
    expect(r.outcome).toMatchObject({ kind: 'failed' });
    expect(r.text).toMatch(new RegExp(`cluster ${C}: /clusters/${C}\\.yml automationToken: ${where.replace(/[/.]/g, '\\$&')} \\(${reader()}\\): ${why}`));
    expect(JSON.parse(r.results[0] ?? '{}')).toMatchObject({ changes: [] });
    rmSync(path.join(root, 'ns-c.yml'));
  });

  it('a wrong AppRole secret id fails the cluster with the login error; nothing is written', async () => {
    writeCluster('{path: legacy/creds/prod-1, field: token_b64, format: base64}');
    const r = await run({ namespace: [nsAppRole], 'dry-run': '' }, { ...appRoleEnv(), VAULT_SECRET_ID: secret('wrong-secret-id') });
    expect(r.outcome).toMatchObject({ kind: 'failed' });
    expect(r.text).toMatch(new RegExp(`cluster ${C}: /clusters/${C}\\.yml automationToken: ${reader()}: AppRole login failed \\(HTTP 400\\)`));
  });

  it('resources: the vault-secret provider builds a Secret from the KV v2 version it names (2, then 1)', async () => {
    writeCluster('{path: app-sre/creds/prod-1, field: token, version: 1}');
    await createNamespace(C, nsRes);
    // qontract's schema requires a vault-secret's version
    const resNs = (version: number): void => {
      writeNamespace('ns-res.yml', nsRes, [
        'managedResourceTypes: [Secret]', 'openshiftResources:', '- provider: vault-secret', '  path: app-sre/it/db', '  name: db',
        '  labels: {tier: db}', `  version: ${version}`,
      ]);
    };
    const decoded = async (): Promise<Record<string, string>> => {
      const s = await readLive(C, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: nsRes } });
      return Object.fromEntries(Object.entries((s?.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    };

    resNs(2);
    const v2 = await run({ integrations: ['resources'], namespace: [nsRes], 'vault-server': vault.address }, appRoleEnv());
    expect(v2.error).toBeUndefined();
    expect(v2.outcome).toMatchObject({ kind: 'changes' });
    expect(await decoded()).toEqual({ user: 'app', password: PASSWORD_2, 'ca.crt': CA_TEXT });

    resNs(1);
    const v1 = await run({ integrations: ['resources'], namespace: [nsRes], 'vault-server': vault.address }, tokenEnv());
    expect(v1.error).toBeUndefined();
    expect(v1.outcome).toMatchObject({ kind: 'changes' });
    expect(await decoded()).toEqual({ user: 'app', password: PASSWORD_1 });
  });

  it('never printed a token, a secret id or a secret value', () => {
    const text = allOutput.join('\n');
    expect(text.length).toBeGreaterThan(0);
    for (const s of [testCluster(C).adminToken, vault.rootToken, secretId, STALE_TOKEN, PASSWORD_1, PASSWORD_2, CA_TEXT]) {
      expect(text).not.toContain(s);
    }
  });
});
