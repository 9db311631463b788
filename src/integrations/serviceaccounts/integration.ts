import { defineIntegration } from '../define-integration.js';
import { desiredServiceAccounts, SERVICEACCOUNTS_INTEGRATION } from './desired.js';

export const serviceAccountsIntegration = defineIntegration({
  name: SERVICEACCOUNTS_INTEGRATION,
  summary: 'ServiceAccounts a VDC declares, in its namespace',
  kinds: [{ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, order: 20 }],
  buildDesired: (ctx) => desiredServiceAccounts(ctx.data),
});
