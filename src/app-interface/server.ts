/**
 * A qontract-server compatible endpoint over an app-interface directory or a bundle. Endpoints,
 * status codes and the answer format are qontract-server's (docs/app-interface.md):
 *   POST|GET /graphql            the newest snapshot
 *   POST|GET /graphqlsha/<sha>   a pinned snapshot (the last KEEP are kept, so a running client is never mixed)
 *   GET  /sha256                 the newest snapshot's sha
 *   GET  /git-commit-info[/<sha>], /git-commit[/<sha>]   the bundle's git commit (404 for an unknown sha)
 *   POST /reload                 re-read the source (also on file change when watching a directory); 503 when invalid
 *   GET  /healthz
 * The GraphQL schema is data, as in qontract-server: a bundle's `graphql`, or for a directory
 * `graphqlSchema` (default: kontract's own, graphql-confs.ts). A directory is served as the
 * bundle `kontract bundle` would write of it. Only valid data is served: a failed reload keeps the
 * previous snapshot and reports the problems.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import { GraphQLError, execute, getOperationAST, parse, validate } from 'graphql';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { ERROR_CODES, KontractError, errorMessage, formatProblem, isValidationError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { silentReporter } from '../core/reporter.js';
import type { QontractBundle } from './bundle.js';
import { ALL_KINDS } from './families.js';
import { makeBundle, parseBundle, storeOfBundle } from './bundle.js';
import type { QontractContext, QontractGraphqlSchema } from './qontract-schema.js';
import { buildQontractSchema, dropEmptyObjectsInLists } from './qontract-schema.js';
import type { Snapshot } from './snapshot.js';
import { readDirSnapshot } from './snapshot.js';
import { validateSnapshot } from './validate.js';

export type ServeSource = { readonly kind: 'dir'; readonly path: string } | { readonly kind: 'bundle'; readonly file: string };

export interface GitCommitInfo {
  readonly commit: string;
  /** Seconds since the epoch, as a string (qontract-bundler's GIT_COMMIT_TIMESTAMP). */
  readonly timestamp: string;
}

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
  /** The GraphQL schema for a directory source (qontract format). @default kontract's own */
  readonly graphqlSchema?: QontractGraphqlSchema;
  /** The git commit of a directory source, read at each load. @default none (empty strings) */
  readonly gitCommit?: (dir: string) => Promise<GitCommitInfo>;
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
  readonly bundle: QontractBundle;
  readonly schema: GraphQLSchema;
}

async function readSource(opts: ServeOptions): Promise<{ snapshot: Snapshot; bundle: QontractBundle }> {
  const source = opts.source;
  if (source.kind === 'dir') {
    const snapshot = await readDirSnapshot(source.path);
    validateSnapshot(snapshot);
    const git = opts.gitCommit === undefined ? { commit: '', timestamp: '' } : await opts.gitCommit(source.path);
    // every kind kontract knows is a datafile (`data`), as in `kontract bundle` with kontract's own schemas
    const bundle = makeBundle(snapshot, { schemas: {}, knownSchemas: new Set(ALL_KINDS.map((k) => k.schema)), gitCommit: git.commit, gitCommitTimestamp: git.timestamp, ...(opts.graphqlSchema === undefined ? {} : { graphql: opts.graphqlSchema }) });
    return { snapshot, bundle };
  }
  let text: string;
  try {
    text = await readFile(source.file, 'utf8');
  } catch (e) {
    throw new KontractError(ERROR_CODES.USAGE, `cannot read bundle ${source.file}: ${errorMessage(e)}`);
  }
  const parsed = parseBundle(text, source.file);
  validateSnapshot(parsed.snapshot);
  return parsed;
}

function served(s: { snapshot: Snapshot; bundle: QontractBundle }): Served {
  let schema: GraphQLSchema;
  try {
    schema = buildQontractSchema(s.bundle.graphql, storeOfBundle(s.bundle));
  } catch (e) {
    throw new KontractError(ERROR_CODES.VALIDATION, `the GraphQL schema does not build: ${errorMessage(e)}`);
  }
  return { ...s, schema };
}

