/**
 * The abort callbacks of a transport's requests in flight, by signal: one 'abort' listener per
 * signal, and a linked list of waiters whose unlinked ones keep no link.
 *
 * Why not `signal.addEventListener` per request: the client's signal is shared by all its requests
 * (src/k8s/cluster-client.ts sendOnce), and Node's EventTarget keeps a removed listener's links to
 * its neighbours (a Set's replaced hash tables likewise keep a link to their successor). Once one
 * such object reached old space, it kept the next requests' callbacks — and the requests they close
 * over — alive through minor GCs, to be promoted in turn, until a full GC: per 10,000 requests
 * 31–37 MB promoted over HTTP/2 against 48–57 MB, and over HTTP/1.1 2.3–6 MB without the signal
 * against 17–21 MB with it (scripts/h2-heap.js; docs/benchmarks.md, "h2mem (session 7)").
 */

/** A request waiting on its abort signal: a link of its signal's circular list. */
export interface AbortWaiter {
  prev: AbortWaiter | undefined;
  next: AbortWaiter | undefined;
  readonly run: () => void;
}

function ignoreAbort(): void {
  // The head of a list is no request.
}

/** The head of a signal's list of waiters. */
function newAbortList(): AbortWaiter {
  const head: AbortWaiter = { prev: undefined, next: undefined, run: ignoreAbort };
  head.prev = head;
  head.next = head;
  return head;
}

/** Takes a waiter out of its list and clears its links (a dead waiter links to nothing). */
export function unlistenAbort(w: AbortWaiter | undefined): void {
  if (w?.prev === undefined || w.next === undefined) return;
  w.prev.next = w.next;
  w.next.prev = w.prev;
  w.prev = undefined;
  w.next = undefined;
}

/** One per transport: `listen` adds `run` to the signal's list (undefined without a signal). */
export function abortListeners(): { listen: (signal: AbortSignal | undefined, run: () => void) => AbortWaiter | undefined } {
  const waiting = new WeakMap<AbortSignal, AbortWaiter>();
  return {
    listen(signal, run) {
      if (signal === undefined) return undefined;
      let head = waiting.get(signal);
      if (head === undefined) {
        const list = newAbortList();
        head = list;
        waiting.set(signal, list);
        signal.addEventListener('abort', () => {
          waiting.delete(signal);
          const runs: (() => void)[] = [];
          for (let w = list.next; w !== undefined && w !== list; w = w.next) runs.push(w.run);
          for (const r of runs) r();
        }, { once: true });
      }
      const w: AbortWaiter = { prev: head.prev, next: head, run };
      if (head.prev !== undefined) head.prev.next = w;
      head.prev = w;
      return w;
    },
  };
}
