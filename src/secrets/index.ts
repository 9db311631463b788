/**
 * Secret readers: resolve a qontract secret reference `{path, field, version?, format?}` (a
 * cluster's `automationToken`, later other Vault references) to its value.
 *
 * - `vaultSecretReader`: Vault (or OpenBao) over its HTTP API. As qontract-reconcile does, the
 *   mount is the first path segment, its KV version is asked once (`GET /v1/<mount>/config`
 *   answers only on a KV v2 mount), v2 reads `GET /v1/<mount>/data/<rest>[?version=N]`, v1 reads
 *   `GET /v1/<path>`; `format: base64` decodes the value. Auth: a token, or AppRole
 *   (`role_id`/`secret_id`, logged in once).
 * - `configFileSecretReader`: qontract-reconcile's `config.toml` secrets, used when the
 *   app-interface settings say `vault: false`: the path's segments are nested TOML tables and the
 *   field a key of the innermost one (`path: app-sre/creds/prod-1`, `field: token` →
 *   `[app-sre.creds.prod-1] token = "…"`). As there, `format` and `version` are not applied.
 *
 * Errors are KontractError E_SECRET naming the path and field, never the value.
 *
 * Tests: the Vault reader against a real Vault dev server (tools/vault, KV v1 and v2, token and
 * AppRole) in test/integration/vault-secrets.test.ts; the config-file reader in
 * test/integration/qontract-secrets.test.ts.
 */
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';

import type { SecretRef, SecretReader } from '../core/secret-reader.js';

export type { SecretRef, SecretReader } from '../core/secret-reader.js';

