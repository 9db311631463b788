/**
 * "Same plan as qontract-reconcile" for the qontract-shaped part of the sample: on empty clusters,
 * kontract's namespaces, resourcequotas, limitranges, rolebindings and network-policies create
 * exactly the objects (cluster, namespace, kind, name, and the RoleBinding's roleRef kind) that
 * qontract-reconcile's openshift-namespaces, -resourcequotas, -limitranges, -rolebindings and
 * -network-policies would.
 *
 * The qontract side is computed below from the sample's raw datafiles, following these facts,
 * read in app-sre/qontract-reconcile at commit f8dc7d438389cf4da6d610e5310afb7b1f994186:
 * - a cluster whose `disable.integrations` names the integration is left out (OC_Map
 *   `_is_cluster_disabled`);
 * - openshift-namespaces: every namespace not `managedByExternal` is desired, created unless
 *   `delete: true` (openshift_namespaces.py `get_namespaces`, `build_desired_state`);
 * - openshift-resourcequotas: namespaces with a `quota`, not deleted; one ResourceQuota per
 *   `quota.quotas[]` entry, named after the entry (`construct_resource`);
 * - openshift-limitranges: namespaces with `limitRanges`, not deleted; one LimitRange named after
 *   the limit-range file's `name` (`construct_resources`);
 * - openshift-rolebindings: non-expired roles (`expiration.filter`); for each `access` entry whose
 *   namespace has `managedRoles` and is not deleted (`is_valid_namespace`), one RoleBinding per
 *   username `<role>-<username>` and per bot service account `<role>-<sa-namespace>-<sa-name>`
 *   (bots whose `openshift_serviceaccount` splits into exactly two parts), where role is
 *   `access.role or access.clusterRole` and roleRef kind is ClusterRole (without
 *   `support_role_ref`); usernames come from the user keys of the cluster's `auth` services
 *   (github-org/github-org-team → github_username, oidc/rhidp → org_username, none →
 *   github_username; openshift_base.py `determine_user_keys_for_access`); the users and bots
 *   of a role are those whose `roles` point at it;
 * - openshift-network-policies: namespaces with `networkPoliciesAllow`, not deleted; one
 *   NetworkPolicy `allow-from-<source namespace>-namespace` per allowed namespace
 *   (`fetch_desired_state`).
 *
 * kontract-only settings (`/kontract/namespace-1.yml`: tenants, isolation, quota components,
 * lifecycle state) are left out of the data for this comparison: they add objects qontract has
 * no notion of (docs/qontract-compatibility.md).
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { documentsSnapshot, readDirSnapshot, schemaOf } from '../../../src/app-interface/snapshot.js';
import type { Datafile } from '../../../src/app-interface/snapshot.js';
import { validateSnapshot } from '../../../src/app-interface/validate.js';
import { desiredLimitRanges } from '../../../src/integrations/limitranges/desired.js';
import { desiredNamespaces } from '../../../src/integrations/namespaces/desired.js';
import { desiredNetworkPolicies } from '../../../src/integrations/networkpolicies/desired.js';
import { desiredResourceQuotas } from '../../../src/integrations/resourcequotas/desired.js';
import { desiredRoleBindings } from '../../../src/integrations/rolebindings/desired.js';
import type { DesiredState } from '../../../src/integrations/define-integration.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const NOW = new Date('2026-11-29T00:00:00Z');

type Doc = Record<string, unknown> & { $schema: string };
interface Ref { $ref: string }

let files: Map<string, Doc>;
let data: AppInterfaceData;

const ofSchema = (s: string): [string, Doc][] => [...files.entries()].filter(([, d]) => d.$schema === s).sort(([a], [b]) => a.localeCompare(b));
const at = (r: Ref | undefined): Doc | undefined => (r === undefined ? undefined : files.get(r.$ref));

/** qontract-reconcile's desired objects, as `cluster/namespace/Kind/name[ roleRefKind]`. */
function qontractPlan(): string[] {
  const out: string[] = [];
  const disabled = (cluster: Doc, integration: string): boolean =>
    ((cluster.disable as { integrations?: string[] } | undefined)?.integrations ?? []).includes(integration);
  const namespaces = ofSchema('/openshift/namespace-1.yml').map(([path, ns]) => ({ path, ns, cluster: at(ns.cluster as Ref)! }));
  for (const { ns, cluster } of namespaces) {
    const c = cluster.name as string;
    const n = ns.name as string;
    const deleted = ns.delete === true;
    if (!disabled(cluster, 'openshift-namespaces') && ns.managedByExternal !== true && !deleted) out.push(`${c}/-/Namespace/${n}`);
    const quota = at(ns.quota as Ref | undefined);
    if (quota !== undefined && !deleted && !disabled(cluster, 'openshift-resourcequotas')) {
      for (const q of quota.quotas as { name: string }[]) out.push(`${c}/${n}/ResourceQuota/${q.name}`);
    }
    const lr = at(ns.limitRanges as Ref | undefined);
    if (lr !== undefined && !deleted && !disabled(cluster, 'openshift-limitranges')) out.push(`${c}/${n}/LimitRange/${lr.name as string}`);
    const allow = (ns.networkPoliciesAllow as Ref[] | undefined) ?? [];
    if (allow.length > 0 && !deleted && !disabled(cluster, 'openshift-network-policies')) {
      for (const src of allow) out.push(`${c}/${n}/NetworkPolicy/allow-from-${at(src)!.name as string}-namespace`);
    }
  }
  const keyOf: Record<string, string> = { 'github-org': 'github_username', 'github-org-team': 'github_username', oidc: 'org_username', rhidp: 'org_username' };
  for (const [rolePath, role] of ofSchema('/access/role-1.yml')) {
    const exp = role.expirationDate as string | undefined;
    if (exp !== undefined && exp < NOW.toISOString().slice(0, 10)) continue;
    const holders = (s: string): Doc[] => ofSchema(s).filter(([, d]) => ((d.roles as Ref[] | undefined) ?? []).some((r) => r.$ref === rolePath)).map(([, d]) => d);
    for (const access of (role.access as { namespace?: Ref; role?: string; clusterRole?: string }[] | undefined) ?? []) {
      const ns = at(access.namespace);
      if (ns === undefined || ns.managedRoles !== true || ns.delete === true) continue;
      const cluster = at(ns.cluster as Ref)!;
      if (disabled(cluster, 'openshift-rolebindings')) continue;
      const roleName = access.role ?? access.clusterRole!;
      const services = ((cluster.auth as { service: string }[] | undefined) ?? []).map((a) => a.service);
      const keys = [...new Set(services.length === 0 ? ['github_username'] : services.map((s) => keyOf[s]!))];
      const where = `${cluster.name as string}/${ns.name as string}/RoleBinding`;
      const usernames = holders('/access/user-1.yml').flatMap((u) => keys.map((k) => u[k]).filter((n): n is string => typeof n === 'string'));
      for (const name of usernames) out.push(`${where}/${roleName}-${name} ClusterRole`);
      for (const b of holders('/access/bot-1.yml')) {
        const sa = ((b.openshift_serviceaccount as string | undefined) ?? '').split('/');
        if (sa.length === 2) out.push(`${where}/${roleName}-${sa[0]!}-${sa[1]!} ClusterRole`);
      }
    }
  }
  return [...new Set(out)].sort();
}

