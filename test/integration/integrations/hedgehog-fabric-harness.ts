/**
 * Harness of the hedgehog-fabric integration tests: the upstream Hedgehog CRDs installed on a
 * local test cluster, reconcile runs through the real engine (wet or dry), every DELETE sent
 * recorded in order, and raw HTTPS access to the API server for out-of-band edits and reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import type { KubeObject, ManagedKind } from '../../../src/core/k8s-object.js';
import type { Reporter } from '../../../src/core/reporter.js';
import type { FabricSourceOptions } from '../../../src/app-interface/hedgehog/sources.js';
import { createFabricSourceReader } from '../../../src/app-interface/hedgehog/sources.js';
import type { FabricDesired } from '../../../src/integrations/hedgehog-fabric/desired.js';
import { desiredFabrics } from '../../../src/integrations/hedgehog-fabric/desired.js';
import { createHedgehogFabricIntegration } from '../../../src/integrations/hedgehog-fabric/integration.js';
import { FABRIC_MANAGED_KINDS } from '../../../src/integrations/hedgehog-fabric/kinds.js';
import type { Fabric } from '../../../src/app-interface/hedgehog/model.js';
import type { FabricStatus } from '../../../src/integrations/hedgehog-fabric/status.js';
import { fabricStatus } from '../../../src/integrations/hedgehog-fabric/status.js';
import { installCrds } from '../../../src/local-cluster/crds.js';
import type { ClusterClient } from '../../../src/k8s/cluster-client.js';
import { createConnector } from '../../../src/reconcile/connector.js';
import { runReconcile } from '../../../src/reconcile/run-reconcile.js';
import type { DryRunMode, ReconcileResult } from '../../../src/reconcile/run-reconcile.js';
import { DataBuilder } from '../../unit/integrations/data-builder.js';
import { testCluster, testClusters } from '../support/clusters.js';
import { clusterFor } from './tenant-harness.js';
import { sharedCrds } from '../../support/shared-data.js';

export const UPSTREAM_CRDS = sharedCrds('hedgehog');

export async function installUpstreamCrds(cluster: string): Promise<void> {
  const files = readdirSync(UPSTREAM_CRDS).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(UPSTREAM_CRDS, f));
  await installCrds(testClusters().kubeconfig, testCluster(cluster).context, files);
}

export function dataWith(cluster: string, fabrics: readonly Fabric[]): AppInterfaceData {
  return { ...new DataBuilder().cluster(clusterFor(cluster)).build(), fabrics };
}

export interface FabricRun {
  readonly result: ReconcileResult;
  readonly writes: number;
  /** `<action> <Kind> <name>` in plan order. */
  readonly changes: readonly string[];
  /** `<Kind> <name>` of every DELETE sent, in the order sent. */
  readonly deletes: readonly string[];
  readonly statuses: readonly FabricStatus[];
}

