/**
 * Desired RoleBinding objects from role datafiles: one binding per (access entry, user) and per
 * (access entry, bot), in namespaces that opt in with `managedRoles: true`; and likewise for the
 * roles a namespace grants itself (`memberRoles`: a VDC's organisation members).
 */
import type { AppInterfaceData, Bot, ClusterAuthService, Namespace, Role, RoleAccess, User } from '../../app-interface/model.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { BlockedUnit, DesiredObject, DesiredState } from '../define-integration.js';
import { externalNamespaces, managedNamespaces, namespaceKey } from '../tenant-namespaces.js';
import { dnsName } from './names.js';

export const ROLEBINDINGS_INTEGRATION = 'rolebindings';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface RoleRef {
  readonly apiGroup: typeof RBAC_GROUP;
  readonly kind: 'Role' | 'ClusterRole';
  readonly name: string;
}

export type Subject =
  | { readonly kind: 'User'; readonly apiGroup: typeof RBAC_GROUP; readonly name: string }
  | { readonly kind: 'ServiceAccount'; readonly name: string; readonly namespace: string };

export interface RoleBindingsOptions {
  /**
   * "Now", to decide which roles have expired. Injected so the build stays pure and testable.
   * The registered integration passes the run's clock (DesiredContext.now).
   */
  readonly now: Date;
}

/**
 * The role an access entry grants. As qontract-reconcile's openshift-rolebindings (without its
 * `support_role_ref` option): both `role: X` and `clusterRole: X` bind the ClusterRole X.
 */
export function roleRefOf(access: RoleAccess): RoleRef {
  return { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: accessRoleName(access) };
}

/**
 * The user fields whose values name a user on a cluster, from the cluster's `auth` services, as
 * qontract-reconcile does: github-org / github-org-team → `github_username`, oidc / rhidp →
 * `org_username`; a cluster listing no auth → `github_username`.
 */
export function userKeysFor(services: readonly ClusterAuthService[] | undefined): readonly ('github_username' | 'org_username')[] {
  if (services === undefined || services.length === 0) return ['github_username'];
  const keys: ('github_username' | 'org_username')[] = [];
  for (const s of services) {
    const key = s === 'oidc' || s === 'rhidp' ? 'org_username' : 'github_username';
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

function usernamesOf(user: User, keys: readonly ('github_username' | 'org_username')[]): string[] {
  const names = keys.map((k) => (k === 'org_username' ? user.orgUsername : user.githubUsername)).filter((n): n is string => n !== undefined && n !== '');
  return [...new Set(names)];
}

/** The role name as written in the datafile (the binding name's prefix). */
function accessRoleName(access: RoleAccess): string {
  return 'clusterRole' in access ? access.clusterRole : access.role;
}

/**
 * Whether a role's `expirationDate` is in the past. A date (`YYYY-MM-DD`) is valid through that
 * whole day (UTC), as in qontract; a timestamp until that instant. Undefined when unparsable.
 */
export function isExpired(expirationDate: string | undefined, now: Date): boolean | undefined {
  if (expirationDate === undefined) return false;
  if (/^\d{4}-\d{2}-\d{2}$/.test(expirationDate)) {
    if (Number.isNaN(Date.parse(`${expirationDate}T00:00:00Z`))) return undefined;
    return expirationDate < now.toISOString().slice(0, 10);
  }
  const at = Date.parse(expirationDate);
  return Number.isNaN(at) ? undefined : at < now.getTime();
}

export function userBindingName(roleName: string, username: string): string {
  return dnsName(`${roleName}-${username}`);
}

export function botBindingName(roleName: string, sa: { readonly namespace: string; readonly name: string }): string {
  return dnsName(`${roleName}-${sa.namespace}-${sa.name}`);
}

export function roleBindingObject(namespace: string, name: string, roleRef: RoleRef, subject: Subject): KubeObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { ...roleRef },
    subjects: [{ ...subject }],
  };
}

interface Binding {
  readonly ns: Namespace;
  readonly name: string;
  readonly roleRef: RoleRef;
  readonly subject: Subject;
  readonly source: string;
}

/** A user's names under one set of user keys, computed once per (keys, user): a user is bound in every namespace of every role naming them. */
type UsernameMemo = Map<readonly ('github_username' | 'org_username')[], Map<User, readonly string[]>>;

