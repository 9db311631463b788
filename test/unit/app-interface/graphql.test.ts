/**
 * The GraphQL source against `serve` started in-process on a loopback port: same data as the YAML
 * source, pinned shas across reloads, bundles, and the bearer token (sent, never in errors).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchSha } from '../../../src/app-interface/graphql-client.js';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import type { AppInterfaceServer } from '../../../src/app-interface/server.js';
import { startAppInterfaceServer } from '../../../src/app-interface/server.js';
import { makeBundle, readSchemasDir } from '../../../src/app-interface/bundle.js';
import { SCHEMAS_DIR } from '../../../src/app-interface/schema-registry.js';
import { readDirSnapshot } from '../../../src/app-interface/snapshot.js';
import { loadAppInterface, sourceFromArgs } from '../../../src/app-interface/source-options.js';
import { errorMessage, isKontractError, isValidationError } from '../../../src/core/errors.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const TOKEN = 'kontract-test-token-7f3a9c';

let work: string;
let dir: string;
let server: AppInterfaceServer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kontract-ai-gql-'));
  dir = join(work, 'data');
  cpSync(SAMPLE, dir, { recursive: true });
  server = await startAppInterfaceServer({ source: { kind: 'dir', path: dir }, port: 0, token: TOKEN, watch: false });
});

afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/**
 * The directory source resolves a fabric's relative `source.directory` against its root (an
 * absolute path the GraphQL client cannot know); expressed relative to `root` again, every field
 * must be equal, including the in-tree files in `resources`.
 */
function comparable(d: AppInterfaceData, root?: string): unknown {
  return {
    ...d,
    fabrics: d.fabrics?.map((f) => (root !== undefined && f.source.kind === 'directory' && isAbsolute(f.source.directory)
      ? { ...f, source: { ...f.source, directory: relative(root, f.source.directory).split(sep).join('/') } }
      : f)),
  };
}

async function post(path: string, query: string, token: string | null = TOKEN): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') === true ? JSON.parse(text) as unknown : text };
}

