/**
 * In-memory AppInterfaceData for integration unit tests: `aData().cluster('c1').namespace({...})`.
 * Defaults are the smallest valid values; every entity gets a `path` like the YAML loader's.
 */
import type {
  AppInterfaceData,
  Bot,
  Cluster,
  LimitRange,
  Namespace,
  NamespaceRef,
  Quota,
  Role,
  Tenant,
  User,
} from '../../../src/app-interface/model.js';
import type { ValidationProblem } from '../../../src/core/errors.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function cluster(name: string, over: Partial<Cluster> = {}): Cluster {
  return {
    path: `/openshift/${name}/cluster.yml`,
    name,
    description: `cluster ${name}`,
    serverUrl: `https://${name}.example:6443`,
    auth: { kind: 'tokenEnv', env: `KONTRACT_TOKEN_${name.toUpperCase()}` },
    insecureSkipTLSVerify: false,
    disabledIntegrations: [],
    labels: {},
    ...over,
  };
}

export function namespace(name: string, clusterName: string, over: Partial<Namespace> = {}): Namespace {
  return {
    path: `/openshift/${clusterName}/namespaces/${name}.yml`,
    name,
    description: `namespace ${name}`,
    cluster: clusterName,
    labels: {},
    annotations: {},
    delete: false,
    managedByExternal: false,
    managedRoles: false,
    state: 'active',
    networkPoliciesAllow: [],
    isolated: false,
    ...over,
  };
}

export function refOf(ns: Namespace): NamespaceRef {
  return { name: ns.name, cluster: ns.cluster, path: ns.path };
}

export function quota(name: string, quotas: Quota['quotas']): Quota {
  return { path: `/openshift/quotas/${name}.yml`, name, quotas };
}

export function limitRange(name: string, limits: LimitRange['limits']): LimitRange {
  return { path: `/openshift/limitranges/${name}.yml`, name, limits };
}

/** A user whose org_username and github_username are the same (so the cluster's user key does not matter). */
export function user(name: string, orgUsername: string = name, githubUsername: string = orgUsername): User {
  return { path: `/teams/users/${name}.yml`, name, orgUsername, githubUsername };
}

export function bot(name: string, sa?: { namespace: string; name: string }): Bot {
  return sa === undefined ? { path: `/teams/bots/${name}.yml`, name } : { path: `/teams/bots/${name}.yml`, name, serviceAccount: sa };
}

export function role(name: string, over: Partial<Role> = {}): Role {
  return { path: `/teams/roles/${name}.yml`, name, access: [], users: [], bots: [], ...over };
}

export function tenant(name: string, over: Partial<Tenant> = {}): Tenant {
  return { path: `/tenants/${name}.yml`, name, description: `tenant ${name}`, isolated: false, ...over };
}

export class DataBuilder {
  private readonly data: Mutable<AppInterfaceData> = {
    sha: 'test-sha',
    clusters: [],
    namespaces: [],
    quotas: [],
    limitRanges: [],
    roles: [],
    users: [],
    bots: [],
    tenants: [],
  };

  cluster(c: Cluster): this {
    this.data.clusters = [...this.data.clusters, c];
    return this;
  }

  namespace(...ns: Namespace[]): this {
    this.data.namespaces = [...this.data.namespaces, ...ns];
    for (const n of ns) {
      if (n.quota !== undefined && !this.data.quotas.includes(n.quota)) this.data.quotas = [...this.data.quotas, n.quota];
      if (n.limitRanges !== undefined && !this.data.limitRanges.includes(n.limitRanges)) {
        this.data.limitRanges = [...this.data.limitRanges, n.limitRanges];
      }
    }
    return this;
  }

  role(...r: Role[]): this {
    this.data.roles = [...this.data.roles, ...r];
    for (const one of r) {
      this.data.users = [...this.data.users, ...one.users.filter((u) => !this.data.users.includes(u))];
      this.data.bots = [...this.data.bots, ...one.bots.filter((b) => !this.data.bots.includes(b))];
    }
    return this;
  }

  tenant(...t: Tenant[]): this {
    this.data.tenants = [...this.data.tenants, ...t];
    return this;
  }

  build(): AppInterfaceData {
    return { ...this.data };
  }
}

/** A builder with clusters `c1` and `c2`. */
export function aData(): DataBuilder {
  return new DataBuilder().cluster(cluster('c1')).cluster(cluster('c2'));
}

/** The problems of a desired state's blocked units, and the units as `unit@cluster:namespaces`. */
export function blockedOf(state: { readonly blocked?: readonly { unit: string; cluster: string; namespaces?: readonly string[]; problems: readonly ValidationProblem[] }[] }): { units: string[]; problems: ValidationProblem[] } {
  const blocked = state.blocked ?? [];
  return { units: blocked.map((u) => `${u.unit}@${u.cluster}:${(u.namespaces ?? ['*']).join(',')}`), problems: blocked.flatMap((u) => [...u.problems]) };
}
