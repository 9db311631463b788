/**
 * Credentials named by the data stay where the operator put them (src/app-interface/credential-confinement.ts):
 * token, CA and git token files inside the app-interface or an --allow-path directory, kubeconfig
 * files only in an --allow-path directory, and — with --allow-server — credentials sent only to
 * listed servers. Through `kontract validate` and `kontract namespaces` on a copy of the sample in a
 * temp dir; a loopback listener stands where the data's server points, to show that a refused run
 * opens no connection at all.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands/run.js';
import { validateCommand } from '../../../src/cli/commands/validate.js';
import { ALLOW_SERVERS_ENV } from '../../../src/cli/options.js';
import { formatProblem, isKontractError, isValidationError } from '../../../src/core/errors.js';
import { silentReporter } from '../../../src/core/reporter.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const TOKEN = 'TOPSECRET-token-7c1e';
const work = mkdtempSync(join(tmpdir(), 'kontract-creds-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

interface Setup { readonly root: string; readonly outside: string; readonly tokenFile: string }

/** A copy of the sample; next to it (outside the root) a directory holding a token file. */
function setup(name: string): Setup {
  const base = join(work, name);
  const root = join(base, 'ai');
  const outside = join(base, 'secrets');
  cpSync(SAMPLE, root, { recursive: true });
  mkdirSync(outside);
  const tokenFile = join(outside, 'prod-1.token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  return { root, outside, tokenFile };
}

/** Replaces prod-1's kontract settings `auth:` block (and adds more lines after it). */
function prod1Settings(root: string, lines: readonly string[]): void {
  writeFileSync(join(root, 'kontract', 'clusters', 'prod-1.yml'), [
    '$schema: /kontract/cluster-1.yml', 'cluster:', '  $ref: /openshift/prod-1/cluster.yml', ...lines, '',
  ].join('\n'));
}

function prod1Server(root: string, url: string): void {
  const file = join(root, 'openshift', 'prod-1', 'cluster.yml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('serverUrl: https://prod-1.kontract.invalid:6443', `serverUrl: ${url}`));
}

type Args = Readonly<Record<string, unknown>>;
const common = { 'log-level': 'error' as const, 'log-format': 'text' as const, 'detailed-exitcode': false };

async function validate(root: string, args: Args = {}, env: NodeJS.ProcessEnv = {}): Promise<string[] | 'valid'> {
  try {
    await validateCommand.run({ 'app-interface': root, ...common, ...args }, { reporter: silentReporter, env, cwd: root, signal: new AbortController().signal });
    return 'valid';
  } catch (e) {
    if (isValidationError(e)) return e.problems.map(formatProblem);
    throw e;
  }
}

describe('credential files named by the data', () => {
  it('refuses a token file outside the app-interface, naming file, line and field, never the token; --allow-path allows it', async () => {
    const { root, outside, tokenFile } = setup('token-outside');
    prod1Settings(root, ['auth:', `  tokenFile: ${tokenFile}`]);
    const problems = await validate(root);
    expect(problems).toEqual([`/kontract/clusters/prod-1.yml:5 auth.tokenFile: ${tokenFile} is outside the app-interface and every --allow-path directory: not read; an operator may allow its directory with --allow-path DIR`]);
    expect(JSON.stringify(problems)).not.toContain(TOKEN);
    expect(await validate(root, { 'allow-path': [outside] })).toBe('valid');
  });

  it('accepts a token file inside the app-interface, relative paths resolved like the connection does (from the working directory)', async () => {
    const { root } = setup('token-inside');
    writeFileSync(join(root, 'prod-1.token'), `${TOKEN}\n`);
    prod1Settings(root, ['auth:', '  tokenFile: prod-1.token']);
    expect(await validate(root)).toBe('valid');
    prod1Settings(root, ['auth:', '  tokenFile: ../secrets/prod-1.token']);
    expect(await validate(root)).toEqual([expect.stringMatching(/^\/kontract\/clusters\/prod-1\.yml:5 auth\.tokenFile: \.\.\/secrets\/prod-1\.token is outside the app-interface/)]);
  });

  it('follows symbolic links: a link inside the root to a token outside is refused', async () => {
    const { root, tokenFile } = setup('token-link');
    symlinkSync(tokenFile, join(root, 'innocent.token'));
    prod1Settings(root, ['auth:', `  tokenFile: ${join(root, 'innocent.token')}`]);
    expect(await validate(root)).toEqual([
      '/innocent.token: is a symbolic link that leaves the app-interface (or dangles): not read; an operator may allow its target with --allow-path DIR',
      expect.stringMatching(/^\/kontract\/clusters\/prod-1\.yml:5 auth\.tokenFile: .*innocent\.token is outside the app-interface/),
    ]);
  });

  it('refuses a CA file outside the app-interface', async () => {
    const { root, outside } = setup('ca-outside');
    const ca = join(outside, 'ca.crt');
    writeFileSync(ca, 'not a certificate\n');
    prod1Settings(root, ['auth:', '  kubeconfigContext: prod-1', 'ca:', `  path: ${ca}`]);
    expect(await validate(root)).toEqual([`/kontract/clusters/prod-1.yml:7 ca.path: ${ca} is outside the app-interface and every --allow-path directory: not read; an operator may allow its directory with --allow-path DIR`]);
    expect(await validate(root, { 'allow-path': [outside] })).toBe('valid');
  });

  it('reads a kubeconfig the data names only from an --allow-path directory, not from the app-interface itself', async () => {
    const { root, outside } = setup('kubeconfig');
    writeFileSync(join(root, 'kubeconfig'), 'apiVersion: v1\n');
    prod1Settings(root, ['auth:', '  kubeconfigContext: prod-1', '  kubeconfigPath: kubeconfig']);
    expect(await validate(root)).toEqual([expect.stringMatching(/^\/kontract\/clusters\/prod-1\.yml:6 auth\.kubeconfigPath: kubeconfig is not inside an --allow-path directory: not read \(a kubeconfig can run commands/)]);
    writeFileSync(join(outside, 'kubeconfig'), 'apiVersion: v1\n');
    prod1Settings(root, ['auth:', '  kubeconfigContext: prod-1', `  kubeconfigPath: ${join(outside, 'kubeconfig')}`]);
    expect(await validate(root)).not.toBe('valid');
    expect(await validate(root, { 'allow-path': [outside] })).toBe('valid');
  });

  it('refuses a fabric git source token file outside the app-interface', async () => {
    const { root, tokenFile } = setup('git-token');
    const file = join(root, 'hedgehog', 'fabric-1.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  directory: hedgehog/fabric-1',
      `  git:\n    url: https://git.example.com/fabric.git\n    ref: main\n    credentials:\n      tokenFile: ${tokenFile}`));
    // refused, the fabric is not built: its git source is not fetched (no "cannot fetch" problem)
    const problems = await validate(root);
    expect(problems).toEqual([`/hedgehog/fabric-1.yml:13 source.git.credentials.tokenFile: ${tokenFile} is outside the app-interface and every --allow-path directory: not read; an operator may allow its directory with --allow-path DIR`]);
    // with the server check on, the git host must be allowed too
    const servers = await validate(root, { 'allow-path': [join(work, 'git-token', 'secrets')], 'allow-server': ['https://prod-1.kontract.invalid:6443'] });
    expect(servers).toEqual(['/hedgehog/fabric-1.yml:10 source.git.url: https://git.example.com/fabric.git is not an allowed server (--allow-server): the git credentials are not sent there, nothing is fetched']);
  });
});

describe('--allow-server', () => {
  it('is not checked without an allow-list; with one, a data-chosen credential goes only to a listed server', async () => {
    const { root, outside, tokenFile } = setup('servers');
    prod1Settings(root, ['auth:', `  tokenFile: ${tokenFile}`]);
    const allowPath = { 'allow-path': [outside] };
    expect(await validate(root, allowPath)).toBe('valid');
    // prod-2 and dev-1 use kubeconfig contexts of the operator's kubeconfig: their server is not the data's
    expect(await validate(root, { ...allowPath, 'allow-server': ['https://elsewhere.example:6443'] })).toEqual([
      `/openshift/prod-1/cluster.yml:8 serverUrl: https://prod-1.kontract.invalid:6443 is not an allowed server (--allow-server): the token in auth.tokenFile of /kontract/clusters/prod-1.yml is not sent there, no cluster is contacted`,
    ]);
    // origins compare normalised (case, default port); '*' allows any server
    expect(await validate(root, { ...allowPath, 'allow-server': ['HTTPS://Prod-1.kontract.invalid:6443/'] })).toBe('valid');
    expect(await validate(root, { ...allowPath, 'allow-server': ['*'] })).toBe('valid');
    // the environment form
    expect(await validate(root, allowPath, { [ALLOW_SERVERS_ENV]: 'https://a.example, https://b.example' })).toHaveLength(1);
    expect(await validate(root, allowPath, { [ALLOW_SERVERS_ENV]: 'https://a.example https://prod-1.kontract.invalid:6443' })).toBe('valid');
  });

  it('covers token environment variables too', async () => {
    const { root } = setup('servers-env');
    prod1Settings(root, ['auth:', '  tokenEnv: VAULT_TOKEN']);
    expect(await validate(root, { 'allow-server': ['https://a.example'] })).toEqual([
      expect.stringContaining('serverUrl: https://prod-1.kontract.invalid:6443 is not an allowed server (--allow-server): the token in environment variable VAULT_TOKEN (auth.tokenEnv of /kontract/clusters/prod-1.yml) is not sent there'),
    ]);
  });

  it('covers Vault automationTokens (no kontract settings file)', async () => {
    const { root } = setup('servers-vault');
    rmSync(join(root, 'kontract', 'clusters', 'prod-1.yml'));
    const file = join(root, 'openshift', 'prod-1', 'cluster.yml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}automationToken:\n  path: app-sre/creds/prod-1\n  field: token\n`);
    expect(await validate(root, { 'allow-server': ['https://a.example'] })).toEqual([
      '/openshift/prod-1/cluster.yml:8 serverUrl: https://prod-1.kontract.invalid:6443 is not an allowed server (--allow-server): the automationToken app-sre/creds/prod-1 is not sent there, no cluster is contacted',
    ]);
  });

  it('does not apply to servers from operator-side configuration: inCluster, a kubeconfig in an --allow-path directory', async () => {
    const { root, outside } = setup('servers-operator');
    writeFileSync(join(outside, 'kubeconfig'), 'apiVersion: v1\n');
    prod1Settings(root, ['auth:', '  inCluster: true']);
    expect(await validate(root, { 'allow-server': ['https://a.example'] })).toBe('valid');
    prod1Settings(root, ['auth:', '  kubeconfigContext: prod-1', `  kubeconfigPath: ${join(outside, 'kubeconfig')}`]);
    expect(await validate(root, { 'allow-path': [outside], 'allow-server': ['https://a.example'] })).toBe('valid');
  });

  it('rejects a value that is not an http(s) URL as a usage error', async () => {
    const { root } = setup('servers-usage');
    await expect(validate(root, { 'allow-server': ['prod-1:6443'] })).rejects.toSatisfy((e: unknown) => isKontractError(e) && e.code === 'E_USAGE' && e.message.includes('--allow-server prod-1:6443'));
  });
});

describe('a refused run contacts no cluster', () => {
  const listen = (): Promise<{ server: Server; port: number; connections: () => number }> => new Promise((res) => {
    let n = 0;
    const server = createServer((s) => { n++; s.destroy(); });
    server.listen(0, '127.0.0.1', () => { res({ server, port: (server.address() as AddressInfo).port, connections: () => n }); });
  });

  it('a token file outside the root: the wet run fails on the data before any connection, to any cluster', async () => {
    const { root, tokenFile } = setup('run-refused');
    const one = await listen();
    const two = await listen();
    try {
      prod1Settings(root, ['auth:', `  tokenFile: ${tokenFile}`]);
      prod1Server(root, `https://127.0.0.1:${one.port}`);
      // prod-2's credentials are fine (a token file inside the app-interface): it is not contacted either
      writeFileSync(join(root, 'prod-2.token'), `${TOKEN}\n`);
      writeFileSync(join(root, 'kontract', 'clusters', 'prod-2.yml'), ['$schema: /kontract/cluster-1.yml', 'cluster:', '  $ref: /openshift/prod-2/cluster.yml', 'auth:', '  tokenFile: prod-2.token', ''].join('\n'));
      const file2 = join(root, 'openshift', 'prod-2', 'cluster.yml');
      writeFileSync(file2, readFileSync(file2, 'utf8').replace(/serverUrl: .*/, `serverUrl: https://127.0.0.1:${two.port}`));
      const run = runCommand.run({ ...common, 'app-interface': root, integrations: ['namespaces'], all: false, 'lock-namespace': 'kube-system', 'give-up-after': 20, 'grace-period': 10, concurrency: 10, 'max-deletions': 50 },
        { reporter: silentReporter, env: {}, cwd: root, signal: new AbortController().signal });
      await expect(run).rejects.toSatisfy((e: unknown) => isValidationError(e) && e.problems.map(formatProblem).some((p) => p.startsWith('/kontract/clusters/prod-1.yml:5 auth.tokenFile:')));
      expect([one.connections(), two.connections()]).toEqual([0, 0]);
    } finally {
      one.server.close();
      two.server.close();
    }
  });
});
