/**
 * Credentials named by the data, against the real prod-1 (src/app-interface/credential-confinement.ts):
 * a cluster datafile whose token file lies outside the app-interface is refused before any request
 * (the suite's own proxy in front of the apiserver logs every request: none); with --allow-path for
 * its directory the same wet run works. With --allow-server, a server not listed gets no request
 * either, and the listed one is reconciled.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kontract } from './support/cli.js';
import { kubeConfigFor, testCluster, uniqueName } from './support/clusters.js';
import { namespaceLines, writeCluster } from './support/app-interface.js';
import { servingCertificate } from './faults/support/disposable-clusters.js';
import { startHttpFaultProxy } from './faults/support/http-fault-proxy.js';
import type { HttpFaultProxy } from './faults/support/http-fault-proxy.js';

describe('credential files and servers named by the data (prod-1)', () => {
  const ns = uniqueName('confined');
  const work = mkdtempSync(join(tmpdir(), 'kontract-confined-'));
  const root = join(work, 'app-interface');
  const secrets = join(work, 'runner-secrets');
  const tokenFile = join(secrets, 'prod-1.token');
  let proxy: HttpFaultProxy;
  let server = '';

  beforeAll(async () => {
    const c = testCluster('prod-1');
    proxy = await startHttpFaultProxy({ upstreamPort: Number(new URL(c.server).port), ...servingCertificate(c) });
    server = `https://127.0.0.1:${proxy.port}`;
    mkdirSync(secrets, { recursive: true });
    writeFileSync(tokenFile, `${c.adminToken}\n`, { mode: 0o600 });
    mkdirSync(join(root, 'namespaces'), { recursive: true });
    // the CA is inside the app-interface; the token file is the runner's, outside it
    writeFileSync(join(root, 'ca.crt'), servingCertificate(c).cert);
    writeCluster(root, 'prod-1', server, [`tokenFile: ${tokenFile}`], { caPath: join(root, 'ca.crt') });
    writeFileSync(join(root, 'namespaces', `${ns}.yml`), [...namespaceLines(ns, 'prod-1'), ''].join('\n'));
  });

  afterAll(async () => {
    await proxy?.close();
    await kubeConfigFor('prod-1').makeApiClient(CoreV1Api).deleteNamespace({ name: ns }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  const wet = (...extra: string[]): ReturnType<typeof kontract> => kontract(['namespaces', '--app-interface', root, '--namespace', ns, ...extra]);

  it('refuses a token file outside the app-interface before any request; --allow-path for its directory lets the same run work', async () => {
    const refused = await wet();
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`/kontract/prod-1.yml:5 auth.tokenFile: ${tokenFile} is outside the app-interface and every --allow-path directory: not read`);
    expect(refused.stderr + refused.stdout).not.toContain(testCluster('prod-1').adminToken);
    expect(proxy.log).toEqual([]);

    const allowed = await wet('--allow-path', dirname(tokenFile));
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(proxy.log.some((r) => r.method === 'PATCH' && r.path.startsWith(`/api/v1/namespaces/${ns}?`) && r.status === 201)).toBe(true);
    const live = await kubeConfigFor('prod-1').makeApiClient(CoreV1Api).readNamespace({ name: ns });
    expect(live.metadata?.labels?.['kontract.io/integration']).toBe('namespaces');
  });

  it('--allow-server: a server not listed gets no request; the listed one is reconciled', async () => {
    const before = proxy.log.length;
    const elsewhere = await wet('--allow-path', secrets, '--allow-server', testCluster('prod-1').server, '--dry-run');
    expect(elsewhere.code, elsewhere.stderr).toBe(1);
    expect(elsewhere.stderr).toContain(`/clusters/prod-1.yml:5 serverUrl: ${server} is not an allowed server (--allow-server): the token in auth.tokenFile of /kontract/prod-1.yml is not sent there, no cluster is contacted`);
    expect(proxy.log.length).toBe(before);

    const listed = await wet('--allow-path', secrets, '--allow-server', server, '--dry-run', '--detailed-exitcode');
    expect(listed.code, listed.stderr).toBe(0);
    expect(proxy.log.length).toBeGreaterThan(before);
  });
});
