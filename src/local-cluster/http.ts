/**
 * A minimal HTTPS/HTTP JSON client for the harness' own readiness checks and probes.
 * Node 20's global fetch cannot take a custom CA without an undici dispatcher, so this uses
 * https.request with `ca`. Never logs the token.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';

export interface Endpoint {
  /** `https://127.0.0.1:<port>` or `http://127.0.0.1:<port>` (etcd). */
  readonly server: string;
  /** PEM of the CA, for https. */
  readonly ca?: string;
  readonly token?: string;
  /** Extra TLS material and headers (client certificates, custom auth) from a kubeconfig. */
  readonly tls?: Pick<https.RequestOptions, 'cert' | 'key' | 'rejectUnauthorized'>;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly body?: string;
  readonly contentType?: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

export function request(ep: Endpoint, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
  const url = new URL(path, ep.server);
  const headers: Record<string, string> = { Accept: 'application/json', ...ep.headers };
  if (ep.token !== undefined) headers.Authorization = `Bearer ${ep.token}`;
  if (opts.body !== undefined) {
    headers['Content-Type'] = opts.contentType ?? 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(opts.body));
  }
  const base = { method: opts.method ?? 'GET', headers, timeout: opts.timeoutMs ?? 10_000 };
  return new Promise<HttpResult>((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }); });
      res.on('error', reject);
    };
    const req = url.protocol === 'https:'
      ? https.request(url, { ...base, ...ep.tls, ...(ep.ca === undefined ? {} : { ca: ep.ca }) }, onResponse)
      : http.request(url, base, onResponse);
    req.on('timeout', () => { req.destroy(new Error(`timeout after ${base.timeout} ms`)); });
    req.on('error', (e) => {
      reject(new KontractError(ERROR_CODES.CLUSTER_ACCESS, `${base.method} ${url.origin}${url.pathname}: ${errorMessage(e)}`, { cause: e }));
    });
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** Request and parse a JSON answer; non-2xx becomes a KontractError carrying the Status message. */
export async function requestJson(ep: Endpoint, path: string, opts: RequestOptions = {}): Promise<unknown> {
  const res = await request(ep, path, opts);
  if (res.status < 200 || res.status >= 300) {
    throw new KontractError(ERROR_CODES.CLUSTER_ACCESS, `${opts.method ?? 'GET'} ${path}: HTTP ${res.status}: ${statusMessage(res.body)}`);
  }
  try {
    return JSON.parse(res.body) as unknown;
  } catch (e) {
    throw new KontractError(ERROR_CODES.CLUSTER_ACCESS, `${opts.method ?? 'GET'} ${path}: answer is not JSON`, { cause: e });
  }
}

/** The `message` of a Kubernetes Status body, or the body's start. */
export function statusMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: fall through
  }
  return body.slice(0, 300);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) { reject(abortError()); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); reject(abortError()); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(): KontractError {
  return new KontractError(ERROR_CODES.LOCAL_CLUSTER, 'interrupted');
}
