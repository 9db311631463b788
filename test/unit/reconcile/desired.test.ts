import { describe, expect, it } from 'vitest';
import type { AppInterfaceData, Cluster } from '../../../src/app-interface/model.js';
import type { KubeObject, ManagedKind } from '../../../src/core/k8s-object.js';
import { defineIntegration } from '../../../src/integrations/define-integration.js';
import type { DesiredObject, DesiredState } from '../../../src/integrations/define-integration.js';
import { blockedUnitError, buildWork, checkDesired, dataProblems } from '../../../src/reconcile/desired.js';
import { createScope } from '../../../src/reconcile/scope.js';

const CM: ManagedKind = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, order: 50 };
const NS: ManagedKind = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, order: 10 };

const cluster = (name: string, disabled: string[] = []): Cluster => ({
  path: `/${name}.yml`, name, description: '', serverUrl: 'https://x', auth: { kind: 'tokenEnv', env: 'T' }, insecureSkipTLSVerify: false, disabledIntegrations: disabled, labels: {},
});
const data = (clusters: Cluster[]): AppInterfaceData => ({ sha: 's', clusters, namespaces: [], quotas: [], limitRanges: [], roles: [], users: [], bots: [], tenants: [] });
const cm = (ns: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns } });
const nsObj = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const on = (c: string, object: KubeObject): DesiredObject => ({ cluster: c, object, source: '/src.yml' });

function integration(state: Partial<DesiredState> & { objects: DesiredObject[] }) {
  return defineIntegration({ name: 'it', summary: '', kinds: [CM, NS], buildDesired: () => ({ problems: [], ...state }) });
}

