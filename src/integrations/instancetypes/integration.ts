import { defineIntegration } from '../define-integration.js';
import { desiredInstancetypes, INSTANCETYPES_INTEGRATION } from './desired.js';

const GROUP = 'instancetype.kubevirt.io';

export const instancetypesIntegration = defineIntegration({
  name: INSTANCETYPES_INTEGRATION,
  summary: 'KubeVirt size catalog: VirtualMachineClusterInstancetypes and VirtualMachineClusterPreferences (instancetype.kubevirt.io/v1beta1)',
  kinds: [
    { group: GROUP, version: 'v1beta1', kind: 'VirtualMachineClusterInstancetype', plural: 'virtualmachineclusterinstancetypes', namespaced: false, order: 20 },
    { group: GROUP, version: 'v1beta1', kind: 'VirtualMachineClusterPreference', plural: 'virtualmachineclusterpreferences', namespaced: false, order: 20 },
  ],
  buildDesired: (ctx) => desiredInstancetypes(ctx.data),
  missingApiHint: 'KubeVirt is not installed',
});
