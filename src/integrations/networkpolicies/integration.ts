import { defineIntegration } from '../define-integration.js';
import { desiredNetworkPolicies, NETWORKPOLICIES_INTEGRATION } from './desired.js';

export const networkPoliciesIntegration = defineIntegration({
  name: NETWORKPOLICIES_INTEGRATION,
  summary: 'NetworkPolicies: allow-from-<src>-namespace per networkPoliciesAllow; default-deny plus same-namespace/tenant allows for isolated namespaces',
  qontractIntegration: 'openshift-network-policies',
  kinds: [{ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, order: 50 }],
  buildDesired: (ctx) => desiredNetworkPolicies(ctx.data),
});
