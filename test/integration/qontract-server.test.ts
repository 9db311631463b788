/**
 * kontract against the REAL qontract-server (built from ../shared/qontract/server by
 * scripts/build-qontract-server.sh, Node 24):
 *  - it serves `kontract bundle`'s bundle of the sample, and kontract's GraphQL source reads the
 *    same data (namespaces' openshiftResources and their resource files included) and builds the
 *    same desired inventory, `resources` included, as from the YAML directory, both with
 *    kontract's own GraphQL schema and with qontract's (kontract-only kinds then come from
 *    resources_v1);
 *  - every qontract-reconcile query gets the same answer (status and JSON) from `kontract serve`
 *    and from qontract-server on the same bundle;
 *  - the endpoints qontract-reconcile calls answer alike (/sha256, /git-commit-info/<sha>, /reload).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, readGraphqlSchemaFile, readSchemasDir } from '../../src/app-interface/bundle.js';
import type { QontractBundle } from '../../src/app-interface/bundle.js';
import type { AppInterfaceData } from '../../src/app-interface/model.js';
import { SCHEMAS_DIR } from '../../src/app-interface/schema-registry.js';
import { startAppInterfaceServer } from '../../src/app-interface/server.js';
import type { AppInterfaceServer } from '../../src/app-interface/server.js';
import { RESOURCES_DIR, readDirSnapshot } from '../../src/app-interface/snapshot.js';
import type { Snapshot } from '../../src/app-interface/snapshot.js';
import { loadAppInterface } from '../../src/app-interface/source-options.js';
import { INTEGRATIONS } from '../../src/integrations/index.js';
import { buildWork } from '../../src/reconcile/desired.js';
import { createScope } from '../../src/reconcile/scope.js';
import { repoRoot } from '../../src/local-cluster/index.js';
import { startQontractServer } from '../support/qontract-server.js';
import type { QontractServer } from '../support/qontract-server.js';
import { sharedQontract } from '../support/shared-data.js';

const SAMPLE = fileURLToPath(new URL('../../app-interface-sample', import.meta.url));
const QUERIES = sharedQontract('queries', 'qontract-reconcile-0.10.1');

let work: string;
let bundleFile: string;
let real: QontractServer;
let ownBundle: QontractBundle;
let qontractBundle: QontractBundle;
let sample: Snapshot;

/**
 * Loads `bundle` into the real server (it re-reads DATAFILES_FILE on /reload) and returns its sha
 * (sha256 of the file). A bundle it already holds stays addressable but does not become the newest.
 */
async function load(bundle: QontractBundle): Promise<string> {
  const text = JSON.stringify(bundle);
  writeFileSync(bundleFile, text);
  expect(await real.reload()).toBe(200);
  return createHash('sha256').update(text).digest('hex');
}

/** Apollo adds a stack trace to execution errors outside production; kontract does not. */
function withoutStacktraces(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutStacktraces);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'stacktrace').map(([k, x]) => [k, withoutStacktraces(x)]));
}

/** Fabric sources differ only in the absolute directory the YAML source resolves (docs/app-interface.md). */
function comparable(d: AppInterfaceData): unknown {
  return { ...d, sha: '', fabrics: d.fabrics?.map((f) => (f.source.kind === 'directory' ? { ...f, source: { ...f.source, directory: f.source.directory.replace(`${SAMPLE}/`, '') } } : f)) };
}

/** The namespaces with openshiftResources (their own or shared), and how many objects `resources` builds from them. */
function openshiftResourcesOf(d: AppInterfaceData): { namespaces: string[]; entries: number } {
  const withThem = d.namespaces.filter((n) => n.openshiftResources !== undefined);
  return { namespaces: withThem.map((n) => n.name), entries: withThem.reduce((k, n) => k + (n.openshiftResources ?? []).length, 0) };
}

function resourcesDesired(desiredWork: unknown): unknown {
  return (desiredWork as { integration: string }[]).find((w) => w.integration === 'resources');
}

