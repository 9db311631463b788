import { describe, expect, it } from 'vitest';
import { inventoryFilter, inventoryOutcome } from '../../../src/cli/commands/inventory.js';
import { ERROR_CODES } from '../../../src/core/errors.js';
import { sectionsOf } from '../../../src/workload-inventory/build.js';
import { INVENTORY_KINDS, kindsFor } from '../../../src/workload-inventory/collect.js';
import { buildClusterInventory } from '../../../src/workload-inventory/build.js';
import type { KindRead } from '../../../src/workload-inventory/types.js';
import { SECTIONS } from '../../../src/workload-inventory/types.js';

describe(inventoryFilter, () => {
  it('takes --kinds comma-separated or repeated, any case; none means every section', () => {
    expect([...inventoryFilter(['Pods,vms', 'routes'], undefined, 'all').sections]).toEqual(['pods', 'routes', 'vms']);
    expect([...inventoryFilter([], undefined, undefined).sections]).toEqual([...SECTIONS]);
  });

  it.each([
    [['pods', 'secrets'], undefined, 'all', '--kinds: unknown secrets'],
    [[], '(', 'all', '--namespace is not a valid regular expression'],
    [[], undefined, 'everything', '--workloads must be one of all, containers, vms'],
    [['vms'], undefined, 'containers', '--kinds vms with --workloads containers leaves nothing to list'],
  ])('rejects --kinds %j --namespace %s --workloads %s as a usage error', (kinds, ns, w, message) => {
    expect(() => inventoryFilter(kinds, ns, w)).toThrow(expect.objectContaining({ code: ERROR_CODES.USAGE, message: expect.stringContaining(message) as string }) as Error);
  });

  it('--workloads containers drops the VM sections and the KubeVirt LISTs; vms drops the controllers', () => {
    const containers = inventoryFilter([], undefined, 'containers');
    expect([...sectionsOf(containers)]).toEqual(SECTIONS.filter((s) => !['vms', 'vmis', 'datavolumes'].includes(s)));
    expect(kindsFor(containers).map((k) => k.kind.plural)).not.toContain('virtualmachineinstances');
    const vms = inventoryFilter([], undefined, 'vms');
    expect([...sectionsOf(vms)]).toEqual(SECTIONS.filter((s) => !['deployments', 'statefulsets', 'daemonsets'].includes(s)));
    expect(kindsFor(inventoryFilter(['namespaces'], undefined, 'all')).map((k) => k.kind.plural)).toEqual(['namespaces', 'resourcequotas']);
  });
});

describe(inventoryOutcome, () => {
  const withKinds = (kinds: KindRead[], error?: string) => ({
    version: 2 as const, filter: { sections: [...SECTIONS], workloads: 'all' as const },
    clusters: [{ ...buildClusterInventory({ cluster: 'c', kubevirt: false, kinds, lists: {} }), ...(error === undefined ? {} : { error }) }],
  });
  it('fails for an unreadable cluster or a kind in error, not for forbidden or not-served kinds', () => {
    expect(inventoryOutcome(withKinds([{ resource: 'resourcequotas', apiVersion: 'v1', state: 'forbidden' }, { resource: 'routes', apiVersion: 'route.openshift.io/v1', state: 'not-served' }]))).toEqual({ kind: 'ok' });
    expect(inventoryOutcome(withKinds([{ resource: 'pods', apiVersion: 'v1', state: 'error', message: '500' }]))).toEqual({ kind: 'failed', errors: 1 });
    expect(inventoryOutcome(withKinds([], 'connect ECONNREFUSED'))).toEqual({ kind: 'failed', errors: 1 });
  });

  it('never lists Secrets', () => {
    expect(INVENTORY_KINDS.map((k) => k.kind.plural)).not.toContain('secrets');
  });
});
