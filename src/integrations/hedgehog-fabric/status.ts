/**
 * Per-fabric status from a plan (pure): is the fabric's cluster reachable, is it in sync, which
 * objects drifted (a create, update or delete is pending) with their field diffs, desired and
 * drifted counts per kind. `kontract fabric-status --output json` prints this; the drift gauge
 * `kontract_fabric_drift_objects{fabric,kind}` is set from it.
 */
import type { FieldChange, Plan, PlannedChange } from '../../resource-inventory/plan.js';
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
  readonly driftCount: number;
  readonly kinds: Readonly<Record<FabricKindName, FabricKindStatus>>;
  readonly drift: readonly FabricDriftObject[];
  readonly errors: readonly string[];
}

export interface FabricStatusInput {
  readonly plan: Plan;
  readonly fabrics: readonly FabricDesired[];
  /** Fabric name → ISO time of the last kontract apply (see lastSyncOf in the command). */
  readonly lastSync?: ReadonlyMap<string, string>;
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

export function fabricStatus(input: FabricStatusInput): FabricStatus[] {
  return input.fabrics.map((f) => {
    const cluster = f.fabric.cluster;
    const summary = input.plan.clusters.find((c) => c.cluster === cluster);
    const reachable = summary?.reachable ?? false;
    const errors = input.plan.errors.filter((e) => e.cluster === cluster || e.cluster === undefined).map((e) => `${e.code}: ${e.message}`);
    const drift = driftObjects(input.plan, cluster);
    const desired = emptyKindCounts();
    for (const k of FABRIC_KIND_NAMES) desired[k] = f.counts[k];
    const kinds = Object.fromEntries(FABRIC_KIND_NAMES.map((k) => [k, { desired: desired[k], drifted: drift.filter((d) => d.kind === k).length }])) as Record<FabricKindName, FabricKindStatus>;
    const clusterWide = input.plan.errors.some((e) => e.cluster === cluster && e.objectOnly !== true);
    const state: FabricState = !reachable ? 'unreachable' : clusterWide ? 'error' : drift.length > 0 ? 'drift_detected' : 'in_sync';
    const lastSync = input.lastSync?.get(f.fabric.name);
    return {
      fabric: f.fabric.name,
      datafile: f.fabric.path,
      cluster,
      source: f.sourceLabel,
      ...(f.revision === undefined ? {} : { revision: f.revision }),
      reachable,
      state,
      ...(lastSync === undefined ? {} : { lastSync }),
      driftCount: drift.length,
      kinds,
      drift,
      errors,
    };
  });
}

/** Drift per (fabric, kind), every kind present (0 when in sync), for the gauge. */
export function driftSamples(statuses: readonly FabricStatus[]): { fabric: string; kind: FabricKindName; value: number }[] {
  return statuses.flatMap((s) => FABRIC_KIND_NAMES.map((k) => ({ fabric: s.fabric, kind: k, value: s.kinds[k].drifted })));
}
