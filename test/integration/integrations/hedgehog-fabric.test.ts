/**
 * hedgehog-fabric on a real kube-apiserver with the upstream Hedgehog CRDs: converge the sample
 * fabric (all twelve kinds), idempotence, drift detected by dry-run and corrected by a wet run,
 * validation errors with no writes, an immutable connection type, one change to every kind,
 * deletion of every kind in reverse dependency order, and a git repository source at a ref.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fabricStatusCommand } from '../../../src/cli/commands/fabric-status.js';
import { runCommand } from '../../../src/cli/commands/run.js';
import { INTEGRATION_LABEL } from '../../../src/resource-inventory/ownership.js';
import type { Doc } from '../../unit/hedgehog/support.js';
import { SAMPLE_FABRIC_DIR, SAMPLE_ROOT, fabric, find, indexOf, sampleDocs } from '../../unit/hedgehog/support.js';
import { testClusters } from '../support/clusters.js';
import {
  createFabricObjectByHand, dataWith, deleteAllFabricObjects, installUpstreamCrds, liveNames, patchFabricObject, readFabricObject, runFabric,
} from './hedgehog-fabric-harness.js';

const C = 'dev-1';
/** The twelve kinds by apply stage (README: Kinds and apply order). */
const STAGE: Readonly<Record<string, number>> = {
  VLANNamespace: 50, IPv4Namespace: 50, SwitchGroup: 51, Switch: 52, Server: 53, Connection: 54, VPC: 55, External: 55,
  VPCAttachment: 56, VPCPeering: 56, ExternalAttachment: 56, ExternalPeering: 56,
};
const stages = (changes: readonly string[]): number[] => changes.map((c) => STAGE[c.split(' ')[1] ?? ''] ?? -1);
const ascending = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || (xs[i - 1] ?? 0) <= x);
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

  it('converges the sample fabric, all twelve kinds, in dependency order', async () => {
    const r = await runFabric(sampleData, false);

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toHaveLength(24);
    expect(r.changes.every((c) => c.startsWith('create '))).toBe(true);
    expect(new Set(r.changes.map((c) => c.split(' ')[1]))).toEqual(new Set(Object.keys(STAGE)));
    expect(ascending(stages(r.changes))).toBe(true);
    expect(await liveNames(C, 'Switch')).toEqual(['border-01', 'leaf-01', 'leaf-02', 'spine-01']);
    expect(await liveNames(C, 'SwitchGroup')).toEqual(['border', 'spare']);
    expect(await liveNames(C, 'External')).toEqual(['edge']);
    expect(await liveNames(C, 'ExternalAttachment')).toEqual(['border-01--edge']);
    expect(await liveNames(C, 'ExternalPeering')).toEqual(['vpc-1--edge']);
    expect(await liveNames(C, 'VPCPeering')).toEqual(['vpc-1--vpc-2']);
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
    expect(s?.kinds.Connection).toEqual({ desired: 6, drifted: 0 });
    expect(s?.kinds.ExternalPeering).toEqual({ desired: 1, drifted: 0 });
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
    expect(s?.kinds.VPC).toEqual({ desired: 2, drifted: 1 });
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

  it('refuses broken references and webhook-rule violations: the fabric fails alone, nothing written', async () => {
    const docs = sampleDocs();
    const att = docs.find((d) => d.metadata.name === 'server-02--vpc-1--backend');
    if (att?.spec === undefined) throw new Error('sample changed');
    att.spec.subnet = 'vpc-1/frontend';
    const vpc = docs.find((d) => d.kind === 'VPC');
    ((vpc?.spec?.subnets as Record<string, Record<string, unknown>> | undefined)?.default ?? {}).gateway = '10.9.9.9';
    const dir = writeDocs(path.join(tmp, 'broken'), docs);
    const before = (await readFabricObject(C, 'VPC', 'vpc-1'))?.metadata.resourceVersion;

    const r = await runFabric(dataWith(C, [fabric(dir)]), false);

    // The fabric is a blocked unit: the run fails (one error naming it), nothing of it is written or deleted.
    expect(r.writes).toBe(0);
    expect(r.deletes).toEqual([]);
    expect(r.result.errors).toEqual([expect.objectContaining({ cluster: C, code: 'E_VALIDATION', message: expect.stringMatching(/^hedgehog-fabric: fabric fabric-1 withheld/) as unknown })]);
    expect(r.statuses[0]).toMatchObject({ state: 'error', read: false, driftCount: null });
    const problems = r.statuses[0]?.errors ?? [];
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`^E_VALIDATION: ${dir}/fabric\\.yaml#${String(indexOf(docs, 'VPCAttachment', 'server-02--vpc-1--backend'))}:\\d+ spec\\.subnet: VPCAttachment server-02--vpc-1--backend: VPC vpc-1 has no subnet frontend$`)) as unknown,
      expect.stringMatching(new RegExp(`^E_VALIDATION: ${dir}/fabric\\.yaml#${String(indexOf(docs, 'VPC', 'vpc-1'))}:\\d+ spec\\.subnets\\.default\\.gateway: .*10\\.9\\.9\\.9 is not inside subnet 10\\.0\\.1\\.0/24`)) as unknown,
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

  it('applies one change to every kind, in dependency order, and nothing else', async () => {
    const docs = sampleDocs();
    const spec = (kind: string, name: string): Record<string, unknown> => {
      const d = find(docs, kind, name);
      d.spec ??= {};
      return d.spec;
    };
    spec('VLANNamespace', 'default').ranges = [{ from: 100, to: 199 }, { from: 1000, to: 2999 }];
    spec('IPv4Namespace', 'default').subnets = ['10.0.0.0/16', '10.1.0.0/16'];
    find(docs, 'SwitchGroup', 'spare').metadata.labels = { tier: 'spare' };
    spec('Switch', 'leaf-02').description = 'leaf-02 (rack 2)';
    spec('Server', 'server-02').description = 'U leaf-02/E1/1 (db)';
    spec('Connection', 'spine-01--fabric--border-01').fabric = { links: [{ spine: { port: 'spine-01/E1/3', ip: '172.30.128.6/31' }, leaf: { port: 'border-01/E1/47', ip: '172.30.128.7/31' } }] };
    ((spec('VPC', 'vpc-2').subnets as Record<string, Record<string, unknown>>).default ?? {}).vlan = 1004;
    spec('External', 'edge').outboundCommunity = '5000:65103';
    spec('VPCAttachment', 'server-01--vpc-1--default').nativeVLAN = true;
    spec('VPCPeering', 'vpc-1--vpc-2').permit = [{ 'vpc-1': { subnets: ['default'] }, 'vpc-2': {} }];
    spec('ExternalAttachment', 'border-01--edge').neighbor = { asn: 65102, ip: '100.100.0.7' };
    spec('ExternalPeering', 'vpc-1--edge').permit = { vpc: { name: 'vpc-1', subnets: ['default', 'backend'] }, external: { name: 'edge', prefixes: [{ prefix: '0.0.0.0/0' }] } };
    const dir = writeDocs(path.join(tmp, 'changed'), docs);

    const r = await runFabric(dataWith(C, [fabric(dir)]), false);

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toHaveLength(12);
    expect(r.changes.every((c) => c.startsWith('update '))).toBe(true);
    expect(new Set(r.changes.map((c) => c.split(' ')[1]))).toEqual(new Set(Object.keys(STAGE)));
    expect(ascending(stages(r.changes))).toBe(true);
    expect(r.writes).toBe(12);
    expect((await readFabricObject(C, 'ExternalAttachment', 'border-01--edge'))?.spec).toMatchObject({ neighbor: { ip: '100.100.0.7' } });
    expect((await runFabric(dataWith(C, [fabric(dir)]), false)).writes).toBe(0);
  });

  it('deletes every kind in reverse dependency order: attachments and peerings before VPCs and Externals, namespaces last', async () => {
    const docs = sampleDocs().filter((d) => STAGE[d.kind] === 50);
    const dir = writeDocs(path.join(tmp, 'namespaces-only'), docs);
    const r = await runFabric(dataWith(C, [fabric(dir)]), false);

    expect(r.result.errors).toEqual([]);
    // the namespaces stay, back at the sample's spec (the previous test changed them)
    expect(r.changes.filter((c) => !c.startsWith('delete '))).toEqual(['update IPv4Namespace default', 'update VLANNamespace default']);
    const deletes = r.changes.filter((c) => c.startsWith('delete '));
    expect(deletes).toHaveLength(22);
    expect(ascending(stages(deletes).reverse())).toBe(true);
    expect(ascending(r.deletes.map((d) => STAGE[d.split(' ')[0] ?? ''] ?? -1).reverse())).toBe(true);
    expect(new Set(r.deletes.map((d) => d.split(' ')[0]))).toEqual(new Set(Object.keys(STAGE).filter((k) => STAGE[k] !== 50)));
    for (const kind of ['VPC', 'VPCAttachment', 'VPCPeering', 'External', 'ExternalAttachment', 'ExternalPeering', 'Connection', 'Switch', 'SwitchGroup', 'Server']) expect(await liveNames(C, kind)).toEqual([]);
    expect(await liveNames(C, 'VLANNamespace')).toEqual(['default']);
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
    rmSync(path.join(repo, 'fabric', '60-externals.yaml'));
    git(repo, 'commit', '-q', '-am', 'drop the VPCs and the external');
    git(repo, 'push', '-q', bare, 'main', '--tags');
    const atRef = (ref: string): ReturnType<typeof dataWith> => dataWith(C, [fabric('', { source: { kind: 'git', url: bare, ref, path: 'fabric' } })]);
    const opts = { env: gitEnv, gitCacheDir: path.join(tmp, 'git-cache') };

    // WHEN reconciling at v1 THEN everything but the namespaces (left by the previous test) comes back
    const v1 = await runFabric(atRef('v1'), false, opts);
    expect(v1.result.errors).toEqual([]);
    expect(v1.changes).toHaveLength(22);
    expect(v1.changes.every((c) => c.startsWith('create '))).toBe(true);
    expect(v1.statuses[0]?.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(v1.statuses[0]?.source).toBe(`git:${bare}@v1:fabric`);
    expect(Date.now() - Date.parse(v1.statuses[0]?.fetchedAt ?? '')).toBeLessThan(600_000);
    // AND main (without the VPCs and the external) is what the cluster would converge to next
    const main = await runFabric(atRef('main'), 'client', opts);
    expect(main.statuses[0]).toMatchObject({ state: 'drift_detected', driftCount: 8 });
    expect(main.writes).toBe(0);
  });

  it('fabric-status prints per-fabric and per-object JSON, unmanaged objects and the level, and writes the gauges', async () => {
    // the previous test left the cluster at the sample's state (tag v1); now drift one Server and
    // add two objects by hand (no kontract labels)
    await patchFabricObject(C, 'Server', 'server-01', { spec: { description: 'moved by hand' } });
    const byHand = await createFabricObjectByHand(C, { apiVersion: 'wiring.githedgehog.com/v1beta1', kind: 'SwitchGroup', metadata: { name: 'by-hand', namespace: 'default' }, spec: {} });
    await createFabricObjectByHand(C, { apiVersion: 'wiring.githedgehog.com/v1beta1', kind: 'Server', metadata: { name: 'server-by-hand', namespace: 'default' }, spec: { description: 'racked by hand' } });
    interface StatusJson { fabrics: {
      fabric: string; state: string; reachable: boolean; driftCount: number; lastSync?: string; level: string;
      counts: Record<string, number>; unmanaged: { count: number; objects: { kind: string; name: string }[] };
      objects: { kind: string; name: string; state: string; uid?: string; resourceVersion?: string; creationTimestamp?: string; lastApplied?: string }[];
      drift: { kind: string; name: string; changes: { path: string }[] }[];
    }[] }
    const status = async (extra: Record<string, unknown> = {}): Promise<{ outcome: unknown; json: StatusJson }> => {
      const results: string[] = [];
      const outcome = await fabricStatusCommand.run({
        'app-interface': SAMPLE_ROOT, kubeconfig: testClusters().kubeconfig, output: 'json', fabric: ['fabric-1'],
        'log-level': 'info', 'log-format': 'text', 'detailed-exitcode': false, ...extra,
      }, { reporter: { log: () => undefined, result: (t) => { results.push(t); } }, env: {}, cwd: tmp, signal: new AbortController().signal });
      return { outcome, json: JSON.parse(results.join('')) as StatusJson };
    };
    const metricsFile = path.join(tmp, 'fabric.prom');

    const { outcome, json: { fabrics } } = await status({ 'metrics-file': metricsFile });

    expect(outcome).toEqual({ kind: 'changes', count: 1 });
    expect(fabrics).toHaveLength(1);
    const f = fabrics[0];
    expect(f).toMatchObject({ fabric: 'fabric-1', reachable: true, state: 'drift_detected', driftCount: 1, level: 'warning', counts: { live: 23, drifted: 1, missing: 0, error: 0 } });
    expect(f?.drift).toEqual([expect.objectContaining({ kind: 'Server', name: 'server-01', changes: [expect.objectContaining({ path: 'spec.description' })] })]);
    // unmanaged: reported with count and names
    expect(f?.unmanaged).toEqual({ count: 2, objects: [{ kind: 'SwitchGroup', name: 'by-hand' }, { kind: 'Server', name: 'server-by-hand' }] });
    // per object: state, uid and resourceVersion as the apiserver has them, creation and kontract's apply time
    expect(f?.objects).toHaveLength(24);
    const server = f?.objects.find((o) => o.name === 'server-01');
    const live = await readFabricObject(C, 'Server', 'server-01');
    expect(server).toEqual({ kind: 'Server', name: 'server-01', state: 'drifted', uid: live?.metadata.uid, resourceVersion: live?.metadata.resourceVersion, creationTimestamp: live?.metadata.creationTimestamp, lastApplied: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) as string });
    expect(f?.objects.filter((o) => o.state === 'live').every((o) => o.uid !== undefined && o.lastApplied !== undefined)).toBe(true);
    // lastSync: the time of kontract's last Apply (ClusterClient keeps just that of managedFields);
    // the earlier tests applied the fabric within this run of the suite
    expect(f?.lastSync).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.now() - Date.parse(f?.lastSync ?? '')).toBeLessThan(3_600_000);
    const prom = readFileSync(metricsFile, 'utf8');
    expect(prom).toContain('kontract_fabric_drift_objects{fabric="fabric-1",kind="Server"} 1');
    expect(prom).toContain('kontract_fabric_drift_objects{fabric="fabric-1",kind="VPC"} 0');
    expect(prom).toContain('kontract_fabric_objects{fabric="fabric-1",state="drifted"} 1');
    expect(prom).toContain('kontract_fabric_objects{fabric="fabric-1",state="unmanaged"} 2');
    expect(prom).toContain('kontract_fabric_critical{fabric="fabric-1"} 0');
    // a lower threshold makes the same drift critical
    expect((await status({ 'critical-drift-share': 0.02 })).json.fabrics[0]?.level).toBe('critical');
    // read-only: the hand edit is still there
    expect((await readFabricObject(C, 'Server', 'server-01'))?.spec).toEqual({ description: 'moved by hand' });

    // a wet run corrects the managed Server and never touches the unmanaged objects
    const wet = await runFabric(sampleData, false);
    expect(wet.changes).toEqual(['update Server server-01']);
    expect(wet.deletes).toEqual([]);
    expect((await readFabricObject(C, 'SwitchGroup', 'by-hand'))?.metadata.resourceVersion).toBe(byHand.metadata.resourceVersion);
    expect(await liveNames(C, 'Server')).toEqual(['server-01', 'server-02', 'server-by-hand']);
    await patchFabricObject(C, 'Server', 'server-01', { spec: { description: 'moved by hand' } });
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
    expect(prom).toContain('kontract_desired_objects{integration="hedgehog-fabric",cluster="dev-1",kind="ExternalPeering.vpc.githedgehog.com",shard="0",shards="1",mode="dry-run"} 1');
    // the run's own object counts come from the plan: no live read, so no unmanaged series
    expect(prom).toContain('kontract_fabric_objects{fabric="fabric-1",state="drifted",shard="0",shards="1",mode="dry-run"} 1');
    expect(prom).toContain('kontract_fabric_objects{fabric="fabric-1",state="live",shard="0",shards="1",mode="dry-run"} 23');
    expect(prom).not.toContain('state="unmanaged"');
    expect(prom).toContain('kontract_fabric_critical{fabric="fabric-1",shard="0",shards="1",mode="dry-run"} 0');
    // the sample fabric has no warnings: none logged, no `warnings` key in the plan
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
    expect(JSON.parse(readFileSync(planFile, 'utf8'))).not.toHaveProperty('warnings');
  });

  it('integration warnings (stripped controller labels) are logged and listed in the plan', async () => {
    const docs = sampleDocs();
    const vpc = find(docs, 'VPC', 'vpc-1');
    vpc.metadata.labels = { ...(vpc.metadata.labels as Record<string, string> | undefined), 'fabric.githedgehog.com/vlanns': 'default' };
    const dir = writeDocs(path.join(tmp, 'labelled'), docs);
    const logs: { level: string; message: string }[] = [];
    const r = await runFabric(dataWith(C, [fabric(dir)]), 'client', {}, (level, message) => { logs.push({ level, message }); });
    expect(r.result.plan.warnings).toEqual([expect.objectContaining({ integration: 'hedgehog-fabric', file: `${dir}/fabric.yaml#${String(indexOf(docs, 'VPC', 'vpc-1'))}`, field: 'metadata.labels.fabric.githedgehog.com/vlanns', message: expect.stringContaining('owned by the fabric controller') as unknown })]);
    expect(logs).toContainEqual({ level: 'warn', message: expect.stringContaining('fabric.githedgehog.com/vlanns') as unknown });
  });
});
