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
