/**
 * A large app-interface of realistic shape for the end-to-end benchmark (docs/benchmarks.md,
 * "End to end"): the sample (app-interface-sample/) plus generated qontract datafiles in the
 * sample's own shape —
 *
 *   - N namespaces (`/openshift/<cluster>/namespaces/<team>-svc-<i>.yml`, `/openshift/namespace-1.yml`),
 *     round-robin over the sample's clusters, each with a `quota` and a `limitRanges` `$ref` (the
 *     sample's quota and limit-range files), `managedRoles: true`, the team's app and the cluster's
 *     environment, and 0–2 `networkPoliciesAllow` `$ref`s to earlier namespaces on the same cluster;
 *   - R roles (`/access/roles/gen-role-<j>.yml`), each giving `clusterRole` view/edit/admin in
 *     ROLE_ACCESS namespaces;
 *   - U users (`/access/users/gen-user-<k>.yml`), each holding 1–3 of the roles.
 *
 * Deterministic: the same options (seed included) give byte-identical files.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LargeAppInterfaceOptions {
  readonly namespaces: number;
  readonly roles: number;
  readonly users: number;
  readonly seed: number;
}

/** The issue's case: 3,000 namespaces, 300 roles, 1,000 users. */
export const ISSUE_CASE: LargeAppInterfaceOptions = { namespaces: 3000, roles: 300, users: 1000, seed: 1 };

/** The repository's sample (from dist/bench or src/bench). */
export const SAMPLE_DIR = fileURLToPath(new URL('../../app-interface-sample/', import.meta.url));

/** `--namespaces N --roles N --users N --seed N` (each defaulting to the issue's case). */
export function generatorOptions(argv: readonly string[]): LargeAppInterfaceOptions {
  const num = (flag: string, dflt: number): number => {
    const i = argv.indexOf(flag);
    if (i < 0) return dflt;
    const v = Number(argv[i + 1]);
    if (!Number.isInteger(v) || v < 0) throw new Error(`${flag} must be a non-negative integer`);
    return v;
  };
  return { namespaces: num('--namespaces', ISSUE_CASE.namespaces), roles: num('--roles', ISSUE_CASE.roles), users: num('--users', ISSUE_CASE.users), seed: num('--seed', ISSUE_CASE.seed) };
}

/** The sample's clusters, their environment and the sample's app of each team. */
const CLUSTERS = [
  { name: 'prod-1', environment: 'production' },
  { name: 'prod-2', environment: 'production' },
  { name: 'dev-1', environment: 'development' },
] as const;
const TEAMS = ['acme', 'globex', 'platform'] as const;
const QUOTAS = ['small', 'large'] as const;
const LIMIT_RANGES = ['default', 'batch'] as const;
const CLUSTER_ROLES = ['view', 'edit', 'admin'] as const;
/** Namespaces each generated role gives access to. */
export const ROLE_ACCESS = 5;

/** mulberry32: a small seeded PRNG, enough for reproducible data (not for anything secret). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  const v = list[Math.floor(rand() * list.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

/** Distinct integers in [0, n), `count` of them (fewer when n is smaller), in draw order. */
function distinct(rand: () => number, n: number, count: number): number[] {
  const out = new Set<number>();
  const want = Math.min(n, count);
  while (out.size < want) out.add(Math.floor(rand() * n));
  return [...out];
}

const pad = (i: number, width: number): string => String(i).padStart(width, '0');

/** The generated datafiles by path from the app-interface root (`/openshift/…`), as YAML text. */
export function generateDatafiles(opts: LargeAppInterfaceOptions): Map<string, string> {
  const rand = prng(opts.seed);
  const files = new Map<string, string>();
  const nsPaths: string[] = [];
  const byCluster = new Map<string, string[]>();
  for (let i = 0; i < opts.namespaces; i++) {
    const cluster = CLUSTERS[i % CLUSTERS.length] ?? CLUSTERS[0];
    const team = pick(rand, TEAMS);
    const name = `${team}-svc-${pad(i, 4)}`;
    const path = `/openshift/${cluster.name}/namespaces/${name}.yml`;
    const earlier = byCluster.get(cluster.name) ?? [];
    const allow = earlier.length === 0 ? [] : distinct(rand, earlier.length, Math.floor(rand() * 3)).map((j) => earlier[j]);
    const lines = [
      '$schema: /openshift/namespace-1.yml',
      'labels:',
      `  team: ${team}`,
      `  tier: "${1 + Math.floor(rand() * 3)}"`,
      `name: ${name}`,
      `description: ${name} on ${cluster.name} (generated)`,
      'cluster:',
      `  $ref: /openshift/${cluster.name}/cluster.yml`,
      'app:',
      `  $ref: /app-sre/apps/${team}.yml`,
      'environment:',
      `  $ref: /app-sre/environments/${cluster.environment}.yml`,
      'managedRoles: true',
      'quota:',
      `  $ref: /openshift/quotas/${pick(rand, QUOTAS)}.yml`,
      'limitRanges:',
      `  $ref: /openshift/limitranges/${pick(rand, LIMIT_RANGES)}.yml`,
      ...(allow.length === 0 ? [] : ['networkPoliciesAllow:', ...allow.map((p) => `- $ref: ${p}`)]),
    ];
    files.set(path, `${lines.join('\n')}\n`);
    nsPaths.push(path);
    earlier.push(path);
    byCluster.set(cluster.name, earlier);
  }
  const rolePaths: string[] = [];
  for (let j = 0; j < opts.roles; j++) {
    const name = `gen-role-${pad(j, 3)}`;
    const path = `/access/roles/${name}.yml`;
    const access = distinct(rand, nsPaths.length, ROLE_ACCESS).flatMap((n) => [
      '- namespace:',
      `    $ref: ${nsPaths[n] ?? ''}`,
      `  clusterRole: ${pick(rand, CLUSTER_ROLES)}`,
    ]);
    const lines = [
      '$schema: /access/role-1.yml',
      'labels: {}',
      `name: ${name}`,
      `description: generated role ${j}`,
      'permissions: []',
      ...(access.length === 0 ? ['access: []'] : ['access:', ...access]),
    ];
    files.set(path, `${lines.join('\n')}\n`);
    rolePaths.push(path);
  }
  for (let k = 0; k < opts.users; k++) {
    const name = `gen-user-${pad(k, 4)}`;
    const roles = distinct(rand, rolePaths.length, 1 + Math.floor(rand() * 3)).map((r) => `- $ref: ${rolePaths[r] ?? ''}`);
    const lines = [
      '$schema: /access/user-1.yml',
      'labels: {}',
      `name: Generated User ${k}`,
      `org_username: guser${pad(k, 4)}`,
      `github_username: guser${pad(k, 4)}-gh`,
      ...(roles.length === 0 ? ['roles: []'] : ['roles:', ...roles]),
    ];
    files.set(`/access/users/${name}.yml`, `${lines.join('\n')}\n`);
  }
  return files;
}

/**
 * Writes the sample (`sampleDir`, copied as is) plus the generated datafiles into `out` (created;
 * existing generated paths overwritten). Returns the number of generated files.
 */
export function writeLargeAppInterface(out: string, sampleDir: string, opts: LargeAppInterfaceOptions): number {
  mkdirSync(out, { recursive: true });
  cpSync(sampleDir, out, { recursive: true });
  const files = generateDatafiles(opts);
  for (const [path, text] of files) {
    const abs = nodePath.join(out, ...path.split('/'));
    mkdirSync(nodePath.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  return files.size;
}
