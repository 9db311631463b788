/**
 * The REAL qontract-server for tests: built once by scripts/build-qontract-server.sh (from a cache
 * copy of ../shared/qontract/server, Node 24 from the npm registry) and started with a bundle
 * (`LOAD_METHOD=fs DATAFILES_FILE=…`). It always listens on port 4000, so a test file starts one
 * instance and swaps bundles with `/reload`.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../src/local-cluster/index.js';
import { SHARED_DIR } from './shared-data.js';

export const QONTRACT_SERVER_PORT = 4000;

export interface QontractServer {
  readonly url: string;
  /** Re-reads DATAFILES_FILE (POST /reload); returns the status code. */
  reload(): Promise<number>;
  stop(): Promise<void>;
}

/** Builds (or finds in the cache) the server; returns its directory and the Node 24 binary. */
export function buildQontractServer(): { dir: string; node: string } {
  const out = execFileSync(path.join(repoRoot(), 'scripts', 'build-qontract-server.sh'), {
    encoding: 'utf8', env: { ...process.env, KONTRACT_SHARED_DIR: SHARED_DIR }, stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000,
  });
  const dir = out.trim().split('\n').pop() ?? '';
  return { dir, node: readFileSync(path.join(dir, 'node-path'), 'utf8').trim() };
}

async function portAnswers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

export async function startQontractServer(bundleFile: string): Promise<QontractServer> {
  const url = `http://127.0.0.1:${QONTRACT_SERVER_PORT}`;
  if (await portAnswers(`${url}/healthz`)) throw new Error(`port ${QONTRACT_SERVER_PORT} is in use: qontract-server always listens there; stop the other instance`);
  const { dir, node } = buildQontractServer();
  const child: ChildProcess = spawn(node, [path.join(dir, 'dist', 'server.js')], {
    cwd: dir, env: { PATH: process.env.PATH ?? '', LOAD_METHOD: 'fs', DATAFILES_FILE: bundleFile }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (b: Buffer): void => { log = (log + b.toString('utf8')).slice(-4000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`qontract-server exited with ${child.exitCode}:\n${log}`);
    if (await portAnswers(`${url}/sha256`)) break;
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`qontract-server did not answer within 60 s:\n${log}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    reload: async () => {
      // One retry: after a pause longer than the server's keep-alive timeout (5 s), the pooled
      // connection may be closed by the server just as the request goes out.
      for (let attempt = 1; ; attempt++) {
        try {
          return (await fetch(`${url}/reload`, { method: 'POST' })).status;
        } catch (e) {
          if (attempt < 2 && child.exitCode === null) continue;
          throw new Error(`qontract-server /reload failed (${String(e)}); exit code ${String(child.exitCode)}; its log:\n${log}`);
        }
      }
    },
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => { resolve(); });
      child.kill('SIGTERM');
      setTimeout(() => { child.kill('SIGKILL'); }, 5000).unref();
    }),
  };
}
