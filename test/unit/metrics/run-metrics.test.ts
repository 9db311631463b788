import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveMetrics, writeMetricsFile, pushGrouping } from '../../../src/metrics/export.js';
import { RunMetrics } from '../../../src/metrics/run-metrics.js';
import type { ReconcileResult } from '../../../src/reconcile/run-reconcile.js';
import type { Plan, PlannedChange } from '../../../src/resource-inventory/plan.js';

const change = (action: PlannedChange['action'], cluster: string, name: string): PlannedChange => ({
  action, integration: 'namespaces', cluster, namespace: '', kind: 'Namespace', name, order: 10, changes: [], reason: 'test',
});

function result(over: Partial<ReconcileResult> = {}): ReconcileResult {
  const changes = [change('create', 'prod-1', 'a'), change('delete', 'prod-1', 'b')];
  const plan: Plan = { version: 1, integrations: ['namespaces'], dataSha: 'x', changes, clusters: [], errors: [], withheldDeletions: [], skippedChanges: [], orphaned: [] };
  return {
    plan, dryRun: false, errors: [], outcome: 'changes', durationSeconds: 1.5, phaseSeconds: { desired: 0.1, fetch: 1, plan: 0.2, apply: 0.2 },
    applied: changes.map((c) => ({ change: c, status: 'applied' as const })),
    clusters: [
      { cluster: 'prod-1', reachable: true, stats: { reads: 2, writes: 2, byVerb: { list: 2, get: 0, apply: 1, delete: 1, discovery: 0, lock: 0 } } },
      { cluster: 'down-1', reachable: false, stats: { reads: 1, writes: 0, byVerb: { list: 1, get: 0, apply: 0, delete: 0, discovery: 0, lock: 0 } } },
    ],
    counts: [{ integration: 'namespaces', cluster: 'prod-1', kind: 'Namespace', desired: 3, current: 4 }],
    ...over,
  };
}

describe('RunMetrics', () => {
  it('records desired/current gauges, applied actions, reachability and last success', async () => {
    const m = new RunMetrics();
    m.onRequest('prod-1', 'list');
    m.recordRun(result(), ['namespaces'], new Date(1_700_000_000_000));
    const text = await m.text();
    expect(text).toContain('kontract_desired_objects{integration="namespaces",cluster="prod-1",kind="Namespace"} 3');
    expect(text).toContain('kontract_current_objects{integration="namespaces",cluster="prod-1",kind="Namespace"} 4');
    expect(text).toContain('kontract_actions_total{integration="namespaces",action="create",kind="Namespace",cluster="prod-1",dry_run="false"} 1');
    expect(text).toContain('kontract_cluster_reachable{cluster="down-1"} 0');
    expect(text).toContain('kontract_cluster_reachable{cluster="prod-1"} 1');
    expect(text).toContain('kontract_last_success_timestamp_seconds{integration="namespaces"} 1700000000');
    expect(text).toContain('kontract_api_requests_total{cluster="prod-1",verb="list"} 1');
    expect(text).toContain('kontract_run_duration_seconds 1.5');
  });

  it('counts planned actions with dry_run=client and no last success on failure', async () => {
    const m = new RunMetrics();
    m.recordRun(result({ dryRun: 'client', applied: [], outcome: 'failed', errors: [{ cluster: 'down-1', code: 'E_CLUSTER_ACCESS', message: 'x' }, { code: 'E_SAFETY', message: 'y' }] }), ['namespaces']);
    const text = await m.text();
    expect(text).toContain('action="delete",kind="Namespace",cluster="prod-1",dry_run="client"} 1');
    expect(text).toContain('kontract_errors{cluster="down-1"} 1');
    expect(text).toContain('kontract_errors{cluster="_global"} 1');
    expect(text).not.toMatch(/kontract_last_success_timestamp_seconds\{/);
  });
});

describe('writeMetricsFile', () => {
  it('writes the textfile atomically (no temp file left behind)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kontract-metrics-'));
    const m = new RunMetrics();
    m.recordRun(result(), ['namespaces']);
    await writeMetricsFile(m, join(dir, 'kontract.prom'));
    expect(readdirSync(dir)).toEqual(['kontract.prom']);
    expect(readFileSync(join(dir, 'kontract.prom'), 'utf8')).toContain('# TYPE kontract_actions_total counter');
  });

  it('fails with E_METRICS when the directory does not exist', async () => {
    await expect(writeMetricsFile(new RunMetrics(), '/nonexistent-dir/x.prom')).rejects.toMatchObject({ code: 'E_METRICS' });
  });
});

describe('serveMetrics', () => {
  it('serves /metrics and 404 elsewhere', async () => {
    const m = new RunMetrics();
    m.recordRun(result(), ['namespaces']);
    const server = await serveMetrics(m, 0, '127.0.0.1');
    const port = (server.address() as AddressInfo).port;
    try {
      const ok = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('kontract_cluster_reachable{cluster="prod-1"} 1');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await new Promise<void>((r) => server.close(() => { r(); }));
    }
  });
});

describe('pushGrouping', () => {
  it('groups by the sorted integration set', () => {
    expect(pushGrouping(['resourcequotas', 'namespaces'])).toEqual({ integrations: 'namespaces,resourcequotas' });
    expect(pushGrouping(['namespaces'], { shard: 1, shards: 2, mode: 'wet' })).toEqual({ integrations: 'namespaces', shard: '1', shards: '2', mode: 'wet' });
  });
});
