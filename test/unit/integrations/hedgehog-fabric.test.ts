import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { createFabricSourceReader } from '../../../src/app-interface/hedgehog/sources.js';
import { desiredFabrics } from '../../../src/integrations/hedgehog-fabric/desired.js';
import { parseDocuments } from '../../../src/app-interface/hedgehog/documents.js';
import { connectionTypeChange, createHedgehogFabricIntegration } from '../../../src/integrations/hedgehog-fabric/integration.js';
import { FABRIC_KINDS, FABRIC_MANAGED_KINDS } from '../../../src/integrations/hedgehog-fabric/kinds.js';
import { markOwned } from '../../../src/resource-inventory/ownership.js';
import { ResourceInventory } from '../../../src/resource-inventory/inventory.js';
import { computePlan } from '../../../src/resource-inventory/planner.js';
import { SAMPLE_FABRIC_DIR, cleanupDirs, docsDir, fabric, fabricProblems, find, sampleDocs, tempDir } from '../hedgehog/support.js';

const sources = createFabricSourceReader({ env: {}, cwd: '/' });
afterEach(cleanupDirs);

describe('desiredFabrics (sample fabric)', () => {
  it('places every document of the GitOps directory on the fabric cluster in namespace default', async () => {
    const state = await desiredFabrics([fabric(SAMPLE_FABRIC_DIR)], sources);
    expect(state.problems).toEqual([]);
    expect(state.warnings).toEqual([]);
    expect(state.clusters).toEqual(['dev-1']);
    expect(state.objects).toHaveLength(24);
    expect(new Set(state.objects.map((o) => o.cluster))).toEqual(new Set(['dev-1']));
    expect(state.objects.every((o) => o.object.metadata.namespace === 'default')).toBe(true);
    const f = state.fabrics[0];
    expect(f?.counts).toEqual({ VLANNamespace: 1, IPv4Namespace: 1, SwitchGroup: 2, Switch: 4, Server: 2, Connection: 6, VPC: 2, External: 1, VPCAttachment: 2, VPCPeering: 1, ExternalAttachment: 1, ExternalPeering: 1 });
    // sources name file#document
    const vpc = state.objects.find((o) => o.object.kind === 'VPC');
    expect(vpc?.source).toBe(`${SAMPLE_FABRIC_DIR}/50-vpcs.yaml#0`);
    expect(state.objects.find((o) => o.object.metadata.name === 'server-02--vpc-1--backend')?.source).toBe(`${SAMPLE_FABRIC_DIR}/50-vpcs.yaml#2`);
  });

  it('covers only the clusters that run a fabric, and none without fabrics', async () => {
    const i = createHedgehogFabricIntegration(() => sources);
    const none = await i.buildDesired({ data: { sha: '', clusters: [], namespaces: [], quotas: [], limitRanges: [], roles: [], users: [], bots: [], tenants: [] }, env: {}, cwd: '/', now: new Date() });
    expect(none.objects).toEqual([]);
    expect(none.clusters).toEqual([]);
  });

  it('refuses two fabrics on one cluster and two fabrics with one name', async () => {
    const state = await desiredFabrics([fabric(SAMPLE_FABRIC_DIR), fabric(SAMPLE_FABRIC_DIR, { path: '/hedgehog/other.yml' })], sources);
    expect(state.objects).toEqual([]);
    expect(state.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: '/hedgehog/other.yml', field: 'name', message: expect.stringMatching(/already declared/) as unknown }),
      expect.objectContaining({ file: '/hedgehog/other.yml', field: 'cluster', message: expect.stringMatching(/already runs fabric fabric-1/) as unknown }),
    ]));
  });

  it('reports a missing directory on the fabric datafile', async () => {
    const state = await desiredFabrics([fabric('/nonexistent/fabric')], sources);
    expect(fabricProblems(state)).toEqual([expect.objectContaining({ file: '/hedgehog/fabric-1.yml', field: 'source', message: expect.stringMatching(/does not exist/) as unknown })]);
  });
});

