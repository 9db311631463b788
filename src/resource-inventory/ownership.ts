/**
 * Ownership marks: which integration owns a live object. An object is owned when it carries
 * `app.kubernetes.io/managed-by=kontract` and `kontract.io/integration=<name>`; kontract updates
 * and deletes only objects owned by the integration that desires them.
 */
import { hash } from 'node:crypto';
import type { KubeObject } from '../core/k8s-object.js';
import { desiredHash } from './canonicalize.js';
import {
  INTEGRATION_ANNOTATION,
  INTEGRATION_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SHA_ANNOTATION,
  SOURCE_SHA_ANNOTATION,
} from './marks.js';

export {
  INTEGRATION_ANNOTATION,
  INTEGRATION_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SHA_ANNOTATION,
  SOURCE_SHA_ANNOTATION,
} from './marks.js';

/** The LIST label selector for an integration's objects: `kontract.io/integration=<name>`. */
export function ownershipSelector(integration: string): string {
  return `${INTEGRATION_LABEL}=${integration}`;
}

/**
 * sha256 (hex) of a desired object exactly as built: plain JSON.stringify, so key order counts and
 * nothing is normalised. Cheaper than desiredHash() (no canonical copy); equal values mean an
 * identical desired object, hence an identical canonical sha. A reordered but equivalent object
 * only misses this fast path (desiredHash still matches), it never causes a write.
 */
export function sourceHash(obj: KubeObject): string {
  return hash('sha256', JSON.stringify(obj), 'hex');
}

/** The two hashes a marked object carries (see SHA_ANNOTATION and SOURCE_SHA_ANNOTATION). */
export interface DesiredHashes {
  /** desiredHash(obj): of the canonical body. */
  readonly sha: string;
  /** sourceHash(obj): of the body as built. */
  readonly sourceSha: string;
}

/** A copy of `obj` with kontract's labels and the sha/integration annotations (what is sent). */
export function markOwned(obj: KubeObject, integration: string): KubeObject {
  return markOwnedWithHash(obj, integration, { sha: desiredHash(obj), sourceSha: sourceHash(obj) });
}

/** markOwned() with the hashes already computed; saves a canonicalisation. */
export function markOwnedWithHash(obj: KubeObject, integration: string, hashes: DesiredHashes): KubeObject {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      labels: { ...obj.metadata.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [INTEGRATION_LABEL]: integration },
      annotations: {
        ...obj.metadata.annotations,
        [SHA_ANNOTATION]: hashes.sha,
        [SOURCE_SHA_ANNOTATION]: hashes.sourceSha,
        [INTEGRATION_ANNOTATION]: integration,
      },
    },
  };
}

/**
 * The integration owning a live object, or undefined when kontract does not own it. Both labels
 * are required: an object that lost `managed-by` is treated as unowned (never deleted).
 */
export function ownerOf(obj: KubeObject): string | undefined {
  const labels = obj.metadata.labels;
  if (labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return undefined;
  const owner = labels[INTEGRATION_LABEL];
  return owner === undefined || owner === '' ? undefined : owner;
}

/** The sha annotation of a live object, if any. */
export function liveHash(obj: KubeObject): string | undefined {
  return obj.metadata.annotations?.[SHA_ANNOTATION];
}

/** The source-sha annotation of a live object, if any. */
export function liveSourceHash(obj: KubeObject): string | undefined {
  return obj.metadata.annotations?.[SOURCE_SHA_ANNOTATION];
}
