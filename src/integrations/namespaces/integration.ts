import { defineIntegration } from '../define-integration.js';
import { desiredNamespaces, NAMESPACES_INTEGRATION } from './desired.js';

export const namespacesIntegration = defineIntegration({
  name: NAMESPACES_INTEGRATION,
  summary: 'Namespaces from namespace datafiles: labels, tenant label, OpenShift display name and description; prunes `delete: true`',
  qontractIntegration: 'openshift-namespaces',
  kinds: [{ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, order: 10 }],
  buildDesired: (ctx) => desiredNamespaces(ctx.data),
});
