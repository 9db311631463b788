/**
 * resources (qontract's openshift-resources) against real kube-apiservers, through the CLI's run
 * command on an app-interface directory: manifests, Jinja2 templates (jinja2 and
 * extracurlyjinja2), a vault-secret and a Route's TLS from the secrets config file, and a custom
 * kind (Route, from a test-fixture CRD) resolved through discovery.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands/run.js';
import type { Outcome } from '../../../src/cli/exit-codes.js';
import { runInProcess } from '../support/cli.js';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { installCrds } from '../../../src/local-cluster/crds.js';
import { testCluster, testClusters, uniqueName } from '../support/clusters.js';
import { createNamespace, createUnowned, deleteNamespaces, readLive } from './tenant-harness.js';

const C = 'prod-1';
const C2 = 'dev-1';
const ns = uniqueName('it-res');
const ns2 = uniqueName('it-res-b');
const ROUTE_CRD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'route.openshift.io.crd.yml');
/** The Secret value that must never be printed. */
const SECRET_VALUE = `s3cr3t-${uniqueName('v')}`;
const SECRET_VALUE_2 = `an0ther-${uniqueName('v')}`;
let root: string;
/** Every line any run printed or logged (results, logs, metrics files). */
const allOutput: string[] = [];

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

interface Run { outcome: Outcome | undefined; error: unknown; logs: string[]; results: string[]; writes: number }

async function run(args: Record<string, unknown> = {}): Promise<Run> {
  const logs: string[] = [];
  const results: string[] = [];
  let outcome: Outcome | undefined;
  let error: unknown;
  const metricsFile = path.join(root, 'metrics.prom');
  try {
    outcome = await runCommand.run({
      integrations: ['resources'], 'app-interface': root, cluster: [C], namespace: [ns], output: 'json',
      'log-level': 'debug', 'log-format': 'text', 'detailed-exitcode': false, concurrency: 4, shards: 1, 'shard-id': 0,
      'max-deletions': 50, 'take-over': false, 'allow-mass-deletion': false, 'allow-path': [testClusters().dir], 'secrets-config': 'config.toml', 'metrics-file': metricsFile, ...args,
    }, {
      reporter: { log: (_l, m) => { logs.push(m); }, result: (t) => { results.push(t); } },
      env: {}, cwd: root, signal: new AbortController().signal,
    });
  } catch (e) {
    error = e;
  }
  allOutput.push(...logs, ...results, error instanceof Error ? error.message : '');
  try {
    allOutput.push(readFileSync(metricsFile, 'utf8'));
  } catch { /* no metrics written */ }
  const writes = logs.map((l) => /writes=(\d+)/.exec(l)?.[1]).filter((w): w is string => w !== undefined).reduce((n, w) => n + Number(w), 0);
  return { outcome, error, logs, results, writes };
}

interface PlanJson { changes: { action: string; kind: string; name: string; changes: { path: string }[] }[]; recycles?: { kind: string; name: string; because: string }[]; errors: { message: string; cluster?: string }[] }
const planOf = (r: Run): PlanJson => JSON.parse(r.results[0] ?? '{}') as PlanJson;
const changesOf = (r: Run): string[] => planOf(r).changes.map((c) => `${c.action} ${c.kind}/${c.name}`).sort();

interface NsOptions { image: string; port: number; config: string; extra?: string[]; types?: string }

