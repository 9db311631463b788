/**
 * resources (qontract's openshift-resources), without a cluster: reading and rendering
 * openshiftResources / sharedResources from an app-interface directory, the Jinja2 features that
 * work with nunjucks, the data errors `validate` reports (file, field, template path and line),
 * the secret-backed providers, managedResourceTypes / overrides / names and recycle references.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { renderTemplate } from '../../../src/app-interface/openshift-resources.js';
import { validateCommand } from '../../../src/cli/commands/validate.js';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import type { ValidationProblem } from '../../../src/core/errors.js';
import { ValidationError } from '../../../src/core/errors.js';
import { desiredResources } from '../../../src/integrations/resources/desired.js';
import { resourcesIntegration } from '../../../src/integrations/resources/integration.js';
import { orderOf } from '../../../src/reconcile/discovery.js';
import { isRecycleTrigger, usedByPodSpec } from '../../../src/reconcile/recycle.js';
import { renderJson, renderMarkdown, renderText } from '../../../src/resource-inventory/render/index.js';
import type { Plan, PlannedChange } from '../../../src/resource-inventory/plan.js';
import { configSecretReader } from '../../../src/secrets/index.js';

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function tree(files: Readonly<Record<string, string>>): string {
  root = mkdtempSync(path.join(tmpdir(), 'kontract-res-'));
  const base: Record<string, string> = {
    'cluster.yml': '$schema: /openshift/cluster-1.yml\nlabels: {region: eu}\nname: c1\nserverUrl: https://c1.invalid:6443\nauth: []\nconsoleUrl: https://c.invalid\nprometheusUrl: https://p.invalid\nelbFQDN: e.invalid\ninternal: false\nautomationToken: {path: creds/c1, field: token}\n',
    'app.yml': '$schema: /app-sre/app-1.yml\nname: app\n',
    'env.yml': '$schema: /app-sre/environment-1.yml\nname: stage\nparameters: {tier: gold}\n',
  };
  for (const [rel, text] of Object.entries({ ...base, ...files })) {
    const f = path.join(root, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, text);
  }
  return root;
}

function nsFile(lines: readonly string[], extra: readonly string[] = []): string {
  return [
    '$schema: /openshift/namespace-1.yml', 'labels: {team: a}', 'name: web', 'description: d',
    'cluster: {$ref: /cluster.yml}', 'app: {$ref: /app.yml}', 'environment: {$ref: /env.yml}',
    ...extra, 'openshiftResources:', ...lines, '',
  ].join('\n');
}

async function load(files: Readonly<Record<string, string>>): Promise<AppInterfaceData> {
  return loadAppInterface({ kind: 'dir', path: tree(files) });
}

async function problems(files: Readonly<Record<string, string>>): Promise<readonly ValidationProblem[]> {
  const e = await load(files).then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ValidationError);
  return (e as ValidationError).problems;
}

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: "1"}\n';

describe('reading openshiftResources', () => {
  it('reads a resource from resources/ and pins it to the namespace', async () => {
    const data = await load({ 'ns.yml': nsFile(['- provider: resource', '  path: /app/cm.yml']), 'resources/app/cm.yml': CM });
    const r = data.namespaces[0]?.openshiftResources?.[0];
    expect(r).toMatchObject({ provider: 'resource', path: '/app/cm.yml', object: { kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'web' } } });
  });

  it('renders a template with variables and the namespace/cluster/environment context', async () => {
    const tpl = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ name }}}\ndata:\n  ns: {{ resource.namespace.name }}\n  cluster: {{ resource.namespace.cluster.name }}\n  region: {{ resource.namespace.cluster.labels.region }}\n  env: {{ resource.namespace.environment.name }}\n  tier: "{{ (resource.namespace.environment.parameters | json_to_dict).tier }}"\n  team: {{ resource.namespace.labels.team }}\n  path: {{ resource.path }}\n  nspath: {{ resource.namespace.path }}\n  server: {{ resource.namespace.cluster.serverUrl }}\n  flags: "{{ resource.namespace.delete }} {{ resource.namespace.clusterAdmin }} {{ resource.namespace.managedResourceTypes | join(\',\') }}"\n';
    const data = await load({ 'ns.yml': nsFile(['- provider: resource-template', '  path: /t.yml', '  variables: {name: x}'], ['managedResourceTypes: [ConfigMap, Secret]']), 'resources/t.yml': tpl });
    const r = data.namespaces[0]?.openshiftResources?.[0];
    expect(r?.provider === 'vault-secret' ? undefined : r?.object.data).toEqual({ ns: 'web', cluster: 'c1', region: 'eu', env: 'stage', tier: 'gold', team: 'a', path: '/t.yml', nspath: '/ns.yml', server: 'https://c1.invalid:6443', flags: 'false false ConfigMap,Secret' });
  });

  it('adds the resources of sharedResources files after the namespace\'s own', async () => {
    const data = await load({
      'ns.yml': nsFile(['- provider: resource', '  path: /cm.yml'], ['sharedResources: [{$ref: /shared.yml}]']),
      'shared.yml': '$schema: /openshift/shared-resources-1.yml\nname: s\ndescription: d\nlabels: {}\nopenshiftResources:\n- provider: resource-template\n  path: /t.yml\n  variables: {n: shared}\n',
      'resources/cm.yml': CM,
      'resources/t.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ n }}-{{ resource.namespace.name }}"}\n',
    });
    expect(data.namespaces[0]?.openshiftResources?.map((r) => (r.provider === 'vault-secret' ? r.name : r.object.metadata.name))).toEqual(['cm', 'shared-web']);
  });

  it('reports an undefined variable with the namespace file, field, template path and line', async () => {
    const p = await problems({ 'ns.yml': nsFile(['- provider: resource-template', '  path: /t.yml']), 'resources/t.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ missing.name }}"}\n' });
    expect(p).toEqual([expect.objectContaining({ file: '/ns.yml', field: 'openshiftResources[0].path', message: 'template /t.yml line 3: undefined variable in `missing.name`', line: 10 })]);
  });

  it('kontract validate reports a template error (no cluster in the data is reachable)', async () => {
    const dir = tree({ 'ns.yml': nsFile(['- provider: resource-template', '  path: /t.yml']), 'resources/t.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ nope }}"}\n' });
    const err = await validateCommand.run(
      { 'app-interface': dir, 'log-level': 'info', 'log-format': 'text', 'detailed-exitcode': false },
      { reporter: { log: () => undefined, result: () => undefined }, env: {}, cwd: dir, signal: new AbortController().signal },
    ).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toContain('/ns.yml:10 openshiftResources[0].path: template /t.yml line 3: undefined variable in `nope`');
  });

  it('reports a template syntax error, invalid YAML after rendering and a foreign namespace', async () => {
    const p = await problems({
      'ns.yml': nsFile(['- provider: resource-template', '  path: /syntax.yml', '- provider: resource-template', '  path: /yaml.yml', '- provider: resource', '  path: /other-ns.yml']),
      'resources/syntax.yml': 'a: 1\n{% if %}\n',
      'resources/yaml.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {{ "[a" }}\n',
      'resources/other-ns.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: elsewhere}\n',
    });
    expect(p.map((x) => `${x.file} ${x.field}: ${x.message}`)).toEqual([
      expect.stringMatching(/^\/ns\.yml openshiftResources\[0\]\.path: template \/syntax\.yml line 2: /),
      expect.stringMatching(/^\/ns\.yml openshiftResources\[1\]\.path: template \/yaml\.yml line \d+: invalid YAML: /),
      '/ns.yml openshiftResources[2].path: resource /other-ns.yml: ConfigMap x has metadata.namespace "elsewhere", but the datafile\'s namespace is web',
    ]);
  });

  it('does not follow a symbolic link under resources/', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'kontract-res-outside-'));
    writeFileSync(path.join(outside, 'cm.yml'), CM);
    const dir = tree({ 'ns.yml': nsFile(['- provider: resource', '  path: /link.yml']), 'resources/.keep': '' });
    symlinkSync(path.join(outside, 'cm.yml'), path.join(dir, 'resources', 'link.yml'));
    const e = await loadAppInterface({ kind: 'dir', path: dir }).then(() => undefined, (x: unknown) => x);
    rmSync(outside, { recursive: true, force: true });
    expect((e as ValidationError).problems.map((p) => p.message)).toEqual(['resource /link.yml not found (resources live under the app-interface\'s resources/ directory)']);
  });

  it('reports an unknown provider, a missing resource and validate_json failures', async () => {
    const p = await problems({
      'ns.yml': nsFile(['- provider: prometheus-rule', '  path: /x.yml', '  type: resource', '- provider: resource', '  path: /nope.yml', '- provider: resource', '  path: /cm.yml', '  validate_json: true']),
      'resources/cm.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {ok: "{}", bad: "{x"}\n',
    });
    expect(p.map((x) => `${x.field}: ${x.message}`)).toEqual([
      'openshiftResources[0].provider: unknown provider "prometheus-rule" (kontract supports resource, resource-template, vault-secret, route)',
      'openshiftResources[1].path: resource /nope.yml not found (resources live under the app-interface\'s resources/ directory)',
      'openshiftResources[2].validate_json: resource /cm.yml: invalid JSON under data.bad',
    ]);
  });
});

describe('Jinja2 features (nunjucks)', () => {
  const r = (body: string, vars: Record<string, unknown> = {}, type: 'jinja2' | 'extracurlyjinja2' = 'jinja2'): string => renderTemplate(body, type, vars);
  it.each([
    ['variables and attribute/item access', '{{ a.b }} {{ a["b"] }}', { a: { b: 1 } }, '1 1'],
    ['if / elif / else', '{% if x > 1 %}big{% elif x == 1 %}one{% else %}small{% endif %}', { x: 1 }, 'one'],
    ['for loops with loop.index', '{% for i in l %}{{ loop.index }}{{ i }} {% endfor %}', { l: ['a', 'b'] }, '1a 2b '],
    ['for over dict.items()', '{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}', { d: { a: 1, b: 2 } }, 'a=1;b=2;'],
    ['set', '{% set y = x * 2 %}{{ y }}', { x: 3 }, '6'],
    ['string concatenation ~', '{{ "a" ~ 1 }}', {}, 'a1'],
    ['inline if', '{{ "y" if t else "n" }}', { t: false }, 'n'],
    ['default, upper, lower, replace, trim, join, length, first, sort, int', '{{ u | default("d") }} {{ "a" | upper }} {{ "B" | lower }} {{ "a b" | replace(" ", "_") }} {{ " x " | trim }} {{ l | join(",") }} {{ l | length }} {{ l | first }} {{ l | sort | join }} {{ "4" | int + 1 }}', { l: [3, 1] }, 'd A b a_b x 3,1 2 3 13 5'],
    ['is defined', '{{ u is defined }}', {}, 'false'],
    ['raw', '{% raw %}{{ x }}{% endraw %}', {}, '{{ x }}'],
    ['tojson, b64encode, format, unique', '{{ d | tojson }} {{ "hi" | b64encode }} {{ "%s-%s" | format(1, 2) }} {{ l | unique | join }}', { d: { a: 1 }, l: [1, 1, 2] }, '{"a":1} aGk= 1-2 12'],
    ['qontract filters json_to_dict, yaml_to_dict, urlescape, urlunescape', '{{ (j | json_to_dict).a }} {{ (y | yaml_to_dict).b }} {{ "a b/c" | urlescape }} {{ "a%20b" | urlunescape }}', { j: '{"a":1}', y: 'b: 2' }, '1 2 a%20b/c a b'],
    ['macros', '{% macro m(x) %}<{{ x }}>{% endmacro %}{{ m(1) }}', {}, '<1>'],
    ['one trailing newline dropped (keep_trailing_newline false)', 'a\n', {}, 'a'],
  ])('%s', (_what, body, vars, out) => {
    expect(r(body, vars)).toBe(out);
  });

  it('extracurlyjinja2 uses {{{ }}}, {{% %}} and {{# #}} and leaves {{ }} alone', () => {
    expect(r('{{# c #}}{{% for i in l %}}{{{ i }}}{{% endfor %}} {{ helm }}', { l: [1, 2] }, 'extracurlyjinja2')).toBe('12 {{ helm }}');
  });

  it('does not offer Python string methods on literals or qontract\'s IO functions (vault, github, query, s3)', () => {
    expect(() => r('{{ "ab".startswith("a") }}')).toThrow();
    expect(() => r('{{ vault("p", "k") }}')).toThrow();
    expect(() => r('{% b64encode %}x{% endb64encode %}')).toThrow();
    expect(() => r('{% raise_error "x" %}')).toThrow();
  });
});

describe('desired objects', () => {
  const secrets = configSecretReader({ app: { db: { user: 'app', password: 'pw', cert_qb64: 'Q0VSVA==\n' }, tls: { termination: 'edge', key: 'K', other: 'ignored' } } });

  it('builds a vault-secret Secret (base64 data, _qb64 keys kept as they are, labels, annotations, type)', async () => {
    const data = await load({ 'ns.yml': nsFile(['- provider: vault-secret', '  path: app/db', '  version: 2', '  labels: {a: b}', '  annotations: {qontract.recycle: "true"}', '  type: kubernetes.io/tls'], ['managedResourceTypes: [Secret]']) });
    const state = await desiredResources(data, secrets);
    expect(state.problems).toEqual([]);
    expect(state.objects.map((o) => o.object)).toEqual([{
      apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls',
      metadata: { name: 'db', namespace: 'web', labels: { a: 'b' }, annotations: { 'qontract.recycle': 'true' } },
      data: { user: 'YXBw', password: 'cHc=', cert: 'Q0VSVA==' },
    }]);
  });

  it('names a vault-secret after the last path segment and types it Opaque by default', async () => {
    const data = await load({ 'ns.yml': nsFile(['- provider: vault-secret', '  path: app/db', '  version: 1'], ['managedResourceTypes: [Secret]']) });
    const o = (await desiredResources(data, secrets)).objects[0]?.object;
    expect([o?.metadata.name, o?.type, o?.metadata.labels, o?.metadata.annotations]).toEqual(['db', 'Opaque', undefined, undefined]);
  });

  it('fills a Route\'s spec.tls from the secret (qontract\'s TLS keys only)', async () => {
    const data = await load({
      'ns.yml': nsFile(['- provider: route', '  path: /r.yml', '  vault_tls_secret_path: app/tls', '  vault_tls_secret_version: 1'], ['managedResourceTypes: [Route]']),
      'resources/r.yml': 'apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: r}\nspec: {host: h, tls: {termination: passthrough}}\n',
    });
    const state = await desiredResources(data, secrets);
    expect(state.objects[0]?.object.spec).toEqual({ host: 'h', tls: { termination: 'edge', key: 'K' } });
  });

  it('a missing secret is a problem naming the file and path; without a reader the object is left alone', async () => {
    const data = await load({ 'ns.yml': nsFile(['- provider: vault-secret', '  path: app/nope', '  version: 1'], ['managedResourceTypes: [Secret]']) });
    expect((await desiredResources(data, secrets)).problems).toEqual([expect.objectContaining({ file: '/ns.yml', field: 'openshiftResources[0].path', message: expect.stringContaining('app/nope') as string })]);
    // Without any secret reader (validate, or a run without one): a warning, and the Secret is left alone.
    const none = await desiredResources(data, undefined);
    expect(none.problems).toEqual([]);
    expect(none.objects).toEqual([]);
    expect(none.warnings?.[0]?.message).toContain('no secret reader is configured');
    expect(none.manages?.('c1', 'Secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'nope', namespace: 'web' } })).toBe(false);
  });

  it('checks managedResourceTypes (with overrides) and managedResourceNames; names the kinds to discover', async () => {
    const data = await load({
      'ns.yml': nsFile(
        ['- provider: resource', '  path: /cm.yml', '- provider: resource', '  path: /cm2.yml', '- provider: resource', '  path: /svc.yml', '- provider: resource', '  path: /deploy.yml'],
        ['managedResourceTypes: [ConfigMap, Deployment]', 'managedResourceTypeOverrides: [{resource: Deployment, override: Deployment.apps}]', 'managedResourceNames: [{resource: ConfigMap, resourceNames: [cm]}]'],
      ),
      'resources/cm.yml': CM,
      'resources/cm2.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm2}\n',
      'resources/svc.yml': 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n',
      'resources/deploy.yml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n',
    });
    const state = await desiredResources(data, undefined);
    expect(state.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual(['ConfigMap/cm', 'Deployment/d']);
    expect(state.problems.map((p) => p.message)).toEqual([
      'ConfigMap cm2 (resource /cm2.yml): not among managedResourceNames of ConfigMap in namespace /ns.yml',
      'Service s (resource /svc.yml): kind Service is not in managedResourceTypes of namespace /ns.yml',
    ]);
    expect(state.dynamicKinds).toEqual([{ cluster: 'c1', type: 'ConfigMap', source: '/ns.yml' }, { cluster: 'c1', type: 'Deployment.apps', source: '/ns.yml' }]);
    // Ownership: only managed kinds, namespaces and names.
    const obj = (ns: string, name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns } });
    expect(state.manages?.('c1', 'ConfigMap', obj('web', 'cm'))).toBe(true);
    expect(state.manages?.('c1', 'ConfigMap', obj('web', 'cm2'))).toBe(false);
    expect(state.manages?.('c1', 'ConfigMap', obj('other', 'cm'))).toBe(false);
    expect(state.manages?.('c1', 'Deployment.apps', obj('web', 'd'))).toBe(true);
    expect(state.manages?.('c1', 'Service', obj('web', 's'))).toBe(false);
  });

  it('reports the same object twice (own and shared resources) as a problem', async () => {
    const data = await load({
      'ns.yml': nsFile(['- provider: resource', '  path: /cm.yml'], ['managedResourceTypes: [ConfigMap]', 'sharedResources: [{$ref: /shared.yml}]']),
      'shared.yml': '$schema: /openshift/shared-resources-1.yml\nname: s\ndescription: d\nlabels: {}\nopenshiftResources:\n- provider: resource\n  path: /cm.yml\n',
      'resources/cm.yml': CM,
    });
    const state = await desiredResources(data, undefined);
    expect(state.objects).toHaveLength(1);
    expect(state.problems).toEqual([expect.objectContaining({ file: '/shared.yml', message: 'ConfigMap cm (resource /cm.yml): namespace /ns.yml already has this object from /ns.yml openshiftResources[0]' })]);
  });

  it('one name in another kind or another API group is not the same object; the same kind, group and name twice is', async () => {
    const data = await load({
      'ns.yml': nsFile(['- provider: resource', '  path: /cm.yml', '- provider: resource', '  path: /sa.yml', '- provider: resource', '  path: /d-apps.yml', '- provider: resource', '  path: /d-ext.yml', '- provider: resource', '  path: /d-apps2.yml'],
        ['managedResourceTypes: [ConfigMap, ServiceAccount, Deployment]']),
      'resources/cm.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
      'resources/sa.yml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\n',
      'resources/d-apps.yml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n',
      'resources/d-ext.yml': 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: x}\n',
      'resources/d-apps2.yml': 'apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: x}\n',
    });
    const state = await desiredResources(data, undefined);
    expect(state.objects.map((o) => `${o.object.apiVersion} ${o.object.kind}`)).toEqual(['v1 ConfigMap', 'v1 ServiceAccount', 'apps/v1 Deployment', 'extensions/v1beta1 Deployment']);
    expect(state.problems).toEqual([expect.objectContaining({ file: '/ns.yml', message: 'Deployment x (resource /d-apps2.yml): namespace /ns.yml already has this object from /ns.yml openshiftResources[2]' })]);
  });

  it('orders CRDs, then Namespaces, then cluster-scoped, then namespaced kinds', () => {
    expect([orderOf('apiextensions.k8s.io', 'CustomResourceDefinition', false), orderOf('', 'Namespace', false), orderOf('rbac.authorization.k8s.io', 'ClusterRole', false), orderOf('apps', 'Deployment', true)]).toEqual([0, 10, 20, 50]);
  });

  it('leaves a namespace alone whose document has neither openshiftResources nor sharedResources', async () => {
    const data = await load({ 'ns.yml': nsFile([], ['managedResourceTypes: [ConfigMap]']).replace('openshiftResources:\n', '') });
    expect(data.namespaces[0]?.openshiftResources).toBeUndefined();
    const state = await desiredResources(data, undefined);
    expect(state.dynamicKinds).toEqual([]);
    expect(state.manages?.('c1', 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'web' } })).toBe(false);
  });

  it('is registered with kinds from the data', () => {
    expect(resourcesIntegration.name).toBe('resources');
    expect(resourcesIntegration.kindsFromData).toBe(true);
  });
});

describe('recycle and Secret masking', () => {
  const change = (kind: string, annotations: Record<string, string>, data: Record<string, string>, before: Record<string, string>): PlannedChange => ({
    action: 'update', integration: 'resources', cluster: 'c1', namespace: 'web', kind, name: 'x', order: 50, reason: 'hash differs',
    desired: { apiVersion: 'v1', kind, metadata: { name: 'x', namespace: 'web', annotations }, data },
    current: { apiVersion: 'v1', kind, metadata: { name: 'x', namespace: 'web' }, data: before },
    changes: [{ path: 'data.password', op: 'replace', before: before.password, after: data.password }],
  });

  it('triggers on updated Secrets/ConfigMaps annotated qontract.recycle "true" only', () => {
    expect(isRecycleTrigger(change('Secret', { 'qontract.recycle': 'true' }, {}, {}))).toBe(true);
    expect(isRecycleTrigger(change('ConfigMap', { 'qontract.recycle': 'true' }, {}, {}))).toBe(true);
    expect(isRecycleTrigger(change('Secret', {}, {}, {}))).toBe(false);
    expect(isRecycleTrigger(change('Service', { 'qontract.recycle': 'true' }, {}, {}))).toBe(false);
    expect(isRecycleTrigger({ ...change('Secret', { 'qontract.recycle': 'true' }, {}, {}), action: 'create' })).toBe(false);
  });

  it('finds Secrets and ConfigMaps a pod spec uses (volumes, projected, env, envFrom, init containers)', () => {
    const spec = {
      volumes: [{ name: 'a', secret: { secretName: 's1' } }, { name: 'b', configMap: { name: 'c1' } }, { name: 'p', projected: { sources: [{ secret: { name: 's2' } }, { configMap: { name: 'c2' } }] } }],
      containers: [{ name: 'x', env: [{ name: 'E', valueFrom: { secretKeyRef: { name: 's3', key: 'k' } } }], envFrom: [{ configMapRef: { name: 'c3' } }] }],
      initContainers: [{ name: 'i', envFrom: [{ secretRef: { name: 's4' } }], env: [{ name: 'F', valueFrom: { configMapKeyRef: { name: 'c4', key: 'k' } } }] }],
    };
    expect([...usedByPodSpec(spec, 'Secret')].sort()).toEqual(['s1', 's2', 's3', 's4']);
    expect([...usedByPodSpec(spec, 'ConfigMap')].sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
  });

  it('renders recycles and a Secret change by key, never by value, in text, JSON and Markdown', () => {
    const c = change('Secret', { 'qontract.recycle': 'true' }, { password: Buffer.from('NEW-VALUE').toString('base64') }, { password: Buffer.from('OLD-VALUE').toString('base64') });
    const plan: Plan = {
      version: 1, integrations: ['resources'], dataSha: 'x', changes: [c], withheldDeletions: [], skippedChanges: [], errors: [],
      clusters: [{ cluster: 'c1', reachable: true, read: true, desired: 1, current: 1, create: 0, update: 1, delete: 0, unchanged: 0, withheld: 0, orphaned: 0, notSent: 0, errors: 0, skipped: false }], orphaned: [],
      recycles: [{ cluster: 'c1', namespace: 'web', kind: 'Deployment.apps', name: 'api', because: 'Secret x' }],
    };
    expect(renderJson(plan)).toContain('"path": "data.password"');
    for (const out of [renderText(plan, { color: false }), renderJson(plan), renderMarkdown(plan)]) {
      expect(out).toMatch(/password"?: "?<masked sha256:[0-9a-f]{8}>/);
      expect(out).toMatch(/Deployment\.apps[^\n]*api|"kind": "Deployment\.apps",\n\s*"name": "api"/);
      for (const v of ['NEW-VALUE', 'OLD-VALUE']) {
        expect(out).not.toContain(v);
        expect(out).not.toContain(Buffer.from(v).toString('base64'));
      }
    }
  });
});
