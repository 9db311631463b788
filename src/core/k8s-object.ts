/**
 * Kubernetes object shapes used across kontract. Plain data only: the diff engine and the
 * integrations never import @kubernetes/client-node at runtime.
 */
/** A label map (`metadata.labels`, and the label maps of the datafiles). */
export interface Labels {
  readonly [key: string]: string;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** Any Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A kind kontract manages: what it takes to LIST, GET and apply it. */
export interface ManagedKind {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Lower-case plural resource name used in URLs, e.g. `resourcequotas`. */
  readonly plural: string;
  readonly namespaced: boolean;
  /**
   * Apply order: lower first. Deletes run in reverse. Conventions: 0 CRDs, 10 Namespaces,
   * 20 other cluster-scoped, 50 namespaced (integrations may refine, e.g. Hedgehog's stages).
   */
  readonly order: number;
}

export function apiVersionOf(kind: Pick<ManagedKind, 'group' | 'version'>): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}

/** `Kind.group` (or bare `Kind` for the core group), like qontract's resource_type. */
export function kindKey(kind: Pick<ManagedKind, 'group' | 'kind'>): string {
  return kind.group === '' ? kind.kind : `${kind.kind}.${kind.group}`;
}

/** Stable identity of one object in one cluster. */
export interface ResourceId {
  readonly cluster: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  /** As from kindKey(). */
  readonly kind: string;
  readonly name: string;
}

export function resourceIdString(id: ResourceId): string {
  return `${id.cluster}/${id.namespace === '' ? '-' : id.namespace}/${id.kind}/${id.name}`;
}
