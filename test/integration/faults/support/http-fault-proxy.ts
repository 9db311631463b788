/**
 * The suite's own HTTP fault proxy: terminates TLS with the apiserver's own serving certificate
 * (so kontract keeps verifying the CA it was given), forwards every request to the real
 * apiserver, and answers some requests itself when the current rule says so (429/503 with
 * Retry-After, 409, ...). Every request is logged with its time and the status kontract got.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** ms since the proxy started */
  readonly at: number;
}

export interface Injection {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly message: string;
}

/** Decides per request: an injected answer, or undefined to forward it to the apiserver. */
export type FaultRule = (req: ProxiedRequest) => Injection | undefined;

export interface LoggedRequest extends ProxiedRequest {
  readonly status: number;
  readonly injected: boolean;
}

export interface HttpFaultProxy {
  readonly port: number;
  setRule(rule: FaultRule | undefined): void;
  /** Holds every forwarded request this long first (slows a run down so a fault can land inside it). */
  setDelay(ms: number): void;
  /** Requests forwarded (or held by the delay) and not yet answered. */
  readonly inFlight: number;
  readonly log: readonly LoggedRequest[];
  close(): Promise<void>;
}

export interface HttpFaultProxyOptions {
  /** The apiserver's port on 127.0.0.1. */
  readonly upstreamPort: number;
  /** PEM: the apiserver's self-signed certificate (also its CA). */
  readonly cert: string;
  readonly key: string;
}

export async function startHttpFaultProxy(opts: HttpFaultProxyOptions): Promise<HttpFaultProxy> {
  const t0 = Date.now();
  const log: LoggedRequest[] = [];
  let rule: FaultRule | undefined;
  let delayMs = 0;
  let inFlight = 0;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca: opts.cert });
  const server = https.createServer({ cert: opts.cert, key: opts.key }, (req, res) => {
    const info: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', at: Date.now() - t0 };
    const inject = rule?.(info);
    if (inject !== undefined) {
      log.push({ ...info, status: inject.status, injected: true });
      req.resume();
      const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: inject.reason, message: inject.message, code: inject.status });
      res.writeHead(inject.status, { 'Content-Type': 'application/json', ...inject.headers });
      res.end(body);
      return;
    }
    const headers = { ...req.headers };
    delete headers.host;
    inFlight++;
    res.on('close', () => { inFlight--; });
    const forward = (): void => {
      const up = https.request({ host: '127.0.0.1', port: opts.upstreamPort, method: info.method, path: info.path, headers, agent }, (upRes) => {
        log.push({ ...info, status: upRes.statusCode ?? 0, injected: false });
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.on('error', (e) => {
        log.push({ ...info, status: 502, injected: false });
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`fault proxy: upstream error ${e.message}`);
      });
      req.pipe(up);
    };
    if (delayMs > 0) {
      req.pause();
      setTimeout(forward, delayMs);
    } else {
      forward();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    setRule(r) { rule = r; },
    setDelay(ms) { delayMs = ms; },
    get inFlight() { return inFlight; },
    log,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => { r(); }));
      agent.destroy();
    },
  };
}
