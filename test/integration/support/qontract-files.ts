/**
 * App-interface files in qontract's shape for tests that write their own tree: a qontract cluster
 * plus its kontract settings (/kontract/cluster-1.yml: credentials, CA, TLS), and namespaces with
 * the app and environment qontract requires.
 * The record form (for writeTree) of support/app-interface.ts's writeCluster.
 */
import { namespaceLines } from './app-interface.js';

export function clusterFiles(name: string, serverUrl: string, settings: readonly string[]): Record<string, string> {
  return {
    [`clusters/${name}.yml`]: [
      '$schema: /openshift/cluster-1.yml', 'labels: {}', `name: ${name}`, 'description: test cluster', `serverUrl: ${serverUrl}`,
      'consoleUrl: https://console.invalid', 'prometheusUrl: https://prometheus.invalid', 'elbFQDN: https://elb.invalid', 'internal: false', 'auth: []', '',
    ].join('\n'),
    [`kontract/${name}.yml`]: ['$schema: /kontract/cluster-1.yml', 'cluster:', `  $ref: /clusters/${name}.yml`, ...settings, ''].join('\n'),
    'app.yml': '$schema: /app-sre/app-1.yml\nname: app\n',
    'env.yml': '$schema: /app-sre/environment-1.yml\nname: env\n',
  };
}

export function namespaceFile(name: string, cluster: string, extra: readonly string[] = []): string {
  return [...namespaceLines(name, cluster), ...extra, ''].join('\n');
}
