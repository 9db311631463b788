/**
 * Least-privilege RBAC for a set of integrations, derived from what the engine sends for their
 * declared kinds (docs/deploy.md#rbac):
 *   list    one label-filtered LIST per (cluster, kind)          — every run
 *   get     GET of a desired object missing from that LIST        — every run
 *   create  server-side apply of an object that does not exist    — wet and --dry-run=server
 *   patch   server-side apply (PATCH, application/apply-patch)    — wet and --dry-run=server
 *   delete  pruning owned objects                                 — wet and --dry-run=server
 * Wet runs also take a coordination.k8s.io Lease per (integration, cluster) in the lock namespace
 * (`leaseRules`). A kind that is a (Cluster)RoleBinding also needs `bind` on the roles it references (the
 * apiserver's escalation check): on the names the desired bindings use when the data is known,
 * else on every ClusterRole and Role. Pure: the caller supplies the integrations and, optionally,
 * the desired objects.
 */
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import type { Integration } from '../integrations/define-integration.js';
import { LEASE_KIND, leaseName } from './run-lock.js';

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

export interface RbacOptions {
  /** Only what a client-side dry-run needs (list, get). */
  readonly readOnly?: boolean;
  /** Desired objects of the integrations, to narrow `bind` to the referenced roles. */
  readonly desired?: readonly KubeObject[];
  /** Extra rules the engine itself needs (e.g. its Lease), added as they are. */
  readonly engineRules?: readonly PolicyRule[];
}

const READ_VERBS = ['get', 'list'] as const;
const WRITE_VERBS = ['create', 'delete', 'get', 'list', 'patch'] as const;
const RBAC_GROUP = 'rbac.authorization.k8s.io';

function isBindingKind(k: ManagedKind): boolean {
  return k.group === RBAC_GROUP && (k.kind === 'RoleBinding' || k.kind === 'ClusterRoleBinding');
}

function roleRefsOf(objects: readonly KubeObject[]): { clusterRoles: string[]; roles: string[] } {
  const clusterRoles = new Set<string>();
  const roles = new Set<string>();
  for (const o of objects) {
    const ref = (o as { roleRef?: { kind?: unknown; name?: unknown } }).roleRef;
    if (typeof ref?.name !== 'string') continue;
    if (ref.kind === 'ClusterRole') clusterRoles.add(ref.name);
    else if (ref.kind === 'Role') roles.add(ref.name);
  }
  return { clusterRoles: [...clusterRoles].sort(), roles: [...roles].sort() };
}

/**
 * The integrations whose kinds the data names (`kindsFromData`, e.g. `resources`): their kinds are
 * resolved per cluster through API discovery, so no rule can be derived for them here.
 */
export function dataDrivenKindsNote(integrations: readonly Integration[]): string | undefined {
  const names = integrations.filter((i) => i.kindsFromData === true).map((i) => i.name);
  if (names.length === 0) return undefined;
  return `no rules for the kinds of ${names.join(', ')}: the data names them (managedResourceTypes), resolved per cluster through API discovery; grant list, get, create, patch, delete on them yourself (docs/deploy.md#rbac)`;
}

/** Rules for the kinds matching `scope` (cluster-scoped or namespaced), merged per API group and verb set. */
export function rbacRules(integrations: readonly Integration[], scope: 'all' | 'cluster' | 'namespaced', opts: RbacOptions = {}): PolicyRule[] {
  const verbs = opts.readOnly === true ? READ_VERBS : WRITE_VERBS;
  const byGroup = new Map<string, Set<string>>();
  let binds = false;
  for (const i of integrations) {
    for (const k of i.kinds) {
      if (scope === 'cluster' && k.namespaced) continue;
      if (scope === 'namespaced' && !k.namespaced) continue;
      const set = byGroup.get(k.group) ?? new Set<string>();
      set.add(k.plural);
      byGroup.set(k.group, set);
      if (isBindingKind(k)) binds = true;
    }
  }
  const rules: PolicyRule[] = [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b))
    .map(([group, plurals]) => ({ apiGroups: [group], resources: [...plurals].sort(), verbs: [...verbs] }));
  if (binds && opts.readOnly !== true && scope !== 'cluster') {
    if (opts.desired === undefined) {
      rules.push({ apiGroups: [RBAC_GROUP], resources: ['clusterroles', 'roles'], verbs: ['bind'] });
    } else {
      const refs = roleRefsOf(opts.desired);
      if (refs.clusterRoles.length > 0) rules.push({ apiGroups: [RBAC_GROUP], resources: ['clusterroles'], verbs: ['bind'], resourceNames: refs.clusterRoles });
      if (refs.roles.length > 0) rules.push({ apiGroups: [RBAC_GROUP], resources: ['roles'], verbs: ['bind'], resourceNames: refs.roles });
    }
  }
  if (opts.readOnly !== true && scope !== 'cluster') rules.push(...(opts.engineRules ?? []));
  return rules;
}

