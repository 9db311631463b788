/**
 * The hashes and canonical form of each desired object, computed on first use and memoised on its
 * DesiredEntry: the cheap source hash when the unchanged fast path first meets the object (as its
 * LIST page arrives), the canonical form and its sha only for objects that are created, changed,
 * or were last applied by a kontract that did not write the source hash. Pure: inputs are never
 * modified, only the entry's memo is filled.
 */
import type { KubeObject } from '../core/k8s-object.js';
import { DESIRED_CANONICAL, canonicalizeAndHash } from './canonicalize.js';
import type { DesiredEntry } from './inventory.js';
import { sourceHash } from './ownership.js';
import type { DesiredHashes } from './ownership.js';

export interface CanonicalDesired {
  readonly canonical: KubeObject;
  readonly sha: string;
}

/** Canonical form and canonical sha of one desired entry (memoised). */
export function canonicalDesired(entry: DesiredEntry): CanonicalDesired {
  let c = entry.canonical;
  if (c === undefined) {
    c = canonicalizeAndHash(entry.object, DESIRED_CANONICAL);
    entry.canonical = c;
  }
  return c;
}

/** sourceHash() of one desired entry (memoised). */
export function desiredSourceHash(entry: DesiredEntry): string {
  let h = entry.sourceSha;
  if (h === undefined) {
    h = sourceHash(entry.object);
    entry.sourceSha = h;
  }
  return h;
}

/** Both hashes of an entry, for marking an object that is about to be written. */
export function desiredHashes(entry: DesiredEntry): DesiredHashes {
  return { sha: canonicalDesired(entry).sha, sourceSha: desiredSourceHash(entry) };
}
