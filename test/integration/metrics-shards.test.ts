/**
 * Pushgateway groups of sharded and dry runs: the CLI pushes two wet shards (`--shards 2
 * --shard-id 0|1`) and one dry-run of the same integration to a real Pushgateway, and all three
 * groups are read back — none overwrote another — with `shard`, `shards` and `mode` on every
 * metric.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kontract, writeTree } from './support/cli.js';
import { kubeConfigFor, testCluster, testClusters, uniqueName } from './support/clusters.js';
import { clusterFiles, namespaceFile } from './support/app-interface.js';
import type { Pushgateway } from './support/pushgateway.js';
import { startPushgateway } from './support/pushgateway.js';

interface PushedGroup { readonly labels: Record<string, string>; readonly [metric: string]: unknown }

describe('Pushgateway grouping of shards and dry-runs', () => {
  let gw: Pushgateway | undefined;
  let url = '';
  const names = Array.from({ length: 6 }, (_, i) => uniqueName(`shardm${i}`));

  beforeAll(async () => {
    gw = await startPushgateway();
    url = gw.url;
  });

  afterAll(async () => {
    gw?.stop();
    const core = kubeConfigFor('prod-1').makeApiClient(CoreV1Api);
    for (const n of names) await core.deleteNamespace({ name: n }).catch(() => undefined);
  });

  it('keeps one group per (integrations, shard, shards, mode)', async () => {
    const files: Record<string, string> = {
      ...clusterFiles('prod-1', testCluster('prod-1').server, ['kubeconfigContext: prod-1']),
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