export interface RbacManifestOptions extends RbacOptions {
  /** Name of the ClusterRole/Role and bindings. */
  readonly name: string;
  /** The ServiceAccount the bindings grant: `namespace/name`. */
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  /** Grant namespaced kinds per namespace (Roles) instead of cluster-wide; for runs scoped with --namespace. */
  readonly namespaces?: readonly string[];
  /** Namespace of the wet runs' Leases (--lock-namespace): a Role there for them, unless read-only. */
  readonly lockNamespace?: string;
}

/**
 * The Lease a wet run takes per (integration, cluster) (run-lock.ts): read, created, then renewed
 * and released with PUT. `get`/`update` are limited to the integrations' Lease names; `create`
 * cannot be limited by name in RBAC.
 */
export function leaseRules(integrations: readonly Integration[]): PolicyRule[] {
  const names = integrations.map((i) => leaseName(i.name)).sort();
  return [
    { apiGroups: [LEASE_KIND.group], resources: [LEASE_KIND.plural], verbs: ['create'] },
    { apiGroups: [LEASE_KIND.group], resources: [LEASE_KIND.plural], verbs: ['get', 'update'], resourceNames: names },
  ];
}

type Manifest = Readonly<Record<string, unknown>>;

/**
 * ClusterRole + ClusterRoleBinding for every kind; with `namespaces`, a ClusterRole for the
 * cluster-scoped kinds (if any) plus a Role + RoleBinding per namespace for the namespaced ones.
 */
export function rbacManifests(integrations: readonly Integration[], opts: RbacManifestOptions): Manifest[] {
  const subjects = [{ kind: 'ServiceAccount', name: opts.serviceAccount.name, namespace: opts.serviceAccount.namespace }];
  const labels = { 'app.kubernetes.io/name': 'kontract', 'app.kubernetes.io/component': 'rbac' };
  const integrationsNote = { 'kontract.io/integrations': integrations.map((i) => i.name).join(',') };
  const meta = (extra: Record<string, string> = {}): Manifest => ({ name: opts.name, labels, annotations: integrationsNote, ...extra });
  const out: Manifest[] = [];
  const clusterRole = (rules: readonly PolicyRule[]): void => {
    if (rules.length === 0) return;
    out.push({ apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: meta(), rules });
    out.push({ apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRoleBinding', metadata: meta(), roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: opts.name }, subjects });
  };
  const role = (ns: string, rules: readonly PolicyRule[], name = opts.name): void => {
    out.push({ apiVersion: `${RBAC_GROUP}/v1`, kind: 'Role', metadata: { ...meta(), name, namespace: ns }, rules });
    out.push({ apiVersion: `${RBAC_GROUP}/v1`, kind: 'RoleBinding', metadata: { ...meta(), name, namespace: ns }, roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name }, subjects });
  };
  if (opts.namespaces === undefined || opts.namespaces.length === 0) {
    clusterRole(rbacRules(integrations, 'all', opts));
  } else {
    clusterRole(rbacRules(integrations, 'cluster', opts));
    const nsRules = rbacRules(integrations, 'namespaced', opts);
    if (nsRules.length > 0) for (const ns of [...opts.namespaces].sort()) role(ns, nsRules);
  }
  if (opts.readOnly !== true && opts.lockNamespace !== undefined) role(opts.lockNamespace, leaseRules(integrations), `${opts.name}-lock`);
  return out;
}
