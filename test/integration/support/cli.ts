/**
 * Running kontract as a child process in integration tests: the built CLI (`bin/kontract.js`,
 * `npm run build` first), an installed one, or the single-file build, with a minimal environment
 * (PATH, NO_COLOR and what the test passes: nothing leaks in from the developer's shell).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { runCommand } from '../../../src/cli/commands/run.js';
import type { Outcome } from '../../../src/cli/exit-codes.js';

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

/** What `runInProcess` saw: the outcome (or the thrown error) and the reporter's log and result lines. */
export interface InProcessRun {
  readonly outcome: Outcome | undefined;
  readonly error: unknown;
  readonly logs: string[];
  readonly results: string[];
  /** Logs, results and the error's message, one per line: what a user would have seen. */
  readonly text: string;
}

/**
 * `kontract reconcile` in this process (the run command with a recording reporter), with the
 * options every such test shares: JSON output, debug text logs, 4 requests per cluster, one shard,
 * at most 50 deletions, no take-over. `args` adds or overrides options (integrations, app-interface,
 * clusters, namespaces, allow-path, secrets …).
 */
export async function runInProcess(args: Readonly<Record<string, unknown>>, opts: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv }): Promise<InProcessRun> {
  const logs: string[] = [];
  const results: string[] = [];
  let outcome: Outcome | undefined;
  let error: unknown;
  try {
    outcome = await runCommand.run({
      output: 'json', 'log-level': 'debug', 'log-format': 'text', 'detailed-exitcode': false, concurrency: 4, shards: 1, 'shard-id': 0,
      'max-deletions': 50, 'take-over': false, 'allow-mass-deletion': false, ...args,
    }, {
      reporter: { log: (_l, m) => { logs.push(m); }, result: (t) => { results.push(t); } },
      env: opts.env ?? {}, cwd: opts.cwd, signal: new AbortController().signal,
    });
  } catch (e) {
    error = e;
  }
  return { outcome, error, logs, results, text: [...logs, ...results, error instanceof Error ? error.message : ''].join('\n') };
}
