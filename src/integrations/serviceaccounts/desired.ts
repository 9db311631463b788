/**
 * Desired ServiceAccount objects: the `serviceAccounts` a namespace declares (a VDC's, see
 * src/app-interface/tenancy/), in the namespaces the tenant integrations manage (../tenant-namespaces.ts).
 */
import type { AppInterfaceData } from '../../app-interface/model.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { DesiredObject, DesiredState } from '../define-integration.js';
import { externalNamespaces, managedNamespaces } from '../tenant-namespaces.js';

export const SERVICEACCOUNTS_INTEGRATION = 'serviceaccounts';

export function serviceAccountObject(namespace: string, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
}

export function desiredServiceAccounts(data: AppInterfaceData): DesiredState {
  const objects: DesiredObject[] = [];
  for (const ns of managedNamespaces(data, SERVICEACCOUNTS_INTEGRATION)) {
    for (const name of ns.serviceAccounts ?? []) objects.push({ cluster: ns.cluster, object: serviceAccountObject(ns.name, name), source: ns.path });
  }
  return { objects, problems: [], excludedNamespaces: externalNamespaces(data) };
}
