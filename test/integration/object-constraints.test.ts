/**
 * The apiserver constraints `kontract validate` checks (src/resource-inventory/object-constraints.ts)
 * agree with a real kube-apiserver: each object is sent as a server-side dry-run create and must be
 * refused exactly when the checker reports a problem.
 */
import { ApiException, KubernetesObjectApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/core/k8s-object.js';
import { objectConstraintProblems, TOTAL_ANNOTATION_SIZE_LIMIT } from '../../src/resource-inventory/object-constraints.js';
import { kubeConfigFor } from './support/clusters.js';

const cm = (meta: Partial<KubeObject['metadata']>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', ...meta } });
const quota = (hard: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec: { hard } });
const rb = (name: string): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: 'default' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
});

const CASES: readonly [string, KubeObject][] = [
  ['label value of 63 characters', cm({ labels: { a: 'v'.repeat(63) } })],
  ['label value of 64 characters', cm({ labels: { a: 'v'.repeat(64) } })],
  ['label value with a space', cm({ labels: { a: 'a b' } })],
  ['label key with a prefix', cm({ labels: { 'example.com/team': 'x' } })],
  ['label key with two slashes', cm({ labels: { 'a/b/c': 'x' } })],
  ['annotations of exactly 256 KiB', cm({ annotations: { k: 'v'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT - 1) } })],
  ['annotations one byte over 256 KiB', cm({ annotations: { k: 'v'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT) } })],
  ['upper-case annotation key', cm({ annotations: { 'Example.com/Note': 'x' } })],
  ['ConfigMap name with dots', cm({ name: 'a.b.c' })],
  ['ConfigMap name with upper case', cm({ name: 'Upper' })],
  ['RoleBinding name with colon and upper case', rb('Edit:Team')],
  ['RoleBinding name with a slash', rb('a/b')],
  ['negative quota', quota({ 'requests.cpu': '-1' })],
  ['quota that is not a quantity', quota({ 'requests.memory': '1 Gi' })],
  ['valid quota', quota({ 'requests.cpu': '500m', pods: '10' })],
];

async function apiserverAccepts(obj: KubeObject): Promise<boolean> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfigFor('prod-1'));
  try {
    await api.create(obj, undefined, 'All');
    return true;
  } catch (e) {
    if (e instanceof ApiException && (e.code === 422 || e.code === 400)) return false;
    throw e;
  }
}

describe('objectConstraintProblems agrees with the kube-apiserver', () => {
  it.each(CASES)('%s', async (_what, obj) => {
    const checker = objectConstraintProblems(obj, true).length === 0;
    expect(await apiserverAccepts(obj)).toBe(checker);
  });
});
