/**
 * Types and helpers shared by kontract's HTTP transports (transport.ts picks one).
 */
import type * as http from 'node:http';
import type { Readable } from 'node:stream';
import * as tls from 'node:tls';
import type { ConnectionCredentials } from './cluster-connection.js';

export type TransportKind = 'h1' | 'h2';
export const TRANSPORT_KINDS: readonly TransportKind[] = ['h1', 'h2'];
/** The transport of `--transport` when none is given (docs/benchmarks.md, "HTTP/2 transport"). */
export const DEFAULT_TRANSPORT: TransportKind = 'h1';

/** The protocol a transport's connection speaks: ALPN's names. */
export type WireProtocol = 'h2' | 'http/1.1';

export interface TransportRequest {
  readonly method: 'GET' | 'PATCH' | 'DELETE' | 'POST' | 'PUT';
  /** Path and query, e.g. `/api/v1/configmaps?limit=500`. */
  readonly path: string;
  /** Request headers, auth included (never logged). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** No answer (or no progress) for this long fails the request with code KONTRACT_TIMEOUT. */
  readonly timeoutMs: number;
  /**
   * Aborting ends this request at once, rejecting with the signal's reason (abortErrorOf); the
   * connection and the other requests on it go on.
   */
  readonly signal?: AbortSignal;
}

export interface TransportResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/** A streamed answer (a watch): its status and headers, the body as it arrives. */
export interface TransportStream {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /**
   * The body: iterating ends when the server ends the response and throws when it breaks or the
   * request's signal aborts. Read it to the end or `resume()` it.
   */
  readonly body: Readable;
}

export interface Transport {
  /** One attempt. Rejects with an error whose `code` is a Node network code or KONTRACT_TIMEOUT. */
  send(creds: ConnectionCredentials, req: TransportRequest): Promise<TransportResponse>;
  /**
   * One streamed request (a watch), resolved at the response headers. `timeoutMs` bounds only the
   * wait for them (connect included); after that no timeout applies (the caller watches for a
   * silent stream) and `signal` ends the stream. Over h2 it is a stream of the same session.
   */
  stream(creds: ConnectionCredentials, req: TransportRequest): Promise<TransportStream>;
  /** What the current connection speaks; undefined before the first connection. */
  protocol(): WireProtocol | undefined;
  /** Ends in-flight requests now (deadline, abort); a later request connects anew. */
  destroy(): void;
  /** Frees idle connections. */
  close(): void;
}

export interface TransportOptions {
  /** HTTP/1.1: max parallel sockets. @default 16 */
  readonly maxConnections?: number;
  /**
   * HTTP/2: max streams in flight on the session, further bounded by the server's
   * SETTINGS_MAX_CONCURRENT_STREAMS. @default 100
   */
  readonly maxStreams?: number;
  /** HTTP/2: PING a session with streams in flight after this long without traffic. @default KEEPALIVE_MS of transport-h2.ts */
  readonly keepaliveMs?: number;
}

/** One TLS context (CA, client certificate) per credentials, shared by all connections made with them. */
export function secureContextOf(creds: ConnectionCredentials): tls.SecureContext {
  return tls.createSecureContext({
    ...(creds.ca === undefined ? {} : { ca: creds.ca }),
    ...(creds.cert === undefined ? {} : { cert: creds.cert }),
    ...(creds.key === undefined ? {} : { key: creds.key }),
  });
}

/** A network error with a code the retry policy knows (retry-policy.ts isRetryableNetworkError). */
export function networkError(code: string, message: string, cause?: unknown): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = cause === undefined ? new Error(message) : new Error(message, { cause });
  e.code = code;
  return e;
}

/** The error a request ends with when its signal aborts: the reason when it is an Error, else code ABORT_ERR. */
export function abortErrorOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : networkError('ABORT_ERR', 'request aborted');
}

export function timeoutError(ms: number): NodeJS.ErrnoException {
  return networkError('KONTRACT_TIMEOUT', `request timed out after ${ms} ms`);
}