function writeNamespace(o: NsOptions): void {
  write('ns.yml', [
    '$schema: /openshift/namespace-1.yml', 'labels: {}', `name: ${ns}`, 'description: resources test',
    'cluster: {$ref: /cluster.yml}', 'app: {$ref: /app.yml}', 'environment: {$ref: /env.yml}',
    `managedResourceTypes: [${o.types ?? 'ConfigMap, Deployment, Service, Secret, Route'}]`,
    'managedResourceTypeOverrides: [{resource: Deployment, override: Deployment.apps}]',
    'openshiftResources:',
    '- provider: resource',
    '  path: /it/config.yml',
    '  validate_json: true',
    '- provider: resource-template',
    '  path: /it/web.yml.j2',
    `  variables: {image: "${o.image}", replicas: 1}`,
    '- provider: resource',
    '  path: /it/other.yml',
    '- provider: resource-template',
    '  type: extracurlyjinja2',
    '  path: /it/service.yml',
    `  variables: {port: ${o.port}}`,
    '- provider: vault-secret',
    '  path: app-sre/it/db',
    '  version: 1',
    '  name: db',
    '  labels: {tier: db}',
    '- provider: route',
    '  path: /it/route.yml',
    '  vault_tls_secret_path: app-sre/it/tls',
    '  vault_tls_secret_version: 1',
    ...(o.extra ?? []),
    '',
  ].join('\n'));
  write('resources/it/config.yml', [
    'apiVersion: v1', 'kind: ConfigMap',
    'metadata:', '  name: web-config', '  annotations:', '    qontract.recycle: "true"',
    'data:', `  settings.json: '${o.config}'`, '',
  ].join('\n'));
}

function writeSecrets(password: string): void {
  write('config.toml', [
    `[app-sre.creds.kube-configs.${C}]`, `token = "${testCluster(C).adminToken}"`, '',
    `[app-sre.creds.kube-configs.${C2}]`, `token = "${testCluster(C2).adminToken}"`, '',
    '[app-sre.it.db]', 'user = "app"', `password = "${password}"`, '',
    '[app-sre.it.tls]', 'termination = "edge"', 'certificate = "CERT"', '',
  ].join('\n'));
}

function writeTree(): void {
  write('settings.yml', '$schema: /app-interface/app-interface-settings-1.yml\nname: app-interface\nvault: false\n');
  for (const name of [C, C2]) {
    const c = testCluster(name);
    write(`${name}.yml`, [
      '$schema: /openshift/cluster-1.yml', 'labels: {}', `name: ${name}`, `description: the local ${name}`,
      `serverUrl: ${c.server}`, 'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid',
      'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []',
      `automationToken: {path: app-sre/creds/kube-configs/${name}, field: token}`, '',
    ].join('\n'));
    write(`kontract/${name}.yml`, `$schema: /kontract/cluster-1.yml\ncluster: {$ref: /${name}.yml}\nca: {path: ${c.caFile}}\n`);
  }
  // ns.yml refers to /cluster.yml: prod-1.
  write('cluster.yml', readFileSync(path.join(root, `${C}.yml`), 'utf8'));
  rmSync(path.join(root, `${C}.yml`));
  write(`kontract/${C}.yml`, `$schema: /kontract/cluster-1.yml\ncluster: {$ref: /cluster.yml}\nca: {path: ${testCluster(C).caFile}}\n`);
  write('app.yml', '$schema: /app-sre/app-1.yml\nname: app\n');
  write('env.yml', '$schema: /app-sre/environment-1.yml\nname: stage\nparameters: {tier: gold}\n');
  write('resources/it/web.yml.j2', [
    'apiVersion: apps/v1', 'kind: Deployment',
    'metadata:', '  name: web', '  labels:', '    env: {{ resource.namespace.environment.name }}',
    '    cluster: {{ resource.namespace.cluster.name }}',
    'spec:', '  replicas: {{ replicas }}', '  selector: {matchLabels: {app: web}}',
    '  template:', '    metadata: {labels: {app: web}}', '    spec:', '      containers:',
    '      - name: web', '        image: {{ image }}', '        envFrom: [{configMapRef: {name: web-config}}]',
    '        volumeMounts: [{name: db, mountPath: /db}]', '      volumes: [{name: db, secret: {secretName: db}}]', '',
  ].join('\n'));
  write('resources/it/other.yml', [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: other}',
    'spec:', '  replicas: 1', '  selector: {matchLabels: {app: other}}',
    '  template:', '    metadata: {labels: {app: other}}', '    spec: {containers: [{name: other, image: busybox}]}', '',
  ].join('\n'));
  write('resources/it/service.yml', [
    'apiVersion: v1', 'kind: Service', 'metadata: {name: web}',
    'spec:', '  selector: {app: web}', '  ports:', '{{% for p in [port, port + 1] %}}', '  - {name: p{{{ p }}}, port: {{{ p }}}}', '{{% endfor %}}', '',
  ].join('\n'));
  write('resources/it/route.yml', [
    'apiVersion: route.openshift.io/v1', 'kind: Route', 'metadata: {name: web}', 'spec:', '  host: web.example.com', '  to: {kind: Service, name: web}', '',
  ].join('\n'));
}

