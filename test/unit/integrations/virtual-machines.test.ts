import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { schemaRegistry } from '../../../src/app-interface/schema-registry.js';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { fileURLToPath } from 'node:url';
import { desiredInstancetypes } from '../../../src/integrations/instancetypes/desired.js';
import type { ValidationContext } from '../../../src/app-interface/schema-registry.js';
import type { AppInterfaceData, Namespace } from '../../../src/app-interface/model.js';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import type { VirtualMachineData } from '../../../src/app-interface/kubevirt/vm-model.js';
import { desiredVirtualMachines, runStrategyOf, TEMPLATE_ANNOTATION } from '../../../src/integrations/virtual-machines/desired.js';
import { virtualMachinesIntegration } from '../../../src/integrations/virtual-machines/integration.js';
import { parseVirtualMachine, parseVmTemplate } from '../../../src/app-interface/kubevirt/vm-parse.js';
import { addDatafile, badVmCases, DATA_ROOT, loadKubevirtTree } from '../../fixtures/kubevirt/load.js';
import type { KubevirtData } from '../../fixtures/kubevirt/load.js';
import { cluster, DataBuilder, namespace } from './data-builder.js';

const SAMPLE_DIR = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));

/** The fixture datafiles as written (`$ref`s unresolved), by path. */
function loadRawTree(dir: string = DATA_ROOT): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yml')) out.set(`/${relative(DATA_ROOT, p)}`, yaml.load(readFileSync(p, 'utf8')));
    }
  };
  walk(dir);
  return out;
}

function baseData(nsOver: Partial<Namespace> = {}, kv: KubevirtData = loadKubevirtTree()): AppInterfaceData {
  const data = new DataBuilder()
    .cluster(cluster('prod-1'))
    .cluster(cluster('prod-2'))
    .namespace(namespace('vms', 'prod-1', nsOver), namespace('vms', 'prod-2'))
    .build();
  return { ...data, vmTemplates: kv.vmTemplates, virtualMachines: kv.virtualMachines, instancetypes: kv.instancetypes, preferences: kv.preferences };
}

function vmNamed(objects: readonly { object: KubeObject; cluster: string }[], name: string): { object: KubeObject; cluster: string } {
  const found = objects.find((o) => o.object.metadata.name === name);
  if (found === undefined) throw new Error(`no desired VM ${name}`);
  return found;
}

interface VmShape {
  spec: {
    running?: unknown;
    runStrategy: string;
    instancetype?: { name: string; kind: string };
    preference?: { name: string; kind: string };
    dataVolumeTemplates?: { metadata: { name: string }; spec: { storage: unknown; source: unknown } }[];
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        domain: { cpu?: { cores: number }; memory?: { guest: string }; devices: { disks: { name: string; disk: { bus: string } }[]; interfaces: Record<string, unknown>[]; autoattachPodInterface?: boolean } };
        networks: { name: string }[];
        volumes: ({ name: string } & Record<string, unknown>)[];
      };
    };
  };
}

const shape = (o: KubeObject): VmShape => o as unknown as VmShape;

/** Dotted paths where two JSON values differ. */
function differingPaths(a: unknown, b: unknown, base = ''): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b) ? [] : [base];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => differingPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], base === '' ? k : `${base}.${k}`));
}

describe('KubeVirt fixture tree', () => {
  it('parses without problems', () => {
    const kv = loadKubevirtTree();
    expect(kv.problems).toEqual([]);
    expect(kv.virtualMachines.map((v) => v.name).sort()).toEqual(['batch-1', 'db-1', 'web-1']);
    expect(kv.vmTemplates).toHaveLength(3);
  });
});

