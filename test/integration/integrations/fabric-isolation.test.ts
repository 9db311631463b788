/**
 * One bad source stops only what depends on it, on real clusters, in one `run --all`: fabric-b
 * (prod-2) loses its git source, then gets a webhook-rule violation, while a namespace with its
 * quota and a VM on the same cluster, and fabric-a on dev-1, keep converging. fabric-b's live
 * objects are neither updated nor deleted, the run exits 1 naming the fabric and the reason, and
 * fabric-status shows fabric-b `error` with drift not read. A cluster that cannot be reached shows
 * no drift either (and no drift gauge).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fabricStatusCommand } from '../../../src/cli/commands/fabric-status.js';
import { runCommand } from '../../../src/cli/commands/run.js';
import type { KontractCommand } from '../../../src/cli/command.js';
import type { Outcome } from '../../../src/cli/exit-codes.js';
import type { Reporter } from '../../../src/core/reporter.js';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { SAMPLE_FABRIC_DIR, SAMPLE_ROOT } from '../../unit/hedgehog/support.js';
import { installKubevirtCrds, readCr, vmRef } from '../../fixtures/kubevirt/live.js';
import { kubeConfigFor, testCluster, testClusters, uniqueName } from '../support/clusters.js';
import { deleteAllFabricObjects, installUpstreamCrds, readFabricObject } from './hedgehog-fabric-harness.js';

// B runs KubeVirt too (prod-2, like the other KubeVirt tests; dev-1 must stay without KubeVirt).
const A = 'dev-1';
const B = 'prod-2';
const ns = uniqueName('iso');
const root = mkdtempSync(path.join(os.tmpdir(), 'kontract-it-iso-'));

function write(rel: string, lines: readonly string[]): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), `${lines.join('\n')}\n`);
}

/** A qontract cluster and its kontract settings (the kubeconfig context). */
function clusterFile(name: string): void {
  write(`clusters/${name}.yml`, ['$schema: /openshift/cluster-1.yml', 'labels: {}', `name: ${name}`, 'description: test cluster', `serverUrl: ${testCluster(name).server}`,
    'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid', 'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []']);
  write(`kontract/clusters/${name}.yml`, ['$schema: /kontract/cluster-1.yml', 'cluster:', `  $ref: /clusters/${name}.yml`, 'auth:', `  kubeconfigContext: ${testCluster(name).context}`]);
  write('app-sre/app.yml', ['$schema: /app-sre/app-1.yml', 'name: app']);
  write('app-sre/env.yml', ['$schema: /app-sre/environment-1.yml', 'name: env']);
}

function namespaceFile(phase: string, cpu: number): void {
  write('namespaces/iso.yml', ['$schema: /openshift/namespace-1.yml', `name: ${ns}`, 'description: isolation test', 'cluster:', `  $ref: /clusters/${B}.yml`,
    'app:', '  $ref: /app-sre/app.yml', 'environment:', '  $ref: /app-sre/env.yml', 'labels:', `  phase: ${phase}`]);
  write('kontract/namespaces/iso.yml', ['$schema: /kontract/namespace-1.yml', 'namespace:', '  $ref: /namespaces/iso.yml',
    'quotaComponents:', `  cpu: ${cpu}`, '  memoryGB: 4', '  storageGB: 10', '  pods: 10']);
}

function vmFile(power: 'running' | 'stopped'): void {
  write('kubevirt/vms/vm-1.yml', ['$schema: /kontract/kubevirt/virtual-machine-1.yml', 'name: vm-1', 'namespace:', '  $ref: /namespaces/iso.yml', 'template:', '  $ref: /kubevirt/templates/tiny.yml', `powerState: ${power}`]);
}

function fabricFile(name: string, cluster: string, source: readonly string[]): void {
  write(`hedgehog/${name}.yml`, ['$schema: /kontract/hedgehog/fabric-1.yml', `name: ${name}`, 'cluster:', `  $ref: /clusters/${cluster}.yml`, 'source:', ...source.map((l) => `  ${l}`)]);
}

