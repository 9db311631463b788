import { describe, expect, it } from 'vitest';
import { desiredRoleBindings, isExpired, roleRefOf } from '../../../src/integrations/rolebindings/desired.js';
import { roleBindingsIntegration } from '../../../src/integrations/rolebindings/integration.js';
import { dnsName, isDnsName } from '../../../src/integrations/rolebindings/names.js';
import { aData, blockedOf, bot, cluster, namespace, refOf, role, user } from './data-builder.js';

const NOW = { now: new Date('2025-06-15T12:00:00Z') };
const teamA = namespace('team-a', 'c1', { managedRoles: true });
const alice = user('alice', 'alice');
const ciBot = bot('ci', { namespace: 'ci-system', name: 'deployer' });

function names(state: ReturnType<typeof desiredRoleBindings>): string[] {
  return state.objects.map((o) => `${o.cluster}/${o.object.metadata.namespace ?? ''}/${o.object.metadata.name}`);
}

describe(desiredRoleBindings, () => {
  it('binds users as User subjects and bots as ServiceAccounts with qontract-style names', () => {
    const r = role('devs', { access: [{ namespace: refOf(teamA), role: 'owner' }], users: [alice], bots: [ciBot] });
    const state = desiredRoleBindings(aData().namespace(teamA).role(r).build(), NOW);

    expect(state.problems).toEqual([]);
    expect(state.objects).toEqual([
      {
        cluster: 'c1',
        source: '/teams/roles/devs.yml',
        object: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'owner-alice', namespace: 'team-a' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'owner' },
          subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
        },
      },
      {
        cluster: 'c1',
        source: '/teams/roles/devs.yml',
        object: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'owner-ci-system-deployer', namespace: 'team-a' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'owner' },
          subjects: [{ kind: 'ServiceAccount', namespace: 'ci-system', name: 'deployer' }],
        },
      },
    ]);
  });

  it('uses the user orgUsername, not the datafile name, as the subject', () => {
    const r = role('devs', { access: [{ namespace: refOf(teamA), clusterRole: 'view' }], users: [user('Bob Builder', 'bob')] });
    const obj = desiredRoleBindings(aData().namespace(teamA).role(r).build(), NOW).objects[0]!.object;
    expect(obj.metadata.name).toBe('view-bob');
    expect(obj.subjects).toEqual([{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }]);
  });

  it('skips access to namespaces without managedRoles, deleted or externally managed', () => {
    const plain = namespace('plain', 'c1');
    const gone = namespace('gone', 'c1', { managedRoles: true, delete: true });
    const ext = namespace('ext', 'c1', { managedRoles: true, managedByExternal: true });
    const r = role('devs', {
      access: [plain, gone, ext, teamA].map((ns) => ({ namespace: refOf(ns), role: 'member' })),
      users: [alice],
    });

    const state = desiredRoleBindings(aData().namespace(plain, gone, ext, teamA).role(r).build(), NOW);

    expect(names(state)).toEqual(['c1/team-a/member-alice']);
    expect([...(state.excludedNamespaces?.get('c1') ?? [])]).toEqual(['ext']);
  });

  it('matches the access namespace by cluster as well as name', () => {
    const other = namespace('team-a', 'c2');
    const r = role('devs', { access: [{ namespace: refOf(other), role: 'member' }], users: [alice] });
    expect(desiredRoleBindings(aData().namespace(teamA, other).role(r).build(), NOW).objects).toEqual([]);
  });

  it('skips bots without a service account', () => {
    const r = role('devs', { access: [{ namespace: refOf(teamA), role: 'member' }], bots: [bot('no-sa')] });
    expect(desiredRoleBindings(aData().namespace(teamA).role(r).build(), NOW).objects).toEqual([]);
  });

  it('skips roles whose expiration date is in the past and keeps one expiring today', () => {
    const access = [{ namespace: refOf(teamA), role: 'member' }];
    const expired = role('old', { access, users: [user('old', 'old-user')], expirationDate: '2025-06-14' });
    const today = role('today', { access, users: [user('today', 'today-user')], expirationDate: '2025-06-15' });
    const future = role('future', { access, users: [user('future', 'future-user')], expirationDate: '2026-01-01' });

    const state = desiredRoleBindings(aData().namespace(teamA).role(expired, today, future).build(), NOW);

    expect(names(state)).toEqual(['c1/team-a/member-today-user', 'c1/team-a/member-future-user']);
  });

  it('takes "now" from the options, so the same data gives different bindings at different times', () => {
    const r = role('temp', { access: [{ namespace: refOf(teamA), role: 'member' }], users: [alice], expirationDate: '2025-06-20' });
    const data = aData().namespace(teamA).role(r).build();
    expect(desiredRoleBindings(data, { now: new Date('2025-06-20T23:59:00Z') }).objects).toHaveLength(1);
    expect(desiredRoleBindings(data, { now: new Date('2025-06-21T00:00:00Z') }).objects).toHaveLength(0);
  });

  it('reports an unparsable expiration date and builds nothing for that role', () => {
    const r = role('bad', { access: [{ namespace: refOf(teamA), role: 'member' }], users: [alice], expirationDate: 'soon' });
    const state = desiredRoleBindings(aData().namespace(teamA).role(r).build(), NOW);
    expect(state.objects).toEqual([]);
    expect(state.problems).toEqual([{ file: '/teams/roles/bad.yml', field: 'expirationDate', message: 'not a date: soon' }]);
  });

  it('sanitises names to DNS-1123 with a hash suffix when the username is not a valid name', () => {
    const r = role('devs', { access: [{ namespace: refOf(teamA), role: 'member' }], users: [user('a', 'Alice.Smith@Example.com')] });
    const obj = desiredRoleBindings(aData().namespace(teamA).role(r).build(), NOW).objects[0]!.object;
    expect(obj.metadata.name).toMatch(/^member-alice\.smith-example\.com-[0-9a-f]{8}$/);
    // The subject keeps the exact username.
    expect(obj.subjects).toEqual([{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'Alice.Smith@Example.com' }]);
  });

  it('truncates over-long names to 253 characters with a hash suffix, keeping distinct users distinct', () => {
    const long = 'x'.repeat(300);
    const r = role('devs', {
      access: [{ namespace: refOf(teamA), role: 'member' }],
      users: [user('u1', `${long}1`), user('u2', `${long}2`)],
    });
    const state = desiredRoleBindings(aData().namespace(teamA).role(r).build(), NOW);
    const [a, b] = state.objects.map((o) => o.object.metadata.name);
    expect(a).toHaveLength(253);
    expect(b).toHaveLength(253);
    expect(a).not.toBe(b);
    expect(isDnsName(a!)).toBe(true);
  });

  it('merges the same grant from two role files into one binding', () => {
    const access = [{ namespace: refOf(teamA), role: 'member' }];
    const state = desiredRoleBindings(
      aData().namespace(teamA).role(role('r1', { access, users: [alice] }), role('r2', { access, users: [alice] })).build(),
      NOW,
    );
    expect(state.problems).toEqual([]);
    expect(names(state)).toEqual(['c1/team-a/member-alice']);
  });

  it('gives role: X and clusterRole: X the same binding (both bind the ClusterRole X, as qontract)', () => {
    const state = desiredRoleBindings(
      aData()
        .namespace(teamA)
        .role(
          role('r1', { access: [{ namespace: refOf(teamA), role: 'admin' }], users: [alice] }),
          role('r2', { access: [{ namespace: refOf(teamA), clusterRole: 'admin' }], users: [alice] }),
        )
        .build(),
      NOW,
    );
    expect(state.problems).toEqual([]);
    expect(names(state)).toEqual(['c1/team-a/admin-alice']);
  });

  it('reports one binding name generated with two different roleRefs', () => {
    // `x` + user `a-b` and `x-a` + user `b` both give the name x-a-b.
    const state = desiredRoleBindings(
      aData()
        .namespace(teamA)
        .role(
          role('r1', { access: [{ namespace: refOf(teamA), role: 'x' }], users: [user('ab', 'a-b')] }),
          role('r2', { access: [{ namespace: refOf(teamA), role: 'x-a' }], users: [user('b', 'b')] }),
        )
        .build(),
      NOW,
    );
    expect(names(state)).toEqual(['c1/team-a/x-a-b']);
    expect(state.problems).toEqual([]);
    expect(blockedOf(state)).toEqual({ units: ['namespace team-a@c1:team-a'], problems: [
      {
        file: '/teams/roles/r2.yml',
        field: 'access',
        message: 'RoleBinding x-a-b in c1/team-a is also generated by /teams/roles/r1.yml with a different role or subject',
      },
    ] });
  });

  it('names users by the key their cluster authenticates with: oidc/rhidp → org_username, github-org/none → github_username', () => {
    const r = role('devs', { access: [{ namespace: refOf(teamA), role: 'view' }], users: [user('Alice', 'alice', 'alice-gh')] });
    const on = (authServices: readonly ('github-org' | 'oidc' | 'rhidp' | 'github-org-team')[] | undefined) =>
      names(desiredRoleBindings(aData().cluster(cluster('c1', authServices === undefined ? {} : { authServices })).namespace(teamA).role(r).build(), NOW));
    expect(on(['oidc'])).toEqual(['c1/team-a/view-alice']);
    expect(on(['rhidp'])).toEqual(['c1/team-a/view-alice']);
    expect(on(['github-org'])).toEqual(['c1/team-a/view-alice-gh']);
    expect(on(undefined)).toEqual(['c1/team-a/view-alice-gh']);
    expect(on(['oidc', 'github-org-team'])).toEqual(['c1/team-a/view-alice', 'c1/team-a/view-alice-gh']);
  });
});

