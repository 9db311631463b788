/**
 * Desired NetworkPolicy objects:
 * - `allow-from-<src>-namespace` per `networkPoliciesAllow` entry (same cluster only);
 * - for an isolated namespace (`isolated: true`, or its tenant is isolated): `default-deny-ingress`
 *   and `allow-same-namespace`; for a namespace of an isolated tenant also `allow-same-tenant`
 *   (ingress from the tenant's other namespaces on the same cluster).
 */
import type { AppInterfaceData, Namespace, Tenant } from '../../app-interface/model.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { DesiredState } from '../define-integration.js';
import { externalNamespaces, managedNamespaces, perNamespace } from '../tenant-namespaces.js';

export const NETWORKPOLICIES_INTEGRATION = 'networkpolicies';

/** Set by the API server on every namespace, immutable: safe to select on. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
export const DEFAULT_DENY_NAME = 'default-deny-ingress';
export const SAME_NAMESPACE_NAME = 'allow-same-namespace';
export const SAME_TENANT_NAME = 'allow-same-tenant';

export function allowFromName(source: string): string {
  return `allow-from-${source}-namespace`;
}

function policy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

export function allowFromNamespacePolicy(namespace: string, source: string): KubeObject {
  return policy(namespace, allowFromName(source), {
    podSelector: {},
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: source } } }] }],
    policyTypes: ['Ingress'],
  });
}

export function defaultDenyIngressPolicy(namespace: string): KubeObject {
  return policy(namespace, DEFAULT_DENY_NAME, { podSelector: {}, policyTypes: ['Ingress'] });
}

export function allowSameNamespacePolicy(namespace: string): KubeObject {
  return policy(namespace, SAME_NAMESPACE_NAME, {
    podSelector: {},
    ingress: [{ from: [{ podSelector: {} }] }],
    policyTypes: ['Ingress'],
  });
}

export function allowSameTenantPolicy(namespace: string, tenantNamespaces: readonly string[]): KubeObject {
  return policy(namespace, SAME_TENANT_NAME, {
    podSelector: {},
    ingress: [
      {
        from: [
          {
            namespaceSelector: {
              matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...tenantNamespaces].sort() }],
            },
          },
        ],
      },
    ],
    policyTypes: ['Ingress'],
  });
}

function isolatedTenant(data: AppInterfaceData, ns: Namespace): Tenant | undefined {
  if (ns.tenant === undefined) return undefined;
  return data.tenants.find((t) => t.name === ns.tenant && t.isolated);
}

/** Names of the tenant's namespaces on the cluster that still exist (not `delete: true`). */
function tenantNamespaceNames(data: AppInterfaceData, tenant: string, cluster: string): string[] {
  return data.namespaces.filter((n) => n.tenant === tenant && n.cluster === cluster && !n.delete).map((n) => n.name);
}

function policiesOf(data: AppInterfaceData, ns: Namespace, problems: ValidationProblem[]): KubeObject[] {
  const out: KubeObject[] = [];
  const sources = new Set<string>();
  ns.networkPoliciesAllow.forEach((src, i) => {
    if (src.cluster !== ns.cluster) {
      problems.push({
        file: ns.path,
        field: `networkPoliciesAllow[${i}]`,
        message: `${src.path} is namespace ${src.name} on cluster ${src.cluster}, not on this namespace's cluster ${ns.cluster}`,
      });
      return;
    }
    if (sources.has(src.name)) return;
    sources.add(src.name);
    out.push(allowFromNamespacePolicy(ns.name, src.name));
  });
  const tenant = isolatedTenant(data, ns);
  if (ns.isolated || tenant !== undefined) {
    out.push(defaultDenyIngressPolicy(ns.name), allowSameNamespacePolicy(ns.name));
  }
  if (tenant !== undefined) {
    out.push(allowSameTenantPolicy(ns.name, tenantNamespaceNames(data, tenant.name, ns.cluster)));
  }
  return out;
}

/** A namespace whose policies cannot be built is a blocked unit: only its policies are withheld. */
export function desiredNetworkPolicies(data: AppInterfaceData): DesiredState {
  const { objects, blocked } = perNamespace(managedNamespaces(data, NETWORKPOLICIES_INTEGRATION), (ns, problems) => policiesOf(data, ns, problems));
  return { objects, problems: [], blocked, excludedNamespaces: externalNamespaces(data) };
}