const live = (kind: string, name: string, apiVersion = 'v1'): Promise<KubeObject | undefined> => readLive(C, { apiVersion, kind, metadata: { name, namespace: ns } });
const templateAnnotations = (o: KubeObject | undefined): Record<string, string> =>
  ((o?.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template?.metadata?.annotations) ?? {};

describe('resources on real clusters', () => {
  beforeAll(async () => {
    await installCrds(testClusters().kubeconfig, C, [ROUTE_CRD]);
    await createNamespace(C, ns);
    root = mkdtempSync(path.join(tmpdir(), 'kontract-resources-'));
    writeTree();
    writeSecrets(SECRET_VALUE);
    writeNamespace({ image: 'nginx:1.27', port: 8080, config: '{"a": 1}' });
  }, 120_000);
  afterAll(async () => {
    await deleteNamespaces(C, [ns]);
    await deleteNamespaces(C2, [ns2]);
    rmSync(root, { recursive: true, force: true });
  });

  it('converges: manifests, templates, the vault-secret and the Route with TLS from the secret', async () => {
    const r = await run();
    expect(r.error).toBeUndefined();
    expect(planOf(r).errors).toEqual([]);
    expect(changesOf(r)).toEqual([
      'create ConfigMap/web-config', 'create Deployment.apps/other', 'create Deployment.apps/web', 'create Route.route.openshift.io/web',
      'create Secret/db', 'create Service/web',
    ]);
    const web = await live('Deployment', 'web', 'apps/v1');
    expect(web?.metadata.labels).toMatchObject({ env: 'stage', cluster: C, 'kontract.io/integration': 'resources' });
    expect((web?.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]?.image).toBe('nginx:1.27');
    const svc = await live('Service', 'web');
    expect((svc?.spec as { ports: { port: number }[] }).ports.map((p) => p.port)).toEqual([8080, 8081]);
    const secret = await live('Secret', 'db');
    expect(secret?.metadata.labels).toMatchObject({ tier: 'db' });
    expect(Buffer.from((secret?.data as Record<string, string>).password ?? '', 'base64').toString()).toBe(SECRET_VALUE);
    const route = await live('Route', 'web', 'route.openshift.io/v1');
    expect((route?.spec as { tls?: unknown }).tls).toEqual({ termination: 'edge', certificate: 'CERT' });
  });

  it('sends no write on a second run, and LISTs each kind once per cluster, not per namespace', async () => {
    const r = await run();
    expect(r.error).toBeUndefined();
    expect(r.outcome).toEqual({ kind: 'ok' });
    expect(changesOf(r)).toEqual([]);
    expect(r.writes).toBe(0);
    // Without --namespace: one LIST per managed kind on prod-1 (5 kinds), whatever the namespaces.
    const all = await run({ namespace: [] });
    expect(changesOf(all)).toEqual([]);
    expect(all.writes).toBe(0);
    const metrics = readFileSync(path.join(root, 'metrics.prom'), 'utf8');
    expect(metrics).toMatch(new RegExp(`kontract_api_requests_total\\{(?=[^}]*\\bcluster="${C}")(?=[^}]*\\bverb="list")[^}]*\\} 5\\b`));
    // Discovery once per group/version the kinds need (v1, apps/v1, route.openshift.io/v1), shared
    // by kind resolution and the served check before the LISTs (src/reconcile/discovery.ts).
    expect(metrics).toMatch(new RegExp(`kontract_api_requests_total\\{(?=[^}]*\\bcluster="${C}")(?=[^}]*\\bverb="discovery")[^}]*\\} 3\\b`));
  });

  it('a template variable change updates exactly the object it renders', async () => {
    writeNamespace({ image: 'nginx:1.28', port: 8080, config: '{"a": 1}' });
    const r = await run();
    expect(r.error).toBeUndefined();
    expect(changesOf(r)).toEqual(['update Deployment.apps/web']);
    expect(r.writes).toBe(1);
  });

  it('recycle: a changed qontract.recycle ConfigMap restarts exactly the Deployment using it (listed, not done, in dry-run)', async () => {
    writeNamespace({ image: 'nginx:1.28', port: 8080, config: '{"a": 2}' });
    const dry = await run({ 'dry-run': true });
    expect(changesOf(dry)).toEqual(['update ConfigMap/web-config']);
    expect(planOf(dry).recycles).toEqual([{ cluster: C, namespace: ns, kind: 'Deployment.apps', name: 'web', because: 'ConfigMap web-config' }]);
    expect(templateAnnotations(await live('Deployment', 'web', 'apps/v1'))['kubectl.kubernetes.io/restartedAt']).toBeUndefined();

    const r = await run();
    expect(r.error).toBeUndefined();
    expect(planOf(r).recycles?.map((x) => x.name)).toEqual(['web']);
    expect(templateAnnotations(await live('Deployment', 'web', 'apps/v1'))['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-/);
    expect(templateAnnotations(await live('Deployment', 'other', 'apps/v1'))['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
    // The restart annotation is not kontract's: the next run is a no-op.
    const again = await run();
    expect(changesOf(again)).toEqual([]);
    expect(again.writes).toBe(0);
  });

  it('a Secret change says which keys changed, never the values', async () => {
    writeSecrets(SECRET_VALUE_2);
    for (const output of ['text', 'markdown']) await run({ 'dry-run': true, output });
    const r = await run();
    expect(changesOf(r)).toEqual(['update Secret/db']);
    expect(planOf(r).changes[0]?.changes.map((c) => c.path)).toEqual(['data.password']);
  });

  it('never touches a kind outside managedResourceTypes, even with kontract labels', async () => {
    const sa = await createUnowned(C, {
      apiVersion: 'v1', kind: 'ServiceAccount',
      metadata: { name: 'foreign', namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'kontract', 'kontract.io/integration': 'resources' } },
    });
    const r = await run();
    expect(changesOf(r)).toEqual([]);
    expect((await live('ServiceAccount', 'foreign'))?.metadata.uid).toBe(sa.metadata.uid);
  });

  it('prunes an owned object of a listed type with nothing desired (bare Kind resolved in its one group)', async () => {
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'stale', namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'kontract', 'kontract.io/integration': 'resources' } }, spec: { maxUnavailable: 1 } };
    await createUnowned(C, pdb);
    const unlisted = await run();
    expect(changesOf(unlisted)).toEqual([]);
    writeNamespace({ image: 'nginx:1.28', port: 8080, config: '{"a": 2}', types: 'ConfigMap, Deployment, Service, Secret, Route, PodDisruptionBudget' });
    const r = await run();
    expect(changesOf(r)).toEqual(['delete PodDisruptionBudget.policy/stale']);
    expect(await readLive(C, pdb)).toBeUndefined();
  });

  it('refuses an unowned object of a managed type without --take-over, adopts it with', async () => {
    await createUnowned(C, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'legacy', namespace: ns }, data: { a: 'old' } });
    write('resources/it/legacy.yml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: legacy}\ndata: {a: new}\n');
    writeNamespace({ image: 'nginx:1.28', port: 8080, config: '{"a": 2}', extra: ['- provider: resource', '  path: /it/legacy.yml'] });
    const refused = await run();
    expect(refused.outcome).toMatchObject({ kind: 'failed' });
    expect(planOf(refused).errors.map((e) => e.message).join('\n')).toContain('legacy');
    expect((await live('ConfigMap', 'legacy'))?.data).toEqual({ a: 'old' });

    const adopted = await run({ 'take-over': true });
    expect(adopted.error).toBeUndefined();
    expect(changesOf(adopted)).toEqual(['update ConfigMap/legacy']);
    expect((await live('ConfigMap', 'legacy'))?.data).toEqual({ a: 'new' });
  });

  it('a kind the cluster does not serve is an error naming the namespace file and kind, on that cluster only', async () => {
    write('resources/it/widget.yml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n');
    write('ns2.yml', [
      '$schema: /openshift/namespace-1.yml', 'labels: {}', `name: ${ns2}`, 'description: unknown kind',
      `cluster: {$ref: /${C2}.yml}`, 'app: {$ref: /app.yml}', 'environment: {$ref: /env.yml}',
      'managedResourceTypes: [Widget.example.com, Gadget.example.com]',
      'openshiftResources:', '- provider: resource', '  path: /it/widget.yml', '',
    ].join('\n'));
    await createNamespace(C2, ns2);
    const r = await run({ cluster: [C, C2], namespace: [ns, ns2] });
    const errors = planOf(r).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]?.cluster).toBe(C2);
    expect(errors[0]?.message).toContain('/ns2.yml');
    expect(errors[0]?.message).toContain('Widget');
    // prod-1 still ran: nothing to do there.
    expect(changesOf(r)).toEqual([]);
    // A listed type no group serves, with nothing desired: a warning, nothing listed.
    expect(r.logs.join('\n')).toContain(`cluster ${C2} serves no kind Gadget.example.com (named in /ns2.yml)`);
    rmSync(path.join(root, 'ns2.yml'));
  });

  it('no output of any run contains a Secret value', () => {
    const text = allOutput.join('\n');
    expect(text.length).toBeGreaterThan(1000);
    for (const v of [SECRET_VALUE, SECRET_VALUE_2]) {
      expect(text).not.toContain(v);
      expect(text).not.toContain(Buffer.from(v).toString('base64'));
    }
  });
});

