/**
 * `npm run bench -- --case e2e` (scripts/bench.js → dist/bench/e2e.js): the whole kontract process,
 * from start to exit, as users run it, on a large app-interface of realistic shape
 * (large-app-interface.ts: the sample plus 3,000 namespaces, 300 roles, 1,000 users by default)
 * over three local clusters. Measured in interleaved rounds, medians reported (docs/benchmarks.md,
 * "End to end"):
 *
 *   node       `node -e 0` (bare start)
 *   version    `kontract --version`            help    `kontract --help`
 *   readParse  a minimal script reading and YAML-parsing the same files (floor of `validate`)
 *   validateFloor  the same script, then each datafile validated against its `$schema` by the
 *              build's precompiled validators (what schema validation itself adds)
 *   validate   `kontract validate --app-interface DIR`
 *   listFloor  a minimal https client sending the same ownership-filtered LISTs as the run
 *   noop       `kontract reconcile --all --dry-run` after a wet run (must find no change)
 *
 * Each is a child process: `wall` is spawn to exit, `maxRssMB` its peak RSS (`/usr/bin/time`),
 * and the floors also report their own in-process time (`inner`, without node's start).
 *
 *   node scripts/bench.js --case e2e [--clusters-dir DIR] [--data DIR] [--rounds 7]
 *        [--namespaces 3000] [--roles 300] [--users 1000] [--seed 1] [--baseline CHECKOUT]
 *
 * `--baseline CHECKOUT`: another built kontract checkout (e.g. the previous commit, `npm ci && npm
 * run build` there); its `--version`, `--help`, `validate` and no-op are measured in the same
 * rounds (`<case>@base`), interleaved with this checkout's.
 */
/* eslint-disable no-console -- a benchmark script's report is its output */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INTEGRATIONS } from '../integrations/index.js';
import { readState } from '../local-cluster/index.js';
import { ownershipSelector } from '../resource-inventory/ownership.js';
import type { ListRequest } from './e2e-floors.js';
import { SAMPLE_DIR, generatorOptions, writeLargeAppInterface } from './large-app-interface.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const KONTRACT = join(REPO, 'bin', 'kontract.js');
const FLOORS = fileURLToPath(new URL('./e2e-floors.js', import.meta.url));
const TIME = '/usr/bin/time';

interface Sample { readonly wall: number; readonly maxRssMB?: number; readonly inner?: number; readonly code: number; readonly stdout: string }

/** Runs `node args…` to exit: wall seconds, peak RSS (when /usr/bin/time exists), stdout. */
function measure(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  const rssFile = join(tmpdir(), `kontract-e2e-rss-${process.pid}`);
  const useTime = existsSync(TIME);
  const [file, argv] = useTime ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args]] : [process.execPath, [...args]];
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: REPO });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.on('error', rej);
    p.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const kb = useTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
      const inner = /^INNER (\S+)$/m.exec(out)?.[1];
      if (code !== 0 && code !== 2) console.error(`[e2e] node ${args.join(' ')} exited ${String(code)}: ${err.slice(-2000)}`);
      res({ wall, code: code ?? -1, stdout: out, ...(Number.isFinite(kb) ? { maxRssMB: Math.round(kb / 1024) } : {}), ...(inner === undefined ? {} : { inner: Number(inner) }) });
    });
  });
}

