/**
 * One Kubernetes watch of one (cluster, kind) with a label selector, kept open for as long as its
 * signal is not aborted: bookmarks on (`allowWatchBookmarks=true`), resumed from the last
 * resourceVersion seen after the stream ends or breaks, reconnected with exponential backoff, and
 * started again from a fresh resourceVersion when the server answers 410 Gone (the version was
 * compacted or fell out of the apiserver's watch cache) — the owner is then told to re-read
 * everything (`onRelist`), since events were lost.
 *
 * Built on the cluster's ClusterConnection (server, TLS material, auth headers, the 401
 * re-read) and the streamed requests of a per-cluster Transport (WatchAgents, transport.ts) rather
 * than on ClusterClient's request path, whose retries and request timeouts do not fit a long-lived
 * response. The transport is the one `--transport` selects: over `h2` every watch of a cluster is a
 * stream of one HTTP/2 session (with its keepalive PING, transport-h2.ts); over `h1` each watch
 * holds one HTTP/1.1 connection of the cluster's keep-alive agent.
 * Error messages name the cluster, kind and status, never the credentials.
 */
import type { Readable } from 'node:stream';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { apiVersionOf, kindKey } from '../core/k8s-object.js';
import type { ClusterConnection } from './cluster-connection.js';
import { collectionPath, queryString } from './api-paths.js';
import { backoffDelay } from './retry-policy.js';
import { createTransport, DEFAULT_TRANSPORT } from './transport.js';
import type { Transport, TransportKind, TransportOptions } from './transport.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  readonly type: WatchEventType;
  /** The object as the event carried it (for DELETED: its last state), with apiVersion and kind set. */
  readonly object: KubeObject;
  /** When the event was read off the stream (ms since epoch). */
  readonly receivedAt: number;
}

/** What a watch reports about its own health (metrics, logs). */
export type WatchHealth =
  /** The stream broke (network error, apiserver gone, non-410 error status) and will be re-opened after a backoff. */
  | { readonly kind: 'reconnect'; readonly reason: string; readonly delayMs: number }
  /** 410 Gone: restarted from a fresh resourceVersion; events in between were lost. */
  | { readonly kind: 'relist'; readonly reason: string }
  /** The kind is not served by the cluster (404): the watch ends. */
  | { readonly kind: 'unserved' }
  /** A stream is open (after start, a reconnect or a relist). */
  | { readonly kind: 'connected'; readonly resourceVersion: string }
  | { readonly kind: 'bookmark'; readonly resourceVersion: string };

export interface KindWatchOptions {
  readonly connection: ClusterConnection;
  readonly kind: ManagedKind;
  readonly labelSelector: string;
  /** Ends the watch (the stream is closed, no reconnect). */
  readonly signal: AbortSignal;
  readonly agents: WatchAgents;
  readonly onEvent: (e: WatchEvent) => void;
  /** After a 410 Gone, once the watch runs again from a fresh resourceVersion: re-read this kind. */
  readonly onRelist: () => void;
  readonly onHealth?: (h: WatchHealth) => void;
  /** Called once per HTTP request sent: `list` for the resourceVersion probe, `watch` per stream opened. */
  readonly onRequest?: (verb: 'list' | 'watch', status: number) => void;
  /** Server-side timeout of one stream (it is then re-opened from the last version). @default 300 */
  readonly timeoutSeconds?: number;
  /** First reconnect delay; doubles per consecutive failure up to maxBackoffMs. @default 250 */
  readonly backoffBaseMs?: number;
  /** @default 10000 */
  readonly maxBackoffMs?: number;
  /** Start from this resourceVersion instead of probing the current one. */
  readonly resourceVersion?: string;
}

export interface KindWatch {
  readonly cluster: string;
  readonly kind: ManagedKind;
  /** Resolves once the first stream is open (or the kind turned out not to be served, or the watch was stopped). */
  readonly ready: Promise<void>;
  /** Resolves when the watch has ended (signal aborted, or kind not served). */
  readonly done: Promise<void>;
  /** The last resourceVersion seen (event or bookmark). */
  resourceVersion(): string | undefined;
}

