/**
 * Lazy command loading (src/cli/commands/index.ts, src/cli/main.ts): the light entries the parser
 * registers say the same as the command modules, the integration list matches the registry, and
 * a parser for `--help` / `--version` imports no command module.
 */
import * as module from 'node:module';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, INTEGRATION_SUMMARIES, commandWords } from '../../../src/cli/commands/index.js';
import { createParser } from '../../../src/cli/main.js';
import { INTEGRATIONS } from '../../../src/integrations/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

async function helpOf(args: readonly string[]): Promise<string> {
  const y = await createParser(args, () => Promise.resolve());
  return new Promise((res) => {
    void y.parse([...args], {}, (_e: unknown, _a: unknown, out: string) => { res(out); });
  });
}

describe('lazy command entries', () => {
  it('say what their modules say (command string and description)', async () => {
    for (const e of COMMANDS) {
      const cmd = await e.load();
      expect(cmd.command, commandWords(e).join('/')).toEqual(e.command);
      expect(cmd.describe, commandWords(e).join('/')).toBe(e.describe);
    }
  });

  it('list every registered integration, in the registry\'s order, with its summary', () => {
    expect(INTEGRATION_SUMMARIES).toEqual(INTEGRATIONS.map((i) => ({ name: i.name, summary: i.summary })));
  });

  it('command words are the first word of each name and alias', () => {
    expect(COMMANDS.flatMap(commandWords)).toEqual(expect.arrayContaining(['reconcile', 'run', 'validate', 'local-clusters', 'namespaces', 'rbac']));
  });

  it('top-level --help lists every command; a command\'s --help shows its options and examples', async () => {
    const top = await helpOf(['--help']);
    for (const e of COMMANDS) expect(top).toContain(`kontract ${typeof e.command === 'string' ? e.command : e.command[0] ?? ''}`);
    const validate = await helpOf(['validate', '--help']);
    expect(validate).toContain('--app-interface');
    expect(validate).toContain('Examples:');
    const run = await helpOf(['run', '--help']);
    expect(run).toContain('--dry-run');
    const ns = await helpOf(['namespaces', '--help']);
    expect(ns).toContain('--kubeconfig');
  });
});

/** A kubeconfig whose contexts prod-1, prod-2, dev-1 (the sample's clusters) point at a plain-http server, which a run refuses after reading it. */
function plainHttpKubeconfig(): { dir: string; kubeconfig: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kontract-lazy-kc-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, ['clusters:', ...['prod-1', 'prod-2', 'dev-1'].map((c) => `- {name: ${c}, cluster: {server: "http://127.0.0.1:9"}}`),
    'users:', '- {name: u, user: {token: not-a-real-token}}', 'contexts:', ...['prod-1', 'prod-2', 'dev-1'].map((c) => `- {name: ${c}, context: {cluster: ${c}, user: u}}`), ''].join('\n'));
  return { dir, kubeconfig };
}

