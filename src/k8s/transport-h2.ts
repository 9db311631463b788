/**
 * HTTP/2 transport on node:http2: one session per cluster, every request a stream on it.
 *
 * - Connect: TLS with ALPN `h2, http/1.1`. A server or proxy that answers `http/1.1` (or no ALPN)
 *   gets the HTTP/1.1 transport (transport-h1.ts) for the rest of this transport's life; so does a
 *   plain `http:` server. The session is used once the server's SETTINGS arrived, so its
 *   SETTINGS_MAX_CONCURRENT_STREAMS bounds streams from the first request.
 * - Stream limit: at most min(`maxStreams`, the server's SETTINGS_MAX_CONCURRENT_STREAMS) streams
 *   in flight; further requests wait for a free stream before their timeout starts (as an
 *   HTTP/1.1 request waits for a free socket), instead of sitting in nghttp2's internal queue
 *   with their timeout running. Updated whenever the server sends new SETTINGS.
 * - GOAWAY: the session is retired at once (new requests open a new session); streams the
 *   server accepted finish on it, streams it refused fail with ECONNRESET, which the client
 *   retries. A session that closes or fails is retired the same way.
 * - Timeouts: the connect (TLS + SETTINGS) and each stream's idle time are bounded by the
 *   request's `timeoutMs` (error code KONTRACT_TIMEOUT). As an HTTP/1.1 socket whose request timed
 *   out is not reused, a session one of whose streams timed out takes no new streams (the retry
 *   opens a new session); it is PINGed and destroyed, with its other streams, if the PING is not
 *   answered within PING_TIMEOUT_MS (a black-holed connection). A session with streams in flight
 *   and no traffic for KEEPALIVE_MS is PINGed the same way (a dead peer under a quiet watch).
 * - Abort: a request's signal cancels its stream only (RST_STREAM CANCEL); the session goes on.
 * - Streamed requests (watches, `stream`): streams of the same session, each holding a slot of the
 *   stream limit until it closes; only the wait for the response headers is bounded by `timeoutMs`.
 * - Credentials: a new credentials object (after a 401 re-read) gets a new session; the old one
 *   is closed once its streams end.
 * HTTP/2 errors that mean the connection or stream went away map to ECONNRESET, so the client's
 * retry policy (retry-policy.ts) treats them as it treats a reset HTTP/1.1 socket.
 */
import * as http2 from 'node:http2';
import { isIP } from 'node:net';
import { PassThrough } from 'node:stream';
import * as tls from 'node:tls';
import pLimit from 'p-limit';
import type { ConnectionCredentials } from './cluster-connection.js';
import { abortErrorOf, networkError, secureContextOf, timeoutError } from './transport-base.js';
import type { Transport, TransportOptions, TransportRequest, TransportResponse, TransportStream, WireProtocol } from './transport-base.js';
import { createH1Transport } from './transport-h1.js';
import { abortListeners, unlistenAbort } from './abort-listeners.js';

/**
 * Flow-control windows: a LIST page of 500 objects (0.5–1 MB) arrives without waiting for
 * WINDOW_UPDATE round trips (the default stream window is 64 KiB). Same values as the bench's
 * HTTP/2 floor (src/bench/bench.ts phaseFloorH2).
 */
const STREAM_WINDOW = 16 * 1024 * 1024;
const SESSION_WINDOW = 32 * 1024 * 1024;
export const DEFAULT_MAX_STREAMS = 100;
/** How long a session may take to answer a PING (after one of its streams timed out, or a keepalive). */
export const PING_TIMEOUT_MS = 5_000;
/**
 * A session with streams in flight and no frame sent or received for this long is PINGed: a dead
 * peer under a quiet watch, which would otherwise only be noticed at the watch's own idle limit
 * (src/k8s/watch.ts), is found within KEEPALIVE_MS + PING_TIMEOUT_MS.
 */
