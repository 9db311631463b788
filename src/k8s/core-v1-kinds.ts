/**
 * The built-in kinds of the core group's v1 (`/api/v1`) that can be listed: plural and scope.
 *
 * Kubernetes never removes a resource of a GA API version within the major version (its API
 * deprecation policy), and a resource's plural and scope are part of that API; so these answers
 * hold on every cluster, and kontract resolves these kinds without waiting for a discovery round
 * trip before their LISTs (src/reconcile/discovery.ts, dynamic-kinds.ts).
 * test/integration/integrations/resources.test.ts checks the table against a real kube-apiserver's
 * `/api/v1`. A kind of the core group that is not here
 * (a typo, Binding which cannot be listed, ComponentStatus which is deprecated) goes through
 * discovery as any other kind.
 */
export interface CoreV1Kind {
  readonly plural: string;
  readonly namespaced: boolean;
}

export const CORE_V1_KINDS: ReadonlyMap<string, CoreV1Kind> = new Map<string, CoreV1Kind>([
  ['ConfigMap', { plural: 'configmaps', namespaced: true }],
  ['Endpoints', { plural: 'endpoints', namespaced: true }],
  ['Event', { plural: 'events', namespaced: true }],
  ['LimitRange', { plural: 'limitranges', namespaced: true }],
  ['Namespace', { plural: 'namespaces', namespaced: false }],
  ['Node', { plural: 'nodes', namespaced: false }],
  ['PersistentVolume', { plural: 'persistentvolumes', namespaced: false }],
  ['PersistentVolumeClaim', { plural: 'persistentvolumeclaims', namespaced: true }],
  ['Pod', { plural: 'pods', namespaced: true }],
  ['PodTemplate', { plural: 'podtemplates', namespaced: true }],
  ['ReplicationController', { plural: 'replicationcontrollers', namespaced: true }],
  ['ResourceQuota', { plural: 'resourcequotas', namespaced: true }],
  ['Secret', { plural: 'secrets', namespaced: true }],
  ['Service', { plural: 'services', namespaced: true }],
  ['ServiceAccount', { plural: 'serviceaccounts', namespaced: true }],
]);
