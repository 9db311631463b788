/**
 * The qontract-shaped core kinds (clusters, namespaces, quotas, limit ranges, users, bots, roles)
 * and kontract's tenants. Their JSON Schemas (schemas/openshift, schemas/access, schemas/kontract)
 * have already accepted the document when `build` runs, so the raw shapes below are trusted.
 */
import type {
  Bot, Cluster, ClusterAuth, Labels, LimitRange, LimitRangeItem, Namespace, NamespaceRef, Quota, QuotaComponents,
  QuotaEntry, Role, RoleAccess, Tenant, User,
} from './model.js';
import type { BuildContext, ParseResult } from './kind.js';
import { SKIP, defineKind, ok } from './kind.js';

type Quantity = string | number;
interface Ref { readonly $ref: string }

interface RawCluster {
  name: string; description?: string; serverUrl: string; labels?: Record<string, string>;
  auth: { kubeconfigContext: string; kubeconfigPath?: string } | { tokenEnv: string } | { tokenFile: string } | { inCluster: true };
  ca?: { inline: string } | { path: string };
  insecureSkipTLSVerify?: boolean;
  disable?: { integrations?: string[] };
}
interface RawNamespace {
  name: string; description?: string; cluster: Ref; labels?: Record<string, string>; annotations?: Record<string, string>;
  delete?: boolean; managedByExternal?: boolean; managedRoles?: boolean; quota?: Ref; limitRanges?: Ref;
  networkPoliciesAllow?: Ref[]; tenant?: Ref; state?: Namespace['state'];
  quotaComponents?: { cpu?: number; memoryGB?: number; storageGB?: number; pods?: number; burstFactor?: number };
  isolated?: boolean;
}
interface RawQuota {
  name: string;
  quotas: {
    name: string;
    resources: { limits?: Record<string, Quantity>; requests?: Record<string, Quantity>; pods?: number; [k: string]: unknown };
    scopes?: string[];
  }[];
}
interface RawLimitRange { name: string; limits: (Record<string, Record<string, Quantity> | undefined> & { type: LimitRangeItem['type'] })[] }
interface RawUser { name: string; org_username: string }
interface RawBot { name: string; openshift_serviceaccount?: string }
interface RawRole {
  name: string; expirationDate?: string;
  access?: ({ namespace: Ref; role: string } | { namespace: Ref; clusterRole: string })[];
  users?: Ref[]; bots?: Ref[];
}
interface RawTenant { name: string; description?: string; isolated?: boolean }

/** `{k: v}` when v is defined, `{}` otherwise (exactOptionalPropertyTypes-friendly spreads). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function strings(m: Readonly<Record<string, Quantity>> | undefined): Labels | undefined {
  if (m === undefined) return undefined;
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]));
}

function auth(a: RawCluster['auth']): ClusterAuth {
  if ('kubeconfigContext' in a) return { kind: 'kubeconfig', context: a.kubeconfigContext, ...opt('path', a.kubeconfigPath) };
  if ('tokenEnv' in a) return { kind: 'tokenEnv', env: a.tokenEnv };
  if ('inCluster' in a) return { kind: 'inCluster' };
  return { kind: 'tokenFile', file: a.tokenFile };
}

export const clusterKind = defineKind({
  schema: '/openshift/cluster-1.yml',
  modelKey: 'clusters',
  graphqlField: 'clusters_v1',
  build(f): ParseResult<Cluster> {
    const r = f.raw as RawCluster;
    return ok({
      path: f.path,
      name: r.name,
      description: r.description ?? '',
      serverUrl: r.serverUrl,
      ...opt('ca', r.ca),
      auth: auth(r.auth),
      insecureSkipTLSVerify: r.insecureSkipTLSVerify ?? false,
      disabledIntegrations: r.disable?.integrations ?? [],
      labels: r.labels ?? {},
    });
  },
});

export const tenantKind = defineKind({
  schema: '/kontract/tenant-1.yml',
  modelKey: 'tenants',
  graphqlField: 'tenants_v1',
  build(f): ParseResult<Tenant> {
    const r = f.raw as RawTenant;
    return ok({ path: f.path, name: r.name, description: r.description ?? '', isolated: r.isolated ?? false });
  },
});

function quotaEntry(q: RawQuota['quotas'][number]): QuotaEntry {
  const { limits, requests, pods, ...rest } = q.resources;
  const other = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v as Quantity)]));
  return {
    name: q.name,
    resources: {
      ...opt('limits', strings(limits)),
      ...opt('requests', strings(requests)),
      ...opt('pods', pods),
      ...(Object.keys(other).length === 0 ? {} : { other }),
    },
    scopes: q.scopes ?? [],
  };
}

export const quotaKind = defineKind({
  schema: '/openshift/quota-1.yml',
  modelKey: 'quotas',
  graphqlField: 'quotas_v1',
  build(f): ParseResult<Quota> {
    const r = f.raw as RawQuota;
    return ok({ path: f.path, name: r.name, quotas: r.quotas.map(quotaEntry) });
  },
});

const LIMIT_MAPS = ['default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio'] as const;

export const limitRangeKind = defineKind({
  schema: '/openshift/limitrange-1.yml',
  modelKey: 'limitRanges',
  graphqlField: 'limitranges_v1',
  build(f): ParseResult<LimitRange> {
    const r = f.raw as RawLimitRange;
    const limits = r.limits.map((l): LimitRangeItem => {
      let item: LimitRangeItem = { type: l.type };
      for (const k of LIMIT_MAPS) item = { ...item, ...opt(k, strings(l[k])) };
      return item;
    });
    return ok({ path: f.path, name: r.name, limits });
  },
});

export const userKind = defineKind({
  schema: '/access/user-1.yml',
  modelKey: 'users',
  graphqlField: 'users_v1',
  build(f): ParseResult<User> {
    const r = f.raw as RawUser;
    return ok({ path: f.path, name: r.name, orgUsername: r.org_username });
  },
});

export const botKind = defineKind({
  schema: '/access/bot-1.yml',
  modelKey: 'bots',
  graphqlField: 'bots_v1',
  build(f): ParseResult<Bot> {
    const r = f.raw as RawBot;
    const sa = r.openshift_serviceaccount?.split('/');
    const serviceAccount = sa?.[0] !== undefined && sa[1] !== undefined ? { namespace: sa[0], name: sa[1] } : undefined;
    return ok({ path: f.path, name: r.name, ...opt('serviceAccount', serviceAccount) });
  },
});

/** `{name, cluster, path}` of the namespace datafile at `path`, without building it (namespaces may allow each other). */
export function namespaceRef(ctx: BuildContext, path: string): NamespaceRef | undefined {
  const f = ctx.file(path);
  const raw = f?.raw as Partial<RawNamespace> | undefined;
  const clusterPath = raw?.cluster?.$ref;
  if (raw?.name === undefined || clusterPath === undefined) return undefined;
  const cluster = ctx.entry(clusterKind, clusterPath);
  return cluster === undefined ? undefined : { name: raw.name, cluster: cluster.name, path };
}

