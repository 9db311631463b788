/**
 * The built CLI parses with dist/vendor/yargs.js, the yargs bundle of `npm run build`
 * (scripts/build-vendor-yargs.js, src/cli/yargs.ts): it loads no module of the yargs package,
 * its help and messages equal the package's, its locale files are found (a German message), and
 * `--version` with other arguments still reads kontract's package.json from any working directory.
 */
import * as module from 'node:module';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createParser } from '../../../src/cli/main.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'kontract.js');

function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', LANG: 'C', ...env } });
}

/** What the package's yargs (the sources under test have no bundle) prints for `args`. */
async function packageOutput(args: readonly string[]): Promise<string> {
  const y = await createParser(args, () => Promise.resolve());
  return new Promise((res) => {
    void y.wrap(110).parse([...args], {}, (_e: unknown, _a: unknown, out: string) => { res(out); });
  });
}

describe('the yargs bundle of the built CLI', () => {
  it('is what the built CLI loads, instead of the package', () => {
    const hook = 'import * as m from "node:module"; m.registerHooks({ load(u, c, n) { process.stderr.write("LOADED " + u + "\\n"); return n(u, c); } });';
    const offThread = `import { register } from 'node:module'; register('data:text/javascript,${encodeURIComponent('export async function load(u, c, n) { process.stderr.write("LOADED " + u + "\\n"); return n(u, c); }')}');`;
    const code = typeof (module as { registerHooks?: unknown }).registerHooks === 'function' ? hook : offThread;
    const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(code)}`, BIN, '--help'], { cwd: ROOT, encoding: 'utf8' });
    const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice('LOADED '.length));
    expect(loaded.some((u) => u.endsWith('/dist/vendor/yargs.js'))).toBe(true);
    expect(loaded.filter((u) => /node_modules\/(yargs|yargs-parser|cliui|y18n|string-width)\//.test(u))).toEqual([]);
  });

  it.each([['--help'], ['validate', '--help'], ['reconcile', '--help']])('%s prints what the package prints', async (...args) => {
    expect(cli(args).stdout).toBe(`${await packageOutput(args)}\n`);
  });

  it('says the same about a bad command line, in the locale of the environment', () => {
    expect(cli(['validate', '--bogus']).stderr).toBe("Unknown argument: bogus\nRun 'kontract --help' for usage.\n");
    expect(cli(['validate', '--bogus'], { LC_ALL: 'de_DE.UTF-8' }).stderr).toBe("Unbekanntes Argument: bogus\nRun 'kontract --help' for usage.\n");
  });

  it('answers --version with other arguments from kontract\'s package.json, from any directory', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(cli(['validate', '--version'], {}, tmpdir()).stdout).toBe(`${pkg.version}\n`);
  });
});
