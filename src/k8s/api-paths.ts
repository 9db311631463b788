/**
 * REST paths of the Kubernetes API for a ManagedKind. One code path for built-in kinds and custom
 * resources (see docs/cli.md "Why a raw HTTP client").
 */
import type { ManagedKind } from '../core/k8s-object.js';

export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** Collection path: all namespaces when `namespace` is undefined (or the kind is cluster-scoped). */
export function collectionPath(kind: ManagedKind, namespace?: string): string {
  const gv = groupVersionPath(kind.group, kind.version);
  if (kind.namespaced && namespace !== undefined && namespace !== '') {
    return `${gv}/namespaces/${encodeURIComponent(namespace)}/${kind.plural}`;
  }
  return `${gv}/${kind.plural}`;
}

export function objectPath(kind: ManagedKind, namespace: string, name: string): string {
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}

export function queryString(params: Readonly<Record<string, string | number | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
