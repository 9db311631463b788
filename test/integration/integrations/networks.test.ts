/**
 * networks against a real kube-apiserver with the upstream NetworkAttachmentDefinition and
 * UserDefinedNetwork CRDs (scripts/network-crds.sh, from the Go modules pinned in
 * tools/network-crds): converge, no-op, change (NAD config updated, UDN spec refused as
 * immutable), deletion of owned networks only, a VM attached to its VDC's network, a cluster
 * without the CRDs, and `kontract validate` reporting bad network data without a cluster.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { vdcNamespaceName } from '../../../src/app-interface/tenancy/naming.js';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { namespacesIntegration } from '../../../src/integrations/namespaces/integration.js';
import { networksIntegration } from '../../../src/integrations/networks/integration.js';
import { virtualMachinesIntegration } from '../../../src/integrations/virtual-machines/integration.js';
import { expandCrdPaths, installCrds } from '../../../src/local-cluster/crds.js';
import { createCr, deleteCr, installKubevirtCrds, readCr, vmRef } from '../../fixtures/kubevirt/live.js';
import type { CrRef } from '../../fixtures/kubevirt/live.js';
import { kontract, ROOT } from '../support/cli.js';
import { testCluster, testClusters, uniqueName } from '../support/clusters.js';
import { clusterFor, deleteNamespaces, labelsOf, readLive, reconcile } from './tenant-harness.js';

const C = 'prod-1';
const DEV = 'dev-1';
const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const org = uniqueName('it-net');
const ns = vdcNamespaceName(org, 'v');
const tree = mkdtempSync(join(tmpdir(), 'kontract-it-networks-'));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(tree, path)), { recursive: true });
  writeFileSync(join(tree, path), text);
}
function remove(path: string): void {
  rmSync(join(tree, path));
}
const network = (name: string, body: string): string => `$schema: /kontract/network-1.yml\nname: ${name}\nvdc: {$ref: /tenancy/v.yml}\n${body}`;
const DATA_NET = (vlan: number) => network('data', `multus:\n  plugin: bridge\n  bridge: br-data\n  vlan: ${vlan}\n  ipam: {type: whereabouts, subnet: 192.168.10.0/24, gateway: 192.168.10.1}\n`);
const TENANT_UDN = (subnet: string) => network('tenant', `udn:\n  role: primary\n  layer2: {subnets: [${subnet}]}\n`);
const BACKEND_UDN = network('backend', 'udn:\n  role: secondary\n  layer3:\n    subnets: [{cidr: 10.200.0.0/16, hostSubnet: 24}]\n');

/** The network CRDs: NETWORK_CRDS_DIR (set by scripts/test.sh) or the script's cache (a cache hit once written). */
async function crdDir(): Promise<string> {
  const fromEnv = process.env.NETWORK_CRDS_DIR;
  if (fromEnv !== undefined && fromEnv !== '' && existsSync(fromEnv)) return fromEnv;
  const out = await new Promise<string>((res, rej) => {
    execFile(join(ROOT, 'scripts', 'network-crds.sh'), { env: process.env }, (err, stdout) => {
      if (err === null) res(stdout);
      else rej(new Error(`scripts/network-crds.sh failed: ${err.message}`));
    });
  });
  return out.trim().split('\n').pop() ?? '';
}

async function load(cluster = C): Promise<AppInterfaceData> {
  const data = await loadAppInterface({ kind: 'dir', path: tree });
  return { ...data, clusters: [clusterFor(cluster)] };
}
const run = async (integration = networksIntegration, takeOver = false) => reconcile(integration, await load(), { namespaces: [ns], takeOver });
const nad = (name: string): CrRef => ({ group: 'k8s.cni.cncf.io', version: 'v1', plural: 'network-attachment-definitions', namespace: ns, name });
const udn = (name: string): CrRef => ({ group: 'k8s.ovn.org', version: 'v1', plural: 'userdefinednetworks', namespace: ns, name });
const configOf = (o: KubeObject | undefined): unknown => JSON.parse((o?.spec as { config: string }).config);

