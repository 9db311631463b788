/**
 * The VMs of vApps next to those of their own datafiles (pure, no kind machinery: integrations
 * import it). The vApp kind itself is vapp-kind.ts.
 */
import { at } from '../field-reader.js';
import type { AppInterfaceData } from '../model.js';
import type { VirtualMachineData } from './vm-model.js';

/** Every virtual machine of the data: those of their own datafiles, then those of vApps. */
export function allVirtualMachines(data: AppInterfaceData): readonly VirtualMachineData[] {
  const vapps = data.vapps ?? [];
  if (vapps.length === 0) return data.virtualMachines ?? [];
  return [...(data.virtualMachines ?? []), ...vapps.flatMap((a) => a.vms)];
}

/** The field a problem about `vm` names: `vms[1].overrides.cpu` for a VM of a vApp. */
export function vmField(vm: VirtualMachineData, field: string): string {
  if (vm.vapp === undefined) return field;
  if (field === 'template' && vm.vapp.templateFromVapp) return field;
  return at(vm.vapp.field, field);
}
