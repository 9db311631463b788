import { afterEach, describe, expect, it } from 'vitest';
import { createFabricSourceReader } from '../../../src/app-interface/hedgehog/sources.js';
import { desiredFabrics } from '../../../src/integrations/hedgehog-fabric/desired.js';
import type { Doc } from './support.js';
import { cleanupDirs, docsDir, fabric, fabricProblems, find, indexOf, sampleDocs } from './support.js';

afterEach(cleanupDirs);

const sources = createFabricSourceReader({ env: {}, cwd: '/' });

/** Adds a document at the end. */
function add(doc: Record<string, unknown>): (docs: Doc[]) => void {
  return (docs) => { docs.push(doc as Doc); };
}

function spec(docs: Doc[], kind: string, name: string): Record<string, unknown> {
  const d = find(docs, kind, name);
  d.spec ??= {};
  return d.spec;
}

const vpcApi = 'vpc.githedgehog.com/v1beta1';
const wiringApi = 'wiring.githedgehog.com/v1beta1';
const md = (name: string): Record<string, unknown> => ({ name, namespace: 'default' });

interface BadCase {
  readonly name: string;
  readonly mutate: (docs: Doc[]) => void;
  /** The offending document: kind + name (its index is looked up after mutate). */
  readonly doc: readonly [string, string];
  readonly field: string;
  readonly message: RegExp;
}

