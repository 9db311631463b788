import { defineIntegration } from '../define-integration.js';
import { desiredVirtualMachines, VIRTUAL_MACHINES_INTEGRATION } from './desired.js';
import { planPowerOperations, VIRTUAL_MACHINE_INSTANCE_KIND, VIRTUAL_MACHINE_KIND } from './power.js';

export const virtualMachinesIntegration = defineIntegration({
  name: VIRTUAL_MACHINES_INTEGRATION,
  summary: 'KubeVirt VirtualMachines from VM templates plus overrides and from vApps: power on/off as runStrategy, suspend/unpause, one-time reset, restartOnResize, instancetype/preference or explicit size, disks, networks, cloud-init from a Secret',
  kinds: [{ group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine', plural: 'virtualmachines', namespaced: true, order: 60 }],
  buildDesired: (ctx) => desiredVirtualMachines(ctx.data),
  // Set by KubeVirt on create/admission (its defaulting webhook and controllers), never by kontract.
  ignoreFields: [
    'spec.template.spec.domain.firmware',
    'spec.template.spec.domain.machine',
    'spec.template.spec.architecture',
    'spec.template.metadata.creationTimestamp',
    'spec.instancetype.revisionName',
    'spec.instancetype.inferFromVolume',
    'spec.instancetype.inferFromVolumeFailurePolicy',
    'spec.preference.revisionName',
    'spec.preference.inferFromVolume',
    'spec.preference.inferFromVolumeFailurePolicy',
  ],
  missingApiHint: 'KubeVirt is not installed',
  // suspended → pause, on → unpause, resetRequested / restartOnResize → restart (power.ts).
  operations: { reads: [VIRTUAL_MACHINE_KIND, VIRTUAL_MACHINE_INSTANCE_KIND], plan: planPowerOperations },
});