describe('GraphQL source against kontract serve', () => {
  it('yields the same AppInterfaceData as the YAML directory', async () => {
    const fromDir = await loadAppInterface({ kind: 'dir', path: dir });
    const fromGraphql = await loadAppInterface({ kind: 'graphql', url: `${server.url}/graphql`, token: TOKEN });
    expect(fromGraphql.sha).toBe(fromDir.sha);
    expect(comparable(fromGraphql)).toEqual(comparable(fromDir, dir));
    expect(fromGraphql.namespaces.length).toBeGreaterThanOrEqual(10);
    expect(fromGraphql.fabrics?.map((f) => f.name)).toEqual(['fabric-1']);
    // the fabric's in-tree GitOps directory travels with the data, from both sources
    const tree = fromGraphql.resources?.['/hedgehog/fabric-1.yml'];
    expect(tree?.map((t) => t.directory)).toEqual(['/hedgehog/fabric-1']);
    expect(tree?.[0]?.files.map((f) => f.path)).toEqual([
      '/hedgehog/fabric-1/10-namespaces.yaml', '/hedgehog/fabric-1/15-switchgroups.yaml', '/hedgehog/fabric-1/20-switches.yaml', '/hedgehog/fabric-1/30-servers.yaml',
      '/hedgehog/fabric-1/40-connections.yaml', '/hedgehog/fabric-1/50-vpcs.yaml', '/hedgehog/fabric-1/60-externals.yaml',
    ]);
    expect(tree?.[0]?.files[0]?.content).toBe(readFileSync(join(dir, 'hedgehog/fabric-1/10-namespaces.yaml'), 'utf8'));
    expect(fromGraphql.resources).toEqual(fromDir.resources);
    // openshiftResources travel over GraphQL too (their resource files fetched with resources_v1)
    expect(fromGraphql.namespaces.filter((n) => n.openshiftResources !== undefined).map((n) => n.name)).toEqual(['acme-api', 'acme-web']);
    expect(fromGraphql.namespaces.flatMap((n) => n.openshiftResources ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it('serves non-datafile files and untyped kinds as qontract resources_v1 (path, schema, sha256sum)', async () => {
    const content = readFileSync(join(dir, 'hedgehog/fabric-1/50-vpcs.yaml'), 'utf8');
    const one = await post('/graphql', '{ resources_v1(path: "/hedgehog/fabric-1/50-vpcs.yaml") { path content sha256sum } }');
    expect(one.body).toEqual({ data: { resources_v1: [{
      path: '/hedgehog/fabric-1/50-vpcs.yaml', content, sha256sum: createHash('sha256').update(content).digest('hex'),
    }] }, extensions: { schemas: [] } });
    const fabrics = await post('/graphql', '{ resources_v1(schema: "/kontract/hedgehog/fabric-1.yml") { path schema } }');
    expect(fabrics.body).toEqual({ data: { resources_v1: [{ path: '/hedgehog/fabric-1.yml', schema: '/kontract/hedgehog/fabric-1.yml' }] }, extensions: { schemas: ['/kontract/hedgehog/fabric-1.yml'] } });
  });

  it('answers qontract-shaped queries with nested refs resolved', async () => {
    const { status, body } = await post('/graphql', `{
      namespaces_v1(name: "acme-api") { path name cluster { name serverUrl auth { service } } app { name } environment { name }
        limitRanges { name limits { type default { cpu memory } } } networkPoliciesAllow { name cluster { name } } }
      roles_v1(name: "acme-developers") { users { org_username } access { namespace { name cluster { name } } clusterRole } }
    }`);
    expect(status).toBe(200);
    const data = (body as { data: { namespaces_v1: unknown[]; roles_v1: unknown[] } }).data;
    expect(data.namespaces_v1).toEqual([{
      path: '/openshift/prod-1/namespaces/acme-api.yml', name: 'acme-api',
      cluster: { name: 'prod-1', serverUrl: 'https://prod-1.kontract.invalid:6443', auth: [{ service: 'oidc' }] },
      app: { name: 'acme' },
      environment: { name: 'production' },
      limitRanges: { name: 'default', limits: [{ type: 'Container', default: { cpu: '500m', memory: '512Mi' } }] },
      networkPoliciesAllow: [{ name: 'acme-web', cluster: { name: 'prod-1' } }, { name: 'ingress', cluster: { name: 'prod-1' } }],
    }]);
    // Role_v1.users is the back-reference of the users' `roles` (as qontract-server's synthetic field).
    expect(data.roles_v1).toEqual([{
      users: [{ org_username: 'alice' }, { org_username: 'bob' }],
      access: [
        { namespace: { name: 'acme-web', cluster: { name: 'prod-1' } }, clusterRole: 'edit' },
        { namespace: { name: 'acme-api', cluster: { name: 'prod-1' } }, clusterRole: 'edit' },
        { namespace: { name: 'acme-dev', cluster: { name: 'dev-1' } }, clusterRole: 'admin' },
      ],
    }]);
  });

  it('keeps a pinned sha answering the old data after a reload', async () => {
    const oldSha = await fetchSha({ url: `${server.url}/graphql`, token: TOKEN });
    const file = join(dir, 'tenants/acme.yml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('ACME Corp (web shop and APIs)', 'ACME Corporation'));
    try {
      const r = await server.reload();
      expect(r.changed).toBe(true);
      expect(r.sha).not.toBe(oldSha);
      expect(await fetchSha({ url: `${server.url}/graphql`, token: TOKEN })).toBe(r.sha);
      const q = '{ tenants_v1(name: "acme") { description } }';
      const ext = { schemas: ['/kontract/tenant-1.yml'] };
      expect((await post(`/graphqlsha/${oldSha}`, q)).body).toEqual({ data: { tenants_v1: [{ description: 'ACME Corp (web shop and APIs)' }] }, extensions: ext });
      expect((await post(`/graphqlsha/${r.sha}`, q)).body).toEqual({ data: { tenants_v1: [{ description: 'ACME Corporation' }] }, extensions: ext });
      expect((await post('/graphql', q)).body).toEqual({ data: { tenants_v1: [{ description: 'ACME Corporation' }] }, extensions: ext });
      const loaded = await loadAppInterface({ kind: 'graphql', url: `${server.url}/graphql`, token: TOKEN });
      expect(loaded.sha).toBe(r.sha);
      expect(loaded.tenants.find((t) => t.name === 'acme')?.description).toBe('ACME Corporation');
      expect(server.shas()).toContain(oldSha);
    } finally {
      writeFileSync(file, original);
      await server.reload();
    }
  });

  it('keeps serving the previous snapshot when a reload is invalid', async () => {
    const before = server.sha();
    const file = join(dir, 'tenants/broken.yml');
    writeFileSync(file, '$schema: /kontract/tenant-1.yml\nname: Not_Valid\n');
    try {
      const res = await fetch(`${server.url}/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(503); // qontract-server's answer when the new data cannot be loaded
      expect(await res.text()).toContain('/tenants/broken.yml');
      expect(server.sha()).toBe(before);
    } finally {
      rmSync(file);
    }
  });

  it('sends the token and never shows it in errors', async () => {
    const wrong = 'wrong-token-d41d8cd98f00';
    const attempt = loadAppInterface({ kind: 'graphql', url: `${server.url}/graphql`, token: wrong });
    await expect(attempt).rejects.toSatisfy((e: unknown) => isKontractError(e) && e.code === 'E_GRAPHQL' && errorMessage(e).includes('HTTP 401'));
    const e = await attempt.catch((x: unknown) => x);
    expect(errorMessage(e)).not.toContain(wrong);
    expect(JSON.stringify(e)).not.toContain(wrong);
    expect(String((e as Error).stack)).not.toContain(wrong);
    await expect(loadAppInterface({ kind: 'graphql', url: `${server.url}/graphql` })).rejects.toThrow(/HTTP 401/);
    expect((await post('/graphql', '{ users_v1 { name } }', null)).status).toBe(401);
  });

  it('reports an unknown sha and an unreachable server as E_GRAPHQL', async () => {
    const res = await post(`/graphqlsha/${'0'.repeat(64)}`, '{ users_v1 { name } }');
    expect(res.status).toBe(404);
    expect(res.body).toContain('unknown sha');
    await expect(loadAppInterface({ kind: 'graphql', url: 'http://127.0.0.1:1/graphql', token: TOKEN })).rejects.toSatisfy(
      (e: unknown) => isKontractError(e) && e.code === 'E_GRAPHQL' && !errorMessage(e).includes(TOKEN));
  });

  it('reads the token from --graphql-token-file or KONTRACT_GRAPHQL_TOKEN', async () => {
    const tokenFile = join(work, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    expect(await sourceFromArgs({ graphqlUrl: 'http://x/graphql', graphqlTokenFile: tokenFile, cwd: work, env: {} })).toEqual({ kind: 'graphql', url: 'http://x/graphql', token: TOKEN });
    expect(await sourceFromArgs({ graphqlUrl: 'http://x/graphql', cwd: work, env: { KONTRACT_GRAPHQL_TOKEN: 'from-env' } })).toEqual({ kind: 'graphql', url: 'http://x/graphql', token: 'from-env' });
    await expect(sourceFromArgs({ dir: 'a', graphqlUrl: 'http://x', cwd: work, env: {} })).rejects.toThrow(/exclusive/);
    await expect(sourceFromArgs({ cwd: work, env: {} })).rejects.toThrow(/--app-interface DIR or --graphql-url/);
    const missing = sourceFromArgs({ graphqlUrl: 'http://x', graphqlTokenFile: join(work, 'nope'), cwd: work, env: {} });
    await expect(missing).rejects.toThrow(/ENOENT/);
  });

  it('reloads files replaced by rename (sed -i, editors, git checkout)', async () => {
    const wdir = join(work, 'watched-rename');
    cpSync(join(SAMPLE), wdir, { recursive: true });
    const watched = await startAppInterfaceServer({ source: { kind: 'dir', path: wdir }, port: 0, debounceMs: 50 });
    const until = async (pred: () => boolean): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (!pred() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    const users = async (): Promise<string[]> => (await loadAppInterface({ kind: 'graphql', url: `${watched.url}/graphql` })).users.map((u) => u.orgUsername);
    try {
      const file = join(wdir, 'access/users', readdirSync(join(wdir, 'access/users')).sort()[0] ?? '');
      const before = readFileSync(file, 'utf8');
      const name = /org_username: (\S+)/.exec(before)?.[1] ?? '';
      expect(name).not.toBe('');
      // an editor's atomic save: write a temp file, rename it over the original
      let sha = watched.sha();
      writeFileSync(`${file}.tmp`, before.replace(`org_username: ${name}`, 'org_username: renamed-one'));
      renameSync(`${file}.tmp`, file);
      await until(() => watched.sha() !== sha);
      expect(await users()).toContain('renamed-one');
      // sed -i (GNU sed writes a temp file and renames it)
      sha = watched.sha();
      execFileSync('sed', ['-i', 's/org_username: renamed-one/org_username: renamed-two/', file]);
      await until(() => watched.sha() !== sha);
      expect(await users()).toContain('renamed-two');
    } finally {
      await watched.close();
    }
  });

  it('reloads on file change (debounced)', async () => {
    const wdir = join(work, 'watched');
    cpSync(join(SAMPLE), wdir, { recursive: true });
    const watched = await startAppInterfaceServer({ source: { kind: 'dir', path: wdir }, port: 0, debounceMs: 50 });
    try {
      const first = watched.sha();
      writeFileSync(join(wdir, 'access/users/erin.yml'), '$schema: /access/user-1.yml\nlabels: {}\nname: Erin\norg_username: erin\ngithub_username: erin\n');
      const deadline = Date.now() + 5000;
      while (watched.sha() === first && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(watched.sha()).not.toBe(first);
      const data = await loadAppInterface({ kind: 'graphql', url: `${watched.url}/graphql` });
      expect(data.users.map((u) => u.orgUsername)).toContain('erin');
    } finally {
      await watched.close();
    }
  });
});

describe('serve --bundle', () => {
  it('serves a bundle as kontract bundle writes it ($file_sha256sum, untyped kinds as resources) with the same data', async () => {
    const snap = await readDirSnapshot(SAMPLE);
    const bundle = makeBundle(snap, { schemas: await readSchemasDir(SCHEMAS_DIR), gitCommit: 'c0ffee', gitCommitTimestamp: '1700000000' });
    const namespace = bundle.data['/openshift/prod-1/namespaces/acme-api.yml'];
    expect(namespace?.$file_sha256sum).toBe(createHash('sha256').update(readFileSync(join(SAMPLE, 'openshift/prod-1/namespaces/acme-api.yml'))).digest('hex'));
    expect(bundle.resources['/hedgehog/fabric-1.yml']?.$schema).toBe('/kontract/hedgehog/fabric-1.yml');
    const file = join(work, 'bundle.json');
    writeFileSync(file, JSON.stringify(bundle));
    const s = await startAppInterfaceServer({ source: { kind: 'bundle', file }, port: 0 });
    try {
      const fromBundle = await loadAppInterface({ kind: 'graphql', url: `${s.url}/graphql` });
      const fromDir = await loadAppInterface({ kind: 'dir', path: SAMPLE });
      expect(fromBundle.sha).toBe(s.sha());
      expect(s.sha()).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
      expect(comparable({ ...fromBundle, sha: '' })).toEqual(comparable({ ...fromDir, sha: '' }, SAMPLE));
      expect(fromBundle.resources?.['/hedgehog/fabric-1.yml']?.[0]?.files).toHaveLength(7);
      const info = await fetch(`${s.url}/git-commit-info/${s.sha()}`);
      expect(await info.json()).toEqual({ commit: 'c0ffee', timestamp: '1700000000' });
      expect((await fetch(`${s.url}/git-commit-info/${'0'.repeat(64)}`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('refuses to start on invalid data', async () => {
    const file = join(work, 'bad-bundle.json');
    writeFileSync(file, JSON.stringify({ data: { '/x.yml': { $schema: '/openshift/cluster-1.yml', name: 'x' } } }));
    await expect(startAppInterfaceServer({ source: { kind: 'bundle', file }, port: 0 })).rejects.toSatisfy((e: unknown) => isValidationError(e)
      && e.problems.some((p) => p.file === '/x.yml' && p.field === 'serverUrl'));
  });
});
