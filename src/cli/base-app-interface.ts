/**
 * The base app-interface of `--changed-since DIR|SHA`: a directory as is, or the same
 * app-interface directory as it was at a git revision (`git archive REV -- <path>`, extracted into
 * a temporary directory that the caller removes).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { ERROR_CODES, KontractError } from '../core/errors.js';

function run(file: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { cwd, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) resolve(stdout);
      else reject(new Error(stderr.trim().split('\n')[0] ?? err.message));
    });
  });
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export interface BaseAppInterface {
  readonly path: string;
  /** Removes the temporary copy (no-op for a directory given as is). */
  cleanup(): void;
}

/** Resolves `--changed-since`: a directory (relative to cwd), else a git revision of `headDir`'s repository. */
export async function baseAppInterface(since: string, headDir: string, cwd: string): Promise<BaseAppInterface> {
  const asDir = nodePath.resolve(cwd, since);
  if (isDir(asDir)) return { path: asDir, cleanup: () => undefined };
  let top: string;
  try {
    top = (await run('git', ['rev-parse', '--show-toplevel'], headDir)).trim();
    await run('git', ['rev-parse', '--verify', '--quiet', `${since}^{commit}`], top);
  } catch (e) {
    throw new KontractError(ERROR_CODES.USAGE, `--changed-since ${since}: neither a directory nor a git revision of the app-interface's repository (${e instanceof Error ? e.message : String(e)})`);
  }
  const rel = nodePath.relative(top, headDir);
  const tmp = mkdtempSync(nodePath.join(tmpdir(), 'kontract-base-'));
  try {
    const tar = nodePath.join(tmp, 'base.tar');
    await run('git', ['archive', '--format=tar', '-o', tar, since, '--', rel === '' ? '.' : rel], top);
    await run('tar', ['-xf', tar, '-C', tmp], tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new KontractError(ERROR_CODES.USAGE, `--changed-since ${since}: cannot read ${rel === '' ? 'the repository' : rel} at that revision (${e instanceof Error ? e.message : String(e)})`);
  }
  return { path: nodePath.join(tmp, rel), cleanup: () => { rmSync(tmp, { recursive: true, force: true }); } };
}
