/**
 * Organisations and VDCs (src/app-interface/tenancy/): the namespace naming rule, exact unit
 * conversion, the allocation-model quota mapping, and what the sample's two organisations expand
 * into through the existing namespaces, resourcequotas, networkpolicies and rolebindings builds.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import type { ValidationProblem } from '../../../src/core/errors.js';
import { isValidationError } from '../../../src/core/errors.js';
import { bytesQuantity, coresQuantity, vdcQuotaEntry } from '../../../src/app-interface/tenancy/allocation.js';
import { vdcNamespaceName } from '../../../src/app-interface/tenancy/naming.js';
import type { DesiredState } from '../../../src/integrations/define-integration.js';
import { desiredNamespaces } from '../../../src/integrations/namespaces/desired.js';
import { desiredNetworkPolicies } from '../../../src/integrations/networkpolicies/desired.js';
import { desiredResourceQuotas } from '../../../src/integrations/resourcequotas/desired.js';
import { desiredRoleBindings } from '../../../src/integrations/rolebindings/desired.js';
import { desiredServiceAccounts } from '../../../src/integrations/serviceaccounts/desired.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));

describe(vdcNamespaceName, () => {
  it('is vdc-<organisation>-<vdc> when that fits in 63 characters', () => {
    expect(vdcNamespaceName('wayne', 'prod')).toBe('vdc-wayne-prod');
    const org = 'o'.repeat(29);
    const vdc = 'v'.repeat(29);
    expect(vdcNamespaceName(org, vdc)).toBe(`vdc-${org}-${vdc}`);
    expect(vdcNamespaceName(org, vdc)).toHaveLength(63);
  });

  it('cuts a longer name to 54 characters and appends 8 hex digits of its SHA-256', () => {
    const org = 'a'.repeat(41); // the full name is 64 characters
    const full = `vdc-${org}-production-eu-west`;
    const name = vdcNamespaceName(org, 'production-eu-west');
    const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
    expect(name).toBe(`${full.slice(0, 54)}-${hash}`);
    expect(name).toHaveLength(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    // Two long names sharing the first 54 characters stay distinct.
    expect(vdcNamespaceName(org, 'production-eu-east')).not.toBe(name);
  });

  it('drops a trailing dash before the suffix', () => {
    const org = 'b'.repeat(49);
    const name = vdcNamespaceName(org, 'x'.repeat(20)); // character 54 is the dash after the organisation
    expect(name).toMatch(new RegExp(`^vdc-${org}-[0-9a-f]{8}$`));
  });
});

describe('unit conversion', () => {
  it.each([[4, '4'], [2.5, '2500m'], [0.001, '1m'], [0, '0']])('%s cores → %s', (cores, q) => {
    expect(coresQuantity(cores)).toBe(q);
  });
  it('refuses cores finer than a millicore', () => {
    expect(coresQuantity(0.0005)).toBeUndefined();
  });
  it.each([['512MB', '512Mi'], ['1536MB', '1536Mi'], ['1024MB', '1Gi'], ['8GB', '8Gi'], ['1.5GB', '1536Mi'], ['0GB', '0Gi']])('%s → %s', (w, q) => {
    expect(bytesQuantity(w)).toBe(q);
  });
  it('refuses sizes that are not a whole number of MB', () => {
    expect(bytesQuantity('1.5MB')).toBeUndefined();
    expect(bytesQuantity('0.1GB')).toBeUndefined();
  });
});

describe('allocation models', () => {
  const limits = { cpuCores: 2, memory: '4GB', storage: '100GB', storagePolicies: [{ storageClass: 'fast', limit: '10GB' }] };
  const hardOf = (allocationModel: 'pay-as-you-go' | 'allocation-pool' | 'reservation-pool') => {
    const problems: ValidationProblem[] = [];
    const e = vdcQuotaEntry({ allocationModel, ...limits }, '/v.yml', problems);
    expect(problems).toEqual([]);
    return e?.resources;
  };
  const storage = { 'requests.storage': '100Gi', 'fast.storageclass.storage.k8s.io/requests.storage': '10Gi' };

  it('pay-as-you-go limits only limits (nothing reserved)', () => {
    expect(hardOf('pay-as-you-go')).toEqual({ limits: { cpu: '2', memory: '4Gi' }, other: storage });
  });
  it('allocation-pool limits only requests (the pool that can be guaranteed)', () => {
    expect(hardOf('allocation-pool')).toEqual({ requests: { cpu: '2', memory: '4Gi' }, other: storage });
  });
  it('reservation-pool limits requests and limits alike', () => {
    expect(hardOf('reservation-pool')).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' }, other: storage });
  });
  it('gives no quota for a VDC without limits', () => {
    expect(vdcQuotaEntry({ allocationModel: 'reservation-pool' }, '/v.yml', [])).toBeUndefined();
  });
});

describe('organisations and VDCs of app-interface-sample', () => {
  let data: AppInterfaceData;
  const inVdcs = (s: DesiredState) => {
    expect(s.problems).toEqual([]);
    return s.objects.filter((o) => (o.object.metadata.namespace ?? o.object.metadata.name).startsWith('vdc-'));
  };
  const ids = (s: DesiredState): string[] => inVdcs(s).map((o) => `${o.cluster}/${o.object.metadata.namespace ?? '-'}/${o.object.kind}/${o.object.metadata.name}`).sort();

  beforeAll(async () => {
    data = await loadAppInterface({ kind: 'dir', path: SAMPLE });
  });

  it('derives one namespace per VDC with the organisation label and the human names', () => {
    const byName = new Map(inVdcs(desiredNamespaces(data)).map((o) => [`${o.cluster}/${o.object.metadata.name}`, o.object.metadata]));
    expect([...byName.keys()].sort()).toEqual(['dev-1/vdc-wayne-dev', 'prod-1/vdc-wayne-prod', 'prod-2/vdc-umbrella-lab']);
    expect(byName.get('prod-1/vdc-wayne-prod')).toMatchObject({
      labels: { 'kontract.io/tenant': 'wayne', 'kontract.io/vdc': 'prod' },
      annotations: { 'openshift.io/display-name': 'Wayne Production', 'kontract.io/organisation-display-name': 'Wayne Enterprises' },
    });
  });

  it('derives the VDC quota per allocation model, with per-storage-class keys', () => {
    const hard = Object.fromEntries(inVdcs(desiredResourceQuotas(data)).map((o) => [
      `${o.object.metadata.namespace ?? ''}/${o.object.metadata.name}`, (o.object.spec as { hard: unknown }).hard,
    ]));
    expect(hard['vdc-wayne-prod/vdc']).toEqual({
      'requests.cpu': '4', 'limits.cpu': '4', 'requests.memory': '8Gi', 'limits.memory': '8Gi', 'requests.storage': '200Gi',
      'fast-ssd.storageclass.storage.k8s.io/requests.storage': '50Gi', 'standard.storageclass.storage.k8s.io/requests.storage': '150Gi',
    });
    expect(hard['vdc-wayne-dev/vdc']).toEqual({ 'limits.cpu': '2500m', 'limits.memory': '3584Mi' });
  });

  it('pauses every VDC of a disabled organisation', () => {
    expect(data.namespaces.find((n) => n.name === 'vdc-umbrella-lab')?.state).toBe('paused');
    expect(data.namespaces.find((n) => n.name === 'vdc-wayne-prod')?.state).toBe('active');
    const hard = inVdcs(desiredResourceQuotas(data)).filter((o) => o.object.metadata.namespace === 'vdc-umbrella-lab')
      .map((o) => (o.object.spec as { hard: Record<string, string> }).hard);
    expect(hard).toHaveLength(2); // the VDC quota and the lifecycle quota
    for (const h of hard) expect(Object.values(h).every((v) => v === '0')).toBe(true);
  });

  it('declares the VDC\'s ServiceAccounts for the serviceaccounts integration', () => {
    expect(ids(desiredServiceAccounts(data))).toEqual(['prod-1/vdc-wayne-prod/ServiceAccount/deployer']);
  });

  it('isolates every VDC (same namespace and same organisation only)', () => {
    expect(ids(desiredNetworkPolicies(data))).toEqual([
      'prod-1/vdc-wayne-prod/NetworkPolicy/allow-same-namespace', 'prod-1/vdc-wayne-prod/NetworkPolicy/allow-same-tenant',
      'prod-1/vdc-wayne-prod/NetworkPolicy/default-deny-ingress',
      'prod-2/vdc-umbrella-lab/NetworkPolicy/allow-same-namespace', 'prod-2/vdc-umbrella-lab/NetworkPolicy/allow-same-tenant',
      'prod-2/vdc-umbrella-lab/NetworkPolicy/default-deny-ingress',
    ]); // dev-1 disables networkpolicies
  });

  it('binds owner/manager/member (and the default role) to admin/edit/view in every VDC of the organisation', () => {
    const bindings = inVdcs(desiredRoleBindings(data, { now: new Date('2025-06-15T00:00:00Z') }))
      .map((o) => {
        const rb = o.object as unknown as { roleRef: { name: string }; subjects: { name: string }[] };
        return `${o.cluster}/${o.object.metadata.namespace ?? ''} ${rb.roleRef.name} ${rb.subjects[0]?.name ?? ''}`;
      })
      .sort();
    expect(bindings).toEqual([
      'dev-1/vdc-wayne-dev admin alice', 'dev-1/vdc-wayne-dev edit bob', 'dev-1/vdc-wayne-dev view carolg',
      'prod-1/vdc-wayne-prod admin alice', 'prod-1/vdc-wayne-prod edit bob', 'prod-1/vdc-wayne-prod view carolg',
      'prod-2/vdc-umbrella-lab admin dave',
    ]);
  });
});

describe('an organisation with a configured default role and two VDCs on one cluster', () => {
  const BASE = fileURLToPath(new URL('../../fixtures/app-interface/base', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'kontract-tenancy-'));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  let data: AppInterfaceData;
  beforeAll(async () => {
    cpSync(BASE, dir, { recursive: true });
    write('/tenancy/o.yml', '$schema: /kontract/organisation-1.yml\nname: o\ndisplayName: Org O\ndefaultRole: manager\nmembers:\n  - user: {$ref: /users/u1.yml}\n');
    const vdc = (name: string, extra: string) =>
      `$schema: /kontract/vdc-1.yml\nname: ${name}\norganisation: {$ref: /tenancy/o.yml}\ncluster: {$ref: /openshift/c1/cluster.yml}\nallocationModel: pay-as-you-go\n${extra}`;
    write('/tenancy/a.yml', vdc('a', 'cpuCores: 1\n'));
    write('/tenancy/b.yml', vdc('b', 'displayName: Bee\nenabled: false\n'));
    data = await loadAppInterface({ kind: 'dir', path: dir });
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds a member without a role to the defaultRole\'s ClusterRole', () => {
    const rb = desiredRoleBindings(data, { now: new Date('2025-06-15T00:00:00Z') }).objects
      .filter((o) => o.object.metadata.namespace === 'vdc-o-a')
      .map((o) => (o.object as unknown as { roleRef: { name: string } }).roleRef.name);
    expect(rb).toEqual(['edit']);
  });

  it('pauses a disabled VDC only, and shows name as the display name when none is given', () => {
    expect(data.namespaces.filter((n) => n.tenant === 'o').map((n) => [n.name, n.state, n.annotations['openshift.io/display-name']])).toEqual([
      ['vdc-o-a', 'active', 'a'], ['vdc-o-b', 'paused', 'Bee'],
    ]);
  });

  it('lets each VDC accept ingress from the organisation\'s other VDCs on the cluster', () => {
    const sameTenant = desiredNetworkPolicies(data).objects.find((o) => o.object.metadata.namespace === 'vdc-o-a' && o.object.metadata.name === 'allow-same-tenant');
    expect(JSON.stringify(sameTenant?.object.spec)).toContain('["vdc-o-a","vdc-o-b"]');
  });
});

describe('catalog visibility of VM templates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kontract-catalogs-'));
  const PRIVATE = join(dir, 'tenancy/catalogs/acme-private.yml');
  const original = (): string => readFileSync(join(SAMPLE, 'tenancy/catalogs/acme-private.yml'), 'utf8');
  async function problems(): Promise<readonly ValidationProblem[]> {
    try {
      await loadAppInterface({ kind: 'dir', path: dir });
      return [];
    } catch (e) {
      if (isValidationError(e)) return e.problems;
      throw e;
    }
  }
  beforeAll(() => {
    cpSync(SAMPLE, dir, { recursive: true });
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets a VM use a template of its own organisation\'s catalog or of a shared one', async () => {
    expect(await problems()).toEqual([]);
    const data = await loadAppInterface({ kind: 'dir', path: dir });
    expect(data.catalogs?.map((c) => [c.name, c.organisation, c.shared])).toEqual([['acme-private', 'acme', false], ['public', 'wayne', true]]);
  });

  it('reports a VM using a template only in another organisation\'s private catalog, naming file, line and field', async () => {
    writeFileSync(PRIVATE, original().replace('/tenants/acme.yml', '/tenants/globex.yml'));
    expect(await problems()).toEqual([{
      file: '/kubevirt/vms/acme-db-1.yml', field: 'template', line: 7,
      message: "/kubevirt/templates/centos-stream.yml is only in catalogs of other organisations that are not shared: acme-private (globex); the VM's namespace belongs to acme",
    }]);
  });

  it('accepts the same template once the catalog is shared', async () => {
    writeFileSync(PRIVATE, `${original().replace('/tenants/acme.yml', '/tenants/globex.yml')}shared: true\n`);
    expect(await problems()).toEqual([]);
  });

  it('leaves a template in no catalog usable by every VM', async () => {
    rmSync(PRIVATE);
    rmSync(join(dir, 'tenancy/catalogs/public.yml'));
    expect(await problems()).toEqual([]);
    const data = await loadAppInterface({ kind: 'dir', path: dir });
    expect(data.virtualMachines?.length).toBe(4);
  });
});