async function desired(data: AppInterfaceData): Promise<unknown> {
  const work = await buildWork(INTEGRATIONS, data, createScope({}), { env: {}, cwd: SAMPLE, now: new Date('2026-01-01T00:00:00Z') });
  return work.map((w) => ({ integration: w.integration.name, desired: w.desired.map((d) => ({ cluster: d.cluster, object: d.object })) }));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kontract-qontract-server-'));
  bundleFile = join(work, 'bundle.json');
  const snap = await readDirSnapshot(SAMPLE);
  sample = snap;
  ownBundle = makeBundle(snap, { schemas: await readSchemasDir(SCHEMAS_DIR), gitCommit: 'a'.repeat(40), gitCommitTimestamp: '1764374400' });
  qontractBundle = makeBundle(snap, {
    schemas: await readSchemasDir(sharedQontract('schemas')), graphql: await readGraphqlSchemaFile(sharedQontract('graphql-schemas', 'schema.yml')),
    gitCommit: 'b'.repeat(40), gitCommitTimestamp: '1764374401',
  });
  writeFileSync(bundleFile, JSON.stringify(ownBundle));
  real = await startQontractServer(bundleFile);
});

afterAll(async () => {
  await real.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('kontract reads the real qontract-server', () => {
  it('serves kontract bundle\'s bundle; the GraphQL source yields the YAML directory\'s data and desired inventory', async () => {
    const sha = await load(ownBundle);
    expect((await (await fetch(`${real.url}/sha256`)).text()).trim()).toBe(sha);
    const fromServer = await loadAppInterface({ kind: 'graphql', url: `${real.url}/graphql` });
    const fromDir = await loadAppInterface({ kind: 'dir', path: SAMPLE });
    expect(fromServer.sha).toBe(sha);
    expect(comparable(fromServer)).toEqual(comparable(fromDir));
    expect(openshiftResourcesOf(fromServer)).toEqual(openshiftResourcesOf(fromDir));
    expect(openshiftResourcesOf(fromDir).namespaces).toEqual(['acme-api', 'acme-web']);
    const [serverWork, dirWork] = [await desired(fromServer), await desired(fromDir)];
    expect(serverWork).toEqual(dirWork);
    expect(openshiftResourcesOf(fromServer).entries).toBeGreaterThanOrEqual(3);
    expect(resourcesDesired(serverWork)).toBeDefined();
    expect((dirWork as { desired: unknown[] }[]).reduce((n, w) => n + w.desired.length, 0)).toBeGreaterThan(20);
  });

  it('reads the same data when the server has qontract\'s own GraphQL schema (kontract-only kinds from resources_v1)', async () => {
    const sha = await load(qontractBundle);
    expect((await (await fetch(`${real.url}/sha256`)).text()).trim()).toBe(sha);
    const fromServer = await loadAppInterface({ kind: 'graphql', url: `${real.url}/graphql` });
    const fromDir = await loadAppInterface({ kind: 'dir', path: SAMPLE });
    expect(comparable(fromServer)).toEqual(comparable(fromDir));
    expect(openshiftResourcesOf(fromServer).entries).toBeGreaterThanOrEqual(3);
    expect(await desired(fromServer)).toEqual(await desired(fromDir));
  });

  it('answers /git-commit-info/<sha> and /reload like kontract serve', async () => {
    const sha = await load(ownBundle);
    const info = await fetch(`${real.url}/git-commit-info/${sha}`);
    expect(info.status).toBe(200);
    expect(await info.json()).toEqual({ commit: 'a'.repeat(40), timestamp: '1764374400' });
    expect((await fetch(`${real.url}/git-commit-info/${'0'.repeat(64)}`)).status).toBe(404);
    writeFileSync(bundleFile, '{ not json');
    const newest = (await (await fetch(`${real.url}/sha256`)).text()).trim();
    expect(await real.reload()).toBe(503);
    expect((await (await fetch(`${real.url}/sha256`)).text()).trim()).toBe(newest);
  });
});

/**
 * A bundle made by the real qontract-bundler (PyPI qontract-validator, scripts/qontract-validator.sh
 * --bundler) from an app-interface in qontract's layout: qontract-kind datafiles under data/, the
 * rest under resources/. `alsoAsResources` lists $schemas copied to resources/ as well.
 */
function qontractBundlerBundle(alsoAsResources: readonly string[]): string {
  const root = mkdtempSync(join(work, 'qontract-layout-'));
  const known = new Set(Object.keys(qontractBundle.schemas));
  for (const [path, text] of sample.texts ?? new Map<string, string>()) {
    if (path.startsWith(`/${RESOURCES_DIR}/`)) { // the sample's resources directory is qontract's resources/
      const to = join(root, 'resources', path.slice(RESOURCES_DIR.length + 2));
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, text);
      continue;
    }
    const schema = /^\$schema: (\S+)$/m.exec(text)?.[1];
    const dirs = schema !== undefined && known.has(schema) ? (alsoAsResources.includes(schema) ? ['data', 'resources'] : ['data']) : ['resources'];
    for (const d of dirs) {
      mkdirSync(dirname(join(root, d, path)), { recursive: true });
      writeFileSync(join(root, d, path), text);
    }
  }
  mkdirSync(join(root, 'resources'), { recursive: true });
  const out = execFileSync(join(repoRoot(), 'scripts', 'qontract-validator.sh'), ['--bundler', sharedQontract('schemas'), sharedQontract('graphql-schemas', 'schema.yml'),
    join(root, 'data'), join(root, 'resources'), 'c'.repeat(40), '1764374402'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
  const file = join(root, 'bundle.json');
  writeFileSync(file, out);
  return file;
}

describe('bundles written by qontract-bundler', () => {
  it('kontract serve --bundle accepts one ($file_sha256sum) and answers qontract-reconcile\'s queries as qontract-server does', async () => {
    const file = qontractBundlerBundle([]);
    const text = readFileSync(file, 'utf8');
    expect(Object.values((JSON.parse(text) as { data: Record<string, { $file_sha256sum?: string }> }).data).every((d) => typeof d.$file_sha256sum === 'string')).toBe(true);
    writeFileSync(bundleFile, text);
    expect(await real.reload()).toBe(200);
    const sha = createHash('sha256').update(text).digest('hex');
    const own = await startAppInterfaceServer({ source: { kind: 'bundle', file }, port: 0 });
    try {
      expect(own.sha()).toBe(sha);
      for (const f of readdirSync(QUERIES).filter((q) => q.endsWith('.graphql')).sort()) {
        const query = readFileSync(join(QUERIES, f), 'utf8');
        const ask = async (base: string): Promise<unknown> => {
          const res = await fetch(`${base}/graphqlsha/${sha}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
          return { status: res.status, body: await res.json() };
        };
        expect({ f, answer: await ask(own.url) }).toEqual({ f, answer: withoutStacktraces(await ask(real.url)) });
      }
    } finally {
      await own.close();
    }
  });

  it('kontract reads one from the real qontract-server when quotas, limit ranges, shared resources and app-interface settings are also resources', async () => {
    // the qontract kinds kontract reads from resources_v1, which makeBundle puts in data and resources alike
    const both = [...new Set(Object.keys(qontractBundle.data).filter((p) => p in qontractBundle.resources).map((p) => qontractBundle.resources[p]?.$schema ?? ''))].sort();
    expect(both).toEqual(['/app-interface/app-interface-settings-1.yml', '/openshift/limitrange-1.yml', '/openshift/quota-1.yml', '/openshift/shared-resources-1.yml']);
    const file = qontractBundlerBundle(both);
    writeFileSync(bundleFile, readFileSync(file, 'utf8'));
    expect(await real.reload()).toBe(200);
    const fromServer = await loadAppInterface({ kind: 'graphql', url: `${real.url}/graphql` });
    const fromDir = await loadAppInterface({ kind: 'dir', path: SAMPLE });
    expect(comparable(fromServer)).toEqual(comparable(fromDir));
  });
});

describe('qontract-reconcile\'s queries: kontract serve and qontract-server answer alike', () => {
  let own: AppInterfaceServer;
  let sha: string;

  beforeAll(async () => {
    sha = await load(qontractBundle);
    const file = join(work, 'kontract-serve-bundle.json');
    writeFileSync(file, JSON.stringify(qontractBundle));
    own = await startAppInterfaceServer({ source: { kind: 'bundle', file }, port: 0 });
  });

  afterAll(async () => {
    await own.close();
  });

  async function ask(base: string, path: string, query: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return { status: res.status, body: await res.json() };
  }

  const files = readdirSync(QUERIES).filter((f) => f.endsWith('.graphql')).sort();

  it('has the query files', () => {
    expect(files.length).toBe(8);
  });

  it.each(files)('%s', async (file) => {
    const query = readFileSync(join(QUERIES, file), 'utf8');
    expect(own.sha()).toBe(sha);
    const theirs = await ask(real.url, `/graphqlsha/${sha}`, query);
    const ours = await ask(own.url, `/graphqlsha/${sha}`, query);
    expect(theirs.status).toBe(200);
    expect(ours).toEqual(withoutStacktraces(theirs));
    const body = ours.body as { data: Record<string, unknown>; errors?: unknown };
    expect(body.errors).toBeUndefined();
    checkAgainstSample(body.data);
  });

  /** The answers hold the sample's data: every namespace, its cluster, quota and peers; every role and its users. */
  function checkAgainstSample(data: Record<string, unknown>): void {
    const raw = new Map([...sample.files.values()].map((f) => [f.path, f.raw as Record<string, unknown>]));
    const bySchema = (schema: string): [string, Record<string, unknown>][] => [...raw.entries()].filter(([, d]) => d.$schema === schema).sort(([a], [b]) => (a < b ? -1 : 1));
    const ref = (v: unknown): Record<string, unknown> | undefined => raw.get((v as { $ref?: string } | undefined)?.$ref ?? '');
    const namespaces = bySchema('/openshift/namespace-1.yml');
    if (Array.isArray(data.namespaces)) {
      const answered = data.namespaces as Record<string, unknown>[];
      expect(answered.map((n) => n.name)).toEqual(namespaces.map(([, n]) => n.name));
      for (const [i, [, n]] of namespaces.entries()) {
        const a = answered[i] ?? {};
        expect((a.cluster as { name: string }).name).toBe(ref(n.cluster)?.name);
        if ('quota' in a) expect((a.quota as { quotas: { name: string }[] } | null)?.quotas.map((q) => q.name) ?? null).toEqual((ref(n.quota)?.quotas as { name: string }[] | undefined)?.map((q) => q.name) ?? null);
        if ('networkPoliciesAllow' in a) expect(((a.networkPoliciesAllow ?? []) as { name: string }[]).map((p) => p.name)).toEqual(((n.networkPoliciesAllow ?? []) as unknown[]).map((p) => ref(p)?.name));
      }
    }
    if (Array.isArray(data.roles)) {
      const answered = data.roles as { name: string; users: { org_username: string }[] }[];
      const roles = bySchema('/access/role-1.yml');
      expect(answered.map((r) => r.name)).toEqual(roles.map(([, r]) => r.name));
      for (const [i, [path]] of roles.entries()) {
        const users = bySchema('/access/user-1.yml').filter(([, u]) => ((u.roles ?? []) as { $ref: string }[]).some((r) => r.$ref === path)).map(([, u]) => u.org_username);
        expect(answered[i]?.users.map((u) => u.org_username)).toEqual(users);
      }
    }
    if ('integrations' in data) expect(data.integrations).toEqual([]); // the sample has no /app-sre/integration-1.yml
    // The sample's app-interface settings (/app-interface/settings.yml, vault: false): every selected
    // field has the datafile's value, null where the datafile has none.
    const settings = bySchema('/app-interface/app-interface-settings-1.yml');
    expect(settings.map(([path]) => path)).toEqual(['/app-interface/settings.yml']);
    for (const key of ['vault_settings', 'settings']) {
      if (!(key in data)) continue;
      const answered = data[key] as Record<string, unknown>[];
      expect(answered.length).toBe(settings.length);
      for (const [i, [, s]] of settings.entries()) {
        const a = answered[i] ?? {};
        expect(a).toEqual(Object.fromEntries(Object.keys(a).map((k) => [k, s[k] ?? null])));
        expect(a.vault).toBe(false);
      }
    }
  }

  it('rejects an invalid query with HTTP 400 on both', async () => {
    const theirs = await ask(real.url, `/graphqlsha/${sha}`, '{ namespaces_v1 { noSuchField } }');
    const ours = await ask(own.url, `/graphqlsha/${sha}`, '{ namespaces_v1 { noSuchField } }');
    expect(theirs.status).toBe(400);
    expect(ours.status).toBe(400);
    expect((ours.body as { errors: { message: string }[] }).errors[0]?.message).toBe((theirs.body as { errors: { message: string }[] }).errors[0]?.message);
  });

  it('filters with the filter argument alike', async () => {
    const q = '{ namespaces_v1(filter: {delete: {ne: true}}) { name cluster { name } } clusters_v1(name: "prod-1") { name } }';
    const theirs = await ask(real.url, `/graphqlsha/${sha}`, q);
    expect(theirs.status).toBe(200);
    expect(await ask(own.url, `/graphqlsha/${sha}`, q)).toEqual(theirs);
  });
});
