/**
 * kontract and qontract's GraphQL interface, checked against ../shared/qontract (qontract-schemas'
 * graphql-schemas/schema.yml and the queries qontract-reconcile 0.10.1 sends):
 *  - every query kontract's GraphQL client sends for a qontract kind is valid against qontract's
 *    own GraphQL schema (parsed and built with graphql-js);
 *  - every qontract-reconcile query is valid against what `kontract serve` serves, with its own
 *    schema and with `--graphql-schema` qontract's, and kontract serve answers each over the sample;
 *  - the `filter` argument and the other qontract-server resolver rules, on a small schema.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execute, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readGraphqlSchemaFile } from '../../../src/app-interface/bundle.js';
import { kindQueries } from '../../../src/app-interface/graphql-client.js';
import { kontractGraphqlConfs } from '../../../src/app-interface/graphql-confs.js';
import type { QontractContext, QontractGraphqlSchema, QontractStore, StoredDatafile } from '../../../src/app-interface/qontract-schema.js';
import { buildQontractSchema, confsOf } from '../../../src/app-interface/qontract-schema.js';
import { startAppInterfaceServer } from '../../../src/app-interface/server.js';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { errorMessage, isKontractError } from '../../../src/core/errors.js';
import { sharedQontract } from '../../support/shared-data.js';

const EMPTY: QontractStore = { datafiles: new Map(), resources: new Map() };
const QUERIES = sharedQontract('queries', 'qontract-reconcile-0.10.1');

async function qontractSchemaDoc(): Promise<QontractGraphqlSchema> {
  return readGraphqlSchemaFile(sharedQontract('graphql-schemas', 'schema.yml'));
}

describe('kontract\'s client queries against qontract\'s GraphQL schema', () => {
  it('every typed query kontract sends for a qontract kind validates', async () => {
    const doc = await qontractSchemaDoc();
    const schema = buildQontractSchema(doc, EMPTY);
    const qontractKinds = new Set(confsOf(doc).find((c) => c.name === 'Query')?.fields.flatMap((f) => (f.datafileSchema === undefined ? [] : [f.datafileSchema])));
    const queries = kindQueries().filter((q) => qontractKinds.has(q.kind.schema));
    expect(queries.map((q) => q.kind.graphqlField).sort()).toEqual(expect.arrayContaining(['clusters_v1', 'namespaces_v1', 'roles_v1', 'users_v1']));
    for (const q of queries) {
      expect({ kind: q.kind.schema, errors: validate(schema, parse(`{ ${q.field} }`)).map((e) => e.message) }).toEqual({ kind: q.kind.schema, errors: [] });
    }
  });

  it('the introspection, resources and resources-by-schema queries validate', async () => {
    const schema = buildQontractSchema(await qontractSchemaDoc(), EMPTY);
    for (const q of [
      'query QueryFields { __type(name: "Query") { fields { name args { name } } } }',
      'query Resources { resources_v1 { path content sha256sum } }',
      'query AppInterface($s0: String) { r0: resources_v1(schema: $s0) { path content sha256sum } }',
    ]) expect(validate(schema, parse(q)).map((e) => e.message)).toEqual([]);
  });
});

describe('qontract-reconcile\'s queries against kontract serve\'s schema', () => {
  const files = readdirSync(QUERIES).filter((f) => f.endsWith('.graphql')).sort();

  it.each(files)('%s validates against the schema served with --graphql-schema qontract-schemas/schema.yml', async (file) => {
    const schema = buildQontractSchema(await qontractSchemaDoc(), EMPTY);
    expect(validate(schema, parse(readFileSync(join(QUERIES, file), 'utf8'))).map((e) => e.message)).toEqual([]);
  });

  it.each(files)('%s validates against kontract serve\'s own schema (no --graphql-schema)', (file) => {
    const schema = buildQontractSchema(kontractGraphqlConfs(), EMPTY);
    expect(validate(schema, parse(readFileSync(join(QUERIES, file), 'utf8'))).map((e) => e.message)).toEqual([]);
  });

  it('kontract serve over the sample directory answers every query with its own schema, without errors', async () => {
    const sample = new URL('../../../app-interface-sample', import.meta.url).pathname;
    const s = await startAppInterfaceServer({ source: { kind: 'dir', path: sample }, port: 0, watch: false });
    try {
      for (const file of files) {
        const query = readFileSync(join(QUERIES, file), 'utf8');
        const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
        const body = await res.json() as { data?: Record<string, unknown[]>; errors?: unknown };
        expect({ file, status: res.status, errors: body.errors }).toEqual({ file, status: 200, errors: undefined });
        expect(Object.values(body.data ?? {}).every(Array.isArray)).toBe(true);
      }
    } finally {
      await s.close();
    }
  });

  it('kontract\'s own schema is qontract-server loadable: datafile types implement DatafileObject_v1', () => {
    const confs = confsOf(kontractGraphqlConfs());
    expect(confs.find((c) => c.name === 'DatafileObject_v1')?.isInterface).toBe(true);
    const query = confs.find((c) => c.name === 'Query');
    expect(query?.fields.find((f) => f.name === 'namespaces_v1')).toEqual({ name: 'namespaces_v1', type: 'Namespace_v1', isList: true, datafileSchema: '/openshift/namespace-1.yml' });
    const schema = buildQontractSchema(kontractGraphqlConfs(), EMPTY);
    expect(schema.getType('Namespace_v1')?.toString()).toBe('Namespace_v1');
  });
});

describe('qontract-server resolver rules', () => {
  const doc: QontractGraphqlSchema = {
    $schema: '/app-interface/graphql-schemas-1.yml',
    confs: [
      { name: 'DatafileObject_v1', isInterface: true, interfaceResolve: { strategy: 'schema' }, fields: [{ name: 'path', type: 'string', isRequired: true }, { name: 'schema', type: 'string', isRequired: true }] },
      { name: 'Cluster_v1', datafile: '/c-1.yml', fields: [
        { name: 'path', type: 'string', isRequired: true }, { name: 'schema', type: 'string', isRequired: true },
        { name: 'name', type: 'string', isSearchable: true }, { name: 'labels', type: 'json' },
        { name: 'auth', type: 'Auth_v1', isInterface: true, isList: true },
        { name: 'namespaces', type: 'Namespace_v1', isList: true, synthetic: { schema: '/n-1.yml', subAttr: 'cluster' } },
      ] },
      { name: 'Auth_v1', isInterface: true, interfaceResolve: { strategy: 'fieldMap', field: 'service', fieldMap: { 'github-org': 'AuthGithub_v1', oidc: 'AuthOidc_v1' } }, fields: [{ name: 'service', type: 'string', isRequired: true }] },
      { name: 'AuthGithub_v1', interface: 'Auth_v1', fields: [{ name: 'service', type: 'string', isRequired: true }, { name: 'org', type: 'string' }] },
      { name: 'AuthOidc_v1', interface: 'Auth_v1', fields: [{ name: 'service', type: 'string', isRequired: true }, { name: 'issuer', type: 'string' }] },
      { name: 'Namespace_v1', datafile: '/n-1.yml', fields: [
        { name: 'path', type: 'string', isRequired: true }, { name: 'schema', type: 'string', isRequired: true },
        { name: 'name', type: 'string' }, { name: 'delete', type: 'boolean' }, { name: 'tags', type: 'string', isList: true },
        { name: 'cluster', type: 'Cluster_v1', isRequired: true },
      ] },
      { name: 'Query', fields: [
        { name: 'clusters_v1', type: 'Cluster_v1', isList: true, datafileSchema: '/c-1.yml' },
        { name: 'namespaces_v1', type: 'Namespace_v1', isList: true, datafileSchema: '/n-1.yml' },
      ] },
    ],
  };
  const df = (path: string, body: Record<string, unknown>): [string, StoredDatafile] => [path, { ...body, path, $schema: String(body.$schema) }];
  const store: QontractStore = {
    datafiles: new Map([
      df('/c/a.yml', { $schema: '/c-1.yml', name: 'a', labels: { env: 'prod' }, auth: [{ service: 'github-org', org: 'acme' }, { service: 'oidc', issuer: 'https://sso' }] }),
      df('/c/b.yml', { $schema: '/c-1.yml', name: 'b', auth: [] }),
      df('/n/x.yml', { $schema: '/n-1.yml', name: 'x', tags: ['t1', 't2'], cluster: { $ref: '/c/a.yml' } }),
      df('/n/y.yml', { $schema: '/n-1.yml', name: 'y', delete: true, cluster: { $ref: '/c/a.yml' } }),
      df('/n/z.yml', { $schema: '/n-1.yml', name: 'z', cluster: { $ref: '/c/b.yml' } }),
    ]),
    resources: new Map(),
  };
  const schema = buildQontractSchema(doc, store);
  async function run(query: string): Promise<{ data: unknown; errors: readonly { message: string; extensions?: unknown }[] | undefined; schemas: string[] }> {
    const context: QontractContext = { schemas: [] };
    const r = await execute({ schema, document: parse(query), contextValue: context });
    return { data: r.data, errors: r.errors?.map((e) => ({ message: e.message, extensions: e.extensions })), schemas: context.schemas };
  }
  const names = (r: { data: unknown }): string[] => ((r.data as { namespaces_v1: { name: string }[] }).namespaces_v1).map((n) => n.name);

  it('resolves $refs, answers json as JSON text, and collects the $schemas read', async () => {
    const r = await run('{ namespaces_v1(path: "/n/x.yml") { name schema cluster { name labels } } }');
    expect(r.data).toEqual({ namespaces_v1: [{ name: 'x', schema: '/n-1.yml', cluster: { name: 'a', labels: '{"env":"prod"}' } }] });
    expect(r.schemas).toEqual(['/n-1.yml', '/c-1.yml']);
  });

  it('filters by searchable fields and the filter argument ({ne}, {in}, {filter}, lists)', async () => {
    expect(names(await run('{ namespaces_v1(filter: {delete: {ne: true}}) { name } }'))).toEqual(['x', 'z']);
    expect(names(await run('{ namespaces_v1(filter: {name: {in: ["y", "z"]}}) { name } }'))).toEqual(['y', 'z']);
    expect(names(await run('{ namespaces_v1(filter: {cluster: {filter: {name: "a"}}}) { name } }'))).toEqual(['x', 'y']);
    expect(names(await run('{ namespaces_v1(filter: {tags: ["t1", "t2"]}) { name } }'))).toEqual(['x']);
    expect(names(await run('{ namespaces_v1(filter: {name: "z"}) { name } }'))).toEqual(['z']);
    expect((await run('{ clusters_v1(name: "b") { path } }')).data).toEqual({ clusters_v1: [{ path: '/c/b.yml' }] });
    const bad = await run('{ namespaces_v1(filter: {nope: 1}) { name } }');
    expect(bad.errors?.[0]).toEqual({ message: 'Field "nope" does not exist on type "Namespace_v1"', extensions: { code: 'BAD_FILTER_FIELD', gqlType: 'Namespace_v1' } });
  });

  it('resolves interfaces by a discriminator field and lists back-references (synthetic)', async () => {
    const r = await run('{ clusters_v1(name: "a") { auth { service ... on AuthGithub_v1 { org } ... on AuthOidc_v1 { issuer } } namespaces { name } } }');
    expect(r.data).toEqual({ clusters_v1: [{ auth: [{ service: 'github-org', org: 'acme' }, { service: 'oidc', issuer: 'https://sso' }], namespaces: [{ name: 'x' }, { name: 'y' }] }] });
  });
});

describe('kontract serve endpoints and the GraphQL source\'s limits', () => {
  async function withBundle<T>(bundle: unknown, f: (url: string, sha: string) => Promise<T>): Promise<T> {
    const dir = mkdtempSync(join(tmpdir(), 'kontract-wire-'));
    const file = join(dir, 'bundle.json');
    writeFileSync(file, JSON.stringify(bundle));
    const s = await startAppInterfaceServer({ source: { kind: 'bundle', file }, port: 0 });
    try {
      return await f(s.url, s.sha());
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const cluster = {
    $schema: '/openshift/cluster-1.yml', labels: {}, name: 'c1', serverUrl: 'https://c1.invalid:6443', consoleUrl: 'https://console.c1.invalid', prometheusUrl: 'https://prometheus.c1.invalid',
    elbFQDN: 'elb.c1.invalid', internal: false, auth: [{ service: 'oidc', name: 'sso' }], automationToken: { path: 'kv/c1', field: 'token' }, $file_sha256sum: '0'.repeat(64),
  };
  const minimal = {
    $schema: '/app-interface/graphql-schemas-1.yml',
    confs: [
      { name: 'Cluster_v1', fields: [{ name: 'path', type: 'string', isRequired: true }, { name: 'name', type: 'string', isRequired: true }] },
      { name: 'Query', fields: [{ name: 'clusters_v1', type: 'Cluster_v1', isList: true, datafileSchema: '/openshift/cluster-1.yml' }] },
    ],
  };

  it('answers GET queries, git commit endpoints and healthz; execution errors are HTTP 200 with INTERNAL_SERVER_ERROR', async () => {
    await withBundle({ git_commit: 'f00d', git_commit_timestamp: '1700000000', data: { '/c1.yml': cluster } }, async (url, sha) => {
      const get = await fetch(`${url}/graphql?query=${encodeURIComponent('{ clusters_v1 { name } }')}`);
      expect(get.status).toBe(200);
      expect(await get.json()).toEqual({ data: { clusters_v1: [{ name: 'c1' }] }, extensions: { schemas: ['/openshift/cluster-1.yml'] } });
      expect(await (await fetch(`${url}/git-commit-info`)).json()).toEqual({ commit: 'f00d', timestamp: '1700000000' });
      expect(await (await fetch(`${url}/git-commit/${sha}`)).text()).toBe('f00d');
      expect(await (await fetch(`${url}/git-commit`)).text()).toBe('f00d');
      expect((await fetch(`${url}/git-commit/${'1'.repeat(64)}`)).status).toBe(404);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const missing = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ resources_v1(path: "/nope.yml") { path } }' }) });
      expect(missing.status).toBe(200);
      const body = await missing.json() as { data: unknown; errors: { message: string; extensions: { code: string } }[] };
      expect(body.data).toBeNull();
      expect(body.errors[0]?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(body.errors[0]?.message).toMatch(/Cannot return null for non-nullable field/);
    });
  });

  it('a server with neither kontract\'s queries nor resources_v1(schema:) is a clear E_GRAPHQL, not an HTTP 400', async () => {
    await withBundle({ graphql: minimal, data: { '/c1.yml': cluster } }, async (url) => {
      const attempt = loadAppInterface({ kind: 'graphql', url: `${url}/graphql` });
      await expect(attempt).rejects.toSatisfy((e: unknown) => isKontractError(e) && e.code === 'E_GRAPHQL'
        && /has no .*namespaces_v1.* \(kontract extensions\) and no resources_v1\(schema:\).*kontract serve.*kontract bundle/.test(errorMessage(e)));
    });
  });
});

describe('kontract serve --app-interface DIR --graphql-schema qontract-schemas/schema.yml', () => {
  it('answers qontract-reconcile\'s namespaces query over the sample directory', async () => {
    const sample = new URL('../../../app-interface-sample', import.meta.url).pathname;
    const s = await startAppInterfaceServer({ source: { kind: 'dir', path: sample }, port: 0, watch: false, graphqlSchema: await qontractSchemaDoc() });
    try {
      const query = readFileSync(join(QUERIES, '04_namespaces_minimal__openshift-namespaces.graphql'), 'utf8');
      const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      expect(res.status).toBe(200);
      const body = await res.json() as { data: { namespaces: { name: string; labels: unknown; cluster: { automationToken: unknown } }[] }; errors?: unknown; extensions: { schemas: string[] } };
      expect(body.errors).toBeUndefined();
      expect(body.data.namespaces.map((n) => n.name)).toContain('acme-api');
      expect(typeof body.data.namespaces[0]?.labels).toBe('string'); // qontract's json type: JSON text
      expect(body.extensions.schemas).toEqual(['/openshift/namespace-1.yml', '/openshift/cluster-1.yml']);
    } finally {
      await s.close();
    }
  });
});
