/**
 * kontract's kubeconfig reader (src/k8s/kubeconfig-files.ts) and the credentials a kubeconfig
 * context gives (src/k8s/cluster-connection.ts): the same TLS material and headers as
 * @kubernetes/client-node's `KubeConfig.applyToHTTPSOptions` on the same files, relative paths
 * against the kubeconfig's directory, errors naming the file and entry.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../../src/app-interface/model.js';
import type { Reporter } from '../../../src/core/reporter.js';
import { connectCluster } from '../../../src/k8s/cluster-connection.js';
import { kubeconfigTarget, loadKubeconfigFiles } from '../../../src/k8s/kubeconfig-files.js';

const reporter: Reporter = { log: () => undefined, result: () => undefined };
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function cluster(context: string): Cluster {
  return { path: '/c.yml', name: 'prod-9', description: '', serverUrl: 'https://127.0.0.1:6443', auth: { kind: 'kubeconfig', context }, insecureSkipTLSVerify: false, disabledIntegrations: [], labels: {} };
}

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'kontract-kcr-'));
}

/** A kubeconfig exercising every field the reader handles, one context per user. */
function richKubeconfig(d: string): string {
  writeFileSync(join(d, 'ca.pem'), 'CA FROM FILE');
  writeFileSync(join(d, 'cert.pem'), 'CERT FROM FILE');
  writeFileSync(join(d, 'key.pem'), 'KEY FROM FILE');
  writeFileSync(join(d, 'token'), 'file-token\n');
  const f = join(d, 'config');
  writeFileSync(f, `apiVersion: v1
kind: Config
clusters:
- name: file-ca
  cluster: {server: "https://10.0.0.1:6443/", certificate-authority: ${join(d, 'ca.pem')}, tls-server-name: api.example}
- name: data-ca
  cluster: {server: "https://10.0.0.2:6443", certificate-authority-data: ${b64('CA FROM DATA')}}
- name: insecure
  cluster: {server: "https://10.0.0.3:6443", insecure-skip-tls-verify: true}
users:
- name: token
  user: {token: "inline-token", as: "someone"}
- name: token-file
  user: {token-file: ${join(d, 'token')}}
- name: cert-files
  user: {client-certificate: ${join(d, 'cert.pem')}, client-key: ${join(d, 'key.pem')}}
- name: cert-data
  user: {client-certificate-data: ${b64('CERT FROM DATA')}, client-key-data: ${b64('KEY FROM DATA')}}
- name: basic
  user: {username: alice, password: s3cret}
contexts:
- {name: c-token, context: {cluster: file-ca, user: token}}
- {name: c-token-file, context: {cluster: data-ca, user: token-file}}
- {name: c-cert-files, context: {cluster: insecure, user: cert-files}}
- {name: c-cert-data, context: {cluster: file-ca, user: cert-data}}
- {name: c-basic, context: {cluster: data-ca, user: basic}}
current-context: c-token
`);
  return f;
}

/** What client-node gives for the context, in kontract's credential shape. */
async function clientNodeView(file: string, context: string): Promise<Record<string, unknown>> {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  kc.setCurrentContext(context);
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v.trim();
  if (typeof opts.auth === 'string') headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  const str = (x: unknown): string | undefined => (Buffer.isBuffer(x) ? x.toString() : typeof x === 'string' ? x : undefined);
  return { server: kc.getCurrentCluster()?.server, rejectUnauthorized: opts.rejectUnauthorized !== false, servername: opts.servername, headers, ca: str(opts.ca), cert: str(opts.cert), key: str(opts.key) };
}

