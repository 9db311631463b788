/**
 * Reading the app-interface directory on a worker thread while the CLI starts
 * (src/app-interface/snapshot-preload.ts, snapshot-worker.ts; the compiled worker of
 * `npm run build`): the snapshot is the same as the loader's without it (documents, also those
 * JSON cannot carry, texts, problems with their lines, resources, sha), a preload of another
 * directory is not used, and the built CLI reports bad data with file, line and field as before.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectAppInterface } from '../../../src/app-interface/source-options.js';
import type { Snapshot } from '../../../src/app-interface/snapshot.js';
import { readDirSnapshot } from '../../../src/app-interface/snapshot.js';
import { startSnapshotPreload, takeSnapshotPreload } from '../../../src/app-interface/snapshot-preload.js';
import { splitField } from '../../../src/app-interface/yaml-positions.js';
import { preloadRequest } from '../../../src/cli/main.js';
import { formatProblem } from '../../../src/core/errors.js';
import { silentReporter } from '../../../src/core/reporter.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const WORKER = pathToFileURL(join(ROOT, 'dist', 'app-interface', 'snapshot-worker.js'));
const work = mkdtempSync(join(tmpdir(), 'kontract-preload-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

/** Files whose documents JSON does not carry as they are, or that do not parse. */
const ODD: Record<string, string> = {
  'odd/date.yml': '$schema: /x-1.yml\nwhen: 2024-01-02\nat: 2024-01-02T03:04:05Z\n',
  'odd/numbers.yml': '$schema: /x-1.yml\nnan: .nan\ninf: -.inf\nzero: -0.0\nbig: 12345678901234567890\n',
  'odd/binary.yml': '$schema: /x-1.yml\ndata: !!binary aGVsbG8=\n',
  'odd/empty.yml': '',
  'odd/comment-only.yml': '# nothing\n',
  'odd/syntax.yml': '$schema: /x-1.yml\nname: a\n  bad: indent\n',
  'odd/duplicate.yml': '$schema: /x-1.yml\nname: a\nname: b\n',
  'odd/stream.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
  'odd/manifest.yml': 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n',
  'odd/proto.yml': '$schema: /x-1.yml\n__proto__: {polluted: true}\nlist: [1, 2.5, "x", null, true, {a: [ ]}]\nmerged:\n  <<: {a: 1}\n  b: 2\n',
  'odd/unicode.yml': '$schema: /x-1.yml\nname: "caf\\u00e9 \\U0001F600"\n',
};

/** A copy of the sample with the odd files, a symbolic link leaving the tree and one staying inside. */
function tree(name: string): string {
  const dir = join(work, name);
  cpSync(join(ROOT, 'app-interface-sample'), dir, { recursive: true });
  mkdirSync(join(dir, 'odd'));
  for (const [p, text] of Object.entries(ODD)) writeFileSync(join(dir, p), text);
  mkdirSync(join(work, `${name}-outside`));
  writeFileSync(join(work, `${name}-outside`, 'secret.yml'), 'password: x\n');
  symlinkSync(join(work, `${name}-outside`, 'secret.yml'), join(dir, 'odd', 'leaves.yml'));
  symlinkSync(join(dir, 'odd', 'date.yml'), join(dir, 'odd', 'inside.yml'));
  return dir;
}

/** Everything a snapshot says, positions as the lines of every top-level key. */
function contents(s: Snapshot): unknown {
  return {
    sha: s.sha, readProblems: s.readProblems, resources: [...s.resources], texts: [...(s.texts ?? new Map())], root: s.root,
    files: [...s.files].map(([p, f]) => [p, f.raw, Object.keys(typeof f.raw === 'object' && f.raw !== null ? f.raw : {}).map((k) => f.positions?.lineOf(splitField(k)))]),
  };
}

