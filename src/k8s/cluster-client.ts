/**
 * kontract's client adapter for one cluster: LIST (paginated), GET, server-side apply, DELETE and
 * API discovery over the Kubernetes REST API.
 *
 * Why a raw HTTP client over node:https instead of client-node's KubernetesObjectApi:
 * - one code path for built-in kinds and custom resources; client-node drops `metadata.continue`
 *   on CR lists and renames it `_continue` on built-ins (client-node 1.x's generated typed models);
 * - no typed-model round trip: typed models drop unknown fields, turn timestamps into Dates and
 *   pick the model by version+kind only (a CRD kind named `Service` would lose fields);
 * - keep-alive agents we control (client-node builds a new agent per request), cheap request
 *   counting, and retries/backoff in one place;
 * - less CPU and memory per object (the benchmark compares against a minimal raw client).
 * client-node is still used for what it is good at: kubeconfig parsing and credentials
 * (see cluster-connection.ts).
 */
import { setMaxListeners } from 'node:events';
import type * as http from 'node:http';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { apiVersionOf, kindKey } from '../core/k8s-object.js';
import { ERROR_CODES, KontractError } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import { collectionPath, groupVersionPath, objectPath, queryString } from './api-paths.js';
import type { ClusterConnection, ConnectionCredentials } from './cluster-connection.js';
import { AdaptiveConcurrency } from './adaptive-concurrency.js';
import { backoffDelay, isRetryableNetworkError, isRetryableStatus, retryAfterMs, retryThrottled } from './retry-policy.js';
import { createTransport, DEFAULT_TRANSPORT, networkError } from './transport.js';
import type { TransportKind, WireProtocol } from './transport.js';

export const FIELD_MANAGER = 'kontract';
export const LIST_PAGE_SIZE = 500;
/** Default of ClientOptions.giveUpAfter (`--give-up-after`). */
export const DEFAULT_GIVE_UP_AFTER = 20;
/** Default of ClientOptions.timeoutMs (`--request-timeout`). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * Per-attempt timeout of a Lease request (ClientOptions.lockTimeoutMs): a Lease request that gets no
 * answer in time is not retried, so a black-holed cluster is given up alone within seconds.
 */
export const LOCK_REQUEST_TIMEOUT_MS = 5_000;
/** Error code of a request cut in flight by its cluster's deadline (ClientOptions.deadlineMs). */
const DEADLINE_CODE = 'KONTRACT_DEADLINE';
/** KubeApiError.reason of a request refused because its cluster was given up. */
export const GIVEN_UP = 'GivenUp';

/** True for the error of a request that was never sent because its cluster was given up. */
export function isGivenUp(e: unknown): boolean {
  return e instanceof KubeApiError && e.reason === GIVEN_UP;
}

/** `lock`: the run's Lease (GET/POST/PUT), counted apart from reads and writes of managed objects. */
export type RequestVerb = 'list' | 'get' | 'apply' | 'delete' | 'discovery' | 'lock';
export const READ_VERBS: readonly RequestVerb[] = ['list', 'get', 'discovery'];

export interface RequestStats {
  /** HTTP requests sent (retries included) that read: list, get, discovery. */
  readonly reads: number;
  /** HTTP requests sent that write (or dry-run write): apply, delete (Lease requests are `byVerb.lock`). */
  readonly writes: number;
  readonly byVerb: Readonly<Record<RequestVerb, number>>;
  /** The protocol the connection to the cluster speaks (`h2`, or `http/1.1` by choice or ALPN fallback); absent before the first request. */
  readonly protocol?: WireProtocol;
  /** Requests answered 429 (retries included); absent when none was. */
  readonly throttled?: number;
  /** The lowest limit of requests in flight the 429s brought the cluster to (adaptive-concurrency.ts); absent when none did. */
  readonly lowestConcurrency?: number;
}

