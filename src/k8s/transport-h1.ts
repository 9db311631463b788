/**
 * HTTP/1.1 transport: a keep-alive agent per cluster (rebuilt when the credentials object
 * changes, e.g. after a 401 re-read), `maxConnections` sockets, one TLS context for all of them.
 * The request timeout is the socket's idle timeout (no byte for `timeoutMs`).
 *
 * TLS session warm-up: the requests of a fresh https agent wait until its first connection has
 * completed its handshake and received the server's session (or answered, or failed), so the
 * sockets opened after it resume that session (the agent caches it) instead of each doing a full
 * handshake. A resumed session also skips node's per-connection peer-certificate check
 * (checkServerIdentity, which parses the peer chain): the certificate was verified on the first
 * connection, whose session it is. Measured in docs/benchmarks.md ("listcpu").
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { ConnectionCredentials } from './cluster-connection.js';
import { abortListeners, unlistenAbort } from './abort-listeners.js';
import { abortErrorOf, secureContextOf, timeoutError } from './transport-base.js';
import type { Transport, TransportOptions, TransportRequest, TransportResponse, TransportStream } from './transport-base.js';

export function createH1Transport(opts: TransportOptions = {}): Transport {
  let agent: http.Agent | undefined;
  let agentFor: ConnectionCredentials | undefined;
  /**
   * The TLS warm-up of the current agent: 'none' before its first request, then pending until
   * that request's connection got a session (or an answer or an error), then 'done'.
   */
  let warm: Promise<void> | 'none' | 'done' = 'none';
  /** Agents of credentials since replaced (a 401 re-read): their requests and streams end on their own; destroyed on close. */
  const retired: http.Agent[] = [];
  // Abort callbacks without a listener per request on the shared signal (abort-listeners.ts).
  const listenAbort = abortListeners().listen;

  const currentAgent = (creds: ConnectionCredentials): http.Agent => {
    if (agent !== undefined && agentFor === creds) return agent;
    if (agent !== undefined) retired.push(agent);
    const common = { keepAlive: true, maxSockets: opts.maxConnections ?? 16, keepAliveMsecs: 10_000 };
    agent = creds.server.protocol === 'http:'
      ? new http.Agent(common)
      : new https.Agent({
        ...common,
        rejectUnauthorized: creds.rejectUnauthorized,
        // One TLS context (CA, client certificate) for all of this cluster's sockets, instead of
        // one parsed per new connection.
        secureContext: secureContextOf(creds),
        ...(creds.servername === undefined ? {} : { servername: creds.servername }),
      });
    agentFor = creds;
    warm = 'none';
    return agent;
  };

  /**
   * What a request to `creds` waits for before it may open a connection: nothing (`wait`
   * undefined) once the agent is warm or for plain http; the pending warm-up otherwise. The first
   * request of a TLS agent goes at once and carries the warm-up (`opened`, called with its request).
   */
  const warmUp = (creds: ConnectionCredentials): { wait?: Promise<void>; opened?: (req: http.ClientRequest) => void } => {
    const a = currentAgent(creds);
    if (warm === 'done' || creds.server.protocol === 'http:') return {};
    if (warm !== 'none') return { wait: warm };
    let settle!: () => void;
    warm = new Promise<void>((res) => {
      settle = () => {
        // The warm-up of an agent since replaced leaves the current one's state alone.
        if (agent === a) warm = 'done';
        res();
      };
    });
    return {
      opened: (req) => {
        // Any outcome ends the warm-up: a session (TLS 1.3 sends it right after the handshake,
        // before any answer), the answer, a failure or the socket closing. After a failure the
        // next connections do full handshakes, as without the warm-up.
        req.once('socket', (socket) => {
          socket.once('session', settle);
          socket.once('close', settle);
        });
        req.once('response', settle);
        req.once('error', settle);
        req.once('close', settle);
      },
    };
  };

  /** Runs `go` once the request may connect (warmUp), rejecting at once when `signal` aborts first. */
  const afterWarmUp = <T>(creds: ConnectionCredentials, signal: AbortSignal | undefined, go: (opened?: (req: http.ClientRequest) => void) => Promise<T>): Promise<T> => {
    if (signal?.aborted === true) return Promise.reject(abortErrorOf(signal));
    const w = warmUp(creds);
    const { wait } = w;
    if (wait === undefined) return go(w.opened);
    return new Promise<void>((res, rej) => {
      const waiter = listenAbort(signal, () => { if (signal !== undefined) rej(abortErrorOf(signal)); });
      void wait.then(() => {
        unlistenAbort(waiter);
        res();
      });
    }).then(() => afterWarmUp(creds, signal, go));
  };

  const destroyAll = (): void => {
    agent?.destroy();
    agent = undefined;
    for (const a of retired.splice(0)) a.destroy();
  };

  return {
    send(creds: ConnectionCredentials, spec: TransportRequest): Promise<TransportResponse> {
      const url = new URL(spec.path, creds.server);
      const headers: Record<string, string> = { ...spec.headers };
      if (spec.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(spec.body));
      const mod = url.protocol === 'http:' ? http : https;
      const { signal } = spec;
      return afterWarmUp(creds, signal, (opened) => new Promise<TransportResponse>((resolve, reject) => {
        const req = mod.request(url, { method: spec.method, headers, agent: currentAgent(creds), timeout: spec.timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          res.on('end', () => {
            unlistenAbort(waiter);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
          });
        });
        function fail(e: Error): void {
          unlistenAbort(waiter);
          reject(e);
        }
        // Aborting destroys this request's socket only (the agent's other sockets go on).
        function onAbort(): void {
          if (signal === undefined) return;
          const e = abortErrorOf(signal);
          fail(e);
          req.destroy(e);
        }
        const waiter = listenAbort(signal, onAbort);
        req.on('timeout', () => { req.destroy(timeoutError(spec.timeoutMs)); });
        req.on('error', fail);
        opened?.(req);
        req.end(spec.body);
      }));
    },
    stream(creds: ConnectionCredentials, spec: TransportRequest): Promise<TransportStream> {
      const url = new URL(spec.path, creds.server);
      const mod = url.protocol === 'http:' ? http : https;
      const { signal } = spec;
      return afterWarmUp(creds, signal, (opened) => new Promise<TransportStream>((resolve, reject) => {
        const req = mod.request(url, { method: spec.method, headers: { ...spec.headers }, agent: currentAgent(creds) }, (res) => {
          clearTimeout(timer);
          res.once('close', () => { unlistenAbort(waiter); });
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
        });
        const timer = setTimeout(() => { req.destroy(timeoutError(spec.timeoutMs)); }, spec.timeoutMs);
        // Ends the request, or the body being read (its iteration then throws).
        function onAbort(): void {
          if (signal === undefined) return;
          const e = abortErrorOf(signal);
          reject(e);
          req.destroy(e);
        }
        const waiter = listenAbort(signal, onAbort);
        req.on('error', (e) => {
          clearTimeout(timer);
          unlistenAbort(waiter);
          reject(e);
        });
        opened?.(req);
        req.end();
      }));
    },
    protocol: () => (agent === undefined ? undefined : 'http/1.1'),
    destroy: destroyAll,
    close: destroyAll,
  };
}
