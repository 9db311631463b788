/**
 * Write measurements of the benchmark (docs/benchmarks.md, "Writes"):
 * - the write floor: the server-side applies kontract's first wet run (or 1 % change run) sends,
 *   with the same bodies (ownership marks included), the same per-cluster concurrency, by the
 *   minimal HTTP/2 client (raw-h2.ts), into namespaces of its own (`benchw-*`);
 * - overload: an API Priority and Fairness level that rejects (429) what exceeds its few seats,
 *   for the restricted user `alice`, so a kontract wet run as alice meets 429s; the run's
 *   requests are counted by status.
 */
import type { LocalClustersState } from '../local-cluster/index.js';
import { RESTRICTED_USER } from '../local-cluster/index.js';
import { markOwned } from '../resource-inventory/ownership.js';
import { desired, KINDS, NAMESPACES } from './objects.js';
import { rawH2 } from './raw-h2.js';
import type { RawH2 } from './raw-h2.js';

/** CPU seconds (user + system) this process spent since `start` (`process.cpuUsage()`). */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

export const FLOOR_INTEGRATION = 'bench-floor';
export const FLOOR_NS_PREFIX = 'benchw';

type ClusterInfo = LocalClustersState['clusters'][number];
const adminOf = (c: ClusterInfo, concurrency: number): RawH2 => rawH2({ server: c.server, caFile: c.caFile, token: c.adminToken }, concurrency);

export interface WriteFloorResult { seconds: number; cpuSeconds: number; writes: number; failed: number }

/**
 * The write floor: SSA (`fieldManager=kontract`, `force=true`) of `size` objects, or with
 * `changedOnly` of the 1 % that the change run changes (with their changed values, or with
 * `restore` their original ones, as the run that undoes the change sends), each cluster with
 * `concurrency` requests in flight.
 */
export async function writeFloor(state: LocalClustersState, size: number, changedOnly: boolean, concurrency: number, restore = false): Promise<WriteFloorResult> {
  const names = state.clusters.map((c) => c.name);
  const all = desired(size, names, changedOnly && !restore, FLOOR_NS_PREFIX);
  // The 1 % of the change run: per-cluster index a multiple of 100 (objects.ts objectFor).
  const objects = changedOnly ? all.filter((_, i) => Math.floor(i / names.length) % 100 === 0) : all;
  const bodies = objects.map((d) => ({ cluster: d.cluster, obj: markOwned(d.object, FLOOR_INTEGRATION) }));
  const clients = new Map(state.clusters.map((c) => [c.name, adminOf(c, concurrency)]));
  let failed = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await Promise.all(bodies.map(async ({ cluster, obj }) => {
    const kind = KINDS.find((k) => k.kind === obj.kind);
    const path = `/api/v1/namespaces/${obj.metadata.namespace ?? ''}/${kind?.plural ?? ''}/${obj.metadata.name}?fieldManager=kontract&force=true`;
    const res = await clients.get(cluster)?.request('PATCH', path, JSON.stringify(obj), 'application/apply-patch+yaml');
    if (res === undefined || res.status < 200 || res.status >= 300) failed++;
  }));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = cpuSince(cpu0);
  for (const c of clients.values()) c.close();
  return { seconds, cpuSeconds, writes: bodies.length, failed };
}

