import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import { dataVolumeInfo, instancetypeSizes, vmInfo, vmiInfo } from '../../../src/workload-inventory/kubevirt.js';

const sizes = instancetypeSizes(
  [{ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineClusterInstancetype', metadata: { name: 'u1.small' }, spec: { cpu: { guest: 1 }, memory: { guest: '2Gi' } } }],
  [{ apiVersion: 'instancetype.kubevirt.io/v1beta1', kind: 'VirtualMachineInstancetype', metadata: { name: 'csmall', namespace: 'vms' }, spec: { cpu: { guest: 1 }, memory: { guest: '128Mi' } } }],
);
const vm = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'v', namespace: 'vms', labels: { 'app.kubernetes.io/managed-by': 'kontract', 'kontract.io/integration': 'virtual-machines' } },
  spec: { template: { spec: { domain: { devices: {} } } }, ...spec }, ...(status === undefined ? {} : { status }),
});

describe(vmInfo, () => {
  it('reports power from runStrategy plus printableStatus, and size from the cluster instancetype', () => {
    expect(vmInfo(vm({ runStrategy: 'Always', instancetype: { name: 'u1.small', kind: 'VirtualMachineClusterInstancetype' } }, { printableStatus: 'Starting', ready: false }), sizes, undefined)).toEqual({
      namespace: 'vms', name: 'v', runStrategy: 'Always', desiredPower: 'running', status: 'Starting', ready: false, size: { instancetype: 'u1.small', cpu: 1, memory: '2Gi' },
      disks: [], interfaces: [], managedBy: 'virtual-machines',
    });
  });

  it('sizes from a namespaced instancetype, and reads the deprecated spec.running', () => {
    const info = vmInfo(vm({ running: false, instancetype: { name: 'csmall', kind: 'VirtualMachineInstancetype' } }), sizes, undefined);
    expect(info).toMatchObject({ runStrategy: 'Halted', desiredPower: 'stopped', size: { instancetype: 'vms/csmall', cpu: 1, memory: '128Mi' } });
    expect(info).not.toHaveProperty('status');
  });

  it('sizes from the domain when no instancetype is used, and names an unknown instancetype', () => {
    const explicit = vm({ runStrategy: 'Manual', template: { spec: { domain: { cpu: { cores: 2, sockets: 2 }, memory: { guest: '3Gi' }, devices: {} } } } });
    expect(vmInfo(explicit, sizes, undefined)).toMatchObject({ desiredPower: 'manual', size: { cpu: 4, memory: '3Gi' } });
    expect(vmInfo(vm({ runStrategy: 'Once', instancetype: { name: 'u9.huge' } }), sizes, undefined).size).toEqual({ instancetype: 'u9.huge' });
  });

  it('lists disks with their volume source, interfaces with binding and network, and node/guest OS from the instance', () => {
    const v = vm({ runStrategy: 'Always', template: { spec: {
      domain: { devices: {
        disks: [{ name: 'root', disk: { bus: 'virtio' } }, { name: 'iso', cdrom: { bus: 'sata' } }, { name: 'cloudinit', disk: {} }],
        interfaces: [{ name: 'default', masquerade: {} }, { name: 'storage', bridge: {}, macAddress: '02:00:00:00:00:01' }],
      } },
      networks: [{ name: 'default', pod: {} }, { name: 'storage', multus: { networkName: 'storage-net' } }],
      volumes: [{ name: 'root', dataVolume: { name: 'v-root' } }, { name: 'iso', containerDisk: { image: 'quay.io/containerdisks/fedora:40' } }, { name: 'cloudinit', cloudInitNoCloud: { userData: 'password: hunter2' } }],
    } } });
    const vmi: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v', namespace: 'vms', uid: 'vmi-uid' }, status: { nodeName: 'worker-1', guestOSInfo: { name: 'Fedora Linux', prettyName: 'Fedora Linux 40 (Cloud Edition)' } } };
    const info = vmInfo(v, sizes, vmi);
    expect(info).toMatchObject({
      disks: [
        { name: 'root', device: 'disk', bus: 'virtio', source: 'dataVolume', ref: 'v-root' },
        { name: 'iso', device: 'cdrom', bus: 'sata', source: 'containerDisk', ref: 'quay.io/containerdisks/fedora:40' },
        { name: 'cloudinit', device: 'disk', source: 'cloudInitNoCloud' },
      ],
      interfaces: [{ name: 'default', binding: 'masquerade', network: 'pod' }, { name: 'storage', binding: 'bridge', network: 'multus:storage-net', macAddress: '02:00:00:00:00:01' }],
      node: 'worker-1', vmiUid: 'vmi-uid', guestOS: 'Fedora Linux 40 (Cloud Edition)',
    });
    expect(JSON.stringify(info)).not.toContain('hunter2');
  });
});

describe(vmiInfo, () => {
  it('reads phase, node, every IP, readiness, live-migratability and the owning VM', () => {
    const vmi: KubeObject = {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'web-1', namespace: 'vms', uid: 'u1', ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'web-1', uid: 'x', controller: true }] },
      status: {
        phase: 'Running', nodeName: 'node-a', interfaces: [{ name: 'default', ipAddress: '10.0.0.5', ipAddresses: ['10.0.0.5', 'fd00::5'] }, { name: 'storage', ipAddress: '192.168.1.9' }],
        conditions: [{ type: 'Ready', status: 'True' }, { type: 'LiveMigratable', status: 'False', reason: 'DisksNotLiveMigratable' }],
      },
    };
    expect(vmiInfo(vmi, new Set())).toEqual({ namespace: 'vms', name: 'web-1', uid: 'u1', vm: 'web-1', phase: 'Running', node: 'node-a', ips: ['10.0.0.5', 'fd00::5', '192.168.1.9'], ready: true, liveMigratable: false });
  });
});

describe(dataVolumeInfo, () => {
  it('reads phase, progress, source type, size and class from spec.storage or spec.pvc, and the owning VM', () => {
    expect(dataVolumeInfo({
      apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'root', namespace: 'vms', ownerReferences: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', name: 'web-1', uid: 'u', controller: true }] },
      spec: { source: { http: { url: 'https://example.com/disk.img' } }, storage: { storageClassName: 'fast', resources: { requests: { storage: '10Gi' } } } },
      status: { phase: 'ImportInProgress', progress: '45.5%' },
    })).toEqual({ namespace: 'vms', name: 'root', phase: 'ImportInProgress', progress: '45.5%', source: 'http', size: { quantity: '10Gi', value: 10737418240 }, storageClass: 'fast', vm: 'web-1' });
    expect(dataVolumeInfo({
      apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'clone', namespace: 'vms' },
      spec: { sourceRef: { kind: 'DataSource', name: 'fedora' }, pvc: { resources: { requests: { storage: '5Gi' } } } },
    })).toEqual({ namespace: 'vms', name: 'clone', source: 'sourceRef:DataSource', size: { quantity: '5Gi', value: 5368709120 } });
  });
});
