/**
 * hedgehog-fabric on a real kube-apiserver with the upstream Hedgehog CRDs: converge the sample
 * fabric, idempotence, drift detected by dry-run and corrected by a wet run, ordered deletion of
 * a VPC with attachments, validation errors with no writes, an immutable connection type, and a
 * git repository source at a ref.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fabricStatusCommand } from '../../../src/cli/commands/fabric-status.js';
import { runCommand } from '../../../src/cli/commands/run.js';
import { isValidationError } from '../../../src/core/errors.js';
import { INTEGRATION_LABEL } from '../../../src/resource-inventory/ownership.js';
import type { Doc } from '../../unit/hedgehog/support.js';
import { SAMPLE_FABRIC_DIR, SAMPLE_ROOT, fabric, sampleDocs } from '../../unit/hedgehog/support.js';
import { testClusters } from '../support/clusters.js';
import {
  dataWith, deleteAllFabricObjects, installUpstreamCrds, liveNames, patchFabricObject, readFabricObject, runFabric,
} from './hedgehog-fabric-harness.js';

const C = 'dev-1';
const tmp = path.join(os.tmpdir(), `kontract-it-hh-${String(process.pid)}`);

function writeDocs(dir: string, docs: readonly Doc[]): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'fabric.yaml'), docs.map((d) => yaml.dump(d)).join('---\n'));
  return dir;
}

describe('hedgehog-fabric on a real cluster', () => {
  const sampleData = dataWith(C, [fabric(SAMPLE_FABRIC_DIR)]);

  beforeAll(async () => {
    await installUpstreamCrds(C);
    await deleteAllFabricObjects(C);
    mkdirSync(tmp, { recursive: true });
  });

  afterAll(async () => {
    await deleteAllFabricObjects(C);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('converges the sample fabric in dependency order', async () => {
    const r = await runFabric(sampleData, false);

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toHaveLength(14);
    expect(r.changes.every((c) => c.startsWith('create '))).toBe(true);
    const kinds = r.changes.map((c) => c.split(' ')[1]);
    expect(kinds.lastIndexOf('VLANNamespace')).toBeLessThan(kinds.indexOf('Switch'));
    expect(kinds.lastIndexOf('Switch')).toBeLessThan(kinds.indexOf('Server'));
    expect(kinds.lastIndexOf('Server')).toBeLessThan(kinds.indexOf('Connection'));
    expect(kinds.lastIndexOf('Connection')).toBeLessThan(kinds.indexOf('VPC'));
    expect(kinds.lastIndexOf('VPC')).toBeLessThan(kinds.indexOf('VPCAttachment'));
    expect(await liveNames(C, 'Switch')).toEqual(['leaf-01', 'leaf-02', 'spine-01']);
    const vpc = await readFabricObject(C, 'VPC', 'vpc-1');
    expect(vpc?.metadata.labels?.[INTEGRATION_LABEL]).toBe('hedgehog-fabric');
    expect(vpc?.spec).toMatchObject({ subnets: { backend: { subnet: '10.0.2.0/24', vlan: 1002 } } });
  });

  it('sends no write on a second run and reports the fabric in sync', async () => {
    const r = await runFabric(sampleData, false);
    expect(r.result.outcome).toBe('ok');
    expect(r.changes).toEqual([]);
    expect(r.writes).toBe(0);
    const [s] = r.statuses;
    expect(s).toMatchObject({ fabric: 'fabric-1', cluster: C, reachable: true, state: 'in_sync', driftCount: 0 });
    expect(s?.kinds.Connection).toEqual({ desired: 4, drifted: 0 });
  });

  it('detects an out-of-band edit on dry-run and corrects it on the next wet run', async () => {
    // GIVEN someone edits a managed VPC directly
    await patchFabricObject(C, 'VPC', 'vpc-1', { spec: { subnets: { backend: { vlan: 1999 } } } });

    // WHEN dry-running
    const dry = await runFabric(sampleData, 'client');
    // THEN the fabric shows drift: one object, with the field diff, and nothing was written
    expect(dry.writes).toBe(0);
    const [s] = dry.statuses;
    expect(s?.state).toBe('drift_detected');
    expect(s?.driftCount).toBe(1);
    expect(s?.kinds.VPC).toEqual({ desired: 1, drifted: 1 });
    expect(s?.drift).toEqual([expect.objectContaining({
      kind: 'VPC', name: 'vpc-1', action: 'update', blocked: false,
      changes: [{ path: 'spec.subnets.backend.vlan', op: 'replace', before: 1999, after: 1002 }],
    })]);

    // WHEN running wet THEN exactly that object is corrected
    const wet = await runFabric(sampleData, false);
    expect(wet.changes).toEqual(['update VPC vpc-1']);
    expect(wet.writes).toBe(1);
    expect((await readFabricObject(C, 'VPC', 'vpc-1'))?.spec).toMatchObject({ subnets: { backend: { vlan: 1002 } } });
    expect((await runFabric(sampleData, 'client')).statuses[0]?.state).toBe('in_sync');
  });

  it('ignores labels the fabric controller writes', async () => {
    await patchFabricObject(C, 'VPC', 'vpc-1', { metadata: { labels: { 'fabric.githedgehog.com/ipv4ns': 'default', 'fabric.githedgehog.com/vlanns': 'default' } } });
    const r = await runFabric(sampleData, 'client');
    expect(r.changes).toEqual([]);
    expect(r.statuses[0]?.state).toBe('in_sync');
  });

  it('refuses broken references and webhook-rule violations before any write', async () => {
    const docs = sampleDocs();
    const att = docs.find((d) => d.metadata.name === 'server-02--vpc-1--backend');
    if (att?.spec === undefined) throw new Error('sample changed');
    att.spec.subnet = 'vpc-1/frontend';
    const vpc = docs.find((d) => d.kind === 'VPC');
    ((vpc?.spec?.subnets as Record<string, Record<string, unknown>> | undefined)?.default ?? {}).gateway = '10.9.9.9';
    const dir = writeDocs(path.join(tmp, 'broken'), docs);
    const before = (await readFabricObject(C, 'VPC', 'vpc-1'))?.metadata.resourceVersion;

    const err: unknown = await runFabric(dataWith(C, [fabric(dir)]), false).catch((e: unknown) => e);

    expect(isValidationError(err)).toBe(true);
    const problems = isValidationError(err) ? err.problems : [];
    expect(problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: `${dir}/fabric.yaml#13`, field: 'spec.subnet', message: 'VPCAttachment server-02--vpc-1--backend: VPC vpc-1 has no subnet frontend' }),
      expect.objectContaining({ file: `${dir}/fabric.yaml#11`, field: 'spec.subnets.default.gateway', message: expect.stringMatching(/10\.9\.9\.9 is not inside subnet 10\.0\.1\.0\/24/) as unknown }),
    ]));
    expect((await readFabricObject(C, 'VPC', 'vpc-1'))?.metadata.resourceVersion).toBe(before);
  });

  it('refuses to change a connection type in place and applies nothing to it', async () => {
    const docs = sampleDocs();
    const conn = docs.find((d) => d.metadata.name === 'server-01--unbundled--leaf-01');
    if (conn === undefined) throw new Error('sample changed');
    conn.spec = { bundled: { links: [{ server: { port: 'server-01/enp2s1' }, switch: { port: 'leaf-01/E1/1' } }] } };
    const dir = writeDocs(path.join(tmp, 'retype'), docs);

    const r = await runFabric(dataWith(C, [fabric(dir)]), false);

    expect(r.writes).toBe(0);
    expect(r.result.errors).toEqual([expect.objectContaining({ code: 'E_SAFETY', message: expect.stringMatching(/Connection.*server-01--unbundled--leaf-01: refused: immutable field\(s\) spec\.bundled/) as unknown })]);
    expect((await readFabricObject(C, 'Connection', 'server-01--unbundled--leaf-01'))?.spec).toHaveProperty('unbundled');
    expect(r.statuses[0]?.drift).toEqual([expect.objectContaining({ kind: 'Connection', blocked: true })]);
  });

  it('deletes the attachments before the VPC they use', async () => {
    const docs = sampleDocs().filter((d) => d.kind !== 'VPC' && d.kind !== 'VPCAttachment');
    const dir = writeDocs(path.join(tmp, 'no-vpc'), docs);

    const r = await runFabric(dataWith(C, [fabric(dir)]), false);

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual(['delete VPCAttachment server-01--vpc-1--default', 'delete VPCAttachment server-02--vpc-1--backend', 'delete VPC vpc-1']);
    expect(r.deletes.slice(0, 2).sort()).toEqual(['VPCAttachment server-01--vpc-1--default', 'VPCAttachment server-02--vpc-1--backend']);
    expect(r.deletes[2]).toBe('VPC vpc-1');
    expect(await liveNames(C, 'VPC')).toEqual([]);
    expect(await liveNames(C, 'VPCAttachment')).toEqual([]);
    expect(await liveNames(C, 'Connection')).toHaveLength(4);
  });

  it('applies a git repository source at a given ref', async () => {
    // GIVEN a repository whose tag v1 holds the full sample and whose main lacks the VPC
    const repo = path.join(tmp, 'repo');
    const bare = path.join(tmp, 'fabric.git');
    const gitEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp };
    const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, env: gitEnv, encoding: 'utf8' }).trim();
    mkdirSync(repo, { recursive: true });
    git(tmp, 'init', '-q', '--bare', bare);
    git(repo, 'init', '-q');
    cpSync(SAMPLE_FABRIC_DIR, path.join(repo, 'fabric'), { recursive: true });
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'full fabric');
    git(repo, 'tag', 'v1');
    rmSync(path.join(repo, 'fabric', '50-vpcs.yaml'));
    git(repo, 'commit', '-q', '-am', 'drop the VPC');
    git(repo, 'push', '-q', bare, 'main', '--tags');
    const atRef = (ref: string): ReturnType<typeof dataWith> => dataWith(C, [fabric('', { source: { kind: 'git', url: bare, ref, path: 'fabric' } })]);
    const opts = { env: gitEnv, gitCacheDir: path.join(tmp, 'git-cache') };

    // WHEN reconciling at v1 THEN the VPC and its attachments come back
    const v1 = await runFabric(atRef('v1'), false, opts);
    expect(v1.result.errors).toEqual([]);
    expect(v1.changes).toEqual(['create VPC vpc-1', 'create VPCAttachment server-01--vpc-1--default', 'create VPCAttachment server-02--vpc-1--backend']);
    expect(v1.statuses[0]?.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(v1.statuses[0]?.source).toBe(`git:${bare}@v1:fabric`);
    // AND main (without the VPC) is what the cluster would converge to next
    const main = await runFabric(atRef('main'), 'client', opts);
    expect(main.statuses[0]).toMatchObject({ state: 'drift_detected', driftCount: 3 });
    expect(main.writes).toBe(0);
  });

  it('fabric-status prints per-fabric JSON from the sample app-interface and writes the drift gauge', async () => {
    // the previous test left the cluster at the sample's state (tag v1); now drift one Server
    await patchFabricObject(C, 'Server', 'server-01', { spec: { description: 'moved by hand' } });
    const results: string[] = [];
    const metricsFile = path.join(tmp, 'fabric.prom');
    const outcome = await fabricStatusCommand.run({
      'app-interface': SAMPLE_ROOT, kubeconfig: testClusters().kubeconfig, output: 'json', fabric: ['fabric-1'], 'metrics-file': metricsFile,
      'log-level': 'info', 'log-format': 'text', 'detailed-exitcode': false,
    }, { reporter: { log: () => undefined, result: (t) => { results.push(t); } }, env: {}, cwd: tmp, signal: new AbortController().signal });

    expect(outcome).toEqual({ kind: 'changes', count: 1 });
    const { fabrics } = JSON.parse(results.join('')) as { fabrics: { fabric: string; state: string; reachable: boolean; driftCount: number; lastSync?: string; drift: { kind: string; name: string; changes: { path: string }[] }[] }[] };
    expect(fabrics).toHaveLength(1);
    expect(fabrics[0]).toMatchObject({ fabric: 'fabric-1', reachable: true, state: 'drift_detected', driftCount: 1 });
    expect(fabrics[0]?.drift).toEqual([expect.objectContaining({ kind: 'Server', name: 'server-01', changes: [expect.objectContaining({ path: 'spec.description' })] })]);
    // lastSync: the time of kontract's last Apply (ClusterClient keeps just that of managedFields);
    // the earlier tests applied the fabric within this run of the suite
    expect(fabrics[0]?.lastSync).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.now() - Date.parse(fabrics[0]?.lastSync ?? '')).toBeLessThan(3_600_000);
    const prom = readFileSync(metricsFile, 'utf8');
    expect(prom).toContain('kontract_fabric_drift_objects{fabric="fabric-1",kind="Server"} 1');
    expect(prom).toContain('kontract_fabric_drift_objects{fabric="fabric-1",kind="VPC"} 0');
    // read-only: the hand edit is still there
    expect((await readFabricObject(C, 'Server', 'server-01'))?.spec).toEqual({ description: 'moved by hand' });
  });

  it('a normal run records kontract_fabric_drift_objects in --metrics-file and logs the integration warnings', async () => {
    // the Server edited by hand in the previous test is still drifted
    const metricsFile = path.join(tmp, 'run.prom');
    const planFile = path.join(tmp, 'plan.json');
    const logs: { level: string; message: string }[] = [];
    const outcome = await runCommand.run({
      integrations: ['hedgehog-fabric'], 'app-interface': SAMPLE_ROOT, kubeconfig: testClusters().kubeconfig, 'dry-run': '', cluster: [C],
      'metrics-file': metricsFile, 'plan-file': planFile, 'log-level': 'info', 'log-format': 'text', 'detailed-exitcode': false,
    }, { reporter: { log: (level, message) => { logs.push({ level, message }); }, result: () => undefined }, env: {}, cwd: tmp, signal: new AbortController().signal });

    expect(outcome).toEqual({ kind: 'changes', count: 1 });
    const prom = readFileSync(metricsFile, 'utf8');
    expect(prom).toContain('kontract_fabric_drift_objects{fabric="fabric-1",kind="Server",shard="0",shards="1",mode="dry-run"} 1');
    expect(prom).toContain('kontract_fabric_drift_objects{fabric="fabric-1",kind="VPC",shard="0",shards="1",mode="dry-run"} 0');
    expect(prom).toContain('kontract_desired_objects{integration="hedgehog-fabric",cluster="dev-1",kind="Server.wiring.githedgehog.com",shard="0",shards="1",mode="dry-run"} 2');
    // the sample fabric has no warnings: none logged, no `warnings` key in the plan
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
    expect(JSON.parse(readFileSync(planFile, 'utf8'))).not.toHaveProperty('warnings');
  });

  it('integration warnings (stripped controller labels) are logged and listed in the plan', async () => {
    const docs = sampleDocs();
    const vpc = docs.find((d) => d.kind === 'VPC');
    if (vpc === undefined) throw new Error('sample changed');
    vpc.metadata.labels = { ...(vpc.metadata.labels as Record<string, string> | undefined), 'fabric.githedgehog.com/vlanns': 'default' };
    const dir = writeDocs(path.join(tmp, 'labelled'), docs);
    const logs: { level: string; message: string }[] = [];
    const r = await runFabric(dataWith(C, [fabric(dir)]), 'client', {}, (level, message) => { logs.push({ level, message }); });
    expect(r.result.plan.warnings).toEqual([expect.objectContaining({ integration: 'hedgehog-fabric', file: `${dir}/fabric.yaml#11`, field: 'metadata.labels.fabric.githedgehog.com/vlanns', message: expect.stringContaining('owned by the fabric controller') as unknown })]);
    expect(logs).toContainEqual({ level: 'warn', message: expect.stringContaining('fabric.githedgehog.com/vlanns') as unknown });
  });
});
