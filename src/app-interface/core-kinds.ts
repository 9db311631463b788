/**
 * The qontract-shaped core kinds (clusters, namespaces, quotas, limit ranges, users, bots, roles)
 * and kontract's tenants. Their JSON Schemas (schemas/openshift, schemas/access, schemas/kontract)
 * have already accepted the document when `build` runs, so the raw shapes below are trusted.
 */
import type {
  AppInterfaceSettings, Bot, Cluster, ClusterAuth, ClusterSettings, Labels, LimitRange, LimitRangeItem, NamedEntry, Namespace,
  NamespaceRef, NamespaceSettings, Quota, QuotaComponents, QuotaEntry, Role, RoleAccess, Tenant, User,
} from './model.js';
import type { ValidationProblem } from '../core/errors.js';
import type {
  RawAppInterfaceSettings, RawBot, RawCluster, RawClusterSettings, RawLimitRange, RawNamespace, RawNamespaceSettings, RawQuota, RawRole,
  RawTenant, RawUser,
} from './datafile-types.generated.js';
import type { BuildContext, DatafileKind, ParseResult } from './kind.js';
import { SKIP, ok, schemaKind } from './kind.js';
import type { NamespaceResource, TemplateNamespace } from './openshift-resources.js';
import { readOpenshiftResources } from './openshift-resources.js';

// The raw shape of each kind is derived from its JSON Schema (schemas/), which has accepted the
// document before `build` runs: see datafile-types.generated.ts (`npm run gen:types`).
type ExplicitAuth = NonNullable<RawClusterSettings['auth']>;
type CpuMemory = { cpu?: string; memory?: string };
interface RawNamed { name: string }

/** qontract integration names (cluster `disable.integrations`) of the integrations kontract implements. */
export const QONTRACT_INTEGRATION_NAMES: Readonly<Record<string, string>> = {
  'openshift-namespaces': 'namespaces',
  'openshift-resourcequotas': 'resourcequotas',
  'openshift-limitranges': 'limitranges',
  'openshift-rolebindings': 'rolebindings',
  'openshift-network-policies': 'networkpolicies',
  'openshift-resources': 'resources',
};

/** `{k: v}` when v is defined, `{}` otherwise (exactOptionalPropertyTypes-friendly spreads). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function strings(m: CpuMemory | undefined): Labels | undefined {
  if (m === undefined) return undefined;
  return Object.fromEntries(Object.entries(m).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function explicitAuth(a: ExplicitAuth): Exclude<ClusterAuth, { kind: 'automationToken' }> {
  if ('kubeconfigContext' in a) return { kind: 'kubeconfig', context: a.kubeconfigContext, ...opt('path', a.kubeconfigPath) };
  if ('tokenEnv' in a) return { kind: 'tokenEnv', env: a.tokenEnv };
  if ('inCluster' in a) return { kind: 'inCluster' };
  return { kind: 'tokenFile', file: a.tokenFile };
}

export const clusterSettingsKind = schemaKind('/kontract/cluster-1.yml', 'clusterSettings', 'kontract_clusters_v1', (r: RawClusterSettings, f): ParseResult<ClusterSettings> => ok({
  path: f.path,
  cluster: r.cluster.$ref,
  ...opt('auth', r.auth === undefined ? undefined : explicitAuth(r.auth)),
  ...opt('ca', r.ca),
  disabledIntegrations: r.disable?.integrations ?? [],
}));

/** `/openshift/c1/cluster.yml:12 jumpHost` (the line only where the source has positions: a directory). */
function jumpHostWhere(f: { readonly path: string; readonly positions?: { lineOf(path: readonly (string | number)[]): number | undefined } }): string {
  const line = f.positions?.lineOf(['jumpHost']);
  return `${f.path}${line === undefined ? '' : `:${line}`} jumpHost`;
}

