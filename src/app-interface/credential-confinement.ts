/**
 * Credentials the data points at stay where the operator put them (docs/app-interface.md,
 * "Credentials named by the data"): merge-request pipelines run kontract on data whose author is
 * not trusted yet, on a runner that holds real credentials. Two rules, checked before any cluster
 * or git host is contacted:
 *
 * - **Files.** A token file or CA file a datafile names (a cluster's `auth.tokenFile` and
 *   `ca.path`, a fabric git source's `credentials.tokenFile`) is read only when it lies inside the
 *   app-interface directory or an `--allow-path` directory (symbolic links resolved; the same
 *   confinement as src/app-interface/confined-paths.ts). A kubeconfig the data names
 *   (`auth.kubeconfigPath`) must lie in an `--allow-path` directory: a kubeconfig can run commands
 *   (`exec`) and name further files, so one written by the data's author is not read.
 * - **Servers.** With an allow-list (`--allow-server`), a credential is sent only to a listed
 *   server: the `serverUrl` of a cluster whose credential the data chooses (token file, token
 *   environment variable, Vault `automationToken`) and the `url` of a fabric git source with
 *   credentials. Clusters whose server comes from operator-side configuration (a context of the
 *   operator's `--kubeconfig`, a kubeconfig in an `--allow-path` directory, `inCluster`) are not
 *   subject to it.
 *
 * Problems name the datafile and the field (the loader adds the line) and the path or server as
 * written in the data, never what a file holds.
 */
import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { ValidationProblem } from '../core/errors.js';
import { isWithin, realPath } from './confined-paths.js';
import type { AppInterfaceData, Cluster } from './model.js';

/** What the operator allowed; built by the loader from the command line (source-options.ts). */
export interface CredentialPolicy {
  /** The app-interface directory (directory sources) and every --allow-path, absolute. */
  readonly allowedPaths: readonly string[];
  /** The --allow-path directories only, absolute (where kubeconfig files may be). */
  readonly operatorPaths: readonly string[];
  /** Base of relative paths in the data (the connection resolves them the same way). */
  readonly cwd: string;
  /** --allow-server origins (ANY_SERVER allows every server); undefined: servers are not checked. */
  readonly allowServers?: readonly string[];
}

/** `--allow-server '*'`: every server (data that has been reviewed). */
export const ANY_SERVER = '*';

/** The origin (scheme, host, port) of a server URL, or undefined when it is not an http(s) URL. */
export function serverOrigin(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where `p` really is: the real path when it exists; otherwise the real path of its nearest
 * existing ancestor joined with the rest (a file that does not exist yet still has a place).
 */
function placeOf(p: string): string {
  let dir = p;
  const rest: string[] = [];
  while (!existsSync(dir)) {
    const parent = nodePath.dirname(dir);
    if (parent === dir) break;
    rest.unshift(nodePath.basename(dir));
    dir = parent;
  }
  return nodePath.join(realPath(dir) ?? dir, ...rest);
}

function inside(p: string, dirs: readonly string[], cwd: string): boolean {
  const place = placeOf(nodePath.resolve(cwd, p));
  return dirs.some((d) => isWithin(place, realPath(d) ?? d));
}

const OUTSIDE = 'is outside the app-interface and every --allow-path directory: not read; an operator may allow its directory with --allow-path DIR';

function serverAllowed(url: string, allow: readonly string[]): boolean {
  if (allow.includes(ANY_SERVER)) return true;
  const origin = serverOrigin(url);
  return origin !== undefined && allow.includes(origin);
}

/** Which credential of `cluster` goes to its datafile's serverUrl, for the server message; undefined: the server is not the data's. */
function dataServerCredential(cluster: Cluster, settingsPath: string | undefined): string | undefined {
  const where = settingsPath === undefined ? '' : ` of ${settingsPath}`;
  switch (cluster.auth.kind) {
    case 'tokenFile': return `the token in auth.tokenFile${where}`;
    case 'tokenEnv': return `the token in environment variable ${cluster.auth.env} (auth.tokenEnv${where})`;
    case 'automationToken': return `the automationToken ${cluster.auth.secret.path}`;
    case 'kubeconfig':
    case 'inCluster':
      return undefined;
  }
}

/** Every credential file and server of `data` that `policy` does not allow. */
export function credentialProblems(data: AppInterfaceData, policy: CredentialPolicy): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const file = (p: string, owner: string, field: string): void => {
    if (!inside(p, policy.allowedPaths, policy.cwd)) problems.push({ file: owner, field, message: `${p} ${OUTSIDE}` });
  };
  for (const s of data.clusterSettings ?? []) {
    if (s.auth?.kind === 'tokenFile') file(s.auth.file, s.path, 'auth.tokenFile');
    if (s.ca !== undefined && 'path' in s.ca) file(s.ca.path, s.path, 'ca.path');
    if (s.auth?.kind === 'kubeconfig' && s.auth.path !== undefined && !inside(s.auth.path, policy.operatorPaths, policy.cwd)) {
      problems.push({
        file: s.path, field: 'auth.kubeconfigPath',
        message: `${s.auth.path} is not inside an --allow-path directory: not read (a kubeconfig can run commands and name other files, so one in the app-interface is not read either); an operator may allow its directory with --allow-path DIR`,
      });
    }
  }
  for (const f of data.fabrics ?? []) {
    if (f.source.kind === 'git' && f.source.credentials !== undefined && 'file' in f.source.credentials.token) {
      file(f.source.credentials.token.file, f.path, 'source.git.credentials.tokenFile');
    }
  }
  const allow = policy.allowServers;
  if (allow === undefined) return problems;
  for (const c of data.clusters) {
    const settingsPath = data.clusterSettings?.find((s) => s.cluster === c.path)?.path;
    const credential = dataServerCredential(c, settingsPath);
    if (credential === undefined || serverAllowed(c.serverUrl, allow)) continue;
    problems.push({ file: c.path, field: 'serverUrl', message: `${c.serverUrl} is not an allowed server (--allow-server): ${credential} is not sent there, no cluster is contacted` });
  }
  for (const f of data.fabrics ?? []) {
    if (f.source.kind !== 'git' || f.source.credentials === undefined || serverAllowed(f.source.url, allow)) continue;
    problems.push({ file: f.path, field: 'source.git.url', message: `${f.source.url} is not an allowed server (--allow-server): the git credentials are not sent there, nothing is fetched` });
  }
  return problems;
}

/**
 * `data` without the fabrics that have a credential problem: `kontract validate` goes on to build
 * the desired objects after reporting problems, and a fabric's build fetches its git source with
 * the credentials, so a refused one must not be built.
 */
export function withoutRefusedFabrics(data: AppInterfaceData, problems: readonly ValidationProblem[]): AppInterfaceData {
  if (data.fabrics === undefined) return data;
  const refused = new Set(problems.map((p) => p.file));
  const fabrics = data.fabrics.filter((f) => !refused.has(f.path));
  return fabrics.length === data.fabrics.length ? data : { ...data, fabrics };
}
