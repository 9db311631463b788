/**
 * Fetches a fabric's GitOps repository at a ref with the `git` binary into a cache directory
 * outside the repository (`<cacheDir>/<sha256(url, ref)>`), then checks the ref out detached.
 *
 * Credentials: the HTTPS user name and token reach git only through the environment of the git
 * child process and a GIT_ASKPASS helper script that prints them from that environment. They are
 * never on a command line (visible in `ps`), never written to the cache, and every error message
 * is scrubbed of URL userinfo and of the token's value.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ERROR_CODES, KontractError } from '../../core/errors.js';
import type { GitCredentials } from './model.js';

export interface GitSourceSpec {
  readonly url: string;
  readonly ref: string;
  readonly credentials?: GitCredentials;
}

export interface GitFetchOptions {
  /** Root of the clone cache. */
  readonly cacheDir: string;
  /** Environment for git and for reading `usernameEnv` / `tokenEnv`. */
  readonly env: NodeJS.ProcessEnv;
  /** Base directory of relative `tokenFile` paths. */
  readonly cwd: string;
  /** Per git command. @default 120000 */
  readonly timeoutMs?: number;
}

export interface GitCheckout {
  /** Working tree at the ref. */
  readonly dir: string;
  /** The commit checked out. */
  readonly commit: string;
}

/** The default cache: `$XDG_CACHE_HOME/kontract/git` or `~/.cache/kontract/git`. */
export function defaultGitCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'kontract', 'git');
}

/** Cache key of a (url, ref) pair. */
export function gitCacheKey(url: string, ref: string): string {
  return createHash('sha256').update(`${url}\0${ref}`).digest('hex').slice(0, 32);
}

/** Replaces URL userinfo (`https://user:pw@host`) and the given secrets with `***`. */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

const ASKPASS_SCRIPT = `#!/bin/sh
case "$1" in
  Username*) printf '%s\\n' "$KONTRACT_GIT_USERNAME" ;;
  *) printf '%s\\n' "$KONTRACT_GIT_TOKEN" ;;
esac
`;

interface GitEnv {
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: readonly string[];
  cleanup(): void;
}

function readToken(creds: GitCredentials, opts: GitFetchOptions): string {
  if ('env' in creds.token) {
    const v = opts.env[creds.token.env];
    if (v === undefined || v === '') throw new KontractError(ERROR_CODES.CLUSTER_CONFIG, `git token environment variable ${creds.token.env} is not set`);
    return v;
  }
  const file = path.resolve(opts.cwd, creds.token.file);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new KontractError(ERROR_CODES.CLUSTER_CONFIG, `git token file ${file} cannot be read`);
  }
}

function gitEnv(spec: GitSourceSpec, opts: GitFetchOptions): GitEnv {
  const env: NodeJS.ProcessEnv = { ...opts.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '/bin/false', SSH_ASKPASS: '/bin/false' };
  delete env.KONTRACT_GIT_TOKEN;
  delete env.KONTRACT_GIT_USERNAME;
  const creds = spec.credentials;
  if (creds === undefined) return { env, secrets: [], cleanup: () => undefined };
  const token = readToken(creds, opts);
  const username = creds.usernameEnv === undefined ? 'x-access-token' : (opts.env[creds.usernameEnv] ?? '');
  if (username === '') throw new KontractError(ERROR_CODES.CLUSTER_CONFIG, `git username environment variable ${creds.usernameEnv ?? ''} is not set`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kontract-askpass-'));
  const helper = path.join(dir, 'askpass.sh');
  writeFileSync(helper, ASKPASS_SCRIPT, { mode: 0o700 });
  chmodSync(helper, 0o700);
  return {
    env: { ...env, GIT_ASKPASS: helper, KONTRACT_GIT_USERNAME: username, KONTRACT_GIT_TOKEN: token },
    secrets: [token],
    cleanup: () => { rmSync(dir, { recursive: true, force: true }); },
  };
}

function runGit(args: readonly string[], cwd: string, env: GitEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // No credential helper may store what askpass hands out.
    execFile('git', ['-c', 'credential.helper=', ...args], { cwd, env: env.env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) {
        resolve(stdout.trim());
        return;
      }
      const detail = scrubSecrets(stderr.trim() || err.message, env.secrets);
      reject(new KontractError(ERROR_CODES.DESIRED_STATE, `git ${args[0] ?? ''} failed: ${detail}`));
    });
  });
}

const SHA = /^[0-9a-f]{7,40}$/i;

/**
 * Makes `<cacheDir>/<key>` a checkout of `ref` from `url` and returns it. Branches are fetched
 * again on every call; the cache only saves the transfer of unchanged objects.
 */
export async function fetchGitSource(spec: GitSourceSpec, opts: GitFetchOptions): Promise<GitCheckout> {
  const timeout = opts.timeoutMs ?? 120_000;
  const dir = path.join(opts.cacheDir, gitCacheKey(spec.url, spec.ref));
  const env = gitEnv(spec, opts);
  try {
    if (!existsSync(path.join(dir, '.git'))) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      await runGit(['init', '-q'], dir, env, timeout);
      await runGit(['remote', 'add', 'origin', spec.url], dir, env, timeout);
    }
    try {
      await runGit(['fetch', '-q', '--depth', '1', '--no-tags', 'origin', spec.ref], dir, env, timeout);
      await runGit(['checkout', '-q', '--force', '--detach', 'FETCH_HEAD'], dir, env, timeout);
    } catch (e) {
      // A commit id the server will not serve directly: fetch everything, then check it out.
      if (!SHA.test(spec.ref)) throw e;
      await runGit(['fetch', '-q', 'origin'], dir, env, timeout);
      await runGit(['checkout', '-q', '--force', '--detach', spec.ref], dir, env, timeout);
    }
    await runGit(['clean', '-q', '-fdx'], dir, env, timeout);
    const commit = await runGit(['rev-parse', 'HEAD'], dir, env, timeout);
    return { dir, commit };
  } finally {
    env.cleanup();
  }
}
