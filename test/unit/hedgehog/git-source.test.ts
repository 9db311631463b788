import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFabricSourceReader } from '../../../src/app-interface/hedgehog/sources.js';
import { desiredFabrics } from '../../../src/integrations/hedgehog-fabric/desired.js';
import { fetchGitSource, gitCacheKey, scrubSecrets } from '../../../src/app-interface/hedgehog/git-source.js';
import { parseFabric } from '../../../src/app-interface/hedgehog/parse.js';
import type { GitHttpServer } from './git-server.js';
import { startGitHttpServer } from './git-server.js';
import { cleanupDirs, fabric, fabricProblems, sampleDocs, tempDir } from './support.js';

const TOKEN = 's3cr3t-token-value-123';
const USER = 'fabric-bot';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd } }).trim();
}

let root: string;
let bare: string;
let v1Commit: string;
let server: GitHttpServer;

beforeAll(async () => {
  root = tempDir({}, 'kontract-hh-git-');
  bare = path.join(root, 'fabric.git');
  git(root, 'init', '-q', '--bare', bare);
  const work = path.join(root, 'work');
  mkdirSync(work);
  git(work, 'init', '-q');
  mkdirSync(path.join(work, 'fabrics', 'fabric-1'), { recursive: true });
  const docs = sampleDocs();
  writeFileSync(path.join(work, 'fabrics', 'fabric-1', 'all.yaml'), docs.map((d) => yaml.dump(d)).join('---\n'));
  writeFileSync(path.join(work, 'README.md'), 'fabric repo\n');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'v1: sample fabric');
  git(work, 'tag', 'v1');
  v1Commit = git(work, 'rev-parse', 'HEAD');
  // v2 on main: drop the attachments and the VPC
  writeFileSync(path.join(work, 'fabrics', 'fabric-1', 'all.yaml'), docs.filter((d) => !['VPC', 'VPCAttachment'].includes(d.kind)).map((d) => yaml.dump(d)).join('---\n'));
  git(work, 'commit', '-q', '-am', 'v2: no VPC');
  git(work, 'remote', 'add', 'origin', bare);
  git(work, 'push', '-q', 'origin', 'main', '--tags');
  git(bare, 'config', 'http.receivepack', 'false');
  server = await startGitHttpServer(root, USER, TOKEN);
});

afterAll(async () => {
  await server.close();
  cleanupDirs();
});

const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root });
/** Options of desiredFabrics. */
const baseOpts = (cacheDir: string): { env: NodeJS.ProcessEnv; cwd: string; gitCacheDir: string } => ({ env: baseEnv(), cwd: root, gitCacheDir: cacheDir });
/** Options of fetchGitSource. */
const fetchOpts = (cacheDir: string, env: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; cwd: string; cacheDir: string } => ({ env: { ...baseEnv(), ...env }, cwd: root, cacheDir });

describe('fetchGitSource (local bare repository)', () => {
  it('checks out a tag, a branch and a commit into a cache keyed by url and ref', async () => {
    const cache = path.join(root, 'cache-1');
    const opts = fetchOpts(cache);
    const tag = await fetchGitSource({ url: bare, ref: 'v1' }, opts);
    expect(tag.commit).toBe(v1Commit);
    expect(tag.dir).toBe(path.join(cache, gitCacheKey(bare, 'v1')));
    expect(readFileSync(path.join(tag.dir, 'fabrics/fabric-1/all.yaml'), 'utf8')).toMatch(/kind: VPC\n/);
    const main = await fetchGitSource({ url: `file://${bare}`, ref: 'main' }, opts);
    expect(main.commit).not.toBe(v1Commit);
    expect(readFileSync(path.join(main.dir, 'fabrics/fabric-1/all.yaml'), 'utf8')).not.toMatch(/kind: VPC\n/);
    const bySha = await fetchGitSource({ url: bare, ref: v1Commit }, opts);
    expect(bySha.commit).toBe(v1Commit);
    // a second fetch reuses the cache directory
    const again = await fetchGitSource({ url: bare, ref: 'v1' }, opts);
    expect(again.dir).toBe(tag.dir);
    expect(cache.startsWith(root)).toBe(true);
  });

  it('reports an unknown ref as a problem of the fabric datafile', async () => {
    const f = fabric('', { source: { kind: 'git', url: bare, ref: 'no-such-tag', path: 'fabrics/fabric-1' } });
    const state = await desiredFabrics([f], createFabricSourceReader(baseOpts(path.join(root, 'cache-2'))));
    expect(state.objects).toEqual([]);
    expect(fabricProblems(state)).toEqual([expect.objectContaining({ file: '/hedgehog/fabric-1.yml', field: 'source.git', message: expect.stringMatching(/cannot fetch git:.*@no-such-tag/) as unknown })]);
  });

  it('builds the desired state of a fabric from its git source at a ref', async () => {
    const f = fabric('', { source: { kind: 'git', url: bare, ref: 'v1', path: 'fabrics/fabric-1' } });
    const state = await desiredFabrics([f], createFabricSourceReader(baseOpts(path.join(root, 'cache-3'))));
    expect(fabricProblems(state)).toEqual([]);
    expect(state.objects).toHaveLength(24);
    expect(state.fabrics[0]?.revision).toBe(v1Commit);
    expect(state.objects[0]?.source).toBe(`git:${bare}@v1:fabrics/fabric-1/all.yaml#0`);
  });
});

