/**
 * The data source flags every app-interface command shares, and the coercion of parsed yargs
 * values (`unknown`) into typed values: commands call these instead of checking types themselves.
 *
 *   --app-interface DIR        a directory of YAML datafiles
 *   --graphql-url URL          a qontract-server compatible endpoint (`kontract serve` is one)
 *   --graphql-token-file FILE  bearer token for it (else env KONTRACT_GRAPHQL_TOKEN); never printed
 *   --allow-path DIR           a directory outside the app-interface the data may read (repeatable)
 *   --allow-server URL         a server credentials may be sent to (repeatable; env KONTRACT_ALLOW_SERVERS)
 *
 * Apart from options.ts (the options of commands that contact clusters), so that `kontract
 * validate` does not load the HTTP client, the secret readers and their TOML parser (about 27 ms
 * of CPU per start; docs/benchmarks.md, "validate: data loading and validation").
 */
import type { Argv } from 'yargs';
import type { SourceArgs } from '../app-interface/source-options.js';
import { GRAPHQL_TOKEN_ENV } from '../app-interface/source-options.js';
import { ANY_SERVER, serverOrigin } from '../app-interface/credential-confinement.js';
import { ERROR_CODES, KontractError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';

/** A string flag's value, or undefined when absent (or not a string). */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable string flag's values (non-strings dropped); [] when absent. */
export function strs(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A number flag's value, undefined when absent; E_USAGE naming `--flag` when not a finite number. */
export function num(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new KontractError(ERROR_CODES.USAGE, `--${flag} must be a number`);
  return v;
}

/** Adds `--app-interface`, `--graphql-url`, `--graphql-token-file`, `--allow-path` (group "Data source:"). */
export function appInterfaceSourceOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('app-interface', { type: 'string', describe: 'app-interface directory (YAML datafiles)', group: 'Data source:' })
    .option('graphql-url', { type: 'string', describe: 'qontract-server compatible GraphQL endpoint (e.g. http://localhost:4000/graphql)', group: 'Data source:' })
    .option('graphql-token-file', { type: 'string', describe: `file holding the GraphQL bearer token (default: env ${GRAPHQL_TOKEN_ENV})`, group: 'Data source:' })
    .option('allow-path', { type: 'string', array: true, describe: 'a directory outside the app-interface that the data may read (symbolic links, fabric directories); repeatable', group: 'Data source:' });
}

/** SourceArgs from parsed yargs values (`args['app-interface']` …) and the command context. */
export function sourceArgsFrom(args: Readonly<Record<string, unknown>>, ctx: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly reporter?: Reporter; readonly signal?: AbortSignal }): SourceArgs {
  const dir = str(args['app-interface']);
  const graphqlUrl = str(args['graphql-url']);
  const graphqlTokenFile = str(args['graphql-token-file']);
  const allowPaths = strs(args['allow-path']);
  return {
    cwd: ctx.cwd, env: ctx.env,
    ...(allowPaths.length === 0 ? {} : { allowPaths }),
    ...(dir === undefined ? {} : { dir }),
    ...(graphqlUrl === undefined ? {} : { graphqlUrl }),
    ...(graphqlTokenFile === undefined ? {} : { graphqlTokenFile }),
    ...(ctx.reporter === undefined ? {} : { reporter: ctx.reporter }),
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  };
}

/** Environment form of --allow-server: origins separated by commas or white space. */
export const ALLOW_SERVERS_ENV = 'KONTRACT_ALLOW_SERVERS';

/** Adds `--allow-server` (commands that contact clusters, and `validate`). */
export function allowServerOptions<T>(y: Argv<T>): Argv<T> {
  return y.option('allow-server', {
    type: 'string', array: true, group: 'Data source:',
    describe: `a server (https://host:port) credentials named by the data may be sent to; repeatable; '*' = any (reviewed data); env ${ALLOW_SERVERS_ENV}; default: not checked`,
  });
}

/**
 * `sourceArgsFrom` plus the credential checks of a command that contacts clusters (or validates
 * for one): credential files are confined, and servers checked against --allow-server /
 * KONTRACT_ALLOW_SERVERS when one is given (src/app-interface/credential-confinement.ts).
 */
export function checkedSourceArgsFrom(args: Readonly<Record<string, unknown>>, ctx: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly reporter?: Reporter; readonly signal?: AbortSignal }): SourceArgs {
  const fromFlag = strs(args['allow-server']);
  const fromEnv = (ctx.env[ALLOW_SERVERS_ENV] ?? '').split(/[\s,]+/).filter((x) => x !== '');
  const given = fromFlag.length > 0 ? fromFlag : fromEnv;
  const allowServers = given.map((v) => {
    if (v === ANY_SERVER) return v;
    const origin = serverOrigin(v);
    if (origin === undefined) throw new KontractError(ERROR_CODES.USAGE, `--allow-server ${v}: expected an http(s) URL such as https://api.example.com:6443, or '*'`);
    return origin;
  });
  return { ...sourceArgsFrom(args, ctx), credentials: allowServers.length === 0 ? {} : { allowServers } };
}
