import { describe, expect, it } from 'vitest';
import { buildClusterInventory, NO_FILTER } from '../../../src/workload-inventory/build.js';
import type { InventoryFilter } from '../../../src/workload-inventory/build.js';
import { listing } from './listing.js';

describe(buildClusterInventory, () => {
  it('counts pods and VMs per namespace, attaches quotas and namespace metadata', () => {
    const inv = buildClusterInventory(listing);
    expect(inv.namespaces).toEqual([
      { name: 'apps', labels: {}, annotations: {}, phase: 'Active', quotas: [], pods: 1, vms: 0 },
      { name: 'vms', displayName: 'Virtual machines', labels: {}, annotations: { 'openshift.io/display-name': 'Virtual machines' }, phase: 'Active', quotas: [{ name: 'q', resources: [{ resource: 'pods', used: '2', hard: '4', ratio: 0.5 }] }], pods: 2, vms: 1 },
    ]);
  });

  it('resolves owners to the top workload (Deployment via ReplicaSet, VM via VMI) and warns about a launcher whose VM and VMI are gone', () => {
    const inv = buildClusterInventory(listing);
    expect(inv.pods.map((p) => [p.name, p.workload, p.topOwner?.kind ?? '', p.topOwner?.name ?? '', p.vm ?? ''])).toEqual([
      ['api-5d8f-q2', 'container', 'Deployment', 'api', ''],
      ['virt-launcher-ghost-xyz', 'suspected-vm-launcher', '', '', 'ghost'],
      ['virt-launcher-web-1-abc', 'vm-launcher', 'VirtualMachine', 'web-1', 'web-1'],
    ]);
    expect(inv.warnings).toEqual([{ kind: 'Pod', namespace: 'vms', name: 'virt-launcher-ghost-xyz', message: 'launcher pod of VirtualMachineInstance ghost / VirtualMachine ghost: neither exists' }]);
    expect(inv.vms[0]).toMatchObject({ name: 'web-1', node: 'node-a' });
  });

  it('gives no orphan warning when the VMIs could not be listed (forbidden): absence is unknown', () => {
    const kinds = listing.kinds.map((k) => (k.resource === 'virtualmachineinstances' ? { ...k, state: 'forbidden' as const } : k));
    const lists = Object.fromEntries(Object.entries(listing.lists).filter(([r]) => r !== 'virtualmachineinstances'));
    expect(buildClusterInventory({ ...listing, kinds, lists }).warnings).toEqual([]);
  });

  it('leaves quotas out (not empty) when resourcequotas could not be listed', () => {
    const lists = Object.fromEntries(Object.entries(listing.lists).filter(([r]) => r !== 'resourcequotas'));
    const inv = buildClusterInventory({ ...listing, lists });
    expect(inv.namespaces.map((n) => n.quotas)).toEqual([undefined, undefined]);
    expect(inv.namespaces.map((n) => n.pods)).toEqual([1, 2]);
  });

  it.each<[string, Partial<InventoryFilter>, string[], string[]]>([
    ['--namespace matches whole names', { namespace: 'vm' }, [], []],
    ['--namespace as a regex', { namespace: 'v.*' }, ['vms'], ['virt-launcher-ghost-xyz', 'virt-launcher-web-1-abc']],
    ['--workloads containers', { workloads: 'containers' }, ['apps', 'vms'], ['api-5d8f-q2']],
    ['--workloads vms', { workloads: 'vms' }, ['apps', 'vms'], ['virt-launcher-ghost-xyz', 'virt-launcher-web-1-abc']],
  ])('filters: %s', (_what, f, namespaces, pods) => {
    const inv = buildClusterInventory(listing, { ...NO_FILTER, ...f });
    expect(inv.namespaces.map((n) => n.name)).toEqual(namespaces);
    expect(inv.pods.map((p) => p.name)).toEqual(pods);
    expect(inv.nodes.map((n) => n.name)).toEqual(['node-a']);
  });

  it('--kinds leaves the other sections empty', () => {
    const inv = buildClusterInventory(listing, { ...NO_FILTER, sections: new Set(['services']) });
    expect(inv.services.map((s) => s.name)).toEqual(['api']);
    expect([inv.nodes, inv.namespaces, inv.pods, inv.deployments, inv.vms].every((x) => x.length === 0)).toBe(true);
  });
});
