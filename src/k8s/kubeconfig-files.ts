/**
 * Reading a kubeconfig from an explicit path or a `KUBECONFIG`-style list, merged the way kubectl
 * merges one: files in order, empty entries and missing files skipped, the first file to define a
 * cluster, user or context name wins, `current-context` from the first file that sets it; relative
 * paths inside a file (`certificate-authority`, `client-certificate`, `client-key`, `token-file`)
 * resolve against that file's directory. `~/.kube/config` is never implied.
 *
 * kontract's own reader over js-yaml (already loaded for the app-interface) instead of
 * @kubernetes/client-node's `KubeConfig`: importing client-node loads ≈ 830 ES modules, measured at
 * ≈ 17 % of a no-op `reconcile --all --dry-run`'s CPU samples, and a run needs only the fields
 * below (docs/benchmarks.md, "End to end"). The entries keep client-node's field names and its
 * checks (`clusters[i].cluster.server is missing`, …), so a user whose credentials need client-node
 * (`exec` plugins, `auth-provider`) is handed to it unchanged (src/k8s/cluster-connection.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { isPlainObject } from '../core/plain-object.js';

/** A kubeconfig cluster entry (client-node's `Cluster` fields). */
export interface KubeconfigCluster {
  readonly name: string;
  readonly server: string;
  readonly caData?: string;
  readonly caFile?: string;
  readonly skipTLSVerify: boolean;
  readonly tlsServerName?: string;
}

/** A kubeconfig user entry (client-node's `User` fields, plus `token-file` kept as a path). */
export interface KubeconfigUser {
  readonly name: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly certData?: string;
  readonly certFile?: string;
  readonly keyData?: string;
  readonly keyFile?: string;
  readonly username?: string;
  readonly password?: string;
  readonly impersonateUser?: string;
  /** A credential plugin (`exec`) or `auth-provider`: handled by client-node. */
  readonly exec?: unknown;
  readonly authProvider?: unknown;
}

export interface KubeconfigContext {
  readonly name: string;
  readonly cluster: string;
  readonly user?: string;
  readonly namespace?: string;
}

/** A loaded (and, for a list, merged) kubeconfig. */
export interface Kubeconfig {
  readonly clusters: readonly KubeconfigCluster[];
  readonly users: readonly KubeconfigUser[];
  readonly contexts: readonly KubeconfigContext[];
  readonly currentContext?: string;
}

/** Splits a `KUBECONFIG`-style list (`:` on POSIX), dropping empty entries; relative to `base`. */
export function kubeconfigList(value: string, base: string): string[] {
  return value.split(delimiter).filter((p) => p !== '').map((p) => (isAbsolute(p) ? p : resolve(base, p)));
}

function firstWins<T extends { readonly name: string }>(lists: readonly (readonly T[])[]): T[] {
  const out = new Map<string, T>();
  for (const list of lists) for (const x of list) if (!out.has(x.name)) out.set(x.name, x);
  return [...out.values()];
}

type Entry = Readonly<Record<string, unknown>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const opt = <K extends string>(key: K, v: string | undefined): { [P in K]?: string } => (v === undefined ? {} : { [key]: v }) as { [P in K]?: string };
const inDir = (dir: string, p: string | undefined): string | undefined => (p === undefined || isAbsolute(p) ? p : join(dir, p));

function entries(doc: Entry, key: string): Entry[] {
  const list = doc[key];
  return Array.isArray(list) ? list.map((e) => (isPlainObject(e) ? e : {})) : [];
}

/**
 * The entries of `doc[key]` (`clusters`, `users`, `contexts`) with their `name` and their `inner`
 * mapping (`cluster`, `user`, `context`), both required unless `innerRequired` is false (then an
 * absent mapping reads as empty). `at` is where the mapping is, for messages (`clusters[0].cluster`).
 */
function namedEntries(doc: Entry, key: string, inner: string, innerRequired: boolean): { name: string; body: Entry; at: string }[] {
  return entries(doc, key).map((e, i) => {
    const name = str(e.name);
    if (name === undefined) throw new Error(`${key}[${i}].name is missing`);
    const at = `${key}[${i}].${inner}`;
    const body = e[inner];
    if (isPlainObject(body)) return { name, body, at };
    if (innerRequired) throw new Error(`${at} is missing`);
    return { name, body: {}, at };
  });
}

