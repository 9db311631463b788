/**
 * A REAL Vault for tests: `vault server -dev`, the binary built once by scripts/build-vault.sh from
 * the pinned Go module in tools/vault (cached outside the repository; `npm test` builds it before
 * the integration tests). The root token is random, passed through the environment
 * (VAULT_DEV_ROOT_TOKEN_ID, so it is not on the command line), never stored in ~/.vault-token
 * (`-dev-no-store-token`), and Vault's output, which prints it, is kept only for an error message
 * after the token is masked. A dev server keeps its data in memory and mounts KV v2 at `secret/`.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { repoRoot } from '../../src/local-cluster/index.js';

export interface DevVault {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The root token (give it to kontract as VAULT_TOKEN; never print it). */
  readonly token: string;
  /** A Vault HTTP API call with the root token; throws on a status other than 200/204. */
  call(method: 'GET' | 'POST' | 'PUT', apiPath: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** Builds (or finds in the cache) the `vault` binary; returns its path. */
export function vaultBinary(): string {
  const fromEnv = process.env.VAULT_BIN_DIR;
  const dir = fromEnv !== undefined && fromEnv !== ''
    ? fromEnv
    : execFileSync(path.join(repoRoot(), 'scripts', 'build-vault.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 3_600_000 }).trim().split('\n').pop() ?? '';
  return path.join(dir, 'vault');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => { resolve(port); });
    });
  });
}

export async function startDevVault(): Promise<DevVault> {
  const bin = vaultBinary();
  const port = await freePort();
  const token = `root-${randomBytes(12).toString('hex')}`;
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(bin, ['server', '-dev', '-dev-no-store-token'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', VAULT_DEV_ROOT_TOKEN_ID: token, VAULT_DEV_LISTEN_ADDRESS: `127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (b: Buffer): void => { log = (log + b.toString('utf8')).slice(-4000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const masked = (): string => log.split(token).join('***');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vault exited with ${child.exitCode}:\n${masked()}`);
    try {
      if ((await fetch(`${url}/v1/sys/health`, { signal: AbortSignal.timeout(1000) })).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`vault did not become healthy within 60 s:\n${masked()}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    token,
    async call(method, apiPath, body) {
      const res = await fetch(`${url}/v1/${apiPath}`, {
        method,
        headers: { 'X-Vault-Token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (res.status !== 200 && res.status !== 204) throw new Error(`vault ${method} ${apiPath}: HTTP ${res.status} ${text.split(token).join('***')}`);
      return text === '' ? undefined : JSON.parse(text) as unknown;
    },
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => { resolve(); });
      child.kill('SIGTERM');
      setTimeout(() => { child.kill('SIGKILL'); }, 5000).unref();
    }),
  };
}
