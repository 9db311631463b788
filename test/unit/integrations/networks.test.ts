/**
 * The networks integration on data loaded through the YAML loader (the base fixture tree plus an
 * organisation, a VDC and its network datafiles): what each network becomes, and which VM
 * attachments the loader accepts.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { isValidationError } from '../../../src/core/errors.js';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { desiredNetworks } from '../../../src/integrations/networks/desired.js';
import { networksIntegration } from '../../../src/integrations/networks/integration.js';

const BASE = fileURLToPath(new URL('../../fixtures/app-interface/base', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'kontract-networks-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

const VDC = {
  'tenancy/o1.yml': '$schema: /kontract/organisation-1.yml\nname: o1\ndisplayName: Org One\n',
  'tenancy/v1.yml': '$schema: /kontract/vdc-1.yml\nname: v1\norganisation: {$ref: /tenancy/o1.yml}\ncluster: {$ref: /openshift/c1/cluster.yml}\nallocationModel: pay-as-you-go\n',
};

function net(name: string, body: string): string {
  return `$schema: /kontract/network-1.yml\nname: ${name}\nvdc: {$ref: /tenancy/v1.yml}\n${body}`;
}

let n = 0;
async function load(files: Readonly<Record<string, string>>): Promise<AppInterfaceData> {
  const dir = join(work, String(n++));
  cpSync(BASE, dir, { recursive: true });
  for (const [rel, text] of Object.entries({ ...VDC, ...files })) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return loadAppInterface({ kind: 'dir', path: dir });
}

describe(desiredNetworks, () => {
  it('renders a multus bridge network with a VLAN and whereabouts IPAM as a NetworkAttachmentDefinition', async () => {
    const data = await load({ 'tenancy/net.yml': net('data', 'multus:\n  plugin: bridge\n  bridge: br-data\n  vlan: 100\n  mtu: 9000\n  ipam: {type: whereabouts, subnet: 192.168.10.0/24, rangeStart: 192.168.10.10, rangeEnd: 192.168.10.200, gateway: 192.168.10.1, exclude: [192.168.10.64/28]}\n') });
    const state = desiredNetworks(data);
    expect(state.problems).toEqual([]);
    expect(state.objects).toHaveLength(1);
    const [d] = state.objects;
    expect(d?.cluster).toBe('c1');
    expect(d?.source).toBe('/tenancy/net.yml');
    expect(d?.object).toMatchObject({ apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'data', namespace: 'vdc-o1-v1' } });
    const config = (d?.object.spec as { config: string }).config;
    expect(JSON.parse(config)).toEqual({
      cniVersion: '0.3.1', name: 'data', type: 'bridge', bridge: 'br-data', vlan: 100, mtu: 9000,
      ipam: { type: 'whereabouts', range: '192.168.10.0/24', range_start: '192.168.10.10', range_end: '192.168.10.200', gateway: '192.168.10.1', exclude: ['192.168.10.64/28'] },
    });
  });

  it('renders macvlan with host-local ranges, and a network without IPAM with an empty ipam', async () => {
    const data = await load({
      'tenancy/a.yml': net('storage', 'multus: {plugin: macvlan, master: eth1, mode: bridge, ipam: {type: host-local, subnet: "fd00:20::/64", gateway: "fd00:20::1"}}\n'),
      'tenancy/b.yml': net('l2', 'multus: {plugin: ipvlan, master: eth2, mode: l2}\n'),
    });
    const configs = desiredNetworks(data).objects.map((o) => JSON.parse((o.object.spec as { config: string }).config) as unknown);
    expect(configs).toEqual([
      { cniVersion: '0.3.1', name: 'storage', type: 'macvlan', master: 'eth1', mode: 'bridge', ipam: { type: 'host-local', ranges: [[{ subnet: 'fd00:20::/64', gateway: 'fd00:20::1' }]] } },
      { cniVersion: '0.3.1', name: 'l2', type: 'ipvlan', master: 'eth2', mode: 'l2', ipam: {} },
    ]);
  });

  it('renders dhcp IPAM as the dhcp plugin alone', async () => {
    const data = await load({ 'tenancy/d.yml': net('dhcp', 'multus: {plugin: macvlan, master: eth1, ipam: {type: dhcp}}\n') });
    expect(desiredNetworks(data).objects.map((o) => JSON.parse((o.object.spec as { config: string }).config) as unknown)).toEqual([
      { cniVersion: '0.3.1', name: 'dhcp', type: 'macvlan', master: 'eth1', ipam: { type: 'dhcp' } },
    ]);
  });

  it('builds the sample VDC wayne/prod\'s bridged VLAN network and secondary UDN', async () => {
    const sample = await loadAppInterface({ kind: 'dir', path: SAMPLE });
    expect(desiredNetworks(sample).objects.map((o) => `${o.cluster}/${o.object.metadata.namespace ?? ''}/${o.object.kind}/${o.object.metadata.name}`)).toEqual([
      'prod-1/vdc-wayne-prod/UserDefinedNetwork/backend',
      'prod-1/vdc-wayne-prod/NetworkAttachmentDefinition/data',
    ]);
  });

  it('renders udn networks as UserDefinedNetworks and labels the VDC namespace of a primary one', async () => {
    const data = await load({
      'tenancy/p.yml': net('tenant', 'udn: {role: primary, mtu: 1400, layer2: {subnets: [10.100.0.0/16, "fd00:100::/64"]}}\n'),
      'tenancy/s.yml': net('backend', 'udn:\n  role: secondary\n  layer3:\n    subnets: [{cidr: 10.200.0.0/16, hostSubnet: 24}]\n'),
    });
    expect(desiredNetworks(data).objects.map((o) => o.object)).toEqual([
      {
        apiVersion: 'k8s.ovn.org/v1', kind: 'UserDefinedNetwork', metadata: { name: 'tenant', namespace: 'vdc-o1-v1' },
        spec: { topology: 'Layer2', layer2: { role: 'Primary', subnets: ['10.100.0.0/16', 'fd00:100::/64'], mtu: 1400 } },
      },
      {
        apiVersion: 'k8s.ovn.org/v1', kind: 'UserDefinedNetwork', metadata: { name: 'backend', namespace: 'vdc-o1-v1' },
        spec: { topology: 'Layer3', layer3: { role: 'Secondary', subnets: [{ cidr: '10.200.0.0/16', hostSubnet: 24 }] } },
      },
    ]);
    expect(data.namespaces.find((ns) => ns.name === 'vdc-o1-v1')?.labels).toEqual({ 'kontract.io/vdc': 'v1', 'k8s.ovn.org/primary-user-defined-network': '' });
  });

  it('leaves the VDC namespace without the primary-UDN label when it has no primary UDN', async () => {
    const data = await load({ 'tenancy/s.yml': net('backend', 'udn: {role: secondary, layer2: {subnets: [10.1.0.0/24]}}\n') });
    expect(data.namespaces.find((ns) => ns.name === 'vdc-o1-v1')?.labels).toEqual({ 'kontract.io/vdc': 'v1' });
  });
});

describe('network datafile checks beyond the bad-input corpus', () => {
  it.each([
    ['macvlan without master', 'multus: {plugin: macvlan}', 'multus.master', 'is required with plugin macvlan'],
    ['vlan on macvlan', 'multus: {plugin: macvlan, master: eth1, vlan: 5}', 'multus.vlan', 'is not used by the macvlan plugin'],
    ['bridge on ipvlan', 'multus: {plugin: ipvlan, master: eth1, bridge: br0}', 'multus.bridge', 'is not used by the ipvlan plugin'],
    ['mode on bridge', 'multus: {plugin: bridge, bridge: br0, mode: l2}', 'multus.mode', 'is not used by the bridge plugin'],
    ['range out of order', 'multus: {plugin: bridge, bridge: br0, ipam: {type: whereabouts, subnet: 10.0.0.0/24, rangeStart: 10.0.0.50, rangeEnd: 10.0.0.10}}', 'multus.ipam.rangeEnd', 'is before rangeStart 10.0.0.50'],
    ['range start outside', 'multus: {plugin: bridge, bridge: br0, ipam: {type: whereabouts, subnet: 10.0.0.0/24, rangeStart: 10.0.1.5}}', 'multus.ipam.rangeStart', '10.0.1.5 is not inside the subnet'],
    ['not an address', 'multus: {plugin: bridge, bridge: br0, ipam: {type: host-local, subnet: 10.0.0.0/24, gateway: 10.0.0.300}}', 'multus.ipam.gateway', "'10.0.0.300' is not an IP address"],
    ['exclude outside', 'multus: {plugin: bridge, bridge: br0, ipam: {type: whereabouts, subnet: 10.0.0.0/24, exclude: [10.0.0.0/16]}}', 'multus.ipam.exclude[0]', '10.0.0.0/16 is not inside the subnet 10.0.0.0/24'],
    ['exclude with host-local', 'multus: {plugin: bridge, bridge: br0, ipam: {type: host-local, subnet: 10.0.0.0/24, exclude: [10.0.0.0/28]}}', 'multus.ipam.exclude', 'is only supported by ipam type whereabouts'],
    ['subnet with dhcp', 'multus: {plugin: bridge, bridge: br0, ipam: {type: dhcp, subnet: 10.0.0.0/24}}', 'multus.ipam.subnet', 'is not used with ipam type dhcp'],
    ['no subnet with whereabouts', 'multus: {plugin: bridge, bridge: br0, ipam: {type: whereabouts}}', 'multus.ipam.subnet', 'is required with ipam type whereabouts'],
    ['multus IPv6 MTU', 'multus: {plugin: bridge, bridge: br0, mtu: 1000, ipam: {type: whereabouts, subnet: "fd00::/64"}}', 'multus.mtu', '1000 is below 1280'],
    ['hostSubnet of the whole address', 'udn: {role: secondary, layer3: {subnets: [{cidr: 10.0.0.0/16, hostSubnet: 32}]}}', 'udn.layer3.subnets[0].hostSubnet', '/32 leaves no addresses in an IPv4 subnet'],
    ['both layers', 'udn: {role: secondary, layer2: {subnets: [10.0.0.0/16]}, layer3: {subnets: [{cidr: 10.1.0.0/16}]}}', 'udn.layer3', 'needs exactly one of layer2 or layer3'],
    ['neither multus nor udn (reported on the document)', 'description: none', 'multus', 'needs exactly one of multus', 1],
  ] as [string, string, string, string, number?][])('%s', async (_case, body, field, message, line = 4) => {
    const err = await load({ 'tenancy/net.yml': net('n', `${body}\n`) }).then(() => undefined, (e: unknown) => e);
    expect(isValidationError(err)).toBe(true);
    const problems = isValidationError(err) ? err.problems : [];
    expect(problems.map((p) => `${p.file}:${p.line ?? '?'} ${p.field}`)).toEqual([`/tenancy/net.yml:${line} ${field}`]);
    expect(problems[0]?.message).toContain(message);
  });
});

describe('VM attachments in a VDC', () => {
  const TEMPLATE = '$schema: /kontract/kubevirt/vm-template-1.yml\nname: tiny\nmemory: {guest: 128Mi}\nbootDisk: {containerDisk: {image: quay.io/containerdisks/alpine:3.20}}\n';
  it('accepts its VDC\'s multus networks and secondary UDNs, by name or namespace/name', async () => {
    const data = await load({
      'tenancy/m.yml': net('data', 'multus: {plugin: bridge, bridge: br-data}\n'),
      'tenancy/s.yml': net('backend', 'udn: {role: secondary, layer2: {subnets: [10.1.0.0/24]}}\n'),
      'templates/tiny.yml': TEMPLATE,
      'vms/vm1.yml': '$schema: /kontract/kubevirt/virtual-machine-1.yml\nname: vm1\nnamespace: {$ref: /tenancy/v1.yml}\ntemplate: {$ref: /templates/tiny.yml}\nnetworks:\n  - {name: default, pod: {}}\n  - {name: data, multus: {networkName: data}}\n  - {name: backend, multus: {networkName: vdc-o1-v1/backend}}\n',
    });
    expect(data.virtualMachines?.map((v) => v.networks?.length)).toEqual([3]);
  });

  it('reports a template\'s Multus network that is not the VDC\'s on the VM\'s template field', async () => {
    const err = await load({
      'templates/tiny.yml': `${TEMPLATE}networks:\n  - {name: default, pod: {}}\n  - {name: storage, multus: {networkName: infra/storage-net}}\n`,
      'vms/vm1.yml': '$schema: /kontract/kubevirt/virtual-machine-1.yml\nname: vm1\nnamespace: {$ref: /tenancy/v1.yml}\ntemplate: {$ref: /templates/tiny.yml}\n',
    }).then(() => undefined, (e: unknown) => e);
    const problems = isValidationError(err) ? err.problems : [];
    expect(problems.map((p) => `${p.file}:${p.line ?? '?'} ${p.field}: ${p.message}`)).toEqual([
      "/vms/vm1.yml:4 template: infra/storage-net (network storage of template /templates/tiny.yml) is not a network of the VM's VDC /tenancy/v1.yml: a VM in a VDC attaches only to its VDC's multus networks and secondary UDNs (it has none)",
    ]);
  });
  it('reports a vApp VM whose template attaches to a network outside the vApp\'s VDC, on the vApp file', async () => {
    const err = await load({
      'templates/tiny.yml': `${TEMPLATE}networks:\n  - {name: default, pod: {}}\n  - {name: storage, multus: {networkName: infra/storage-net}}\n`,
      'vapps/a.yml': '$schema: /kontract/vapp-1.yml\nname: a\nvdc: {$ref: /tenancy/v1.yml}\ntemplate: {$ref: /templates/tiny.yml}\nvms:\n  - name: vm1\n',
    }).then(() => undefined, (e: unknown) => e);
    const problems = isValidationError(err) ? err.problems : [];
    expect(problems.map((p) => `${p.file}:${p.line ?? '?'} ${p.field}`)).toEqual(['/vapps/a.yml:4 template']);
    expect(problems[0]?.message).toContain("infra/storage-net (network storage of template /templates/tiny.yml) is not a network of the VM's VDC /tenancy/v1.yml");
  });
});

describe('networksIntegration', () => {
  it('lists NetworkAttachmentDefinitions and UserDefinedNetworks (one LIST each per cluster) after namespaces and service accounts', () => {
    expect(networksIntegration.kinds.map((k) => `${k.kind}.${k.group}/${k.version} ${k.plural} ${k.order}`)).toEqual([
      'NetworkAttachmentDefinition.k8s.cni.cncf.io/v1 network-attachment-definitions 30',
      'UserDefinedNetwork.k8s.ovn.org/v1 userdefinednetworks 30',
    ]);
  });

  it('refuses a change of a UserDefinedNetwork spec (immutable) but not of a NetworkAttachmentDefinition config', () => {
    const udn = (subnet: string) => ({ apiVersion: 'k8s.ovn.org/v1', kind: 'UserDefinedNetwork', metadata: { name: 'u' }, spec: { topology: 'Layer2', layer2: { role: 'Secondary', subnets: [subnet] } } });
    const nad = (config: string) => ({ apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'n' }, spec: { config } });
    expect(networksIntegration.immutable?.(udn('10.1.0.0/24'), udn('10.2.0.0/24'))).toEqual(['spec']);
    expect(networksIntegration.immutable?.(udn('10.1.0.0/24'), udn('10.1.0.0/24'))).toEqual([]);
    expect(networksIntegration.immutable?.(nad('{"a":1}'), nad('{"a":2}'))).toEqual([]);
  });
});
