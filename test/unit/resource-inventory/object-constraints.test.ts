import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { objectConstraintProblems, TOTAL_ANNOTATION_SIZE_LIMIT } from '../../../src/resource-inventory/object-constraints.js';

const obj = (over: Partial<KubeObject> & { metadata: KubeObject['metadata'] }, apiVersion = 'v1', kind = 'ConfigMap'): KubeObject => ({ apiVersion, kind, ...over });
const fields = (o: KubeObject, namespaced = true): string[] => objectConstraintProblems(o, namespaced).map((p) => p.field);

describe('objectConstraintProblems (the apiserver\'s rules)', () => {
  it('accepts a well-formed object', () => {
    expect(fields(obj({ metadata: { name: 'a.b-c', namespace: 'ns', labels: { 'example.com/team': 'A_b.c', plain: '' }, annotations: { 'Example.com/Note': 'x' } } }))).toEqual([]);
  });

  it('checks names by kind: Namespace a label, RBAC a path segment, others a subdomain', () => {
    expect(fields(obj({ metadata: { name: 'a.b' } }, 'v1', 'Namespace'), false)).toEqual(['metadata.name']);
    expect(fields(obj({ metadata: { name: 'Edit:Team', namespace: 'n' } }, 'rbac.authorization.k8s.io/v1', 'RoleBinding'))).toEqual([]);
    expect(fields(obj({ metadata: { name: 'a/b', namespace: 'n' } }, 'rbac.authorization.k8s.io/v1', 'RoleBinding'))).toEqual(['metadata.name']);
    expect(fields(obj({ metadata: { name: 'Upper', namespace: 'n' } }, 'kubevirt.io/v1', 'VirtualMachine'))).toEqual(['metadata.name']);
    expect(fields(obj({ metadata: { name: 'x', namespace: 'Bad_NS' } }))).toEqual(['metadata.namespace']);
  });

  it('rejects a 64-character label value (a 63-character one passes) and bad label keys', () => {
    expect(fields(obj({ metadata: { name: 'x', namespace: 'n', labels: { a: 'v'.repeat(63) } } }))).toEqual([]);
    expect(fields(obj({ metadata: { name: 'x', namespace: 'n', labels: { a: 'v'.repeat(64) } } }))).toEqual(['metadata.labels.a']);
    const p = objectConstraintProblems(obj({ metadata: { name: 'x', namespace: 'n', labels: { a: 'v'.repeat(70) } } }), true);
    expect(p).toEqual([{ field: 'metadata.labels.a', message: expect.stringContaining('got 70') as unknown }]);
    expect(fields(obj({ metadata: { name: 'x', namespace: 'n', labels: { 'a/b/c': 'v', '-a': 'v', [`${'p'.repeat(254)}/a`]: 'v' } } }))).toHaveLength(3);
  });

  it('limits the total size of annotations to 256 KiB', () => {
    const at = (n: number): KubeObject => obj({ metadata: { name: 'x', namespace: 'n', annotations: { k: 'v'.repeat(n - 1) } } });
    expect(fields(at(TOTAL_ANNOTATION_SIZE_LIMIT))).toEqual([]);
    expect(fields(at(TOTAL_ANNOTATION_SIZE_LIMIT + 1))).toEqual(['metadata.annotations']);
  });

  it('counts annotation bytes as UTF-8 (a 2-byte character counts twice)', () => {
    // key `k` (1 byte) + n × `é` (2 bytes each)
    const at = (n: number): KubeObject => obj({ metadata: { name: 'x', namespace: 'n', annotations: { k: 'é'.repeat(n) } } });
    const fits = (TOTAL_ANNOTATION_SIZE_LIMIT - 1) / 2;
    expect(fields(at(Math.floor(fits)))).toEqual([]);
    expect(fields(at(Math.floor(fits) + 1))).toEqual(['metadata.annotations']);
    expect(fields(at(1000))).toEqual([]);
  });

  it('gives the same answers however often a string repeats (accepted strings are remembered, problems never)', () => {
    const ns = (name: string): KubeObject => obj({ metadata: { name } }, 'v1', 'Namespace');
    const labelled = (labels: Record<string, string>): KubeObject => obj({ metadata: { name: 'x', namespace: 'n', labels } });
    for (let i = 0; i < 3; i++) {
      expect(fields(ns('team-a'), false)).toEqual([]);
      expect(fields(ns('Team-A'), false)).toEqual(['metadata.name']);
      expect(fields(labelled({ app: 'web' }))).toEqual([]);
      expect(fields(labelled({ 'a/b/c': 'web', app: '-web' }))).toEqual(['metadata.labels.a/b/c', 'metadata.labels.app']);
      expect(fields(obj({ metadata: { name: 'q', namespace: 'n' }, spec: { hard: { cpu: '-1', pods: 10 } } }, 'v1', 'ResourceQuota'))).toEqual(['spec.hard.cpu']);
    }
    // a DNS-1123 subdomain that is not a label: accepted as a ConfigMap name first, still refused as a Namespace name
    expect(fields(obj({ metadata: { name: 'a.b', namespace: 'n' } }))).toEqual([]);
    expect(fields(ns('a.b'), false)).toEqual(['metadata.name']);
  });

  it('checks quantities of quotas, limit ranges and VMs', () => {
    expect(fields(obj({ metadata: { name: 'q', namespace: 'n' }, spec: { hard: { 'requests.cpu': '-1', pods: '10', 'limits.memory': '1 Gi' } } }, 'v1', 'ResourceQuota')))
      .toEqual(['spec.hard.requests.cpu', 'spec.hard.limits.memory']);
    expect(fields(obj({ metadata: { name: 'l', namespace: 'n' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' } }, { type: 'Pod', min: { memory: 'lots' } }] } }, 'v1', 'LimitRange')))
      .toEqual(['spec.limits[1].min.memory']);
    expect(fields(obj({ metadata: { name: 'vm', namespace: 'n' }, spec: { template: { spec: { domain: { memory: { guest: '2GB' } } } } } }, 'kubevirt.io/v1', 'VirtualMachine')))
      .toEqual(['spec.template.spec.domain.memory.guest']);
  });
});
