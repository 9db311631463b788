/**
 * A real Vault server for the integration suite: vault-dev (tools/vault/main.go, built from the
 * pinned hashicorp/vault Go module by scripts/build-vault.sh into a cache outside the repository).
 * It runs Vault's own core and HTTP API with in-memory storage, the KV secrets engine and the
 * AppRole auth method, listens on 127.0.0.1 only, and is driven through Vault's HTTP API.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, logTail } from '../../../src/local-cluster/processes.js';
import { repoRoot } from '../../../src/local-cluster/index.js';

const BINARY = 'vault-dev';

/** VAULT_BIN_DIR (set by scripts/test.sh) or the build script's cache (a cache hit once built). */
async function binDir(): Promise<string> {
  const fromEnv = process.env.VAULT_BIN_DIR;
  if (fromEnv !== undefined && fromEnv !== '' && existsSync(join(fromEnv, BINARY))) return fromEnv;
  const out = await new Promise<string>((res, rej) => {
    execFile(join(repoRoot(), 'scripts', 'build-vault.sh'), { env: process.env, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err === null) res(stdout);
      else rej(new Error(`scripts/build-vault.sh failed: ${err.message}`));
    });
  });
  return out.trim().split('\n').pop() ?? '';
}

export interface VaultAnswer { readonly status: number; readonly body: unknown }

export interface VaultDev {
  /** `http://127.0.0.1:PORT` */
  readonly address: string;
  readonly rootToken: string;
  /** One call of Vault's HTTP API (`path` without `/v1/`), with the root token unless `token` is given. */
  api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, token?: string): Promise<VaultAnswer>;
  stop(): Promise<void>;
}

export async function startVaultDev(logFile: string): Promise<VaultDev> {
  const bin = join(await binDir(), BINARY);
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const rootToken = `root-${randomBytes(12).toString('hex')}`;
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin, ['-listen', `127.0.0.1:${port}`, '-root-token', rootToken], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<void>((r) => child.once('exit', () => { r(); }));
  const onExit = (): void => { child.kill('SIGKILL'); };
  process.once('exit', onExit);

  const api = async (method: string, path: string, body?: unknown, token = rootToken): Promise<VaultAnswer> => {
    const res = await fetch(`${address}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) as unknown };
  };

  const t0 = Date.now();
  for (;;) {
    const health = await fetch(`${address}/v1/sys/health`).then((r) => r.status, () => 0);
    if (health === 200) break;
    if (child.exitCode !== null || Date.now() - t0 > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`vault-dev did not answer on ${address} (${child.exitCode === null ? 'timed out' : `exited ${String(child.exitCode)}`}):\n${logTail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    address,
    rootToken,
    api,
    async stop() {
      process.off('exit', onExit);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => { child.kill('SIGKILL'); }, 5000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}
