/**
 * Per-fabric status from a plan (pure): is the fabric's cluster reachable, is it in sync, which
 * objects drifted (a create, update or delete is pending) with their field diffs, desired and
 * drifted counts per kind. `kontract fabric-status --output json` prints this; the drift gauge
 * `kontract_fabric_drift_objects{fabric,kind}` is set from it.
 */
import { formatProblem } from '../../core/errors.js';
import type { FieldChange, Plan, PlanError, PlannedChange } from '../../resource-inventory/plan.js';
import type { FabricDesired } from './desired.js';
import { HEDGEHOG_FABRIC_INTEGRATION, emptyKindCounts } from './desired.js';
import { FABRIC_KINDS } from './kinds.js';
import type { FabricKindName } from '../../app-interface/hedgehog/model.js';
import { FABRIC_KIND_NAMES } from '../../app-interface/hedgehog/model.js';

export type FabricState = 'in_sync' | 'drift_detected' | 'unreachable' | 'error';

export interface FabricDriftObject {
  readonly kind: FabricKindName;
  readonly name: string;
  readonly action: PlannedChange['action'];
  /** True when the change will not be applied (refused, cluster error, withheld deletion). */
  readonly blocked: boolean;
  readonly reason: string;
  readonly changes: readonly FieldChange[];
}

/** One live object of a fabric kind (namespace `default`) on the fabric cluster, as fabric-status reads it. */
export interface LiveFabricObject {
  readonly kind: FabricKindName;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
  /** Time of kontract's last Apply, when kontract ever applied it. */
  readonly lastApplied?: string;
  /** True when it carries kontract's ownership labels for hedgehog-fabric. */
  readonly managed: boolean;
}

/** The last sync of a fabric: the latest kontract Apply over its managed live objects. */
export function lastSyncOf(live: readonly LiveFabricObject[]): string | undefined {
  let latest: string | undefined;
  for (const o of live) if (o.managed && o.lastApplied !== undefined && (latest === undefined || o.lastApplied > latest)) latest = o.lastApplied;
  return latest;
}

/** A desired object's state: `live` (in sync), `drifted` (an update is pending), `missing` (a create), `error` (refused or in error). */
export type FabricObjectState = 'live' | 'drifted' | 'missing' | 'error';
export const FABRIC_OBJECT_STATES: readonly FabricObjectState[] = ['live', 'drifted', 'missing', 'error'];

export interface FabricObjectStatus {
  readonly kind: FabricKindName;
  readonly name: string;
  readonly state: FabricObjectState;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
  /** kontract's last Apply of this object. */
  readonly lastApplied?: string;
}

/** `critical`: drifted + missing objects above the configured share of the desired ones, any object in error, or the fabric not read; `warning`: any drift or unmanaged object. */
export type FabricLevel = 'ok' | 'warning' | 'critical';

/** Default share of drifted + missing desired objects above which a fabric is `critical`. */
export const DEFAULT_CRITICAL_DRIFT_SHARE = 0.2;

export interface FabricKindStatus {
  readonly desired: number;
  readonly drifted: number;
}

export interface FabricStatus {
  readonly fabric: string;
  readonly datafile: string;
  readonly cluster: string;
  readonly source: string;
  /** Git commit of the source (git sources only). */
  readonly revision?: string;
  readonly reachable: boolean;
  readonly state: FabricState;
  /** ISO time of the last apply kontract made to the fabric's objects, when known. */
  readonly lastSync?: string;
  /**
   * False when the fabric's objects could not be read from its cluster (cluster unreachable or
   * failing, or the fabric's own source is in error): then nothing is known about drift, so
   * `driftCount` is null, `drift` and the per-kind drift are empty and no drift gauge is written.
   */
  readonly read: boolean;
  readonly driftCount: number | null;
  readonly kinds: Readonly<Record<FabricKindName, FabricKindStatus>>;
  readonly drift: readonly FabricDriftObject[];
  readonly errors: readonly string[];
  /** When the git source was fetched (git sources only). */
  readonly fetchedAt?: string;
  readonly level: FabricLevel;
  /** Desired objects by state; null when the fabric was not read. */
  readonly counts: Readonly<Record<FabricObjectState, number>> | null;
  /** Every desired object with its state (empty when the fabric was not read). */
  readonly objects: readonly FabricObjectStatus[];
  /** Objects of the twelve kinds on the cluster without kontract's ownership labels: reported, never touched (unless `--take-over` adopts a desired one); null when not read. */
  readonly unmanaged: { readonly count: number; readonly objects: readonly { readonly kind: FabricKindName; readonly name: string }[] } | null;
}

