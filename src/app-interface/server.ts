/**
 * A qontract-server compatible endpoint over an app-interface directory or bundle:
 *   POST /graphql             the newest snapshot
 *   POST /graphqlsha/<sha>    a pinned snapshot (the last KEEP are kept, so a running client is never mixed)
 *   GET  /sha256              the newest snapshot's sha
 *   POST /reload              re-read the source (also on file change when watching a directory)
 *   GET  /healthz
 * Only valid data is served: a failed reload keeps the previous snapshot and reports the problems.
 * Besides the datafiles, each snapshot answers qontract `resources_v1(path, pathPrefix)`: the
 * non-datafile YAML of a directory (Kubernetes manifests, e.g. a fabric's GitOps directory) or a
 * bundle's `resources`.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import { execute, getOperationAST, parse, specifiedRules, validate } from 'graphql';
import { createHandler } from 'graphql-http/lib/use/http';
import { ERROR_CODES, KontractError, errorMessage, formatProblem, isValidationError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { silentReporter } from '../core/reporter.js';
import { appInterfaceGraphqlSchema, contextFor, rootValueFor } from './graphql-schema.js';
import type { GraphqlContext } from './graphql-schema.js';
import type { Snapshot } from './snapshot.js';
import { bundleSnapshot, readDirSnapshot } from './snapshot.js';
import { validateSnapshot } from './validate.js';

export type ServeSource = { readonly kind: 'dir'; readonly path: string } | { readonly kind: 'bundle'; readonly file: string };

export interface ServeOptions {
  readonly source: ServeSource;
  /** 0 = any free port. */
  readonly port: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** Reload on file change (directory sources). @default true for directories */
  readonly watch?: boolean;
  /** When set, requests must send `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** How many snapshots stay addressable by sha. @default 10 */
  readonly keep?: number;
  readonly debounceMs?: number;
  readonly reporter?: Reporter;
}

export interface ReloadResult {
  readonly sha: string;
  readonly changed: boolean;
}

export interface AppInterfaceServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  /** The newest snapshot's sha. */
  sha(): string;
  /** Shas still addressable, oldest first. */
  shas(): readonly string[];
  /** Re-reads the source; throws ValidationError and keeps serving the previous snapshot when invalid. */
  reload(): Promise<ReloadResult>;
  close(): Promise<void>;
}

interface Served {
  readonly snapshot: Snapshot;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

async function readSource(source: ServeSource): Promise<Snapshot> {
  if (source.kind === 'dir') return readDirSnapshot(source.path);
  let text: string;
  try {
    text = await readFile(source.file, 'utf8');
  } catch (e) {
    throw new KontractError(ERROR_CODES.USAGE, `cannot read bundle ${source.file}: ${errorMessage(e)}`);
  }
  return bundleSnapshot(text, source.file);
}

function served(snapshot: Snapshot): Served {
  const schema = appInterfaceGraphqlSchema();
  const rootValue = rootValueFor(snapshot);
  const context = contextFor(snapshot);
  // graphql-js is passed explicitly: graphql-http must use the same copy that built the schema
  // (a bundler may resolve `graphql` to its ESM build for us and to its CJS build for graphql-http).
  return {
    snapshot,
    handler: createHandler<GraphqlContext>({
      schema, rootValue, context, parse, validate, execute, getOperationAST, validationRules: () => specifiedRules,
    }),
  };
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function authorised(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const got = Buffer.from(req.headers.authorization ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  return got.length === want.length && timingSafeEqual(got, want);
}

export async function startAppInterfaceServer(opts: ServeOptions): Promise<AppInterfaceServer> {
  const reporter = opts.reporter ?? silentReporter;
  const keep = Math.max(1, opts.keep ?? 10);
  const snapshots = new Map<string, Served>();
  let latest: Served;

  const load = async (): Promise<ReloadResult> => {
    const snap = await readSource(opts.source);
    validateSnapshot(snap);
    const changed = snap.sha !== latest.snapshot.sha;
    if (changed) {
      const s = served(snap);
      snapshots.delete(snap.sha);
      snapshots.set(snap.sha, s);
      while (snapshots.size > keep) {
        const oldest = snapshots.keys().next().value;
        if (oldest === undefined) break;
        snapshots.delete(oldest);
      }
      latest = s;
      reporter.log('info', 'app-interface reloaded', { sha: snap.sha, files: snap.files.size });
    }
    return { sha: snap.sha, changed };
  };

  const first = await readSource(opts.source);
  validateSnapshot(first);
  latest = served(first);
  snapshots.set(first.sha, latest);

  let reloading: Promise<ReloadResult> | undefined;
  const reload = (): Promise<ReloadResult> => {
    // Serialise reloads: a second request waits for the running one, then reads again.
    const run = (reloading ?? Promise.resolve()).catch(() => undefined).then(load);
    reloading = run;
    return run;
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      reporter.log('error', `serve: ${errorMessage(e)}`, { code: ERROR_CODES.INTERNAL });
      if (!res.headersSent) send(res, 500, 'internal error\n');
    });
  });

