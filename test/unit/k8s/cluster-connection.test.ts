import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Cluster, ClusterAuth } from '../../../src/app-interface/model.js';
import type { LogLevel, Reporter } from '../../../src/core/reporter.js';
import { connectCluster } from '../../../src/k8s/cluster-connection.js';

function recorder(): Reporter & { lines: { level: LogLevel; message: string }[] } {
  const lines: { level: LogLevel; message: string }[] = [];
  return { lines, log: (level, message) => { lines.push({ level, message }); }, result: () => undefined };
}

function cluster(auth: ClusterAuth, extra: Partial<Cluster> = {}): Cluster {
  return { path: '/c.yml', name: 'prod-9', description: '', serverUrl: 'https://127.0.0.1:6443', auth, insecureSkipTLSVerify: false, disabledIntegrations: [], labels: {}, ...extra };
}

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: k1
  cluster: {server: "https://127.0.0.1:7443", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: "kc-token"}
contexts:
- name: ctx1
  context: {cluster: k1, user: admin}
current-context: ctx1
`;

function kubeconfigFile(): string {
  const f = join(mkdtempSync(join(tmpdir(), 'kontract-kc-')), 'config');
  writeFileSync(f, KUBECONFIG);
  return f;
}

describe('connectCluster', () => {
  it('refuses a kubeconfig-context cluster when no kubeconfig is given (no ~/.kube/config fallback)', async () => {
    await expect(connectCluster(cluster({ kind: 'kubeconfig', context: 'ctx1' }), { env: { HOME: '/root' }, reporter: recorder() }))
      .rejects.toMatchObject({ code: 'E_CLUSTER_CONFIG', cluster: 'prod-9', message: expect.stringContaining('prod-9') as unknown });
  });

  it('uses --kubeconfig, else KONTRACT_KUBECONFIG, and selects the context', async () => {
    const f = kubeconfigFile();
    const viaFlag = await connectCluster(cluster({ kind: 'kubeconfig', context: 'ctx1' }), { env: {}, kubeconfigPath: f, reporter: recorder() });
    expect(viaFlag.credentials().server.origin).toBe('https://127.0.0.1:7443');
    expect(viaFlag.credentials().headers.Authorization).toBe('Bearer kc-token');
    const viaEnv = await connectCluster(cluster({ kind: 'kubeconfig', context: 'ctx1' }), { env: { KONTRACT_KUBECONFIG: f }, reporter: recorder() });
    expect(viaEnv.context).toBe('ctx1');
  });

  it('honours KUBECONFIG when neither --kubeconfig nor KONTRACT_KUBECONFIG is given, and says ~/.kube/config is never read', async () => {
    const f = kubeconfigFile();
    const conn = await connectCluster(cluster({ kind: 'kubeconfig', context: 'ctx1' }), { env: { KUBECONFIG: f }, reporter: recorder() });
    expect(conn.credentials().server.origin).toBe('https://127.0.0.1:7443');
    await expect(connectCluster(cluster({ kind: 'kubeconfig', context: 'ctx1' }), { env: { HOME: '/root' }, reporter: recorder() }))
      .rejects.toMatchObject({ message: expect.stringMatching(/--kubeconfig, KONTRACT_KUBECONFIG or KUBECONFIG; ~\/\.kube\/config is never read implicitly/) as unknown });
  });

  it('merges a KUBECONFIG list like kubectl: missing files skipped, the first file defining a name wins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kontract-kclist-'));
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    // `first` defines k1 at port 7443; `second` redefines k1 (ignored) and adds ctx2/k2/user2
    writeFileSync(first, KUBECONFIG);
    writeFileSync(second, `apiVersion: v1
kind: Config
clusters:
- name: k1
  cluster: {server: "https://127.0.0.1:9999", insecure-skip-tls-verify: true}
- name: k2
  cluster: {server: "https://127.0.0.1:8443", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: "other-token"}
- name: user2
  user: {token: "token-2"}
contexts:
- name: ctx1
  context: {cluster: k2, user: user2}
- name: ctx2
  context: {cluster: k2, user: user2}
