/**
 * The options of commands that contact clusters, and (re-exported from source-flags.ts) the
 * data source flags and value coercion every command shares:
 *
 *   --secrets-config FILE      qontract-reconcile style TOML secrets (settings `vault: false`)
 *   --vault-server URL         Vault for cluster automationTokens (settings `vault: true` or none)
 *   --request-timeout DURATION per-attempt timeout of API requests (env KONTRACT_REQUEST_TIMEOUT)
 *   --transport h1|h2          HTTP transport to the clusters (src/k8s/transport.ts)
 */
import type { Argv } from 'yargs';
import type { AppInterfaceData } from '../app-interface/model.js';
import { ERROR_CODES, KontractError } from '../core/errors.js';
import type { TransportKind } from '../k8s/transport.js';
import type { SecretReader } from '../secrets/index.js';
import { secretReaderFor } from '../secrets/select.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../k8s/cluster-client.js';
import { parseDuration } from '../reconcile/run-lock.js';
import { str } from './source-flags.js';

export { ALLOW_SERVERS_ENV, allowServerOptions, appInterfaceSourceOptions, checkedSourceArgsFrom, num, sourceArgsFrom, str, strs } from './source-flags.js';

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
