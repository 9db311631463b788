/**
 * Which namespaces the tenant integrations (namespaces, resourcequotas, limitranges, rolebindings,
 * networkpolicies) act on. Shared so every integration skips exactly the same namespaces:
 *
 * - `delete: true` — not desired: kontract prunes what it owns there (the Namespace itself, and
 *   every object the other integrations own in it), and never touches what it does not own.
 * - `managedByExternal: true` — left alone entirely: not desired *and* excluded, so nothing of
 *   kontract's is ever created, updated or pruned in it.
 *
 * Namespaces on a cluster that disables the integration (`disable.integrations`) are skipped too.
 */
import type { AppInterfaceData, Namespace } from '../app-interface/model.js';
import type { ValidationProblem } from '../core/errors.js';
import type { KubeObject } from '../core/k8s-object.js';
import type { BlockedUnit, DesiredObject } from './define-integration.js';

/** Namespaces an integration manages objects in (not deleted, not managed externally). */
export function managedNamespaces(data: AppInterfaceData, integration?: string): Namespace[] {
  const disabled = disabledClusters(data, integration);
  return data.namespaces.filter(
    (ns) => !ns.delete && !ns.managedByExternal && !disabled.has(ns.cluster),
  );
}

/** `cluster → {namespace names}` of `managedByExternal` namespaces: never touched, never pruned. */
export function externalNamespaces(data: AppInterfaceData): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const ns of data.namespaces) {
    if (!ns.managedByExternal) continue;
    let names = out.get(ns.cluster);
    if (names === undefined) {
      names = new Set<string>();
      out.set(ns.cluster, names);
    }
    names.add(ns.name);
  }
  return out;
}

/** Clusters whose `disable.integrations` lists the integration. */
export function disabledClusters(data: AppInterfaceData, integration?: string): Set<string> {
  if (integration === undefined) return new Set();
  return new Set(
    data.clusters.filter((c) => c.disabledIntegrations.includes(integration)).map((c) => c.name),
  );
}

/** `<cluster>/<name>`: the identity of a namespace across the app-interface. */
export function namespaceKey(ns: { readonly cluster: string; readonly name: string }): string {
  return `${ns.cluster}/${ns.name}`;
}

/** Where a Namespace's or VM's metadata comes from in its datafile (DesiredObject.sourceFields). */
export const METADATA_SOURCE_FIELDS: Readonly<Record<string, string>> = { 'metadata.name': 'name', 'metadata.labels': 'labels', 'metadata.annotations': 'annotations' };

/**
 * One namespace's objects, built by `build` (which reports problems into the array it gets). A
 * namespace whose build reports a problem is a blocked unit: the engine withholds this
 * integration's objects in that namespace on its cluster (nothing created, updated or deleted
 * there) and the other namespaces converge.
 */
export function perNamespace(namespaces: readonly Namespace[], build: (ns: Namespace, problems: ValidationProblem[]) => readonly KubeObject[], sourceFields?: Readonly<Record<string, string>>): { objects: DesiredObject[]; blocked: BlockedUnit[] } {
  const objects: DesiredObject[] = [];
  const blocked: BlockedUnit[] = [];
  for (const ns of namespaces) {
    const problems: ValidationProblem[] = [];
    const built = build(ns, problems);
    if (problems.length > 0) blocked.push({ unit: `namespace ${ns.name}`, cluster: ns.cluster, namespaces: [ns.name], problems });
    else for (const object of built) objects.push({ cluster: ns.cluster, object, source: ns.path, ...(sourceFields === undefined ? {} : { sourceFields }) });
  }
  return { objects, blocked };
}