export interface DiscoveredResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export interface ListOptions {
  /** e.g. `kontract.io/integration=namespaces` */
  readonly labelSelector?: string;
  /** Restrict to one namespace (namespaced kinds only). */
  readonly namespace?: string;
  /** Keep only items passing this test (applied page by page, so the rest is never held). */
  readonly keep?: (obj: KubeObject) => boolean;
  /**
   * Called when an expired continue token (410) makes the LIST start over: items `keep` has seen
   * are then seen again, so a `keep` with side effects resets them here.
   */
  readonly onRestart?: () => void;
  /** Record kontract's Apply time of each item (kontractApplyTime), for fabric-status. @default false */
  readonly keepApplyTime?: boolean;
}

export interface RequestOptions {
  /** Count the request as verb `lock` (the run's Lease) instead of get/apply. */
  readonly lock?: boolean;
  /**
   * The Lease release at the end of a run: sent even when the cluster was given up (best effort),
   * once, without retries, with the Lease request timeout.
   */
  readonly release?: boolean;
}

export interface WriteOptions {
  /** Send with `dryRun=All`: the apiserver validates and admits but does not persist. */
  readonly dryRun: boolean;
  /**
   * Field manager of a server-side apply. @default FIELD_MANAGER. A separate manager owns fields
   * kontract's own applies must not remove (the pod-template restart annotation of a recycle).
   */
  readonly fieldManager?: string;
}

/** An API group and the version the server prefers (`GET /apis`). */
export interface DiscoveredGroup {
  readonly name: string;
  readonly preferredVersion: string;
}

/** The cluster operations kontract needs. */
export interface ClusterClient {
  readonly cluster: string;
  /** All objects of a kind (paginated with limit+continue), items carrying apiVersion and kind. */
  list(kind: ManagedKind, opts?: ListOptions): Promise<KubeObject[]>;
  /** One object, or undefined when it does not exist. */
  get(kind: ManagedKind, namespace: string, name: string, opts?: RequestOptions): Promise<KubeObject | undefined>;
  /** Server-side apply (fieldManager=kontract, force=true); returns the object the server answered. */
  apply(kind: ManagedKind, obj: KubeObject, opts: WriteOptions): Promise<KubeObject>;
  /** Delete; resolves 'absent' when it was already gone. */
  delete(kind: ManagedKind, namespace: string, name: string, opts: WriteOptions): Promise<'deleted' | 'absent'>;
  /** POST: creates `obj`; a 409 (already exists) is a KubeApiError with status 409. */
  create(kind: ManagedKind, obj: KubeObject, opts?: RequestOptions): Promise<KubeObject>;
  /** PUT: replaces `obj`, whose metadata.resourceVersion makes it conditional (409 when it changed). */
  replace(kind: ManagedKind, obj: KubeObject, opts?: RequestOptions): Promise<KubeObject>;
  /**
   * PUT a subresource of an object (`…/<plural>/<name>/<subresource>`, e.g. KubeVirt's
   * `subresources.kubevirt.io` `pause` and `restart`); `kind` names the API group serving it.
   */
  putSubresource(kind: ManagedKind, namespace: string, name: string, subresource: string, body?: unknown): Promise<void>;
  /** Resources served for a group/version, or undefined when the group/version is not served. */
  discover(group: string, version: string): Promise<readonly DiscoveredResource[] | undefined>;
  /** The API groups the server serves (not the core group), with their preferred versions. */
  discoverGroups(): Promise<readonly DiscoveredGroup[]>;
  stats(): RequestStats;
  /**
   * Why this client gave its cluster up (ClientOptions.giveUpAfter / deadlineMs), or undefined.
   * Once given up, every request fails at once without being sent (KubeApiError reason `GivenUp`).
   */
  givenUp(): string | undefined;
  /**
   * Gives the cluster up now (as `deadlineMs` does when it passes): requests in flight are aborted
   * (KubeApiError reason `Deadline`), later ones fail without being sent, except a Lease release.
   */
  giveUp(why: string): void;
  /** Frees the keep-alive sockets / HTTP/2 session; requests still waiting end (E_CLUSTER_ACCESS, reason Closed) without further attempts. */
  close(): void;
}