const CASES: readonly BadCase[] = [
  {
    name: 'namespace other than default',
    mutate: (d) => { find(d, 'Server', 'server-01').metadata.namespace = 'fabric'; },
    doc: ['Server', 'server-01'], field: 'metadata.namespace', message: /must be default/,
  },
  {
    name: 'name not RFC 1123',
    mutate: (d) => { find(d, 'Server', 'server-02').metadata.name = 'Server_02'; },
    doc: ['Server', 'Server_02'], field: 'metadata.name', message: /not a lowercase RFC 1123 subdomain/,
  },
  {
    name: 'VPC name longer than 11 characters',
    mutate: (d) => {
      find(d, 'VPC', 'vpc-1').metadata.name = 'vpc-too-long-1';
      for (const a of d.filter((x) => x.kind === 'VPCAttachment')) (a.spec ?? {}).subnet = String((a.spec ?? {}).subnet).replace('vpc-1', 'vpc-too-long-1');
    },
    doc: ['VPC', 'vpc-too-long-1'], field: 'metadata.name', message: /14 characters; VPC names are at most 11/,
  },
  {
    name: 'IPv4Namespace name longer than 11 characters',
    mutate: add({ apiVersion: vpcApi, kind: 'IPv4Namespace', metadata: md('namespace-two'), spec: { subnets: ['10.1.0.0/16'] } }),
    doc: ['IPv4Namespace', 'namespace-two'], field: 'metadata.name', message: /IPv4Namespace names are at most 11/,
  },
  {
    name: 'VPC without subnets',
    mutate: add({ apiVersion: vpcApi, kind: 'VPC', metadata: md('vpc-9'), spec: { subnets: {} } }),
    doc: ['VPC', 'vpc-9'], field: 'spec.subnets', message: /must define 1 to 20 subnets, got 0/,
  },
  {
    name: 'VPC with 21 subnets',
    mutate: add({
      apiVersion: vpcApi, kind: 'VPC', metadata: md('vpc-9'),
      spec: { subnets: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`s${i}`, { subnet: `10.0.${100 + i}.0/24`, vlan: 1100 + i }])) },
    }),
    doc: ['VPC', 'vpc-9'], field: 'spec.subnets', message: /must define 1 to 20 subnets, got 21/,
  },
  {
    name: 'subnet CIDR that does not parse',
    mutate: (d) => { ((spec(d, 'VPC', 'vpc-1').subnets as Record<string, Record<string, unknown>>).backend ?? {}).subnet = '10.0.2.0/33'; },
    doc: ['VPC', 'vpc-1'], field: 'spec.subnets.backend.subnet', message: /"10\.0\.2\.0\/33" is not an IPv4 CIDR/,
  },
  {
    name: 'gateway outside its subnet',
    mutate: (d) => { ((spec(d, 'VPC', 'vpc-1').subnets as Record<string, Record<string, unknown>>).default ?? {}).gateway = '10.0.3.1'; },
    doc: ['VPC', 'vpc-1'], field: 'spec.subnets.default.gateway', message: /10\.0\.3\.1 is not inside subnet 10\.0\.1\.0\/24/,
  },
  {
    name: 'VLAN used twice in a VPC',
    mutate: (d) => { ((spec(d, 'VPC', 'vpc-1').subnets as Record<string, Record<string, unknown>>).backend ?? {}).vlan = 1001; },
    doc: ['VPC', 'vpc-1'], field: 'spec.subnets.backend.vlan', message: /VLAN 1001 is already used by subnet default/,
  },
  {
    name: 'VLAN outside the VLANNamespace',
    mutate: (d) => { ((spec(d, 'VPC', 'vpc-1').subnets as Record<string, Record<string, unknown>>).backend ?? {}).vlan = 500; },
    doc: ['VPC', 'vpc-1'], field: 'spec.subnets.backend.vlan', message: /VLAN 500 is not inside VLANNamespace default/,
  },
  {
    name: 'subnet outside the IPv4Namespace',
    mutate: (d) => { ((spec(d, 'VPC', 'vpc-1').subnets as Record<string, Record<string, unknown>>).backend ?? {}).subnet = '192.168.2.0/24'; },
    doc: ['VPC', 'vpc-1'], field: 'spec.subnets.backend.subnet', message: /not inside IPv4Namespace default/,
  },
  {
    name: 'IPv4Namespace with 11 subnets',
    mutate: (d) => { spec(d, 'IPv4Namespace', 'default').subnets = ['10.0.0.0/16', ...Array.from({ length: 10 }, (_, i) => `10.${10 + i}.0.0/16`)]; },
    doc: ['IPv4Namespace', 'default'], field: 'spec.subnets', message: /must list 1 to 10 subnets, got 11/,
  },
  {
    name: 'VLANNamespace range in the reserved VLANs',
    mutate: (d) => { spec(d, 'VLANNamespace', 'default').ranges = [{ from: 1000, to: 2999 }, { from: 3500, to: 3600 }]; },
    doc: ['VLANNamespace', 'default'], field: 'spec.ranges[1]', message: /overlaps the reserved VLANs 3000-3999/,
  },
  {
    name: 'VLANNamespace range beyond 4094',
    mutate: (d) => { spec(d, 'VLANNamespace', 'default').ranges = [{ from: 1000, to: 4095 }]; },
    doc: ['VLANNamespace', 'default'], field: 'spec.ranges[0]', message: /1 <= from <= to <= 4094/,
  },
  {
    name: 'Connection with two types',
    mutate: (d) => { spec(d, 'Connection', 'server-02--unbundled--leaf-02').bundled = { links: [] }; },
    doc: ['Connection', 'server-02--unbundled--leaf-02'], field: 'spec', message: /exactly one connection type must be set .*got unbundled, bundled/,
  },
  {
    name: 'Connection without a type',
    mutate: add({ apiVersion: wiringApi, kind: 'Connection', metadata: md('empty'), spec: {} }),
    doc: ['Connection', 'empty'], field: 'spec', message: /exactly one connection type must be set .*got none/,
  },
  {
    name: 'port not <device>/<port>',
    mutate: (d) => { spec(d, 'Connection', 'server-01--unbundled--leaf-01').unbundled = { link: { server: { port: 'server-01/enp2s1' }, switch: { port: 'leaf-01' } } }; },
    doc: ['Connection', 'server-01--unbundled--leaf-01'], field: 'spec.unbundled.link.switch.port', message: /'leaf-01' is not of the form <device>\/<port>/,
  },
  {
    name: 'NOS port name on a switch',
    mutate: (d) => { spec(d, 'Connection', 'server-01--unbundled--leaf-01').unbundled = { link: { server: { port: 'server-01/enp2s1' }, switch: { port: 'leaf-01/Ethernet0' } } }; },
    doc: ['Connection', 'server-01--unbundled--leaf-01'], field: 'spec.unbundled.link.switch.port', message: /switch port 'Ethernet0' is not a SwitchProfile port name/,
  },
  {
    name: 'port used by two connections',
    mutate: (d) => { spec(d, 'Connection', 'server-02--unbundled--leaf-02').unbundled = { link: { server: { port: 'server-02/enp2s1' }, switch: { port: 'leaf-01/E1/1' } } }; },
    doc: ['Connection', 'server-02--unbundled--leaf-02'], field: 'spec.unbundled.link.switch.port', message: /port leaf-01\/E1\/1 is already used by Connection server-01--unbundled--leaf-01/,
  },
  {
    name: 'Connection to a switch that does not exist',
    mutate: (d) => { spec(d, 'Connection', 'spine-01--fabric--leaf-02').fabric = { links: [{ spine: { port: 'spine-09/E1/2', ip: '172.30.128.2/31' }, leaf: { port: 'leaf-02/E1/47', ip: '172.30.128.3/31' } }] }; },
    doc: ['Connection', 'spine-01--fabric--leaf-02'], field: 'spec.fabric.links[0].spine.port', message: /references Switch spine-09, which is not defined/,
  },
  {
    name: 'Connection to a server that does not exist',
    mutate: (d) => { d.splice(indexOf(d, 'Server', 'server-02'), 1); },
    doc: ['Connection', 'server-02--unbundled--leaf-02'], field: 'spec.unbundled.link.server.port', message: /references Server server-02, which is not defined/,
  },
  {
    name: 'VPCAttachment to a missing subnet',
    mutate: (d) => { spec(d, 'VPCAttachment', 'server-02--vpc-1--backend').subnet = 'vpc-1/frontend'; },
    doc: ['VPCAttachment', 'server-02--vpc-1--backend'], field: 'spec.subnet', message: /VPC vpc-1 has no subnet frontend/,
  },
  {
    name: 'VPCAttachment to a missing VPC',
    mutate: (d) => { spec(d, 'VPCAttachment', 'server-02--vpc-1--backend').subnet = 'vpc-9/default'; },
    doc: ['VPCAttachment', 'server-02--vpc-1--backend'], field: 'spec.subnet', message: /references VPC vpc-9, which is not defined/,
  },
  {
    name: 'VPCAttachment to a missing connection',
    mutate: (d) => { spec(d, 'VPCAttachment', 'server-01--vpc-1--default').connection = 'server-03--unbundled--leaf-01'; },
    doc: ['VPCAttachment', 'server-01--vpc-1--default'], field: 'spec.connection', message: /references Connection server-03--unbundled--leaf-01/,
  },
  {
    name: 'VPCAttachment to a fabric connection',
    mutate: (d) => { spec(d, 'VPCAttachment', 'server-01--vpc-1--default').connection = 'spine-01--fabric--leaf-01'; },
    doc: ['VPCAttachment', 'server-01--vpc-1--default'], field: 'spec.connection', message: /is of type fabric; a VPCAttachment needs unbundled, bundled or eslag/,
  },
  {
    name: 'VPCPeering naming one missing VPC',
    mutate: add({ apiVersion: vpcApi, kind: 'VPCPeering', metadata: md('vpc-1--vpc-9'), spec: { permit: [{ 'vpc-1': {}, 'vpc-9': {} }] } }),
    doc: ['VPCPeering', 'vpc-1--vpc-9'], field: 'spec.permit', message: /references VPC vpc-9, which is not defined/,
  },
  {
    name: 'VPCPeering with a null permit value',
    mutate: add({ apiVersion: vpcApi, kind: 'VPCPeering', metadata: md('vpc-1--vpc-1'), spec: { permit: [{ 'vpc-1': null, 'vpc-9': {} }] } }),
    doc: ['VPCPeering', 'vpc-1--vpc-1'], field: 'spec.permit[0].vpc-1', message: /write 'vpc-1: \{\}', not 'vpc-1:'/,
  },
  {
    name: 'Switch naming a missing SwitchGroup',
    mutate: (d) => { spec(d, 'Switch', 'leaf-01').groups = ['mclag-1']; },
    doc: ['Switch', 'leaf-01'], field: 'spec.groups[0]', message: /references SwitchGroup mclag-1/,
  },
  {
    name: 'Switch naming a missing VLANNamespace',
    mutate: (d) => { spec(d, 'Switch', 'leaf-02').vlanNamespaces = ['default', 'extra']; },
    doc: ['Switch', 'leaf-02'], field: 'spec.vlanNamespaces[1]', message: /references VLANNamespace extra/,
  },
  {
    name: 'Switch without an ASN',
    mutate: (d) => { delete spec(d, 'Switch', 'leaf-02').asn; },
    doc: ['Switch', 'leaf-02'], field: 'spec.asn', message: /is required/,
  },
  {
    name: 'spine with a VTEP IP',
    mutate: (d) => { spec(d, 'Switch', 'spine-01').vtepIP = '172.30.12.2/32'; },
    doc: ['Switch', 'spine-01'], field: 'spec.vtepIP', message: /must not be set on a spine/,
  },
  {
    name: 'ExternalAttachment to a missing External over a server connection',
    mutate: add({ apiVersion: vpcApi, kind: 'ExternalAttachment', metadata: md('ext-att'), spec: { external: 'isp', connection: 'server-01--unbundled--leaf-01', switch: { ip: '10.9.0.1/31' }, neighbor: { asn: 65000, ip: '10.9.0.0' } } }),
    doc: ['ExternalAttachment', 'ext-att'], field: 'spec.external', message: /references External isp/,
  },
  {
    name: 'ExternalPeering with a missing External',
    mutate: add({ apiVersion: vpcApi, kind: 'ExternalPeering', metadata: md('vpc-1--isp'), spec: { permit: { vpc: { name: 'vpc-1', subnets: ['default'] }, external: { name: 'isp', prefixes: [{ prefix: '0.0.0.0/0' }] } } } }),
    doc: ['ExternalPeering', 'vpc-1--isp'], field: 'spec.permit.external.name', message: /references External isp/,
  },
  {
    name: 'duplicate names per kind',
    mutate: (d) => { d.push(structuredClone(find(d, 'Server', 'server-01'))); },
    doc: ['Server', 'server-01'], field: 'metadata.name', message: /duplicate Server server-01: already defined in .*fabric\.yaml#8/,
  },
];

