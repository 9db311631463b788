/**
 * Installs CustomResourceDefinitions into a cluster and waits until they are Established.
 * CRDs are sent with server-side apply (a create when absent, an update otherwise): the KubeVirt
 * CRDs are up to 670 KB, beyond the 262 KB last-applied annotation of client-side apply.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type * as https from 'node:https';
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import * as yaml from 'js-yaml';
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { silentReporter } from '../core/reporter.js';
import type { Endpoint } from './http.js';
import { request, requestJson, sleep, statusMessage } from './http.js';

/** Field manager of CRDs installed by the harness. */
export const CRD_FIELD_MANAGER = 'kontract-local-clusters';

/** An endpoint (server, CA, credentials) for one context of a kubeconfig file. */
export async function endpointFromKubeconfig(kubeconfigPath: string, context: string): Promise<Endpoint> {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(kubeconfigPath);
  } catch (e) {
    throw new KontractError(ERROR_CODES.CLUSTER_CONFIG, `cannot load kubeconfig ${kubeconfigPath}: ${errorMessage(e)}`, { cause: e });
  }
  if (kc.getContextObject(context) === null) {
    throw new KontractError(ERROR_CODES.CLUSTER_CONFIG, `context '${context}' not found in ${kubeconfigPath}`);
  }
  kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new KontractError(ERROR_CODES.CLUSTER_CONFIG, `context '${context}' in ${kubeconfigPath} has no cluster`);
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
  const tls: Pick<https.RequestOptions, 'cert' | 'key' | 'rejectUnauthorized'> = {};
  if (opts.cert !== undefined) tls.cert = opts.cert;
  if (opts.key !== undefined) tls.key = opts.key;
  if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
  const ca = opts.ca === undefined ? undefined : (Array.isArray(opts.ca) ? opts.ca.map(String).join('\n') : String(opts.ca));
  return { server: cluster.server, ...(ca === undefined ? {} : { ca }), tls, headers };
}

/** Files given as CRD sources: a directory contributes its *.yaml / *.yml files, sorted. */
export function expandCrdPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new KontractError(ERROR_CODES.USAGE, `CRD path ${p} does not exist`, { cause: e });
    }
    if (st.isDirectory()) {
      out.push(...readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(p, f)));
    } else {
      out.push(p);
    }
  }
  return out;
}

interface CrdDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [k: string]: unknown;
}

function isCrdDoc(d: unknown): d is CrdDoc {
  if (typeof d !== 'object' || d === null) return false;
  const o = d as Record<string, unknown>;
  const md = o.metadata;
  return o.kind === 'CustomResourceDefinition' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('apiextensions.k8s.io/')
    && typeof md === 'object' && md !== null && typeof (md as Record<string, unknown>).name === 'string';
}

/** Every CRD document in the files (multi-document YAML allowed; anything else is an error). */
export function loadCrdDocs(files: readonly string[]): CrdDoc[] {
  const docs: CrdDoc[] = [];
  for (const f of files) {
    let parsed: unknown[];
    try {
      parsed = yaml.loadAll(readFileSync(f, 'utf8'));
    } catch (e) {
      throw new KontractError(ERROR_CODES.USAGE, `cannot read CRD file ${f}: ${errorMessage(e)}`, { cause: e });
    }
    for (const d of parsed) {
      if (d === null || d === undefined) continue;
      if (!isCrdDoc(d)) throw new KontractError(ERROR_CODES.USAGE, `${f}: a document is not an apiextensions.k8s.io CustomResourceDefinition`);
      docs.push(d);
    }
  }
  return docs;
}

export interface InstallCrdsOptions {
  readonly reporter?: Reporter;
  /** Timeout waiting for Established, per CRD. @default 60000 */
  readonly timeoutMs?: number;
}

/**
 * Server-side applies every CRD in `files` to the cluster of `context` and waits for condition
 * Established=True. Returns the CRD names.
 */
export async function installCrds(kubeconfigPath: string, context: string, files: readonly string[], opts: InstallCrdsOptions = {}): Promise<string[]> {
  const r = opts.reporter ?? silentReporter;
  const ep = await endpointFromKubeconfig(kubeconfigPath, context);
  const docs = loadCrdDocs(files);
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  for (const d of docs) {
    const name = d.metadata.name;
    const res = await request(ep, `${base}/${encodeURIComponent(name)}?fieldManager=${CRD_FIELD_MANAGER}&force=true`, {
      method: 'PATCH', body: JSON.stringify(d), contentType: 'application/apply-patch+yaml', timeoutMs: 60_000,
    });
    if (res.status < 200 || res.status >= 300) {
      throw new KontractError(ERROR_CODES.APPLY, `applying CRD ${name} to ${context}: HTTP ${res.status}: ${statusMessage(res.body)}`, { cluster: context });
    }
    r.log('info', `applied CRD ${name}`, { cluster: context });
  }
  for (const d of docs) await waitEstablished(ep, `${base}/${encodeURIComponent(d.metadata.name)}`, d.metadata.name, context, opts.timeoutMs ?? 60_000);
  return docs.map((d) => d.metadata.name);
}

async function waitEstablished(ep: Endpoint, url: string, name: string, context: string, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const crd = await requestJson(ep, url);
    const conditions = (crd as { status?: { conditions?: { type?: string; status?: string }[] } }).status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() - t0 > timeoutMs) {
      throw new KontractError(ERROR_CODES.APPLY, `CRD ${name} not Established after ${timeoutMs / 1000}s`, { cluster: context });
    }
    await sleep(200);
  }
}
