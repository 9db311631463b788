/**
 * The worker of snapshot-preload.ts: lists the directory as the directory loader does, then takes
 * files from the shared counter until none is left, reads and parses each, and posts the texts and
 * the documents that JSON carries unchanged as one JSON text.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { FilesMessage, ListingMessage, WorkerInput } from './snapshot-preload.js';
import type { DatafileListing } from './snapshot.js';
import { listDatafiles, parseDatafile } from './snapshot.js';

/**
 * True when JSON.parse(JSON.stringify(v)) gives back the same value: plain objects, arrays,
 * strings, booleans, null and finite numbers other than -0. js-yaml also makes dates, NaN,
 * Infinity, binary buffers and `undefined` (an empty document): those files go to the main thread.
 */
function jsonSafe(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return false;
    for (const x of v as unknown[]) if (!jsonSafe(x)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  const o = v as Record<string, unknown>;
  for (const k in o) if (!jsonSafe(o[k])) return false;
  return true;
}

/** Files per message. */
const BATCH = 256;

function run(port: NonNullable<typeof parentPort>, input: WorkerInput): void {
  let listing: DatafileListing;
  try {
    listing = listDatafiles(input.root, input.allowPaths);
  } catch {
    port.postMessage({ type: 'listing-failed' } satisfies ListingMessage);
    return;
  }
  port.postMessage({ type: 'listing', paths: listing.paths, problems: listing.problems } satisfies ListingMessage);
  const counter = new Int32Array(input.next);
  const prefix = input.root.length + 1;
  let indices: number[] = [];
  let texts: (string | null)[] = [];
  let asJson: boolean[] = [];
  let json: string[] = [];
  const post = (last: boolean): void => {
    port.postMessage({ type: 'files', indices, texts, asJson, json: `[${json.join(',')}]`, last } satisfies FilesMessage);
    indices = [];
    texts = [];
    asJson = [];
    json = [];
  };
  for (let i = Atomics.add(counter, 0, 1); i < listing.paths.length; i = Atomics.add(counter, 0, 1)) {
    // in batches, so that the last message (the one the main thread waits for) is small
    if (indices.length === BATCH) post(false);
    const abs = listing.paths[i] as string;
    indices.push(i);
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch {
      texts.push(null);
      asJson.push(false);
      json.push('0');
      continue;
    }
    texts.push(text);
    // The filename only goes into js-yaml's error messages, and a file that fails is parsed again
    // by the main thread with its datafile path.
    const parsed = parseDatafile(text, abs.slice(prefix));
    const ok = 'value' in parsed && jsonSafe(parsed.value);
    asJson.push(ok);
    json.push(ok ? JSON.stringify((parsed as { value: unknown }).value) : '0');
  }
  post(true);
}

if (parentPort !== null) run(parentPort, workerData as WorkerInput);
