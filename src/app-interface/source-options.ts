/**
 * The one entry point the engine calls to get the app-interface: from a directory or a GraphQL
 * endpoint, given as a source or as the values of the CLI's data-source flags (their yargs
 * declarations are in src/cli/options.ts).
 */
import { readFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { ERROR_CODES, KontractError, ValidationError, errorMessage } from '../core/errors.js';
import type { ValidationProblem } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { silentReporter } from '../core/reporter.js';
import { credentialProblems, withoutRefusedFabrics } from './credential-confinement.js';
import type { CredentialPolicy } from './credential-confinement.js';
import type { AppInterfaceData } from './model.js';
import { readDirSnapshot } from './snapshot.js';
import { isInvalidDataError, unmodelledDatafiles, validateSnapshot, withLines } from './validate.js';
import type { Snapshot } from './snapshot.js';

export const GRAPHQL_TOKEN_ENV = 'KONTRACT_GRAPHQL_TOKEN';

export type AppInterfaceSource =
  | { readonly kind: 'dir'; readonly path: string; readonly allowPaths?: readonly string[] }
  | { readonly kind: 'graphql'; readonly url: string; readonly token?: string };

export interface LoadOptions {
  readonly reporter?: Reporter;
  readonly signal?: AbortSignal;
  /** Check the credential files and servers the data names (credential-confinement.ts); absent: not checked. */
  readonly credentials?: CredentialPolicy;
}

/** The CLI-flag form: what a command got from `--app-interface` / `--graphql-url` / `--graphql-token-file`. */
export interface SourceArgs {
  readonly dir?: string;
  readonly graphqlUrl?: string;
  readonly graphqlTokenFile?: string;
  /** --allow-path values (resolved against `cwd`). */
  readonly allowPaths?: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly reporter?: Reporter;
  readonly signal?: AbortSignal;
  /**
   * Commands that contact clusters (and `validate`) check the credential files the data names and,
   * with `allowServers` (--allow-server), the servers credentials go to. Absent: not checked.
   */
  readonly credentials?: { readonly allowServers?: readonly string[] };
}

function isSource(x: AppInterfaceSource | SourceArgs): x is AppInterfaceSource {
  return 'kind' in x;
}

/**
 * Loads, resolves and validates the app-interface. Throws ValidationError (every problem of the
 * pass), or KontractError E_GRAPHQL / E_USAGE. Contacts no cluster.
 */
export function loadAppInterface(source: AppInterfaceSource, opts?: LoadOptions): Promise<AppInterfaceData>;
export function loadAppInterface(args: SourceArgs): Promise<AppInterfaceData>;
export async function loadAppInterface(x: AppInterfaceSource | SourceArgs, opts: LoadOptions = {}): Promise<AppInterfaceData> {
  if (!isSource(x)) {
    const source = await sourceFromArgs(x);
    const credentials = credentialPolicyOf(x);
    return loadAppInterface(source, {
      ...(x.reporter === undefined ? {} : { reporter: x.reporter }), ...(x.signal === undefined ? {} : { signal: x.signal }),
      ...(credentials === undefined ? {} : { credentials }),
    });
  }
  const reporter = opts.reporter ?? silentReporter;
  const t0 = Date.now();
  let data: AppInterfaceData;
  if (x.kind === 'dir') {
    const snap = await readDirSnapshot(x.path, x.allowPaths === undefined ? {} : { allowPaths: x.allowPaths });
    data = validateSnapshot(snap);
    reportUnmodelled(snap, reporter);
    const refused = opts.credentials === undefined ? [] : credentialProblems(data, opts.credentials);
    if (refused.length > 0) throw new ValidationError(withLines(snap, refused));
  } else {
    // Imported here: the GraphQL client (graphql, graphql-request) is not loaded for a directory source.
    const { loadFromGraphql } = await import('./graphql-client.js');
    data = await loadFromGraphql({ url: x.url, reporter, ...(x.token === undefined ? {} : { token: x.token }), ...(opts.signal === undefined ? {} : { signal: opts.signal }) });
    const refused = opts.credentials === undefined ? [] : credentialProblems(data, opts.credentials);
    if (refused.length > 0) throw new ValidationError(refused);
  }
  reporter.log('debug', 'app-interface loaded', {
    source: x.kind === 'dir' ? x.path : x.url, sha: data.sha, clusters: data.clusters.length, namespaces: data.namespaces.length, ms: Date.now() - t0,
  });
  return data;
}

/**
 * Says which datafiles loading skipped because kontract does not model their kind (validate.ts,
 * unmodelledDatafiles): their count at info, each `$schema` with its count at debug.
 */
function reportUnmodelled(snap: Snapshot, reporter: Reporter): void {
  const skipped = unmodelledDatafiles(snap);
  if (skipped.size === 0) return;
  const files = [...skipped.values()].reduce((n, paths) => n + paths.length, 0);
  reporter.log('info', `skipped ${files} datafile(s) of ${skipped.size} kind(s) kontract does not model`, { datafiles: files, kinds: skipped.size });
  for (const [schema, paths] of skipped) reporter.log('debug', 'skipped datafiles of a kind kontract does not model', { schema, datafiles: paths.length, first: paths[0] ?? '' });
}

/** Turns flag values into a source: exactly one of dir / URL; the token from the file or the env. */
export async function sourceFromArgs(args: SourceArgs): Promise<AppInterfaceSource> {
  if (args.dir !== undefined && args.graphqlUrl !== undefined) {
    throw new KontractError(ERROR_CODES.USAGE, '--app-interface and --graphql-url are exclusive');
  }
  if (args.dir !== undefined) {
    if (args.graphqlTokenFile !== undefined) throw new KontractError(ERROR_CODES.USAGE, '--graphql-token-file needs --graphql-url');
    const allowPaths = (args.allowPaths ?? []).map((p) => nodePath.resolve(args.cwd, p));
    return { kind: 'dir', path: nodePath.resolve(args.cwd, args.dir), ...(allowPaths.length === 0 ? {} : { allowPaths }) };
  }
  if (args.graphqlUrl === undefined) {
    throw new KontractError(ERROR_CODES.USAGE, 'one of --app-interface DIR or --graphql-url URL is required');
  }
  let token: string | undefined;
  if (args.graphqlTokenFile !== undefined) {
    const file = nodePath.resolve(args.cwd, args.graphqlTokenFile);
    try {
      token = (await readFile(file, 'utf8')).trim();
    } catch (e) {
      // The message names the file and the OS reason, never its content.
      throw new KontractError(ERROR_CODES.USAGE, `cannot read --graphql-token-file ${file}: ${(e as { code?: string }).code ?? errorMessage(e)}`);
    }
    if (token === '') throw new KontractError(ERROR_CODES.USAGE, `--graphql-token-file ${file} is empty`);
  } else {
    const env = args.env[GRAPHQL_TOKEN_ENV];
    if (env !== undefined && env !== '') token = env;
  }
  return { kind: 'graphql', url: args.graphqlUrl, ...(token === undefined ? {} : { token }) };
}

/** What `inspectAppInterface` found: the data (partial when invalid), the loader's problems, and a way to give other problems their lines. */
export interface Inspection {
  readonly data: AppInterfaceData;
  readonly problems: readonly ValidationProblem[];
  /** Adds the line of `file` + `field` to problems about datafiles (directory sources; others unchanged), dedupes and sorts. */
  readonly withLines: (problems: readonly ValidationProblem[]) => ValidationProblem[];
}

/**
 * Like loadAppInterface, but invalid data does not throw: the model of the datafiles that passed
 * comes back with the problems (for `kontract validate`, which also runs the integrations on it).
 */
export async function inspectAppInterface(args: SourceArgs): Promise<Inspection> {
  const source = await sourceFromArgs(args);
  const policy = credentialPolicyOf(args);
  const refused = (data: AppInterfaceData): ValidationProblem[] => (policy === undefined ? [] : credentialProblems(data, policy));
  if (source.kind === 'dir') {
    const snap = await readDirSnapshot(source.path, source.allowPaths === undefined ? {} : { allowPaths: source.allowPaths });
    const lines = (ps: readonly ValidationProblem[]): ValidationProblem[] => withLines(snap, ps);
    reportUnmodelled(snap, args.reporter ?? silentReporter);
    try {
      const data = validateSnapshot(snap);
      const r = refused(data);
      return { data: withoutRefusedFabrics(data, r), problems: lines(r), withLines: lines };
    } catch (e) {
      if (!isInvalidDataError(e)) throw e;
      const r = refused(e.partial);
      return { data: withoutRefusedFabrics(e.partial, r), problems: lines([...e.problems, ...r]), withLines: lines };
    }
  }
  try {
    const data = await loadAppInterface(source, { ...(args.reporter === undefined ? {} : { reporter: args.reporter }), ...(args.signal === undefined ? {} : { signal: args.signal }) });
    const r = refused(data);
    return { data: withoutRefusedFabrics(data, r), problems: r, withLines: (ps) => [...ps] };
  } catch (e) {
    if (!isInvalidDataError(e)) throw e;
    const r = refused(e.partial);
    return { data: withoutRefusedFabrics(e.partial, r), problems: [...e.problems, ...r], withLines: (ps) => [...ps] };
  }
}

/**
 * Directories the integrations may read from disk (DesiredContext.allowedPaths): the
 * app-interface directory (for a directory source) and every --allow-path, resolved.
 */
export function allowedPathsOf(args: SourceArgs): string[] {
  return [...(args.dir === undefined ? [] : [args.dir]), ...(args.allowPaths ?? [])].map((p) => nodePath.resolve(args.cwd, p));
}

/** The credential policy of a command's flags (credential-confinement.ts), or undefined when the command does not check. */
function credentialPolicyOf(args: SourceArgs): CredentialPolicy | undefined {
  if (args.credentials === undefined) return undefined;
  const allowServers = args.credentials.allowServers;
  return {
    allowedPaths: allowedPathsOf(args),
    operatorPaths: (args.allowPaths ?? []).map((p) => nodePath.resolve(args.cwd, p)),
    cwd: args.cwd,
    ...(allowServers === undefined ? {} : { allowServers }),
  };
}
