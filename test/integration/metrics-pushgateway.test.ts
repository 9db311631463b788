/**
 * Metrics of a real reconcile run (prod-1) pushed to a real Prometheus Pushgateway started by
 * this test on a free loopback port (support/pushgateway.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/app-interface/model.js';
import { silentReporter } from '../../src/core/reporter.js';
import { pushMetrics, writeMetricsFile } from '../../src/metrics/export.js';
import { RunMetrics } from '../../src/metrics/run-metrics.js';
import { createConnector } from '../../src/reconcile/connector.js';
import { runReconcile } from '../../src/reconcile/run-reconcile.js';
import { kubeConfigFor, testCluster, uniqueName } from './support/clusters.js';
import { configMap, createTestIntegration, dataWith, on } from './support/test-integration.js';
import type { Pushgateway } from './support/pushgateway.js';
import { startPushgateway } from './support/pushgateway.js';

describe('metrics export of a real run', () => {
  let gw: Pushgateway | undefined;
  let url = '';
  const ns = uniqueName('metrics');

  beforeAll(async () => {
    gw = await startPushgateway();
    url = gw.url;
    await KubernetesObjectApi.makeApiClient(kubeConfigFor('prod-1')).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });

  afterAll(async () => {
    gw?.stop();
    const nsObj = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } };
    await KubernetesObjectApi.makeApiClient(kubeConfigFor('prod-1')).delete(nsObj).catch(() => undefined);
  });

  it('pushes run metrics to the Pushgateway and writes the textfile', async () => {
    const c = testCluster('prod-1');
    const cluster: Cluster = { path: '/p1.yml', name: 'prod-1', description: '', serverUrl: c.server, ca: { path: c.caFile }, auth: { kind: 'tokenEnv', env: 'T' }, insecureSkipTLSVerify: false, disabledIntegrations: [], labels: {} };
    const integration = createTestIntegration(uniqueName('metrics-test'));
    integration.setDesired([on('prod-1', configMap(ns, 'a', { k: '1' })), on('prod-1', configMap(ns, 'b', { k: '2' }))]);
    const metrics = new RunMetrics();
    const connector = createConnector({ env: { T: c.adminToken }, reporter: silentReporter, onRequest: metrics.onRequest });
    const result = await runReconcile({ integrations: [integration], data: dataWith([cluster]), connect: connector.connect, dryRun: false, reporter: silentReporter });
    connector.closeAll();
    expect(result.outcome).toBe('changes');
    metrics.recordRun(result, [integration.name]);

    await pushMetrics(metrics, url, [integration.name]);
    const scraped = await (await fetch(`${url}/metrics`)).text();
    const group = `integrations="${integration.name}",job="kontract"`;
    const line = (name: string, labels: string): string | undefined =>
      scraped.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((p) => l.includes(p)));
    expect(line('kontract_actions_total', `action="create",cluster="prod-1",dry_run="false",${group},kind="ConfigMap"`)).toMatch(/ 2$/);
    expect(line('kontract_desired_objects', `cluster="prod-1",${group},kind="ConfigMap"`)).toMatch(/ 2$/);
    expect(line('kontract_cluster_reachable', `cluster="prod-1",${group}`)).toMatch(/ 1$/);
    expect(line('kontract_api_requests_total', `cluster="prod-1",${group},verb="apply"`)).toMatch(/ 2$/);
    expect(line('kontract_last_success_timestamp_seconds', group)).toBeDefined();
    expect(scraped).not.toContain(c.adminToken);

    const file = join(mkdtempSync(join(tmpdir(), 'kontract-prom-')), 'kontract.prom');
    await writeMetricsFile(metrics, file);
    expect(readFileSync(file, 'utf8')).toMatch(/kontract_actions_total\{integration="[^"]+",action="create",kind="ConfigMap",cluster="prod-1",dry_run="false"\} 2/);
  });
});
