/**
 * One bad case per implemented webhook rule not covered by validation.test.ts: DHCP (relay, range,
 * MTU, lease), one native VLAN per connection, ESLAG and hostBGP attachments, External communities
 * and static prefixes, ExternalAttachment fields, ACL statements and breakout ports. Each case
 * mutates the sample fabric (which holds every kind) and expects the problem on the offending
 * document and field, with no objects built.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFabricSourceReader } from '../../../src/app-interface/hedgehog/sources.js';
import { desiredFabrics } from '../../../src/integrations/hedgehog-fabric/desired.js';
import type { Doc } from './support.js';
import { cleanupDirs, docsDir, fabric, fabricProblems, find, indexOf, sampleDocs } from './support.js';

afterEach(cleanupDirs);

const sources = createFabricSourceReader({ env: {}, cwd: '/' });
const vpcApi = 'vpc.githedgehog.com/v1beta1';
const wiringApi = 'wiring.githedgehog.com/v1beta1';
const md = (name: string): Record<string, unknown> => ({ name, namespace: 'default' });

function spec(docs: Doc[], kind: string, name: string): Record<string, unknown> {
  const d = find(docs, kind, name);
  d.spec ??= {};
  return d.spec;
}
function subnet(docs: Doc[], vpc: string, name: string): Record<string, unknown> {
  const s = (spec(docs, 'VPC', vpc).subnets as Record<string, Record<string, unknown>>)[name];
  if (s === undefined) throw new Error(`sample VPC ${vpc} has no subnet ${name}`);
  return s;
}
function dhcp(docs: Doc[], name: string): Record<string, unknown> {
  const s = subnet(docs, 'vpc-1', name);
  s.dhcp ??= {};
  return s.dhcp as Record<string, unknown>;
}
const acl = (docs: Doc[], statements: readonly Record<string, unknown>[]): void => {
  spec(docs, 'ExternalAttachment', 'border-01--edge').inboundACL = { statements };
};
const stmt = (over: Record<string, unknown>): Record<string, unknown> => ({ seq: 10, action: 'permit', protocol: 'tcp', srcPrefix: 'any', dstPrefix: '10.0.1.0/24', ...over });
const staticExternal = (docs: Doc[], extra: Record<string, unknown> = {}): void => {
  docs.push(
    { apiVersion: vpcApi, kind: 'External', metadata: md('st-edge'), spec: { ipv4Namespace: 'default', static: { prefixes: ['0.0.0.0/0'] }, ...extra } },
    { apiVersion: wiringApi, kind: 'Connection', metadata: md('border-01--external--st'), spec: { external: { link: { switch: { port: 'border-01/E1/3' } } } } },
  );
};
const staticAttachment = (st: Record<string, unknown>): Doc => ({
  apiVersion: vpcApi, kind: 'ExternalAttachment', metadata: md('border-01--st'),
  spec: { connection: 'border-01--external--st', external: 'st-edge', switch: {}, neighbor: {}, static: st },
});

interface BadCase {
  readonly name: string;
  readonly mutate: (docs: Doc[]) => void;
  readonly doc: readonly [string, string];
  readonly field: string;
  readonly message: RegExp;
}

const CASES: readonly BadCase[] = [
  // DHCP (VPC subnets)
  { name: 'DHCP relay together with enable', mutate: (d) => { dhcp(d, 'default').relay = '10.99.0.1/32'; }, doc: ['VPC', 'vpc-1'], field: 'spec.subnets.default.dhcp.relay', message: /DHCP relay and enable are mutually exclusive/ },
  { name: 'DHCP relayVPC without relay', mutate: (d) => { dhcp(d, 'backend').relayVPC = 'vpc-2'; }, doc: ['VPC', 'vpc-1'], field: 'spec.subnets.backend.dhcp.relayVPC', message: /needs relay/ },
  { name: 'DHCP range while DHCP is off', mutate: (d) => { dhcp(d, 'backend').range = { start: '10.0.2.10', end: '10.0.2.20' }; }, doc: ['VPC', 'vpc-1'], field: 'spec.subnets.backend.dhcp.range', message: /is set while DHCP is not enabled/ },
  { name: 'DHCP range starting at the network address', mutate: (d) => { dhcp(d, 'default').range = { start: '10.0.1.0', end: '10.0.1.99' }; }, doc: ['VPC', 'vpc-1'], field: 'spec.subnets.default.dhcp.range.start', message: /10\.0\.1\.0 is not a usable address of 10\.0\.1\.0\/24/ },
  { name: 'DHCP range ending at the broadcast address', mutate: (d) => { dhcp(d, 'default').range = { start: '10.0.1.10', end: '10.0.1.255' }; }, doc: ['VPC', 'vpc-1'], field: 'spec.subnets.default.dhcp.range.end', message: /10\.0\.1\.255 is not a usable address/ },
  { name: 'DHCP range outside the subnet', mutate: (d) => { dhcp(d, 'default').range = { start: '10.0.1.10', end: '10.0.9.99' }; }, doc: ['VPC', 'vpc-1'], field: 'spec.subnets.default.dhcp.range.end', message: /10\.0\.9\.99 is not a usable address/ },
  { name: 'DHCP range starting at the gateway', mutate: (d) => { dhcp(d, 'default').range = { start: '10.0.1.1', end: '10.0.1.99' }; }, doc: ['VPC', 'vpc-1'], field: 'spec.subnets.default.dhcp.range.start', message: /must not be the gateway/ },
  { name: 'DHCP range with start after end', mutate: (d) => { dhcp(d, 'default').range = { start: '10.0.1.99', end: '10.0.1.10' }; }, doc: ['VPC', 'vpc-1'], field: 'spec.subnets.default.dhcp.range', message: /start must be lower than end/ },
  { name: 'DHCP interface MTU above 9036', mutate: (d) => { dhcp(d, 'default').options = { interfaceMTU: 9100 }; }, doc: ['VPC', 'vpc-1'], field: 'spec.subnets.default.dhcp.options.interfaceMTU', message: /9100 is outside 96-9036/ },
  { name: 'DHCP interface MTU below 96', mutate: (d) => { dhcp(d, 'default').options = { interfaceMTU: 64 }; }, doc: ['VPC', 'vpc-1'], field: 'spec.subnets.default.dhcp.options.interfaceMTU', message: /64 is outside 96-9036/ },
  { name: 'DHCP lease time of 0 seconds', mutate: (d) => { dhcp(d, 'default').options = { leaseTimeSeconds: 0 }; }, doc: ['VPC', 'vpc-1'], field: 'spec.subnets.default.dhcp.options.leaseTimeSeconds', message: /must be at least 1 second/ },
  // VPCAttachment: native VLAN, ESLAG, hostBGP
  {
    name: 'a second native-VLAN attachment on one connection',
    mutate: (d) => {
      spec(d, 'VPCAttachment', 'server-01--vpc-1--default').nativeVLAN = true;
      d.push({ apiVersion: vpcApi, kind: 'VPCAttachment', metadata: md('server-01--vpc-2--default'), spec: { connection: 'server-01--unbundled--leaf-01', subnet: 'vpc-2/default', nativeVLAN: true } });
    },
    doc: ['VPCAttachment', 'server-01--vpc-2--default'], field: 'spec.nativeVLAN', message: /Connection server-01--unbundled--leaf-01 already has a native VLAN attachment \(server-01--vpc-1--default\)/,
  },
  {
    name: 'an ESLAG connection attaching an l3vni VPC',
    mutate: (d) => {
      spec(d, 'VPC', 'vpc-2').mode = 'l3vni';
      d.push(
        { apiVersion: wiringApi, kind: 'Connection', metadata: md('server-01--eslag--leaf-01--leaf-02'), spec: { eslag: { links: [{ server: { port: 'server-01/enp2s2' }, switch: { port: 'leaf-01/E1/2' } }, { server: { port: 'server-01/enp2s3' }, switch: { port: 'leaf-02/E1/2' } }] } } },
        { apiVersion: vpcApi, kind: 'VPCAttachment', metadata: md('server-01--eslag--vpc-2'), spec: { connection: 'server-01--eslag--leaf-01--leaf-02', subnet: 'vpc-2/default' } },
      );
    },
    doc: ['VPCAttachment', 'server-01--eslag--vpc-2'], field: 'spec.connection', message: /ESLAG connection server-01--eslag--leaf-01--leaf-02 cannot attach l3vni VPC vpc-2/,
  },
  {
    name: 'a hostBGP subnet over a bundled connection',
    mutate: (d) => {
      subnet(d, 'vpc-2', 'default').hostBGP = true;
      d.push(
        { apiVersion: wiringApi, kind: 'Connection', metadata: md('server-02--bundled--leaf-02'), spec: { bundled: { links: [{ server: { port: 'server-02/enp2s2' }, switch: { port: 'leaf-02/E1/2' } }, { server: { port: 'server-02/enp2s3' }, switch: { port: 'leaf-02/E1/3' } }] } } },
        { apiVersion: vpcApi, kind: 'VPCAttachment', metadata: md('server-02--vpc-2--bgp'), spec: { connection: 'server-02--bundled--leaf-02', subnet: 'vpc-2/default' } },
      );
    },
    doc: ['VPCAttachment', 'server-02--vpc-2--bgp'], field: 'spec.connection', message: /hostBGP subnet default can only use an unbundled connection/,
  },
  // External: communities and static prefixes
  { name: 'a BGP inbound community that is not ASN:NN', mutate: (d) => { spec(d, 'External', 'edge').inboundCommunity = '65102-5000'; }, doc: ['External', 'edge'], field: 'spec.inboundCommunity', message: /must be a BGP community ASN:NN, got string "65102-5000"/ },
  { name: 'a BGP external without an outbound community', mutate: (d) => { delete spec(d, 'External', 'edge').outboundCommunity; }, doc: ['External', 'edge'], field: 'spec.outboundCommunity', message: /must be a BGP community ASN:NN/ },
  { name: 'a static external with a community', mutate: (d) => { staticExternal(d, { inboundCommunity: '65102:5000' }); }, doc: ['External', 'st-edge'], field: 'spec.inboundCommunity', message: /must be empty for a static external/ },
  { name: 'a static external without prefixes', mutate: (d) => { staticExternal(d, { static: { prefixes: [] } }); }, doc: ['External', 'st-edge'], field: 'spec.static.prefixes', message: /a static external needs at least one prefix/ },
  { name: 'a static external with overlapping prefixes', mutate: (d) => { staticExternal(d, { static: { prefixes: ['10.0.0.0/8', '10.1.0.0/16'] } }); }, doc: ['External', 'st-edge'], field: 'spec.static.prefixes[1]', message: /10\.1\.0\.0\/16 overlaps another prefix/ },
  { name: 'a static external prefix that is not a CIDR', mutate: (d) => { staticExternal(d, { static: { prefixes: ['default'] } }); }, doc: ['External', 'st-edge'], field: 'spec.static.prefixes[0]', message: /"default" is not an IPv4 CIDR/ },
  // ExternalAttachment fields
  { name: 'an ExternalAttachment without switch', mutate: (d) => { delete spec(d, 'ExternalAttachment', 'border-01--edge').switch; }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.switch', message: /is required by the schema/ },
  { name: 'an ExternalAttachment without neighbor', mutate: (d) => { delete spec(d, 'ExternalAttachment', 'border-01--edge').neighbor; }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.neighbor', message: /is required by the schema/ },
  { name: 'a BGP attachment switch IP without prefix length', mutate: (d) => { spec(d, 'ExternalAttachment', 'border-01--edge').switch = { ip: '100.100.0.1', vlan: 100 }; }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.switch.ip', message: /is required \(address with prefix length\)/ },
  { name: 'a BGP attachment without neighbor ASN', mutate: (d) => { spec(d, 'ExternalAttachment', 'border-01--edge').neighbor = { ip: '100.100.0.6' }; }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.neighbor.asn', message: /is required/ },
  { name: 'a BGP attachment neighbor IP that does not parse', mutate: (d) => { spec(d, 'ExternalAttachment', 'border-01--edge').neighbor = { asn: 65102, ip: '100.100.0' }; }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.neighbor.ip', message: /is required \(IPv4 address\)/ },
  { name: 'a static attachment to a BGP external', mutate: (d) => { spec(d, 'ExternalAttachment', 'border-01--edge').static = { remoteIP: '100.100.0.6', vlan: 100, ip: '100.100.0.1/24' }; }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.static', message: /External edge is BGP but the attachment is static/ },
  { name: 'an ExternalAttachment over a server connection', mutate: (d) => { spec(d, 'ExternalAttachment', 'border-01--edge').connection = 'server-01--unbundled--leaf-01'; }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.connection', message: /is of type unbundled; an ExternalAttachment needs type external/ },
  {
    name: 'two attachments with one VLAN on a connection',
    mutate: (d) => { d.push({ apiVersion: vpcApi, kind: 'ExternalAttachment', metadata: md('border-01--edge-2'), spec: { connection: 'border-01--external--edge', external: 'edge', switch: { ip: '100.100.1.1/24', vlan: 100 }, neighbor: { asn: 65102, ip: '100.100.1.6' } } }); },
    doc: ['ExternalAttachment', 'border-01--edge-2'], field: 'spec.switch.vlan', message: /VLAN 100 on Connection border-01--external--edge is already used by ExternalAttachment border-01--edge/,
  },
  { name: 'a static attachment with a neighbor', mutate: (d) => { staticExternal(d); d.push({ ...staticAttachment({ remoteIP: '192.168.30.1', vlan: 35, ip: '192.168.30.5/24' }), spec: { connection: 'border-01--external--st', external: 'st-edge', switch: {}, neighbor: { asn: 65000 }, static: { remoteIP: '192.168.30.1', vlan: 35, ip: '192.168.30.5/24' } } }); }, doc: ['ExternalAttachment', 'border-01--st'], field: 'spec.neighbor', message: /must be empty for a static attachment/ },
  { name: 'a static attachment with a bad remote IP', mutate: (d) => { staticExternal(d); d.push(staticAttachment({ remoteIP: '192.168.30', vlan: 35, ip: '192.168.30.5/24' })); }, doc: ['ExternalAttachment', 'border-01--st'], field: 'spec.static.remoteIP', message: /must be an IPv4 address, got string "192\.168\.30"/ },
  { name: 'a static attachment with both ip and proxy', mutate: (d) => { staticExternal(d); d.push(staticAttachment({ remoteIP: '192.168.30.1', vlan: 35, ip: '192.168.30.5/24', proxy: true })); }, doc: ['ExternalAttachment', 'border-01--st'], field: 'spec.static', message: /exactly one of ip or proxy must be set/ },
  { name: 'a static attachment with neither ip nor proxy', mutate: (d) => { staticExternal(d); d.push(staticAttachment({ remoteIP: '192.168.30.1', vlan: 35 })); }, doc: ['ExternalAttachment', 'border-01--st'], field: 'spec.static', message: /exactly one of ip or proxy must be set/ },
  // ACL statements
  { name: 'an ACL statement with seq below 10', mutate: (d) => { acl(d, [stmt({ seq: 5 })]); }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.inboundACL.statements[0].seq', message: /must be an integer >= 10, got number 5/ },
  { name: 'two ACL statements with one seq', mutate: (d) => { acl(d, [stmt({ seq: 20 }), stmt({ seq: 20, action: 'deny' })]); }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.inboundACL.statements[1].seq', message: /sequence number 20 is used twice/ },
  { name: 'an ACL action outside the enum', mutate: (d) => { acl(d, [stmt({ action: 'drop' })]); }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.inboundACL.statements[0].action', message: /must be one of permit, deny, discard, transit/ },
  { name: 'an ACL protocol outside the enum', mutate: (d) => { acl(d, [stmt({ protocol: 'sctp' })]); }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.inboundACL.statements[0].protocol', message: /must be one of ip, tcp, udp, icmp/ },
  { name: 'an ACL prefix that is neither CIDR nor any', mutate: (d) => { acl(d, [stmt({ srcPrefix: 'everything' })]); }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.inboundACL.statements[0].srcPrefix', message: /must be a CIDR or 'any', got string "everything"/ },
  { name: 'ACL tcpFilters on a udp statement', mutate: (d) => { acl(d, [stmt({ protocol: 'udp', tcpFilters: ['syn'] })]); }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.inboundACL.statements[0].tcpFilters', message: /only with protocol tcp/ },
  { name: 'an ACL port range on an icmp statement', mutate: (d) => { acl(d, [stmt({ protocol: 'icmp', portRangeBegin: 80, portRangeEnd: 90 })]); }, doc: ['ExternalAttachment', 'border-01--edge'], field: 'spec.inboundACL.statements[0].portRangeBegin', message: /port ranges only with protocol tcp or udp/ },
  // breakout ports
  {
    name: 'a breakout port whose parent port another connection uses',
    mutate: (d) => { spec(d, 'Connection', 'server-02--unbundled--leaf-02').unbundled = { link: { server: { port: 'server-02/enp2s1' }, switch: { port: 'leaf-01/E1/1/1' } } }; },
    doc: ['Connection', 'server-02--unbundled--leaf-02'], field: 'spec.unbundled.link.switch.port', message: /port leaf-01\/E1\/1\/1 is already used by Connection server-01--unbundled--leaf-01/,
  },
];

describe('fabric validation: the remaining webhook rules', () => {
  it.each(CASES)('rejects $name on the offending document and field', async (c) => {
    const docs = sampleDocs();
    c.mutate(docs);
    const dir = docsDir(docs);
    const state = await desiredFabrics([fabric(dir)], sources);
    expect(state.objects).toEqual([]);
    expect(fabricProblems(state)).toContainEqual(expect.objectContaining({
      file: `${dir}/fabric.yaml#${String(indexOf(docs, c.doc[0], c.doc[1]))}`,
      field: c.field,
      message: expect.stringMatching(c.message) as unknown,
    }));
  });

  it('accepts what the rules allow: two breakouts of one port, a valid static external with an ACL', async () => {
    const docs = sampleDocs();
    docs.push(
      { apiVersion: wiringApi, kind: 'Connection', metadata: md('server-01--unbundled--leaf-01-b1'), spec: { unbundled: { link: { server: { port: 'server-01/enp3s1' }, switch: { port: 'leaf-01/E1/55/1' } } } } },
      { apiVersion: wiringApi, kind: 'Connection', metadata: md('server-01--unbundled--leaf-01-b2'), spec: { unbundled: { link: { server: { port: 'server-01/enp3s2' }, switch: { port: 'leaf-01/E1/55/2' } } } } },
    );
    staticExternal(docs);
    docs.push(staticAttachment({ remoteIP: '192.168.30.1', vlan: 35, ip: '192.168.30.5/24' }));
    acl(docs, [stmt({ seq: 10 }), stmt({ seq: 20, protocol: 'udp', portRangeBegin: 53, portRangeEnd: 53 }), stmt({ seq: 30, protocol: 'icmp', action: 'deny', dstPrefix: 'any' })]);
    const state = await desiredFabrics([fabric(docsDir(docs))], sources);
    expect(fabricProblems(state)).toEqual([]);
    expect(state.objects).toHaveLength(docs.length);
  });
});
