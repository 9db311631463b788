/**
 * The app-interface model of KubeVirt virtual machines: VM templates (a catalog, like vApp
 * templates) and virtual machines built from a template plus overrides. Produced by vm-parse.ts
 * from the `/kontract/kubevirt/vm-template-1.yml` and `/kontract/kubevirt/virtual-machine-1.yml` datafiles;
 * references to other datafiles stay as datafile paths and are resolved (and checked) by the
 * virtual-machines integration (src/integrations/virtual-machines/desired.ts).
 */
import type { Labels } from '../../core/k8s-object.js';

export const VM_TEMPLATE_SCHEMA = '/kontract/kubevirt/vm-template-1.yml';
export const VIRTUAL_MACHINE_SCHEMA = '/kontract/kubevirt/virtual-machine-1.yml';

export type InstancetypeKind = 'VirtualMachineClusterInstancetype' | 'VirtualMachineInstancetype';
export type PreferenceKind = 'VirtualMachineClusterPreference' | 'VirtualMachinePreference';

/**
 * An instancetype or preference: by name (possibly one kontract does not manage, e.g. the
 * `common-instancetypes` virt-operator installs) or by `$ref` to a catalog datafile.
 */
export type CatalogRef<K extends string> =
  | { readonly name: string; readonly kind: K }
  | { readonly ref: string };

/** Explicit sizing (exclusive with an instancetype, as KubeVirt enforces). */
export interface VmCpu {
  readonly cores: number;
}
export interface VmMemory {
  /** Quantity, e.g. `2Gi`. */
  readonly guest: string;
}

export type DataVolumeSource =
  | { readonly type: 'http'; readonly url: string }
  | { readonly type: 'registry'; readonly url: string }
  | { readonly type: 'pvc'; readonly namespace: string; readonly name: string };

export type DiskSource =
  | { readonly type: 'containerDisk'; readonly image: string }
  | {
    readonly type: 'dataVolume';
    /** Quantity, e.g. `20Gi`. */
    readonly size: string;
    readonly storageClassName?: string;
    readonly source: DataVolumeSource;
  }
  | { readonly type: 'persistentVolumeClaim'; readonly claimName: string };

export type DiskBus = 'virtio' | 'sata' | 'scsi';

export interface BootDisk {
  readonly bus: DiskBus;
  readonly source: DiskSource;
}

export interface VmDisk extends BootDisk {
  readonly name: string;
}

export type VmNetwork =
  | { readonly name: string; readonly type: 'pod' }
  /** A Multus NetworkAttachmentDefinition, `name` or `namespace/name`. */
  | { readonly name: string; readonly type: 'multus'; readonly networkName: string };

export type InterfaceBinding = 'masquerade' | 'bridge';

export interface VmInterface {
  readonly name: string;
  readonly binding: InterfaceBinding;
  readonly macAddress?: string;
}

/** The fields a template sets and a virtual machine may override. */
export interface VmTemplateFields {
  readonly instancetype?: CatalogRef<InstancetypeKind>;
  readonly preference?: CatalogRef<PreferenceKind>;
  readonly cpu?: VmCpu;
  readonly memory?: VmMemory;
  readonly bootDisk?: BootDisk;
}

/** `/kontract/kubevirt/vm-template-1.yml`. */
export interface VmTemplate extends VmTemplateFields {
  readonly path: string;
  readonly name: string;
  readonly description: string;
  readonly bootDisk: BootDisk;
  /** Default networks of VMs built from the template. @default one pod network `default` */
  readonly networks: readonly VmNetwork[];
  readonly labels: Labels;
}

/**
 * `running` (datafile `on` or `running`) → runStrategy Always; `stopped` (`off`, `stopped`) →
 * Halted; `suspended` → Always with the running VMI paused (KubeVirt's `pause` subresource).
 */
export type PowerState = 'running' | 'stopped' | 'suspended';
export type RunStrategy = 'Always' | 'Halted' | 'Manual' | 'RerunOnFailure' | 'Once';
/** Run strategies a datafile may name explicitly; `Always`/`Halted` are written as `powerState`. */
export type ExplicitRunStrategy = 'Manual' | 'RerunOnFailure' | 'Once';

export type VmPower =
  | { readonly powerState: PowerState }
  | { readonly runStrategy: ExplicitRunStrategy };

/** `/kontract/kubevirt/virtual-machine-1.yml`. */
export interface VirtualMachineData {
  readonly path: string;
  readonly name: string;
  readonly description: string;
  /** Path of the namespace datafile (`namespace: {$ref: ...}`). */
  readonly namespace: string;
  /** Path of the VM template datafile (`template: {$ref: ...}`). */
  readonly template: string;
  readonly overrides: VmTemplateFields;
  /** @default { powerState: 'running' } */
  readonly power: VmPower;
  /** Extra disks after the boot disk. */
  readonly disks: readonly VmDisk[];
  /** Replaces the template's networks when set. */
  readonly networks?: readonly VmNetwork[];
  /** Explicit interfaces; derived from the networks (pod → masquerade, multus → bridge) when unset. */
  readonly interfaces?: readonly VmInterface[];
  /** cloud-init NoCloud user data, only from a Secret in the VM's namespace. */
  readonly cloudInit?: { readonly userDataSecretName: string };
  readonly labels: Labels;
  readonly annotations: Labels;
  /**
   * A reset asked for at this time (RFC 3339, as written): kontract restarts the running VM once
   * (KubeVirt's `restart` subresource) and records the value on the VM, so it never repeats.
   */
  readonly resetRequested?: string;
  /** Restart a running VM whose size changed (else the plan only reports that a restart is needed). @default false */
  readonly restartOnResize?: boolean;
  /** Set when the VM is declared by a vApp (`/kontract/vapp-1.yml`) rather than its own datafile. */
  readonly vapp?: VmOfVapp;
}

/** Where a VM of a vApp comes from: `path` is the vApp datafile, `field` the VM's entry in it. */
export interface VmOfVapp {
  /** The vApp name (label `kontract.io/vapp` on the VM). */
  readonly name: string;
  /** The VM's entry in the vApp datafile, e.g. `vms[1]`: prefix of every field a problem names. */
  readonly field: string;
  /** The VM uses the vApp's `template` (problems about it name the vApp's field). */
  readonly templateFromVapp: boolean;
}

export const VAPP_SCHEMA = '/kontract/vapp-1.yml';
/** Label naming the vApp of a VM (on the VM and its pod template, so the VMI carries it too). */
export const VAPP_LABEL = 'kontract.io/vapp';

/**
 * `/kontract/vapp-1.yml`: a group of VMs in one VDC. Its VMs are ordinary virtual machines of the
 * virtual-machines integration (`vms`, each with `vapp` set and `path` = the vApp datafile); the
 * vApp's power state, reset request, restartOnResize and labels are already folded into them.
 */
export interface Vapp {
  readonly path: string;
  readonly name: string;
  readonly description: string;
  /** Path of the VDC datafile (also the path of the VDC's namespace entry). */
  readonly vdc: string;
  /** `true`: the vApp's VMs are deleted. */
  readonly delete: boolean;
  readonly vms: readonly VirtualMachineData[];
}