current-context: ctx2
`);
    const env = { KUBECONFIG: `${join(dir, 'missing')}::${first}:${second}` };
    const c1 = await connectCluster(cluster({ kind: 'kubeconfig', context: 'ctx1' }), { env, reporter: recorder() });
    expect(c1.credentials().server.origin).toBe('https://127.0.0.1:7443');
    expect(c1.credentials().headers.Authorization).toBe('Bearer kc-token');
    const c2 = await connectCluster(cluster({ kind: 'kubeconfig', context: 'ctx2' }), { env, reporter: recorder() });
    expect(c2.credentials().server.origin).toBe('https://127.0.0.1:8443');
    expect(c2.credentials().headers.Authorization).toBe('Bearer token-2');
    // KONTRACT_KUBECONFIG wins over KUBECONFIG
    await expect(connectCluster(cluster({ kind: 'kubeconfig', context: 'ctx2' }), { env: { ...env, KONTRACT_KUBECONFIG: first }, reporter: recorder() }))
      .rejects.toMatchObject({ code: 'E_CLUSTER_CONFIG', message: expect.stringContaining('context ctx2 not found') as unknown });
  });

  it('in-cluster: server from KUBERNETES_SERVICE_HOST/PORT, token and CA from the service account dir; the token is re-read (rotation)', async () => {
    const sa = mkdtempSync(join(tmpdir(), 'kontract-sa-'));
    writeFileSync(join(sa, 'token'), 'first-token\n');
    writeFileSync(join(sa, 'ca.crt'), 'not checked until TLS');
    const env = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443', KONTRACT_SERVICE_ACCOUNT_DIR: sa };
    const rep = recorder();
    const conn = await connectCluster(cluster({ kind: 'inCluster' }), { env, reporter: rep });
    expect(conn.credentials().server.origin).toBe('https://10.0.0.1');
    expect(conn.credentials().headers.Authorization).toBe('Bearer first-token');
    expect(conn.credentials().ca?.toString()).toBe('not checked until TLS');
    writeFileSync(join(sa, 'token'), 'rotated-token\n');
    expect(await conn.reloadCredentials()).toBe(true);
    expect(conn.credentials().headers.Authorization).toBe('Bearer rotated-token');
    expect(JSON.stringify(rep.lines)).not.toMatch(/first-token|rotated-token/);
    await expect(connectCluster(cluster({ kind: 'inCluster' }), { env: {}, reporter: recorder() }))
      .rejects.toMatchObject({ code: 'E_CLUSTER_CONFIG', message: expect.stringContaining('KUBERNETES_SERVICE_HOST') as unknown });
  });

  it('names the cluster when the context does not exist', async () => {
    await expect(connectCluster(cluster({ kind: 'kubeconfig', context: 'nope' }), { env: {}, kubeconfigPath: kubeconfigFile(), reporter: recorder() }))
      .rejects.toMatchObject({ code: 'E_CLUSTER_CONFIG', message: expect.stringMatching(/prod-9.*context nope/) as unknown });
  });

  it('names the env variable but not a value when a token env is missing', async () => {
    await expect(connectCluster(cluster({ kind: 'tokenEnv', env: 'PROD9_TOKEN' }), { env: {}, reporter: recorder() }))
      .rejects.toMatchObject({ code: 'E_CLUSTER_CONFIG', message: expect.stringContaining('PROD9_TOKEN') as unknown });
  });

  it('trims a token file and never logs the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kontract-tok-'));
    writeFileSync(join(dir, 't'), '  s3cret-token\n');
    const rep = recorder();
    const conn = await connectCluster(cluster({ kind: 'tokenFile', file: join(dir, 't') }), { env: {}, reporter: rep });
    expect(conn.credentials().headers.Authorization).toBe('Bearer s3cret-token');
    expect(JSON.stringify(rep.lines)).not.toContain('s3cret');
  });

  it('reports an unreadable CA path as E_CLUSTER_CONFIG', async () => {
    await expect(connectCluster(cluster({ kind: 'tokenEnv', env: 'T' }, { ca: { path: '/nonexistent/ca.crt' } }), { env: { T: 'x' }, reporter: recorder() }))
      .rejects.toMatchObject({ code: 'E_CLUSTER_CONFIG', message: expect.stringContaining('/nonexistent/ca.crt') as unknown });
  });

  it('warns when TLS verification is disabled by the cluster data', async () => {
    const rep = recorder();
    const conn = await connectCluster(cluster({ kind: 'tokenEnv', env: 'T' }, { insecureSkipTLSVerify: true }), { env: { T: 'x' }, reporter: rep });
    expect(conn.credentials().rejectUnauthorized).toBe(false);
    expect(rep.lines.some((l) => l.level === 'warn' && l.message.includes('prod-9'))).toBe(true);
  });

  it('keeps TLS verification on and an inline CA when not opted out', async () => {
    const conn = await connectCluster(cluster({ kind: 'tokenEnv', env: 'T' }, { ca: { inline: '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n' } }), { env: { T: 'x' }, reporter: recorder() });
    expect(conn.credentials().rejectUnauthorized).toBe(true);
    expect(conn.credentials().ca?.toString()).toContain('BEGIN CERTIFICATE');
  });
});