export const clusterKind = schemaKind('/openshift/cluster-1.yml', 'clusters', 'clusters_v1', (r: RawCluster, f, ctx): ParseResult<Cluster> => {
  const settingsFiles = ctx.referrers(clusterSettingsKind.schema, 'cluster', f.path);
  if (settingsFiles.length > 1) {
    return { ok: false, problems: settingsFiles.slice(1).map((s) => ({ file: s.path, field: 'cluster', message: `${f.path} already has kontract settings in ${settingsFiles[0]?.path ?? ''}: one /kontract/cluster-1.yml per cluster` })) };
  }
  const settings = settingsFiles[0] === undefined ? undefined : ctx.entry(clusterSettingsKind, settingsFiles[0].path);
  if (settingsFiles[0] !== undefined && settings === undefined) return SKIP; // the settings file's problems are reported
  let auth: ClusterAuth;
  if (settings?.auth !== undefined) auth = settings.auth;
  else if (r.automationToken !== undefined) auth = { kind: 'automationToken', secret: r.automationToken };
  else {
    return { ok: false, problems: [{ file: f.path, field: 'automationToken', message: 'the cluster has no credentials: give it an automationToken (a Vault secret reference) or a /kontract/cluster-1.yml datafile with auth: {kubeconfigContext} | {tokenEnv} | {tokenFile}' }] };
  }
  const disabled = (r.disable?.integrations ?? []).flatMap((q) => QONTRACT_INTEGRATION_NAMES[q] ?? []);
  return ok({
    path: f.path,
    name: r.name,
    description: r.description ?? '',
    serverUrl: r.serverUrl,
    ...opt('ca', settings?.ca),
    auth,
    insecureSkipTLSVerify: r.insecureSkipTLSVerify ?? false,
    disabledIntegrations: [...new Set([...disabled, ...(settings?.disabledIntegrations ?? [])])],
    labels: r.labels,
    authServices: r.auth.map((a) => a.service),
    ...opt('jumpHost', r.jumpHost === undefined ? undefined : { path: r.jumpHost.$ref, where: jumpHostWhere(f) }),
  });
});

export const tenantKind = schemaKind('/kontract/tenant-1.yml', 'tenants', 'tenants_v1', (r: RawTenant, f): ParseResult<Tenant> => ok({ path: f.path, name: r.name, description: r.description ?? '', isolated: r.isolated ?? false }));

function quotaEntry(q: RawQuota['quotas'][number]): QuotaEntry {
  const { limits, requests, pods } = q.resources;
  return {
    name: q.name,
    resources: { ...opt('limits', strings(limits)), ...opt('requests', strings(requests)), ...opt('pods', pods) },
    scopes: q.scopes ?? [],
  };
}

export const quotaKind = schemaKind('/openshift/quota-1.yml', 'quotas', 'quotas_v1', (r: RawQuota, f): ParseResult<Quota> => ok({ path: f.path, name: r.name, quotas: r.quotas.map(quotaEntry) }));

const LIMIT_MAPS = ['default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio'] as const;

export const limitRangeKind = schemaKind('/openshift/limitrange-1.yml', 'limitRanges', 'limitranges_v1', (r: RawLimitRange, f): ParseResult<LimitRange> => {
  const limits = r.limits.map((l): LimitRangeItem => {
    let item: LimitRangeItem = opt('type', l.type);
    for (const k of LIMIT_MAPS) item = { ...item, ...opt(k, strings(l[k])) };
    return item;
  });
  return ok({ path: f.path, name: r.name, limits });
});

export const userKind = schemaKind('/access/user-1.yml', 'users', 'users_v1', (r: RawUser, f): ParseResult<User> => ok({ path: f.path, name: r.name, orgUsername: r.org_username, githubUsername: r.github_username }));