/** An HTTP error answered by (or on the way to) the apiserver. */
export class KubeApiError extends KontractError {
  /** HTTP status, 0 for network errors. */
  readonly status: number;
  readonly reason: string;
  constructor(code: ErrorCode, message: string, opts: { cluster: string; status: number; reason: string; cause?: unknown }) {
    super(code, message, opts.cause === undefined ? { cluster: opts.cluster } : { cluster: opts.cluster, cause: opts.cause });
    this.name = 'KubeApiError';
    this.status = opts.status;
    this.reason = opts.reason;
  }
}

export interface ClientOptions {
  /** HTTP transport (`--transport`): `h2` falls back to HTTP/1.1 where the server offers no h2. @default DEFAULT_TRANSPORT */
  readonly transport?: TransportKind;
  /** Max parallel sockets to this cluster (HTTP/1.1). @default 16 */
  readonly maxSockets?: number;
  /** Per-attempt timeout in ms: no byte from the server for this long fails the attempt (then retried). @default DEFAULT_REQUEST_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /**
   * Retries for 5xx/network errors, and for 429s answered while the cluster made no progress
   * (retry-policy.ts `retryThrottled`). @default 4
   */
  readonly maxRetries?: number;
  /** First backoff step in ms (doubles per attempt). @default 250 */
  readonly backoffBaseMs?: number;
  /**
   * Consecutive failed requests (a request fails when it got no HTTP answer — refused, reset,
   * timed out — on its last retry) after which the cluster is given up. A connection failure that a
   * retry may still absorb is not counted; a request answered with any status resets the count.
   * @default DEFAULT_GIVE_UP_AFTER
   */
  readonly giveUpAfter?: number;
  /** The cluster is given up this many ms after the client is made (in-flight requests aborted). @default none */
  readonly deadlineMs?: number;
  /** Per-attempt timeout of Lease requests in ms. @default LOCK_REQUEST_TIMEOUT_MS */
  readonly lockTimeoutMs?: number;
  /** Called once per HTTP request sent (for metrics). */
  readonly onRequest?: (verb: RequestVerb, status: number) => void;
  /** Aborts waits and in-flight requests. */
  readonly signal?: AbortSignal;
}

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

interface RequestSpec {
  readonly verb: RequestVerb;
  readonly method: 'GET' | 'PATCH' | 'DELETE' | 'POST' | 'PUT';
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  /** What the request is about, for error messages (`ConfigMap ns/name`). */
  readonly what: string;
  /** Sent even when the cluster was given up, once (RequestOptions.release). */
  readonly release?: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/**
 * Side channel for what kontract keeps of `managedFields` (which are dropped on arrival): the time
 * of field manager `kontract`'s Apply entry, per object this module returned. A WeakMap, so it is
 * never serialised, never compared, never copied by canonicalize, and freed with the object.
 */
const kontractApplyTimes = new WeakMap<KubeObject, string>();

/** One `metadata.managedFields` entry of a manager other than kontract. */
export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: string;
  readonly fieldsV1: unknown;
}

/**
 * managedFields entries of managers other than kontract, per object this module returned (kept
 * only when there is one): what the planner needs to report fields a forced apply takes over.
 */
const foreignManagers = new WeakMap<KubeObject, readonly ManagedFieldsEntry[]>();

/** The managedFields entries of other field managers of an object read by a ClusterClient, if any. */
export function foreignManagedFields(obj: KubeObject): readonly ManagedFieldsEntry[] | undefined {
  return foreignManagers.get(obj);
}

function foreignEntries(managedFields: unknown): ManagedFieldsEntry[] {
  if (!Array.isArray(managedFields)) return [];
  const out: ManagedFieldsEntry[] = [];
  for (const e of managedFields as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const { manager, operation, fieldsV1, subresource } = e as { manager?: unknown; operation?: unknown; fieldsV1?: unknown; subresource?: unknown };
    if (manager === FIELD_MANAGER || typeof manager !== 'string' || subresource !== undefined) continue;
    out.push({ manager, operation: typeof operation === 'string' ? operation : '', fieldsV1 });
  }
  return out;
}

/**
 * When kontract last applied this object (the latest `manager: kontract, operation: Apply` entry of
 * its `managedFields`): kept by a ClusterClient that listed it with `keepApplyTime`, else read from
 * the object's own `managedFields` (objects not read through a ClusterClient); undefined when none.
 * The one managed-fields scan of kontract.
 */