describe('fabric validation (webhook rules)', () => {
  it('accepts the sample fabric', async () => {
    const state = await desiredFabrics([fabric(docsDir(sampleDocs()))], sources);
    expect(fabricProblems(state)).toEqual([]);
  });

  it('has at least 15 bad cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES)('rejects $name, naming file#document and field, with no objects', async (c) => {
    const docs = sampleDocs();
    c.mutate(docs);
    const dir = docsDir(docs);
    // duplicates: the later copy is the offending document
    const index = c.field === 'metadata.name' && c.message.source.startsWith('duplicate')
      ? docs.map((d, i) => [d, i] as const).filter(([d]) => d.kind === c.doc[0] && d.metadata.name === c.doc[1]).map(([, i]) => i).at(-1)
      : indexOf(docs, c.doc[0], c.doc[1]);
    const state = await desiredFabrics([fabric(dir)], sources);
    expect(state.objects).toEqual([]);
    expect(fabricProblems(state)).toContainEqual(expect.objectContaining({
      file: `${dir}/fabric.yaml#${String(index)}`,
      field: c.field,
      message: expect.stringMatching(c.message) as unknown,
    }));
    // every message names the object
    for (const p of fabricProblems(state)) expect(p.message).toMatch(/^[A-Za-z0-9]+ \S+: /);
  });

  it('warns about deprecated MCLAG connections without failing', async () => {
    const docs = sampleDocs();
    docs.push({ apiVersion: wiringApi, kind: 'Connection', metadata: md('server-01--mclag'), spec: { mclag: { links: [{ server: { port: 'server-01/enp2s2' }, switch: { port: 'leaf-01/E1/2' } }] } } });
    const state = await desiredFabrics([fabric(docsDir(docs))], sources);
    expect(fabricProblems(state)).toEqual([]);
    expect(state.warnings).toEqual([expect.objectContaining({ field: 'spec.mclag', message: expect.stringMatching(/deprecated/) as unknown })]);
  });

  it('reports overlapping subnets of two VPCs in one IPv4Namespace', async () => {
    const docs = sampleDocs();
    docs.push({ apiVersion: vpcApi, kind: 'VPC', metadata: md('vpc-9'), spec: { subnets: { default: { subnet: '10.0.1.128/25', vlan: 1005 } } } });
    const state = await desiredFabrics([fabric(docsDir(docs))], sources);
    expect(fabricProblems(state)).toEqual([expect.objectContaining({ field: 'spec.subnets.default.subnet', message: expect.stringMatching(/overlaps a subnet of VPC vpc-1/) as unknown })]);
  });
});