function tokenEnvName(name: string): string {
  return `KONTRACT_IT_TOKEN_${name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
}

/** Wraps a client so every delete is recorded (and still sent to the API server). */
function recordingDeletes(client: ClusterClient, deletes: string[]): ClusterClient {
  return {
    cluster: client.cluster,
    list: (k, o) => client.list(k, o),
    get: (k, ns, n, ro) => client.get(k, ns, n, ro),
    create: (k, obj, ro) => client.create(k, obj, ro),
    replace: (k, obj, ro) => client.replace(k, obj, ro),
    givenUp: () => client.givenUp(),
    giveUp: (why) => { client.giveUp(why); },
    apply: (k, obj, o) => client.apply(k, obj, o),
    delete: (k: ManagedKind, ns, n, o) => {
      deletes.push(`${k.kind} ${n}`);
      return client.delete(k, ns, n, o);
    },
    putSubresource: (k, ns, n, sub, body) => client.putSubresource(k, ns, n, sub, body),
    discover: (g, v) => client.discover(g, v),
    discoverGroups: () => client.discoverGroups(),
    stats: () => client.stats(),
    close: () => { client.close(); },
  };
}

/** One run of the hedgehog-fabric integration through the real engine. */
export async function runFabric(data: AppInterfaceData, dryRun: DryRunMode, opts: Partial<FabricSourceOptions> = {}, onLog?: Reporter['log']): Promise<FabricRun> {
  const sources = createFabricSourceReader({ env: process.env, cwd: process.cwd(), ...opts });
  const integration = createHedgehogFabricIntegration(() => sources);
  const reporter: Reporter = { log: onLog ?? (() => undefined), result: () => undefined };
  const env = Object.fromEntries(data.clusters.map((c) => [tokenEnvName(c.name), testCluster(c.name).adminToken]));
  const connector = createConnector({ env, reporter });
  const deletes: string[] = [];
  try {
    const result = await runReconcile({
      integrations: [integration], data, dryRun, reporter,
      connect: async (c) => recordingDeletes(await connector.connect(c), deletes),
    });
    // the status is computed from the same desired state the run used
    const desired: readonly FabricDesired[] = (await desiredFabrics(data.fabrics ?? [], sources)).fabrics;
    return {
      result,
      writes: result.clusters.reduce((n, c) => n + c.stats.writes, 0),
      changes: result.plan.changes.map((c) => `${c.action} ${c.kind.split('.')[0] ?? ''} ${c.name}`),
      deletes,
      statuses: fabricStatus({ plan: result.plan, fabrics: desired }),
    };
  } finally {
    connector.closeAll();
  }
}

/** A raw request as the cluster admin. */
export function api(cluster: string, method: string, urlPath: string, body?: unknown, contentType = 'application/merge-patch+json'): Promise<{ status: number; json: unknown }> {
  const c = testCluster(cluster);
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(urlPath, c.server), {
      method,
      ca: readFileSync(c.caFile),
      headers: { Authorization: `Bearer ${c.adminToken}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': contentType }) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text === '' ? undefined : JSON.parse(text) as unknown });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

function kindPath(kind: string): string {
  const k = FABRIC_MANAGED_KINDS.find((m) => m.kind === kind);
  if (k === undefined) throw new Error(`not a fabric kind: ${kind}`);
  return `/apis/${k.group}/${k.version}/namespaces/default/${k.plural}`;
}

export async function readFabricObject(cluster: string, kind: string, name: string): Promise<KubeObject | undefined> {
  const r = await api(cluster, 'GET', `${kindPath(kind)}/${name}`);
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw new Error(`GET ${kind} ${name}: HTTP ${r.status}`);
  return r.json as KubeObject;
}

export async function patchFabricObject(cluster: string, kind: string, name: string, patch: unknown): Promise<void> {
  const r = await api(cluster, 'PATCH', `${kindPath(kind)}/${name}`, patch);
  if (r.status !== 200) throw new Error(`PATCH ${kind} ${name}: HTTP ${r.status}`);
}

/** Creates an object of a fabric kind in `default` by hand (no kontract labels). */
export async function createFabricObjectByHand(cluster: string, obj: KubeObject): Promise<KubeObject> {
  const r = await api(cluster, 'POST', kindPath(obj.kind), obj, 'application/json');
  if (r.status !== 201) throw new Error(`POST ${obj.kind} ${obj.metadata.name}: HTTP ${r.status}`);
  return r.json as KubeObject;
}

/** Names of the live objects of a kind in `default`. */
export async function liveNames(cluster: string, kind: string): Promise<string[]> {
  const r = await api(cluster, 'GET', kindPath(kind));
  if (r.status !== 200) throw new Error(`LIST ${kind}: HTTP ${r.status}`);
  return ((r.json as { items: KubeObject[] }).items).map((o) => o.metadata.name).sort();
}

/** Deletes every object of the twelve kinds in `default` (test cleanup; the CRDs stay). */
export async function deleteAllFabricObjects(cluster: string): Promise<void> {
  for (const k of [...FABRIC_MANAGED_KINDS].sort((a, b) => b.order - a.order)) {
    const r = await api(cluster, 'DELETE', `/apis/${k.group}/${k.version}/namespaces/default/${k.plural}`);
    if (r.status !== 200 && r.status !== 404) throw new Error(`DELETE collection ${k.plural}: HTTP ${r.status}`);
  }
}