describe('parseDocuments', () => {
  it('splits multi-document files with index and start line, counting empty documents', () => {
    const text = '# header\napiVersion: v1\nkind: A\n---\n---\nkind: B\n...\n--- \nkind: C\n';
    const r = parseDocuments(text, 'f.yaml');
    expect(r.problems).toEqual([]);
    expect(r.documents.map((d) => [d.index, d.line, (d.value as { kind?: string } | null)?.kind ?? null])).toEqual([
      [0, 1, 'A'], [1, 4, null], [2, 5, 'B'], [3, 8, 'C'],
    ]);
  });

  it('treats a leading --- as the start of the first document', () => {
    const r = parseDocuments('---\nkind: A\n---\nkind: B\n', 'f.yaml');
    expect(r.documents.map((d) => d.index)).toEqual([0, 1]);
  });

  it('names the document and line of a YAML syntax error', () => {
    const r = parseDocuments('kind: A\n---\nkind: [B\n', 'f.yaml');
    expect(r.problems).toEqual([expect.objectContaining({ file: 'f.yaml#1', message: expect.stringMatching(/invalid YAML/) as unknown })]);
    expect(r.documents).toHaveLength(1);
  });
});

describe('documents that are not fabric kinds', () => {
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };

  it('warns and skips them by default', async () => {
    const dir = docsDir([configMap, ...sampleDocs()]);
    const state = await desiredFabrics([fabric(dir)], sources);
    expect(state.problems).toEqual([]);
    expect(state.objects).toHaveLength(24);
    expect(state.warnings).toEqual([expect.objectContaining({ file: `${dir}/fabric.yaml#0`, message: expect.stringMatching(/"v1" .*"ConfigMap" is not one of the fabric kinds/) as unknown })]);
  });

  it('is an error with unknownDocuments: error', async () => {
    const dir = docsDir([...sampleDocs(), configMap]);
    const state = await desiredFabrics([fabric(dir, { unknownDocuments: 'error' })], sources);
    expect(state.objects).toEqual([]);
    expect(fabricProblems(state)).toEqual([expect.objectContaining({ file: `${dir}/fabric.yaml#24`, message: expect.stringMatching(/unknownDocuments: error/) as unknown })]);
  });

  it('skips kinds the fabric does not enable, with a warning', async () => {
    const state = await desiredFabrics([fabric(SAMPLE_FABRIC_DIR, { kinds: ['VLANNamespace', 'IPv4Namespace', 'SwitchGroup', 'Switch'] })], sources);
    expect(state.objects.map((o) => o.object.kind).sort()).toEqual(['IPv4Namespace', 'Switch', 'Switch', 'Switch', 'Switch', 'SwitchGroup', 'SwitchGroup', 'VLANNamespace']);
    expect(state.warnings.some((w) => /VPC is not enabled/.test(w.message))).toBe(true);
  });
});

describe('labels and server-set fields', () => {
  it('strips fabric.githedgehog.com labels with a warning and keeps the others', async () => {
    const docs = sampleDocs();
    find(docs, 'VPC', 'vpc-1').metadata.labels = { 'fabric.githedgehog.com/ipv4ns': 'default', 'vpc.fabric.githedgehog.com/vpc-1': 'true', team: 'net' };
    const dir = docsDir(docs);
    const state = await desiredFabrics([fabric(dir)], sources);
    expect(state.problems).toEqual([]);
    const vpc = state.objects.find((o) => o.object.kind === 'VPC')?.object;
    expect(vpc?.metadata.labels).toEqual({ team: 'net' });
    expect(state.warnings.map((w) => w.field).sort()).toEqual(['metadata.labels.fabric.githedgehog.com/ipv4ns', 'metadata.labels.vpc.fabric.githedgehog.com/vpc-1']);
  });

  it('drops status and server-set metadata, and defaults the namespace', async () => {
    const docs = sampleDocs();
    const sw = find(docs, 'Switch', 'spine-01');
    sw.status = { applied: {} };
    sw.metadata.resourceVersion = '42';
    delete sw.metadata.namespace;
    const state = await desiredFabrics([fabric(docsDir(docs))], sources);
    expect(state.problems).toEqual([]);
    const obj = state.objects.find((o) => o.object.metadata.name === 'spine-01')?.object;
    expect(obj).toBeDefined();
    expect(obj?.status).toBeUndefined();
    expect(obj?.metadata).toEqual({ name: 'spine-01', namespace: 'default' });
    expect(state.warnings.map((w) => w.field).sort()).toEqual(['metadata.resourceVersion', 'status']);
  });

  it('writes values as the webhook stores them (bare VPC subnet, sorted lists)', async () => {
    const docs = sampleDocs();
    find(docs, 'VPCAttachment', 'server-01--vpc-1--default').spec = { connection: 'server-01--unbundled--leaf-01', subnet: 'vpc-1' };
    find(docs, 'VLANNamespace', 'default').spec = { ranges: [{ from: 1001, to: 2999 }, { from: 1000 }] };
    const state = await desiredFabrics([fabric(docsDir(docs))], sources);
    expect(state.problems).toEqual([]);
    expect(state.objects.find((o) => o.object.metadata.name === 'server-01--vpc-1--default')?.object.spec).toEqual({ connection: 'server-01--unbundled--leaf-01', subnet: 'vpc-1/default' });
    expect(state.objects.find((o) => o.object.kind === 'VLANNamespace')?.object.spec).toEqual({ ranges: [{ from: 1000, to: 1000 }, { from: 1001, to: 2999 }] });
  });
});