/** The upstream network CRDs the `networks` integration needs (scripts/network-crds.sh: cached, or built from Go modules). */
function networkCrdsDir(): string {
  const r = spawnSync(join(REPO, 'scripts', 'network-crds.sh'), { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || dir === undefined || dir === '') throw new Error('scripts/network-crds.sh failed');
  return dir;
}

/** The LISTs the run sends on every cluster: each integration's static kinds with its ownership selector (the resources integration's kinds come from the data and are left out). */
function listRequests(): ListRequest[] {
  return INTEGRATIONS.flatMap((i) => i.kinds.map((k) => ({
    selector: ownershipSelector(i.name),
    path: `${k.group === '' ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`}/${k.plural}`,
  })));
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

function summary(samples: readonly Sample[]): Record<string, number> {
  const walls = samples.map((s) => s.wall);
  const rss = samples.flatMap((s) => (s.maxRssMB === undefined ? [] : [s.maxRssMB]));
  const inner = samples.flatMap((s) => (s.inner === undefined ? [] : [s.inner]));
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    wall: r3(median(walls)), wallMin: r3(Math.min(...walls)), wallMax: r3(Math.max(...walls)),
    ...(rss.length === 0 ? {} : { maxRssMB: Math.max(...rss), medianRssMB: median(rss) }),
    ...(inner.length === 0 ? {} : { inner: r3(median(inner)) }),
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const flag = (f: string): string | undefined => { const i = argv.indexOf(f); return i < 0 ? undefined : argv[i + 1]; };
  const rounds = Number(flag('--rounds') ?? '7');
  let dataDir = flag('--data');
  let tempData: string | undefined;
  if (dataDir === undefined || !existsSync(dataDir)) {
    dataDir ??= tempData = mkdtempSync(join(tmpdir(), 'kontract-e2e-data-'));
    const opts = generatorOptions(argv);
    const n = writeLargeAppInterface(dataDir, SAMPLE_DIR, opts);
    console.error(`[e2e] generated ${n} datafiles into ${dataDir} (${JSON.stringify(opts)})`);
  }
  let stateDir = flag('--clusters-dir');
  let started = false;
  if (stateDir === undefined) {
    stateDir = mkdtempSync(join(tmpdir(), 'kontract-e2e-clusters-'));
    console.error('[e2e] starting 3 local clusters (kontract local-clusters up, with the demo CRDs and the network CRDs of scripts/network-crds.sh)');
    const up = await measure([KONTRACT, 'local-clusters', 'up', '--dir', stateDir, '--crds', 'deploy/crds/kubevirt', 'deploy/crds/hedgehog', networkCrdsDir()]);
    if (up.code !== 0) throw new Error('local-clusters up failed');
    started = true;
  }
  const state = readState(stateDir);
  if (state === undefined) throw new Error(`no local clusters in ${stateDir}`);
  const data = ['--app-interface', dataDir];
  const run = [KONTRACT, 'reconcile', '--all', ...data, '--kubeconfig', state.kubeconfig, '--secrets-config', join(dataDir, 'secrets', 'config.toml')];
  try {
    console.error('[e2e] wet run (reconcile --all)');
    const wet = await measure([...run, '--log-level', 'warn']);
    const first = await measure([...run, '--dry-run', '--detailed-exitcode', '--output', 'json']);
    const changes = (JSON.parse(first.stdout) as { changes?: unknown[] }).changes?.length;
    console.error(`[e2e] wet run ${wet.wall.toFixed(1)} s (exit ${wet.code}); the dry-run after it: exit ${first.code}, ${String(changes)} change(s)`);
    const own: Record<string, readonly string[]> = {
      node: ['-e', '0'],
      version: [KONTRACT, '--version'],
      help: [KONTRACT, '--help'],
      readParse: [FLOORS, 'read-parse', dataDir],
      validateFloor: [FLOORS, 'read-parse-validate', dataDir],
      validate: [KONTRACT, 'validate', ...data, '--log-level', 'error'],
      listFloor: [FLOORS, 'list', stateDir, JSON.stringify(listRequests())],
      noop: [...run, '--dry-run', '--detailed-exitcode', '--log-level', 'warn'],
    };
    const baseline = flag('--baseline');
    const base = baseline === undefined ? undefined : join(baseline, 'bin', 'kontract.js');
    // Each baseline case right after its counterpart: the pair meets the same machine load.
    const cases = new Map<string, readonly string[]>();
    for (const [k, args] of Object.entries(own)) {
      cases.set(k, args);
      if (base !== undefined && ['version', 'help', 'validate', 'noop'].includes(k)) cases.set(`${k}@base`, args.map((a) => (a === KONTRACT ? base : a)));
    }
    const samples = new Map<string, Sample[]>([...cases.keys()].map((k) => [k, []]));
    for (let r = 0; r < rounds; r++) {
      for (const [name, args] of cases) {
        const s = await measure(args);
        if (name.startsWith('noop') && s.code !== 0) console.error(`[e2e] round ${r}: the no-op dry-run exited ${s.code} (0 = no change)`);
        samples.get(name)?.push(s);
      }
      console.error(`[e2e] round ${r + 1}/${rounds} done`);
    }
    const out: Record<string, Record<string, number>> = {};
    for (const [name, s] of samples) out[name] = summary(s);
    // This build against the baseline, round by round (each pair ran back to back): median ratio.
    const vsBaseline: Record<string, number> = {};
    for (const [name, s] of samples) {
      const b = samples.get(`${name}@base`);
      if (b !== undefined) vsBaseline[name] = Math.round(median(s.map((x, i) => x.wall / (b[i]?.wall ?? NaN))) * 1000) / 1000;
    }
    const m = (k: string, f: string): number => out[k]?.[f] ?? NaN;
    const noopFloor = m('node', 'wall') + m('readParse', 'inner') + m('listFloor', 'inner');
    const targets = {
      versionWall: { value: m('version', 'wall'), target: 0.2, met: m('version', 'wall') <= 0.2 },
      helpWall: { value: m('help', 'wall'), target: 0.2, met: m('help', 'wall') <= 0.2 },
      validateToReadParse: { value: m('validate', 'wall') / m('readParse', 'inner'), target: 2, met: m('validate', 'wall') <= 2 * m('readParse', 'inner') },
      validateToReadParseProcess: { value: m('validate', 'wall') / m('readParse', 'wall') },
      // The read/parse floor plus each datafile validated against its $schema (e2e-floors.ts
      // read-parse-validate): what schema validation itself adds, and validate against it.
      validateFloorToReadParse: { value: m('validateFloor', 'inner') / m('readParse', 'inner') },
      validateToValidateFloor: { value: m('validate', 'wall') / m('validateFloor', 'inner'), process: m('validate', 'wall') / m('validateFloor', 'wall') },
      noopToFloor: { value: m('noop', 'wall') / noopFloor, floor: noopFloor, target: 1.5, met: m('noop', 'wall') <= 1.5 * noopFloor },
      noopMaxRssMB: { value: m('noop', 'maxRssMB'), target: 250, met: m('noop', 'maxRssMB') <= 250 },
    };
    console.log(JSON.stringify({ case: 'e2e', rounds, dataDir, wet: { wall: wet.wall, code: wet.code }, firstDryRun: { code: first.code, changes }, results: out, ...(base === undefined ? {} : { vsBaseline }), targets }, null, 2));
  } finally {
    if (started) await measure([KONTRACT, 'local-clusters', 'down', '--dir', stateDir]);
    if (tempData !== undefined && !argv.includes('--keep-data')) rmSync(tempData, { recursive: true, force: true });
  }
}

await main(process.argv.slice(2));
