/**
 * Recycle pods (qontract's `qontract.recycle: "true"`): when a plan updates a Secret or ConfigMap
 * carrying that annotation, the Deployments, StatefulSets and DaemonSets of its namespace whose pod
 * template uses it (volume, projected volume, `env[].valueFrom`, `envFrom`, in containers and init
 * containers) are restarted the way `kubectl rollout restart` does it: the pod template gets the
 * annotation `kubectl.kubernetes.io/restartedAt: <time>`. It is applied with its own field manager
 * (`kontract-recycle`), so kontract's later applies of the workload neither remove it nor see a
 * difference (the live object may have more than kontract desires).
 *
 * Planned after the diff (the workloads of only the affected namespaces are listed: a plan without
 * such an update reads nothing more) and listed in `plan.recycles`; restarted only in a wet run,
 * after the triggering object was applied.
 */
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { kindKey } from '../core/k8s-object.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import type { PlannedChange, Recycle } from '../resource-inventory/plan.js';
import type { RequestLimits } from './request-limits.js';

export const RECYCLE_ANNOTATION = 'qontract.recycle';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
export const RECYCLE_FIELD_MANAGER = 'kontract-recycle';

export const WORKLOAD_KINDS: readonly ManagedKind[] = [
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, order: 50 },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, order: 50 },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, order: 50 },
];

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const field = (o: unknown, k: string): unknown => (isObj(o) ? o[k] : undefined);

/** A change that triggers a recycle: an update of a Secret/ConfigMap annotated `qontract.recycle: "true"`. */
export function isRecycleTrigger(c: PlannedChange): boolean {
  return c.action === 'update' && (c.kind === 'Secret' || c.kind === 'ConfigMap') && c.desired?.metadata.annotations?.[RECYCLE_ANNOTATION] === 'true';
}

/** Names of the Secrets (or ConfigMaps) a pod spec uses. */
export function usedByPodSpec(spec: unknown, kind: 'Secret' | 'ConfigMap'): Set<string> {
  const names = new Set<string>();
  const add = (v: unknown): void => { if (typeof v === 'string') names.add(v); };
  const [volumeKey, volumeName, envFromKey, keyRef] = kind === 'Secret'
    ? ['secret', 'secretName', 'secretRef', 'secretKeyRef'] as const
    : ['configMap', 'name', 'configMapRef', 'configMapKeyRef'] as const;
  for (const v of list(field(spec, 'volumes'))) {
    add(field(v[volumeKey], volumeName));
    for (const s of list(field(v.projected, 'sources'))) add(field(s[volumeKey], 'name'));
  }
  for (const c of [...list(field(spec, 'containers')), ...list(field(spec, 'initContainers'))]) {
    for (const e of list(c.env)) add(field(field(e.valueFrom, keyRef), 'name'));
    for (const e of list(c.envFrom)) add(field(e[envFromKey], 'name'));
  }
  return names;
}

/** The workloads to restart for the plan's triggers, reading only the namespaces concerned. */
export async function planRecycles(changes: readonly PlannedChange[], clients: ReadonlyMap<string, ClusterClient>, limits: RequestLimits): Promise<Recycle[]> {
  const triggers = changes.filter(isRecycleTrigger);
  const byNs = new Map<string, PlannedChange[]>();
  for (const t of triggers) {
    const key = `${t.cluster}\0${t.namespace}`;
    byNs.set(key, [...(byNs.get(key) ?? []), t]);
  }
  const out: Recycle[] = [];
  await Promise.all([...byNs.values()].map(async (ts) => {
    const first = ts[0];
    const client = first === undefined ? undefined : clients.get(first.cluster);
    if (first === undefined || client === undefined) return;
    const limit = limits(first.cluster);
    const workloads = await Promise.all(WORKLOAD_KINDS.map((k) => limit(() => client.list(k, { namespace: first.namespace })).then((items) => items.map((o) => ({ kind: k, o })))));
    for (const { kind, o } of workloads.flat()) {
      const spec = field(field(o.spec, 'template'), 'spec');
      const because = ts.filter((t) => usedByPodSpec(spec, t.kind === 'Secret' ? 'Secret' : 'ConfigMap').has(t.name)).map((t) => `${t.kind} ${t.name}`);
      if (because.length > 0) out.push({ cluster: first.cluster, namespace: first.namespace, kind: kindKey(kind), name: o.metadata.name, because: because.join(', ') });
    }
  }));
  return out.sort((a, b) => `${a.cluster}/${a.namespace}/${a.kind}/${a.name}`.localeCompare(`${b.cluster}/${b.namespace}/${b.kind}/${b.name}`));
}

/** The server-side-apply body of a restart: only the pod-template annotation. */
export function restartPatch(kind: ManagedKind, namespace: string, name: string, at: Date): KubeObject {
  return {
    apiVersion: `${kind.group}/${kind.version}`,
    kind: kind.kind,
    metadata: { name, namespace },
    spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at.toISOString() } } } },
  };
}

export interface RecycleResult {
  readonly recycle: Recycle;
  readonly error?: string;
}

/** Restarts each workload whose triggering change was applied (`applied(cluster, namespace, because)`). */
export async function applyRecycles(recycles: readonly Recycle[], clients: ReadonlyMap<string, ClusterClient>, limits: RequestLimits, at: Date): Promise<RecycleResult[]> {
  return Promise.all(recycles.map(async (r) => {
    const client = clients.get(r.cluster);
    const kind = WORKLOAD_KINDS.find((k) => kindKey(k) === r.kind);
    if (client === undefined || kind === undefined) return { recycle: r, error: `no client or kind for ${r.kind}` };
    try {
      await limits(r.cluster)(() => client.apply(kind, restartPatch(kind, r.namespace, r.name, at), { dryRun: false, fieldManager: RECYCLE_FIELD_MANAGER }));
      return { recycle: r };
    } catch (e) {
      return { recycle: r, error: e instanceof Error ? e.message : String(e) };
    }
  }));
}