describe('apply order', () => {
  it('stages namespaces → switch groups → switches → servers → connections → VPCs/externals → attachments/peerings', () => {
    const o = (k: keyof typeof FABRIC_KINDS): number => FABRIC_KINDS[k].order;
    expect(o('VLANNamespace')).toBe(o('IPv4Namespace'));
    expect(o('IPv4Namespace')).toBeLessThan(o('SwitchGroup'));
    expect(o('SwitchGroup')).toBeLessThan(o('Switch'));
    expect(o('Switch')).toBeLessThan(o('Server'));
    expect(o('Server')).toBeLessThan(o('Connection'));
    expect(o('Connection')).toBeLessThan(o('VPC'));
    expect(o('VPC')).toBe(o('External'));
    for (const k of ['VPCAttachment', 'VPCPeering', 'ExternalAttachment', 'ExternalPeering'] as const) expect(o('External')).toBeLessThan(o(k));
    expect(FABRIC_MANAGED_KINDS).toHaveLength(12);
  });

  it('plans creates by ascending stage and deletes (VPC with attachments) in reverse', async () => {
    const integration = createHedgehogFabricIntegration(() => sources);
    const state = await desiredFabrics([fabric(SAMPLE_FABRIC_DIR)], sources);
    const kindOf = (obj: KubeObject): (typeof FABRIC_MANAGED_KINDS)[number] => {
      const k = FABRIC_MANAGED_KINDS.find((m) => m.kind === obj.kind);
      if (k === undefined) throw new Error(obj.kind);
      return k;
    };
    const planOpts = { integrations: [integration.name], dataSha: 'x', takeOver: false, maxDeletions: 50, allowMassDeletion: false };

    const create = new ResourceInventory([integration]);
    for (const d of state.objects) create.addDesired(integration.name, d.cluster, kindOf(d.object), d.object, d.source);
    const plan = computePlan(create, planOpts);
    const kinds = plan.changes.map((c) => c.kind.split('.')[0]);
    expect(plan.changes.every((c) => c.action === 'create')).toBe(true);
    expect(kinds.indexOf('Switch')).toBeGreaterThan(kinds.lastIndexOf('VLANNamespace'));
    expect(kinds.indexOf('Connection')).toBeGreaterThan(kinds.lastIndexOf('Server'));
    expect(kinds.indexOf('VPCAttachment')).toBeGreaterThan(kinds.lastIndexOf('VPC'));

    // GIVEN everything applied WHEN the VPCs, their attachments and peerings leave the directory THEN attachments and peerings go first
    const keep = state.objects.filter((d) => !['VPC', 'VPCAttachment', 'VPCPeering', 'ExternalPeering'].includes(d.object.kind));
    const del = new ResourceInventory([integration]);
    for (const d of keep) del.addDesired(integration.name, d.cluster, kindOf(d.object), d.object, d.source);
    for (const d of state.objects) del.addCurrent(d.cluster, kindOf(d.object), markOwned(d.object, integration.name));
    const delPlan = computePlan(del, planOpts);
    expect(delPlan.changes.map((c) => `${c.action} ${c.kind.split('.')[0]} ${c.name}`)).toEqual([
      'delete ExternalPeering vpc-1--edge',
      'delete VPCAttachment server-01--vpc-1--default',
      'delete VPCAttachment server-02--vpc-1--backend',
      'delete VPCPeering vpc-1--vpc-2',
      'delete VPC vpc-1',
      'delete VPC vpc-2',
    ]);
  });
});