function memoUsernames(memo: UsernameMemo, user: User, keys: readonly ('github_username' | 'org_username')[]): readonly string[] {
  let byUser = memo.get(keys);
  if (byUser === undefined) {
    byUser = new Map();
    memo.set(keys, byUser);
  }
  let names = byUser.get(user);
  if (names === undefined) {
    names = usernamesOf(user, keys);
    byUser.set(user, names);
  }
  return names;
}

function bindingsOf(role: Role, access: RoleAccess, ns: Namespace, keys: readonly ('github_username' | 'org_username')[], memo: UsernameMemo): Binding[] {
  const roleRef = roleRefOf(access);
  const roleName = accessRoleName(access);
  const out: Binding[] = role.users.flatMap((user) => memoUsernames(memo, user, keys).map((username): Binding => ({
    ns,
    name: userBindingName(roleName, username),
    roleRef,
    subject: { kind: 'User', apiGroup: RBAC_GROUP, name: username },
    source: role.path,
  })));
  for (const bot of role.bots) {
    const sa = serviceAccountOf(bot);
    if (sa === undefined) continue;
    out.push({ ns, name: botBindingName(roleName, sa), roleRef, subject: { kind: 'ServiceAccount', ...sa }, source: role.path });
  }
  return out;
}

function serviceAccountOf(bot: Bot): { namespace: string; name: string } | undefined {
  return bot.serviceAccount === undefined ? undefined : { namespace: bot.serviceAccount.namespace, name: bot.serviceAccount.name };
}

function sameBinding(a: Binding, b: Binding): boolean {
  return JSON.stringify([a.roleRef, a.subject]) === JSON.stringify([b.roleRef, b.subject]);
}

export function desiredRoleBindings(data: AppInterfaceData, options: RoleBindingsOptions): DesiredState {
  const problems: ValidationProblem[] = [];
  const blocked: BlockedUnit[] = [];
  const targets = new Map<string, Namespace>();
  for (const ns of managedNamespaces(data, ROLEBINDINGS_INTEGRATION)) {
    if (ns.managedRoles) targets.set(namespaceKey(ns), ns);
  }
  // Keyed by cluster/namespace/name: two role files granting the same role to the same subject
  // give one binding; the same name with a different roleRef or subject is a data problem.
  const bindings = new Map<string, Binding>();
  // The user keys of each cluster, computed once (not per access entry).
  const userKeys = new Map(data.clusters.map((c) => [c.name, userKeysFor(c.authServices)]));
  const defaultKeys = userKeysFor(undefined);
  const usernames: UsernameMemo = new Map();
  // Role datafiles, and the roles a namespace grants itself (a VDC's organisation members).
  const roles = [...data.roles, ...managedNamespaces(data, ROLEBINDINGS_INTEGRATION).flatMap((ns) => ns.memberRoles ?? [])];
  for (const role of roles) {
    const expired = isExpired(role.expirationDate, options.now);
    if (expired === undefined) {
      problems.push({ file: role.path, field: 'expirationDate', message: `not a date: ${role.expirationDate ?? ''}` });
      continue;
    }
    if (expired) continue;
    for (const access of role.access) {
      const ns = targets.get(namespaceKey(access.namespace));
      if (ns === undefined) continue;
      for (const b of bindingsOf(role, access, ns, userKeys.get(ns.cluster) ?? defaultKeys, usernames)) {
        const key = `${namespaceKey(ns)}/${b.name}`;
        const prior = bindings.get(key);
        if (prior === undefined) bindings.set(key, b);
        else if (!sameBinding(prior, b)) {
          // Only this namespace's bindings are withheld (a blocked unit); the others converge.
          blocked.push({ unit: `namespace ${ns.name}`, cluster: ns.cluster, namespaces: [ns.name], problems: [{
            file: role.path,
            field: 'access',
            message: `RoleBinding ${b.name} in ${ns.cluster}/${ns.name} is also generated by ${prior.source} with a different role or subject`,
          }] });
        }
      }
    }
  }
  const objects: DesiredObject[] = [...bindings.values()].map((b) => ({
    cluster: b.ns.cluster,
    object: roleBindingObject(b.ns.name, b.name, b.roleRef, b.subject),
    source: b.source,
  }));
  return { objects, problems, blocked, excludedNamespaces: externalNamespaces(data) };
}
