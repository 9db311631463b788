/**
 * Desired network objects of the VDCs (`/kontract/network-1.yml`, src/app-interface/tenancy/network.ts):
 * a `multus` network becomes a NetworkAttachmentDefinition (k8s.cni.cncf.io/v1) whose
 * `spec.config` is the CNI configuration, a `udn` network a UserDefinedNetwork (k8s.ovn.org/v1),
 * each named after the network in the VDC's namespace. Only in namespaces the tenant
 * integrations manage (../tenant-namespaces.ts).
 */
import type { AppInterfaceData } from '../../app-interface/model.js';
import type { MultusIpam, MultusNetwork, UdnNetwork, VdcNetwork } from '../../app-interface/tenancy/network-model.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { DesiredObject, DesiredState } from '../define-integration.js';
import { externalNamespaces, managedNamespaces, namespaceKey } from '../tenant-namespaces.js';

export const NETWORKS_INTEGRATION = 'networks';
/** The CNI spec version written into every NetworkAttachmentDefinition's config. */
export const CNI_VERSION = '0.3.1';

function ipamConfig(ipam: MultusIpam | undefined): Record<string, unknown> {
  if (ipam === undefined) return {};
  switch (ipam.type) {
    case 'dhcp':
      return { type: 'dhcp' };
    case 'whereabouts':
      return {
        type: 'whereabouts',
        range: ipam.subnet,
        ...(ipam.rangeStart === undefined ? {} : { range_start: ipam.rangeStart }),
        ...(ipam.rangeEnd === undefined ? {} : { range_end: ipam.rangeEnd }),
        ...(ipam.gateway === undefined ? {} : { gateway: ipam.gateway }),
        ...(ipam.exclude === undefined ? {} : { exclude: ipam.exclude }),
      };
    case 'host-local':
      return {
        type: 'host-local',
        ranges: [[{
          subnet: ipam.subnet,
          ...(ipam.rangeStart === undefined ? {} : { rangeStart: ipam.rangeStart }),
          ...(ipam.rangeEnd === undefined ? {} : { rangeEnd: ipam.rangeEnd }),
          ...(ipam.gateway === undefined ? {} : { gateway: ipam.gateway }),
        }]],
      };
  }
}

/** The CNI configuration (JSON, fixed key order so the text is stable across runs). */
export function cniConfig(name: string, m: MultusNetwork): string {
  return JSON.stringify({
    cniVersion: CNI_VERSION,
    name,
    type: m.plugin,
    ...(m.bridge === undefined ? {} : { bridge: m.bridge }),
    ...(m.vlan === undefined ? {} : { vlan: m.vlan }),
    ...(m.master === undefined ? {} : { master: m.master }),
    ...(m.mode === undefined ? {} : { mode: m.mode }),
    ...(m.mtu === undefined ? {} : { mtu: m.mtu }),
    ipam: ipamConfig(m.ipam),
  });
}

export function networkAttachmentDefinition(n: VdcNetwork, m: MultusNetwork): KubeObject {
  return {
    apiVersion: 'k8s.cni.cncf.io/v1',
    kind: 'NetworkAttachmentDefinition',
    metadata: { name: n.name, namespace: n.namespace },
    spec: { config: cniConfig(n.name, m) },
  };
}

export function userDefinedNetwork(n: VdcNetwork, u: UdnNetwork): KubeObject {
  const layer = {
    role: u.role === 'primary' ? 'Primary' : 'Secondary',
    subnets: u.topology === 'layer2' ? u.subnets.map((s) => s.cidr) : u.subnets,
    ...(u.mtu === undefined ? {} : { mtu: u.mtu }),
  };
  return {
    apiVersion: 'k8s.ovn.org/v1',
    kind: 'UserDefinedNetwork',
    metadata: { name: n.name, namespace: n.namespace },
    spec: u.topology === 'layer2' ? { topology: 'Layer2', layer2: layer } : { topology: 'Layer3', layer3: layer },
  };
}

export function desiredNetworks(data: AppInterfaceData): DesiredState {
  const managed = new Set(managedNamespaces(data, NETWORKS_INTEGRATION).map(namespaceKey));
  const objects: DesiredObject[] = [];
  for (const n of data.networks ?? []) {
    if (!managed.has(namespaceKey({ cluster: n.cluster, name: n.namespace }))) continue;
    const object = n.spec.type === 'multus' ? networkAttachmentDefinition(n, n.spec) : userDefinedNetwork(n, n.spec);
    objects.push({ cluster: n.cluster, object, source: n.path, sourceFields: { 'metadata.name': 'name' } });
  }
  return { objects, problems: [], excludedNamespaces: externalNamespaces(data) };
}
