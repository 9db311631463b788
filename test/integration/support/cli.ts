/**
 * Running kontract as a child process in integration tests: the built CLI (`bin/kontract.js`,
 * `npm run build` first), an installed one, or the single-file build, with a minimal environment
 * (PATH, NO_COLOR and what the test passes: nothing leaks in from the developer's shell).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'kontract.js');

export interface CliResult { readonly code: number; readonly stdout: string; readonly stderr: string }

/** Runs `command ...args`; `command` defaults to `node bin/kontract.js`. */
export function run(command: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd: string = ROOT): Promise<CliResult> {
  const [file, ...pre] = command;
  if (file === undefined) throw new Error('empty command');
  return new Promise((res) => {
    execFile(file, [...pre, ...args], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      res({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

/** `node bin/kontract.js ...args`. */
export function kontract(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<CliResult> {
  return run([process.execPath, BIN], args, env, cwd);
}

/** Writes `files` (path relative to `dir` → content) and returns `dir`. */
export function writeTree(dir: string, files: Readonly<Record<string, string>>): string {
  for (const [p, content] of Object.entries(files)) {
    const f = join(dir, p);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, content);
  }
  return dir;
}