describe('git credentials over HTTPS-style auth', () => {
  const url = (): string => `${server.url}/fabric.git`;

  it('passes the token from the environment through askpass, never on the command line', async () => {
    const before = server.stats.authorized;
    const opts = fetchOpts(path.join(root, 'cache-4'), { FABRIC_TOKEN: TOKEN, FABRIC_USER: USER });
    const checkout = await fetchGitSource({ url: url(), ref: 'v1', credentials: { usernameEnv: 'FABRIC_USER', token: { env: 'FABRIC_TOKEN' } } }, opts);
    expect(checkout.commit).toBe(v1Commit);
    expect(server.stats.authorized).toBeGreaterThan(before);
    // nothing of the credentials is stored in the cached clone
    const config = readFileSync(path.join(checkout.dir, '.git', 'config'), 'utf8');
    expect(config).toContain(url());
    expect(config).not.toContain(TOKEN);
    expect(existsSync(path.join(checkout.dir, '.git-credentials'))).toBe(false);
  });

  it('never puts the token on a git command line', async () => {
    // GIVEN a `git` on PATH that logs its argv and then runs the real git
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    const bin = path.join(root, 'logging-bin');
    mkdirSync(bin, { recursive: true });
    const log = path.join(root, 'argv.log');
    writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho "$@" >> '${log}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    const env = { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, FABRIC_TOKEN: TOKEN, FABRIC_USER: USER };
    // WHEN fetching with credentials
    await fetchGitSource({ url: url(), ref: 'v1', credentials: { usernameEnv: 'FABRIC_USER', token: { env: 'FABRIC_TOKEN' } } }, fetchOpts(path.join(root, 'cache-9'), env));
    // THEN git ran, and no argument carried the token
    const argv = readFileSync(log, 'utf8');
    expect(argv).toMatch(/fetch -q --depth 1/);
    expect(argv).not.toContain(TOKEN);
    expect(argv).not.toContain(Buffer.from(`${USER}:${TOKEN}`).toString('base64'));
  });

  it('reads the token from a file', async () => {
    const tokenFile = path.join(root, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const opts = fetchOpts(path.join(root, 'cache-5'), { FABRIC_USER: USER });
    const checkout = await fetchGitSource({ url: url(), ref: 'main', credentials: { usernameEnv: 'FABRIC_USER', token: { file: 'token' } } }, opts);
    expect(checkout.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('fails without credentials and never prompts', async () => {
    const state = await desiredFabrics([fabric('', { source: { kind: 'git', url: url(), ref: 'v1', path: '.' } })], createFabricSourceReader(baseOpts(path.join(root, 'cache-6'))));
    expect(fabricProblems(state)).toEqual([expect.objectContaining({ field: 'source.git', message: expect.stringMatching(/cannot fetch/) as unknown })]);
  });

  it('keeps a wrong token out of every error', async () => {
    const wrong = 'wrong-token-value-987';
    const opts = { ...baseOpts(path.join(root, 'cache-7')), env: { ...baseEnv(), FABRIC_TOKEN: wrong, FABRIC_USER: USER } };
    const f = fabric('', { source: { kind: 'git', url: url(), ref: 'v1', path: '.', credentials: { usernameEnv: 'FABRIC_USER', token: { env: 'FABRIC_TOKEN' } } } });
    const state = await desiredFabrics([f], createFabricSourceReader(opts));
    expect(fabricProblems(state)).toHaveLength(1);
    const text = JSON.stringify(state);
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(Buffer.from(`${USER}:${wrong}`).toString('base64'));
  });

  it('reports a missing token variable without a value', async () => {
    const f = fabric('', { source: { kind: 'git', url: url(), ref: 'v1', path: '.', credentials: { token: { env: 'NOT_SET_TOKEN' } } } });
    const state = await desiredFabrics([f], createFabricSourceReader(baseOpts(path.join(root, 'cache-8'))));
    expect(fabricProblems(state)).toEqual([expect.objectContaining({ message: expect.stringMatching(/NOT_SET_TOKEN is not set/) as unknown })]);
  });
});

describe('scrubSecrets and datafile URLs', () => {
  it('removes URL userinfo and secret values', () => {
    expect(scrubSecrets('fatal: unable to access https://bot:abc123@git.example/x.git/: 403 abc123', ['abc123'])).toBe('fatal: unable to access https://***@git.example/x.git/: 403 ***');
  });

  it('refuses a datafile URL with userinfo, without echoing it', () => {
    const r = parseFabric({
      name: 'f', cluster: { $ref: '/c.yml' },
      source: { git: { url: 'https://bot:hunter22@git.example/fabric.git', ref: 'main' } },
    }, '/hedgehog/f.yml', { clusterNameByPath: () => 'c' });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('hunter22');
    expect(r.ok ? [] : r.problems).toEqual([expect.objectContaining({ field: 'source.git.url', message: expect.stringMatching(/must not contain user info/) as unknown })]);
  });
});

describe('symbolic links in a git source', () => {
  const SECRET = 'TOPSECRET-git-77';
  let repo: string;
  let outside: string;

  beforeAll(() => {
    outside = tempDir({ 'secret.yml': `token: ${SECRET}\n` }, 'kontract-hh-outside-');
    repo = path.join(root, 'links.git');
    git(root, 'init', '-q', '--bare', repo);
    const work = path.join(root, 'links-work');
    mkdirSync(path.join(work, 'fabrics', 'f'), { recursive: true });
    git(work, 'init', '-q');
    writeFileSync(path.join(work, 'fabrics', 'f', 'all.yaml'), sampleDocs().map((d) => yaml.dump(d)).join('---\n'));
    symlinkSync(path.join(outside, 'secret.yml'), path.join(work, 'fabrics', 'f', '99-stolen.yaml'));
    symlinkSync(outside, path.join(work, 'escape'));
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', 'links');
    git(work, 'remote', 'add', 'origin', repo);
    git(work, 'push', '-q', 'origin', 'main');
  });

  it('refuses a file link leaving the checkout and never shows what it points at', async () => {
    const f = fabric('', { source: { kind: 'git', url: repo, ref: 'main', path: 'fabrics/f' } });
    const state = await desiredFabrics([f], createFabricSourceReader(baseOpts(path.join(root, 'cache-links-1'))));
    expect(state.objects).toEqual([]);
    expect(fabricProblems(state)).toEqual([{ file: '/hedgehog/fabric-1.yml', field: 'source.git.path', message: `git:${repo}@main:fabrics/f/99-stolen.yaml is a symbolic link leaving its source (or dangling): not read` }]);
    expect(JSON.stringify(state)).not.toContain(SECRET);
  });

  it('refuses a source path that is a link leaving the checkout', async () => {
    const f = fabric('', { source: { kind: 'git', url: repo, ref: 'main', path: 'escape' } });
    const state = await desiredFabrics([f], createFabricSourceReader(baseOpts(path.join(root, 'cache-links-2'))));
    expect(fabricProblems(state)).toEqual([{ file: '/hedgehog/fabric-1.yml', field: 'source.git.path', message: `fabric directory git:${repo}@main:escape is a symbolic link leaving its source: not read` }]);
    expect(JSON.stringify(state)).not.toContain(SECRET);
  });
});
