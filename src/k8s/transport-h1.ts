/**
 * HTTP/1.1 transport: a keep-alive agent per cluster (rebuilt when the credentials object
 * changes, e.g. after a 401 re-read), `maxConnections` sockets, one TLS context for all of them.
 * The request timeout is the socket's idle timeout (no byte for `timeoutMs`).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { ConnectionCredentials } from './cluster-connection.js';
import { abortErrorOf, secureContextOf, timeoutError } from './transport-base.js';
import type { Transport, TransportOptions, TransportRequest, TransportResponse, TransportStream } from './transport-base.js';

export function createH1Transport(opts: TransportOptions = {}): Transport {
  let agent: http.Agent | undefined;
  let agentFor: ConnectionCredentials | undefined;
  /** Agents of credentials since replaced (a 401 re-read): their requests and streams end on their own; destroyed on close. */
  const retired: http.Agent[] = [];

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
    return agent;
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
      if (signal?.aborted === true) return Promise.reject(abortErrorOf(signal));
      return new Promise<TransportResponse>((resolve, reject) => {
        const req = mod.request(url, { method: spec.method, headers, agent: currentAgent(creds), timeout: spec.timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          res.on('end', () => {
            signal?.removeEventListener('abort', onAbort);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
          });
        });
        function fail(e: Error): void {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        }
        // Aborting destroys this request's socket only (the agent's other sockets go on).
        function onAbort(): void {
          if (signal === undefined) return;
          const e = abortErrorOf(signal);
          fail(e);
          req.destroy(e);
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        req.on('timeout', () => { req.destroy(timeoutError(spec.timeoutMs)); });
        req.on('error', fail);
        req.end(spec.body);
      });
    },
    stream(creds: ConnectionCredentials, spec: TransportRequest): Promise<TransportStream> {
      const url = new URL(spec.path, creds.server);
      const mod = url.protocol === 'http:' ? http : https;
      const { signal } = spec;
      if (signal?.aborted === true) return Promise.reject(abortErrorOf(signal));
      return new Promise<TransportStream>((resolve, reject) => {
        const req = mod.request(url, { method: spec.method, headers: { ...spec.headers }, agent: currentAgent(creds) }, (res) => {
          clearTimeout(timer);
          res.once('close', () => { signal?.removeEventListener('abort', onAbort); });
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
        signal?.addEventListener('abort', onAbort, { once: true });
        req.on('error', (e) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        });
        req.end();
      });
    },
    protocol: () => (agent === undefined ? undefined : 'http/1.1'),
    destroy: destroyAll,
    close: destroyAll,
  };
}
