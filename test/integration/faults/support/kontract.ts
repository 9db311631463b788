/**
 * kontract as an operator runs it: the built CLI (`node bin/kontract.js`, `npm run build` first)
 * in a child process, against an app-interface directory the test writes (qontract cluster datafiles
 * with kontract settings for token-file auth and a CA path, one namespace datafile per namespace). Logs are JSON lines
 * (`--log-format json`) so the suite can read what kontract reported.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { namespaceLines, writeCluster } from '../../support/app-interface.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..', '..');
const BIN = join(ROOT, 'bin', 'kontract.js');

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ missing: run npm run build first');
}

export interface AppInterfaceCluster {
  readonly name: string;
  /** `https://127.0.0.1:<port>`: the apiserver itself or a fault proxy in front of it. */
  readonly server: string;
  readonly caFile: string;
  /** File holding the bearer token (the datafile's `auth.tokenFile`). */
  readonly tokenFile: string;
}

export interface NamespaceEntry {
  readonly cluster: string;
  readonly name: string;
  /** `delete: true` in the datafile: the namespace is to be deleted. */
  readonly delete?: boolean;
  /** More lines of the namespace datafile (e.g. `managedResourceTypes`, `openshiftResources`). */
  readonly extra?: readonly string[];
}

/**
 * Writes the app-interface under `dir` in qontract's shape (test/integration/support/app-interface.ts):
 * clusters/*.yml with their kontract settings kontract/*.yml (token-file auth, CA path) and
 * namespaces/<cluster>/*.yml, replacing earlier clusters and namespaces.
 */
export function writeAppInterface(dir: string, clusters: readonly AppInterfaceCluster[], namespaces: readonly NamespaceEntry[]): void {
  rmSync(join(dir, 'clusters'), { recursive: true, force: true });
  rmSync(join(dir, 'kontract'), { recursive: true, force: true });
  rmSync(join(dir, 'namespaces'), { recursive: true, force: true });
  for (const c of clusters) {
    writeCluster(dir, c.name, c.server, [`tokenFile: ${c.tokenFile}`], { caPath: c.caFile });
    mkdirSync(join(dir, 'namespaces', c.name), { recursive: true });
  }
  for (const n of namespaces) {
    writeFileSync(join(dir, 'namespaces', n.cluster, `${n.name}.yml`), [
      ...namespaceLines(n.name, n.cluster), ...(n.delete === true ? ['delete: true'] : []), ...(n.extra ?? []), '',
    ].join('\n'));
  }
}

/** `count` namespaces `<prefix>-0000 …` on one cluster. */
export function namespaceSet(cluster: string, prefix: string, count: number): NamespaceEntry[] {
  return Array.from({ length: count }, (_, i) => ({ cluster, name: `${prefix}-${String(i).padStart(4, '0')}` }));
}

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly code?: string;
  readonly cluster?: string;
}

export interface CliRun {
  /** Exit code, or null when ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  readonly logs: readonly LogLine[];
}

export interface RunningKontract {
  readonly child: ChildProcess;
  readonly done: Promise<CliRun>;
  /** stderr so far */
  stderr(): string;
  /** Throws (with kontract's stderr) when the run has already ended: for polling loops waiting on its progress. */
  assertRunning(): void;
}

function parseLogs(stderr: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // not a log line
    }
  }
  return out;
}

/** Names of the entries that should exist (not marked delete). */
export function present(entries: readonly NamespaceEntry[]): string[] {
  return entries.filter((n) => n.delete !== true).map((n) => n.name);
}

/**
 * The transport switch of the CLI-driven suites (this fault suite, test/integration/watch-loop.test.ts):
 * KONTRACT_TEST_TRANSPORT=h1|h2 adds `--transport` to every kontract they run (the CLI's default
 * transport otherwise), so each case can be run over either transport.
 */
export function testTransportArgs(): readonly string[] {
  const t = process.env.KONTRACT_TEST_TRANSPORT;
  if (t === undefined || t === '') return [];
  if (t !== 'h1' && t !== 'h2') throw new Error(`KONTRACT_TEST_TRANSPORT must be h1 or h2, not ${t}`);
  return ['--transport', t];
}

/** Starts `kontract namespaces --app-interface DIR --log-format json …args` (args may name more integrations). */
export function startKontract(appInterface: string, args: readonly string[] = []): RunningKontract {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [BIN, 'namespaces', '--app-interface', appInterface, '--log-format', 'json', ...testTransportArgs(), ...args], {
    env: { PATH: process.env.PATH, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<CliRun>((res) => {
    child.once('close', (code, signal) => {
      res({ code, signal, stdout, stderr, seconds: Number(process.hrtime.bigint() - t0) / 1e9, logs: parseLogs(stderr) });
    });
  });
  let ended = false;
  void done.then(() => { ended = true; });
  return {
    child, done, stderr: () => stderr,
    assertRunning() {
      if (ended) throw new Error(`kontract ended early (exit ${String(child.exitCode)}):\n${stderr.slice(-3000)}`);
    },
  };
}

export function kontract(appInterface: string, args: readonly string[] = []): Promise<CliRun> {
  return startKontract(appInterface, args).done;
}

/** kontract's closing summary (`N change(s) applied, F failed, …; E error(s) in T s`). */
export function summary(run: CliRun): string {
  return [...run.logs].reverse().find((l) => / change\(s\) /.test(l.msg))?.msg ?? '(no summary line)';
}
