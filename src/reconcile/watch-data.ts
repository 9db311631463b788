/**
 * App-interface changes for the watch loop (watch-loop.ts), by source:
 * - a directory: watched with chokidar, as `kontract serve` watches it
 *   (src/app-interface/server.ts) — files replaced by rename (editors' atomic saves, git
 *   checkout) and new subdirectories are seen too; bursts are debounced;
 * - a GraphQL endpoint (qontract-server, `kontract serve`): its `/sha256` polled
 *   (src/app-interface/graphql-client.ts fetchSha); a sha other than the last one seen is a change.
 */
import { watch } from 'chokidar';
import { errorMessage } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';

/** Default debounce of directory changes, ms. */
export const DATA_DEBOUNCE_MS = 300;
/** Default period of the GraphQL source's `/sha256` poll, ms. */
export const GRAPHQL_POLL_MS = 5_000;

/** Calls `onChange` after changes under `dir` settle; resolves, once watching, to the unsubscribe. */
export async function watchDirectory(dir: string, onChange: () => void, debounceMs: number = DATA_DEBOUNCE_MS): Promise<() => Promise<void>> {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dir, { ignoreInitial: true, atomic: true }).on('all', () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  await new Promise<void>((resolve) => { watcher.once('ready', () => { resolve(); }); });
  return async () => {
    if (timer !== undefined) clearTimeout(timer);
    await watcher.close();
  };
}

export interface ShaPollOptions {
  /** The `/graphql` endpoint and its token, read again for every poll (a rotated token file is picked up). */
  readonly endpoint: () => Promise<{ readonly url: string; readonly token?: string }>;
  /** The sha of the data already loaded: only a different answer is a change. */
  readonly sha: string;
  readonly reporter: Reporter;
  /** @default GRAPHQL_POLL_MS */
  readonly intervalMs?: number;
}

/**
 * Polls the GraphQL source's `/sha256` every `intervalMs` and calls `onChange` when the answer
 * differs from the last sha seen (each new sha once: a change whose load then fails is tried
 * again at the next change or full pass, as a directory change is). A failing poll is logged
 * once (warn) until the source answers again; polling goes on. Resolves to the unsubscribe.
 */
export async function pollGraphqlSha(opts: ShaPollOptions, onChange: () => void): Promise<() => Promise<void>> {
  // Loaded only for a GraphQL source (graphql, graphql-request), as source-options.ts does.
  const { fetchSha } = await import('../app-interface/graphql-client.js');
  const intervalMs = opts.intervalMs ?? GRAPHQL_POLL_MS;
  const stop = new AbortController();
  let seen = opts.sha;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const poll = async (): Promise<void> => {
    try {
      const { url, token } = await opts.endpoint();
      const sha = await fetchSha({ url, ...(token === undefined ? {} : { token }), signal: AbortSignal.any([stop.signal, AbortSignal.timeout(Math.max(intervalMs, 10_000))]) });
      if (failing) opts.reporter.log('info', 'app-interface: the GraphQL source answers again');
      failing = false;
      if (sha === seen) return;
      opts.reporter.log('debug', `app-interface: GraphQL source sha ${seen.slice(0, 12)} → ${sha.slice(0, 12)}`);
      seen = sha;
      onChange();
    } catch (e) {
      if (stop.signal.aborted) return;
      if (!failing) opts.reporter.log('warn', `app-interface: polling the GraphQL source failed, keeping the last good data (polling on): ${errorMessage(e)}`);
      failing = true;
    }
  };
  const schedule = (): void => {
    timer = setTimeout(() => {
      inFlight = poll().finally(() => { if (!stop.signal.aborted) schedule(); });
    }, intervalMs);
  };
  schedule();
  return async () => {
    stop.abort();
    if (timer !== undefined) clearTimeout(timer);
    await inFlight;
  };
}
