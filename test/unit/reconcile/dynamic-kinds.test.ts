/**
 * Discovery of the kinds the data names (src/reconcile/dynamic-kinds.ts) is failure-isolated: a
 * cluster whose discovery fails (connection refused on a loopback port nobody listens on) is
 * `not read` with its error, and the run finishes with a plan instead of failing as a whole. The
 * black-holed case (the discovery timeout) runs against real clusters in
 * test/integration/faults/network-faults.test.ts.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands/run.js';
import { silentReporter } from '../../../src/core/reporter.js';
import { freePort } from '../../integration/faults/support/net.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'kontract-discovery-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

interface PlanJson { readonly clusters: readonly { readonly cluster: string; readonly read: boolean }[]; readonly errors: readonly { readonly cluster?: string; readonly message: string }[] }

it('a cluster whose discovery fails is not read, with its error; the run still ends with a plan', async () => {
  const root = join(work, 'ai');
  cpSync(SAMPLE, root, { recursive: true });
  // a loopback port nobody listens on: connections are refused
  const port = await freePort();
  const cluster = join(root, 'openshift', 'prod-1', 'cluster.yml');
  writeFileSync(cluster, readFileSync(cluster, 'utf8').replace('serverUrl: https://prod-1.kontract.invalid:6443', `serverUrl: https://127.0.0.1:${port}`));
  writeFileSync(join(root, 'kontract', 'clusters', 'prod-1.yml'), ['$schema: /kontract/cluster-1.yml', 'cluster:', '  $ref: /openshift/prod-1/cluster.yml', 'auth:', '  tokenEnv: PROD1_TOKEN', ''].join('\n'));
  const results: string[] = [];
  const outcome = await runCommand.run({
    'log-level': 'error', 'log-format': 'text', 'detailed-exitcode': false, 'app-interface': root, integrations: ['resources'], all: false, 'dry-run': '',
    cluster: ['prod-1'], output: 'json', 'lock-namespace': 'kube-system', 'give-up-after': 20, 'grace-period': 10, concurrency: 10, 'max-deletions': 50,
    'secrets-config': join(root, 'secrets', 'config.toml'),
  }, { reporter: { ...silentReporter, result: (t) => { results.push(t); } }, env: { PROD1_TOKEN: 'x' }, cwd: root, signal: new AbortController().signal });
  expect(outcome).toMatchObject({ kind: 'failed' });
  const plan = JSON.parse(results[0] ?? '{}') as PlanJson;
  expect(plan.clusters).toEqual([expect.objectContaining({ cluster: 'prod-1', read: false })]);
  expect(plan.errors).toEqual([expect.objectContaining({ cluster: 'prod-1', message: expect.stringMatching(/^cluster prod-1: GET discovery .*ECONNREFUSED/) })]);
}, 60_000);