export const botKind = schemaKind('/access/bot-1.yml', 'bots', 'bots_v1', (r: RawBot, f): ParseResult<Bot> => {
  // As qontract-reconcile: only `<namespace>/<name>` with exactly one slash is a service account.
  const sa = r.openshift_serviceaccount?.split('/');
  const serviceAccount = sa?.length === 2 && sa[0] !== undefined && sa[1] !== undefined ? { namespace: sa[0], name: sa[1] } : undefined;
  return ok({ path: f.path, name: r.name, ...opt('serviceAccount', serviceAccount) });
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

function components(c: NonNullable<RawNamespaceSettings['quotaComponents']>): QuotaComponents {
  return {
    ...opt('cpu', c.cpu), ...opt('memoryGB', c.memoryGB), ...opt('storageGB', c.storageGB), ...opt('pods', c.pods),
    burstFactor: c.burstFactor ?? 2,
  };
}

export const namespaceSettingsKind = schemaKind('/kontract/namespace-1.yml', 'namespaceSettings', 'kontract_namespaces_v1', (r: RawNamespaceSettings, f, ctx): ParseResult<NamespaceSettings> => {
  const tenant = r.tenant === undefined ? undefined : ctx.entry(tenantKind, r.tenant.$ref);
  if (r.tenant !== undefined && tenant === undefined) return SKIP;
  return ok({
    path: f.path,
    namespace: r.namespace.$ref,
    ...opt('tenant', tenant?.name),
    state: r.state ?? 'active',
    ...opt('quotaComponents', r.quotaComponents === undefined ? undefined : components(r.quotaComponents)),
    isolated: r.isolated ?? false,
    annotations: r.annotations ?? {},
  });
});

/** qontract kinds kontract accepts without reading them (schemas/app-sre/*.json accept any qontract document). */
function qontractDatafileKind(schema: string, graphqlField: string): DatafileKind<'qontractDatafiles'> {
  return schemaKind(schema, 'qontractDatafiles', graphqlField, (r: RawNamed, f): ParseResult<NamedEntry> => ok({ path: f.path, schema, name: r.name }));
}

export const appKind = qontractDatafileKind('/app-sre/app-1.yml', 'apps_v1');
export const sharedResourcesKind = qontractDatafileKind('/openshift/shared-resources-1.yml', 'shared_resources_v1');
export const environmentKind = qontractDatafileKind('/app-sre/environment-1.yml', 'environments_v1');
export const productKind = qontractDatafileKind('/app-sre/product-1.yml', 'products_v1');
export const escalationPolicyKind = qontractDatafileKind('/app-sre/escalation-policy-1.yml', 'escalation_policies_v1');
export const permissionKind = qontractDatafileKind('/access/permission-1.yml', 'permissions_v1');

export const namespaceKind = schemaKind('/openshift/namespace-1.yml', 'namespaces', 'namespaces_v1', (r: RawNamespace, f, ctx): ParseResult<Namespace> => {
  const cluster = ctx.entry(clusterKind, r.cluster.$ref);
  const quota = r.quota === undefined ? undefined : ctx.entry(quotaKind, r.quota.$ref);
  const limitRanges = r.limitRanges === undefined ? undefined : ctx.entry(limitRangeKind, r.limitRanges.$ref);
  const allow = (r.networkPoliciesAllow ?? []).map((a) => namespaceRef(ctx, a.$ref));
  const settingsFiles = ctx.referrers(namespaceSettingsKind.schema, 'namespace', f.path);
  if (settingsFiles.length > 1) {
    return { ok: false, problems: settingsFiles.slice(1).map((s) => ({ file: s.path, field: 'namespace', message: `${f.path} already has kontract settings in ${settingsFiles[0]?.path ?? ''}: one /kontract/namespace-1.yml per namespace` })) };
  }
  const settings = settingsFiles[0] === undefined ? undefined : ctx.entry(namespaceSettingsKind, settingsFiles[0].path);
  const shared = (r.sharedResources ?? []).map((s) => ({ path: s.$ref, entry: ctx.entry(sharedResourcesKind, s.$ref) }));
  if (cluster === undefined || shared.some((s) => s.entry === undefined) || (r.quota !== undefined && quota === undefined) || (r.limitRanges !== undefined && limitRanges === undefined)
    || (settingsFiles[0] !== undefined && settings === undefined) || allow.includes(undefined)) return SKIP;
  const resources = namespaceResources(f.path, r, cluster, shared.map((s) => s.path), ctx);
  if (resources.problems.length > 0) return { ok: false, problems: resources.problems };
  return ok({
    path: f.path,
    name: r.name,
    description: r.description,
    cluster: cluster.name,
    labels: r.labels,
    annotations: settings?.annotations ?? {},
    delete: r.delete ?? false,
    managedByExternal: r.managedByExternal ?? false,
    managedRoles: r.managedRoles ?? false,
    clusterAdmin: r.clusterAdmin ?? false,
    managedResourceTypes: r.managedResourceTypes ?? [],
    managedResourceNames: r.managedResourceNames?.map((m) => ({ resource: m.resource, resourceNames: m.resourceNames })) ?? [],
    managedResourceTypeOverrides: r.managedResourceTypeOverrides?.map((o) => ({ resource: o.resource, override: o.override })) ?? [],
    // Absent when the document has neither field (the GraphQL source does not carry them): the
    // resources integration then leaves the namespace alone.
    ...(r.openshiftResources === undefined && r.sharedResources === undefined ? {} : { openshiftResources: resources.resources }),
    ...opt('app', ctx.entry(appKind, r.app.$ref)?.name),
    ...opt('environment', ctx.entry(environmentKind, r.environment.$ref)?.name),
    ...opt('tenant', settings?.tenant),
    state: settings?.state ?? 'active',
    ...opt('quota', quota),
    ...opt('quotaComponents', settings?.quotaComponents),
    ...opt('limitRanges', limitRanges),
    networkPoliciesAllow: allow.filter((a): a is NamespaceRef => a !== undefined),
    isolated: settings?.isolated ?? false,
  });
}, { linkFields: ['networkPoliciesAllow'] });

/** The namespace's own openshiftResources, then those of its sharedResources files, read and rendered. */
function namespaceResources(path: string, r: RawNamespace, cluster: Cluster, shared: readonly string[], ctx: BuildContext): { resources: NamespaceResource[]; problems: ValidationProblem[] } {
  // Most namespaces have neither: skip building the template context (the environment's parameters as JSON, per namespace).
  if ((r.openshiftResources === undefined || r.openshiftResources === null) && shared.length === 0) return { resources: [], problems: [] };
  const envFile = ctx.file(r.environment.$ref)?.raw as { name?: unknown; parameters?: unknown } | undefined;
  const namespace: TemplateNamespace = {
    name: r.name, path, labels: r.labels, delete: r.delete ?? false, clusterAdmin: r.clusterAdmin ?? false,
    managedResourceTypes: r.managedResourceTypes ?? [],
    cluster: { name: cluster.name, serverUrl: cluster.serverUrl, labels: cluster.labels },
    // qontract's GraphQL answers environment parameters as a JSON string.
    environment: { name: typeof envFile?.name === 'string' ? envFile.name : '', parameters: envFile?.parameters === undefined ? null : JSON.stringify(envFile.parameters) },
  };
  const lists = [
    { entries: r.openshiftResources, origin: { file: path, field: 'openshiftResources' } },
    ...shared.map((s) => ({ entries: (ctx.file(s)?.raw as { openshiftResources?: unknown } | undefined)?.openshiftResources, origin: { file: s, field: 'openshiftResources' } })),
  ];
  const out = { resources: [] as NamespaceResource[], problems: [] as ValidationProblem[] };
  for (const l of lists) {
    const got = readOpenshiftResources({ ...l, namespace, resource: (p) => ctx.resource(p) });
    out.resources.push(...got.resources);
    // A shared file's problem concerns every namespace using it: say which.
    out.problems.push(...(l.origin.file === path ? got.problems : got.problems.map((p) => ({ ...p, message: `${p.message} (rendered for namespace ${path})` }))));
  }
  return out;
}

export const roleKind = schemaKind('/access/role-1.yml', 'roles', 'roles_v1', (r: RawRole, f, ctx): ParseResult<Role> => {
  const access: RoleAccess[] = [];
  for (const a of r.access ?? []) {
    if (a.namespace === undefined) continue; // cluster-scoped access ({cluster, group|clusterRole}): not a RoleBinding
    const namespace = namespaceRef(ctx, a.namespace.$ref);
    if (namespace === undefined) return SKIP;
    if (a.role !== undefined) access.push({ namespace, role: a.role });
    else if (a.clusterRole !== undefined) access.push({ namespace, clusterRole: a.clusterRole });
  }
  // qontract: users and bots point at roles (`roles: [$ref]`).
  const users = ctx.referrers(userKind.schema, 'roles', f.path).map((u) => ctx.entry(userKind, u.path));
  const bots = ctx.referrers(botKind.schema, 'roles', f.path).map((b) => ctx.entry(botKind, b.path));
  if (users.includes(undefined) || bots.includes(undefined)) return SKIP;
  return ok({
    path: f.path,
    name: r.name,
    access,
    users: users.filter((u): u is User => u !== undefined),
    bots: bots.filter((b): b is Bot => b !== undefined),
    ...opt('expirationDate', r.expirationDate),
  });
});

/** qontract's kinds (and kontract's tenants), typed in GraphQL. */
export const CORE_KINDS = [
  clusterKind, namespaceKind, quotaKind, limitRangeKind, roleKind, userKind, botKind,
  appKind, environmentKind, productKind, escalationPolicyKind, permissionKind, tenantKind,
] as const;

export const appInterfaceSettingsKind = schemaKind('/app-interface/app-interface-settings-1.yml', 'appInterfaceSettings', 'app_interface_settings_v1',
  (r: RawAppInterfaceSettings, f): ParseResult<AppInterfaceSettings> => ok({ path: f.path, name: r.name, vault: r.vault ?? true }));

/** kontract's settings for qontract objects, and qontract's app-interface settings (served as raw documents). */
export const SETTINGS_KINDS = [clusterSettingsKind, namespaceSettingsKind, appInterfaceSettingsKind] as const;