export interface FabricStatusInput {
  readonly plan: Plan;
  readonly fabrics: readonly FabricDesired[];
  /** Fabric name → ISO time of the last kontract apply (see lastSyncOf in the command). */
  readonly lastSync?: ReadonlyMap<string, string>;
  /** Fabric name → every live object of the twelve kinds on its cluster (readFabricLive). */
  readonly live?: ReadonlyMap<string, readonly LiveFabricObject[]>;
  /** Share of drifted + missing desired objects above which the level is `critical`. @default DEFAULT_CRITICAL_DRIFT_SHARE */
  readonly criticalDriftShare?: number;
}

/** `Kind.group` (plan kind key) → fabric kind name. */
const KIND_BY_KEY = new Map<string, FabricKindName>(
  FABRIC_KIND_NAMES.map((k) => [`${FABRIC_KINDS[k].kind}.${FABRIC_KINDS[k].group}`, k]),
);

export function fabricKindOfChange(c: Pick<PlannedChange, 'kind'>): FabricKindName | undefined {
  return KIND_BY_KEY.get(c.kind);
}

function driftObjects(plan: Plan, cluster: string): FabricDriftObject[] {
  const mine = (c: PlannedChange): boolean => c.integration === HEDGEHOG_FABRIC_INTEGRATION && c.cluster === cluster;
  const out: FabricDriftObject[] = [];
  const add = (c: PlannedChange, blocked: boolean): void => {
    const kind = fabricKindOfChange(c);
    if (kind !== undefined) out.push({ kind, name: c.name, action: c.action, blocked, reason: c.reason, changes: c.changes });
  };
  for (const c of plan.changes) if (mine(c)) add(c, false);
  for (const c of plan.skippedChanges) if (mine(c)) add(c, true);
  for (const c of plan.withheldDeletions) if (mine(c)) add(c, true);
  return out;
}

/** The run error registered for the fabric's own blocked unit (already listed from its problems). */
function isUnitErrorOf(e: PlanError, f: FabricDesired): boolean {
  return f.problems.length > 0 && e.objectOnly === true && e.object === undefined && e.message.startsWith(`${HEDGEHOG_FABRIC_INTEGRATION}: fabric ${f.fabric.name} withheld`);
}

export function fabricStatus(input: FabricStatusInput): FabricStatus[] {
  return input.fabrics.map((f) => {
    const cluster = f.fabric.cluster;
    const summary = input.plan.clusters.find((c) => c.cluster === cluster);
    const reachable = summary?.reachable ?? false;
    const sourceErrors = f.problems.map((p) => `E_VALIDATION: ${formatProblem(p)}`);
    const errors = [...sourceErrors, ...input.plan.errors.filter((e) => (e.cluster === cluster || e.cluster === undefined) && !isUnitErrorOf(e, f)).map((e) => `${e.code}: ${e.message}`)];
    // A fabric in error is not read for this run; an unreachable cluster was not read either.
    const read = reachable && sourceErrors.length === 0;
    const drift = read ? driftObjects(input.plan, cluster) : [];
    const desired = emptyKindCounts();
    for (const k of FABRIC_KIND_NAMES) desired[k] = f.counts[k];
    const kinds = Object.fromEntries(FABRIC_KIND_NAMES.map((k) => [k, { desired: desired[k], drifted: drift.filter((d) => d.kind === k).length }])) as Record<FabricKindName, FabricKindStatus>;
    const clusterWide = input.plan.errors.some((e) => e.cluster === cluster && e.objectOnly !== true);
    const state: FabricState = sourceErrors.length > 0 ? 'error' : !reachable ? 'unreachable' : clusterWide ? 'error' : drift.length > 0 ? 'drift_detected' : 'in_sync';
    const lastSync = input.lastSync?.get(f.fabric.name);
    const live = input.live?.get(f.fabric.name);
    const objects = read ? objectStatuses(f, drift, input.plan.errors.filter((e) => e.cluster === cluster), live ?? []) : [];
    const counts = read ? Object.fromEntries(FABRIC_OBJECT_STATES.map((st) => [st, objects.filter((o) => o.state === st).length])) as Record<FabricObjectState, number> : null;
    const unmanagedObjects = (live ?? []).filter((o) => !o.managed).map((o) => ({ kind: o.kind, name: o.name }));
    const unmanaged = read && live !== undefined ? { count: unmanagedObjects.length, objects: unmanagedObjects } : null;
    const share = counts === null || objects.length === 0 ? 0 : (counts.drifted + counts.missing) / objects.length;
    const critical = !read || state === 'error' || state === 'unreachable' || (counts?.error ?? 0) > 0 || share > (input.criticalDriftShare ?? DEFAULT_CRITICAL_DRIFT_SHARE);
    const level: FabricLevel = critical ? 'critical' : drift.length > 0 || (unmanaged?.count ?? 0) > 0 ? 'warning' : 'ok';
    return {
      fabric: f.fabric.name,
      datafile: f.fabric.path,
      cluster,
      source: f.sourceLabel,
      ...(f.revision === undefined ? {} : { revision: f.revision }),
      reachable,
      state,
      ...(lastSync === undefined ? {} : { lastSync }),
      read,
      driftCount: read ? drift.length : null,
      kinds,
      drift,
      errors,
      ...(f.fetchedAt === undefined ? {} : { fetchedAt: f.fetchedAt }),
      level,
      counts,
      objects,
      unmanaged,
    };
  });
}

