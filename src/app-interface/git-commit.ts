/**
 * The git commit of an app-interface directory (a bundle's `git_commit` and
 * `git_commit_timestamp`, qontract-server's `/git-commit-info`): `git rev-parse HEAD` and the
 * commit time in seconds since the epoch. A directory outside git has none (empty strings).
 */
import { execFile } from 'node:child_process';
import type { GitCommitInfo } from './server.js';

function git(cwd: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['-C', cwd, ...args], { timeout: 10_000 }, (err, stdout) => {
      resolve(err === null ? stdout.trim() : undefined);
    });
  });
}

export async function gitCommitOf(dir: string): Promise<GitCommitInfo> {
  const commit = await git(dir, ['rev-parse', 'HEAD']);
  if (commit === undefined || !/^[0-9a-f]{40,64}$/.test(commit)) return { commit: '', timestamp: '' };
  return { commit, timestamp: (await git(dir, ['log', '-1', '--format=%ct', commit])) ?? '' };
}