export function kontractApplyTime(obj: KubeObject): string | undefined {
  return kontractApplyTimes.get(obj) ?? applyTimeOf(obj.metadata.managedFields);
}

/** The latest `time` of a `manager: kontract, operation: Apply` entry, without keeping the entries. */
function applyTimeOf(managedFields: unknown): string | undefined {
  if (!Array.isArray(managedFields)) return undefined;
  let latest: string | undefined;
  for (const e of managedFields as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const { manager, operation, time } = e as { manager?: unknown; operation?: unknown; time?: unknown };
    if (manager === FIELD_MANAGER && operation === 'Apply' && typeof time === 'string' && (latest === undefined || time > latest)) latest = time;
  }
  return latest;
}

function statusOf(body: unknown): { reason: string; message: string } {
  if (typeof body === 'object' && body !== null) {
    const b = body as { reason?: unknown; message?: unknown };
    return { reason: typeof b.reason === 'string' ? b.reason : '', message: typeof b.message === 'string' ? b.message : '' };
  }
  return { reason: '', message: typeof body === 'string' ? body.slice(0, 300) : '' };
}

/** Apiserver messages may quote field values; for Secrets they could be data. Keep them out. */
function safeMessage(kind: string, message: string): string {
  const m = message.length > 600 ? `${message.slice(0, 600)}…` : message;
  return kind === 'Secret' ? m.replace(/Invalid value: .*?(?=(, |: |$))/g, 'Invalid value: <redacted>') : m;
}

/**
 * A 403 names the missing RBAC permission plainly: the verb the apiserver refused and the kind.
 * The apiserver says `… cannot list resource "resourcequotas" in API group "" …`.
 */
function forbiddenHint(message: string, what: string): string {
  const m = /cannot (\w+) resource "([^"]+)"(?: in API group "([^"]*)")?/.exec(message);
  if (m === null) return '';
  const kind = what.split(' ')[0] ?? '';
  return ` (RBAC: verb "${m[1] ?? ''}" on ${kind} — resource "${m[2] ?? ''}", API group "${m[3] ?? ''}" — is not granted; \`kontract rbac\` prints the rules kontract needs)`;
}

function objName(ns: string, name: string): string {
  return ns === '' ? name : `${ns}/${name}`;
}