describe('buildWork', () => {
  it('skips clusters that disable the integration and keeps them out of the covered clusters', async () => {
    const i = integration({ objects: [on('a', cm('n', 'x')), on('b', cm('n', 'x'))] });
    const [w] = await buildWork([i], data([cluster('a'), cluster('b', ['it'])]), createScope({}));
    expect(w!.clusters.map((c) => c.name)).toEqual(['a']);
    expect(w!.desired.map((d) => d.cluster)).toEqual(['a']);
  });

  it('drops desired objects in excluded namespaces, including the Namespace object itself', async () => {
    const i = integration({ objects: [on('a', cm('ext', 'x')), on('a', nsObj('ext')), on('a', cm('mine', 'y'))], excludedNamespaces: new Map([['a', new Set(['ext'])]]) });
    const [w] = await buildWork([i], data([cluster('a')]), createScope({}));
    expect(w!.desired.map((d) => `${d.kind.kind}/${d.object.metadata.name}`)).toEqual(['ConfigMap/y']);
  });

  it('applies --cluster and --namespace to desired objects', async () => {
    const i = integration({ objects: [on('a', cm('n1', 'x')), on('a', cm('n2', 'y')), on('b', cm('n1', 'z'))] });
    const [w] = await buildWork([i], data([cluster('a'), cluster('b')]), createScope({ clusters: ['a'], namespaces: ['n1'] }));
    expect(w!.desired.map((d) => d.object.metadata.name)).toEqual(['x']);
    expect(w!.clusters.map((c) => c.name)).toEqual(['a']);
  });

  it('collects data problems of all integrations and unknown clusters into one ValidationError', async () => {
    const a = integration({ objects: [on('nowhere', cm('n', 'x'))] });
    const b = defineIntegration({ name: 'b', summary: '', kinds: [CM], buildDesired: () => ({ objects: [], problems: [{ file: '/b.yml', field: 'f', message: 'bad' }] }) });
    await expect(buildWork([a, b], data([cluster('a')]), createScope({}))).rejects.toMatchObject({
      code: 'E_VALIDATION', problems: [{ file: '/src.yml', message: expect.stringContaining('unknown cluster nowhere') as unknown }, { file: '/b.yml' }],
    });
  });

  it('rejects an object of a kind the integration does not declare', async () => {
    const i = integration({ objects: [on('a', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' } })] });
    await expect(buildWork([i], data([cluster('a')]), createScope({}))).rejects.toMatchObject({ code: 'E_DESIRED_STATE' });
  });

  it('hands the run environment to buildDesired, logs warnings and keeps the state only for observe hooks', async () => {
    const seen: { env: NodeJS.ProcessEnv; cwd: string; now: Date }[] = [];
    const logged: string[] = [];
    const warn = { file: '/w.yml', field: 'metadata.labels', message: 'stripped' };
    const withHook = defineIntegration({
      name: 'hooked', summary: '', kinds: [CM],
      buildDesired: (ctx) => { seen.push({ env: ctx.env, cwd: ctx.cwd, now: ctx.now }); return { objects: [], problems: [], warnings: [warn] }; },
      observe: () => undefined,
    });
    const now = new Date('2026-01-01T00:00:00Z');
    const reporter = { log: (_l: string, m: string) => { logged.push(m); }, result: () => undefined };
    const [h, plain] = await buildWork([withHook, integration({ objects: [] })], data([cluster('a')]), createScope({}), { env: { X: '1' }, cwd: '/base', now, reporter });
    expect(seen).toEqual([{ env: { X: '1' }, cwd: '/base', now }]);
    expect(logged).toEqual(['hooked: /w.yml metadata.labels: stripped']);
    expect(h!.warnings).toEqual([warn]);
    expect(h!.state).toBeDefined();
    expect(plain!.state).toBeUndefined();
  });
});

describe('blocked units', () => {
  it('withhold a whole cluster (not covered, nothing desired there) or some namespaces (excluded), and keep the rest', async () => {
    const problem = { file: '/u.yml', field: 'f', message: 'broken' };
    const i = integration({
      objects: [on('a', cm('n1', 'x')), on('b', cm('n1', 'y')), on('b', cm('n2', 'z'))],
      blocked: [{ unit: 'unit a', cluster: 'a', problems: [problem] }, { unit: 'unit b', cluster: 'b', namespaces: ['n1'], problems: [problem] }],
    });
    const [w] = await buildWork([i], data([cluster('a'), cluster('b')]), createScope({}));
    expect(w!.clusters.map((c) => c.name)).toEqual(['b']);
    expect(w!.desired.map((d) => d.object.metadata.name)).toEqual(['z']);
    expect(w!.excludedNamespaces.get('b')).toEqual(new Set(['n1']));
    expect(w!.blocked.map((u) => u.unit)).toEqual(['unit a', 'unit b']);
  });

  it('an object the apiserver would reject blocks its own namespace only, and is reported by checkDesired', async () => {
    const bad: KubeObject = { ...cm('n1', 'x'), metadata: { name: 'x', namespace: 'n1', labels: { team: 'a'.repeat(70) } } };
    const i = integration({ objects: [on('a', bad), on('a', cm('n1', 'y')), on('a', cm('n2', 'z'))] });
    const [w] = await buildWork([i], data([cluster('a')]), createScope({}));
    expect(w!.desired.map((d) => d.object.metadata.name)).toEqual(['z']);
    expect(w!.blocked).toEqual([{ unit: 'ConfigMap n1/x', cluster: 'a', namespaces: ['n1'], problems: [{ file: '/src.yml', field: '', message: expect.stringMatching(/^ConfigMap n1\/x on cluster a: metadata\.labels\.team: .*got 70/) as unknown }] }]);
    const checked = await checkDesired([i], data([cluster('a')]));
    expect(dataProblems(checked)).toHaveLength(1);
  });

  it('become one object-only run error each, naming the unit and its problems', () => {
    expect(blockedUnitError('it', { unit: 'fabric f', cluster: 'a', problems: [{ file: '/f.yml', field: 'source', message: 'gone' }] })).toEqual({
      cluster: 'a', code: 'E_VALIDATION', objectOnly: true, message: 'it: fabric f withheld (nothing of it is created, updated or deleted): /f.yml source: gone',
    });
  });
});