export const KEEPALIVE_MS = 30_000;

/** node:http2 errors that mean the session or stream is gone: retried like a reset socket. */
const CONNECTION_LOST = new Set([
  'ERR_HTTP2_STREAM_ERROR', 'ERR_HTTP2_SESSION_ERROR', 'ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_INVALID_SESSION',
  'ERR_HTTP2_STREAM_CANCEL', 'ERR_HTTP2_PING_CANCEL', 'ERR_HTTP2_SOCKET_UNBOUND', 'ERR_HTTP2_ERROR',
]);

function mapError(e: unknown): Error {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && CONNECTION_LOST.has(code)) return networkError('ECONNRESET', `HTTP/2: ${e instanceof Error ? e.message : String(e)}`, e);
  return e instanceof Error ? e : new Error(String(e));
}

interface Session {
  readonly h2: http2.ClientHttp2Session;
  readonly creds: ConnectionCredentials;
  /** Streams in flight (the session keeps the process alive only while some are). */
  active: number;
  pinging: boolean;
}

/** The 'error' listener a closed stream keeps once sendOn's own are removed. */
function ignoreError(): void {
  // The answer was settled at 'close'.
}

/** Header names lower-cased (HTTP/2 forbids upper case). */
function h2Headers(req: TransportRequest): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = { ':method': req.method, ':path': req.path };
  for (const [k, v] of Object.entries(req.headers)) out[k.toLowerCase()] = v;
  if (req.body !== undefined) out['content-length'] = String(Buffer.byteLength(req.body));
  return out;
}