describe('connection type is immutable', () => {
  async function planTypeChange(mutate: (spec: Record<string, unknown>) => Record<string, unknown>): Promise<ReturnType<typeof computePlan>> {
    const integration = createHedgehogFabricIntegration(() => sources);
    const docs = sampleDocs();
    const live = (await desiredFabrics([fabric(docsDir(docs))], sources)).objects;
    const conn = docs.find((d) => d.metadata.name === 'server-01--unbundled--leaf-01');
    if (conn?.spec === undefined) throw new Error('sample changed');
    conn.spec = mutate(conn.spec);
    const desired = await desiredFabrics([fabric(docsDir(docs))], sources);
    expect(desired.problems).toEqual([]);
    const inv = new ResourceInventory([integration]);
    const kindOf = (k: string): (typeof FABRIC_MANAGED_KINDS)[number] => FABRIC_MANAGED_KINDS.find((m) => m.kind === k) ?? FABRIC_MANAGED_KINDS[0] as (typeof FABRIC_MANAGED_KINDS)[number];
    for (const d of desired.objects) inv.addDesired(integration.name, d.cluster, kindOf(d.object.kind), d.object, d.source);
    for (const d of live) inv.addCurrent(d.cluster, kindOf(d.object.kind), markOwned(d.object, integration.name));
    return computePlan(inv, { integrations: [integration.name], dataSha: 'x', takeOver: false, maxDeletions: 50, allowMassDeletion: false });
  }

  it('refuses to turn an unbundled connection into a bundled one in place', async () => {
    const plan = await planTypeChange((spec) => ({ bundled: { links: [(spec.unbundled as { link: unknown }).link] } }));
    expect(plan.changes).toEqual([]);
    expect(plan.skippedChanges.map((c) => c.name)).toEqual(['server-01--unbundled--leaf-01']);
    expect(plan.errors).toEqual([expect.objectContaining({ code: 'E_SAFETY', objectOnly: true, message: expect.stringMatching(/immutable field\(s\) spec\.bundled/) as unknown })]);
  });

  it('allows changing a port within the same type', async () => {
    const plan = await planTypeChange(() => ({ unbundled: { link: { server: { port: 'server-01/enp2s2' }, switch: { port: 'leaf-01/E1/1' } } } }));
    expect(plan.errors).toEqual([]);
    expect(plan.changes.map((c) => [c.action, c.name, c.changes.map((x) => x.path)])).toEqual([
      ['update', 'server-01--unbundled--leaf-01', ['spec.unbundled.link.server.port']],
    ]);
  });

  it.each([
    ['a Connection type change', 'Connection', { unbundled: { link: {} } }, { bundled: { links: [] } }, ['spec.bundled']],
    ['a Connection edit within its type', 'Connection', { unbundled: { link: { a: 1 } } }, { unbundled: { link: { a: 2 } } }, []],
    ['an ExternalAttachment whose External changes', 'ExternalAttachment', { external: 'isp-a', connection: 'c' }, { external: 'isp-b', connection: 'c' }, []],
  ])('reports the immutable fields of %s', (_what, kind, before, after, expected) => {
    const obj = (spec: object): KubeObject => ({ apiVersion: 'wiring.githedgehog.com/v1beta1', kind, metadata: { name: 'x', namespace: 'default' }, spec });
    expect(connectionTypeChange(obj(before), obj(after))).toEqual(expected);
  });
});

describe('GitOps directory layout', () => {
  it('reads nested directories and skips hidden ones and non-YAML files', async () => {
    const docs = sampleDocs();
    const dir = tempDir({ 'README.md': '# not yaml', 'a.yml': docs.slice(0, 7).map((d) => JSON.stringify(d)).join('\n---\n') });
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(path.join(dir, 'sub'));
    mkdirSync(path.join(dir, '.git'));
    writeFileSync(path.join(dir, '.git', 'x.yaml'), 'kind: Broken: [');
    writeFileSync(path.join(dir, 'sub', 'b.yaml'), docs.slice(7).map((d) => JSON.stringify(d)).join('\n---\n'));
    const state = await desiredFabrics([fabric(dir)], sources);
    expect(state.problems).toEqual([]);
    expect(state.objects).toHaveLength(24);
    expect(state.objects.some((o) => o.source.startsWith(`${dir}/sub/b.yaml#`))).toBe(true);
  });
});