/**
 * One transport per cluster for its watch streams, of the kind `--transport` selects: over h2 one
 * session per cluster carries all its watches; over h1 each watch holds a connection (no limit on
 * their number). A credentials change (401 re-read) is the transport's: new streams use a new
 * session or agent, open ones end on their own.
 */
export class WatchAgents {
  private readonly transports = new Map<string, Transport>();

  /** `options`: of the transports (e.g. `keepaliveMs`); the number of HTTP/1.1 connections is not limited. */
  constructor(private readonly kind: TransportKind = DEFAULT_TRANSPORT, private readonly options: TransportOptions = {}) {}

  transportOf(cluster: string): Transport {
    let t = this.transports.get(cluster);
    if (t === undefined) {
      t = createTransport(this.kind, { ...this.options, maxConnections: Infinity });
      this.transports.set(cluster, t);
    }
    return t;
  }

  close(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}

/** A 410 Gone (HTTP status or ERROR event): restart from a fresh resourceVersion. */
class Gone extends Error {}
/** The kind is not served (404). */
class Unserved extends Error {}

interface Opened {
  readonly status: number;
  readonly res: Readable;
}

/** `timeoutMs` bounds the wait for the response headers; `signal` ends the request or its body. */
async function open(opts: KindWatchOptions, path: string, signal: AbortSignal, timeoutMs: number): Promise<Opened> {
  const creds = opts.connection.credentials();
  const s = await opts.agents.transportOf(opts.connection.cluster).stream(creds, {
    method: 'GET', path, headers: { Accept: 'application/json', ...creds.headers }, timeoutMs, signal,
  });
  return { status: s.status, res: s.body };
}

async function readBody(res: Readable): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 200);
  }
}

