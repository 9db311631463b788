/**
 * App-interface datafiles for the integration tests that run the CLI, in qontract's shape:
 * `/openshift/cluster-1.yml` with kontract's connection settings (credentials, CA) in a
 * `/kontract/cluster-1.yml` next to it, and `/openshift/namespace-1.yml` pointing at the cluster
 * and at one app and environment (docs/app-interface.md).
 *
 * Usage:
 *   writeCluster(dir, 'prod-1', server, ['kubeconfigContext: prod-1']);        // clusters/prod-1.yml + kontract/prod-1.yml
 *   writeCluster(dir, 'c', server, [`tokenFile: ${file}`], { caPath: caFile });
 *   writeFileSync(join(dir, 'namespaces', 'ns.yml'), [...namespaceLines('ns', 'prod-1'), ''].join('\n'));
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClusterSettings {
  /** `ca: {path}` of the kontract settings: the apiserver's CA file. */
  readonly caPath?: string;
}

/**
 * A qontract cluster datafile `clusters/<name>.yml` plus its kontract settings `kontract/<name>.yml`
 * (`auth` lines, e.g. `kubeconfigContext: prod-1` or `tokenFile: /path`, and an optional CA), and
 * the app/environment (`/app.yml`, `/env.yml`) a namespace needs.
 */
export function writeCluster(root: string, name: string, serverUrl: string, auth: readonly string[], settings: ClusterSettings = {}): void {
  mkdirSync(join(root, 'clusters'), { recursive: true });
  mkdirSync(join(root, 'kontract'), { recursive: true });
  writeFileSync(join(root, 'clusters', `${name}.yml`), [
    '$schema: /openshift/cluster-1.yml', 'labels: {}', `name: ${name}`, 'description: test cluster', `serverUrl: ${serverUrl}`,
    'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid', 'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []', '',
  ].join('\n'));
  writeFileSync(join(root, 'kontract', `${name}.yml`), [
    '$schema: /kontract/cluster-1.yml', 'cluster:', `  $ref: /clusters/${name}.yml`, 'auth:', ...auth.map((l) => `  ${l}`),
    ...(settings.caPath === undefined ? [] : ['ca:', `  path: ${settings.caPath}`]), '',
  ].join('\n'));
  writeFileSync(join(root, 'app.yml'), '$schema: /app-sre/app-1.yml\nname: app\n');
  writeFileSync(join(root, 'env.yml'), '$schema: /app-sre/environment-1.yml\nname: env\n');
}

/** The lines of a qontract namespace datafile on `clusters/<cluster>.yml` (no trailing newline). */
export function namespaceLines(name: string, cluster: string): string[] {
  return ['$schema: /openshift/namespace-1.yml', 'labels: {}', `name: ${name}`, 'description: test namespace', 'cluster:', `  $ref: /clusters/${cluster}.yml`,
    'app:', '  $ref: /app.yml', 'environment:', '  $ref: /env.yml'];
}
