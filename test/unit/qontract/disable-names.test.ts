/** A qontract cluster's `disable.integrations` names (openshift-*) map onto kontract's registered integrations. */
import { describe, expect, it } from 'vitest';
import { QONTRACT_INTEGRATION_NAMES } from '../../../src/app-interface/core-kinds.js';
import { findIntegration } from '../../../src/integrations/index.js';

describe('qontract integration names', () => {
  it.each(Object.entries(QONTRACT_INTEGRATION_NAMES))('%s disables the registered kontract integration %s', (_q, k) => {
    expect(findIntegration(k)?.name).toBe(k);
  });
  it('covers the six openshift-* integrations kontract implements', () => {
    expect(Object.keys(QONTRACT_INTEGRATION_NAMES).sort()).toEqual([
      'openshift-limitranges', 'openshift-namespaces', 'openshift-network-policies', 'openshift-resourcequotas', 'openshift-resources', 'openshift-rolebindings',
    ]);
  });
});
