/**
 * The five tenant integrations on the shipped sample app-interface (app-interface-sample/, loaded
 * by the real YAML reader and validator): no data problems, and the objects the READMEs promise.
 * Only the tenant datafiles are loaded (the qontract kinds, tenants and kontract settings of clusters
 * and namespaces), so other families of the sample cannot break these tests.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { documentsSnapshot, readDirSnapshot, schemaOf } from '../../../src/app-interface/snapshot.js';
import { validateSnapshot } from '../../../src/app-interface/validate.js';
import type { DesiredState } from '../../../src/integrations/define-integration.js';
import { desiredLimitRanges } from '../../../src/integrations/limitranges/desired.js';
import { desiredNamespaces } from '../../../src/integrations/namespaces/desired.js';
import { desiredNetworkPolicies } from '../../../src/integrations/networkpolicies/desired.js';
import { desiredResourceQuotas } from '../../../src/integrations/resourcequotas/desired.js';
import { desiredRoleBindings } from '../../../src/integrations/rolebindings/desired.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const TENANT_SCHEMAS = /^\/(openshift|access|app-sre)\/|^\/kontract\/(tenant|cluster|namespace)-/;
let data: AppInterfaceData;

const ids = (s: DesiredState): string[] =>
  s.objects.map((o) => `${o.cluster}/${o.object.metadata.namespace ?? '-'}/${o.object.kind}/${o.object.metadata.name}`);

describe('tenant integrations on app-interface-sample', () => {
  beforeAll(async () => {
    const snap = await readDirSnapshot(SAMPLE);
    const tenantFiles = [...snap.files.values()].filter((f) => TENANT_SCHEMAS.test(schemaOf(f.raw) ?? ''));
    data = validateSnapshot(documentsSnapshot(snap.sha, tenantFiles, snap.resources));
  });

  it.each([
    ['namespaces', () => desiredNamespaces(data)],
    ['resourcequotas', () => desiredResourceQuotas(data)],
    ['limitranges', () => desiredLimitRanges(data)],
    ['rolebindings', () => desiredRoleBindings(data, { now: new Date('2025-06-15T00:00:00Z') })],
    ['networkpolicies', () => desiredNetworkPolicies(data)],
  ])('%s builds objects without problems', (_name, build) => {
    const state = build();
    expect(state.problems).toEqual([]);
    expect(state.objects.length).toBeGreaterThan(0);
    expect(new Set(ids(state)).size).toBe(state.objects.length);
  });

  it('builds the Waldur-style compute quota of acme-api with burst factor 2', () => {
    const rq = desiredResourceQuotas(data).objects.find(
      (o) => o.cluster === 'prod-1' && o.object.metadata.namespace === 'acme-api' && o.object.metadata.name === 'compute',
    );
    expect(rq?.object.spec).toEqual({
      hard: { 'requests.cpu': '4', 'limits.cpu': '8', 'requests.memory': '8Gi', 'limits.memory': '16Gi', 'requests.storage': '100Gi', pods: '50' },
    });
  });

  it('labels acme-api with its tenant and opens it to acme-web and ingress', () => {
    const ns = desiredNamespaces(data).objects.find((o) => o.cluster === 'prod-1' && o.object.metadata.name === 'acme-api');
    expect(ns?.object.metadata.labels).toMatchObject({ team: 'api', 'kontract.io/tenant': 'acme' });
    expect(ids(desiredNetworkPolicies(data))).toEqual(
      expect.arrayContaining([
        'prod-1/acme-api/NetworkPolicy/allow-from-acme-web-namespace',
        'prod-1/acme-api/NetworkPolicy/allow-from-ingress-namespace',
      ]),
    );
  });
});