  /** Sends a plain answer, or returns the handler of the snapshot the request addresses. */
  function route(req: IncomingMessage, res: ServerResponse): Served | 'reload' | undefined {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/healthz') { send(res, 200, 'ok\n'); return undefined; }
    if (!authorised(req, opts.token)) { send(res, 401, 'unauthorised\n'); return undefined; }
    if (path === '/sha256' && req.method === 'GET') { send(res, 200, latest.snapshot.sha); return undefined; }
    if (path === '/reload' && req.method === 'POST') return 'reload';
    if (path === '/graphql') return latest;
    const m = /^\/graphqlsha\/([0-9a-f]{64})$/.exec(path);
    if (m?.[1] !== undefined) {
      const s = snapshots.get(m[1]);
      if (s === undefined) send(res, 404, `unknown sha ${m[1]} (it may be older than the last ${keep} snapshots)\n`);
      return s;
    }
    send(res, 404, 'not found\n');
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = route(req, res);
    if (target === undefined) return;
    if (target !== 'reload') {
      await target.handler(req, res);
      return;
    }
    try {
      const r = await reload();
      send(res, 200, JSON.stringify(r), 'application/json');
    } catch (e) {
      const msg = isValidationError(e) ? e.problems.map(formatProblem).join('\n') : errorMessage(e);
      reporter.log('error', `reload failed, still serving ${latest.snapshot.sha}: ${msg}`, { code: ERROR_CODES.VALIDATION });
      send(res, 422, JSON.stringify({ error: msg, sha: latest.snapshot.sha }), 'application/json');
    }
  }

  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  const source = opts.source;
  if (source.kind === 'dir' && (opts.watch ?? true)) {
    const debounce = opts.debounceMs ?? 300;
    // chokidar, not fs.watch: files replaced by rename (sed -i, editors' atomic saves, git
    // checkout) and new subdirectories are seen too.
    watcher = watch(source.path, { ignoreInitial: true, atomic: true }).on('all', () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        reload().catch((e: unknown) => {
          const msg = isValidationError(e) ? e.problems.map(formatProblem).join('\n') : errorMessage(e);
          reporter.log('warn', `change ignored, still serving ${latest.snapshot.sha}: ${msg}`, { code: ERROR_CODES.VALIDATION });
        });
      }, debounce);
    });
    // serve only once the initial scan is done, so that no change after start-up is missed
    const w = watcher;
    await new Promise<void>((resolve) => { w.once('ready', () => { resolve(); }); });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    sha: () => latest.snapshot.sha,
    shas: () => [...snapshots.keys()],
    reload,
    close: () => new Promise<void>((resolve) => {
      if (timer !== undefined) clearTimeout(timer);
      server.closeAllConnections();
      const closing = watcher?.close() ?? Promise.resolve();
      server.close(() => { void closing.then(() => { resolve(); }); });
    }),
  };
}
