import { describe, expect, it } from 'vitest';
import { desiredServiceAccounts } from '../../../src/integrations/serviceaccounts/desired.js';
import { serviceAccountsIntegration } from '../../../src/integrations/serviceaccounts/integration.js';
import { aData, namespace } from './data-builder.js';

describe(desiredServiceAccounts, () => {
  it('builds one ServiceAccount per declared name in the namespace', () => {
    const state = desiredServiceAccounts(aData().namespace(namespace('vdc-o-a', 'c1', { serviceAccounts: ['deployer', 'backup'] })).build());
    expect(state.problems).toEqual([]);
    expect(state.objects).toEqual([
      { cluster: 'c1', source: '/openshift/c1/namespaces/vdc-o-a.yml', object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: 'vdc-o-a' } } },
      { cluster: 'c1', source: '/openshift/c1/namespaces/vdc-o-a.yml', object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'backup', namespace: 'vdc-o-a' } } },
    ]);
  });

  it('skips deleted and externally managed namespaces and excludes the external ones', () => {
    const state = desiredServiceAccounts(aData().namespace(
      namespace('gone', 'c1', { delete: true, serviceAccounts: ['x'] }),
      namespace('ext', 'c1', { managedByExternal: true, serviceAccounts: ['x'] }),
    ).build());
    expect(state.objects).toEqual([]);
    expect([...(state.excludedNamespaces?.get('c1') ?? [])]).toEqual(['ext']);
  });
});

describe('serviceAccountsIntegration', () => {
  it('manages namespaced v1 ServiceAccounts after namespaces and before role bindings', () => {
    expect(serviceAccountsIntegration.kinds).toEqual([{ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, order: 20 }]);
  });
});
