/**
 * The hashes and canonical form of each desired object, computed once and memoised on its
 * DesiredEntry. They depend only on the desired state, so a run computes the cheap one — the
 * source hash the unchanged fast path needs — while its LISTs are in flight
 * (`prepareDesiredHashes`); the canonical form and its sha are computed on demand, for objects
 * that are created, changed, or were last applied by a kontract that did not write the source
 * hash. Pure: inputs are never modified, only the entry's memo is filled.
 */
import type { KubeObject } from '../core/k8s-object.js';
import { DESIRED_CANONICAL, canonicalizeAndHash } from './canonicalize.js';
import type { DesiredEntry, ResourceInventory } from './inventory.js';
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

export interface PrepareOptions {
  /** Entries per slice before yielding to the event loop. @default 512 */
  readonly sliceSize?: number;
  /** Called between slices; resolves when other work (IO callbacks) may run. */
  readonly yieldNow?: () => Promise<void>;
}

const setImmediatePromise = (): Promise<void> => new Promise((resolve) => { setImmediate(resolve); });

/**
 * Memoise every desired entry's source hash, in slices that yield to the event loop so that
 * responses of in-flight requests (and the next LIST pages) are handled in between.
 */
export async function prepareDesiredHashes(inv: ResourceInventory, opts: PrepareOptions = {}): Promise<number> {
  const slice = opts.sliceSize ?? 512;
  const yieldNow = opts.yieldNow ?? setImmediatePromise;
  let n = 0;
  for (const cell of inv.cells()) {
    for (const entry of cell.desired.values()) {
      desiredSourceHash(entry);
      n++;
      if (n % slice === 0) await yieldNow();
    }
  }
  return n;
}
