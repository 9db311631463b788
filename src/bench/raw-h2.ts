/**
 * The benchmark's minimal HTTP/2 client (the floors): one session per cluster, a request is a
 * stream, the body collected and JSON-parsed, nothing else — no retries, no type stamping, no
 * inventory. Used by the write floor (the same server-side applies kontract sends) and the
 * overload measurements' set-up.
 */
import { readFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import pLimit from 'p-limit';

export interface RawTarget {
  readonly server: string;
  readonly caFile: string;
  readonly token: string;
}

export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

export interface RawH2 {
  request(method: string, path: string, body?: string, contentType?: string): Promise<RawResponse>;
  close(): void;
}

export function rawH2(t: RawTarget, concurrency: number): RawH2 {
  const session = http2.connect(t.server, { ca: readFileSync(t.caFile), settings: { initialWindowSize: 16 * 1024 * 1024 } });
  session.on('connect', () => { session.setLocalWindowSize(32 * 1024 * 1024); });
  session.on('error', () => undefined);
  const limit = pLimit(concurrency);
  return {
    request: (method, path, body, contentType) => limit(() => new Promise<RawResponse>((resolve, reject) => {
      const headers: http2.OutgoingHttpHeaders = { ':method': method, ':path': path, authorization: `Bearer ${t.token}`, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = contentType ?? 'application/json';
      const req = session.request(headers, { endStream: body === undefined });
      let status = 0;
      const chunks: Buffer[] = [];
      req.on('response', (h) => { status = h[':status'] ?? 0; });
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => { resolve({ status, body: Buffer.concat(chunks).toString('utf8') }); });
      req.on('error', reject);
      if (body !== undefined) req.end(body);
    })),
    close: () => { session.close(); },
  };
}