describe(desiredVirtualMachines, () => {
  const state = desiredVirtualMachines(baseData());

  it('builds one VirtualMachine per datafile on the namespace cluster, without problems', () => {
    expect(state.problems).toEqual([]);
    expect(state.objects.map((o) => `${o.cluster}/${o.object.metadata.namespace ?? ''}/${o.object.metadata.name}`).sort())
      .toEqual(['prod-1/vms/db-1', 'prod-1/vms/web-1', 'prod-2/vms/batch-1']);
    for (const o of state.objects) {
      expect(o.object.apiVersion).toBe('kubevirt.io/v1');
      expect(o.object.kind).toBe('VirtualMachine');
      expect(o.source).toMatch(/^\/kubevirt\/vms\/.+\.yml$/);
    }
  });

  it('never sets spec.running and always sets spec.runStrategy', () => {
    for (const o of state.objects) {
      expect(shape(o.object).spec).not.toHaveProperty('running');
      expect(['Always', 'Halted', 'Once']).toContain(shape(o.object).spec.runStrategy);
    }
  });

  it('uses the template instancetype and preference as name + kind, and then sets no CPU or memory', () => {
    const web = shape(vmNamed(state.objects, 'web-1').object);
    expect(web.spec.runStrategy).toBe('Always');
    // the template refers to the catalog datafile: resolved to its object name, cluster kind
    expect(web.spec.instancetype).toEqual({ name: 'u1.small', kind: 'VirtualMachineClusterInstancetype' });
    expect(web.spec.preference).toEqual({ name: 'fedora', kind: 'VirtualMachineClusterPreference' });
    expect(web.spec.template.spec.domain).not.toHaveProperty('cpu');
    expect(web.spec.template.spec.domain).not.toHaveProperty('memory');
    expect(web.spec.template.spec.domain.devices.disks).toEqual([{ name: 'rootdisk', disk: { bus: 'virtio' } }]);
    expect(web.spec.template.spec.volumes).toEqual([{ name: 'rootdisk', containerDisk: { image: 'quay.io/containerdisks/fedora:40' } }]);
    expect(web.spec.template.spec.domain.devices.interfaces).toEqual([{ name: 'default', masquerade: {} }]);
    expect(web.spec.template.spec.networks).toEqual([{ name: 'default', pod: {} }]);
    expect(web.spec.template.metadata.labels).toEqual({ app: 'web', 'kubevirt.io/vm': 'web-1' });
    expect(vmNamed(state.objects, 'web-1').object.metadata.annotations).toEqual({ [TEMPLATE_ANNOTATION]: '/kubevirt/templates/fedora-small.yml' });
  });

  it('applies explicit size overrides, DataVolume templates, extra disks and cloud-init from a Secret', () => {
    const db = shape(vmNamed(state.objects, 'db-1').object);
    expect(db.spec.runStrategy).toBe('Halted');
    expect(db.spec).not.toHaveProperty('instancetype');
    expect(db.spec.template.spec.domain.cpu).toEqual({ cores: 2 });
    expect(db.spec.template.spec.domain.memory).toEqual({ guest: '2Gi' });
    expect(db.spec.dataVolumeTemplates).toEqual([
      {
        metadata: { name: 'db-1-rootdisk' },
        spec: {
          storage: { resources: { requests: { storage: '2Gi' } }, storageClassName: 'local' },
          source: { registry: { url: 'docker://quay.io/kubevirt/alpine-container-disk-demo:v1.4.0' } },
        },
      },
      {
        metadata: { name: 'db-1-data' },
        spec: { storage: { resources: { requests: { storage: '10Gi' } } }, source: { pvc: { namespace: 'golden-images', name: 'empty-10g' } } },
      },
    ]);
    expect(db.spec.template.spec.volumes).toEqual([
      { name: 'rootdisk', dataVolume: { name: 'db-1-rootdisk' } },
      { name: 'data', dataVolume: { name: 'db-1-data' } },
      { name: 'scratch', persistentVolumeClaim: { claimName: 'db-1-scratch' } },
      { name: 'cloudinitdisk', cloudInitNoCloud: { secretRef: { name: 'db-1-cloud-init' } } },
    ]);
    expect(db.spec.template.spec.domain.devices.disks.map((d) => `${d.name}:${d.disk.bus}`)).toEqual(['rootdisk:virtio', 'data:virtio', 'scratch:scsi', 'cloudinitdisk:virtio']);
  });

  it('overrides the instancetype and networks, with explicit bridge interfaces on Multus networks', () => {
    const batch = shape(vmNamed(state.objects, 'batch-1').object);
    expect(batch.spec.runStrategy).toBe('Once');
    expect(batch.spec.instancetype).toEqual({ name: 'u1.large', kind: 'VirtualMachineClusterInstancetype' });
    expect(batch.spec.preference).toEqual({ name: 'fedora', kind: 'VirtualMachineClusterPreference' });
    expect(batch.spec.template.spec.networks).toEqual([{ name: 'storage', multus: { networkName: 'infra/storage-net' } }]);
    expect(batch.spec.template.spec.domain.devices.interfaces).toEqual([{ name: 'storage', bridge: {}, macAddress: '02:00:00:00:00:01' }]);
    expect(batch.spec.dataVolumeTemplates?.[0]?.spec.source).toEqual({ http: { url: 'https://cloud.centos.org/centos/9-stream/x86_64/images/CentOS-Stream-GenericCloud-9-latest.x86_64.qcow2' } });
  });

  it('keeps disks/volumes and interfaces/networks consistent by name', () => {
    for (const o of state.objects) {
      const t = shape(o.object).spec.template.spec;
      expect(t.domain.devices.disks.map((d) => d.name)).toEqual(t.volumes.map((v) => v.name));
      expect(t.domain.devices.interfaces.map((i) => i.name)).toEqual(t.networks.map((n) => n.name));
    }
  });

  it('differs only in spec.runStrategy when only the power state changes', () => {
    const kv = loadKubevirtTree();
    const flip = (p: VirtualMachineData): VirtualMachineData => ({ ...p, power: { powerState: 'running' } });
    const running = desiredVirtualMachines(baseData({}, { ...kv, virtualMachines: kv.virtualMachines.map(flip) }));
    const stopped = desiredVirtualMachines(baseData({}, { ...kv, virtualMachines: kv.virtualMachines.map((p) => ({ ...p, power: { powerState: 'stopped' } })) }));
    const a = vmNamed(running.objects, 'db-1').object;
    const b = vmNamed(stopped.objects, 'db-1').object;
    expect(differingPaths(a, b)).toEqual(['spec.runStrategy']);
    expect(shape(a).spec.runStrategy).toBe('Always');
    expect(shape(b).spec.runStrategy).toBe('Halted');
  });

  it('attaches no pod interface when the VM declares no networks', () => {
    const kv = loadKubevirtTree();
    const vms = kv.virtualMachines.map((v) => (v.name === 'web-1' ? { ...v, networks: [] } : v));
    const web = shape(vmNamed(desiredVirtualMachines(baseData({}, { ...kv, virtualMachines: vms })).objects, 'web-1').object);
    expect(web.spec.template.spec.networks).toEqual([]);
    expect(web.spec.template.spec.domain.devices.autoattachPodInterface).toBe(false);
  });

  it('builds nothing in a namespace marked delete, and nothing on a cluster disabling the integration', () => {
    expect(desiredVirtualMachines(baseData({ delete: true })).objects.map((o) => o.cluster)).toEqual(['prod-2']);
    const data = baseData();
    const disabled = { ...data, clusters: data.clusters.map((c) => (c.name === 'prod-2' ? { ...c, disabledIntegrations: ['virtual-machines'] } : c)) };
    const st = desiredVirtualMachines(disabled);
    expect(st.problems).toEqual([]);
    expect(st.objects.map((o) => o.cluster)).toEqual(['prod-1', 'prod-1']);
  });

  it('reports a VM in a managedByExternal namespace', () => {
    const st = desiredVirtualMachines(baseData({ managedByExternal: true }));
    expect(st.problems).toEqual(expect.arrayContaining([
      { file: '/kubevirt/vms/web-1.yml', field: 'namespace', message: expect.stringContaining('managedByExternal') as string },
    ]));
    expect(st.excludedNamespaces?.get('prod-1')).toEqual(new Set(['vms']));
  });

  it('reports a VM declared twice', () => {
    const kv = loadKubevirtTree();
    const web = kv.virtualMachines.find((v) => v.name === 'web-1')!;
    const st = desiredVirtualMachines(baseData({}, { ...kv, virtualMachines: [...kv.virtualMachines, { ...web, path: '/kubevirt/vms/web-1-copy.yml' }] }));
    expect(st.problems).toEqual([]);
    expect(st.blocked).toEqual([{ unit: 'virtual machine vms/web-1', cluster: 'prod-1', namespaces: ['vms'],
      problems: [{ file: '/kubevirt/vms/web-1-copy.yml', field: 'name', message: 'virtual machine web-1 in namespace vms on cluster prod-1 is already declared in /kubevirt/vms/web-1.yml' }] }]);
  });

  it('blocks only the namespace of a VM that cannot be built: the other VMs are still desired', () => {
    const kv = loadKubevirtTree();
    const web = kv.virtualMachines.find((v) => v.name === 'web-1')!;
    const bad = { ...web, path: '/kubevirt/vms/bad.yml', name: 'bad', template: '/kubevirt/templates/nosuch.yml' };
    const good = desiredVirtualMachines(baseData({}, kv));
    const st = desiredVirtualMachines(baseData({}, { ...kv, virtualMachines: [...kv.virtualMachines, bad] }));
    expect(st.problems).toEqual([]);
    expect(st.blocked?.map((u) => [u.unit, u.cluster, u.namespaces])).toEqual([['virtual machine vms/bad', 'prod-1', ['vms']]]);
    expect(st.objects).toEqual(good.objects);
  });
});

