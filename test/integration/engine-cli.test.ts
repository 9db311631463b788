/**
 * CLI end to end: `node bin/kontract.js namespaces …` (the built CLI, `npm run build` first)
 * against the real local cluster prod-1, checking exit codes 0/1/2/64 with --detailed-exitcode,
 * the JSON plan on stdout, --plan-file and --metrics-file. Every run is scoped with --namespace
 * to this test's own namespace, so namespaces owned by other test files are never touched.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespaceLines, writeCluster } from './support/app-interface.js';
import { kubeConfigFor, testCluster, testClusters, uniqueName } from './support/clusters.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'kontract.js');

interface CliResult { code: number; stdout: string; stderr: string }

function kontract(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((res) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      res({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => { r(); }));
  return port;
}

describe('kontract CLI on a real cluster', () => {
  const ns = uniqueName('cli');
  let dir = '';
  let common: string[] = [];

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ missing: run npm run build first');
    dir = mkdtempSync(join(tmpdir(), 'kontract-cli-ai-'));
    mkdirSync(join(dir, 'clusters'));
    mkdirSync(join(dir, 'namespaces'));
    writeCluster(dir, 'prod-1', testCluster('prod-1').server, ['kubeconfigContext: prod-1']);
    writeFileSync(join(dir, 'namespaces', `${ns}.yml`), [...namespaceLines(ns, 'prod-1'), ''].join('\n'));
    common = ['namespaces', '--app-interface', dir, '--kubeconfig', testClusters().kubeconfig, '--namespace', ns, '--detailed-exitcode'];
  });

  afterAll(async () => {
    await kubeConfigFor('prod-1').makeApiClient(CoreV1Api).deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it('exits 2 on a dry-run with pending changes and prints the JSON plan', async () => {
    const r = await kontract([...common, '--dry-run', '--output', 'json']);
    expect(r.stderr).not.toContain('E_INTERNAL');
    expect(r.code).toBe(2);
    const plan = JSON.parse(r.stdout) as { changes: { action: string; kind: string; name: string }[] };
    expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([`create Namespace ${ns}`]);
  });

  it('exits 2 after applying, writes the plan file and the metrics file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kontract-cli-out-'));
    const r = await kontract([...common, '--plan-file', join(out, 'plan.json'), '--metrics-file', join(out, 'kontract.prom')]);
    expect(r.code).toBe(2);
    expect((await kubeConfigFor('prod-1').makeApiClient(CoreV1Api).readNamespace({ name: ns })).metadata?.labels?.['kontract.io/integration']).toBe('namespaces');
    expect(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'))).toMatchObject({ version: 1 });
    expect(readFileSync(join(out, 'kontract.prom'), 'utf8')).toMatch(/kontract_actions_total\{integration="namespaces",action="create",kind="Namespace",cluster="prod-1",dry_run="false",shard="0",shards="1",mode="wet"\} 1/);
  });

  it('exits 0 when nothing changed (dry-run and wet)', async () => {
    expect((await kontract([...common, '--dry-run'])).code).toBe(0);
    expect((await kontract(common)).code).toBe(0);
  });

  it('loops with --interval, serves /metrics on --metrics-port and stops on SIGTERM', async () => {
    const port = await closedPort();
    const child = spawn(process.execPath, [BIN, ...common, '--interval', '1', '--metrics-port', String(port)], { env: { PATH: process.env.PATH, NO_COLOR: '1' }, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => { r(code); }));
    let scraped = '';
    for (let i = 0; i < 100 && !scraped.includes('kontract_cluster_reachable{cluster="prod-1",shard="0",shards="1",mode="wet"} 1'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      scraped = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
    }
    expect(scraped).toContain('kontract_cluster_reachable{cluster="prod-1",shard="0",shards="1",mode="wet"} 1');
    expect(scraped).toMatch(/kontract_api_requests_total\{cluster="prod-1",verb="list",shard="0",shards="1",mode="wet"\} \d+/);
    expect(scraped).toContain('kontract_process_resident_memory_bytes');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits 1 when a cluster is unreachable', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'kontract-cli-bad-'));
    mkdirSync(join(bad, 'clusters'));
    mkdirSync(join(bad, 'namespaces'));
    writeCluster(bad, 'down-1', `https://127.0.0.1:${await closedPort()}`, ['tokenEnv: DOWN_TOKEN']);
    writeFileSync(join(bad, 'namespaces', 'x.yml'), [...namespaceLines(ns, 'down-1'), ''].join('\n'));
    const r = await kontract(['namespaces', '--app-interface', bad, '--namespace', ns, '--detailed-exitcode'], { DOWN_TOKEN: 'not-a-real-token' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('down-1');
    expect(r.stderr + r.stdout).not.toContain('not-a-real-token');
  });

  it('exits 1 on invalid app-interface data and 64 on an unknown integration', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'kontract-cli-inv-'));
    mkdirSync(join(bad, 'namespaces'));
    writeFileSync(join(bad, 'namespaces', 'x.yml'), ['$schema: /openshift/namespace-1.yml', 'name: x', 'cluster:', '  $ref: /clusters/missing.yml', 'bogusField: 1', ''].join('\n'));
    const invalid = await kontract(['namespaces', '--app-interface', bad, '--kubeconfig', testClusters().kubeconfig]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('E_VALIDATION');
    const usage = await kontract(['run', 'no-such-integration', '--app-interface', bad]);
    expect(usage.code).toBe(64);
  });
});
