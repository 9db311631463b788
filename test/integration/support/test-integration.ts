/**
 * A test-only integration for the engine integration tests and the benchmark: it owns ConfigMaps,
 * Secrets and ServiceAccounts (namespaced, CR-free) and returns whatever desired list the test
 * sets, so a test can change the desired state between runs.
 */
import type { AppInterfaceData, Cluster } from '../../../src/app-interface/model.js';
import type { KubeObject, ManagedKind } from '../../../src/core/k8s-object.js';
import { defineIntegration } from '../../../src/integrations/define-integration.js';
import type { DesiredObject, Integration } from '../../../src/integrations/define-integration.js';

export const TEST_KINDS = {
  ConfigMap: { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, order: 50 },
  Secret: { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, order: 50 },
  ServiceAccount: { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, order: 50 },
} as const satisfies Record<string, ManagedKind>;

export interface TestIntegration extends Integration {
  /** Replaces the desired objects the next run builds. */
  setDesired(objects: readonly DesiredObject[]): void;
}

export function createTestIntegration(name = 'engine-test'): TestIntegration {
  let desired: readonly DesiredObject[] = [];
  const base = defineIntegration({
    name,
    summary: 'test-only: ConfigMaps, Secrets and ServiceAccounts from an in-memory list',
    kinds: Object.values(TEST_KINDS),
    buildDesired: () => ({ objects: desired, problems: [] }),
  });
  return { ...base, setDesired: (objects) => { desired = objects; } };
}

export function configMap(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

export function secret(namespace: string, name: string, stringValue: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data: { value: Buffer.from(stringValue).toString('base64') } };
}

export function serviceAccount(namespace: string, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
}

export function on(cluster: string, object: KubeObject): DesiredObject {
  return { cluster, object, source: '/test/inline.yml' };
}

/** Minimal AppInterfaceData holding only clusters. */
export function dataWith(clusters: readonly Cluster[], sha = 'test'): AppInterfaceData {
  return { sha, clusters, namespaces: [], quotas: [], limitRanges: [], roles: [], users: [], bots: [], tenants: [] };
}
