/**
 * Plain-object helpers for integration tests that set up RBAC, service accounts and tokens on a
 * local cluster (as admin): server-side apply with client-node's KubernetesObjectApi, delete, and
 * a service account token through `kubectl create token` (the TokenRequest API).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { kubeConfigFor, testClusters } from './clusters.js';

export interface PlainObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [field: string]: unknown;
}

/** Server-side applies `objects` (field manager `kontract-test`) in order. */
export async function applyObjects(cluster: string, objects: readonly PlainObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfigFor(cluster));
  for (const o of objects) await api.patch<PlainObject>(o, undefined, undefined, 'kontract-test', true, PatchStrategy.ServerSideApply);
}

/** Deletes `objects`, ignoring the ones already gone. */
export async function deleteObjects(cluster: string, objects: readonly PlainObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfigFor(cluster));
  for (const o of [...objects].reverse()) await api.delete(o).catch(() => undefined);
}

/** A bound token of a service account (1 h), via the kubectl of the test binaries. */
export function serviceAccountToken(cluster: string, namespace: string, name: string): Promise<string> {
  const kubectl = join(testClusters().binDir, 'kubectl');
  return new Promise((res, rej) => {
    execFile(kubectl, ['--kubeconfig', testClusters().kubeconfig, '--context', cluster, '-n', namespace, 'create', 'token', name, '--duration', '1h'], (err, stdout, stderr) => {
      if (err !== null) rej(new Error(`kubectl create token: ${stderr}`));
      else res(stdout.trim());
    });
  });
}
