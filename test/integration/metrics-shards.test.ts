/**
 * Pushgateway groups of sharded and dry runs: the CLI pushes two wet shards (`--shards 2
 * --shard-id 0|1`) and one dry-run of the same integration to a real Pushgateway, and all three
 * groups are read back — none overwrote another — with `shard`, `shards` and `mode` on every
 * metric.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kontract, writeTree } from './support/cli.js';
import { kubeConfigFor, testCluster, testClusters, uniqueName } from './support/clusters.js';
import { clusterFiles, namespaceFile } from './support/qontract-files.js';

// --persistence.file= : in memory only (Debian's build defaults to a shared file under /var/lib)
const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => { r(); }));
  return port;
}

interface PushedGroup { readonly labels: Record<string, string>; readonly [metric: string]: unknown }

describe('Pushgateway grouping of shards and dry-runs', () => {
  let gw: ChildProcess | undefined;
  let url = '';
  const names = Array.from({ length: 6 }, (_, i) => uniqueName(`shardm${i}`));

  beforeAll(async () => {
    if (!existsSync(PUSHGATEWAY)) throw new Error(`${PUSHGATEWAY} missing: run scripts/install-pushgateway.sh`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    gw = spawn(PUSHGATEWAY, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    gw?.kill('SIGTERM');
    const core = kubeConfigFor('prod-1').makeApiClient(CoreV1Api);
    for (const n of names) await core.deleteNamespace({ name: n }).catch(() => undefined);
  });

  it('keeps one group per (integrations, shard, shards, mode)', async () => {
    const files: Record<string, string> = {
      ...clusterFiles('prod-1', testCluster('prod-1').server, ['auth:', '  kubeconfigContext: prod-1']),
    };
    for (const n of names) files[`namespaces/${n}.yml`] = namespaceFile(n, 'prod-1');
    const ai = writeTree(mkdtempSync(join(tmpdir(), 'kontract-shardm-')), files);
    const common = ['namespaces', '--app-interface', ai, '--kubeconfig', testClusters().kubeconfig, ...names.flatMap((n) => ['--namespace', n]), '--pushgateway', url];
    for (const shard of ['0', '1']) {
      const r = await kontract([...common, '--shards', '2', '--shard-id', shard]);
      expect(r.code, r.stderr).toBe(0);
    }
    const dry = await kontract([...common, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);

    const body = await (await fetch(`${url}/api/v1/metrics`)).json() as { data: PushedGroup[] };
    const groups = body.data.map((g) => g.labels).filter((l) => l.job === 'kontract' && l.integrations === 'namespaces');
    expect(groups.map((l) => `${l.shard}/${l.shards} ${l.mode}`).sort()).toEqual(['0/1 dry-run', '0/2 wet', '1/2 wet']);

    const text = await (await fetch(`${url}/metrics`)).text();
    const created = (shard: string): number => text.split('\n')
      .filter((l) => l.startsWith('kontract_actions_total{') && l.includes('action="create"') && l.includes('mode="wet"') && l.includes(`shard="${shard}"`))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    // the two wet shards together created every namespace exactly once
    expect(created('0') + created('1')).toBe(names.length);
    expect(text).toMatch(/kontract_cluster_reachable\{[^}]*mode="dry-run"[^}]*shard="0"[^}]*shards="1"[^}]*\} 1/);
  });
});
