/**
 * Shared by the tenant integration tests (namespaces, resourcequotas, limitranges, rolebindings,
 * networkpolicies): app-interface clusters pointing at the local test clusters, one reconcile run
 * through the real engine (src/reconcile) with per-run request counts, and plain client-node
 * access to check what the API server holds. Nothing here fakes the Kubernetes API.
 */
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import { ApiException, KubernetesObjectApi } from '@kubernetes/client-node';
import type { AppInterfaceData, Cluster } from '../../../src/app-interface/model.js';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import type { LogLevel, Reporter } from '../../../src/core/reporter.js';
import type { Integration } from '../../../src/integrations/define-integration.js';
import { createConnector } from '../../../src/reconcile/connector.js';
import { runReconcile } from '../../../src/reconcile/run-reconcile.js';
import type { ReconcileResult } from '../../../src/reconcile/run-reconcile.js';
import { cluster as clusterEntity } from '../../unit/integrations/data-builder.js';
import { kubeConfigFor, testCluster } from '../support/clusters.js';

function tokenEnvName(name: string): string {
  return `KONTRACT_IT_TOKEN_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

/** The app-interface `Cluster` of a local test cluster (admin token via an env variable, CA file). */
export function clusterFor(name: string): Cluster {
  const c = testCluster(name);
  return clusterEntity(name, { serverUrl: c.server, ca: { path: c.caFile }, auth: { kind: 'tokenEnv', env: tokenEnvName(name) } });
}

/** The environment the connector reads tokens from: only the test clusters' admin tokens. */
function tokenEnv(names: readonly string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(names.map((n) => [tokenEnvName(n), testCluster(n).adminToken]));
}

export interface RunOptions {
  /** Restrict the run to these namespaces (other tests' objects stay out of scope). */
  readonly namespaces: readonly string[];
  readonly takeOver?: boolean;
  readonly adoptQontract?: boolean;
}

export interface RunRecord {
  readonly result: ReconcileResult;
  /** Write requests (apply, delete) sent by this run, over all clusters. */
  readonly writes: number;
  /** `<action> <cluster>/<namespace>/<Kind>/<name>` per planned change, sorted. */
  readonly changes: readonly string[];
  readonly logs: readonly { level: LogLevel; message: string }[];
}

/** One wet run of one integration through the real engine. */
export async function reconcile(integration: Integration, data: AppInterfaceData, opts: RunOptions): Promise<RunRecord> {
  const logs: { level: LogLevel; message: string }[] = [];
  const reporter: Reporter = {
    log: (level, message) => {
      logs.push({ level, message });
    },
    result: () => undefined,
  };
  const connector = createConnector({ env: tokenEnv(data.clusters.map((c) => c.name)), reporter });
  try {
    const result = await runReconcile({
      integrations: [integration],
      data,
      connect: connector.connect,
      dryRun: false,
      takeOver: opts.takeOver ?? false,
      adoptQontract: opts.adoptQontract ?? false,
      namespaces: opts.namespaces,
      reporter,
    });
    const writes = result.clusters.reduce((n, c) => n + c.stats.writes, 0);
    const changes = result.plan.changes
      .map((c) => `${c.action} ${c.cluster}/${c.namespace === '' ? '-' : c.namespace}/${c.kind}/${c.name}`)
      .sort();
    return { result, writes, changes, logs };
  } finally {
    connector.closeAll();
  }
}

function objects(cluster: string): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(kubeConfigFor(cluster));
}

type Header = Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } };

function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

/** GET as the cluster admin, straight over HTTPS: the JSON exactly as the API server stores it. */
export function getJson(cluster: string, path: string): Promise<{ status: number; body: string }> {
  const c = testCluster(cluster);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, c.server),
      { method: 'GET', ca: readFileSync(c.caFile), headers: { Authorization: `Bearer ${c.adminToken}`, Accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The live object as JSON (no client-side model mapping), or undefined when absent. */
export async function readLive(cluster: string, header: Header): Promise<KubeObject | undefined> {
  const base = header.apiVersion.includes('/') ? `/apis/${header.apiVersion}` : `/api/${header.apiVersion}`;
  const ns = header.metadata.namespace === undefined ? '' : `/namespaces/${header.metadata.namespace}`;
  const { status, body } = await getJson(cluster, `${base}${ns}/${pluralOf(header.kind)}/${header.metadata.name}`);
  if (status === 404) return undefined;
  if (status !== 200) throw new Error(`GET ${header.kind} ${header.metadata.name} on ${cluster}: HTTP ${status}`);
  return JSON.parse(body) as KubeObject;
}

/** Creates an object as the cluster admin (not through kontract: unowned). */
export async function createUnowned(cluster: string, obj: KubeObject): Promise<KubeObject> {
  return await objects(cluster).create(obj);
}

export async function createNamespace(cluster: string, name: string): Promise<void> {
  await createUnowned(cluster, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** Deletes namespaces (and everything in them); absent ones are fine. */
export async function deleteNamespaces(cluster: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    try {
      const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
      await objects(cluster).delete(ns);
    } catch (e) {
      if (!(e instanceof ApiException && e.code === 404)) throw e;
    }
  }
}

/** Waits until a read says the object is gone (namespace finalisation takes a moment). */
export async function eventuallyAbsent(cluster: string, header: Header, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const live = await readLive(cluster, header);
    if (live === undefined) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${header.kind} ${header.metadata.name} still present after ${timeoutMs} ms`);
}

export const labelsOf = (o: KubeObject | undefined): Record<string, string> => o?.metadata.labels ?? {};
export const rvOf = (o: KubeObject | undefined): unknown => o?.metadata.resourceVersion;