export function createH2Transport(opts: TransportOptions = {}): Transport {
  const maxStreams = opts.maxStreams ?? DEFAULT_MAX_STREAMS;
  const streams = pLimit(maxStreams);
  let current: Session | undefined;
  let pending: { creds: ConnectionCredentials; promise: Promise<Session | 'h1'>; socket: tls.TLSSocket } | undefined;
  let fallback: Transport | undefined;
  let wire: WireProtocol | undefined;
  const sessions = new Set<http2.ClientHttp2Session>();

  const retire = (s: Session): void => { if (current === s) current = undefined; };

  // Abort callbacks without a listener per request on the shared signal (abort-listeners.ts).
  const listenAbort = abortListeners().listen;

  const connect = (creds: ConnectionCredentials, timeoutMs: number): { promise: Promise<Session | 'h1'>; socket: tls.TLSSocket } => {
    const url = creds.server;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const servername = creds.servername ?? (isIP(host) === 0 ? host : undefined);
    const socket = tls.connect({
      host, port: url.port === '' ? 443 : Number(url.port), ALPNProtocols: ['h2', 'http/1.1'],
      secureContext: secureContextOf(creds), rejectUnauthorized: creds.rejectUnauthorized,
      ...(servername === undefined ? {} : { servername }),
    });
    const promise = new Promise<Session | 'h1'>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(e);
      };
      const timer = setTimeout(() => { fail(timeoutError(timeoutMs)); }, timeoutMs);
      socket.once('error', fail);
      // Destroyed before the handshake ended (destroyAll when the run aborts its requests): settle
      // now, so the timer does not keep the process alive until the request timeout
      // (test/integration/safety-cli.test.ts, SIGTERM with --grace-period).
      socket.once('close', () => { fail(networkError('ECONNRESET', 'connection closed before the TLS handshake ended')); });
      socket.once('secureConnect', () => {
        if (socket.alpnProtocol !== 'h2') {
          settled = true;
          clearTimeout(timer);
          socket.destroy();
          resolve('h1');
          return;
        }
        const h2 = http2.connect(url.origin, { createConnection: () => socket, settings: { initialWindowSize: STREAM_WINDOW, enablePush: false } });
        const s: Session = { h2, creds, active: 0, pinging: false };
        sessions.add(h2);
        h2.on('connect', () => { h2.setLocalWindowSize(SESSION_WINDOW); });
        h2.on('remoteSettings', (settings: http2.Settings) => {
          streams.concurrency = Math.max(1, Math.min(maxStreams, settings.maxConcurrentStreams ?? maxStreams));
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket.off('error', fail);
          h2.unref();
          resolve(s);
        });
        // Streams in flight but no traffic for KEEPALIVE_MS (a quiet watch, a dead peer): PING it.
        h2.setTimeout(opts.keepaliveMs ?? KEEPALIVE_MS, () => { if (s.active > 0) ping(s); });
        h2.on('goaway', () => { retire(s); });
        h2.on('error', (e) => { retire(s); fail(mapError(e)); });
        h2.on('close', () => { retire(s); sessions.delete(h2); fail(networkError('ECONNRESET', 'HTTP/2 session closed before its settings arrived')); });
      });
    });
    return { promise, socket };
  };

  const session = (creds: ConnectionCredentials, timeoutMs: number): Promise<Session | 'h1'> => {
    const s = current;
    if (s !== undefined && s.creds === creds && !s.h2.closed && !s.h2.destroyed) return Promise.resolve(s);
    if (s !== undefined) {
      retire(s);
      // New credentials (a 401 re-read): the old session ends once its streams have.
      s.h2.close();
    }
    if (pending !== undefined && pending.creds === creds) return pending.promise;
    const started = connect(creds, timeoutMs);
    const entry = {
      creds,
      socket: started.socket,
      promise: started.promise.then((r) => {
        if (pending === entry) pending = undefined;
        if (r !== 'h1') current = r;
        return r;
      }, (e: unknown) => {
        if (pending === entry) pending = undefined;
        throw mapError(e);
      }),
    };
    pending = entry;
    return entry.promise;
  };

  /** A session that does not answer a PING within PING_TIMEOUT_MS is dead: destroyed with its streams (ECONNRESET). */
  const ping = (s: Session): void => {
    if (s.pinging || s.h2.destroyed) return;
    s.pinging = true;
    const dead = (): void => {
      retire(s);
      s.h2.destroy(networkError('ECONNRESET', `HTTP/2 session did not answer a PING within ${PING_TIMEOUT_MS} ms`));
    };
    const timer = setTimeout(dead, PING_TIMEOUT_MS);
    timer.unref();
    const sent = s.h2.ping((err) => {
      clearTimeout(timer);
      s.pinging = false;
      if (err !== null) dead();
    });
    if (!sent) { clearTimeout(timer); s.pinging = false; }
  };

  /** After a stream timed out: no new streams on the session; one that does not answer a PING is dead. */
  const checkAlive = (s: Session): void => {
    retire(s);
    ping(s);
  };

  /**
   * A stream opened for a streamed request (a watch), resolved at its response headers: the
   * headers wait is bounded by `timeoutMs`, the rest by the caller's signal. The stream takes a
   * slot of the stream limit until it closes (`free`).
   */
  const streamOn = (s: Session, req: TransportRequest, free: () => void): Promise<TransportStream> => new Promise<TransportStream>((resolve, reject) => {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = s.h2.request(h2Headers(req), { endStream: true });
    } catch (e) {
      retire(s);
      free();
      reject(mapError(e));
      return;
    }
    if (s.active++ === 0) s.h2.ref();
    // The body handed out: ends only when the stream closed with NO_ERROR after its end; a stream
    // cut by a lost session (which node:http2 ends as if complete, code CANCEL) makes it throw.
    const body = new PassThrough();
    stream.pipe(body, { end: false });
    const { signal } = req;
    let answered = false;
    const fail = (e: Error): void => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      reject(e);
    };
    const timer = setTimeout(() => {
      fail(timeoutError(req.timeoutMs));
      stream.close(http2.constants.NGHTTP2_CANCEL);
      checkAlive(s);
    }, req.timeoutMs);
    // Ends the stream (RST_STREAM CANCEL) before or while its body is read; the session goes on.
    function onAbort(): void {
      if (signal === undefined) return;
      const e = abortErrorOf(signal);
      fail(e);
      body.destroy(e);
      stream.close(http2.constants.NGHTTP2_CANCEL);
    }
    const waiter = listenAbort(signal, onAbort);
    stream.on('response', (h) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      resolve({ status: h[':status'] ?? 0, headers: h, body });
    });
    let ended = false;
    stream.on('end', () => { ended = true; });
    stream.on('error', (e) => {
      const err = mapError(e);
      fail(err);
      body.destroy(err);
    });
    stream.on('close', () => {
      unlistenAbort(waiter);
      if (--s.active === 0 && !s.h2.destroyed) s.h2.unref();
      free();
      fail(networkError('ECONNRESET', `HTTP/2 stream closed before its response headers (code ${stream.rstCode ?? 0})`));
      if (ended && stream.rstCode === http2.constants.NGHTTP2_NO_ERROR) body.end();
      else if (!body.destroyed) body.destroy(signal?.aborted === true ? abortErrorOf(signal) : networkError('ECONNRESET', `HTTP/2 stream closed mid-body (code ${stream.rstCode ?? 0})`));
    });
  });

  const sendOn = (s: Session, req: TransportRequest): Promise<TransportResponse> => new Promise<TransportResponse>((resolve, reject) => {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = s.h2.request(h2Headers(req), { endStream: req.body === undefined });
    } catch (e) {
      retire(s);
      reject(mapError(e));
      return;
    }
    if (s.active++ === 0) s.h2.ref();
    let settled = false;
    const { signal } = req;
    let status = 0;
    let headers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    // A stream of a session torn down (the connection reset, the apiserver killed) can end without
    // response headers, or 'end' mid-body without 'aborted' (node:http2 then closes it with code
    // CANCEL, not NO_ERROR): that is a lost connection, retried, never an answer — a truncated LIST
    // page must not parse as an empty one. So the answer is settled at 'close', complete only when
    // the body ended and the stream closed with NO_ERROR (test/integration/transport.test.ts).
    let aborted = false;
    let ended = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      unlistenAbort(waiter);
      reject(e);
    };
    // Aborting cancels this stream only (RST_STREAM CANCEL); the session and its other streams go on.
    function onAbort(): void {
      if (signal === undefined) return;
      fail(abortErrorOf(signal));
      stream.close(http2.constants.NGHTTP2_CANCEL);
    }
    const onResponse = (h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader): void => {
      headers = h;
      status = h[':status'] ?? 0;
    };
    const onData = (c: Buffer): void => { chunks.push(c); };
    const onAborted = (): void => { aborted = true; };
    const onEnd = (): void => { ended = true; };
    const onError = (e: Error): void => { fail(mapError(e)); };
    const onTimeout = (): void => {
      fail(timeoutError(req.timeoutMs));
      stream.close(http2.constants.NGHTTP2_CANCEL);
      checkAlive(s);
    };
    const onClose = (): void => {
      if (--s.active === 0 && !s.h2.destroyed) s.h2.unref();
      // node:http2 keeps a closed stream's objects until a full (mark-compact) GC: every minor GC
      // copies them, then promotes them to old space (docs/benchmarks.md, "h2mem (session 7)"). So
      // the closed stream lets go of this request's listeners, and with them of the body, the
      // headers, the request and the promise; a no-op keeps a late 'error' from being unhandled.
      stream.off('response', onResponse).off('data', onData).off('aborted', onAborted).off('end', onEnd)
        .off('error', onError).off('close', onClose).off('timeout', onTimeout).on('error', ignoreError);
      if (settled) return;
      if (ended && !aborted && status !== 0 && stream.rstCode === http2.constants.NGHTTP2_NO_ERROR) {
        settled = true;
        unlistenAbort(waiter);
        const text = Buffer.concat(chunks).toString('utf8');
        chunks.length = 0;
        resolve({ status, headers, text });
      } else {
        fail(networkError('ECONNRESET', `HTTP/2 stream closed without a complete answer (code ${stream.rstCode ?? 0})`));
      }
    };
    const waiter = listenAbort(signal, onAbort);
    stream.on('response', onResponse).on('data', onData).on('aborted', onAborted).on('end', onEnd)
      .on('error', onError).on('close', onClose);
    stream.setTimeout(req.timeoutMs, onTimeout);
    if (req.body !== undefined) stream.end(req.body);
  });

  /** The server did not offer h2: HTTP/1.1 from now on. */
  const h1 = (): Transport => {
    wire = 'http/1.1';
    fallback ??= createH1Transport(opts);
    return fallback;
  };
  const viaH1 = (creds: ConnectionCredentials, req: TransportRequest): Promise<TransportResponse> => h1().send(creds, req);

  const destroyAll = (): void => {
    pending?.socket.destroy();
    pending = undefined;
    current = undefined;
    for (const h2 of sessions) h2.destroy();
    sessions.clear();
    fallback?.destroy();
  };

  /**
   * A session for this request: bounded by the request's own timeout and signal, also when it
   * joins a connect another request started (with that request's timeout).
   */
  const sessionFor = (creds: ConnectionCredentials, req: TransportRequest): Promise<Session | 'h1'> => {
    const { signal } = req;
    if (signal?.aborted === true) return Promise.reject(abortErrorOf(signal));
    const s = current;
    if (s !== undefined && s.creds === creds && !s.h2.closed && !s.h2.destroyed) return Promise.resolve(s);
    return new Promise<Session | 'h1'>((resolve, reject) => {
      const end = (f: () => void): void => {
        clearTimeout(timer);
        unlistenAbort(waiter);
        f();
      };
      const timer = setTimeout(() => { end(() => { reject(timeoutError(req.timeoutMs)); }); }, req.timeoutMs);
      function onAbort(): void {
        if (signal !== undefined) end(() => { reject(abortErrorOf(signal)); });
      }
      const waiter = listenAbort(signal, onAbort);
      session(creds, req.timeoutMs).then((r) => { end(() => { resolve(r); }); }, (e: unknown) => { end(() => { reject(mapError(e)); }); });
    });
  };

  return {
    async send(creds, req) {
      if (fallback === undefined && creds.server.protocol === 'http:') fallback = createH1Transport(opts);
      if (fallback !== undefined) return fallback.send(creds, req);
      // Connected first, so the server's stream limit is known before a stream slot is taken.
      if (await sessionFor(creds, req) === 'h1') return viaH1(creds, req);
      return streams(async () => {
        // The session may have been retired (GOAWAY, timeout) while this request waited.
        const s = await sessionFor(creds, req);
        if (s === 'h1') return viaH1(creds, req);
        wire = 'h2';
        return sendOn(s, req);
      });
    },
    async stream(creds, req) {
      if (fallback === undefined && creds.server.protocol === 'http:') fallback = createH1Transport(opts);
      if (fallback !== undefined) return fallback.stream(creds, req);
      if (await sessionFor(creds, req) === 'h1') return h1().stream(creds, req);
      return new Promise<TransportStream>((resolve, reject) => {
        // The slot is held until the stream closes, not only until its headers arrive.
        streams(() => new Promise<void>((free) => {
          sessionFor(creds, req).then((s) => {
            if (s === 'h1') {
              free();
              return h1().stream(creds, req);
            }
            wire = 'h2';
            return streamOn(s, req, free);
          }, (e: unknown) => {
            free();
            throw e;
          }).then(resolve, reject);
        })).catch(reject);
      });
    },
    protocol: () => (fallback !== undefined ? fallback.protocol() : wire),
    destroy: destroyAll,
    close: destroyAll,
  };
}