function stringFields(node: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(node).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function where(ref: Omit<SecretRef, 'field'> & { readonly field?: string }): string {
  return `${ref.path}${ref.field === undefined ? '' : ` field ${ref.field}`}${ref.version === undefined ? '' : ` version ${ref.version}`}`;
}

function secretError(reader: string, ref: Omit<SecretRef, 'field'> & { readonly field?: string }, message: string, cause?: unknown): KontractError {
  return new KontractError(ERROR_CODES.SECRET, `secret ${where(ref)} (${reader}): ${message}`, cause === undefined ? {} : { cause });
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** qontract-reconcile's config-file secret reader over parsed TOML (or any nested object). */
export function configSecretReader(config: Readonly<Record<string, unknown>>, describe = 'config file'): SecretReader {
  const table = (ref: Omit<SecretRef, 'field'> & { readonly field?: string }): Readonly<Record<string, unknown>> => {
    let node: unknown = config;
    for (const seg of ref.path.split('/')) {
      if (!isTable(node) || !(seg in node)) throw secretError(describe, ref, `no table ${ref.path.split('/').join('.')}`);
      node = node[seg];
    }
    if (!isTable(node)) throw secretError(describe, ref, `${ref.path.split('/').join('.')} is not a table`);
    return node;
  };
  return {
    describe,
    readAll(ref) {
      return Promise.resolve().then(() => stringFields(table(ref)));
    },
    read(ref) {
      let node: Readonly<Record<string, unknown>>;
      try {
        node = table(ref);
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      const value = node[ref.field];
      if (typeof value !== 'string') return Promise.reject(secretError(describe, ref, value === undefined ? 'no such field' : 'the field is not a string'));
      return Promise.resolve(value);
    },
  };
}

export type VaultAuth =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'approle'; readonly roleId: string; readonly secretId: string; readonly mount?: string };

export interface VaultOptions {
  /** `https://vault.example:8200` (no `/v1`). */
  readonly server: string;
  readonly auth: VaultAuth;
  /** Vault Enterprise namespace (`X-Vault-Namespace`). */
  readonly namespace?: string;
  /** @default 15000 */
  readonly timeoutMs?: number;
  /** Injected for tests; @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

interface VaultAnswer { readonly status: number; readonly body: unknown }

/** Vault KV v1/v2 over HTTP, with qontract-reconcile's path conventions. */
export function vaultSecretReader(opts: VaultOptions): SecretReader {
  const server = opts.server.replace(/\/+$/, '');
  const describe = `vault ${server}`;
  const doFetch = opts.fetch ?? globalThis.fetch;
  const kvVersions = new Map<string, Promise<1 | 2>>();
  let token: Promise<string> | undefined;

  const call = async (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: unknown, signal?: AbortSignal): Promise<VaultAnswer> => {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 15000);
    const res = await doFetch(`${server}/v1/${path}`, {
      method,
      headers: { ...headers, ...(opts.namespace === undefined ? {} : { 'X-Vault-Namespace': opts.namespace }), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed };
  };

  const login = (signal?: AbortSignal): Promise<string> => {
    if (opts.auth.kind === 'token') return Promise.resolve(opts.auth.token);
    const { roleId, secretId, mount = 'approle' } = opts.auth;
    token ??= call('POST', `auth/${mount}/login`, {}, { role_id: roleId, secret_id: secretId }, signal).then((a) => {
      const t = (a.body as { auth?: { client_token?: unknown } } | undefined)?.auth?.client_token;
      if (a.status !== 200 || typeof t !== 'string') {
        token = undefined;
        throw new KontractError(ERROR_CODES.SECRET, `${describe}: AppRole login failed (HTTP ${a.status})`);
      }
      return t;
    });
    return token;
  };

  const get = async (path: string, signal?: AbortSignal): Promise<VaultAnswer> => call('GET', path, { 'X-Vault-Token': await login(signal) }, undefined, signal);

  const kvVersion = (mount: string, signal?: AbortSignal): Promise<1 | 2> => {
    let v = kvVersions.get(mount);
    if (v === undefined) {
      // qontract-reconcile: reading the KV v2 configuration succeeds only on a v2 mount.
      v = get(`${mount}/config`, signal).then((a) => (a.status === 200 ? 2 : 1));
      kvVersions.set(mount, v);
      v.catch(() => kvVersions.delete(mount));
    }
    return v;
  };

  const readData = async (ref: Omit<SecretRef, 'field'> & { readonly field?: string }, signal?: AbortSignal): Promise<Readonly<Record<string, unknown>>> => {
    const [mount = '', ...rest] = ref.path.split('/').filter((s) => s !== '');
    let answer: VaultAnswer;
    let data: unknown;
    try {
      const version = await kvVersion(mount, signal);
      if (version === 2) {
        const q = ref.version === undefined ? '' : `?version=${ref.version}`;
        answer = await get(`${mount}/data/${rest.join('/')}${q}`, signal);
        data = (answer.body as { data?: { data?: unknown } } | undefined)?.data?.data;
      } else {
        answer = await get([mount, ...rest].join('/'), signal);
        data = (answer.body as { data?: unknown } | undefined)?.data;
      }
    } catch (e) {
      if (e instanceof KontractError) throw e;
      throw secretError(describe, ref, `request failed: ${errorMessage(e)}`);
    }
    if (answer.status === 403) throw secretError(describe, ref, 'permission denied (HTTP 403)');
    if (answer.status === 404) throw secretError(describe, ref, ref.version === undefined ? 'not found (HTTP 404)' : 'this version was not found (HTTP 404)');
    if (answer.status !== 200) throw secretError(describe, ref, `HTTP ${answer.status}`);
    return isTable(data) ? data : {};
  };

  return {
    describe,
    async readAll(ref, signal) {
      return stringFields(await readData(ref, signal));
    },
    async read(ref, signal) {
      const value = (await readData(ref, signal))[ref.field];
      if (typeof value !== 'string') throw secretError(describe, ref, value === undefined ? 'no such field' : 'the field is not a string');
      if (ref.format === 'base64') return Buffer.from(value, 'base64').toString('utf8');
      return value;
    },
  };
}