function send(res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

function authorised(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const got = Buffer.from(req.headers.authorization ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  return got.length === want.length && timingSafeEqual(got, want);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface GraphqlRequest { readonly query?: unknown; readonly variables?: unknown; readonly operationName?: unknown }

async function graphqlRequest(req: IncomingMessage, url: URL): Promise<GraphqlRequest | string> {
  if (req.method === 'GET') {
    const variables = url.searchParams.get('variables');
    let vars: unknown;
    try {
      vars = variables === null ? undefined : JSON.parse(variables);
    } catch {
      return '`variables` is not JSON';
    }
    return { query: url.searchParams.get('query') ?? undefined, variables: vars, operationName: url.searchParams.get('operationName') ?? undefined };
  }
  if (req.method !== 'POST') return `method ${req.method ?? '?'} is not supported`;
  const text = await readBody(req);
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body !== 'object' || body === null) return 'the body must be a JSON object';
    return body;
  } catch {
    return 'the body is not JSON';
  }
}

const errorJson = (e: GraphQLError, code: string): unknown => ({ ...e.toJSON(), extensions: { ...e.extensions, code } });

/** One GraphQL request, answered like qontract-server (Apollo): 400 for requests that do not parse or validate. */
async function answerGraphql(s: Served, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const r = await graphqlRequest(req, url);
  if (typeof r === 'string') { sendJson(res, 400, { errors: [{ message: r, extensions: { code: 'BAD_REQUEST' } }] }); return; }
  if (typeof r.query !== 'string' || r.query.trim() === '') {
    sendJson(res, 400, { errors: [{ message: 'GraphQL operations must contain a non-empty `query`.', extensions: { code: 'BAD_REQUEST' } }] });
    return;
  }
  let document: DocumentNode;
  try {
    document = parse(r.query);
  } catch (e) {
    sendJson(res, 400, { errors: [e instanceof GraphQLError ? errorJson(e, 'GRAPHQL_PARSE_FAILED') : { message: errorMessage(e) }] });
    return;
  }
  const problems = validate(s.schema, document);
  if (problems.length > 0) {
    sendJson(res, 400, { errors: problems.map((e) => errorJson(e, 'GRAPHQL_VALIDATION_FAILED')) });
    return;
  }
  const operationName = typeof r.operationName === 'string' ? r.operationName : undefined;
  if (getOperationAST(document, operationName) === null) {
    sendJson(res, 400, { errors: [{ message: operationName === undefined ? 'Must provide operation name if query contains multiple operations.' : `Unknown operation named "${operationName}".`, extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }] });
    return;
  }
  const variables = typeof r.variables === 'object' && r.variables !== null ? r.variables as Record<string, unknown> : undefined;
  const context: QontractContext = { schemas: [] };
  const result = await execute({ schema: s.schema, document, contextValue: context, ...(variables === undefined ? {} : { variableValues: variables }), ...(operationName === undefined ? {} : { operationName }) });
  const body: Record<string, unknown> = {};
  // Apollo's code for errors raised while executing (a null in a non-null field, a bad filter field keeps its own code)
  if (result.errors !== undefined) body.errors = result.errors.map((e) => ({ ...e.toJSON(), extensions: { code: 'INTERNAL_SERVER_ERROR', ...e.extensions } }));
  if (result.data !== undefined) body.data = dropEmptyObjectsInLists(result.data);
  body.extensions = { schemas: context.schemas };
  sendJson(res, 200, body);
}

export async function startAppInterfaceServer(opts: ServeOptions): Promise<AppInterfaceServer> {
  const reporter = opts.reporter ?? silentReporter;
  const keep = Math.max(1, opts.keep ?? 10);
  const snapshots = new Map<string, Served>();
  let latest: Served = served(await readSource(opts));
  snapshots.set(latest.snapshot.sha, latest);

  const load = async (): Promise<ReloadResult> => {
    const next = await readSource(opts);
    const changed = next.snapshot.sha !== latest.snapshot.sha;
    if (changed) {
      const s = served(next);
      snapshots.delete(s.snapshot.sha);
      snapshots.set(s.snapshot.sha, s);
      while (snapshots.size > keep) {
        const oldest = snapshots.keys().next().value;
        if (oldest === undefined) break;
        snapshots.delete(oldest);
      }
      latest = s;
      reporter.log('info', 'app-interface reloaded', { sha: s.snapshot.sha, files: s.snapshot.files.size });
    }
    return { sha: next.snapshot.sha, changed };
  };

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
      if (!res.headersSent) send(res, 500, 'internal error\n', 'text/plain; charset=utf-8');
    });
  });

  const gitInfo = (s: Served): string => JSON.stringify({ commit: s.bundle.git_commit, timestamp: s.bundle.git_commit_timestamp });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/healthz') { send(res, 200, ''); return; }
    if (!authorised(req, opts.token)) { send(res, 401, 'unauthorised\n', 'text/plain; charset=utf-8'); return; }
    const get = req.method === 'GET';
    if (path === '/graphql') { await answerGraphql(latest, req, res, url); return; }
    const pinned = /^\/graphqlsha\/([^/]+)$/.exec(path);
    if (pinned?.[1] !== undefined) {
      const s = snapshots.get(pinned[1]);
      if (s === undefined) send(res, 404, `unknown sha ${pinned[1]} (it may be older than the last ${keep} snapshots)\n`, 'text/plain; charset=utf-8');
      else await answerGraphql(s, req, res, url);
      return;
    }
    if (get && path === '/sha256') { send(res, 200, latest.snapshot.sha); return; }
    if (get && path === '/git-commit-info') { send(res, 200, gitInfo(latest), 'application/json'); return; }
    if (get && path === '/git-commit') { send(res, 200, latest.bundle.git_commit); return; }
    const commit = /^\/git-commit(-info)?\/([^/]+)$/.exec(path);
    if (get && commit?.[2] !== undefined) {
      const s = snapshots.get(commit[2]);
      if (s === undefined) send(res, 404, `Bundle ${commit[2]} not found`);
      else if (commit[1] === undefined) send(res, 200, s.bundle.git_commit);
      else send(res, 200, gitInfo(s), 'application/json');
      return;
    }
    if (req.method === 'POST' && path === '/reload') {
      try {
        const r = await reload();
        sendJson(res, 200, r);
      } catch (e) {
        const msg = isValidationError(e) ? e.problems.map(formatProblem).join('\n') : errorMessage(e);
        reporter.log('error', `reload failed, still serving ${latest.snapshot.sha}: ${msg}`, { code: ERROR_CODES.VALIDATION });
        // qontract-server answers 503 when the new data cannot be loaded, and keeps the old
        send(res, 503, `error loading the app-interface, not replacing (still serving ${latest.snapshot.sha}):\n${msg}\n`, 'text/plain; charset=utf-8');
      }
      return;
    }
    send(res, 404, `Cannot ${req.method ?? 'GET'} ${path}\n`, 'text/plain; charset=utf-8');
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