function statusMessage(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const b = body as { reason?: unknown; message?: unknown };
    return [b.reason, b.message].filter((x) => typeof x === 'string' && x !== '').join(': ');
  }
  return typeof body === 'string' ? body : '';
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((r) => {
    const onAbort = (): void => { clearTimeout(t); r(); };
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); r(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Starts a watch (see the module comment); it runs until `opts.signal` is aborted. */
export function startKindWatch(opts: KindWatchOptions): KindWatch {
  const cluster = opts.connection.cluster;
  const { kind } = opts;
  const what = `cluster ${cluster}: watch ${kindKey(kind)}`;
  const apiVersion = apiVersionOf(kind);
  const timeoutSeconds = opts.timeoutSeconds ?? 300;
  const backoff = { baseMs: opts.backoffBaseMs ?? 250, maxMs: opts.maxBackoffMs ?? 10_000 };
  /** The server ends a stream after timeoutSeconds; a stream (or an answer) silent for longer is dead. */
  const idleMs = (timeoutSeconds + 30) * 1000;
  let rv = opts.resourceVersion;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => { markReady = r; });

  /** GET with the 401 credential re-read once; returns the opened response. */
  const get = async (path: string, verb: 'list' | 'watch', signal: AbortSignal): Promise<Opened> => {
    for (let reloaded = false; ;) {
      const o = await open(opts, path, signal, idleMs);
      opts.onRequest?.(verb, o.status);
      if (o.status === 401 && !reloaded) {
        o.res.resume();
        reloaded = true;
        if (await opts.connection.reloadCredentials()) continue;
      }
      return o;
    }
  };

  /** The current resourceVersion of the selected collection: a LIST of at most one item. */
  const probe = async (): Promise<string> => {
    const path = collectionPath(kind) + queryString({ labelSelector: opts.labelSelector, limit: 1 });
    const o = await get(path, 'list', opts.signal);
    const body = await readBody(o.res);
    if (o.status === 404) throw new Unserved();
    if (o.status !== 200) throw new Error(`${what}: LIST for the resourceVersion: ${o.status} ${statusMessage(body)}`);
    const version = (body as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
    if (typeof version !== 'string' || version === '') throw new Error(`${what}: LIST answered without a resourceVersion`);
    return version;
  };

  /** One stream, until it ends (resolves) or breaks (throws). */
  const stream = async (): Promise<void> => {
    const path = collectionPath(kind) + queryString({
      watch: 1, allowWatchBookmarks: 'true', resourceVersion: rv, labelSelector: opts.labelSelector, timeoutSeconds,
    });
    // The server ends the stream after timeoutSeconds; a connection silent for longer is dead.
    const idle = new AbortController();
    const onAbort = (): void => { idle.abort(); };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const touch = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => { idle.abort(new Error('no data for longer than the watch timeout')); }, idleMs);
    };
    try {
      touch();
      const o = await get(path, 'watch', idle.signal);
      if (o.status === 410) {
        o.res.resume();
        throw new Gone('410 Gone');
      }
      if (o.status === 404) {
        o.res.resume();
        throw new Unserved();
      }
      if (o.status !== 200) throw new Error(`${o.status} ${statusMessage(await readBody(o.res))}`);
      opts.onHealth?.({ kind: 'connected', resourceVersion: rv ?? '' });
      markReady();
      let buffered = '';
      for await (const chunk of o.res) {
        touch();
        buffered += (chunk as Buffer).toString('utf8');
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf('\n');
          if (line.trim() !== '') handleLine(line);
        }
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
    }
  };

  const handleLine = (line: string): void => {
    const e = JSON.parse(line) as { type?: unknown; object?: unknown };
    const obj = e.object as (KubeObject & { code?: unknown; reason?: unknown; message?: unknown }) | undefined;
    if (e.type === 'ERROR') {
      if (obj?.code === 410) throw new Gone(typeof obj.message === 'string' ? obj.message : 'Gone');
      throw new Error(`ERROR event ${String(obj?.code)} ${typeof obj?.reason === 'string' ? obj.reason : ''}`);
    }
    const version = obj?.metadata.resourceVersion;
    if (typeof version === 'string' && version !== '') rv = version;
    if (e.type === 'BOOKMARK') {
      opts.onHealth?.({ kind: 'bookmark', resourceVersion: rv ?? '' });
      return;
    }
    if ((e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') && obj !== undefined) {
      obj.apiVersion = apiVersion;
      obj.kind = kind.kind;
      // Never compared and large: dropped on arrival, as LIST results are (cluster-client.ts).
      (obj.metadata as { managedFields?: unknown }).managedFields = undefined;
      opts.onEvent({ type: e.type, object: obj, receivedAt: Date.now() });
    }
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    while (!opts.signal.aborted) {
      try {
        rv ??= await probe();
        await stream();
        failures = 0; // the server closed the stream (timeoutSeconds): re-open from rv at once
      } catch (e) {
        if (opts.signal.aborted) break;
        if (e instanceof Unserved) {
          opts.onHealth?.({ kind: 'unserved' });
          break;
        }
        if (e instanceof Gone) {
          rv = undefined;
          try {
            rv = await probe();
          } catch {
            // probed again on the next turn, after a backoff
            failures++;
            await sleep(backoffDelay(failures - 1, backoff), opts.signal);
            continue;
          }
          opts.onHealth?.({ kind: 'relist', reason: e.message });
          opts.onRelist();
          continue;
        }
        const delayMs = backoffDelay(failures, backoff);
        failures++;
        const code = (e as NodeJS.ErrnoException).code;
        opts.onHealth?.({ kind: 'reconnect', reason: code ?? (e instanceof Error ? e.message : String(e)), delayMs });
        await sleep(delayMs, opts.signal);
      }
    }
    markReady();
  };

  const done = run();
  return { cluster, kind, ready, done, resourceVersion: () => rv };
}
