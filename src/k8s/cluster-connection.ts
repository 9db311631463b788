/**
 * Cluster configuration and credentials: turns an app-interface `Cluster` into the TLS/auth options
 * kontract's HTTP client needs, from the cluster's token (env, file, in-cluster, automationToken)
 * or a kubeconfig context read by kontract's own reader (src/k8s/kubeconfig-files.ts).
 * @kubernetes/client-node is imported only for a kubeconfig user whose credentials come from an
 * `exec` plugin or an `auth-provider`, and then does exactly what it did for every run before.
 *
 * Rules:
 * - No silent fallback to ~/.kube/config. A kubeconfig-context cluster needs an explicit kubeconfig
 *   (the cluster's own `auth.path`, `--kubeconfig`, `KONTRACT_KUBECONFIG` or `KUBECONFIG`, the env
 *   variables as kubectl-style lists); anything missing is an E_CLUSTER_CONFIG error naming the
 *   cluster.
 * - insecureSkipTLSVerify only when the cluster data says so explicitly, and always with a warning.
 * - Token files are read and trimmed (a trailing newline breaks the header). `reloadCredentials()`
 *   re-reads them after a 401 (rotated service-account tokens).
 * - Tokens never appear in messages: errors name the env variable or file, never the value.
 */
import { readFileSync } from 'node:fs';
import { delimiter, isAbsolute, resolve } from 'node:path';
import type { Cluster } from '../app-interface/model.js';
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { kubeconfigList, kubeconfigTarget, loadKubeconfigFiles } from './kubeconfig-files.js';
import type { KubeconfigTarget } from './kubeconfig-files.js';
import type { SecretReader } from '../secrets/index.js';

/** Where kubeconfig-context clusters find their kubeconfig. */
export interface ConnectionOptions {
  /** `--kubeconfig`; wins over the environment. */
  readonly kubeconfigPath?: string;
  /** Environment (for `KONTRACT_KUBECONFIG` and `tokenEnv` auth). */
  readonly env: NodeJS.ProcessEnv;
  /** Base directory for relative CA, token and kubeconfig paths. @default process.cwd() */
  readonly cwd?: string;
  readonly reporter: Reporter;
  /** Resolves qontract `automationToken` references (Vault or the secrets config file). */
  readonly secrets?: SecretReader;
}

/** TLS and auth material for one cluster, ready for an https.Agent and request headers. */
export interface ConnectionCredentials {
  readonly server: URL;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized: boolean;
  readonly servername?: string;
  /** Request headers carrying auth (Authorization, Impersonate-User). Never log these. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ClusterConnection {
  readonly cluster: string;
  /** The kubeconfig context in use (kubeconfig-context clusters only). */
  readonly context?: string;
  /** Current credentials (cached; cheap). */
  credentials(): ConnectionCredentials;
  /**
   * Re-read credentials after a 401 (token file rotated, exec plugin). Resolves true when it is
   * worth retrying the request once.
   */
  reloadCredentials(): Promise<boolean>;
}

export const KUBECONFIG_ENV = 'KONTRACT_KUBECONFIG';

function configError(cluster: string, message: string, cause?: unknown): KontractError {
  return new KontractError(ERROR_CODES.CLUSTER_CONFIG, `cluster ${cluster}: ${message}`, cause === undefined ? { cluster } : { cluster, cause });
}

