/**
 * Reading an app-interface directory on a second thread while the main thread is still starting:
 * the CLI (src/cli/main.ts runCli) knows the `--app-interface` directory from the command line
 * before it has loaded yargs and the command's modules, and starts a worker (snapshot-worker.ts)
 * that lists the directory, then reads and YAML-parses files, taking each next file from a counter
 * it shares with the main thread. When the command reaches readDirSnapshot for the same directory
 * and --allow-path list, the main thread takes the files still unread from the same counter, and
 * the worker hands over its files' texts and documents as one JSON text (JSON.parse is several
 * times faster than js-yaml; posting the documents themselves, structured clone, was measured
 * slower than parsing them: docs/benchmarks.md, "validate: data loading and validation").
 * Measured gain and cost: docs/benchmarks.md, "e2estart (session 6)".
 *
 * The snapshot is the same as readDirNow's: the worker lists with the same function and parses
 * with the same js-yaml call; a document JSON does not carry as is (a date, `.nan`, `-0`, binary)
 * and a file that does not parse or read are left to the main thread, which handles them as
 * readDirNow does (messages with file and line). A preload not taken, or taken for another
 * directory, is stopped; a worker that fails leaves the whole read to the main thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ValidationProblem } from '../core/errors.js';

/** What the worker posts first: the listing, or that listing failed (the main thread lists again and reports it). */
export type ListingMessage =
  | { readonly type: 'listing'; readonly paths: readonly string[]; readonly problems: readonly ValidationProblem[] }
  | { readonly type: 'listing-failed' };

/**
 * What the worker posts after the listing, in batches until it has no file left to take (`last`):
 * the files it took (indices into the listing), each one's text (null: not read there) and whether
 * its document is in `json` (a JSON array, one entry per file).
 */
export interface FilesMessage {
  readonly type: 'files';
  readonly indices: readonly number[];
  readonly texts: readonly (string | null)[];
  readonly asJson: readonly boolean[];
  readonly json: string;
  readonly last: boolean;
}

/** The input of the worker (workerData). */
export interface WorkerInput {
  readonly root: string;
  readonly allowPaths: readonly string[];
  /** One Int32: the index of the next file to take. */
  readonly next: SharedArrayBuffer;
}

/** A started preload, as readDirSnapshot takes it over. */
export interface SnapshotPreload {
  /** The worker's listing; undefined when the worker could not list or failed. */
  readonly listing: Promise<{ readonly paths: readonly string[]; readonly problems: readonly ValidationProblem[] } | undefined>;
  /** The worker's files (every batch) once it has no file left to take; undefined when it failed. */
  readonly result: Promise<readonly FilesMessage[] | undefined>;
  /** Takes the index of the next file to read (>= the listing's length: none left). */
  claim(): number;
}

interface Started extends SnapshotPreload {
  readonly root: string;
  readonly allowPaths: readonly string[];
  readonly worker: Worker;
}

let started: Started | undefined;

/** The compiled worker beside this module (absent in the single-file build: no preload there). */
const WORKER_URL = new URL('./snapshot-worker.js', import.meta.url);

/**
 * Starts reading `root` (absolute) on a worker thread, symbolic links confined to it and
 * `allowPaths` (absolute) as readDirSnapshot confines them. Returns false (nothing started) when
 * the worker module is not there. The worker does not keep the process alive until taken.
 */
export function startSnapshotPreload(root: string, allowPaths: readonly string[], workerUrl: URL = WORKER_URL): boolean {
  if (started !== undefined || workerUrl.protocol !== 'file:' || !existsSync(fileURLToPath(workerUrl))) return false;
  const next = new SharedArrayBuffer(4);
  const counter = new Int32Array(next);
  const input: WorkerInput = { root, allowPaths: [...allowPaths], next };
  const worker = new Worker(workerUrl, { workerData: input });
  let onListing: (v: Awaited<SnapshotPreload['listing']>) => void = () => undefined;
  let onResult: (v: readonly FilesMessage[] | undefined) => void = () => undefined;
  const listing = new Promise<Awaited<SnapshotPreload['listing']>>((resolve) => { onListing = resolve; });
  const result = new Promise<readonly FilesMessage[] | undefined>((resolve) => { onResult = resolve; });
  const batches: FilesMessage[] = [];
  const failed = (): void => {
    onListing(undefined);
    onResult(undefined);
  };
  worker.on('message', (m: ListingMessage | FilesMessage) => {
    if (m.type === 'listing') onListing({ paths: m.paths, problems: m.problems });
    else if (m.type === 'listing-failed') failed();
    else {
      batches.push(m);
      if (m.last) onResult(batches);
    }
  });
  worker.on('error', failed);
  worker.on('exit', failed); // after the last batch: resolving again changes nothing
  // After the listeners: a 'message' listener refs the worker's port again.
  worker.unref();
  started = { root, allowPaths, worker, listing, result, claim: () => Atomics.add(counter, 0, 1) };
  return true;
}

/**
 * The preload of `root` with exactly these `allowPaths`, once: the caller reads the rest and takes
 * the worker's files. A preload of anything else is stopped and undefined returned.
 */
export function takeSnapshotPreload(root: string, allowPaths: readonly string[]): SnapshotPreload | undefined {
  const p = started;
  if (p === undefined) return undefined;
  started = undefined;
  if (p.root !== root || p.allowPaths.length !== allowPaths.length || p.allowPaths.some((a, i) => a !== allowPaths[i])) {
    void p.worker.terminate();
    return undefined;
  }
  // Awaited from now on: the worker keeps the process alive until it has posted its result.
  p.worker.ref();
  void p.result.then(() => { p.worker.unref(); });
  return p;
}
