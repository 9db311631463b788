/**
 * The canonical form and sha256 of each desired object, computed once and memoised per
 * DesiredEntry. They depend only on the desired state, so a run can compute them while its LISTs
 * are in flight (`prepareDesiredCanonical`) instead of after they return; computePlan then finds
 * them ready. Pure (the memo is a WeakMap keyed by the entry; inputs are never modified).
 */
import type { KubeObject } from '../core/k8s-object.js';
import { DESIRED_CANONICAL, canonicalizeAndHash } from './canonicalize.js';
import type { DesiredEntry, ResourceInventory } from './inventory.js';

export interface CanonicalDesired {
  readonly canonical: KubeObject;
  readonly sha: string;
}

const memo = new WeakMap<DesiredEntry, CanonicalDesired>();

/** Canonical form and hash of one desired entry (memoised). */
export function canonicalDesired(entry: DesiredEntry): CanonicalDesired {
  let c = memo.get(entry);
  if (c === undefined) {
    c = canonicalizeAndHash(entry.object, DESIRED_CANONICAL);
    memo.set(entry, c);
  }
  return c;
}

export interface PrepareOptions {
  /** Entries per slice before yielding to the event loop. @default 256 */
  readonly sliceSize?: number;
  /** Called between slices; resolves when other work (IO callbacks) may run. */
  readonly yieldNow?: () => Promise<void>;
}

const setImmediatePromise = (): Promise<void> => new Promise((resolve) => { setImmediate(resolve); });

/**
 * Memoise every desired entry's canonical form and hash, in slices that yield to the event loop
 * so that responses of in-flight requests (and the next LIST pages) are handled in between.
 */
export async function prepareDesiredCanonical(inv: ResourceInventory, opts: PrepareOptions = {}): Promise<number> {
  const slice = opts.sliceSize ?? 256;
  const yieldNow = opts.yieldNow ?? setImmediatePromise;
  let n = 0;
  for (const cell of inv.cells()) {
    for (const entry of cell.desired.values()) {
      canonicalDesired(entry);
      n++;
      if (n % slice === 0) await yieldNow();
    }
  }
  return n;
}
