/**
 * App-interface datafiles for the integration tests that write their own tree, in qontract's
 * shape: `/openshift/cluster-1.yml` with kontract's connection settings (credentials, CA) in a
 * `/kontract/cluster-1.yml` next to it, and `/openshift/namespace-1.yml` pointing at the cluster
 * and at one app and environment (docs/app-interface.md). The one writer of such files: as a
 * record for writeTree (support/cli.ts) or written to a directory.
 *
 * Usage:
 *   writeCluster(dir, 'prod-1', server, ['kubeconfigContext: prod-1']);        // clusters/prod-1.yml + kontract/prod-1.yml
 *   writeCluster(dir, 'c', server, [`tokenFile: ${file}`], { caPath: caFile });
 *   writeTree(dir, { ...clusterFiles('prod-1', server, ['kubeconfigContext: prod-1']), 'namespaces/ns.yml': namespaceFile('ns', 'prod-1') });
 */
import { writeTree } from './cli.js';

export interface ClusterSettings {
  /** `ca: {path}` of the kontract settings: the apiserver's CA file. */
  readonly caPath?: string;
}

/**
 * A qontract cluster datafile `clusters/<name>.yml` plus its kontract settings `kontract/<name>.yml`
 * (`auth` lines, e.g. `kubeconfigContext: prod-1` or `tokenFile: /path`, and an optional CA), and
 * the app/environment (`/app.yml`, `/env.yml`) a namespace needs: path → content.
 */
export function clusterFiles(name: string, serverUrl: string, auth: readonly string[], settings: ClusterSettings = {}): Record<string, string> {
  return {
    [`clusters/${name}.yml`]: [
      '$schema: /openshift/cluster-1.yml', 'labels: {}', `name: ${name}`, 'description: test cluster', `serverUrl: ${serverUrl}`,
      'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid', 'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []', '',
    ].join('\n'),
    [`kontract/${name}.yml`]: [
      '$schema: /kontract/cluster-1.yml', 'cluster:', `  $ref: /clusters/${name}.yml`, 'auth:', ...auth.map((l) => `  ${l}`),
      ...(settings.caPath === undefined ? [] : ['ca:', `  path: ${settings.caPath}`]), '',
    ].join('\n'),
    'app.yml': '$schema: /app-sre/app-1.yml\nname: app\n',
    'env.yml': '$schema: /app-sre/environment-1.yml\nname: env\n',
  };
}

/** clusterFiles written below `root`. */
export function writeCluster(root: string, name: string, serverUrl: string, auth: readonly string[], settings: ClusterSettings = {}): void {
  writeTree(root, clusterFiles(name, serverUrl, auth, settings));
}

/** The lines of a qontract namespace datafile on `clusters/<cluster>.yml` (no trailing newline). */
export function namespaceLines(name: string, cluster: string): string[] {
  return ['$schema: /openshift/namespace-1.yml', 'labels: {}', `name: ${name}`, 'description: test namespace', 'cluster:', `  $ref: /clusters/${cluster}.yml`,
    'app:', '  $ref: /app.yml', 'environment:', '  $ref: /env.yml'];
}

/** A qontract namespace datafile (namespaceLines plus `extra` lines). */
export function namespaceFile(name: string, cluster: string, extra: readonly string[] = []): string {
  return [...namespaceLines(name, cluster), ...extra, ''].join('\n');
}