/** fabric-x's GitOps directory: the sample fabric with its VPC's first VLAN set to `vlan`. */
function fabricDir(name: string, vlan: number): void {
  const dir = path.join(root, 'hedgehog', name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(SAMPLE_FABRIC_DIR, dir, { recursive: true });
  const vpcs = path.join(dir, '50-vpcs.yaml');
  writeFileSync(vpcs, readFileSync(vpcs, 'utf8').replace('vlan: 1001', `vlan: ${vlan}`));
}

interface Cli { outcome: Outcome; results: string; errors: string[] }

async function cli(command: KontractCommand, args: Record<string, unknown>): Promise<Cli> {
  const results: string[] = [];
  const errors: string[] = [];
  const reporter: Reporter = { log: (level, message) => { if (level === 'error') errors.push(message); }, result: (t) => { results.push(t); } };
  const outcome = await command.run({ 'app-interface': root, kubeconfig: testClusters().kubeconfig, 'log-level': 'info', 'log-format': 'text', 'detailed-exitcode': false, ...args },
    { reporter, env: {}, cwd: root, signal: new AbortController().signal });
  return { outcome, results: results.join('\n'), errors };
}

/** `run --all` (wet) scoped to this test's namespace and `default` (where fabric objects live). */
const runAll = (): Promise<Cli> => cli(runCommand, { all: true, namespace: [ns, 'default'] });

async function rvs(cluster: string): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const [kind, name] of [['VPC', 'vpc-1'], ['Switch', 'leaf-01'], ['Connection', 'server-01--unbundled--leaf-01'], ['VPCAttachment', 'server-01--vpc-1--default']] as const) {
    const rv = (await readFabricObject(cluster, kind, name))?.metadata.resourceVersion;
    out[`${kind}/${name}`] = typeof rv === 'string' ? rv : undefined;
  }
  return out;
}

const firstVlan = async (cluster: string): Promise<unknown> => ((await readFabricObject(cluster, 'VPC', 'vpc-1'))?.spec as { subnets?: Record<string, { vlan?: unknown }> } | undefined)?.subnets?.default?.vlan;

async function liveState(): Promise<{ phase: string | undefined; cpu: string | undefined; runStrategy: unknown }> {
  const core = kubeConfigFor(B).makeApiClient(CoreV1Api);
  const namespace = await core.readNamespace({ name: ns });
  const quotas = await core.listNamespacedResourceQuota({ namespace: ns });
  const vm: KubeObject | undefined = await readCr(B, vmRef(ns, 'vm-1'));
  return { phase: namespace.metadata?.labels?.phase, cpu: quotas.items[0]?.spec?.hard?.['requests.cpu'], runStrategy: (vm?.spec as { runStrategy?: unknown } | undefined)?.runStrategy };
}

