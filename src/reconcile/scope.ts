/**
 * Which (cluster, namespace) pairs a run touches: --cluster, --namespace, --shards/--shard-id and
 * an integration's excluded namespaces. The same predicate filters desired AND current objects,
 * so an object outside the scope is never created, updated or deleted.
 */
import { createHash } from 'node:crypto';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { ERROR_CODES, KontractError } from '../core/errors.js';

export interface ScopeOptions {
  /** --cluster (repeatable); empty = all. */
  readonly clusters?: readonly string[];
  /** --namespace (repeatable); empty = all. Cluster-scoped kinds other than Namespace are out of scope when set. */
  readonly namespaces?: readonly string[];
  /** @default 1 */
  readonly shards?: number;
  /** 0-based. @default 0 */
  readonly shardId?: number;
}

export interface Scope {
  clusterInScope(cluster: string): boolean;
  objectInScope(cluster: string, kind: ManagedKind, obj: KubeObject): boolean;
}

/** Stable shard of a `cluster/namespace` key (sha256, first 32 bits). */
export function shardOf(cluster: string, namespace: string, shards: number): number {
  const h = createHash('sha256').update(`${cluster}/${namespace}`).digest();
  return h.readUInt32BE(0) % shards;
}

/** The namespace an object belongs to for scoping: its namespace, or its own name for a Namespace. */
export function scopeNamespace(kind: ManagedKind, obj: KubeObject): string {
  if (kind.namespaced) return obj.metadata.namespace ?? '';
  return kind.group === '' && kind.kind === 'Namespace' ? obj.metadata.name : '';
}

export function createScope(opts: ScopeOptions): Scope {
  const shards = opts.shards ?? 1;
  const shardId = opts.shardId ?? 0;
  if (!Number.isInteger(shards) || shards < 1) throw new KontractError(ERROR_CODES.USAGE, `--shards must be a positive integer (got ${shards})`);
  if (!Number.isInteger(shardId) || shardId < 0 || shardId >= shards) {
    throw new KontractError(ERROR_CODES.USAGE, `--shard-id must be between 0 and ${shards - 1} (got ${shardId})`);
  }
  const clusters = opts.clusters !== undefined && opts.clusters.length > 0 ? new Set(opts.clusters) : undefined;
  const namespaces = opts.namespaces !== undefined && opts.namespaces.length > 0 ? new Set(opts.namespaces) : undefined;
  return {
    clusterInScope: (c) => clusters === undefined || clusters.has(c),
    objectInScope(cluster, kind, obj) {
      if (clusters !== undefined && !clusters.has(cluster)) return false;
      const ns = scopeNamespace(kind, obj);
      if (namespaces !== undefined && !namespaces.has(ns)) return false;
      return shards === 1 || shardOf(cluster, ns, shards) === shardId;
    },
  };
}

/**
 * Filters that match nothing are usage errors naming the valid values (a typo must not look like
 * "nothing to do"): any `--cluster` value that names no cluster of the data, `--cluster` values no
 * integration of the run covers, and `--namespace` values none of which is known
 * (`knownNamespaces`: every namespace of the data and of the desired objects on the clusters in
 * scope). Returns the `--namespace` values that are unknown while others match (for a warning).
 */
export function checkFilters(opts: { clusters: readonly string[]; namespaces: readonly string[]; dataClusters: readonly string[]; coveredClusters: readonly string[]; knownNamespaces: () => ReadonlySet<string> }): string[] {
  const list = (xs: Iterable<string>): string => [...new Set(xs)].sort().join(', ') || '(none)';
  const unknown = opts.clusters.filter((c) => !opts.dataClusters.includes(c));
  if (unknown.length > 0) throw new KontractError(ERROR_CODES.USAGE, `--cluster ${unknown.join(', ')}: no such cluster in the app-interface (valid: ${list(opts.dataClusters)})`);
  if (opts.clusters.length > 0 && opts.coveredClusters.length === 0) {
    throw new KontractError(ERROR_CODES.USAGE, `--cluster ${opts.clusters.join(', ')}: no integration of this run covers it (disabled there or nothing to manage)`);
  }
  if (opts.namespaces.length === 0) return [];
  const known = opts.knownNamespaces();
  const unknownNs = opts.namespaces.filter((n) => !known.has(n));
  if (unknownNs.length > 0 && unknownNs.length === opts.namespaces.length) {
    throw new KontractError(ERROR_CODES.USAGE, `--namespace ${unknownNs.join(', ')}: no such namespace in the app-interface for this run (valid: ${list(known)})`);
  }
  return unknownNs;
}
