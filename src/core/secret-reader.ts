/**
 * The secret reader contract (qontract secret references `{path, field, version, format}`): what
 * a run hands to integrations that build objects from secrets. Implementations (Vault, the
 * secrets config file) live in src/secrets/. Values read must never reach any output.
 */
export interface SecretRef {
  readonly path: string;
  readonly field: string;
  readonly version?: number;
  /** @default 'plain' */
  readonly format?: 'plain' | 'base64';
}

export interface SecretReader {
  /** A short description for messages: `vault https://vault.example:8200`, `config file /etc/kontract/config.toml`. */
  readonly describe: string;
  read(ref: SecretRef, signal?: AbortSignal): Promise<string>;
  /** Every field of the secret at `path` (qontract's `read_all`: vault-secret resources, Route TLS). */
  readAll(ref: Omit<SecretRef, 'field' | 'format'>, signal?: AbortSignal): Promise<Readonly<Record<string, string>>>;
}