export function createClusterClient(conn: ClusterConnection, options: ClientOptions = {}): ClusterClient {
  const maxRetries = options.maxRetries ?? 4;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const lockTimeoutMs = Math.min(timeoutMs, options.lockTimeoutMs ?? LOCK_REQUEST_TIMEOUT_MS);
  const backoff = { baseMs: options.backoffBaseMs ?? 250, maxMs: 10_000 };
  const counts: Mutable<Record<RequestVerb, number>> = { list: 0, get: 0, apply: 0, delete: 0, discovery: 0, lock: 0 };
  const isAborted = (): boolean => options.signal?.aborted === true;
  /** Paces every attempt but the Lease's: halved on a 429, grown back on answers (adaptive-concurrency.ts). */
  const pace = new AdaptiveConcurrency();
  /** Attempts answered with anything but a throttling or server error: how 429 retries see progress. */
  let progress = 0;
  let throttled = 0;
  /** Set by close(): requests still waiting (a black-holed cluster) end without further attempts. */
  let closed = false;
  const transport = createTransport(options.transport ?? DEFAULT_TRANSPORT, options.maxSockets === undefined ? {} : { maxConnections: options.maxSockets });
  const giveUpAfter = options.giveUpAfter ?? DEFAULT_GIVE_UP_AFTER;
  let consecutiveFailures = 0;
  let gaveUp: string | undefined;
  const giveUp = (why: string): void => {
    if (gaveUp !== undefined) return;
    gaveUp = why;
  };
  /**
   * Aborted at the deadline: every request but the Lease release carries its signal. The release is
   * exempt (RequestOptions.release): it is bounded by the Lease request timeout, and one sent just
   * before this cluster's deadline — e.g. at the end of a run that waited for another cluster's
   * deadline — must not be cut (test/integration/safety-engine.test.ts).
   */
  const work = new AbortController();
  // Every request in flight waits on it through its transport, which holds one listener on it
  // whatever the number of requests (abort-listeners.ts); the listener limit stays off so that a
  // transport of another kind (the h2 transport's HTTP/1.1 fallback) adding its own never warns.
  setMaxListeners(0, work.signal);
  /** Gives up and ends the requests still waiting for an answer (a black-holed connection) now. */
  const giveUpNow = (why: string): void => {
    giveUp(why);
    if (!work.signal.aborted) work.abort(networkError(DEADLINE_CODE, 'aborted in flight: cluster given up'));
  };
  const deadline = options.deadlineMs === undefined ? undefined : setTimeout(() => {
    giveUpNow(`its deadline of ${options.deadlineMs} ms (--cluster-timeout) passed`);
  }, options.deadlineMs);
  deadline?.unref();

  const sendOnce = async (spec: RequestSpec): Promise<RawResponse> => {
    const creds: ConnectionCredentials = conn.credentials();
    const headers: Record<string, string> = { Accept: 'application/json', ...creds.headers };
    if (spec.body !== undefined) headers['Content-Type'] = spec.contentType ?? 'application/json';
    const timeout = spec.verb === 'lock' ? lockTimeoutMs : timeoutMs;
    const res = await transport.send(creds, {
      method: spec.method, path: spec.path, headers, timeoutMs: timeout,
      ...(spec.body === undefined ? {} : { body: spec.body }), ...(spec.release === true ? {} : { signal: work.signal }),
    });
    let body: unknown = res.text;
    if ((res.headers['content-type'] ?? '').includes('json') && res.text !== '') {
      try {
        body = JSON.parse(res.text) as unknown;
      } catch {
        body = res.text;
      }
    }
    return { status: res.status, headers: res.headers, body };
  };

  const failure = (spec: RequestSpec, status: number, reason: string, message: string, cause?: unknown): KubeApiError => {
    const code = spec.verb === 'apply' || spec.verb === 'delete' ? ERROR_CODES.APPLY
      : spec.verb === 'lock' && status !== 0 ? ERROR_CODES.LOCKED : ERROR_CODES.CLUSTER_ACCESS;
    const what = `${spec.method} ${spec.what}`;
    // A network failure names the server it could not reach (the URL carries no credentials).
    const text = status === 0
      ? `cluster ${conn.cluster}: ${what}: ${message} (server ${conn.credentials().server.origin})`
      : `cluster ${conn.cluster}: ${what}: ${status}${reason === '' ? '' : ` ${reason}`}${message === '' ? '' : `: ${message}`}`;
    return new KubeApiError(code, `${text}${status === 403 ? forbiddenHint(message, spec.what) : ''}`, { cluster: conn.cluster, status, reason, ...(cause === undefined ? {} : { cause }) });
  };

  /**
   * One attempt: through the cluster's pace unless it is a Lease request (a renewal must not queue
   * behind writes). A 429 lowers the pace before its slot is freed; any other answer below 500 is
   * progress and lets the pace grow.
   */
  const attemptOnce = async (spec: RequestSpec): Promise<RawResponse | 'not-sent'> => {
    // Counted when handed over (a LIST's next page counts as requested before the current one is handled).
    counts[spec.verb]++;
    if (spec.verb === 'lock') return sendOnce(spec);
    return pace.run(async (attempt) => {
      // Waiting for a slot can outlast the run or the cluster: nothing is sent then.
      if (closed || gaveUp !== undefined) {
        counts[spec.verb]--;
        return 'not-sent';
      }
      const res = await sendOnce(spec);
      if (res.status === 429) pace.throttled(attempt);
      else if (res.status < 500) pace.succeeded();
      return res;
    });
  };

  /** Sends with retries; resolves any answered response (the caller interprets 4xx). */
  const request = async (spec: RequestSpec): Promise<RawResponse> => {
    let reloaded = false;
    const notSent = (): KubeApiError => failure(spec, 0, GIVEN_UP, `not sent: cluster given up (${gaveUp ?? ''})`);
    const closedError = (cause?: unknown): KubeApiError => failure(spec, 0, 'Closed', 'not sent: the client was closed (the run is over)', cause);
    /** Retries spent from the maxRetries budget (429s while the cluster made progress do not spend it). */
    let attempt = 0;
    /** 429 answers to this request so far. */
    let rejections = 0;
    for (;;) {
      if (closed) throw closedError();
      if (gaveUp !== undefined && spec.release !== true) throw notSent();
      const progressBefore = progress;
      let res: RawResponse;
      try {
        const answered = await attemptOnce(spec);
        if (answered === 'not-sent') continue;
        res = answered;
      } catch (e) {
        options.onRequest?.(spec.verb, 0);
        const code = (e as NodeJS.ErrnoException).code;
        if (isAborted()) throw failure(spec, 0, 'Aborted', 'aborted', e);
        if (closed) throw closedError(e);
        if (code === DEADLINE_CODE) throw failure(spec, 0, 'Deadline', `aborted in flight: cluster given up (${gaveUp ?? ''})`, e);
        // A Lease request that timed out is not retried (LOCK_REQUEST_TIMEOUT_MS); a release is sent once.
        const retry = gaveUp === undefined && spec.release !== true && isRetryableNetworkError(code) && attempt < maxRetries
          && !(spec.verb === 'lock' && code === 'KONTRACT_TIMEOUT');
        if (!retry && spec.release !== true) {
          // Only a request that failed for good counts toward the give-up: a short blip that the
          // retries absorb does not, however many requests were in flight (docs/cli.md).
          consecutiveFailures++;
          if (consecutiveFailures >= giveUpAfter) giveUp(`${consecutiveFailures} consecutive failed requests (no answer after their retries), last ${code ?? 'network error'}`);
        }
        if (retry) {
          await sleep(backoffDelay(attempt, backoff));
          attempt++;
          if (isAborted()) throw failure(spec, 0, 'Aborted', 'aborted');
          continue;
        }
        throw failure(spec, 0, code ?? 'NetworkError', `${code ?? 'network error'}${e instanceof Error && code === undefined ? `: ${e.message}` : ''}`, e);
      }
      consecutiveFailures = 0;
      if (res.status === 429) throttled++;
      else if (res.status < 500 && spec.verb !== 'lock') progress++;
      options.onRequest?.(spec.verb, res.status);
      if (res.status === 401 && !reloaded) {
        reloaded = true;
        if (await conn.reloadCredentials()) continue;
      }
      if (res.status === 429 && spec.release !== true) {
        rejections++;
        // The cluster answered other requests since this one was sent: a rejection while it makes
        // progress is its pace, not a failure, and spends no retry (retry-policy.ts retryThrottled).
        const verdict = retryThrottled({ rejections, retriesSpent: attempt, maxRetries, progressed: progress > progressBefore });
        if (verdict !== 'fail') {
          const ra: string | undefined = res.headers['retry-after'];
          await sleep(backoffDelay(rejections - 1, backoff, retryAfterMs(ra)));
          if (verdict === 'spend') attempt++;
          if (isAborted()) throw failure(spec, 0, 'Aborted', 'aborted');
          continue;
        }
        return res;
      }
      if (isRetryableStatus(res.status) && attempt < maxRetries && spec.release !== true) {
        const ra: string | undefined = res.headers['retry-after'];
        await sleep(backoffDelay(attempt, backoff, retryAfterMs(ra)));
        attempt++;
        if (isAborted()) throw failure(spec, 0, 'Aborted', 'aborted');
        continue;
      }
      return res;
    }
  };

  const expectOk = (spec: RequestSpec, res: RawResponse, kind: string): unknown => {
    if (res.status >= 200 && res.status < 300) return res.body;
    const s = statusOf(res.body);
    throw failure(spec, res.status, s.reason, safeMessage(kind, s.message));
  };

  const withTypeMeta = (kind: ManagedKind, item: unknown, apiVersion: string = apiVersionOf(kind), keepApplyTime = false): KubeObject => {
    const o = item as KubeObject;
    o.apiVersion = apiVersion;
    o.kind = kind.kind;
    // managedFields are large and never compared: drop them early to keep memory flat, keeping
    // only the time of kontract's own Apply (lastSync of fabric-status) when asked. Cleared in place rather
    // than deleted (which turns the metadata into a slow dictionary-mode object) or copied (an
    // allocation per listed object); JSON.stringify and canonicalize skip the undefined value.
    const meta = o.metadata as { managedFields?: unknown };
    if (meta.managedFields === undefined) return o;
    const foreign = foreignEntries(meta.managedFields);
    if (foreign.length > 0) foreignManagers.set(o, foreign);
    if (keepApplyTime) {
      const applied = applyTimeOf(meta.managedFields);
      if (applied !== undefined) kontractApplyTimes.set(o, applied);
    }
    meta.managedFields = undefined;
    return o;
  };

  // One abort listener per client (not one per request: many parallel requests on one signal
  // would trip Node's listener-leak warning); aborting destroys the sockets of in-flight requests.
  const onAbort = (): void => { transport.destroy(); };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const client: ClusterClient = {
    cluster: conn.cluster,

    async list(kind, opts = {}) {
      const items: KubeObject[] = [];
      const apiVersion = apiVersionOf(kind);
      const page = (cont: string | undefined): { spec: RequestSpec; response: Promise<RawResponse> } => {
        const path = collectionPath(kind, opts.namespace) + queryString({ labelSelector: opts.labelSelector, limit: LIST_PAGE_SIZE, continue: cont });
        const spec: RequestSpec = { verb: 'list', method: 'GET', path, what: `${kindKey(kind)} list` };
        const response = request(spec);
        // Awaited below; this only keeps a failure of a prefetched page from going unhandled
        // when handling the current page throws first.
        response.catch(() => undefined);
        return { spec, response };
      };
      let cont: string | undefined;
      let current = page(undefined);
      let restarts = 0;
      for (;;) {
        const res = await current.response;
        if (res.status === 410 && cont !== undefined && restarts < 3) {
          // The continue token expired (compaction): start over.
          restarts++;
          items.length = 0;
          cont = undefined;
          opts.onRestart?.();
          current = page(undefined);
          continue;
        }
        const body = expectOk(current.spec, res, kind.kind) as { items?: unknown[]; metadata?: { continue?: string } };
        cont = body.metadata?.continue;
        // The next page is requested before this one is handled, so its round trip overlaps the
        // handling (one request in flight per LIST, as before).
        const next = cont === undefined || cont === '' ? undefined : page(cont);
        for (const it of body.items ?? []) {
          const obj = withTypeMeta(kind, it, apiVersion, opts.keepApplyTime === true);
          if (opts.keep === undefined || opts.keep(obj)) items.push(obj);
        }
        if (next === undefined) return items;
        current = next;
      }
    },

    async get(kind, namespace, name, ro) {
      const spec: RequestSpec = { verb: ro?.lock === true ? 'lock' : 'get', method: 'GET', path: objectPath(kind, namespace, name), what: `${kindKey(kind)} ${objName(namespace, name)}` };
      const res = await request(spec);
      if (res.status === 404) return undefined;
      return withTypeMeta(kind, expectOk(spec, res, kind.kind));
    },

    async apply(kind, obj, opts) {
      const ns = kind.namespaced ? obj.metadata.namespace ?? '' : '';
      const path = objectPath(kind, ns, obj.metadata.name) + queryString({ fieldManager: opts.fieldManager ?? FIELD_MANAGER, force: 'true', dryRun: opts.dryRun ? 'All' : undefined });
      const spec: RequestSpec = {
        verb: 'apply', method: 'PATCH', path, body: JSON.stringify(obj),
        contentType: 'application/apply-patch+yaml', what: `${kindKey(kind)} ${objName(ns, obj.metadata.name)}`,
      };
      for (let conflicts = 0; ; conflicts++) {
        const res = await request(spec);
        if (res.status === 409 && conflicts < 3) {
          // SSA with force should not conflict; a 409 means the object changed under us (or is
          // being deleted). Re-read it and retry; a terminating object is reported.
          const live = await client.get(kind, ns, obj.metadata.name);
          if (live !== undefined && typeof live.metadata.deletionTimestamp === 'string') {
            throw failure(spec, 409, 'Conflict', 'object is being deleted; retry after it is gone');
          }
          continue;
        }
        return withTypeMeta(kind, expectOk(spec, res, kind.kind));
      }
    },

    async delete(kind, namespace, name, opts) {
      const path = objectPath(kind, namespace, name) + queryString({ propagationPolicy: 'Background', dryRun: opts.dryRun ? 'All' : undefined });
      const spec: RequestSpec = { verb: 'delete', method: 'DELETE', path, what: `${kindKey(kind)} ${objName(namespace, name)}` };
      const res = await request(spec);
      if (res.status === 404) return 'absent';
      expectOk(spec, res, kind.kind);
      return 'deleted';
    },

    async create(kind, obj, ro) {
      const ns = kind.namespaced ? obj.metadata.namespace ?? '' : '';
      const spec: RequestSpec = { verb: ro?.lock === true ? 'lock' : 'apply', method: 'POST', path: collectionPath(kind, kind.namespaced ? ns : undefined), body: JSON.stringify(obj), what: `${kindKey(kind)} ${objName(ns, obj.metadata.name)}` };
      return withTypeMeta(kind, expectOk(spec, await request(spec), kind.kind));
    },

    async replace(kind, obj, ro) {
      const ns = kind.namespaced ? obj.metadata.namespace ?? '' : '';
      const spec: RequestSpec = { verb: ro?.lock === true || ro?.release === true ? 'lock' : 'apply', method: 'PUT', path: objectPath(kind, ns, obj.metadata.name), body: JSON.stringify(obj), what: `${kindKey(kind)} ${objName(ns, obj.metadata.name)}`, ...(ro?.release === true ? { release: true } : {}) };
      return withTypeMeta(kind, expectOk(spec, await request(spec), kind.kind));
    },

    async putSubresource(kind, namespace, name, subresource, body) {
      const spec: RequestSpec = {
        verb: 'apply', method: 'PUT', path: `${objectPath(kind, namespace, name)}/${encodeURIComponent(subresource)}`,
        body: JSON.stringify(body ?? {}), what: `${kindKey(kind)} ${objName(namespace, name)}/${subresource}`,
      };
      expectOk(spec, await request(spec), kind.kind);
    },

    async discover(group, version) {
      const spec: RequestSpec = { verb: 'discovery', method: 'GET', path: groupVersionPath(group, version), what: `discovery ${group === '' ? version : `${group}/${version}`}` };
      const res = await request(spec);
      if (res.status === 404) return undefined;
      const body = expectOk(spec, res, '') as { resources?: { name?: unknown; kind?: unknown; namespaced?: unknown }[] };
      return (body.resources ?? [])
        .filter((r) => typeof r.name === 'string' && !r.name.includes('/'))
        .map((r) => ({ name: String(r.name), kind: String(r.kind), namespaced: r.namespaced === true }));
    },

    async discoverGroups() {
      const spec: RequestSpec = { verb: 'discovery', method: 'GET', path: '/apis', what: 'discovery /apis' };
      const body = expectOk(spec, await request(spec), '') as { groups?: { name?: unknown; preferredVersion?: { version?: unknown } }[] };
      return (body.groups ?? [])
        .filter((g) => typeof g.name === 'string' && typeof g.preferredVersion?.version === 'string')
        .map((g) => ({ name: String(g.name), preferredVersion: String(g.preferredVersion?.version) }));
    },

    stats() {
      const byVerb = { ...counts };
      const reads = byVerb.list + byVerb.get + byVerb.discovery;
      const protocol = transport.protocol();
      const lowest = pace.lowestLimit;
      return {
        reads, writes: byVerb.apply + byVerb.delete, byVerb, ...(protocol === undefined ? {} : { protocol }),
        ...(throttled === 0 ? {} : { throttled }), ...(lowest === Number.POSITIVE_INFINITY ? {} : { lowestConcurrency: lowest }),
      };
    },

    givenUp() {
      return gaveUp;
    },

    giveUp(why) {
      giveUpNow(why);
    },

    close() {
      closed = true;
      if (deadline !== undefined) clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      transport.close();
    },
  };
  return client;
}