/** Creates the namespaces `<prefix>-0…19` on every cluster (idempotent). */
export async function ensureBenchNamespaces(state: LocalClustersState, prefix: string): Promise<void> {
  await Promise.all(state.clusters.map(async (c) => {
    const client = adminOf(c, 10);
    await Promise.all(Array.from({ length: NAMESPACES }, (_, i) => client.request('PATCH', `/api/v1/namespaces/${prefix}-${i}?fieldManager=kontract-bench&force=true`,
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${prefix}-${i}` } }), 'application/apply-patch+yaml')));
    client.close();
  }));
}

/** Deletes what the write floor wrote (a DELETE collection per namespace and kind; one by one where that is refused). */
export async function deleteFloorObjects(state: LocalClustersState, size: number): Promise<void> {
  const names = state.clusters.map((c) => c.name);
  await Promise.all(state.clusters.map(async (c) => {
    const client = adminOf(c, 10);
    const refused: string[] = [];
    await Promise.all(Array.from({ length: NAMESPACES }, (_, n) => KINDS.map(async (k) => {
      const res = await client.request('DELETE', `/api/v1/namespaces/${FLOOR_NS_PREFIX}-${n}/${k.plural}?labelSelector=${encodeURIComponent(`kontract.io/integration=${FLOOR_INTEGRATION}`)}`);
      if (res.status === 405) refused.push(`${FLOOR_NS_PREFIX}-${n}/${k.plural}`);
    })).flat());
    if (refused.length > 0) {
      const mine = desired(size, names, false, FLOOR_NS_PREFIX).filter((d) => d.cluster === c.name);
      await Promise.all(mine.map(async (d) => {
        const plural = KINDS.find((k) => k.kind === d.object.kind)?.plural ?? '';
        if (refused.includes(`${d.object.metadata.namespace ?? ''}/${plural}`)) await client.request('DELETE', `/api/v1/namespaces/${d.object.metadata.namespace ?? ''}/${plural}/${d.object.metadata.name}`);
      }));
    }
    client.close();
  }));
}

const APF_LEVEL = 'kontract-bench-tight';
const APF_SCHEMA = 'kontract-bench-alice';
const ALICE_BINDING = 'kontract-bench-alice';

/**
 * Lets alice administer the cluster (a ClusterRoleBinding to cluster-admin) and, with `tight`,
 * routes alice's requests to a priority level with `shares` nominal concurrency shares, no
 * borrowing and `Reject` (429 at once, no queue) beyond its seats.
 */
export async function setOverload(state: LocalClustersState, tight: boolean, shares: number): Promise<void> {
  await Promise.all(state.clusters.map(async (c) => {
    const client = adminOf(c, 4);
    const ssa = async (path: string, obj: unknown): Promise<void> => {
      const res = await client.request('PATCH', `${path}?fieldManager=kontract-bench&force=true`, JSON.stringify(obj), 'application/apply-patch+yaml');
      if (res.status >= 300) throw new Error(`bench overload set-up on ${c.name}: PATCH ${path}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    };
    await ssa(`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${ALICE_BINDING}`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: ALICE_BINDING },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: RESTRICTED_USER }],
    });
    const fc = '/apis/flowcontrol.apiserver.k8s.io/v1';
    if (tight) {
      await ssa(`${fc}/prioritylevelconfigurations/${APF_LEVEL}`, {
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: APF_LEVEL },
        spec: { type: 'Limited', limited: { nominalConcurrencyShares: shares, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Reject' } } },
      });
      await ssa(`${fc}/flowschemas/${APF_SCHEMA}`, {
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: APF_SCHEMA },
        spec: {
          priorityLevelConfiguration: { name: APF_LEVEL }, matchingPrecedence: 100, distinguisherMethod: { type: 'ByUser' },
          rules: [{
            subjects: [{ kind: 'User', user: { name: RESTRICTED_USER } }],
            resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }],
            nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          }],
        },
      });
    } else {
      await client.request('DELETE', `${fc}/flowschemas/${APF_SCHEMA}`);
      await client.request('DELETE', `${fc}/prioritylevelconfigurations/${APF_LEVEL}`);
    }
    client.close();
  }));
}

/** Removes what setOverload made (alice's binding, the FlowSchema and the level). */
export async function removeOverload(state: LocalClustersState): Promise<void> {
  await Promise.all(state.clusters.map(async (c) => {
    const client = adminOf(c, 3);
    const fc = '/apis/flowcontrol.apiserver.k8s.io/v1';
    await client.request('DELETE', `${fc}/flowschemas/${APF_SCHEMA}`);
    await client.request('DELETE', `${fc}/prioritylevelconfigurations/${APF_LEVEL}`);
    await client.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${ALICE_BINDING}`);
    client.close();
  }));
}

/** Seats of the tight level and the requests it rejected, per cluster, from the apiserver's own metrics. */
export async function overloadMetrics(state: LocalClustersState): Promise<{ cluster: string; seats?: number; rejected: number }[]> {
  return Promise.all(state.clusters.map(async (c) => {
    const client = adminOf(c, 1);
    const res = await client.request('GET', '/metrics');
    client.close();
    let seats: number | undefined;
    let rejected = 0;
    for (const line of res.body.split('\n')) {
      if (!line.includes(`priority_level="${APF_LEVEL}"`)) continue;
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (line.startsWith('apiserver_flowcontrol_nominal_limit_seats{')) seats = value;
      if (line.startsWith('apiserver_flowcontrol_rejected_requests_total{')) rejected += value;
    }
    return { cluster: c.name, ...(seats === undefined ? {} : { seats }), rejected };
  }));
}
