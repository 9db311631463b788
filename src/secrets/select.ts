/**
 * Which secret reader a run uses for qontract `automationToken` references, decided as
 * qontract-reconcile decides it: the app-interface settings' `vault` (default true) picks Vault;
 * `vault: false` picks the secrets config file (qontract-reconcile's `config.toml`).
 *
 * - Config file: `--secrets-config FILE` or `KONTRACT_SECRETS_CONFIG`.
 * - Vault: the server from `--vault-server URL`, `VAULT_ADDR`, or the config file's `[vault]
 *   server`; credentials from `VAULT_TOKEN`, or AppRole `VAULT_ROLE_ID` + `VAULT_SECRET_ID`, or the
 *   config file's `[vault] role_id` / `secret_id` (the keys qontract-reconcile reads).
 *
 * Returns undefined when nothing is configured: a cluster that needs a secret then fails with a
 * message saying what to give (cluster-connection.ts); clusters with explicit credentials work.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import type { SecretReader, VaultAuth } from './index.js';
import { configSecretReader, vaultSecretReader } from './index.js';

export interface SecretSourceArgs {
  /** `--secrets-config` */
  readonly secretsConfig?: string;
  /** `--vault-server` */
  readonly vaultServer?: string;
  /** From the app-interface settings; undefined = no settings file (qontract's default: Vault). */
  readonly vault?: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function readConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KontractError(ERROR_CODES.SECRET, `cannot read the secrets config file ${file}: ${errorMessage(e)}`);
  }
  try {
    return parseToml(text);
  } catch (e) {
    throw new KontractError(ERROR_CODES.SECRET, `the secrets config file ${file} is not valid TOML: ${errorMessage(e).split('\n')[0] ?? ''}`);
  }
}

function str(table: unknown, key: string): string | undefined {
  const v = typeof table === 'object' && table !== null ? (table as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? nonEmpty(v) : undefined;
}

export function secretReaderFor(args: SecretSourceArgs): SecretReader | undefined {
  const configArg = nonEmpty(args.secretsConfig) ?? nonEmpty(args.env.KONTRACT_SECRETS_CONFIG);
  const configFile = configArg === undefined ? undefined : isAbsolute(configArg) ? configArg : resolve(args.cwd, configArg);
  const config = configFile === undefined ? undefined : readConfig(configFile);
  if (args.vault === false) {
    return config === undefined || configFile === undefined ? undefined : configSecretReader(config, `config file ${configFile}`);
  }
  const vaultTable = config?.vault;
  const server = nonEmpty(args.vaultServer) ?? nonEmpty(args.env.VAULT_ADDR) ?? str(vaultTable, 'server');
  if (server === undefined) return undefined;
  const token = nonEmpty(args.env.VAULT_TOKEN);
  const roleId = nonEmpty(args.env.VAULT_ROLE_ID) ?? str(vaultTable, 'role_id');
  const secretId = nonEmpty(args.env.VAULT_SECRET_ID) ?? str(vaultTable, 'secret_id');
  let auth: VaultAuth;
  if (token !== undefined) auth = { kind: 'token', token };
  else if (roleId !== undefined && secretId !== undefined) auth = { kind: 'approle', roleId, secretId };
  else throw new KontractError(ERROR_CODES.USAGE, `Vault ${server}: no credentials (set VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID)`);
  return vaultSecretReader({ server, auth });
}
