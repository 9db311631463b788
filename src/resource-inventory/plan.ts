/**
 * The plan: a serialisable value computed purely from a ResourceInventory. `--dry-run` prints it;
 * a wet run applies it. Its JSON form (`--output json`) is documented in docs/plan-json.md and is
 * a stable interface for CI pipelines.
 */
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';

export type Action = 'create' | 'update' | 'delete';

/** One field-level difference, for JSON output and the text diff header. */
export interface FieldChange {
  /** Dotted path, e.g. `spec.hard.limits.cpu`. */
  readonly path: string;
  readonly op: 'add' | 'remove' | 'replace';
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface PlannedChange {
  readonly action: Action;
  readonly integration: string;
  readonly cluster: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  /** kindKey(): `Kind` or `Kind.group`. */
  readonly kind: string;
  readonly name: string;
  /** Apply order of the kind (ManagedKind.order). */
  readonly order: number;
  /** What will be sent (create/update; ownership metadata included). Secret data masked in output only. */
  readonly desired?: KubeObject;
  /** Live object, canonicalised (update/delete). */
  readonly current?: KubeObject;
  readonly changes: readonly FieldChange[];
  /** Why it is in the plan, e.g. `hash differs`, `drift: spec.hard.pods`, `not desired anymore`. */
  readonly reason: string;
  /**
   * Namespace deletions only: what goes with the namespace, counted from the LISTs this run made
   * (`objects: null` when the run listed no namespaced kind on that cluster: unknown).
   */
  readonly namespaceContents?: NamespaceContents;
  /**
   * Updates only: fields another field manager owns whose value kontract changes; server-side
   * apply with force takes them over (kontract is the source of truth).
   */
  readonly takenFields?: readonly TakenFields[];
}

export interface NamespaceContents {
  /** Objects of the listed kinds in the namespace; null = unknown (no namespaced kind was listed). */
  readonly objects: number | null;
  /** The kinds that were counted (kindKey), sorted. Other kinds (Pods …) were not read. */
  readonly kinds: readonly string[];
}

export interface TakenFields {
  /** The field manager that owned the fields, e.g. `kubectl-edit`. */
  readonly manager: string;
  /** Its managedFields operation: `Apply` or `Update`. */
  readonly operation: string;
  /** Dotted paths (as in FieldChange.path; a list is reported as the list field). */
  readonly fields: readonly string[];
}

/**
 * An owned object that is not desired but is not deleted either: a Namespace whose datafile
 * disappeared (only `delete: true` deletes a Namespace). Reported, left alone.
 */
export interface OrphanedObject {
  readonly integration: string;
  readonly cluster: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly reason: string;
}

/** What happened when a plan was sent (wet run or server dry-run); absent for a client dry-run. */
export interface ApplyReport {
  /** `apply` (wet run) or `server-dry-run`. */
  readonly mode: 'apply' | 'server-dry-run';
  /** Changes the apiserver accepted. */
  readonly applied: number;
  /** Changes sent that failed (errors has one E_APPLY each). */
  readonly failed: number;
  /** Changes never sent (listed in Plan.notSent with the reason); deletions withheld at apply time are in withheldDeletions instead. */
  readonly notSent: number;
  /** The signal that stopped the run (`SIGINT` / `SIGTERM`), when one did. */
  readonly interrupted?: string;
  /** Clusters given up during the run (consecutive failed requests or --cluster-timeout). */
  readonly givenUp: readonly { readonly cluster: string; readonly reason: string; readonly notSent: number }[];
}

/** An error registered for one cluster (or the whole run when cluster is undefined). */
export interface PlanError {
  readonly cluster?: string;
  readonly code: string;
  readonly message: string;
  /** The object the error is about, when there is one. */
  readonly object?: PlanErrorObject;
  /**
   * When true the error refuses only `object` (e.g. an immutable-field change): the rest of the
   * cluster is still applied. Otherwise an error with a cluster skips that whole cluster, and an
   * error without a cluster withholds every deletion of the run. @default false
   */
  readonly objectOnly?: boolean;
}

export interface PlanErrorObject {
  readonly integration?: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
}

export interface ClusterSummary {
  readonly cluster: string;
  readonly reachable: boolean;
  readonly desired: number;
  readonly current: number;
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly unchanged: number;
  /** Deletions withheld on this cluster (see Plan.withheldDeletions). */
  readonly withheld: number;
  /** Owned objects neither desired nor deleted (see Plan.orphaned). */
  readonly orphaned: number;
  /** Changes never sent (see Plan.notSent); 0 before an apply. */
  readonly notSent: number;
  /**
   * False when the cluster could not be (fully) read (configuration, connection, a failed LIST/GET,
   * a kind it does not serve): nothing was compared or planned there and the status is `not read`.
   */
  readonly read: boolean;
  /** Errors registered for this cluster (cluster-wide and object-only). */
  readonly errors: number;
  /**
   * True when a cluster-wide error is registered: none of its changes is in `Plan.changes`; they
   * are listed in `Plan.skippedChanges` instead.
   */
  readonly skipped: boolean;
}

/** A Deployment/StatefulSet/DaemonSet restarted (pod-template annotation) because of a changed Secret/ConfigMap. */
export interface Recycle {
  readonly cluster: string;
  readonly namespace: string;
  /** `Deployment.apps`, `StatefulSet.apps`, `DaemonSet.apps`. */
  readonly kind: string;
  readonly name: string;
  /** What changed: `Secret app-config`. */
  readonly because: string;
}

/**
 * An imperative operation an integration plans after the diff from live state (KubeVirt power:
 * pause, unpause, restart; src/integrations/virtual-machines/power.ts). A wet run sends `request`
 * and then applies `record`, after the object's own change (if any) was applied; a dry-run only
 * lists it. One with neither `request` nor `record` is a notice (e.g. a restart is required but
 * not allowed by the data): reported, never acted on.
 */
export interface PlannedOperation {
  readonly integration: string;
  readonly cluster: string;
  readonly namespace: string;
  /** kindKey of the object the operation is about, e.g. `VirtualMachine.kubevirt.io`. */
  readonly kind: string;
  readonly name: string;
  /** `pause`, `unpause`, `restart`, `record` (only `record`), `notice` (nothing done). */
  readonly operation: string;
  readonly reason: string;
  /** The subresource PUT: `/apis/<group>/<version>/namespaces/<ns>/<plural>/<name>/<subresource>`. */
  readonly request?: { readonly group: string; readonly version: string; readonly plural: string; readonly subresource: string };
  /** Annotations applied to `name` of `kind` (own field manager) once the request succeeded. */
  readonly record?: { readonly kind: ManagedKind; readonly annotations: Readonly<Record<string, string>> };
}

/** The path of an operation's request (empty when it has none). */
export function operationPath(o: PlannedOperation): string {
  const r = o.request;
  if (r === undefined) return '';
  return `/apis/${r.group}/${r.version}/namespaces/${encodeURIComponent(o.namespace)}/${r.plural}/${encodeURIComponent(o.name)}/${r.subresource}`;
}

/** Whether a planned operation does something in a wet run (a notice does not). */
export function operationActs(o: PlannedOperation): boolean {
  return o.request !== undefined || o.record !== undefined;
}

export interface Plan {
  /** Schema version of the JSON form. */
  readonly version: 1;
  readonly integrations: readonly string[];
  readonly dataSha: string;
  /** Exactly what to apply, ordered: creates/updates by ascending order, then deletes by descending order. */
  readonly changes: readonly PlannedChange[];
  readonly clusters: readonly ClusterSummary[];
  readonly errors: readonly PlanError[];
  /** Deletions withheld (registered errors, safety limits) — listed so users see why. */
  readonly withheldDeletions: readonly PlannedChange[];
  /**
   * Creates/updates not applied: their cluster has an error, or the change itself was refused
   * (immutable field). Shown to the user; never applied.
   */
  readonly skippedChanges: readonly PlannedChange[];
  /**
   * Workloads restarted because a Secret/ConfigMap annotated `qontract.recycle: "true"` that they
   * use is updated by this plan (added by the run, src/reconcile/recycle.ts; absent when none).
   * A dry-run only lists them.
   */
  readonly recycles?: readonly Recycle[];
  /** Operations planned after the diff (added by the run; absent when none), see PlannedOperation. */
  readonly operations?: readonly PlannedOperation[];
  /** Owned objects left alone although not desired (orphaned Namespaces). */
  readonly orphaned: readonly OrphanedObject[];
  /** Changes of `changes` that were never sent (interrupted run, given-up cluster); only after an apply. */
  readonly notSent?: readonly PlannedChange[];
  /** What the apply did; only after a wet run or server dry-run. */
  readonly apply?: ApplyReport;
  /** Non-fatal findings of the integrations' desired state (added by the run; absent when none). */
  readonly warnings?: readonly { readonly integration: string; readonly file: string; readonly line?: number; readonly field: string; readonly message: string }[];
}
