/**
 * Locates etcd, kube-apiserver and kube-controller-manager: `K8S_BIN_DIR` when it already holds
 * them, otherwise the output of scripts/build-k8s-bins.sh (a cache hit once built; its last
 * stdout line is the bin dir).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, KontractError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';

export const REQUIRED_BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager'] as const;
export type BinaryName = (typeof REQUIRED_BINARIES)[number];

/** Repository root: this file is src/local-cluster/binaries.ts or dist/local-cluster/binaries.js. */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function hasBinaries(dir: string): boolean {
  return REQUIRED_BINARIES.every((b) => {
    try {
      accessSync(path.join(dir, b), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface ResolveBinDirOptions {
  readonly reporter: Reporter;
  /** Value of K8S_BIN_DIR, if set. */
  readonly binDir?: string | undefined;
  /** Environment for the build script. @default process.env of the caller is not read here */
  readonly env: NodeJS.ProcessEnv;
}

export async function resolveBinDir(opts: ResolveBinDirOptions): Promise<string> {
  if (opts.binDir !== undefined && opts.binDir !== '' && hasBinaries(opts.binDir)) return path.resolve(opts.binDir);
  const script = path.join(repoRoot(), 'scripts', 'build-k8s-bins.sh');
  opts.reporter.log('info', 'locating Kubernetes binaries (scripts/build-k8s-bins.sh; a cold build takes several minutes)');
  const dir = await runBuildScript(script, opts.env, opts.reporter);
  if (!hasBinaries(dir)) {
    throw new KontractError(ERROR_CODES.LOCAL_CLUSTER, `${script} printed ${dir}, which lacks one of ${REQUIRED_BINARIES.join(', ')}`);
  }
  return dir;
}

function runBuildScript(script: string, env: NodeJS.ProcessEnv, reporter: Reporter): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(script, [], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let errBuf = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => {
      errBuf += c.toString('utf8');
      let nl = errBuf.indexOf('\n');
      while (nl >= 0) {
        const line = errBuf.slice(0, nl).trim();
        if (line !== '') reporter.log('info', line);
        errBuf = errBuf.slice(nl + 1);
        nl = errBuf.indexOf('\n');
      }
    });
    child.once('error', (e) => { reject(new KontractError(ERROR_CODES.LOCAL_CLUSTER, `cannot run ${script}: ${e.message}`, { cause: e })); });
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new KontractError(ERROR_CODES.LOCAL_CLUSTER, `${script} failed with exit code ${String(code)}`));
        return;
      }
      const last = out.trim().split('\n').pop() ?? '';
      resolve(last.trim());
    });
  });
}
