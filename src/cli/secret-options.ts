/**
 * `--secrets-config` and `--vault-server`: where cluster `automationToken`s are read from
 * (src/secrets/select.ts decides between Vault and the config file from the app-interface settings).
 */
import type { Argv } from 'yargs';
import type { AppInterfaceData } from '../app-interface/model.js';
import type { SecretReader } from '../secrets/index.js';
import { secretReaderFor } from '../secrets/select.js';
import type { CommandContext, GlobalArgs } from './command.js';

export function secretOptions(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return y
    .option('secrets-config', { type: 'string', describe: 'qontract-reconcile style TOML config with the secrets, used when the app-interface settings say vault: false (env KONTRACT_SECRETS_CONFIG)' })
    .option('vault-server', { type: 'string', describe: 'Vault (or OpenBao) URL for automationToken secrets (env VAULT_ADDR; token VAULT_TOKEN, or VAULT_ROLE_ID + VAULT_SECRET_ID)' });
}

export function secretReaderFromArgs(args: Readonly<Record<string, unknown>>, ctx: CommandContext, data: AppInterfaceData): SecretReader | undefined {
  const secretsConfig = typeof args['secrets-config'] === 'string' ? args['secrets-config'] : undefined;
  const vaultServer = typeof args['vault-server'] === 'string' ? args['vault-server'] : undefined;
  const vault = data.appInterfaceSettings?.[0]?.vault;
  return secretReaderFor({
    env: ctx.env, cwd: ctx.cwd,
    ...(secretsConfig === undefined ? {} : { secretsConfig }),
    ...(vaultServer === undefined ? {} : { vaultServer }),
    ...(vault === undefined ? {} : { vault }),
  });
}
