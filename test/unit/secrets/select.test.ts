/** The secrets config file reader (qontract-reconcile's config.toml layout) and the choice between it and Vault. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isKontractError } from '../../../src/core/errors.js';
import { secretReaderFor } from '../../../src/secrets/select.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kontract-secrets-unit-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
const SECRET = 's3cr3t-token-value';
writeFileSync(path.join(dir, 'config.toml'), [
  '[vault]', 'server = "https://vault.example.invalid:8200"', 'role_id = "r"', 'secret_id = "s"', '',
  '[app-sre.creds.kube-configs.prod-1]', `token = "${SECRET}"`, 'port = 6443', '',
].join('\n'));
writeFileSync(path.join(dir, 'broken.toml'), `[a\ntoken = "${SECRET}"\n`);

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('secrets config file (vault: false)', () => {
  const reader = secretReaderFor({ vault: false, secretsConfig: 'config.toml', env: {}, cwd: dir });

  it('reads path segments as nested tables and the field as a key', async () => {
    expect(reader?.describe).toBe(`config file ${path.join(dir, 'config.toml')}`);
    expect(await reader?.read({ path: 'app-sre/creds/kube-configs/prod-1', field: 'token' })).toBe(SECRET);
  });

  it('names the path and field of a missing secret, never a value', async () => {
    for (const ref of [{ path: 'app-sre/creds/nope', field: 'token' }, { path: 'app-sre/creds/kube-configs/prod-1', field: 'nope' }, { path: 'app-sre/creds/kube-configs/prod-1', field: 'port' }]) {
      const e = await failure(reader!.read(ref));
      expect(isKontractError(e) && e.code).toBe('E_SECRET');
      expect(e.message).toContain(`secret ${ref.path} field ${ref.field}`);
      expect(e.message).not.toContain(SECRET);
    }
  });

  it('takes the file from KONTRACT_SECRETS_CONFIG, and is absent without one', async () => {
    const fromEnv = secretReaderFor({ vault: false, env: { KONTRACT_SECRETS_CONFIG: path.join(dir, 'config.toml') }, cwd: '/' });
    expect(await fromEnv?.read({ path: 'app-sre/creds/kube-configs/prod-1', field: 'token' })).toBe(SECRET);
    expect(secretReaderFor({ vault: false, env: {}, cwd: dir })).toBeUndefined();
  });

  it('reports an unreadable or invalid file as E_SECRET without its content', () => {
    expect(() => secretReaderFor({ vault: false, secretsConfig: 'missing.toml', env: {}, cwd: dir })).toThrow(/cannot read the secrets config file .*missing\.toml/);
    let err: unknown;
    try {
      secretReaderFor({ vault: false, secretsConfig: 'broken.toml', env: {}, cwd: dir });
    } catch (e) {
      err = e;
    }
    expect(isKontractError(err) && err.code).toBe('E_SECRET');
    expect((err as Error).message).toMatch(/broken\.toml is not valid TOML/);
    expect((err as Error).message).not.toContain(SECRET);
  });
});

describe('Vault (settings vault: true, or no settings)', () => {
  it('is chosen by default, with the server and AppRole from the config file\'s [vault] table', () => {
    expect(secretReaderFor({ secretsConfig: 'config.toml', env: {}, cwd: dir })?.describe).toBe('vault https://vault.example.invalid:8200');
  });
  it('takes --vault-server / VAULT_ADDR and VAULT_TOKEN', () => {
    expect(secretReaderFor({ vault: true, vaultServer: 'http://127.0.0.1:8200/', env: { VAULT_TOKEN: 't' }, cwd: dir })?.describe).toBe('vault http://127.0.0.1:8200');
    expect(secretReaderFor({ env: { VAULT_ADDR: 'http://v:1', VAULT_TOKEN: 't' }, cwd: dir })?.describe).toBe('vault http://v:1');
  });
  it('is absent without a server, and a usage error without credentials', () => {
    expect(secretReaderFor({ env: {}, cwd: dir })).toBeUndefined();
    expect(() => secretReaderFor({ env: { VAULT_ADDR: 'http://v:1' }, cwd: dir })).toThrow(/no credentials \(set VAULT_TOKEN, or VAULT_ROLE_ID and VAULT_SECRET_ID\)/);
  });
});
