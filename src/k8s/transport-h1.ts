/**
 * HTTP/1.1 transport: a keep-alive agent per cluster (rebuilt when the credentials object
 * changes, e.g. after a 401 re-read), `maxConnections` sockets, one TLS context for all of them.
 * The request timeout is the socket's idle timeout (no byte for `timeoutMs`).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { ConnectionCredentials } from './cluster-connection.js';
import { abortErrorOf, secureContextOf, timeoutError } from './transport-base.js';
import type { Transport, TransportOptions, TransportRequest, TransportResponse } from './transport-base.js';

export function createH1Transport(opts: TransportOptions = {}): Transport {
  let agent: http.Agent | undefined;
  let agentFor: ConnectionCredentials | undefined;

  const currentAgent = (creds: ConnectionCredentials): http.Agent => {
    if (agent !== undefined && agentFor === creds) return agent;
    agent?.destroy();
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
    protocol: () => (agent === undefined ? undefined : 'http/1.1'),
    destroy() {
      agent?.destroy();
      agent = undefined;
    },
    close() {
      agent?.destroy();
      agent = undefined;
    },
  };
}
