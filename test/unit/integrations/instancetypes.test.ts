import { describe, expect, it } from 'vitest';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { desiredInstancetypes } from '../../../src/integrations/instancetypes/desired.js';
import { instancetypesIntegration } from '../../../src/integrations/instancetypes/integration.js';
import { parseClusterInstancetype, parseClusterPreference } from '../../../src/app-interface/kubevirt/instancetype-parse.js';
import { loadKubevirtTree } from '../../fixtures/kubevirt/load.js';
import { cluster, DataBuilder } from './data-builder.js';

function data(over: Partial<AppInterfaceData> = {}): AppInterfaceData {
  const kv = loadKubevirtTree();
  const base = new DataBuilder().cluster(cluster('prod-1')).cluster(cluster('prod-2')).cluster(cluster('dev-1', { disabledIntegrations: ['instancetypes'] })).build();
  return { ...base, instancetypes: kv.instancetypes, preferences: kv.preferences, ...over };
}

const file = '/kubevirt/instancetypes/x.yml';

describe(desiredInstancetypes, () => {
  it('publishes every catalog entry to every cluster not disabling the integration', () => {
    const st = desiredInstancetypes(data());
    expect(st.problems).toEqual([]);
    expect(st.objects.map((o) => `${o.cluster}/${o.object.kind}/${o.object.metadata.name}`).sort()).toEqual([
      'prod-1/VirtualMachineClusterInstancetype/u1.medium',
      'prod-1/VirtualMachineClusterInstancetype/u1.small',
      'prod-1/VirtualMachineClusterPreference/fedora',
      'prod-2/VirtualMachineClusterInstancetype/u1.medium',
      'prod-2/VirtualMachineClusterInstancetype/u1.small',
      'prod-2/VirtualMachineClusterPreference/fedora',
    ]);
  });

  it('builds instancetype.kubevirt.io/v1beta1 objects with lower-case t kinds, size labels and the spec', () => {
    const small = desiredInstancetypes(data()).objects.find((o) => o.cluster === 'prod-1' && o.object.metadata.name === 'u1.small');
    expect(small?.object).toEqual({
      apiVersion: 'instancetype.kubevirt.io/v1beta1',
      kind: 'VirtualMachineClusterInstancetype',
      metadata: {
        name: 'u1.small',
        labels: { 'instancetype.kubevirt.io/cpu': '1', 'instancetype.kubevirt.io/memory': '2Gi', 'instancetype.kubevirt.io/size': 'small' },
      },
      spec: { cpu: { guest: 1 }, memory: { guest: '2Gi' } },
    });
    const fedora = desiredInstancetypes(data()).objects.find((o) => o.object.metadata.name === 'fedora');
    expect(fedora?.object.spec).toEqual({
      devices: { preferredDiskBus: 'virtio', preferredInterfaceModel: 'virtio' },
      firmware: { preferredUseEfi: true },
      requirements: { cpu: { guest: 1 }, memory: { guest: '1Gi' } },
    });
  });

  it('publishes only to the listed clusters, and reports an unknown cluster reference', () => {
    const kv = loadKubevirtTree();
    const [first, ...rest] = kv.instancetypes;
    const st = desiredInstancetypes(data({ instancetypes: [{ ...first!, clusters: ['/openshift/prod-2/cluster.yml', '/openshift/nope/cluster.yml'] }, ...rest] }));
    expect(st.objects.filter((o) => o.object.metadata.name === first!.name).map((o) => o.cluster)).toEqual(['prod-2']);
    expect(st.problems).toEqual([{ file: first!.path, field: 'clusters[1]', message: 'unknown cluster /openshift/nope/cluster.yml (no cluster datafile at that path)' }]);
  });

  it('reports two datafiles declaring one name', () => {
    const kv = loadKubevirtTree();
    const dup = { ...kv.instancetypes[0]!, path: '/kubevirt/instancetypes/dup.yml' };
    const st = desiredInstancetypes(data({ instancetypes: [...kv.instancetypes, dup] }));
    expect(st.problems).toEqual([{ file: '/kubevirt/instancetypes/dup.yml', field: 'name', message: `cluster instancetype ${dup.name} is already declared in ${kv.instancetypes[0]!.path}` }]);
  });
});

describe(parseClusterInstancetype, () => {
  it.each([
    [{ name: 'a', memory: { guest: '1Gi' } }, 'cpu', 'is required'],
    [{ name: 'a', cpu: { guest: 1 } }, 'memory', 'is required'],
    [{ name: 'a', cpu: {}, memory: { guest: '1Gi' } }, 'cpu.guest', 'is required'],
    [{ name: 'a', cpu: { guest: 1 }, memory: {} }, 'memory.guest', 'is required'],
    [{ name: 'a', cpu: { guest: 1.5 }, memory: { guest: '1Gi' } }, 'cpu.guest', 'must be an integer'],
    [{ name: 'a', cpu: { guest: 1 }, memory: { guest: 'lots' } }, 'memory.guest', 'is not a valid Kubernetes quantity'],
    [{ name: 'a', cpu: { guest: 1 }, memory: { guest: '1Gi', overcommitPercent: 150 } }, 'memory.overcommitPercent', 'must be at most 100'],
    [{ name: 'a', cpu: { guest: 1 }, memory: { guest: '1Gi', hugepages: { pageSize: '4Ki' } } }, 'memory.hugepages.pageSize', "'4Ki' is not one of 2Mi, 1Gi"],
    [{ name: 'A_1', cpu: { guest: 1 }, memory: { guest: '1Gi' } }, 'name', 'is not valid'],
    [{ name: 'a', cpu: { guest: 1 }, memory: { guest: '1Gi' }, gpus: [] }, 'gpus', 'unknown field'],
  ])('rejects %j at %s', (raw, field, message) => {
    const r = parseClusterInstancetype(file, raw);
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual({ file, field, message: expect.stringContaining(message) as string });
  });

  it('accepts the optional CPU and memory settings', () => {
    const r = parseClusterInstancetype(file, { name: 'rt.large', cpu: { guest: 4, dedicatedCPUPlacement: true, isolateEmulatorThread: true, model: 'host-passthrough' }, memory: { guest: '16Gi', hugepages: { pageSize: '1Gi' } } });
    expect(r.problems).toEqual([]);
    expect(r.ok && r.value.cpu).toEqual({ guest: 4, dedicatedCPUPlacement: true, isolateEmulatorThread: true, model: 'host-passthrough' });
  });
});

describe(parseClusterPreference, () => {
  it('rejects an unknown spec section', () => {
    expect(parseClusterPreference('/p.yml', { name: 'p', spec: { cpus: {} } }).problems).toEqual([
      { file: '/p.yml', field: 'spec.cpus', message: expect.stringContaining('unknown field') as string },
    ]);
  });

  it('accepts an empty preference', () => {
    expect(parseClusterPreference('/p.yml', { name: 'p' }).ok).toBe(true);
  });
});

describe('instancetypesIntegration', () => {
  it('owns the two cluster-scoped catalog kinds at order 20', () => {
    expect(instancetypesIntegration.kinds.map((k) => [k.group, k.version, k.kind, k.plural, k.namespaced, k.order])).toEqual([
      ['instancetype.kubevirt.io', 'v1beta1', 'VirtualMachineClusterInstancetype', 'virtualmachineclusterinstancetypes', false, 20],
      ['instancetype.kubevirt.io', 'v1beta1', 'VirtualMachineClusterPreference', 'virtualmachineclusterpreferences', false, 20],
    ]);
  });
});