/** A string field a kubeconfig entry must have (`at`: the entry's path, for the message). */
function requiredString(body: Entry, field: string, at: string): string {
  const v = str(body[field]);
  if (v === undefined) throw new Error(`${at}.${field} is missing`);
  return v;
}

/** Parses one kubeconfig file's text; `dir` is the file's directory (relative paths). */
export function parseKubeconfig(text: string, dir: string): Kubeconfig {
  const raw: unknown = load(text);
  const doc: Entry = isPlainObject(raw) ? raw : {};
  const clusters = namedEntries(doc, 'clusters', 'cluster', true).map(({ name, body: c, at }): KubeconfigCluster => {
    const server = requiredString(c, 'server', at);
    return {
      name,
      server: server.replace(/\/$/, ''),
      skipTLSVerify: c['insecure-skip-tls-verify'] === true,
      ...opt('caData', str(c['certificate-authority-data'])),
      ...opt('caFile', inDir(dir, str(c['certificate-authority']))),
      ...opt('tlsServerName', str(c['tls-server-name'])),
    };
  });
  const users = namedEntries(doc, 'users', 'user', false).map(({ name, body: u }): KubeconfigUser => {
    return {
      name,
      ...opt('token', str(u.token)),
      ...opt('tokenFile', inDir(dir, str(u['token-file']))),
      ...opt('certData', str(u['client-certificate-data'])),
      ...opt('certFile', inDir(dir, str(u['client-certificate']))),
      ...opt('keyData', str(u['client-key-data'])),
      ...opt('keyFile', inDir(dir, str(u['client-key']))),
      ...opt('username', str(u.username)),
      ...opt('password', str(u.password)),
      ...opt('impersonateUser', str(u.as)),
      ...(u.exec === undefined || u.exec === null ? {} : { exec: u.exec }),
      ...(u['auth-provider'] === undefined || u['auth-provider'] === null ? {} : { authProvider: u['auth-provider'] }),
    };
  });
  const contexts = namedEntries(doc, 'contexts', 'context', true).map(({ name, body: c, at }): KubeconfigContext =>
    ({ name, cluster: requiredString(c, 'cluster', at), ...opt('user', str(c.user)), ...opt('namespace', str(c.namespace)) }));
  return { clusters, users, contexts, ...opt('currentContext', str(doc['current-context'])) };
}

/**
 * Loads and merges `files`. Throws when none of them exists or one cannot be parsed (the message
 * names the file).
 */
export function loadKubeconfigFiles(files: readonly string[]): Kubeconfig {
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) throw new Error(`no such file: ${files.join(delimiter)}`);
  const loaded = present.map((f) => {
    try {
      return parseKubeconfig(readFileSync(f, 'utf8'), dirname(f));
    } catch (e) {
      throw new Error(`${f}: ${e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e)}`);
    }
  });
  const current = loaded.map((k) => k.currentContext).find((c) => c !== undefined);
  return {
    clusters: firstWins(loaded.map((k) => k.clusters)),
    users: firstWins(loaded.map((k) => k.users)),
    contexts: firstWins(loaded.map((k) => k.contexts)),
    ...opt('currentContext', current),
  };
}

/** One context of a kubeconfig with its cluster and user, as a run uses it. */
export interface KubeconfigTarget {
  readonly context: string;
  readonly cluster: KubeconfigCluster;
  readonly user: KubeconfigUser;
}

/** Resolves `context`; the error says what is missing (context, its cluster or its user). */
export function kubeconfigTarget(kc: Kubeconfig, context: string): KubeconfigTarget {
  const ctx = kc.contexts.find((c) => c.name === context);
  if (ctx === undefined) throw new Error(`context ${context} not found`);
  const cluster = kc.clusters.find((c) => c.name === ctx.cluster);
  if (cluster === undefined) throw new Error(`context ${context} names no known cluster`);
  const user = ctx.user === undefined ? undefined : kc.users.find((u) => u.name === ctx.user);
  if (user === undefined) throw new Error(`context ${context} names no known user`);
  return { context, cluster, user };
}
