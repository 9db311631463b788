import { defineIntegration } from '../define-integration.js';
import { desiredResourceQuotas, RESOURCEQUOTAS_INTEGRATION } from './desired.js';

export const resourceQuotasIntegration = defineIntegration({
  name: RESOURCEQUOTAS_INTEGRATION,
  summary: 'ResourceQuotas from quota files and Waldur-style quotaComponents, shaped by the namespace state (active/paused/downscaled)',
  qontractIntegration: 'openshift-resourcequotas',
  kinds: [{ group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, order: 50 }],
  buildDesired: (ctx) => desiredResourceQuotas(ctx.data),
  // The API server rejects a change of a quota's scopes; the plan refuses it instead.
  immutableFields: ['spec.scopes'],
});
