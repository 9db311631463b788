import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { validateCommand } from '../../../src/cli/commands/validate.js';
import type { Reporter } from '../../../src/core/reporter.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));

describe('app-interface-sample', () => {
  it('loads to the expected model', async () => {
    const data = await loadAppInterface({ kind: 'dir', path: SAMPLE });
    expect(data.sha).toMatch(/^[0-9a-f]{64}$/);
    expect(data.clusters.map((c) => [c.name, c.auth])).toEqual([
      ['dev-1', { kind: 'kubeconfig', context: 'dev-1' }],
      ['prod-1', { kind: 'kubeconfig', context: 'prod-1' }],
      ['prod-2', { kind: 'kubeconfig', context: 'prod-2' }],
    ]);
    // qontract's `disable.integrations: [openshift-network-policies]` disables kontract's networkpolicies (before the qontract shape, the sample's kontract name was misspelt and disabled nothing).
    expect(data.clusters.find((c) => c.name === 'dev-1')?.disabledIntegrations).toEqual(['networkpolicies']);
    expect(data.clusters.map((c) => c.authServices)).toEqual([['oidc'], ['oidc'], ['oidc']]);
    // Other families add their own datafiles to the sample; these are the tenant namespaces.
    expect(data.namespaces.map((n) => `${n.cluster}/${n.name}`)).toEqual(expect.arrayContaining([
      'dev-1/acme-dev', 'dev-1/globex-dev', 'dev-1/old-sandbox', 'dev-1/sandbox',
      'prod-1/acme-api', 'prod-1/acme-db', 'prod-1/acme-web', 'prod-1/globex-batch', 'prod-1/globex-shop', 'prod-1/ingress',
      'prod-2/acme-web', 'prod-2/globex-analytics', 'prod-2/globex-shop',
    ]));
    const ns = (cluster: string, name: string) => data.namespaces.find((n) => n.cluster === cluster && n.name === name);
    expect(ns('prod-1', 'globex-batch')?.state).toBe('paused');
    expect(ns('prod-2', 'globex-analytics')?.state).toBe('downscaled');
    expect(ns('prod-1', 'ingress')).toMatchObject({ managedByExternal: true, description: 'Shared ingress controllers, installed by the platform team' });
    expect(ns('prod-1', 'ingress')?.tenant).toBeUndefined();
    expect(ns('dev-1', 'old-sandbox')?.delete).toBe(true);
    expect(ns('prod-1', 'acme-db')).toMatchObject({ isolated: true, tenant: 'acme' });
    expect(ns('prod-1', 'acme-api')).toMatchObject({
      tenant: 'acme',
      quotaComponents: { cpu: 4, memoryGB: 8, storageGB: 100, pods: 50, burstFactor: 2 },
      annotations: { 'kontract.io/owner': 'api-team@acme.example' },
      networkPoliciesAllow: [
        { name: 'acme-web', cluster: 'prod-1', path: '/openshift/prod-1/namespaces/acme-web.yml' },
        { name: 'ingress', cluster: 'prod-1', path: '/openshift/prod-1/namespaces/ingress.yml' },
      ],
    });
    expect(ns('prod-1', 'globex-shop')?.quotaComponents?.burstFactor).toBe(2);
    expect(ns('prod-1', 'globex-batch')?.quotaComponents?.burstFactor).toBe(1.5);
    expect(ns('prod-1', 'acme-web')?.quota).toEqual({
      path: '/openshift/quotas/small.yml', name: 'small', quotas: [
        { name: 'compute', resources: { limits: { cpu: '4', memory: '8Gi' }, requests: { cpu: '2', memory: '4Gi' }, pods: 20 }, scopes: [] },
      ],
    });
    expect(data.limitRanges.find((l) => l.name === 'batch')?.limits).toEqual([
      { type: 'Container', default: { cpu: '1', memory: '2Gi' }, maxLimitRequestRatio: { cpu: '4' } },
      { type: 'Pod', max: { cpu: '8', memory: '16Gi' } },
    ]);
    // Organisations (tenancy/) are tenants too, always isolated.
    expect(data.tenants.map((t) => [t.name, t.isolated])).toEqual([['umbrella', true], ['wayne', true], ['acme', false], ['globex', true]]);
    const devs = data.roles.find((r) => r.name === 'acme-developers');
    expect(devs?.users.map((u) => u.orgUsername)).toEqual(['alice', 'bob']);
    expect(devs?.access).toEqual([
      { namespace: { name: 'acme-web', cluster: 'prod-1', path: '/openshift/prod-1/namespaces/acme-web.yml' }, clusterRole: 'edit' },
      { namespace: { name: 'acme-api', cluster: 'prod-1', path: '/openshift/prod-1/namespaces/acme-api.yml' }, clusterRole: 'edit' },
      { namespace: { name: 'acme-dev', cluster: 'dev-1', path: '/openshift/dev-1/namespaces/acme-dev.yml' }, clusterRole: 'admin' },
    ]);
    expect(data.roles.find((r) => r.name === 'globex-admins')?.bots).toEqual([
      { path: '/access/bots/backup.yml', name: 'backup', serviceAccount: { namespace: 'backup-system', name: 'velero' } },
    ]);
    expect(data.roles.find((r) => r.name === 'sandbox-guests')?.expirationDate).toBe('2024-06-30');
    // Users and bots point at roles (qontract); the model lists them on the role.
    expect(data.roles.find((r) => r.name === 'globex-admins')?.users.map((u) => [u.orgUsername, u.githubUsername])).toEqual([['carolg', 'carolg-gh']]);
    expect(ns('prod-1', 'acme-web')).toMatchObject({ app: 'acme', environment: 'production', clusterAdmin: false });
    expect(data.namespaceSettings?.map((s) => s.namespace)).toContain('/openshift/prod-1/namespaces/acme-db.yml');
    expect(Array.isArray(data.vmTemplates)).toBe(true);
    expect(data.fabrics?.map((f) => [f.name, f.cluster])).toEqual([['fabric-1', 'dev-1']]);
  });

  it('passes kontract validate, which prints a one-line summary', async () => {
    const results: string[] = [];
    const reporter: Reporter = { log: () => undefined, result: (t) => { results.push(t); } };
    const outcome = await validateCommand.run(
      { 'app-interface': SAMPLE, 'log-level': 'info', 'log-format': 'text', 'detailed-exitcode': false },
      { reporter, env: {}, cwd: process.cwd(), signal: new AbortController().signal },
    );
    expect(outcome).toEqual({ kind: 'ok' });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatch(/^\d+ files, 3 clusters, \d+ namespaces, .*: valid \(sha [0-9a-f]{12}\)$/);
  });
});