describe('the built CLI (dist/, npm run build)', () => {
  // A module loader hook prints every module a process loads; --help and --version must load no
  // command module and nothing of the heavy dependencies.
  // In-thread registerHooks where Node has it (22.15+, 24): an off-thread `register` hook's writes
  // were lost on Node 24 when the process exited right away (--version); `register` on Node 20.
  const offThread = `import { register } from 'node:module'; register('data:text/javascript,${encodeURIComponent('export async function load(u, c, n) { process.stderr.write("LOADED " + u + "\\n"); return n(u, c); }')}');`;
  const inThread = 'import * as m from "node:module"; m.registerHooks({ load(u, c, n) { process.stderr.write("LOADED " + u + "\\n"); return n(u, c); } });';
  const hook = `data:text/javascript,${encodeURIComponent(typeof (module as { registerHooks?: unknown }).registerHooks === 'function' ? inThread : offThread)}`;
  const loadedBy = (args: readonly string[], status = 0): string[] => {
    const r = spawnSync(process.execPath, ['--import', hook, 'bin/kontract.js', ...args], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(status);
    return r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice('LOADED '.length));
  };

  it.each([['--help'], ['--version'], ['completion']])('%s loads no command module and no heavy dependency', (arg) => {
    const loaded = loadedBy([arg]);
    expect(loaded.some((u) => u.includes('/dist/cli/main.js'))).toBe(true);
    expect(loaded.filter((u) => /\/dist\/cli\/commands\/(?!index\.js)/.test(u))).toEqual([]);
    expect(loaded.filter((u) => /node_modules\/(@kubernetes|graphql|ajv|prom-client|nunjucks|js-yaml)/.test(u) || /\/dist\/(integrations|reconcile|k8s|app-interface)\//.test(u))).toEqual([]);
  });

  it('--version alone answers from package.json without loading yargs, as yargs would', () => {
    expect(loadedBy(['--version']).filter((u) => u.includes('node_modules/'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(spawnSync(process.execPath, ['bin/kontract.js', '--version'], { cwd: ROOT, encoding: 'utf8' }).stdout).toBe(`${pkg.version}\n`);
    // with other arguments yargs answers, the same
    expect(spawnSync(process.execPath, ['bin/kontract.js', '--version', '--log-level', 'warn'], { cwd: ROOT, encoding: 'utf8' }).stdout).toBe(`${pkg.version}\n`);
  });

  it('validate loads neither @kubernetes/client-node, GraphQL, prom-client (it records no metric) nor the HTTP client and secret readers', () => {
    const loaded = loadedBy(['validate', '--app-interface', 'app-interface-sample', '--log-level', 'error']);
    expect(loaded.some((u) => u.includes('/dist/cli/commands/validate.js'))).toBe(true);
    expect(loaded.some((u) => u.includes('/dist/integrations/hedgehog-fabric/metrics.js'))).toBe(true);
    expect(loaded.filter((u) => /node_modules\/(@kubernetes|graphql|prom-client)/.test(u))).toEqual([]);
    // nor the HTTP client, the secret readers and their TOML parser (cluster commands' options: src/cli/options.ts)
    expect(loaded.filter((u) => /\/dist\/(k8s|secrets)\/|node_modules\/smol-toml|^node:(https?|http2|tls)$/.test(u))).toEqual([]);
  });

  it('a run with kubeconfig-context clusters does not load @kubernetes/client-node (kontract reads the kubeconfig)', () => {
    // the sample's clusters name contexts prod-1, prod-2, dev-1; a plain-http server is refused after the kubeconfig is read (exit 1, no request sent)
    const { kubeconfig } = plainHttpKubeconfig();
    const loaded = loadedBy(['reconcile', 'namespaces', '--dry-run', '--app-interface', 'app-interface-sample', '--kubeconfig', kubeconfig, '--log-level', 'error'], 1);
    expect(loaded.some((u) => u.includes('/dist/k8s/kubeconfig-files.js'))).toBe(true);
    expect(loaded.filter((u) => /node_modules\/@kubernetes/.test(u))).toEqual([]);
  });

  it('a one-shot run loads prom-client and the watch modules only when it exports metrics', () => {
    // the same failing run as above (exit 1 after the kubeconfig is read); metrics are recorded for
    // an aborted run too, so --metrics-file still writes its file
    const { dir, kubeconfig } = plainHttpKubeconfig();
    const args = ['reconcile', 'namespaces', '--dry-run', '--app-interface', 'app-interface-sample', '--kubeconfig', kubeconfig, '--log-level', 'error'];
    const heavy = (u: string): boolean => /node_modules\/(prom-client|@opentelemetry|chokidar)\/|\/dist\/metrics\/|\/dist\/reconcile\/watch-data\.js/.test(u);
    const plain = loadedBy(args, 1);
    expect(plain.some((u) => u.includes('/dist/cli/commands/run.js'))).toBe(true);
    expect(plain.filter(heavy)).toEqual([]);
    const file = join(dir, 'metrics.prom');
    const exporting = loadedBy([...args, '--metrics-file', file], 1);
    expect(exporting.some((u) => /node_modules\/prom-client\//.test(u))).toBe(true);
    expect(exporting.filter((u) => /chokidar|watch-data/.test(u))).toEqual([]);
    expect(readFileSync(file, 'utf8')).toContain('kontract_run_duration_seconds');
  });

  it('the built schema registry uses the precompiled validators: ajv\'s compiler is never loaded', () => {
    const script = [
      "import { createRequire } from 'node:module';",
      "const { schemaRegistry } = await import('./dist/app-interface/schema-registry.js');",
      'const reg = schemaRegistry();',
      'for (const id of reg.ids) if (typeof reg.validator(id) !== "function") throw new Error(id);',
      "const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/ajv/'));",
      'console.log(JSON.stringify({ ids: reg.ids.length, loaded }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ids: number; loaded: string[] };
    expect(out.ids).toBeGreaterThan(20);
    // only ajv's small runtime helpers (equal, ucs2length, …), not ajv itself or its code generator
    expect(out.loaded.filter((f) => !f.includes('/node_modules/ajv/dist/runtime/'))).toEqual([]);
  });
});
