/**
 * In-memory builders for pure plan tests: kinds, objects, and a fluent inventory builder
 * `inventory().cluster('c1').desired('quotas', QUOTA, obj).owned('quotas', QUOTA, obj).build()`.
 */
import type { KubeObject, ManagedKind } from '../../../src/core/k8s-object.js';
import type { Integration } from '../../../src/integrations/define-integration.js';
import { ResourceInventory } from '../../../src/resource-inventory/inventory.js';
import { markOwned } from '../../../src/resource-inventory/ownership.js';
import type { PlanError } from '../../../src/resource-inventory/plan.js';
import { computePlan } from '../../../src/resource-inventory/planner.js';
import type { PlanOptions } from '../../../src/resource-inventory/planner.js';
import type { Plan } from '../../../src/resource-inventory/plan.js';

export const CRD: ManagedKind = { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, order: 0 };
export const NAMESPACE: ManagedKind = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, order: 10 };
export const CLUSTER_ROLE: ManagedKind = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, order: 20 };
export const QUOTA: ManagedKind = { group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, order: 50 };
export const SECRET: ManagedKind = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, order: 50 };
export const ROLE_BINDING: ManagedKind = { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, order: 50 };

export function integration(name: string, extra: Partial<Pick<Integration, 'ignoreFields' | 'immutableFields'>> = {}): Integration {
  return { name, summary: `${name} (test)`, kinds: [], buildDesired: () => ({ objects: [], problems: [] }), ...extra };
}

export function namespaceObj(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function quota(name: string, namespace: string, hard: Record<string, string | number>): KubeObject {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace }, spec: { hard } };
}

export function secret(name: string, namespace: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', stringData: data };
}

export function roleBinding(name: string, namespace: string, role: string, users: readonly string[]): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: users.map((u) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: u })),
  };
}

/** What the API server adds to a stored object: server metadata, status, defaults in `extra`. */
export function asLive(source: KubeObject, extra: Record<string, unknown> = {}): KubeObject {
  const obj = structuredClone(source);
  return {
    ...obj,
    ...extra,
    metadata: {
      ...obj.metadata,
      uid: 'd6f1c0de-0000-4000-8000-000000000001',
      resourceVersion: '4242',
      generation: 3,
      creationTimestamp: '2025-01-01T00:00:00Z',
      managedFields: [{ manager: 'kontract', operation: 'Apply' }],
    },
    status: { phase: 'Active' },
  };
}

/** A live object as kontract would have left it: marked for `integ`, plus server fields. */
export function ownedLive(obj: KubeObject, integ: string, extra: Record<string, unknown> = {}): KubeObject {
  return asLive(markOwned(obj, integ), extra);
}

type Step = (inv: ResourceInventory) => void;

export class InventoryBuilder {
  private readonly steps: Step[] = [];
  private currentCluster = 'c1';
  private readonly integrations: Integration[];

  constructor(integrations: readonly Integration[]) {
    this.integrations = [...integrations];
  }

  cluster(name: string): this {
    this.currentCluster = name;
    const c = name;
    this.steps.push((inv) => { inv.addCluster(c); });
    return this;
  }

  desired(integ: string, kind: ManagedKind, obj: KubeObject, source = `data/${obj.metadata.name}.yml`): this {
    const c = this.currentCluster;
    this.steps.push((inv) => { inv.addDesired(integ, c, kind, obj, source); });
    return this;
  }

  /** A live object exactly as given (use asLive/ownedLive to shape it). */
  current(kind: ManagedKind, obj: KubeObject): this {
    const c = this.currentCluster;
    this.steps.push((inv) => { inv.addCurrent(c, kind, obj); });
    return this;
  }

  /** Shorthand: desired and already applied unchanged by `integ`. */
  inSync(integ: string, kind: ManagedKind, obj: KubeObject): this {
    return this.desired(integ, kind, obj).current(kind, ownedLive(obj, integ));
  }

  /** Any other inventory call (markNotRead, markListed, deleteOnlyWhenMarked …). */
  with(step: (inv: ResourceInventory) => void): this {
    this.steps.push(step);
    return this;
  }

  error(e: PlanError): this {
    this.steps.push((inv) => { inv.registerError(e); });
    return this;
  }

  build(): ResourceInventory {
    const inv = new ResourceInventory(this.integrations);
    for (const s of this.steps) s(inv);
    return inv;
  }

  plan(opts: Partial<PlanOptions> = {}): Plan {
    return computePlan(this.build(), { ...defaultPlanOptions(this.integrations.map((i) => i.name)), ...opts });
  }
}

export function defaultPlanOptions(integrations: readonly string[]): PlanOptions {
  return { integrations, dataSha: 'abc123', takeOver: false, maxDeletions: 50, allowMassDeletion: false };
}

export function inventory(...integrations: Integration[]): InventoryBuilder {
  return new InventoryBuilder(integrations.length === 0 ? [integration('quotas')] : integrations);
}
