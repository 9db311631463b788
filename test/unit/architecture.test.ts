/**
 * The architecture rules (.dependency-cruiser.cjs, run by `npm run depcheck` in `npm test`): the
 * tree passes with no violation at all, a bad import or a cycle fails with the rule's name and
 * reason, and docs/architecture.md's module map is the same map as the rules.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Rule { readonly name: string; readonly comment: string; readonly severity: string }
const config = createRequire(import.meta.url)(CONFIG) as { forbidden: readonly Rule[] };

interface Result { readonly code: number; readonly stdout: string }

async function depcruise(cwd: string, outputType: string): Promise<Result> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', outputType], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '' };
  }
}

interface Violation { readonly from: string; readonly to: string; readonly rule: { readonly name: string; readonly severity: string } }

describe('architecture rules', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kontract-arch-'));
  afterAll(() => { rmSync(tmp, { recursive: true, force: true }); });

  it('pass on the tree: no errors, no warnings (no known exceptions), and no rule exempts anything', async () => {
    const r = await depcruise(ROOT, 'json');
    expect(r.code).toBe(0);
    const summary = (JSON.parse(r.stdout) as { summary: { error: number; violations: readonly Violation[] } }).summary;
    expect(summary.error).toBe(0);
    expect(summary.violations.map((v) => `${v.rule.severity} ${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
    expect(config.forbidden.every((rule) => rule.severity === 'error')).toBe(true);
  }, 60_000);

  it('fail on an upward import, IO in the pure core or an integration (also through an app-interface loader), an app-interface import of an integration and a cycle, naming the rule and why', async () => {
    const files: Record<string, string> = {
      'src/k8s/client.ts': 'export const client = 1;\n',
      'src/resource-inventory/plan.ts': "import { readFileSync } from 'node:fs';\nimport { client } from '../k8s/client.js';\nexport const plan = [readFileSync, client];\n",
      'src/integrations/x/model.ts': 'export const model = 1;\n',
      'src/integrations/x/desired.ts': "import { runReconcile } from '../../reconcile/run.js';\nexport const desired = runReconcile;\n",
      'src/reconcile/run.ts': 'export const runReconcile = 1;\n',
      'src/app-interface/rules.ts': "import { model } from '../integrations/x/model.js';\nexport const rules = model;\n",
      // An integration running git or reading the disk itself, or through a loader of app-interface.
      'src/integrations/hedgehog-fabric/git-source.ts': "import { execFile } from 'node:child_process';\nexport const git = execFile;\n",
      'src/app-interface/hedgehog/sources.ts': "import { readdirSync } from 'node:fs';\nexport const readSources = readdirSync;\n",
      'src/integrations/hedgehog-fabric/desired.ts': "import { readSources } from '../../app-interface/hedgehog/sources.js';\nexport const desired = readSources;\n",
      'src/app-interface/options.ts': "import type { Argv } from 'yargs';\nimport yargs from 'yargs';\nexport const y: [typeof yargs, Argv | undefined] = [yargs, undefined];\n",
      'src/core/a.ts': "import { b } from './b.js';\nexport const a = (): number => b();\n",
      'src/core/b.ts': "import { a } from './a.js';\nexport const b = (): number => a();\n",
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' }, include: ['src/**/*.ts'] }),
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(tmp, path)), { recursive: true });
      writeFileSync(join(tmp, path), text);
    }
    copyFileSync(CONFIG, join(tmp, '.dependency-cruiser.cjs'));
    symlinkSync(join(ROOT, 'node_modules'), join(tmp, 'node_modules'));
    const r = await depcruise(tmp, 'err-long');
    expect(r.code).toBeGreaterThan(0);
    expect(r.stdout).toContain('error no-io-resource-inventory: src/resource-inventory/plan.ts → fs');
    expect(r.stdout).toContain('error layer-resource-inventory: src/resource-inventory/plan.ts → src/k8s/client.ts');
    expect(r.stdout).toContain('error layer-integrations: src/integrations/x/desired.ts → src/reconcile/run.ts');
    expect(r.stdout).toContain('error layer-app-interface: src/app-interface/rules.ts → src/integrations/x/model.ts');
    expect(r.stdout).toContain('error no-io-integrations: src/integrations/hedgehog-fabric/git-source.ts → child_process');
    expect(r.stdout).toContain('error no-io-integrations: src/integrations/hedgehog-fabric/desired.ts → fs');
    // The app-interface loader itself may read the disk.
    expect(r.stdout).not.toMatch(/error \S+: src\/app-interface\/hedgehog\/sources\.ts/);
    expect(r.stdout).toMatch(/error no-circular: src\/core\/a\.ts →/);
    expect(r.stdout).toMatch(/error only-cli-uses-yargs: src\/app-interface\/options\.ts → \S*node_modules\/yargs\//);
    // The reason is printed with the rule (err-long wraps lines).
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('src/integrations/ may import only src/core/, src/app-interface/, src/resource-inventory/ (docs/architecture.md). An integration only turns data into desired objects');
  }, 60_000);
});

describe('docs/architecture.md module map', () => {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const folder = /^`src\/([a-z0-9-]+)\/(?:<name>\/)?`$/.exec(cells[1] ?? '')?.[1];
    if (folder !== undefined && cells.length >= 5) rows.set(folder, [...(cells[3] ?? '').matchAll(/`src\/([a-z0-9-]+)\/`/g)].map((m) => m[1]!).sort());
  }
  const layers = config.forbidden.filter((r) => r.name.startsWith('layer-') && !r.name.endsWith('-known'));

  it('has a row per folder of src/ and per rule', () => {
    const folders = readdirSrc();
    expect([...rows.keys()].sort(), 'docs/architecture.md: the module map needs one row per folder of src/').toEqual(folders);
    expect(layers.map((r) => r.name.slice('layer-'.length)).sort(), '.dependency-cruiser.cjs: LAYERS needs one entry per folder of src/').toEqual(folders);
  });

  it.each(layers.map((r) => [r.name, r] as const))('%s allows exactly what the table lists', (_name, rule) => {
    const folder = rule.name.slice('layer-'.length);
    const allowed = [...(/may import only ([^(]*)\(/.exec(rule.comment)?.[1] ?? '').matchAll(/src\/([a-z0-9-]+)\//g)].map((m) => m[1]!).sort();
    expect(rows.get(folder)).toEqual(allowed);
  });
});

function readdirSrc(): string[] {
  return readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}