describe('resources of app-interface-sample on a real cluster (what the demo applies)', () => {
  const SAMPLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'app-interface-sample');
  const VMI_CRD = path.join(SAMPLE, '..', 'deploy', 'crds', 'kubevirt', 'virtualmachineinstances.kubevirt.io.yaml');
  const namespaces = ['acme-web', 'acme-api'];
  const sampleRun = async (args: Record<string, unknown> = {}): Promise<Run> => {
    const r = await runInProcess({
      integrations: ['resources'], 'app-interface': SAMPLE, kubeconfig: testClusters().kubeconfig, cluster: [C], namespace: namespaces,
      'allow-path': [testClusters().dir], 'secrets-config': path.join(SAMPLE, 'secrets', 'config.toml'), ...args,
    }, { cwd: SAMPLE });
    const writes = r.logs.map((l) => /writes=(\d+)/.exec(l)?.[1]).filter((w): w is string => w !== undefined).reduce((n, w) => n + Number(w), 0);
    return { ...r, writes };
  };
  beforeAll(async () => {
    await installCrds(testClusters().kubeconfig, C, [VMI_CRD]);
    for (const n of namespaces) if ((await readLive(C, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } })) === undefined) await createNamespace(C, n);
  }, 120_000);
  afterAll(async () => {
    await deleteNamespaces(C, namespaces);
  });

  it('applies Deployments, Services, ConfigMaps, templates, the vault-secret and a custom resource; a second run sends zero writes', async () => {
    const first = await sampleRun();
    expect(first.error).toBeUndefined();
    expect(planOf(first).errors).toEqual([]);
    expect(changesOf(first)).toEqual([
      'create ConfigMap/platform-info', 'create ConfigMap/platform-info', 'create ConfigMap/web-config', 'create Deployment.apps/web',
      'create Secret/web-db', 'create Service/web', 'create VirtualMachineInstance.kubevirt.io/web-debug',
    ]);
    const info = await readLive(C, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'platform-info', namespace: 'acme-api' } });
    expect(info?.data).toEqual({ namespace: 'acme-api', cluster: C, environment: 'production', support: 'platform@example.com' });
    const second = await sampleRun();
    expect(second.outcome).toEqual({ kind: 'ok' });
    expect(second.writes).toBe(0);
    expect([...first.logs, ...first.results, ...second.logs, ...second.results].join('\n')).not.toContain('demo-password-not-secret');
  });
});

