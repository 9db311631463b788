/**
 * The command line's shared options and the one place that coerces parsed yargs values
 * (`unknown`) into typed values: commands call these instead of checking types themselves.
 *
 *   --app-interface DIR        a directory of YAML datafiles
 *   --graphql-url URL          a qontract-server compatible endpoint (`kontract serve` is one)
 *   --graphql-token-file FILE  bearer token for it (else env KONTRACT_GRAPHQL_TOKEN); never printed
 *   --secrets-config FILE      qontract-reconcile style TOML secrets (settings `vault: false`)
 *   --vault-server URL         Vault for cluster automationTokens (settings `vault: true` or none)
 *   --allow-path DIR           a directory outside the app-interface the data may read (repeatable)
 *   --allow-server URL         a server credentials may be sent to (repeatable; env KONTRACT_ALLOW_SERVERS)
 *   --request-timeout DURATION per-attempt timeout of API requests (env KONTRACT_REQUEST_TIMEOUT)
 *   --transport h1|h2          HTTP transport to the clusters (src/k8s/transport.ts)
 */
import type { Argv } from 'yargs';
import type { SourceArgs } from '../app-interface/source-options.js';
import { GRAPHQL_TOKEN_ENV } from '../app-interface/source-options.js';
import { ANY_SERVER, serverOrigin } from '../app-interface/credential-confinement.js';
import type { AppInterfaceData } from '../app-interface/model.js';
import { ERROR_CODES, KontractError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { TransportKind } from '../k8s/transport.js';
import type { SecretReader } from '../secrets/index.js';
import { secretReaderFor } from '../secrets/select.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../k8s/cluster-client.js';
import { parseDuration } from '../reconcile/run-lock.js';

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

/** `--secrets-config` and `--vault-server`: where cluster `automationToken`s are read from (src/secrets/select.ts). */
export function secretOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('secrets-config', { type: 'string', describe: 'qontract-reconcile style TOML config with the secrets, used when the app-interface settings say vault: false (env KONTRACT_SECRETS_CONFIG)' })
    .option('vault-server', { type: 'string', describe: 'Vault (or OpenBao) URL for automationToken secrets (env VAULT_ADDR; token VAULT_TOKEN, or VAULT_ROLE_ID + VAULT_SECRET_ID)' });
}

/** The secret reader of a run: Vault or the secrets config file, as the app-interface settings say. */
export function secretReaderFromArgs(args: Readonly<Record<string, unknown>>, ctx: { readonly cwd: string; readonly env: NodeJS.ProcessEnv }, data: AppInterfaceData): SecretReader | undefined {
  const secretsConfig = str(args['secrets-config']);
  const vaultServer = str(args['vault-server']);
  const vault = data.appInterfaceSettings?.[0]?.vault;
  return secretReaderFor({
    env: ctx.env, cwd: ctx.cwd,
    ...(secretsConfig === undefined ? {} : { secretsConfig }),
    ...(vaultServer === undefined ? {} : { vaultServer }),
    ...(vault === undefined ? {} : { vault }),
  });
}

/** Environment form of --request-timeout. */
export const REQUEST_TIMEOUT_ENV = 'KONTRACT_REQUEST_TIMEOUT';

/** Adds `--request-timeout` (commands that contact clusters). */
export function requestTimeoutOption<T>(y: Argv<T>): Argv<T> {
  return y.option('request-timeout', {
    type: 'string', defaultDescription: `env ${REQUEST_TIMEOUT_ENV}, else ${DEFAULT_REQUEST_TIMEOUT_MS / 1000}s`,
    describe: 'Per-attempt timeout of an API request (DURATION: 10, 10s, 500ms, 1m): an attempt that gets no byte from the apiserver for this long is cut and retried like a connection error',
  });
}

/** --request-timeout, else KONTRACT_REQUEST_TIMEOUT, else the default, in ms; E_USAGE when not a positive duration. */
export function requestTimeoutMs(args: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): number {
  const flag = str(args['request-timeout']);
  const fromEnv = env[REQUEST_TIMEOUT_ENV];
  const text = flag ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv);
  if (text === undefined) return DEFAULT_REQUEST_TIMEOUT_MS;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new KontractError(ERROR_CODES.USAGE, `${flag === undefined ? REQUEST_TIMEOUT_ENV : '--request-timeout'} ${text}: expected a positive duration such as 10, 10s, 500ms or 1m`);
  return ms;
}

/** The `--transport` choices (src/k8s/transport.ts TRANSPORT_KINDS; not imported, so `--help` loads no HTTP module). */
const TRANSPORT_CHOICES: readonly TransportKind[] = ['h1', 'h2'];

/** Adds `--transport h1|h2`; without it the client's default applies (src/k8s/transport-base.ts DEFAULT_TRANSPORT). */
export function transportOption<T>(y: Argv<T>): Argv<T> {
  return y.option('transport', {
    choices: TRANSPORT_CHOICES, defaultDescription: 'h1',
    describe: 'HTTP transport to the clusters: h2 (HTTP/2, one connection per cluster; HTTP/1.1 with a server or proxy that offers no h2) or h1 (HTTP/1.1 keep-alive connections)',
  });
}

/** `--transport`'s value as client options ({} when absent). */
export function transportFrom(args: Readonly<Record<string, unknown>>): { transport?: TransportKind } {
  const t = args.transport;
  return t === 'h1' || t === 'h2' ? { transport: t } : {};
}