describe('kubeconfig reader', () => {
  it.each(['c-token', 'c-token-file', 'c-cert-files', 'c-cert-data', 'c-basic'])('context %s: the same credentials as client-node gives', async (context) => {
    const f = richKubeconfig(dir());
    const conn = await connectCluster(cluster(context), { env: {}, kubeconfigPath: f, reporter });
    const c = conn.credentials();
    const ours = { server: c.server.href.replace(/\/$/, ''), rejectUnauthorized: c.rejectUnauthorized, servername: c.servername, headers: c.headers, ca: c.ca?.toString(), cert: c.cert?.toString(), key: c.key?.toString() };
    expect(ours).toEqual(await clientNodeView(f, context));
    expect(conn.context).toBe(context);
  });

  it('resolves relative certificate, key, CA and token-file paths against the kubeconfig\'s directory', async () => {
    const d = dir();
    mkdirSync(join(d, 'sub'));
    for (const [name, text] of [['ca.pem', 'REL CA'], ['cert.pem', 'REL CERT'], ['key.pem', 'REL KEY'], ['token', 'rel-token\n']]) writeFileSync(join(d, 'sub', name ?? ''), text ?? '');
    const f = join(d, 'sub', 'config');
    writeFileSync(f, `clusters:
- {name: k, cluster: {server: "https://10.0.0.9:6443", certificate-authority: ca.pem}}
users:
- {name: u, user: {client-certificate: cert.pem, client-key: ./key.pem, token-file: token}}
contexts:
- {name: ctx, context: {cluster: k, user: u}}
`);
    const c = (await connectCluster(cluster('ctx'), { env: {}, kubeconfigPath: f, cwd: d, reporter })).credentials();
    expect([c.ca?.toString(), c.cert?.toString(), c.key?.toString(), c.headers.Authorization]).toEqual(['REL CA', 'REL CERT', 'REL KEY', 'Bearer rel-token']);
  });

  it('names the file and the entry of a malformed kubeconfig, and what a context lacks', async () => {
    const d = dir();
    const f = join(d, 'bad');
    writeFileSync(f, 'clusters:\n- name: k\n  cluster: {}\n');
    await expect(connectCluster(cluster('x'), { env: {}, kubeconfigPath: f, reporter }))
      .rejects.toMatchObject({ code: 'E_CLUSTER_CONFIG', message: `cluster prod-9: cannot load kubeconfig ${f}: ${f}: clusters[0].cluster.server is missing` });
    const g = join(d, 'nouser');
    writeFileSync(g, 'clusters:\n- {name: k, cluster: {server: "https://10.0.0.1"}}\ncontexts:\n- {name: ctx, context: {cluster: k, user: ghost}}\n- {name: c2, context: {cluster: nowhere, user: ghost}}\n');
    await expect(connectCluster(cluster('ctx'), { env: {}, kubeconfigPath: g, reporter }))
      .rejects.toMatchObject({ message: `cluster prod-9: context ctx names no known user in kubeconfig ${g}` });
    await expect(connectCluster(cluster('c2'), { env: {}, kubeconfigPath: g, reporter }))
      .rejects.toMatchObject({ message: `cluster prod-9: context c2 names no known cluster in kubeconfig ${g}` });
    const h = join(d, 'yaml');
    writeFileSync(h, 'clusters: [\n');
    await expect(connectCluster(cluster('ctx'), { env: {}, kubeconfigPath: h, reporter }))
      .rejects.toMatchObject({ message: expect.stringContaining(`cannot load kubeconfig ${h}: ${h}: `) as unknown });
  });

  it('keeps the merged list\'s first current-context and exec/auth-provider users as they are', () => {
    const d = dir();
    const a = join(d, 'a');
    const b = join(d, 'b');
    writeFileSync(a, 'users:\n- {name: e, user: {exec: {command: plugin, apiVersion: client.authentication.k8s.io/v1}}}\n');
    writeFileSync(b, 'current-context: ctx\nclusters:\n- {name: k, cluster: {server: "https://10.0.0.1"}}\ncontexts:\n- {name: ctx, context: {cluster: k, user: e}}\n');
    const kc = loadKubeconfigFiles([a, b]);
    expect(kc.currentContext).toBe('ctx');
    expect(kubeconfigTarget(kc, 'ctx').user).toEqual({ name: 'e', exec: { command: 'plugin', apiVersion: 'client.authentication.k8s.io/v1' } });
  });
});
