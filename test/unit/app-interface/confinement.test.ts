/**
 * Data cannot reach outside the app-interface: symbolic links leaving the tree, `$ref`s with `..`
 * and fabric directories outside the root are refused unless the operator passes --allow-path,
 * and no message shows what the refused files hold. Real directories and symbolic links in temp
 * dirs, through `kontract validate` (the same loader and build as `run`).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { KontractCommand } from '../../../src/cli/command.js';
import { fabricStatusCommand } from '../../../src/cli/commands/fabric-status.js';
import { runCommand } from '../../../src/cli/commands/run.js';
import { validateCommand } from '../../../src/cli/commands/validate.js';
import { allowedPathsOf } from '../../../src/app-interface/source-options.js';
import { formatProblem, isValidationError } from '../../../src/core/errors.js';
import type { Reporter } from '../../../src/core/reporter.js';
import { silentReporter } from '../../../src/core/reporter.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const SECRET = 'TOPSECRET-3f9a';
const work = mkdtempSync(join(tmpdir(), 'kontract-confine-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

/** A copy of the sample plus, next to it (outside the root), a directory with a secret in every file. */
function setup(name: string): { root: string; outside: string } {
  const base = join(work, name);
  const root = join(base, 'ai');
  const outside = join(base, 'outside');
  cpSync(SAMPLE, root, { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.yml'), `password: ${SECRET}\n: : not yaml ${SECRET}\n`);
  return { root, outside };
}

async function validate(root: string, allow: string[] = []): Promise<string[] | 'valid'> {
  try {
    await validateCommand.run({ 'app-interface': root, 'allow-path': allow, 'log-level': 'error', 'log-format': 'text', 'detailed-exitcode': false },
      { reporter: silentReporter, env: {}, cwd: root, signal: new AbortController().signal });
    return 'valid';
  } catch (e) {
    if (isValidationError(e)) return e.problems.map(formatProblem);
    throw e;
  }
}

describe('symbolic links in the app-interface', () => {
  it('refuses a link to a file outside the root, naming the link and never the content', async () => {
    const { root, outside } = setup('link-file');
    symlinkSync(join(outside, 'secret.yml'), join(root, 'openshift', 'stolen.yml'));
    const problems = await validate(root);
    expect(problems).toEqual(['/openshift/stolen.yml: is a symbolic link that leaves the app-interface (or dangles): not read; an operator may allow its target with --allow-path DIR']);
  });

  it('refuses a link to a directory outside the root and a dangling link', async () => {
    const { root, outside } = setup('link-dir');
    symlinkSync(outside, join(root, 'elsewhere'));
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling.yml'));
    const problems = await validate(root);
    expect(problems).not.toBe('valid');
    expect((problems as string[]).map((p) => p.split(':')[0])).toEqual(['/dangling.yml', '/elsewhere']);
    expect(JSON.stringify(problems)).not.toContain(SECRET);
  });

  it('follows a link that stays inside the root', async () => {
    const { root } = setup('link-inside');
    // The tenant datafile lives under a non-YAML name, so only the link makes it a datafile.
    mkdirSync(join(root, 'store'));
    renameSync(join(root, 'tenants', 'globex.yml'), join(root, 'store', 'globex.data'));
    expect(await validate(root)).not.toBe('valid');
    symlinkSync(join(root, 'store', 'globex.data'), join(root, 'tenants', 'globex.yml'));
    expect(await validate(root)).toBe('valid');
  });

  it('follows a link outside the root into a directory given with --allow-path', async () => {
    const { root, outside } = setup('link-allowed');
    writeFileSync(join(outside, 'secret.yml'), readFileSync(join(SAMPLE, 'tenants', 'globex.yml'), 'utf8').replace('name: globex', 'name: initech'));
    symlinkSync(join(outside, 'secret.yml'), join(root, 'tenants', 'initech.yml'));
    expect(await validate(root)).not.toBe('valid');
    expect(await validate(root, [outside])).toBe('valid');
  });
});

describe('$ref', () => {
  it('must be a path from the root without ..', async () => {
    const { root } = setup('ref');
    const file = join(root, 'openshift', 'prod-1', 'namespaces', 'acme-api.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('$ref: /openshift/prod-1/cluster.yml', '$ref: /openshift/../openshift/prod-1/cluster.yml'));
    const problems = await validate(root);
    expect(problems).toContainEqual(expect.stringMatching(/^\/openshift\/prod-1\/namespaces\/acme-api\.yml:\d+ cluster: \$ref \/openshift\/\.\.\/openshift\/prod-1\/cluster\.yml: must be a datafile path from the app-interface root/));
  });
});

describe('fabric directories', () => {
  function pointFabricAt(root: string, directory: string): void {
    const file = join(root, 'hedgehog', 'fabric-1.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('directory: hedgehog/fabric-1', `directory: ${directory}`));
  }

  it('refuses an absolute directory outside the root without reading it, and reads it with --allow-path', async () => {
    const { root, outside } = setup('fabric-abs');
    pointFabricAt(root, outside);
    const problems = await validate(root);
    expect(problems).toEqual([`/hedgehog/fabric-1.yml:9 source.directory: ${outside} is outside the app-interface (or does not exist): not read; an operator may allow it with --allow-path DIR`]);
    // Allowed, the directory is read: its (invalid) file is then reported, as any fabric document would be.
    const allowed = await validate(root, [outside]);
    expect(JSON.stringify(allowed)).toMatch(/invalid YAML/);
  });

  it('refuses a relative directory leaving the root (../)', async () => {
    const { root } = setup('fabric-up');
    pointFabricAt(root, '../outside');
    expect(await validate(root)).toEqual([expect.stringMatching(/^\/hedgehog\/fabric-1\.yml:9 source\.directory: .*outside is outside the app-interface/)]);
  });

  it('accepts an absolute directory inside the root', async () => {
    const { root } = setup('fabric-abs-inside');
    pointFabricAt(root, join(root, 'hedgehog', 'fabric-1'));
    expect(await validate(root)).toBe('valid');
  });

  it('refuses a symbolic link in an allowed fabric directory that leaves it', async () => {
    const { root, outside } = setup('fabric-link');
    const dir = join(outside, 'fabric');
    cpSync(join(SAMPLE, 'hedgehog', 'fabric-1'), dir, { recursive: true });
    symlinkSync(join(outside, 'secret.yml'), join(dir, '99-stolen.yaml'));
    pointFabricAt(root, dir);
    const problems = await validate(root, [dir]);
    expect(problems).toEqual([`/hedgehog/fabric-1.yml:7 source: ${dir}/99-stolen.yaml is a symbolic link leaving its source (or dangling): not read`]);
  });
});

describe('run and fabric-status honour --allow-path too', () => {
  /** The sample fabric on a cluster nobody listens to, its directory outside the root. */
  function setupOutside(name: string): { root: string; dir: string } {
    const { root, outside } = setup(name);
    const dir = join(outside, 'fabric');
    cpSync(join(SAMPLE, 'hedgehog', 'fabric-1'), dir, { recursive: true });
    const file = join(root, 'hedgehog', 'fabric-1.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('directory: hedgehog/fabric-1', `directory: ${dir}`));
    const cluster = join(root, 'openshift', 'dev-1', 'cluster.yml');
    writeFileSync(cluster, readFileSync(cluster, 'utf8').replace(/^serverUrl: .*$/m, 'serverUrl: https://127.0.0.1:1'));
    writeFileSync(join(root, 'kontract', 'clusters', 'dev-1.yml'), ['$schema: /kontract/cluster-1.yml', 'cluster:', '  $ref: /openshift/dev-1/cluster.yml', 'auth:', '  tokenEnv: GONE_TOKEN', ''].join('\n'));
    return { root, dir };
  }

  async function errorsOf(command: KontractCommand, root: string, args: Record<string, unknown>): Promise<string> {
    const out: string[] = [];
    const reporter: Reporter = { log: (level, message) => { if (level === 'error') out.push(message); }, result: (t) => { out.push(t); } };
    await command.run({ 'app-interface': root, 'log-level': 'error', 'log-format': 'text', 'detailed-exitcode': false, ...args },
      { reporter, env: { GONE_TOKEN: 'x' }, cwd: root, signal: new AbortController().signal });
    return out.join('\n');
  }

  it.each([['run', runCommand, { integrations: ['hedgehog-fabric'], 'dry-run': '' }], ['fabric-status', fabricStatusCommand, { output: 'json' }]] as const)('%s', async (_name, command, args) => {
    const { root, dir } = setupOutside(`cmd-${_name}`);
    expect(await errorsOf(command, root, { ...args })).toContain(`${dir} is outside the app-interface`);
    // Allowed, the directory is read and the fabric gets as far as its (unreachable) cluster.
    const allowed = await errorsOf(command, root, { ...args, 'allow-path': [dir] });
    expect(allowed).not.toContain('outside the app-interface');
    expect(allowed).toMatch(/ECONNREFUSED|connect/);
  });
});

describe('validate and git sources', () => {
  it('fetches a fabric\'s git source and reports an outage', async () => {
    const { root } = setup('git');
    const file = join(root, 'hedgehog', 'fabric-1.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  directory: hedgehog/fabric-1', '  git:\n    url: https://127.0.0.1:1/fabric.git\n    ref: main'));
    expect(await validate(root)).toEqual([expect.stringMatching(/^\/hedgehog\/fabric-1\.yml:9 source\.git: cannot fetch git:https:\/\/127\.0\.0\.1:1\/fabric\.git@main/)]);
  });
});

describe('allowedPathsOf', () => {
  it('allows the app-interface directory and every --allow-path; over GraphQL only the latter', () => {
    expect(allowedPathsOf({ dir: 'ai', allowPaths: ['/srv/fabrics'], cwd: '/work', env: {} })).toEqual(['/work/ai', '/srv/fabrics']);
    expect(allowedPathsOf({ graphqlUrl: 'http://x/graphql', allowPaths: ['f'], cwd: '/work', env: {} })).toEqual(['/work/f']);
    expect(allowedPathsOf({ graphqlUrl: 'http://x/graphql', cwd: '/work', env: {} })).toEqual([]);
  });
});

describe('link cycles', () => {
  it('a link back to the root is not walked again', async () => {
    const { root } = setup('cycle');
    symlinkSync(root, join(root, 'openshift', 'loop'));
    expect(await validate(root)).toBe('valid');
  });
});
