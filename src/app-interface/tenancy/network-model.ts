/**
 * The model of a VDC network (`/kontract/network-1.yml`, parsed by network.ts): a Multus
 * NetworkAttachmentDefinition or an OVN-Kubernetes UserDefinedNetwork in the VDC's namespace,
 * reconciled by the networks integration (src/integrations/networks/).
 */

export const NETWORK_SCHEMA = '/kontract/network-1.yml';
/** The namespace label OVN-Kubernetes requires before it serves a primary UserDefinedNetwork there. */
export const PRIMARY_UDN_NAMESPACE_LABEL = 'k8s.ovn.org/primary-user-defined-network';

export type MultusPlugin = 'bridge' | 'macvlan' | 'ipvlan';
export type MacvlanMode = 'bridge' | 'private' | 'vepa' | 'passthru';
export type IpvlanMode = 'l2' | 'l3' | 'l3s';

export type MultusIpam =
  | { readonly type: 'whereabouts' | 'host-local'; readonly subnet: string; readonly rangeStart?: string; readonly rangeEnd?: string; readonly gateway?: string; readonly exclude?: readonly string[] }
  | { readonly type: 'dhcp' };

export interface MultusNetwork {
  readonly type: 'multus';
  readonly plugin: MultusPlugin;
  /** bridge: the node's Linux bridge. */
  readonly bridge?: string;
  /** bridge: VLAN id (1–4094). */
  readonly vlan?: number;
  /** macvlan/ipvlan: the node's parent interface. */
  readonly master?: string;
  /** macvlan or ipvlan mode. */
  readonly mode?: MacvlanMode | IpvlanMode;
  readonly mtu?: number;
  /** Absent = no IPAM. */
  readonly ipam?: MultusIpam;
}

export type UdnRole = 'primary' | 'secondary';

export interface UdnNetwork {
  readonly type: 'udn';
  readonly role: UdnRole;
  readonly mtu?: number;
  readonly topology: 'layer2' | 'layer3';
  /** CIDRs (one, or two of different families); layer3 entries may carry the per-node `hostSubnet`. */
  readonly subnets: readonly { readonly cidr: string; readonly hostSubnet?: number }[];
}

/** `/kontract/network-1.yml`: one network of one VDC. */
export interface VdcNetwork {
  readonly path: string;
  readonly name: string;
  readonly description: string;
  /** Path of the VDC datafile. */
  readonly vdc: string;
  /** The VDC's namespace and cluster. */
  readonly namespace: string;
  readonly cluster: string;
  readonly spec: MultusNetwork | UdnNetwork;
}
