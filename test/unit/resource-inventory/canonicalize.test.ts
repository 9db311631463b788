import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { DESIRED_CANONICAL, canonicalize, canonicalizeAndHash, desiredHash } from '../../../src/resource-inventory/canonicalize.js';
import { fieldChanges } from '../../../src/resource-inventory/diff.js';
import {
  INTEGRATION_LABEL,
  MANAGED_BY_LABEL,
  SHA_ANNOTATION,
  markOwned,
  ownerOf,
  ownershipSelector,
} from '../../../src/resource-inventory/ownership.js';
import { asLive, quota, roleBinding, secret } from './builders.js';

describe(canonicalize, () => {
  it('strips status, server-set metadata, last-applied and ownership marks', () => {
    const live = asLive(markOwned(quota('q', 'ns', { pods: '10' }), 'quotas'));
    live.metadata.annotations = { ...live.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' };
    live.metadata.finalizers = ['x'];
    live.metadata.ownerReferences = [{ kind: 'X' }];
    expect(canonicalize(live)).toEqual({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q', namespace: 'ns', annotations: { keep: 'me' } },
      spec: { hard: { pods: '10' } },
    });
  });

  it('keeps ownerReferences and finalizers when asked (the desired object sets them)', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', finalizers: ['f'], ownerReferences: [{ kind: 'X' }] } };
    expect(canonicalize(obj, { keepFinalizers: true, keepOwnerReferences: true }).metadata).toEqual(obj.metadata);
  });

  it('does not mutate its input', () => {
    const live = asLive(markOwned(quota('q', 'ns', { 'limits.cpu': '1000m' }), 'quotas'));
    const before = structuredClone(live);
    canonicalize(live);
    expect(live).toEqual(before);
  });

  it('normalises quantities at quantity paths only', () => {
    const q = canonicalize(quota('q', 'ns', { 'limits.cpu': '1000m', 'requests.memory': '1024Mi', pods: 10 }));
    expect(q.spec).toEqual({ hard: { 'limits.cpu': '1', 'requests.memory': '1Gi', pods: '10' } });
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { hard: '1000m' } };
    expect(canonicalize(cm).data).toEqual({ hard: '1000m' });
  });

  it('folds Secret stringData into base64 data', () => {
    expect(canonicalize(secret('s', 'ns', { password: 'hunter2' }))).toMatchObject({ data: { password: Buffer.from('hunter2').toString('base64') } });
    expect(canonicalize(secret('s', 'ns', { password: 'hunter2' }))).not.toHaveProperty('stringData');
  });
});

describe(desiredHash, () => {
  it('ignores key order, quantity spelling and ownership marks', () => {
    const a = quota('q', 'ns', { 'limits.cpu': '1', pods: '10' });
    const b: KubeObject = { spec: { hard: { pods: 10, 'limits.cpu': '1000m' } }, metadata: { namespace: 'ns', name: 'q' }, kind: 'ResourceQuota', apiVersion: 'v1' };
    expect(desiredHash(a)).toBe(desiredHash(b));
    expect(desiredHash(markOwned(a, 'quotas'))).toBe(desiredHash(a));
    expect(desiredHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when a desired value changes', () => {
    expect(desiredHash(quota('q', 'ns', { pods: '10' }))).not.toBe(desiredHash(quota('q', 'ns', { pods: '11' })));
  });
});

describe(fieldChanges, () => {
  it('ignores fields only the server sets (defaults)', () => {
    const desired = canonicalize(roleBinding('rb', 'ns', 'view', ['alice']));
    const live = canonicalize(asLive(roleBinding('rb', 'ns', 'view', ['alice']), { extraDefault: { a: 1 } }));
    (live.subjects as Record<string, unknown>[])[0]!.namespace = 'defaulted';
    expect(fieldChanges(live, desired)).toEqual([]);
  });

  it('treats int-or-string and equal quantities as equal', () => {
    const desired: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: '8080' }] } };
    const live: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: '80', targetPort: 8080, protocol: 'TCP' }] } };
    expect(fieldChanges(live, desired)).toEqual([]);
  });

  it('reports a changed value, a missing desired key and a shorter live array', () => {
    const desired = canonicalize(roleBinding('rb', 'ns', 'edit', ['alice', 'bob']));
    desired.metadata.labels = { team: 'a' };
    const live = canonicalize(roleBinding('rb', 'ns', 'view', ['alice']));
    expect(fieldChanges(live, desired).map((c) => [c.path, c.op])).toEqual([
      ['metadata.labels', 'add'],
      ['roleRef.name', 'replace'],
      ['subjects.1', 'add'],
    ]);
  });

  it('skips ignoreFields, with * matching one segment', () => {
    const desired = canonicalize(roleBinding('rb', 'ns', 'edit', ['alice']));
    const live = canonicalize(roleBinding('rb', 'ns', 'view', ['carol']));
    expect(fieldChanges(live, desired, { ignoreFields: ['roleRef', 'subjects.*.name'] })).toEqual([]);
  });
});

describe('ownership marks', () => {
  it('markOwned adds the labels and the sha annotation on a copy', () => {
    const obj = quota('q', 'ns', { pods: '1' });
    const marked = markOwned(obj, 'quotas');
    expect(marked.metadata.labels).toEqual({ [MANAGED_BY_LABEL]: 'kontract', [INTEGRATION_LABEL]: 'quotas' });
    expect(marked.metadata.annotations?.[SHA_ANNOTATION]).toBe(desiredHash(obj));
    expect(obj.metadata.labels).toBeUndefined();
    expect(ownerOf(marked)).toBe('quotas');
    expect(ownershipSelector('quotas')).toBe('kontract.io/integration=quotas');
  });

  it('ownerOf needs the managed-by label too', () => {
    const obj = quota('q', 'ns', { pods: '1' });
    obj.metadata.labels = { [INTEGRATION_LABEL]: 'quotas' };
    expect(ownerOf(obj)).toBeUndefined();
    expect(ownerOf(quota('q', 'ns', {}))).toBeUndefined();
  });
});

describe(canonicalizeAndHash, () => {
  it('gives the same canonical form and sha as canonicalize + desiredHash (key order, index keys, marks, stringData, status)', () => {
    const objects: KubeObject[] = [
      { kind: 'ConfigMap', apiVersion: 'v1', metadata: { namespace: 'ns', name: 'a', labels: { z: '1', [MANAGED_BY_LABEL]: 'kontract', a: '2' } }, data: { b: '1', a: '2', '10': 'x', '9': 'y', '': 'e' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns', annotations: { [SHA_ANNOTATION]: 'x', k: 'v' } }, stringData: { z: 'zz', a: 'aa' }, data: { m: 'bQ==' }, type: 'Opaque' },
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns', uid: 'u', resourceVersion: '1' }, spec: { hard: { memory: '1024Mi', cpu: '1000m' } }, status: { used: {} } },
      { apiVersion: 'v1', kind: 'List', metadata: { name: 'l' }, items: [{ metadata: { name: 'n' }, kind: 'K', apiVersion: 'v1', b: null, a: [{ '2': 1, '1': 2 }] }] },
      { apiVersion: 'v1', kind: 'NoMeta' } as unknown as KubeObject,
    ];
    for (const o of objects) {
      const { canonical, sha } = canonicalizeAndHash(o, DESIRED_CANONICAL);
      expect(canonical).toEqual(canonicalize(o, DESIRED_CANONICAL));
      expect(sha).toBe(desiredHash(o));
    }
  });
});
