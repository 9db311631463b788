/**
 * A loopback git smart-HTTP server for tests: `git http-backend` (CGI) behind node:http, with
 * Basic authentication. Records the Authorization headers it saw (to prove askpass worked).
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  readonly url: string;
  /** Requests answered 401 / accepted. */
  readonly stats: { unauthorized: number; authorized: number };
  close(): Promise<void>;
}

function handle(req: http.IncomingMessage, res: http.ServerResponse, projectRoot: string): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: 'test',
      REMOTE_ADDR: '127.0.0.1',
      GIT_PROTOCOL: req.headers['git-protocol'] === undefined ? '' : String(req.headers['git-protocol']),
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
    },
  });
  req.pipe(child.stdin);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => { chunks.push(c); });
  child.on('close', () => {
    const out = Buffer.concat(chunks);
    const sep = out.indexOf('\r\n\r\n');
    const head = out.subarray(0, sep).toString('utf8');
    let status = 200;
    for (const line of head.split('\r\n')) {
      const i = line.indexOf(':');
      const key = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (key.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
      else res.setHeader(key, value);
    }
    res.statusCode = status;
    res.end(out.subarray(sep + 4));
  });
}

export async function startGitHttpServer(projectRoot: string, user: string, token: string): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  const stats = { unauthorized: 0, authorized: 0 };
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      stats.unauthorized++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' });
      res.end();
      return;
    }
    stats.authorized++;
    handle(req, res, projectRoot);
  });
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    stats,
    close: () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }),
  };
}