describe('networks on a real cluster with the upstream CRDs', () => {
  beforeAll(async () => {
    const names = await installCrds(testClusters().kubeconfig, testCluster(C).context, expandCrdPaths([await crdDir()]));
    expect(names.sort()).toEqual(['network-attachment-definitions.k8s.cni.cncf.io', 'userdefinednetworks.k8s.ovn.org']);
    for (const p of ['/openshift/prod-1/cluster.yml', '/kontract/clusters/prod-1.yml']) {
      mkdirSync(dirname(join(tree, p)), { recursive: true });
      cpSync(join(SAMPLE, p), join(tree, p));
    }
    write('/tenancy/o.yml', `$schema: /kontract/organisation-1.yml\nname: ${org}\ndisplayName: Network Test Org\n`);
    write('/tenancy/v.yml', '$schema: /kontract/vdc-1.yml\nname: v\norganisation: {$ref: /tenancy/o.yml}\ncluster: {$ref: /openshift/prod-1/cluster.yml}\nallocationModel: pay-as-you-go\n');
    write('/tenancy/networks/data.yml', DATA_NET(100));
    write('/tenancy/networks/tenant.yml', TENANT_UDN('10.100.0.0/16'));
    write('/tenancy/networks/backend.yml', BACKEND_UDN);
    // The namespace (with the primary-UDN label OVN-Kubernetes requires) exists before its networks.
    const nsRun = await run(namespacesIntegration);
    expect(nsRun.result.errors).toEqual([]);
  });
  afterAll(async () => {
    await deleteCr(C, vmRef(ns, 'vm1'));
    await deleteNamespaces(C, [ns]);
    rmSync(tree, { recursive: true, force: true });
  });

  it('labels the VDC namespace of a primary UDN', async () => {
    expect(labelsOf(await readLive(C, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))).toMatchObject({
      'kontract.io/vdc': 'v', 'k8s.ovn.org/primary-user-defined-network': '',
    });
  });

  it('creates the NetworkAttachmentDefinition and UserDefinedNetworks, owned by the integration', async () => {
    const r = await run();
    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([
      `create ${C}/${ns}/NetworkAttachmentDefinition.k8s.cni.cncf.io/data`,
      `create ${C}/${ns}/UserDefinedNetwork.k8s.ovn.org/backend`,
      `create ${C}/${ns}/UserDefinedNetwork.k8s.ovn.org/tenant`,
    ]);
    const data = await readCr(C, nad('data'));
    expect(labelsOf(data)).toMatchObject({ 'app.kubernetes.io/managed-by': 'kontract', 'kontract.io/integration': 'networks' });
    expect(configOf(data)).toEqual({
      cniVersion: '0.3.1', name: 'data', type: 'bridge', bridge: 'br-data', vlan: 100,
      ipam: { type: 'whereabouts', range: '192.168.10.0/24', gateway: '192.168.10.1' },
    });
    expect((await readCr(C, udn('tenant')))?.spec).toEqual({ topology: 'Layer2', layer2: { role: 'Primary', subnets: ['10.100.0.0/16'] } });
    expect((await readCr(C, udn('backend')))?.spec).toEqual({ topology: 'Layer3', layer3: { role: 'Secondary', subnets: [{ cidr: '10.200.0.0/16', hostSubnet: 24 }] } });
  });

  it('sends nothing on the second run (still one LIST per kind)', async () => {
    const r = await run();
    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([]);
    expect(r.writes).toBe(0);
    expect(r.result.clusters.map((c) => c.stats.byVerb.list)).toEqual([2]);
  });

  it('updates a NetworkAttachmentDefinition config in place and refuses a UserDefinedNetwork spec change', async () => {
    write('/tenancy/networks/data.yml', DATA_NET(200));
    write('/tenancy/networks/tenant.yml', TENANT_UDN('10.101.0.0/16'));
    const r = await run();
    expect(r.changes).toEqual([`update ${C}/${ns}/NetworkAttachmentDefinition.k8s.cni.cncf.io/data`]);
    expect(r.result.errors.map((e) => `${e.code} ${e.message}`)).toEqual([
      expect.stringMatching(/^E_SAFETY .*UserDefinedNetwork.*tenant.*refused: immutable field\(s\) spec would change/),
    ]);
    expect((configOf(await readCr(C, nad('data'))) as { vlan: number }).vlan).toBe(200);
    expect((await readCr(C, udn('tenant')))?.spec).toEqual({ topology: 'Layer2', layer2: { role: 'Primary', subnets: ['10.100.0.0/16'] } });
    write('/tenancy/networks/tenant.yml', TENANT_UDN('10.100.0.0/16'));
    const back = await run();
    expect(back.result.errors).toEqual([]);
    expect(back.changes).toEqual([]);
  });

  it('deletes an owned network whose datafile is gone, never an unowned one', async () => {
    await createCr(C, nad('hand-made'), { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'hand-made', namespace: ns }, spec: { config: '{"cniVersion":"0.3.1","type":"bridge"}' } });
    remove('/tenancy/networks/backend.yml');
    const r = await run();
    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([`delete ${C}/${ns}/UserDefinedNetwork.k8s.ovn.org/backend`]);
    expect(await readCr(C, udn('backend'))).toBeUndefined();
    expect(await readCr(C, nad('hand-made'))).toBeDefined();
    write('/tenancy/networks/backend.yml', BACKEND_UDN);
    write('/tenancy/networks/hand-made.yml', network('hand-made', 'multus: {plugin: bridge, bridge: br-hand}\n'));
    const conflict = await run();
    expect(conflict.result.errors.map((e) => e.code)).toContain('E_OWNERSHIP_CONFLICT');
    const adopted = await run(networksIntegration, true);
    expect(adopted.result.errors).toEqual([]);
    expect(labelsOf(await readCr(C, nad('hand-made')))).toMatchObject({ 'kontract.io/integration': 'networks' });
    remove('/tenancy/networks/hand-made.yml');
  });

  it('gives a VM in the VDC a Multus interface on its VDC network', async () => {
    await installKubevirtCrds(C);
    write('/templates/tiny.yml', '$schema: /kontract/kubevirt/vm-template-1.yml\nname: tiny\nmemory: {guest: 128Mi}\nbootDisk: {containerDisk: {image: quay.io/containerdisks/alpine:3.20}}\n');
    write('/vms/vm1.yml', '$schema: /kontract/kubevirt/virtual-machine-1.yml\nname: vm1\nnamespace: {$ref: /tenancy/v.yml}\ntemplate: {$ref: /templates/tiny.yml}\nnetworks:\n  - {name: default, pod: {}}\n  - {name: data, multus: {networkName: data}}\n');
    const r = await run(virtualMachinesIntegration);
    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([`create ${C}/${ns}/VirtualMachine.kubevirt.io/vm1`]);
    const spec = (await readCr(C, vmRef(ns, 'vm1')))?.spec as { template: { spec: { networks: unknown; domain: { devices: { interfaces: unknown } } } } };
    expect(spec.template.spec.networks).toEqual([{ name: 'default', pod: {} }, { name: 'data', multus: { networkName: 'data' } }]);
    expect(spec.template.spec.domain.devices.interfaces).toEqual([{ name: 'default', masquerade: {} }, { name: 'data', bridge: {} }]);
  });

  it('refuses, before any cluster is contacted, a VM attached to a network that is not its VDC\'s', async () => {
    write('/vms/vm1.yml', '$schema: /kontract/kubevirt/virtual-machine-1.yml\nname: vm1\nnamespace: {$ref: /tenancy/v.yml}\ntemplate: {$ref: /templates/tiny.yml}\nnetworks:\n  - {name: default, pod: {}}\n  - {name: infra, multus: {networkName: infra/storage-net}}\n');
    const r = await kontract(['validate', '--app-interface', tree]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("/vms/vm1.yml:7 networks[1].multus.networkName: infra/storage-net is not a network of the VM's VDC /tenancy/v.yml");
    remove('/vms/vm1.yml');
  });

  it('reports the missing CRDs on a cluster that does not serve them', async () => {
    const data = await load();
    const onDev = {
      ...data,
      clusters: [clusterFor(DEV)],
      namespaces: data.namespaces.map((n) => ({ ...n, cluster: DEV })),
      networks: (data.networks ?? []).map((n) => ({ ...n, cluster: DEV })),
    };
    const r = await reconcile(networksIntegration, onDev, { namespaces: [ns] });
    expect(r.result.errors.map((e) => e.message).join('\n')).toContain('the NetworkAttachmentDefinition (Multus) or UserDefinedNetwork (OVN-Kubernetes) CRD is not installed');
  });
});
