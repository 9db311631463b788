/**
 * The twelve managed kinds with their apply order. Creates run by ascending order and deletes by
 * descending order (the engine does both from ManagedKind.order), which is the order the Hedgehog
 * webhooks enforce (a reference must exist before it is used): namespaces → switch groups → switches → servers →
 * connections → VPCs/externals → attachments and peerings.
 */
import type { ManagedKind } from '../../core/k8s-object.js';
import type { FabricKindName } from '../../app-interface/hedgehog/model.js';

export const VPC_GROUP = 'vpc.githedgehog.com';
export const WIRING_GROUP = 'wiring.githedgehog.com';
export const FABRIC_VERSION = 'v1beta1';

function vpcKind(kind: FabricKindName, plural: string, order: number): ManagedKind {
  return { group: VPC_GROUP, version: FABRIC_VERSION, kind, plural, namespaced: true, order };
}
function wiringKind(kind: FabricKindName, plural: string, order: number): ManagedKind {
  return { group: WIRING_GROUP, version: FABRIC_VERSION, kind, plural, namespaced: true, order };
}

/** Apply stages. */
export const FABRIC_ORDER = {
  namespaces: 50,
  switchGroups: 51,
  switches: 52,
  servers: 53,
  connections: 54,
  vpcsAndExternals: 55,
  attachmentsAndPeerings: 56,
} as const;

export const FABRIC_KINDS: Readonly<Record<FabricKindName, ManagedKind>> = {
  VLANNamespace: wiringKind('VLANNamespace', 'vlannamespaces', FABRIC_ORDER.namespaces),
  IPv4Namespace: vpcKind('IPv4Namespace', 'ipv4namespaces', FABRIC_ORDER.namespaces),
  SwitchGroup: wiringKind('SwitchGroup', 'switchgroups', FABRIC_ORDER.switchGroups),
  Switch: wiringKind('Switch', 'switches', FABRIC_ORDER.switches),
  Server: wiringKind('Server', 'servers', FABRIC_ORDER.servers),
  Connection: wiringKind('Connection', 'connections', FABRIC_ORDER.connections),
  VPC: vpcKind('VPC', 'vpcs', FABRIC_ORDER.vpcsAndExternals),
  External: vpcKind('External', 'externals', FABRIC_ORDER.vpcsAndExternals),
  VPCAttachment: vpcKind('VPCAttachment', 'vpcattachments', FABRIC_ORDER.attachmentsAndPeerings),
  VPCPeering: vpcKind('VPCPeering', 'vpcpeerings', FABRIC_ORDER.attachmentsAndPeerings),
  ExternalAttachment: vpcKind('ExternalAttachment', 'externalattachments', FABRIC_ORDER.attachmentsAndPeerings),
  ExternalPeering: vpcKind('ExternalPeering', 'externalpeerings', FABRIC_ORDER.attachmentsAndPeerings),
};

export const FABRIC_MANAGED_KINDS: readonly ManagedKind[] = Object.values(FABRIC_KINDS);

/** The fabric kind of an `apiVersion` + `kind` pair, or undefined. */
export function fabricKindOf(apiVersion: unknown, kind: unknown): FabricKindName | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  for (const [name, k] of Object.entries(FABRIC_KINDS) as [FabricKindName, ManagedKind][]) {
    if (k.kind === kind && `${k.group}/${k.version}` === apiVersion) return name;
  }
  return undefined;
}
