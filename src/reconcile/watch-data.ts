/**
 * App-interface changes for the watch loop (watch-loop.ts): a directory watched with chokidar, as
 * `kontract serve` watches it (src/app-interface/server.ts) — files replaced by rename (editors'
 * atomic saves, git checkout) and new subdirectories are seen too. Bursts are debounced.
 */
import { watch } from 'chokidar';

/** Default debounce of directory changes, ms. */
export const DATA_DEBOUNCE_MS = 300;

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
