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
 *   --transport h1|h2          HTTP transport to the clusters (src/k8s/transport.ts)
 */
import type { Argv } from 'yargs';
import type { SourceArgs } from '../app-interface/source-options.js';
import { GRAPHQL_TOKEN_ENV } from '../app-interface/source-options.js';
import type { AppInterfaceData } from '../app-interface/model.js';
import { ERROR_CODES, KontractError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { TransportKind } from '../k8s/transport.js';
import type { SecretReader } from '../secrets/index.js';
import { secretReaderFor } from '../secrets/select.js';

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

/** The `--transport` choices (src/k8s/transport.ts TRANSPORT_KINDS; not imported, so `--help` loads no HTTP module). */
const TRANSPORT_CHOICES: readonly TransportKind[] = ['h1', 'h2'];

/** Adds `--transport h1|h2`; without it the client's default applies (src/k8s/transport-base.ts DEFAULT_TRANSPORT). */
export function transportOption<T>(y: Argv<T>): Argv<T> {
  return y.option('transport', {
    choices: TRANSPORT_CHOICES, defaultDescription: 'h2',
    describe: 'HTTP transport to the clusters: h2 (HTTP/2, one connection per cluster; HTTP/1.1 with a server or proxy that offers no h2) or h1 (HTTP/1.1 keep-alive connections)',
  });
}

/** `--transport`'s value as client options ({} when absent). */
export function transportFrom(args: Readonly<Record<string, unknown>>): { transport?: TransportKind } {
  const t = args.transport;
  return t === 'h1' || t === 'h2' ? { transport: t } : {};
}
