/**
 * deploy/kubernetes against a real apiserver (dev-1 for the manifests, prod-1/prod-2 for the run):
 * - `kubectl kustomize` of the base and every overlay, each object accepted by a server-side
 *   dry-run apply (the Namespace is created for real first);
 * - base/rbac.yaml is exactly what `kontract rbac --all --service-account kontract/kontract` prints
 *   (its Lease Role stays in kube-system, the default lock namespace the CronJobs use);
 * - the sharded CronJob's container — its exact command line and env, plus what Kubernetes adds to
 *   an Indexed Job pod (JOB_COMPLETION_INDEX) — run locally once per shard: the in-cluster service
 *   URLs are mapped to a local `kontract serve` and a local Pushgateway, the pod's credentials to
 *   KUBECONFIG, and the run is confined with --namespace to this test's namespaces (plus
 *   --plan-file to read what each shard did). The shards together create every object exactly once.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, kontract, writeTree } from './support/cli.js';
import { kubeConfigFor, testCluster, testClusters, uniqueName } from './support/clusters.js';
import { applyObjects } from './support/objects.js';
import { clusterFiles, namespaceFile } from './support/app-interface.js';
import { freePort, startPushgateway, waitReady } from './support/pushgateway.js';

const DEPLOY = join(ROOT, 'deploy', 'kubernetes');

interface Obj { readonly apiVersion: string; readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string }; readonly [k: string]: unknown }
interface Container { readonly command: string[]; readonly args: string[]; readonly env?: { name: string; value: string }[] }
interface CronJob extends Obj { readonly spec: { readonly concurrencyPolicy: string; readonly jobTemplate: { readonly spec: { backoffLimit?: number; completionMode?: string; completions?: number; template: { spec: { containers: Container[] } } } } } }

function kubectl(args: readonly string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = execFile(join(testClusters().binDir, 'kubectl'), ['--kubeconfig', testClusters().kubeconfig, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      res({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
    if (input !== undefined) p.stdin?.end(input);
  });
}

async function build(dir: string): Promise<Obj[]> {
  const r = await kubectl(['kustomize', join(DEPLOY, dir)]);
  expect(r.code, r.stderr).toBe(0);
  return (loadAll(r.stdout) as Obj[]).filter((o) => typeof o === 'object');
}

const KUSTOMIZATIONS = ['base', ...readdirSync(join(DEPLOY, 'overlays')).map((o) => `overlays/${o}`)];

describe('deploy/kubernetes manifests', () => {
  it.each(KUSTOMIZATIONS)('%s: kustomize builds and the apiserver accepts every object (server-side dry-run)', async (dir) => {
    const objects = await build(dir);
    expect(objects.length).toBeGreaterThan(3);
    const ns = objects.find((o) => o.kind === 'Namespace');
    if (ns !== undefined) await applyObjects('dev-1', [ns]);
    const yaml = objects.map((o) => JSON.stringify(o)).join('\n');
    const r = await kubectl(['--context', 'dev-1', 'apply', '--server-side', '--dry-run=server', '--field-manager', 'kontract-deploy-test', '-f', '-'], yaml);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(objects.length);
    for (const cj of objects.filter((o): o is CronJob => o.kind === 'CronJob')) {
      expect(cj.spec.concurrencyPolicy).toBe('Forbid');
      expect(cj.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, template: { spec: { securityContext: { runAsNonRoot: true }, containers: [{ securityContext: { readOnlyRootFilesystem: true }, volumeMounts: expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }]) as unknown }] } } });
      expect(cj.spec.jobTemplate.spec.template.spec.containers[0]?.env).toContainEqual({ name: 'HOME', value: '/tmp' });
      expect(cj.spec.jobTemplate.spec.template.spec.containers[0]?.args).not.toContain('--lock-namespace');
    }
  });

  it('base/rbac.yaml is what `kontract rbac --all` prints (the Lease Role in kube-system, the default lock namespace)', async () => {
    const r = await kontract(['rbac', '--all', '--service-account', 'kontract/kontract']);
    expect(r.code, r.stderr).toBe(0);
    expect(loadAll(readFileSync(join(DEPLOY, 'base', 'rbac.yaml'), 'utf8'))).toEqual(loadAll(r.stdout));
    // and kustomize keeps it there
    const built = await build('base');
    expect(built.find((o) => o.kind === 'Role')?.metadata.namespace).toBe('kube-system');
  });
});

describe('the sharded Job, run locally shard by shard', () => {
  const names = Array.from({ length: 12 }, (_, i) => uniqueName(`shard${i}`));
  const children: ChildProcess[] = [];
  const stops: (() => void)[] = [];
  let serveUrl = '';
  let gatewayUrl = '';
  let ai = '';

  beforeAll(async () => {
    const files: Record<string, string> = {};
    for (const c of ['prod-1', 'prod-2']) {
      Object.assign(files, clusterFiles(c, testCluster(c).server, [`kubeconfigContext: ${c}`]));
    }
    names.forEach((n, i) => {
      files[`namespaces/${n}.yml`] = namespaceFile(n, i % 2 === 0 ? 'prod-1' : 'prod-2');
    });
    ai = writeTree(mkdtempSync(join(tmpdir(), 'kontract-shardjob-')), files);
    const servePort = await freePort();
    serveUrl = `http://127.0.0.1:${servePort}`;
    children.push(spawn(process.execPath, [BIN, 'serve', '--app-interface', ai, '--port', String(servePort)], { stdio: 'ignore', env: { PATH: process.env.PATH } }));
    const gateway = await startPushgateway();
    stops.push(gateway.stop);
    gatewayUrl = gateway.url;
    await waitReady(`${serveUrl}/sha256`);
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    for (const stop of stops) stop();
    for (const [i, n] of names.entries()) {
      await kubeConfigFor(i % 2 === 0 ? 'prod-1' : 'prod-2').makeApiClient(CoreV1Api).deleteNamespace({ name: n }).catch(() => undefined);
    }
  });

  it('every shard reconciles its part; together they create every namespace exactly once', async () => {
    const cronJob = (await build('overlays/sharded')).find((o): o is CronJob => o.kind === 'CronJob' && o.metadata.name === 'kontract-core');
    expect(cronJob).toBeDefined();
    const jobSpec = cronJob?.spec.jobTemplate.spec;
    expect(jobSpec?.completionMode).toBe('Indexed');
    const shards = jobSpec?.completions ?? 0;
    expect(shards).toBe(3);
    const container = jobSpec?.template.spec.containers[0];
    expect(container?.command).toEqual(['kontract']);
    const podEnv = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
    // the manifest's in-cluster URLs, mapped to their local stand-ins
    const urls: Record<string, string> = {
      'http://app-interface.kontract.svc:4000/graphql': `${serveUrl}/graphql`,
      'http://pushgateway.monitoring.svc:9091': gatewayUrl,
    };
    const args = (container?.args ?? []).map((a) => urls[a] ?? a);
    expect(args).toContain(`${serveUrl}/graphql`);
    expect(args).toContain(gatewayUrl);
    const out = mkdtempSync(join(tmpdir(), 'kontract-shardjob-plans-'));
    const created: string[][] = [];
    for (let index = 0; index < shards; index++) {
      const planFile = join(out, `plan-${index}.json`);
      const r = await kontract([...args, ...names.flatMap((n) => ['--namespace', n]), '--plan-file', planFile],
        { ...podEnv, JOB_COMPLETION_INDEX: String(index), KUBECONFIG: testClusters().kubeconfig });
      expect(r.code, r.stderr).toBe(0);
      const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { changes: { action: string; kind: string; name: string }[] };
      created.push(plan.changes.filter((c) => c.action === 'create' && c.kind === 'Namespace').map((c) => c.name));
    }
    // disjoint shards covering every namespace
    expect(created.flat().sort()).toEqual([...names].sort());
    expect(created.filter((c) => c.length > 0).length).toBeGreaterThan(1);
    // and every shard pushed its own metrics group
    const body = await (await fetch(`${gatewayUrl}/api/v1/metrics`)).json() as { data: { labels: Record<string, string> }[] };
    expect(body.data.map((g) => `${g.labels.shard}/${g.labels.shards} ${g.labels.mode}`).sort()).toEqual(['0/3 wet', '1/3 wet', '2/3 wet']);
    // the objects exist
    for (const [i, n] of names.entries()) {
      await expect(kubeConfigFor(i % 2 === 0 ? 'prod-1' : 'prod-2').makeApiClient(CoreV1Api).readNamespace({ name: n })).resolves.toBeDefined();
    }
  });
});
