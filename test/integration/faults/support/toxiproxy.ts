/**
 * Toxiproxy (github.com/Shopify/toxiproxy/v2, built by scripts/build-toxiproxy.sh into a cache
 * outside the repository) as a real TCP fault proxy between kontract and an apiserver: latency,
 * bandwidth limits, connection resets. The server listens on loopback only and is driven through
 * its HTTP API.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from './net.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..', '..');
const BINARY = 'toxiproxy-server';

/** TOXIPROXY_BIN_DIR (set by scripts/test.sh) or the build script's cache (a cache hit once built). */
async function binDir(): Promise<string> {
  const fromEnv = process.env.TOXIPROXY_BIN_DIR;
  if (fromEnv !== undefined && fromEnv !== '' && existsSync(join(fromEnv, BINARY))) return fromEnv;
  const out = await new Promise<string>((res, rej) => {
    execFile(join(ROOT, 'scripts', 'build-toxiproxy.sh'), { env: process.env }, (err, stdout) => {
      if (err === null) res(stdout);
      else rej(new Error(`scripts/build-toxiproxy.sh failed: ${err.message}`));
    });
  });
  return out.trim().split('\n').pop() ?? '';
}

export interface ToxicSpec {
  readonly name: string;
  readonly type: 'latency' | 'bandwidth' | 'reset_peer' | 'timeout' | 'slow_close' | 'slicer' | 'limit_data';
  /** `downstream`: server → kontract; `upstream`: kontract → server. */
  readonly stream: 'upstream' | 'downstream';
  /** Share of connections the toxic applies to (0..1). @default 1 */
  readonly toxicity?: number;
  readonly attributes: Readonly<Record<string, number>>;
}

export interface Toxiproxy {
  /** A proxy to `upstreamPort` on 127.0.0.1; resolves its own listening port. */
  createProxy(name: string, upstreamPort: number): Promise<number>;
  addToxic(proxy: string, toxic: ToxicSpec): Promise<void>;
  removeToxic(proxy: string, toxic: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startToxiproxy(logFile: string): Promise<Toxiproxy> {
  const bin = join(await binDir(), BINARY);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin, ['-host', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<void>((r) => child.once('exit', () => { r(); }));
  const onExit = (): void => { child.kill('SIGKILL'); };
  process.once('exit', onExit);
  await waitFor(`toxiproxy API on ${api}`, 20_000, async () => (await fetch(`${api}/version`).then((r) => r.ok, () => false)), () => readFileSync(logFile, 'utf8'));

  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`toxiproxy ${method} ${path}: HTTP ${res.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text) as unknown;
  };

  return {
    async createProxy(name, upstreamPort) {
      const created = await call('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}`, enabled: true }) as { listen: string };
      return Number(created.listen.split(':').pop());
    },
    async addToxic(proxy, t) {
      await call('POST', `/proxies/${proxy}/toxics`, { name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity ?? 1, attributes: t.attributes });
    },
    async removeToxic(proxy, toxic) {
      await call('DELETE', `/proxies/${proxy}/toxics/${toxic}`);
    },
    async stop() {
      process.off('exit', onExit);
      child.kill('SIGTERM');
      await exited;
    },
  };
}
