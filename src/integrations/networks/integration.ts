import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../core/k8s-object.js';
import { defineIntegration } from '../define-integration.js';
import { desiredNetworks, NETWORKS_INTEGRATION } from './desired.js';

/** A UserDefinedNetwork's spec is immutable (its CRD's `self == oldSelf` rule): the plan refuses a change instead of sending it. */
function udnSpecChange(current: KubeObject, desired: KubeObject): readonly string[] {
  return desired.kind === 'UserDefinedNetwork' && !isDeepStrictEqual(current.spec, desired.spec) ? ['spec'] : [];
}

export const networksIntegration = defineIntegration({
  name: NETWORKS_INTEGRATION,
  summary: "A VDC's networks: Multus NetworkAttachmentDefinitions and OVN-Kubernetes UserDefinedNetworks in its namespace",
  kinds: [
    { group: 'k8s.cni.cncf.io', version: 'v1', kind: 'NetworkAttachmentDefinition', plural: 'network-attachment-definitions', namespaced: true, order: 30 },
    { group: 'k8s.ovn.org', version: 'v1', kind: 'UserDefinedNetwork', plural: 'userdefinednetworks', namespaced: true, order: 30 },
  ],
  buildDesired: (ctx) => desiredNetworks(ctx.data),
  immutable: udnSpecChange,
  missingApiHint: 'the NetworkAttachmentDefinition (Multus) or UserDefinedNetwork (OVN-Kubernetes) CRD is not installed',
});
