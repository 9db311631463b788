import { defineIntegration } from '../define-integration.js';
import { desiredRoleBindings, ROLEBINDINGS_INTEGRATION } from './desired.js';

export const roleBindingsIntegration = defineIntegration({
  name: ROLEBINDINGS_INTEGRATION,
  summary: 'RoleBindings from role files (users and bots) in namespaces with managedRoles: true; owner/manager/member → admin/edit/view',
  kinds: [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, order: 50 }],
  // "Now" is read here, at the IO edge, so desiredRoleBindings stays pure.
  buildDesired: (ctx) => desiredRoleBindings(ctx.data, { now: new Date() }),
  // The API server rejects a roleRef change; the plan refuses it instead of failing mid-apply.
  immutableFields: ['roleRef'],
});