/** A plan error's fabric kind and name, when it is about one object of this integration. */
function erroredObject(e: PlanError): string | undefined {
  if (e.object === undefined) return undefined;
  const kind = fabricKindOfChange({ kind: e.object.kind }) ?? e.object.kind;
  return `${kind}/${e.object.name}`;
}

/** Every desired object of a fabric with its state and, when live, its uid, resourceVersion, creation and last apply times. */
function objectStatuses(f: FabricDesired, drift: readonly FabricDriftObject[], errors: readonly PlanError[], live: readonly LiveFabricObject[]): FabricObjectStatus[] {
  const byKey = new Map(live.map((o) => [`${o.kind}/${o.name}`, o]));
  const driftByKey = new Map(drift.map((d) => [`${d.kind}/${d.name}`, d]));
  const errored = new Set(errors.map(erroredObject).filter((k): k is string => k !== undefined));
  return f.objects.map((o) => {
    const key = `${o.kind}/${o.object.metadata.name}`;
    const d = driftByKey.get(key);
    const state: FabricObjectState = errored.has(key) ? 'error' : d === undefined ? 'live' : d.action === 'create' ? 'missing' : d.action === 'update' ? 'drifted' : 'live';
    const l = byKey.get(key);
    return {
      kind: o.kind, name: o.object.metadata.name, state,
      ...(l?.uid === undefined ? {} : { uid: l.uid }),
      ...(l?.resourceVersion === undefined ? {} : { resourceVersion: l.resourceVersion }),
      ...(l?.creationTimestamp === undefined ? {} : { creationTimestamp: l.creationTimestamp }),
      ...(l?.lastApplied === undefined ? {} : { lastApplied: l.lastApplied }),
    };
  });
}

/** Desired objects per (fabric, state) plus unmanaged ones, for the gauge; none for a fabric not read. */
export function objectSamples(statuses: readonly FabricStatus[]): { fabric: string; state: FabricObjectState | 'unmanaged'; value: number }[] {
  return statuses.flatMap((s) => {
    if (s.counts === null) return [];
    const counts = s.counts;
    return [
      ...FABRIC_OBJECT_STATES.map((st) => ({ fabric: s.fabric, state: st, value: counts[st] })),
      ...(s.unmanaged === null ? [] : [{ fabric: s.fabric, state: 'unmanaged' as const, value: s.unmanaged.count }]),
    ];
  });
}

/** Drift per (fabric, kind), every kind present (0 when in sync), for the gauge; none for a fabric not read. */
export function driftSamples(statuses: readonly FabricStatus[]): { fabric: string; kind: FabricKindName; value: number }[] {
  return statuses.filter((s) => s.read).flatMap((s) => FABRIC_KIND_NAMES.map((k) => ({ fabric: s.fabric, kind: k, value: s.kinds[k].drifted })));
}
