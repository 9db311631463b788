import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { selectorString } from '../../../src/workload-inventory/fields.js';
import { nodeInfo, nodeRoles, quotaUsage, routeInfo, serviceInfo, usageRatio } from '../../../src/workload-inventory/objects.js';

describe(nodeRoles, () => {
  it('reads node-role.kubernetes.io/* and the legacy kubernetes.io/role label', () => {
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'infra', 'node-role.kubernetes.io/': 'x', 'kubernetes.io/os': 'linux' } } };
    expect(nodeRoles(node)).toEqual(['control-plane', 'infra', 'worker']);
  });
});

describe(nodeInfo, () => {
  it('reads addresses, system info, conditions and capacity incl. ephemeral storage', () => {
    const node: KubeObject = {
      apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-0' }, spec: { unschedulable: true },
      status: {
        addresses: [{ type: 'InternalIP', address: '10.0.0.7' }, { type: 'ExternalIP', address: '203.0.113.7' }, { type: 'Hostname', address: 'worker-0' }],
        nodeInfo: { osImage: 'Red Hat Enterprise Linux CoreOS 418', kernelVersion: '5.14.0', containerRuntimeVersion: 'cri-o://1.31.0', kubeletVersion: 'v1.31.4' },
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'False', reason: 'KubeletNotReady' }],
        capacity: { cpu: '16', memory: '64Gi', 'ephemeral-storage': '100Gi', pods: '250' },
        allocatable: { cpu: '15500m' },
      },
    };
    expect(nodeInfo(node)).toEqual({
      name: 'worker-0', roles: [], ready: false,
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'False', reason: 'KubeletNotReady' }],
      internalIPs: ['10.0.0.7'], externalIPs: ['203.0.113.7'], hostname: 'worker-0',
      osImage: 'Red Hat Enterprise Linux CoreOS 418', kernelVersion: '5.14.0', containerRuntimeVersion: 'cri-o://1.31.0', kubeletVersion: 'v1.31.4',
      unschedulable: true,
      capacity: {
        cpu: { quantity: '16', value: 16 }, 'ephemeral-storage': { quantity: '100Gi', value: 107374182400 },
        memory: { quantity: '64Gi', value: 68719476736 }, pods: { quantity: '250', value: 250 },
      },
      allocatable: { cpu: { quantity: '15500m', value: 15.5 } },
    });
  });
});

describe(quotaUsage, () => {
  it('pairs status.used with status.hard per resource, with the ratio', () => {
    const rq: KubeObject = {
      apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'vms' },
      status: { hard: { pods: '10', 'requests.cpu': '2', 'requests.memory': '4Gi', 'limits.cpu': '0' }, used: { pods: '3', 'requests.cpu': '500m', 'requests.memory': '1536Mi' } },
    };
    expect(quotaUsage(rq)).toEqual({
      name: 'q',
      resources: [
        { resource: 'limits.cpu', used: '0', hard: '0' },
        { resource: 'pods', used: '3', hard: '10', ratio: 0.3 },
        { resource: 'requests.cpu', used: '500m', hard: '2', ratio: 0.25 },
        { resource: 'requests.memory', used: '1536Mi', hard: '4Gi', ratio: 0.375 },
      ],
    });
  });

  it.each([['1Gi', '1024Mi', 1], ['1', '3', 0.3333], ['x', '1', undefined], ['1', '0', undefined]])('usageRatio(%s, %s) = %s', (u, h, r) => {
    expect(usageRatio(u, h)).toBe(r);
  });
});

describe(selectorString, () => {
  it('writes matchLabels and matchExpressions in kubectl syntax, and plain maps', () => {
    expect(selectorString({ matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'edge'] }, { key: 'canary', operator: 'DoesNotExist' }, { key: 'zone', operator: 'Exists' }, { key: 'env', operator: 'NotIn', values: ['dev'] }] }))
      .toBe('app=api,tier in (web,edge),!canary,zone,env notin (dev)');
    expect(selectorString({ b: '2', a: '1' })).toBe('a=1,b=2');
    expect(selectorString(undefined)).toBe('');
  });
});

describe(serviceInfo, () => {
  it('reads external IPs from the spec and the load balancer, and every port', () => {
    const svc: KubeObject = {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'a' },
      spec: { type: 'LoadBalancer', clusterIP: '172.30.0.10', externalIPs: ['198.51.100.1'], selector: { app: 'web' }, ports: [{ name: 'https', port: 443, targetPort: 'https', nodePort: 30443, protocol: 'TCP' }] },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }] } },
    };
    expect(serviceInfo(svc)).toEqual({
      namespace: 'a', name: 'web', type: 'LoadBalancer', clusterIP: '172.30.0.10', externalIPs: ['198.51.100.1', '203.0.113.9', 'lb.example.com'],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https', nodePort: 30443 }], selector: 'app=web',
    });
  });
});

describe(routeInfo, () => {
  it('reads host, TLS termination, target and admission, never the key or certificates', () => {
    const route: KubeObject = {
      apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'web', namespace: 'a' },
      spec: { host: 'web.apps.example.com', path: '/api', to: { kind: 'Service', name: 'web', weight: 100 }, port: { targetPort: 8443 },
        tls: { termination: 'reencrypt', insecureEdgeTerminationPolicy: 'Redirect', key: '-----BEGIN PRIVATE KEY-----SECRET', certificate: 'CERT', caCertificate: 'CA', destinationCACertificate: 'DEST' } },
      status: { ingress: [{ host: 'web.apps.example.com', routerName: 'default', conditions: [{ type: 'Admitted', status: 'True' }] }] },
    };
    const info = routeInfo(route);
    expect(info).toEqual({ namespace: 'a', name: 'web', host: 'web.apps.example.com', path: '/api', tls: { termination: 'reencrypt', insecureEdgeTerminationPolicy: 'Redirect' }, to: { kind: 'Service', name: 'web' }, targetPort: '8443', admitted: true });
    expect(JSON.stringify(info)).not.toMatch(/SECRET|CERT|DEST/);
  });
});