describe('the snapshot preload', () => {
  it('hands over the files the worker took, as JSON only where JSON gives back the same document', async () => {
    const dir = tree('handover');
    expect(startSnapshotPreload(dir, [], WORKER)).toBe(true);
    const p = takeSnapshotPreload(dir, []);
    expect(p).toBeDefined();
    if (p === undefined) return;
    const listing = await p.listing;
    expect(listing?.problems.map((x) => x.file)).toEqual(['/odd/leaves.yml']);
    const batches = await p.result; // this thread takes nothing: the worker reads every file
    expect(batches).toBeDefined();
    const taken = new Map<string, { text: string | null; json: unknown }>();
    for (const b of batches ?? []) {
      const values = JSON.parse(b.json) as unknown[];
      b.indices.forEach((i, k) => { taken.set(listing?.paths[i] ?? '', { text: b.texts[k] ?? null, json: b.asJson[k] === true ? values[k] : 'NOT JSON' }); });
    }
    expect(taken.size).toBe(listing?.paths.length);
    const at = (f: string): unknown => taken.get(join(dir, f))?.json;
    for (const f of ['odd/date.yml', 'odd/numbers.yml', 'odd/binary.yml', 'odd/empty.yml', 'odd/syntax.yml', 'odd/duplicate.yml', 'odd/stream.yml', 'odd/inside.yml']) {
      expect(at(f), f).toBe('NOT JSON');
    }
    for (const f of ['odd/comment-only.yml', 'odd/manifest.yml', 'odd/proto.yml', 'odd/unicode.yml', 'openshift/quotas/small.yml']) expect(at(f), f).toEqual(yaml.load(taken.get(join(dir, f))?.text ?? ''));
    // `__proto__` stays an own key, as js-yaml makes it, and sets no prototype
    const proto = taken.get(join(dir, 'odd', 'proto.yml'))?.json as object;
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(yaml.load(ODD['odd/proto.yml'] ?? '') as object, '__proto__')?.value).toEqual({ polluted: true });
  });

  it('gives the same snapshot as the loader alone (documents, lines, problems, resources, texts, sha)', async () => {
    const dir = tree('same');
    const alone = await readDirSnapshot(dir);
    expect(alone.readProblems.map((p) => p.file)).toEqual(expect.arrayContaining(['/odd/leaves.yml', '/odd/syntax.yml', '/odd/duplicate.yml']));
    expect(startSnapshotPreload(dir, [], WORKER)).toBe(true);
    const shared = await readDirSnapshot(dir);
    expect(takeSnapshotPreload(dir, [])).toBeUndefined(); // taken by the read
    expect(contents(shared)).toEqual(contents(alone));
    expect(shared.files.get('/odd/date.yml')?.raw).toEqual({ $schema: '/x-1.yml', when: new Date('2024-01-02'), at: new Date('2024-01-02T03:04:05Z') });
    expect(Object.is((shared.files.get('/odd/numbers.yml')?.raw as { zero: number }).zero, -0)).toBe(true);
  });

  it('is used only for the same directory and --allow-path list', async () => {
    const dir = tree('other');
    expect(startSnapshotPreload(join(work, 'other-outside'), [], WORKER)).toBe(true);
    expect(contents(await readDirSnapshot(dir))).toEqual(contents(await readDirSnapshot(dir)));
    expect(takeSnapshotPreload(join(work, 'other-outside'), [])).toBeUndefined(); // stopped by the first read
    expect(startSnapshotPreload(dir, [join(work, 'other-outside')], WORKER)).toBe(true);
    const alone = contents(await readDirSnapshot(dir)); // no --allow-path: the link is refused
    expect(alone).toEqual(contents(await readDirSnapshot(dir)));
    expect((alone as { readProblems: { file: string }[] }).readProblems.map((p) => p.file)).toContain('/odd/leaves.yml');
  });

  it('does not keep the process alive until it is taken (a command that fails early exits at once)', () => {
    // A worker that never ends: the process must still end when its own work is done.
    const forever = join(work, 'forever-worker.mjs');
    writeFileSync(forever, "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ type: 'listing', paths: [], problems: [] });\nsetInterval(() => undefined, 1000);\n");
    const script = `import { startSnapshotPreload } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'app-interface', 'snapshot-preload.js')).href)};
      process.stdout.write(String(startSnapshotPreload(${JSON.stringify(work)}, [], new URL(${JSON.stringify(pathToFileURL(forever).href)}))));
      await new Promise((resolve) => { setTimeout(resolve, 300); }); // the command's own work, while the worker has started and posted`;
    const child = join(work, 'start-preload.mjs');
    writeFileSync(child, script);
    const r = spawnSync(process.execPath, [child], { encoding: 'utf8', timeout: 15_000 });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('true');
  });

  it('starts nothing when the worker module is not there', () => {
    expect(startSnapshotPreload(work, [], pathToFileURL(join(work, 'no-such-worker.js')))).toBe(false);
    expect(takeSnapshotPreload(work, [])).toBeUndefined();
  });
});

describe('preloadRequest (the directory read before yargs parses the command line)', () => {
  it.each([
    [['validate', '--app-interface', 'd'], { dir: 'd', allowPaths: [] }],
    [['validate', '--app-interface=d', '--allow-path', 'a', 'b', '--log-level', 'error'], { dir: 'd', allowPaths: ['a', 'b'] }],
    [['reconcile', '--allow-path=a', '--all', '--app-interface', '/x/y'], { dir: '/x/y', allowPaths: ['a'] }],
    [['validate', '--app-interface', 'd', '--app-interface', 'e'], undefined],
    [['validate', '--app-interface', '--log-level', 'error'], undefined],
    [['validate', '--', '--app-interface', 'd'], undefined],
    [['validate', '--graphql-url', 'http://x'], undefined],
  ])('%j', (argv, want) => {
    expect(preloadRequest(argv)).toEqual(want);
  });
});

describe('the built CLI (dist/, npm run build) with the preload', () => {
  it('names file, line and field of bad data exactly as the loader alone', async () => {
    const dir = tree('cli');
    writeFileSync(join(dir, 'openshift', 'quotas', 'small.yml'), '$schema: /openshift/quota-1.yml\nlabels: {}\nname: small\ndescription: d\nquotas:\n- name: compute\n  resources:\n    limits:\n      cpu: 4\n      memory: 8Gi\n    bogus: 1\n');
    const r = spawnSync(process.execPath, ['bin/kontract.js', 'validate', '--app-interface', dir, '--log-format', 'text'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    const alone = await inspectAppInterface({ dir, cwd: ROOT, env: {}, reporter: silentReporter });
    const loaderLines = alone.problems.map(formatProblem);
    expect(loaderLines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\/openshift\/quotas\/small\.yml:11 quotas\[0\]\.resources\.bogus: /),
      expect.stringMatching(/^\/odd\/syntax\.yml:3: YAML syntax error: /),
      expect.stringMatching(/^\/odd\/duplicate\.yml:3: YAML syntax error: duplicated mapping key/),
    ]));
    for (const line of loaderLines) expect(r.stderr).toContain(line);
  });
});