function resolvePath(base: string, p: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

function readTokenFile(cluster: string, file: string): string {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw configError(cluster, `cannot read token file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const token = raw.trim();
  if (token === '') throw configError(cluster, `token file ${file} is empty`);
  return token;
}

/** The cluster and user of token-based auth (env, file, in-cluster, automationToken). */
function tokenTarget(cluster: Cluster, token: string, base: string): KubeconfigTarget {
  let caData: string | undefined;
  let caFile: string | undefined;
  if (cluster.ca !== undefined) {
    if ('inline' in cluster.ca) {
      caData = Buffer.from(cluster.ca.inline, 'utf8').toString('base64');
    } else {
      caFile = resolvePath(base, cluster.ca.path);
      try {
        readFileSync(caFile);
      } catch (e) {
        throw configError(cluster.name, `cannot read CA file ${caFile}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`);
      }
    }
  }
  return {
    context: cluster.name,
    cluster: {
      name: cluster.name,
      server: cluster.serverUrl,
      skipTLSVerify: cluster.insecureSkipTLSVerify,
      ...(caData === undefined ? {} : { caData }),
      ...(caFile === undefined ? {} : { caFile }),
    },
    user: { name: 'kontract', token },
  };
}

/** The kubeconfig file(s) of a kubeconfig-context cluster and how to name them in messages. */
interface KubeconfigSource {
  readonly files: readonly string[];
  readonly label: string;
}

/**
 * The cluster's own `auth.path`, else `--kubeconfig`, else `KONTRACT_KUBECONFIG`, else `KUBECONFIG`
 * (both env variables may be `:`-separated lists, merged like kubectl merges them).
 */
function kubeconfigSourceFor(cluster: Cluster, opts: ConnectionOptions, explicit: string | undefined): KubeconfigSource {
  const base = opts.cwd ?? process.cwd();
  const single = explicit ?? opts.kubeconfigPath;
  if (single !== undefined) {
    const file = resolvePath(base, single);
    return { files: [file], label: file };
  }
  for (const name of [KUBECONFIG_ENV, 'KUBECONFIG']) {
    const value = opts.env[name];
    if (value === undefined || value === '') continue;
    const files = kubeconfigList(value, base);
    if (files.length > 0) return { files, label: `${files.join(delimiter)} (from ${name})` };
  }
  throw configError(cluster.name, `auth uses kubeconfig context but no kubeconfig was given (use --kubeconfig, ${KUBECONFIG_ENV} or KUBECONFIG; ~/.kube/config is never read implicitly)`);
}

function contextTarget(cluster: Cluster, context: string, source: KubeconfigSource): KubeconfigTarget {
  let kc: ReturnType<typeof loadKubeconfigFiles>;
  try {
    kc = loadKubeconfigFiles(source.files);
  } catch (e) {
    throw configError(cluster.name, `cannot load kubeconfig ${source.label}: ${errorMessage(e).split('\n')[0] ?? ''}`);
  }
  try {
    return kubeconfigTarget(kc, context);
  } catch (e) {
    throw configError(cluster.name, `${errorMessage(e)} in kubeconfig ${source.label}`);
  }
}

/** The standard mount of a pod's service account (token, ca.crt). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Overrides SERVICE_ACCOUNT_DIR (tests, unusual mounts). */
export const SERVICE_ACCOUNT_DIR_ENV = 'KONTRACT_SERVICE_ACCOUNT_DIR';

/**
 * In-cluster auth, as client-go does it: server https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT,
 * the service account token and CA from the mounted directory. The token file is re-read on a 401
 * (projected tokens rotate).
 */
function inClusterTarget(cluster: Cluster, env: NodeJS.ProcessEnv): { readonly cluster: Cluster; readonly tokenFile: string } {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw configError(cluster.name, 'auth is inCluster but KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set (is kontract running in a pod of this cluster?)');
  }
  const dirFromEnv = env[SERVICE_ACCOUNT_DIR_ENV];
  const dir = dirFromEnv === undefined || dirFromEnv === '' ? SERVICE_ACCOUNT_DIR : dirFromEnv;
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { cluster: { ...cluster, serverUrl: server, ca: { path: `${dir}/ca.crt` } }, tokenFile: `${dir}/token` };
}

/** TLS options and headers as an https request takes them (what client-node's `applyToHTTPSOptions` fills). */
interface HttpsOptions {
  headers?: Record<string, unknown>;
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  rejectUnauthorized?: boolean;
  servername?: string;
}

const fileOrData = (file: string | undefined, data: string | undefined): Buffer | undefined =>
  file !== undefined ? readFileSync(file) : data !== undefined ? Buffer.from(data, 'base64') : undefined;

/** The same options client-node's `KubeConfig.applyToHTTPSOptions` gives for a user without `exec`/`auth-provider`. */
function httpsOptions(target: KubeconfigTarget): HttpsOptions {
  const { cluster, user } = target;
  const opts: HttpsOptions = {};
  if (cluster.skipTLSVerify) opts.rejectUnauthorized = false;
  if (cluster.tlsServerName !== undefined) opts.servername = cluster.tlsServerName;
  opts.ca = fileOrData(cluster.caFile, cluster.caData);
  opts.cert = fileOrData(user.certFile, user.certData);
  opts.key = fileOrData(user.keyFile, user.keyData);
  const headers: Record<string, unknown> = {};
  if (user.impersonateUser !== undefined) headers['Impersonate-User'] = user.impersonateUser;
  const token = user.token ?? (user.tokenFile === undefined ? undefined : readFileSync(user.tokenFile, 'utf8'));
  if (token !== undefined && token !== '') headers.Authorization = `Bearer ${token}`;
  opts.headers = headers;
  return opts;
}

/** A user whose credentials come from an `exec` plugin or an `auth-provider`: client-node's authenticators. */
async function clientNodeHttpsOptions(target: KubeconfigTarget): Promise<HttpsOptions> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { tokenFile, ...user } = target.user;
  const token = user.token ?? (tokenFile === undefined ? undefined : readFileSync(tokenFile, 'utf8'));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [target.cluster],
    users: [{ ...user, ...(token === undefined ? {} : { token }) }],
    contexts: [{ name: target.context, cluster: target.cluster.name, user: user.name }],
    currentContext: target.context,
  });
  const opts: HttpsOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return opts;
}

/** Extracts the TLS + auth material once per (re)load. */
async function extractCredentials(clusterName: string, target: KubeconfigTarget): Promise<ConnectionCredentials> {
  const { cluster, user } = target;
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw configError(clusterName, `invalid server URL ${cluster.server}`);
  }
  if (server.protocol !== 'https:' && !(server.protocol === 'http:' && cluster.skipTLSVerify)) {
    throw configError(clusterName, `server URL must be https (got ${server.protocol})`);
  }
  let opts: HttpsOptions;
  try {
    opts = user.exec !== undefined || user.authProvider !== undefined ? await clientNodeHttpsOptions(target) : httpsOptions(target);
  } catch (e) {
    throw configError(clusterName, `cannot apply credentials: ${errorMessage(e).split('\n')[0] ?? ''}`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    // a kubeconfig `token-file` is read untrimmed: trim here
    if (typeof v === 'string') headers[k] = v.trim();
  }
  if (user.username !== undefined && user.password !== undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  }
  const buf = (x: unknown): Buffer | undefined => (Buffer.isBuffer(x) ? x : typeof x === 'string' ? Buffer.from(x) : undefined);
  const ca = buf(opts.ca);
  const cert = buf(opts.cert);
  const key = buf(opts.key);
  return {
    server,
    rejectUnauthorized: opts.rejectUnauthorized !== false,
    headers,
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(opts.servername === undefined ? {} : { servername: opts.servername }),
  };
}

/**
 * Resolves one cluster's configuration. Throws E_CLUSTER_CONFIG (naming the cluster) when the
 * configuration is unusable; the reconcile registers that as a per-cluster error.
 */
export async function connectCluster(cluster: Cluster, opts: ConnectionOptions): Promise<ClusterConnection> {
  if (cluster.jumpHost !== undefined) {
    // qontract-reconcile reaches such a cluster through an SSH tunnel; connecting directly would bypass the bastion
    throw configError(cluster.name, `${cluster.jumpHost.where}: the cluster is reached through the jump host ${cluster.jumpHost.path}, which kontract does not support (qontract-reconcile opens an SSH tunnel through it; kontract does not): the cluster is not read`);
  }
  const base = opts.cwd ?? process.cwd();
  const auth = cluster.auth;
  let load: () => KubeconfigTarget | Promise<KubeconfigTarget>;
  switch (auth.kind) {
    case 'automationToken': {
      const reader = opts.secrets;
      if (reader === undefined) {
        throw configError(cluster.name, `automationToken ${auth.secret.path} needs a secret reader: give --vault-server (with VAULT_TOKEN or VAULT_ROLE_ID/VAULT_SECRET_ID) or --secrets-config FILE, or credentials in a /kontract/cluster-1.yml datafile`);
      }
      load = async () => {
        let token: string;
        try {
          token = (await reader.read(auth.secret)).trim();
        } catch (e) {
          throw configError(cluster.name, `${cluster.path} automationToken: ${errorMessage(e)}`, e);
        }
        if (token === '') throw configError(cluster.name, `${cluster.path} automationToken: secret ${auth.secret.path} field ${auth.secret.field} is empty (${reader.describe})`);
        return tokenTarget(cluster, token, base);
      };
      break;
    }
    case 'tokenEnv':
      load = () => {
        const token = opts.env[auth.env]?.trim();
        if (token === undefined || token === '') throw configError(cluster.name, `environment variable ${auth.env} (token) is not set or empty`);
        return tokenTarget(cluster, token, base);
      };
      break;
    case 'tokenFile': {
      const file = resolvePath(base, auth.file);
      load = () => tokenTarget(cluster, readTokenFile(cluster.name, file), base);
      break;
    }
    case 'inCluster': {
      const inCluster = inClusterTarget(cluster, opts.env);
      load = () => tokenTarget(inCluster.cluster, readTokenFile(cluster.name, inCluster.tokenFile), base);
      break;
    }
    case 'kubeconfig': {
      const source = kubeconfigSourceFor(cluster, opts, auth.path);
      load = () => contextTarget(cluster, auth.context, source);
      break;
    }
  }
  let creds = await extractCredentials(cluster.name, await load());
  if (!creds.rejectUnauthorized) {
    opts.reporter.log('warn', `TLS certificate verification is disabled for cluster ${cluster.name} (insecureSkipTLSVerify)`, { cluster: cluster.name });
  }
  if (auth.kind === 'kubeconfig' && creds.server.origin !== safeOrigin(cluster.serverUrl)) {
    opts.reporter.log('debug', `cluster ${cluster.name}: kubeconfig context ${auth.context} points to ${creds.server.origin}, app-interface serverUrl is ${cluster.serverUrl}; using the kubeconfig`, { cluster: cluster.name });
  }
  return {
    cluster: cluster.name,
    ...(auth.kind === 'kubeconfig' ? { context: auth.context } : {}),
    credentials: () => creds,
    async reloadCredentials() {
      // Only sources that can change underneath us are worth a retry.
      if (auth.kind === 'tokenEnv') return false;
      const before = creds.headers.Authorization;
      try {
        creds = await extractCredentials(cluster.name, await load());
      } catch (e) {
        opts.reporter.log('warn', `cluster ${cluster.name}: reloading credentials failed: ${errorMessage(e)}`, { cluster: cluster.name });
        return false;
      }
      opts.reporter.log('info', `cluster ${cluster.name}: 401 Unauthorized; credentials re-read${before === creds.headers.Authorization ? ' (unchanged)' : ' (changed)'}, retrying once`, { cluster: cluster.name });
      return true;
    },
  };
}

function safeOrigin(u: string): string {
  try {
    return new URL(u).origin;
  } catch {
    return u;
  }
}