describe(runStrategyOf, () => {
  it.each([
    [{ powerState: 'running' as const }, 'Always'],
    [{ powerState: 'stopped' as const }, 'Halted'],
    [{ runStrategy: 'Manual' as const }, 'Manual'],
    [{ runStrategy: 'RerunOnFailure' as const }, 'RerunOnFailure'],
    [{ runStrategy: 'Once' as const }, 'Once'],
  ])('maps %j to %s', (power, expected) => {
    expect(runStrategyOf(power)).toBe(expected);
  });

  it('defaults to running when a datafile sets neither powerState nor runStrategy', () => {
    const r = parseVirtualMachine('/kubevirt/vms/x.yml', { name: 'x', namespace: { $ref: '/n.yml' }, template: { $ref: '/t.yml' } });
    expect(r.ok && r.value.power).toEqual({ powerState: 'running' });
  });
});

describe('validation of virtual machine datafiles', () => {
  const cases = badVmCases();

  it('has a corpus of at least 8 bad VMs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s: reports the file, the field and why', (_name, c) => {
    const kv = loadKubevirtTree();
    addDatafile(kv, c.path, c.raw);
    const st = desiredVirtualMachines(baseData({}, kv));
    const problems = [...kv.problems, ...st.problems, ...(st.blocked ?? []).flatMap((u) => u.problems)];
    expect(problems).toContainEqual({ file: c.path, field: c.field, message: expect.stringContaining(c.message) as string });
    // only the bad file is reported; the good fixtures still build
    expect(problems.filter((p) => p.file !== c.path)).toEqual([]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });
});

describe('validation of VM template datafiles', () => {
  const tpl = (extra: Record<string, unknown>): ReturnType<typeof parseVmTemplate> => parseVmTemplate('/kubevirt/templates/t.yml', {
    $schema: '/kontract/kubevirt/vm-template-1.yml', name: 't', bootDisk: { containerDisk: { image: 'img' } }, ...extra,
  });

  it('rejects an instancetype together with explicit cpu and memory', () => {
    const r = tpl({ instancetype: { name: 'u1.small' }, cpu: { cores: 2 }, memory: { guest: '1Gi' } });
    expect(r.problems).toEqual([
      { file: '/kubevirt/templates/t.yml', field: 'cpu', message: expect.stringContaining('cannot be combined with instancetype') as string },
      { file: '/kubevirt/templates/t.yml', field: 'memory', message: expect.stringContaining('cannot be combined with instancetype') as string },
    ]);
  });

  it('requires a size', () => {
    expect(tpl({}).problems).toEqual([{ file: '/kubevirt/templates/t.yml', field: 'memory', message: expect.stringContaining('is required when no instancetype is set') as string }]);
  });

  it('rejects an unknown instancetype kind (note the lower-case t)', () => {
    expect(tpl({ instancetype: { name: 'u1.small', kind: 'VirtualMachineClusterInstanceType' } }).problems)
      .toEqual([{ file: '/kubevirt/templates/t.yml', field: 'instancetype.kind', message: expect.stringContaining("'VirtualMachineClusterInstanceType' is not one of VirtualMachineClusterInstancetype") as string }]);
  });

  it('requires a boot disk with exactly one DataVolume source', () => {
    const r = tpl({ memory: { guest: '1Gi' }, bootDisk: { dataVolume: { size: '1Gi', source: {} } } });
    expect(r.problems).toEqual([{ file: '/kubevirt/templates/t.yml', field: 'bootDisk.dataVolume.source', message: 'needs exactly one of http, registry, pvc (got none)' }]);
  });

  it('defaults the networks to one pod network', () => {
    const r = tpl({ memory: { guest: '1Gi' } });
    expect(r.ok && r.value.networks).toEqual([{ name: 'default', type: 'pod' }]);
  });
});

describe('virtualMachinesIntegration', () => {
  it('owns kubevirt.io/v1 VirtualMachines, namespaced, at order 60', () => {
    expect(virtualMachinesIntegration.kinds).toEqual([{ group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine', plural: 'virtualmachines', namespaced: true, order: 60 }]);
    expect(virtualMachinesIntegration.ignoreFields).toEqual(expect.arrayContaining(['spec.template.spec.domain.firmware', 'spec.template.spec.architecture', 'spec.template.spec.domain.machine']));
    expect(virtualMachinesIntegration.missingApiHint).toContain('KubeVirt is not installed');
  });
});

describe('JSON Schemas of the KubeVirt datafiles (schemas/kubevirt)', () => {
  const registry = schemaRegistry();
  const tree = loadRawTree();
  const validate = (path: string, raw: unknown): { errors: unknown; refProblems: unknown[] } => {
    const schema = (raw as { $schema: string }).$schema;
    const v = registry.validator(schema);
    if (v === undefined) throw new Error(`no JSON Schema for ${schema}`);
    const ctx: ValidationContext = {
      file: path,
      schemaAt: (p) => (tree.get(p) as { $schema?: string } | undefined)?.$schema ?? (p.startsWith('/openshift/') ? '/openshift/namespace-1.yml' : undefined),
      edges: [],
      refProblems: [],
    };
    const valid = v.call(ctx, raw);
    return { errors: valid ? null : v.errors, refProblems: ctx.refProblems };
  };

  it.each([...tree.entries()])('accepts %s', (path, raw) => {
    expect(validate(path, raw)).toEqual({ errors: null, refProblems: [] });
  });

  it.each(badVmCases().filter((c) => ['inline-cloud-init.yml', 'run-strategy-always.yml', 'bad-memory-quantity.yml', 'bad-disk-size.yml', 'interface-name-mismatch.yml'].includes(c.file)).map((c) => [c.file, c] as const))(
    'lets %s through to the parser, which gives the clear message', (_f, c) => {
      expect(validate(c.path, c.raw).errors).toBeNull();
    },
  );

  it('rejects an unknown top-level field', () => {
    const c = badVmCases().find((b) => b.file === 'unknown-field.yml')!;
    expect(validate(c.path, c.raw).errors).not.toBeNull();
  });
});

describe('app-interface-sample/kubevirt through the YAML loader', () => {
  it('loads, validates and builds the sample VMs and catalog without problems', async () => {
    const data = await loadAppInterface({ kind: 'dir', path: SAMPLE_DIR });
    const vms = desiredVirtualMachines(data);
    expect(vms.problems).toEqual([]);
    expect(vms.objects.map((o) => `${o.cluster}/${o.object.metadata.namespace ?? ''}/${o.object.metadata.name}:${shape(o.object).spec.runStrategy}`).sort()).toEqual([
      'dev-1/sandbox/alpine-1:Manual',
      'prod-1/acme-db/db-1:Always',
      'prod-1/acme-web/web-1:Always',
      'prod-1/vdc-wayne-prod/shop-db:Halted',
      'prod-1/vdc-wayne-prod/shop-web:Always',
      'prod-2/acme-web/web-2:Halted',
    ]);
    // The sample vApp `shop` (tenancy/vapps/wayne-shop.yml): its VMs carry its name as a label.
    expect(vmNamed(vms.objects, 'shop-db').object.metadata.labels).toMatchObject({ 'kontract.io/vapp': 'shop', app: 'shop' });
    const db = shape(vmNamed(vms.objects, 'db-1').object);
    expect(db.spec.instancetype).toEqual({ name: 'u1.large', kind: 'VirtualMachineClusterInstancetype' });
    const catalog = desiredInstancetypes(data);
    expect(catalog.problems).toEqual([]);
    expect(new Set(catalog.objects.map((o) => o.object.metadata.name))).toEqual(new Set(['u1.small', 'u1.medium', 'u1.large', 'fedora']));
  });
});
