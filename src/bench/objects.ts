/**
 * The benchmark's synthetic objects: N objects round-robin over the clusters, 20 namespaces and
 * four kinds (ConfigMap, Secret, ServiceAccount, headless Service); "1 %" changes every object
 * whose per-cluster index is a multiple of 100.
 */
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import type { DesiredObject } from '../integrations/define-integration.js';

export const NAMESPACES = 20;
export const KINDS: readonly ManagedKind[] = [
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, order: 50 },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, order: 50 },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, order: 50 },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, order: 50 },
];
export const NS_KIND: ManagedKind = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, order: 10 };

export function objectFor(i: number, changed: boolean, nsPrefix = 'bench'): { ns: string; obj: KubeObject } {
  const ns = `${nsPrefix}-${i % NAMESPACES}`;
  const name = `o-${i}`;
  const kind = KINDS[i % KINDS.length]?.kind;
  const value = changed && i % 100 === 0 ? 'changed' : 'v1';
  switch (kind) {
    case 'ConfigMap':
      return { ns, obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { key: value, idx: String(i) } } };
    case 'Secret':
      return { ns, obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: 'Opaque', data: { value: Buffer.from(`s-${value}-${i}`).toString('base64') } } };
    case 'ServiceAccount':
      return { ns, obj: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns, labels: { v: value } } } };
    default:
      return { ns, obj: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels: { v: value } }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] } } };
  }
}

/** N objects round-robin over the clusters (a size's objects are a prefix of a larger size's). */
/** `nsPrefix`: namespaces `<nsPrefix>-0…19` (the write floor and the overload runs use their own). */
export function desired(size: number, clusters: readonly string[], changed: boolean, nsPrefix = 'bench'): DesiredObject[] {
  const out: DesiredObject[] = [];
  for (let i = 0; i < size; i++) {
    const cluster = clusters[i % clusters.length] ?? '';
    out.push({ cluster, object: objectFor(Math.floor(i / clusters.length), changed, nsPrefix).obj, source: '/bench.yml' });
  }
  return out;
}
