/**
 * kubectl-friendly CLI habits, end to end with the built CLI: `reconcile` (and its alias `run`),
 * `completion`, KUBECONFIG honoured (a colon-separated list) when --kubeconfig is not given,
 * `--dry-run=VALUE` flag errors (exit 64), and errors that name the URL of an unreachable cluster
 * or GraphQL source.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kontract, writeTree } from './support/cli.js';
import { testCluster, testClusters, uniqueName } from './support/clusters.js';
import { clusterFiles, namespaceFile } from './support/app-interface.js';

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => { r(); }));
  return port;
}

describe('CLI habits', () => {
  let ai = '';
  // runs are confined to this namespace: other test files' namespaces on prod-1 stay out of the plan
  const ns = uniqueName('habits');
  beforeAll(() => {
    ai = writeTree(mkdtempSync(join(tmpdir(), 'kontract-habits-')), {
      ...clusterFiles('prod-1', testCluster('prod-1').server, ['kubeconfigContext: prod-1']),
      [`namespaces/${ns}.yml`]: namespaceFile(ns, 'prod-1'),
    });
  });

  it('reconcile and its alias run read the kubeconfig from a KUBECONFIG list', async () => {
    const list = `${join(ai, 'does-not-exist')}:${testClusters().kubeconfig}`;
    for (const cmd of ['reconcile', 'run']) {
      const r = await kontract([cmd, 'namespaces', '--dry-run', '--output', 'json', '--app-interface', ai, '--namespace', ns], { KUBECONFIG: list });
      expect(r.stderr).not.toMatch(/E_CLUSTER/);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { clusters: { cluster: string; reachable: boolean }[] }).clusters).toMatchObject([{ cluster: 'prod-1' }]);
    }
  });

  it('without any kubeconfig says that ~/.kube/config is never read implicitly', async () => {
    const r = await kontract(['reconcile', 'namespaces', '--dry-run', '--app-interface', ai]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no kubeconfig was given \(use --kubeconfig, KONTRACT_KUBECONFIG or KUBECONFIG; ~\/\.kube\/config is never read implicitly\)/);
  });

  it('--dry-run=foo is a flag error (exit 64), not an unknown integration', async () => {
    const r = await kontract(['reconcile', 'namespaces', '--dry-run=foo', '--app-interface', ai]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/invalid value for --dry-run: foo/);
    expect(r.stderr).not.toMatch(/unknown integration/);
  });

  it('prints a completion script and completes commands', async () => {
    const script = await kontract(['completion']);
    expect(script.code).toBe(0);
    expect(script.stdout).toMatch(/complete -o bashdefault -o default -F _kontract_yargs_completions kontract/);
    const words = await kontract(['--get-yargs-completions', 'kontract', '']);
    expect(words.stdout.split('\n')).toEqual(expect.arrayContaining(['reconcile', 'namespaces', 'completion', 'validate']));
  });

  it('names the server URL of an unreachable cluster', async () => {
    const port = await closedPort();
    const dir = writeTree(mkdtempSync(join(tmpdir(), 'kontract-habits-down-')), {
      ...clusterFiles('gone', `https://127.0.0.1:${port}`, ['tokenEnv: GONE_TOKEN']),
    });
    const r = await kontract(['reconcile', 'namespaces', '--dry-run', '--app-interface', dir], { GONE_TOKEN: 'not-a-secret' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cluster gone: GET .*ECONNREFUSED \\(server https://127\\.0\\.0\\.1:${port}\\)`));
  });

  it('names the URL of an unreachable GraphQL source', async () => {
    const port = await closedPort();
    const r = await kontract(['reconcile', 'namespaces', '--dry-run', '--graphql-url', `http://127.0.0.1:${port}/graphql`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`GraphQL source http://127\\.0\\.0\\.1:${port}/sha256 unreachable: ECONNREFUSED`));
  });
});
