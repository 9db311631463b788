import { defineIntegration } from '../define-integration.js';
import { RESOURCES_INTEGRATION, desiredResources } from './desired.js';

export const resourcesIntegration = defineIntegration({
  name: RESOURCES_INTEGRATION,
  summary: "Any kind from namespaces' openshiftResources (qontract's openshift-resources): manifests, Jinja2 templates, vault-secrets, routes",
  // The kinds are the data's (managedResourceTypes), resolved per cluster through API discovery.
  kinds: [],
  kindsFromData: true,
  buildDesired: (ctx) => desiredResources(ctx.data, ctx.secrets),
});