function components(c: NonNullable<RawNamespace['quotaComponents']>): QuotaComponents {
  return {
    ...opt('cpu', c.cpu), ...opt('memoryGB', c.memoryGB), ...opt('storageGB', c.storageGB), ...opt('pods', c.pods),
    burstFactor: c.burstFactor ?? 2,
  };
}

export const namespaceKind = defineKind({
  schema: '/openshift/namespace-1.yml',
  modelKey: 'namespaces',
  graphqlField: 'namespaces_v1',
  linkFields: ['networkPoliciesAllow'],
  build(f, ctx): ParseResult<Namespace> {
    const r = f.raw as RawNamespace;
    const cluster = ctx.entry(clusterKind, r.cluster.$ref);
    const quota = r.quota === undefined ? undefined : ctx.entry(quotaKind, r.quota.$ref);
    const limitRanges = r.limitRanges === undefined ? undefined : ctx.entry(limitRangeKind, r.limitRanges.$ref);
    const tenant = r.tenant === undefined ? undefined : ctx.entry(tenantKind, r.tenant.$ref);
    const allow = (r.networkPoliciesAllow ?? []).map((a) => namespaceRef(ctx, a.$ref));
    if (cluster === undefined || (r.quota !== undefined && quota === undefined) || (r.limitRanges !== undefined && limitRanges === undefined)
      || (r.tenant !== undefined && tenant === undefined) || allow.includes(undefined)) return SKIP;
    return ok({
      path: f.path,
      name: r.name,
      description: r.description ?? '',
      cluster: cluster.name,
      labels: r.labels ?? {},
      annotations: r.annotations ?? {},
      delete: r.delete ?? false,
      managedByExternal: r.managedByExternal ?? false,
      managedRoles: r.managedRoles ?? false,
      ...opt('tenant', tenant?.name),
      state: r.state ?? 'active',
      ...opt('quota', quota),
      ...opt('quotaComponents', r.quotaComponents === undefined ? undefined : components(r.quotaComponents)),
      ...opt('limitRanges', limitRanges),
      networkPoliciesAllow: allow.filter((a): a is NamespaceRef => a !== undefined),
      isolated: r.isolated ?? false,
    });
  },
});

export const roleKind = defineKind({
  schema: '/access/role-1.yml',
  modelKey: 'roles',
  graphqlField: 'roles_v1',
  build(f, ctx): ParseResult<Role> {
    const r = f.raw as RawRole;
    const access: RoleAccess[] = [];
    for (const a of r.access ?? []) {
      const namespace = namespaceRef(ctx, a.namespace.$ref);
      if (namespace === undefined) return SKIP;
      access.push('role' in a ? { namespace, role: a.role } : { namespace, clusterRole: a.clusterRole });
    }
    const users = (r.users ?? []).map((u) => ctx.entry(userKind, u.$ref));
    const bots = (r.bots ?? []).map((b) => ctx.entry(botKind, b.$ref));
    if (users.includes(undefined) || bots.includes(undefined)) return SKIP;
    return ok({
      path: f.path,
      name: r.name,
      access,
      users: users.filter((u): u is User => u !== undefined),
      bots: bots.filter((b): b is Bot => b !== undefined),
      ...opt('expirationDate', r.expirationDate),
    });
  },
});

export const CORE_KINDS = [clusterKind, namespaceKind, quotaKind, limitRangeKind, roleKind, userKind, botKind, tenantKind] as const;