describe('one bad fabric source in a run --all', () => {
  beforeAll(async () => {
    await installUpstreamCrds(A);
    await installUpstreamCrds(B);
    await installKubevirtCrds(B);
    await deleteAllFabricObjects(A);
    await deleteAllFabricObjects(B);
    clusterFile(A);
    clusterFile(B);
    cpSync(path.join(SAMPLE_ROOT, 'kubevirt', 'templates', 'alpine-tiny.yml'), path.join(root, 'kubevirt', 'templates', 'tiny.yml'), { recursive: true });
    namespaceFile('one', 2);
    vmFile('stopped');
    fabricDir('fabric-a', 1001);
    fabricDir('fabric-b', 1001);
    fabricFile('fabric-a', A, ['directory: hedgehog/fabric-a']);
    fabricFile('fabric-b', B, ['directory: hedgehog/fabric-b']);
  });

  afterAll(async () => {
    await deleteAllFabricObjects(A);
    await deleteAllFabricObjects(B);
    await kubeConfigFor(B).makeApiClient(CoreV1Api).deleteNamespace({ name: ns }).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  it('converges everything while every source is good', async () => {
    const r = await runAll();
    expect(r.errors).toEqual([]);
    expect(r.outcome.kind).not.toBe('failed');
    expect(await liveState()).toEqual({ phase: 'one', cpu: '2', runStrategy: 'Halted' });
    expect(await firstVlan(A)).toBe(1001);
    expect(await firstVlan(B)).toBe(1001);
  });

  it('a git outage of fabric-b fails only fabric-b: its objects stay untouched, everything else converges', async () => {
    const before = await rvs(B);
    fabricFile('fabric-b', B, ['git:', '  url: https://127.0.0.1:1/fabric-b.git', '  ref: main']);
    namespaceFile('two', 3);
    vmFile('running');
    fabricDir('fabric-a', 1003);

    const r = await runAll();

    expect(r.outcome).toMatchObject({ kind: 'failed' });
    expect(r.errors.join('\n')).toMatch(/hedgehog-fabric: fabric fabric-b withheld \(nothing of it is created, updated or deleted\): \/hedgehog\/fabric-b\.yml source\.git: cannot fetch git:https:\/\/127\.0\.0\.1:1\/fabric-b\.git@main/);
    expect(await liveState()).toEqual({ phase: 'two', cpu: '3', runStrategy: 'Always' });
    expect(await firstVlan(A)).toBe(1003);
    // Not one of fabric-b's objects was deleted or changed, and none is planned as "not desired anymore".
    expect(await rvs(B)).toEqual(before);
    expect(r.results).not.toMatch(/not desired anymore/);

    const status = await cli(fabricStatusCommand, { output: 'json' });
    const fabrics = (JSON.parse(status.results) as { fabrics: { fabric: string; state: string; read: boolean; driftCount: number | null; errors: string[] }[] }).fabrics;
    expect(fabrics.map((f) => [f.fabric, f.state, f.read, f.driftCount])).toEqual([['fabric-a', 'in_sync', true, 0], ['fabric-b', 'error', false, null]]);
    expect(fabrics[1]?.errors.join('\n')).toMatch(/cannot fetch git:https:\/\/127\.0\.0\.1:1\/fabric-b\.git@main/);
    expect(status.outcome).toEqual({ kind: 'failed', errors: 1 });
  });

  it('a webhook-rule violation in fabric-b fails only fabric-b', async () => {
    const before = await rvs(B);
    fabricFile('fabric-b', B, ['directory: hedgehog/fabric-b']);
    fabricDir('fabric-b', 3500);
    namespaceFile('three', 3);

    const r = await runAll();

    expect(r.outcome).toMatchObject({ kind: 'failed' });
    expect(r.errors.join('\n')).toMatch(/fabric fabric-b withheld .*3500/);
    expect((await liveState()).phase).toBe('three');
    expect(await rvs(B)).toEqual(before);
  });

  it('once repaired, fabric-b converges again', async () => {
    fabricDir('fabric-b', 1004);
    const r = await runAll();
    expect(r.errors).toEqual([]);
    expect(await firstVlan(B)).toBe(1004);
  });
});

describe('fabric-status on a cluster it cannot read', () => {
  it('shows drift as not read and writes no drift gauge for it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kontract-it-notread-'));
    try {
      cpSync(path.join(SAMPLE_ROOT, 'hedgehog'), path.join(dir, 'hedgehog'), { recursive: true });
      mkdirSync(path.join(dir, 'clusters'));
      writeFileSync(path.join(dir, 'clusters', 'gone.yml'), ['$schema: /openshift/cluster-1.yml', 'labels: {}', 'name: gone', 'description: nobody listens', 'serverUrl: https://127.0.0.1:1',
        'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid', 'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []', ''].join('\n'));
      writeFileSync(path.join(dir, 'clusters', 'gone-kontract.yml'), ['$schema: /kontract/cluster-1.yml', 'cluster:', '  $ref: /clusters/gone.yml', 'auth:', '  tokenEnv: GONE_TOKEN', ''].join('\n'));
      const f = path.join(dir, 'hedgehog', 'fabric-1.yml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('/openshift/dev-1/cluster.yml', '/clusters/gone.yml'));
      const metricsFile = path.join(dir, 'fabric.prom');
      const results: string[] = [];
      const outcome = await fabricStatusCommand.run({ 'app-interface': dir, output: 'json', 'metrics-file': metricsFile, 'log-level': 'info', 'log-format': 'text', 'detailed-exitcode': false },
        { reporter: { log: () => undefined, result: (t) => { results.push(t); } }, env: { GONE_TOKEN: 'x' }, cwd: dir, signal: new AbortController().signal });
      const [s] = (JSON.parse(results.join('')) as { fabrics: { state: string; read: boolean; driftCount: number | null; drift: unknown[] }[] }).fabrics;
      expect(s).toMatchObject({ state: 'unreachable', read: false, driftCount: null, drift: [] });
      expect(outcome).toEqual({ kind: 'failed', errors: 1 });
      expect(readFileSync(metricsFile, 'utf8')).not.toMatch(/kontract_fabric_drift_objects\{/);
      const text: string[] = [];
      await fabricStatusCommand.run({ 'app-interface': dir, 'log-level': 'info', 'log-format': 'text', 'detailed-exitcode': false },
        { reporter: { log: () => undefined, result: (t) => { text.push(t); } }, env: { GONE_TOKEN: 'x' }, cwd: dir, signal: new AbortController().signal });
      expect(text.join('\n')).toMatch(/^fabric fabric-1 \(cluster gone, hedgehog\/fabric-1\): unreachable, drift not read, last sync unknown$/m);
      expect(text.join('\n')).toMatch(/^ {2}VPC +desired +2 {2}drifted not read$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