describe(roleRefOf, () => {
  const ns = refOf(teamA);
  it.each([
    [{ namespace: ns, role: 'owner' }, 'ClusterRole', 'owner'],
    [{ namespace: ns, role: 'deployer' }, 'ClusterRole', 'deployer'],
    [{ namespace: ns, clusterRole: 'owner' }, 'ClusterRole', 'owner'],
    [{ namespace: ns, clusterRole: 'view' }, 'ClusterRole', 'view'],
  ])('maps %j to %s %s', (access, kind, name) => {
    expect(roleRefOf(access)).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind, name });
  });
});

describe(isExpired, () => {
  const now = new Date('2025-06-15T12:00:00Z');
  it.each<[string | undefined, boolean | undefined]>([
    [undefined, false],
    ['2025-06-14', true],
    ['2025-06-15', false],
    ['2025-06-16', false],
    ['2025-06-15T11:00:00Z', true],
    ['2025-06-15T13:00:00Z', false],
    ['2025-13-45', undefined],
    ['tomorrow', undefined],
  ])('decides %s', (date, expired) => {
    expect(isExpired(date, now)).toBe(expired);
  });
});

describe(dnsName, () => {
  it.each<[string, RegExp]>([
    ['owner-alice', /^owner-alice$/],
    ['Owner-Alice', /^owner-alice-[0-9a-f]{8}$/],
    ['a_b', /^a-b-[0-9a-f]{8}$/],
    ['-weird..name-', /^weird--name-[0-9a-f]{8}$/],
    ['@@@', /^[0-9a-f]{8}$/],
  ])('turns %s into a valid name', (raw, expected) => {
    const name = dnsName(raw);
    expect(name).toMatch(expected);
    expect(isDnsName(name)).toBe(true);
  });

  it('keeps Alice and alice distinct', () => {
    expect(dnsName('view-Alice')).not.toBe(dnsName('view-alice'));
  });

  it('fits a DNS label length and drops dots when asked for 63', () => {
    const name = dnsName(`a.b.${'c'.repeat(80)}`, 63);
    expect(name).toHaveLength(63);
    expect(name).not.toContain('.');
    expect(isDnsName(name, 63)).toBe(true);
  });

  it('is deterministic', () => {
    expect(dnsName('x'.repeat(400))).toBe(dnsName('x'.repeat(400)));
  });
});

describe('roleBindingsIntegration', () => {
  it('manages RoleBindings and declares roleRef immutable', () => {
    expect(roleBindingsIntegration.kinds).toEqual([
      { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, order: 50 },
    ]);
    expect(roleBindingsIntegration.immutableFields).toEqual(['roleRef']);
  });
});
