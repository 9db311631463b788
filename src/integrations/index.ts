/**
 * The explicit registry of integrations (no directory scanning). A conformance test
 * (test/unit/integrations/conformance.test.ts) fails when an integration folder is not listed
 * here, has no README.md, or has no tests.
 */
import type { Integration } from './define-integration.js';
import { hedgehogFabricIntegration } from './hedgehog-fabric/integration.js';
import { instancetypesIntegration } from './instancetypes/integration.js';
import { limitRangesIntegration } from './limitranges/integration.js';
import { namespacesIntegration } from './namespaces/integration.js';
import { networkPoliciesIntegration } from './networkpolicies/integration.js';
import { networksIntegration } from './networks/integration.js';
import { resourceQuotasIntegration } from './resourcequotas/integration.js';
import { resourcesIntegration } from './resources/integration.js';
import { roleBindingsIntegration } from './rolebindings/integration.js';
import { serviceAccountsIntegration } from './serviceaccounts/integration.js';
import { virtualMachinesIntegration } from './virtual-machines/integration.js';

export const INTEGRATIONS: readonly Integration[] = [
  namespacesIntegration,
  resourceQuotasIntegration,
  limitRangesIntegration,
  roleBindingsIntegration,
  networkPoliciesIntegration,
  serviceAccountsIntegration,
  instancetypesIntegration,
  networksIntegration,
  virtualMachinesIntegration,
  hedgehogFabricIntegration,
  resourcesIntegration,
];

export function findIntegration(name: string): Integration | undefined {
  return INTEGRATIONS.find((i) => i.name === name);
}
