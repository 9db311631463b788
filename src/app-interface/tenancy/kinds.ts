/**
 * kontract's tenancy kinds: organisations (`/kontract/organisation-1.yml`) and their virtual data
 * centres (`/kontract/vdc-1.yml`). Neither has integrations of its own: an organisation is a
 * tenant (model key `tenants`, always isolated) and a VDC is a namespace (model key `namespaces`)
 * with its quota, isolation, labels, annotations, lifecycle state and member roles derived, so
 * the namespaces, resourcequotas, networkpolicies and rolebindings integrations reconcile it as
 * any other namespace. Their JSON Schemas have accepted the documents when `build` runs.
 */
import type { RawCatalog, RawNetwork, RawOrganisation, RawVdc } from '../datafile-types.generated.js';
import { clusterKind, tenantKind, userKind } from '../core-kinds.js';
import type { ParseResult } from '../kind.js';
import { SKIP, ok, schemaKind } from '../kind.js';
import type { Catalog, Namespace, NamespaceRef, OrganisationRole, Role, Tenant, User } from '../model.js';
import type { ValidationProblem } from '../../core/errors.js';
import { vdcQuotaEntry } from './allocation.js';
import { vdcNamespaceName } from './naming.js';
import { NETWORK_SCHEMA, PRIMARY_UDN_NAMESPACE_LABEL } from './network-model.js';

/** The ClusterRole each organisation role binds in every VDC namespace of the organisation. */
export const ORGANISATION_CLUSTER_ROLES: Readonly<Record<OrganisationRole, string>> = { owner: 'admin', manager: 'edit', member: 'view' };

/** Label naming the VDC (the organisation is the `kontract.io/tenant` label, set from the tenant). */
export const VDC_LABEL = 'kontract.io/vdc';
/** Annotation carrying the organisation's human name. */
export const ORGANISATION_DISPLAY_NAME_ANNOTATION = 'kontract.io/organisation-display-name';
const DISPLAY_NAME_ANNOTATION = 'openshift.io/display-name';

export const organisationKind = schemaKind('/kontract/organisation-1.yml', 'tenants', 'organisations_v1', (r: RawOrganisation, f, ctx): ParseResult<Tenant> => {
  const defaultRole = r.defaultRole ?? 'member';
  const problems: ValidationProblem[] = [];
  const members: { user: User; role: OrganisationRole }[] = [];
  const seen = new Set<string>();
  let broken = false;
  (r.members ?? []).forEach((m, i) => {
    if (seen.has(m.user.$ref)) {
      problems.push({ file: f.path, field: `members[${i}].user`, message: `${m.user.$ref} is already a member` });
      return;
    }
    seen.add(m.user.$ref);
    const user = ctx.entry(userKind, m.user.$ref);
    if (user === undefined) broken = true;
    else members.push({ user, role: m.role ?? defaultRole });
  });
  if (problems.length > 0) return { ok: false, problems };
  if (broken) return SKIP;
  return ok({
    path: f.path,
    name: r.name,
    description: r.description ?? '',
    // A VDC accepts traffic only from its own namespace and the organisation's other VDCs.
    isolated: true,
    organisation: { displayName: r.displayName, enabled: r.enabled ?? true, members },
  });
});

/** One Role per organisation role in use, granting its ClusterRole in the VDC's namespace. */
function memberRoles(org: Tenant, ns: NamespaceRef): Role[] {
  const out: Role[] = [];
  for (const role of ['owner', 'manager', 'member'] as const) {
    const users = (org.organisation?.members ?? []).filter((m) => m.role === role).map((m) => m.user);
    if (users.length === 0) continue;
    out.push({ path: org.path, name: `${org.name}-${role}`, access: [{ namespace: ns, clusterRole: ORGANISATION_CLUSTER_ROLES[role] }], users, bots: [] });
  }
  return out;
}

export const vdcKind = schemaKind('/kontract/vdc-1.yml', 'namespaces', 'vdcs_v1', (r: RawVdc, f, ctx): ParseResult<Namespace> => {
  const org = ctx.entry(organisationKind, r.organisation.$ref);
  const cluster = ctx.entry(clusterKind, r.cluster.$ref);
  if (org?.organisation === undefined || cluster === undefined) return SKIP;
  const problems: ValidationProblem[] = [];
  const entry = vdcQuotaEntry(
    {
      allocationModel: r.allocationModel,
      ...(r.cpuCores === undefined ? {} : { cpuCores: r.cpuCores }),
      ...(r.memory === undefined ? {} : { memory: r.memory }),
      ...(r.storage === undefined ? {} : { storage: r.storage }),
      ...(r.storagePolicies === undefined ? {} : { storagePolicies: r.storagePolicies }),
    },
    f.path,
    problems,
  );
  (r.serviceAccounts ?? []).forEach((sa, i) => {
    if (sa === 'default') problems.push({ file: f.path, field: `serviceAccounts[${i}]`, message: 'default is created by Kubernetes in every namespace: choose another name' });
  });
  if (problems.length > 0) return { ok: false, problems };
  const name = vdcNamespaceName(org.name, r.name);
  const ref: NamespaceRef = { name, cluster: cluster.name, path: f.path };
  return ok({
    path: f.path,
    name,
    description: r.description ?? '',
    cluster: cluster.name,
    labels: {
      [VDC_LABEL]: r.name,
      // OVN-Kubernetes serves a primary UserDefinedNetwork only in a namespace carrying this label.
      ...(ctx.referrers(NETWORK_SCHEMA, 'vdc', f.path).some((d) => (d.raw as RawNetwork).udn?.role === 'primary') ? { [PRIMARY_UDN_NAMESPACE_LABEL]: '' } : {}),
    },
    annotations: {
      [DISPLAY_NAME_ANNOTATION]: r.displayName ?? r.name,
      [ORGANISATION_DISPLAY_NAME_ANNOTATION]: org.organisation.displayName,
    },
    delete: false,
    managedByExternal: false,
    managedRoles: true,
    tenant: org.name,
    state: org.organisation.enabled && (r.enabled ?? true) ? 'active' : 'paused',
    ...(entry === undefined ? {} : { quota: { path: f.path, name: r.name, quotas: [entry] } }),
    networkPoliciesAllow: [],
    isolated: true,
    memberRoles: memberRoles(org, ref),
    ...(r.serviceAccounts === undefined ? {} : { serviceAccounts: r.serviceAccounts }),
  });
});

export const catalogKind = schemaKind('/kontract/catalog-1.yml', 'catalogs', 'catalogs_v1', (r: RawCatalog, f, ctx): ParseResult<Catalog> => {
  const owner = ctx.entry(organisationKind, r.organisation.$ref) ?? ctx.entry(tenantKind, r.organisation.$ref);
  if (owner === undefined) return SKIP;
  return ok({ path: f.path, name: r.name, organisation: owner.name, shared: r.shared ?? false, templates: r.templates.map((t) => t.$ref) });
});

export const TENANCY_KINDS = [organisationKind, vdcKind, catalogKind] as const;
