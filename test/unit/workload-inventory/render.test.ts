import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { buildClusterInventory } from '../../../src/workload-inventory/build.js';
import { renderCsv, renderInventory, renderTable, sizeSummary } from '../../../src/workload-inventory/render.js';
import { SECTIONS } from '../../../src/workload-inventory/types.js';
import type { ClusterInventory, InventoryReport } from '../../../src/workload-inventory/types.js';
import { listing } from './listing.js';

const failed: ClusterInventory = {
  ...buildClusterInventory({ cluster: 'dev-1', kubevirt: false, kinds: [], lists: {} }),
  error: 'cluster dev-1: GET /api/v1/nodes: connect ECONNREFUSED, "really"',
};
const report: InventoryReport = { version: 2, filter: { sections: [...SECTIONS], workloads: 'all' }, clusters: [buildClusterInventory(listing), failed] };

describe(renderTable, () => {
  it('prints one block per cluster with pods, owners, containers, VMs, quota usage, unread kinds, suspects and warnings', () => {
    const text = renderTable(report);
    expect(text).toContain('== cluster prod-1  (KubeVirt: yes; 3 pods, of which 1 virt-launcher and 1 suspected; 1 VMs)');
    expect(text).toMatch(/virt-launcher-web-1-abc\s+vm-launcher\s+Running\s+node-a\s+0\s+VirtualMachine\/web-1\s+web-1/);
    expect(text).toMatch(/api-5d8f-q2\s+app\s+registry\/app:1\s+unknown\s+\?\s+0\s+cpu=100m/);
    expect(text).toContain('pods 2/4 (50%)');
    expect(text).toContain('NOT READ\n  datavolumes (cdi.kubevirt.io/v1beta1): forbidden: cluster prod-1: LIST datavolumes: 403 Forbidden');
    expect(text).toContain('ROUTES\n  not-served: route.openshift.io/v1 routes is not served');
    expect(text).toContain('SUSPECTED VM LAUNCHERS\n  vms/virt-launcher-ghost-xyz: no controlling VirtualMachineInstance ownerReference; seen: label kubevirt.io=virt-launcher');
    expect(text).toContain('WARNINGS\n  Pod vms/virt-launcher-ghost-xyz: launcher pod of VirtualMachineInstance ghost / VirtualMachine ghost: neither exists');
    expect(text).toContain('== cluster dev-1: ERROR cluster dev-1');
  });
});

describe(renderCsv, () => {
  it('writes one row per object (containers, unread kinds and warnings included), quoted where needed', () => {
    const text = renderCsv(report);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('cluster,kind,namespace,name,status,node,detail');
    expect(lines).toContain('prod-1,Pod,vms,virt-launcher-web-1-abc,Running,node-a,vm-launcher vm=web-1 owner=VirtualMachine/web-1');
    expect(lines).toContain('prod-1,Pod,apps,api-5d8f-q2,Running,,container owner=Deployment/api');
    expect(lines).toContain('prod-1,Container,apps,api-5d8f-q2/app,unknown,,image=registry/app:1 requests=cpu=100m limits=');
    expect(lines).toContain('prod-1,Unread,,datavolumes,forbidden,,cluster prod-1: LIST datavolumes: 403 Forbidden');
    expect(lines).toContain('prod-1,Warning,vms,virt-launcher-ghost-xyz,warning,,launcher pod of VirtualMachineInstance ghost / VirtualMachine ghost: neither exists');
    const rows = parse<Record<string, string>>(text, { columns: true });
    expect(rows.find((r) => r.kind === 'Error')).toEqual({ cluster: 'dev-1', kind: 'Error', namespace: '', name: '', status: 'error', node: '', detail: failed.error });
  });
});

describe(renderInventory, () => {
  it('prints the report itself as JSON', () => {
    expect(JSON.parse(renderInventory(report, 'json'))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it.each([[{ cpu: 2, memory: '4Gi' }, '2 vCPU / 4Gi'], [{ instancetype: 'u1.x' }, 'u1.x'], [{}, '']])('sizeSummary(%j) = %s', (s, out) => {
    expect(sizeSummary(s)).toBe(out);
  });
});
