import { defineIntegration } from '../define-integration.js';
import { desiredRoleBindings, ROLEBINDINGS_INTEGRATION } from './desired.js';

export const roleBindingsIntegration = defineIntegration({
  name: ROLEBINDINGS_INTEGRATION,
  summary: 'RoleBindings from role files (users and bots that point at them) in namespaces with managedRoles: true; role/clusterRole X → ClusterRole X',
  qontractIntegration: 'openshift-rolebindings',
  kinds: [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, order: 50 }],
  // "Now" is the run's clock (DesiredContext.now), so expiry is decided once per run and testable.
  buildDesired: (ctx) => desiredRoleBindings(ctx.data, { now: ctx.now }),
  // The API server rejects a roleRef change; the plan refuses it instead of failing mid-apply.
  immutableFields: ['roleRef'],
});