function kontractPlan(): string[] {
  const states: DesiredState[] = [
    desiredNamespaces(data), desiredResourceQuotas(data), desiredLimitRanges(data),
    desiredRoleBindings(data, { now: NOW }), desiredNetworkPolicies(data),
  ];
  return states.flatMap((s) => {
    expect(s.problems).toEqual([]);
    return s.objects.map((o) => {
      const ref = o.object.kind === 'RoleBinding' ? ` ${(o.object.roleRef as { kind: string }).kind}` : '';
      return `${o.cluster}/${o.object.metadata.namespace ?? '-'}/${o.object.kind}/${o.object.metadata.name}${ref}`;
    });
  }).sort();
}

describe('same plan as qontract-reconcile on the qontract-shaped sample', () => {
  beforeAll(async () => {
    const snap = await readDirSnapshot(SAMPLE);
    // The qontract-shaped part: qontract's kinds plus the clusters' kontract credentials (which
    // only say how to connect); no /kontract/namespace-1.yml settings.
    const kept: Datafile[] = [...snap.files.values()].filter((f) => /^\/(openshift|access|app-sre)\/|^\/kontract\/cluster-1\.yml$/.test(schemaOf(f.raw) ?? ''));
    files = new Map(kept.filter((f) => !(schemaOf(f.raw) ?? '').startsWith('/kontract/')).map((f) => [f.path, f.raw as Doc]));
    data = validateSnapshot(documentsSnapshot(snap.sha, kept, snap.resources));
  });

  it('creates the same objects, with the same RoleBinding roleRef kind', () => {
    const q = qontractPlan();
    expect(q.length).toBeGreaterThan(30);
    expect(kontractPlan()).toEqual(q);
  });

  it('binds ClusterRoles only, named <role>-<org_username> on the sample\'s oidc clusters', () => {
    const rb = qontractPlan().filter((x) => x.includes('/RoleBinding/'));
    expect(rb).toContain('prod-1/acme-web/RoleBinding/edit-alice ClusterRole');
    expect(rb).toContain('dev-1/globex-dev/RoleBinding/globex-dev-admin-carolg ClusterRole');
    expect(rb.every((x) => x.endsWith(' ClusterRole'))).toBe(true);
  });
});
