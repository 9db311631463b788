import { describe, expect, it } from 'vitest';
import { renderCsv, renderInventory, renderTable, sizeSummary } from '../../../src/workload-inventory/render.js';
import type { InventoryReport } from '../../../src/workload-inventory/types.js';

const report: InventoryReport = {
  version: 1,
  clusters: [
    {
      cluster: 'prod-1', kubevirt: true,
      nodes: [{ name: 'node-a', roles: ['worker'], ready: true, capacity: { cpu: '8', memory: '32Gi' }, allocatable: {} }],
      namespaces: [{ name: 'vms', quotas: [{ name: 'q', resources: [{ resource: 'pods', used: '2', hard: '4', ratio: 0.5 }] }], pods: 2, vms: 1 }],
      deployments: [{ namespace: 'vms', name: 'api', replicas: 2, ready: 1 }],
      services: [{ namespace: 'vms', name: 'api', type: 'ClusterIP', clusterIP: '10.0.0.1', ports: ['80/TCP'] }],
      pods: [
        { namespace: 'vms', name: 'api-1', phase: 'Running', workload: 'container' },
        { namespace: 'vms', name: 'virt-launcher-web-1-abc', phase: 'Pending', workload: 'vm-launcher', vmi: 'web-1', vm: 'web-1' },
      ],
      vms: [{ namespace: 'vms', name: 'web-1', runStrategy: 'Always', desiredPower: 'running', status: 'Running', size: { instancetype: 'u1.small', cpu: 1, memory: '2Gi' }, managedBy: 'virtual-machines' }],
      vmis: [{ namespace: 'vms', name: 'web-1', phase: 'Running', node: 'node-a', ips: ['10.0.0.5'] }],
    },
    { cluster: 'dev-1', error: 'cluster dev-1: GET /api/v1/nodes: connect ECONNREFUSED, "really"', kubevirt: false, nodes: [], namespaces: [], deployments: [], services: [], pods: [], vms: [], vmis: [] },
  ],
};

describe(renderTable, () => {
  it('prints one block per cluster with the classified pods, VMs and quota usage', () => {
    const text = renderTable(report);
    expect(text).toContain('== cluster prod-1  (KubeVirt: yes; 2 pods, of which 1 virt-launcher; 1 VMs)');
    expect(text).toMatch(/virt-launcher-web-1-abc\s+vm-launcher\s+Pending\s+web-1/);
    expect(text).toMatch(/web-1\s+Always\s+running\s+Running\s+u1\.small \(1 vCPU \/ 2Gi\)\s+virtual-machines/);
    expect(text).toContain('pods 2/4 (50%)');
    expect(text).toContain('== cluster dev-1: ERROR cluster dev-1');
  });
});

describe(renderCsv, () => {
  it('writes one row per object with quoted cells where needed', () => {
    const lines = renderCsv(report).trimEnd().split('\n');
    expect(lines[0]).toBe('cluster,kind,namespace,name,status,node,detail');
    expect(lines).toContain('prod-1,Pod,vms,virt-launcher-web-1-abc,Pending,,vm-launcher vm=web-1');
    expect(lines).toContain('prod-1,Pod,vms,api-1,Running,,container');
    expect(lines).toContain('prod-1,VirtualMachine,vms,web-1,Running,,runStrategy=Always size=u1.small (1 vCPU / 2Gi)');
    expect(lines).toContain('dev-1,Error,,,error,,"cluster dev-1: GET /api/v1/nodes: connect ECONNREFUSED, ""really"""');
  });
});

describe(renderInventory, () => {
  it('prints the report itself as JSON', () => {
    expect(JSON.parse(renderInventory(report, 'json'))).toEqual(report);
  });

  it.each([[{ cpu: 2, memory: '4Gi' }, '2 vCPU / 4Gi'], [{ instancetype: 'u1.x' }, 'u1.x'], [{}, '']])('sizeSummary(%j) = %s', (s, out) => {
    expect(sizeSummary(s)).toBe(out);
  });
});
