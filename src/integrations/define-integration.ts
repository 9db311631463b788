/**
 * The contract between the reconcile engine and an integration. An integration is pure: given the
 * app-interface data it returns the desired objects per cluster. The engine does all IO (fetch,
 * diff, apply). Register every integration in src/integrations/index.ts.
 */
import type { Registry } from 'prom-client';
import type { ExternalSources } from '../app-interface/external-sources.js';
import type { AppInterfaceData } from '../app-interface/model.js';
import type { ValidationProblem } from '../core/errors.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import type { Reporter } from '../core/reporter.js';
import type { ComparisonRules } from '../resource-inventory/inventory.js';
import type { Plan, PlannedChange, PlannedOperation } from '../resource-inventory/plan.js';
import type { SecretReader } from '../core/secret-reader.js';

/** One desired object, placed on one cluster. */
export interface DesiredObject {
  readonly cluster: string;
  readonly object: KubeObject;
  /** The datafile the object comes from (for error messages and plan output). */
  readonly source: string;
  /**
   * Where parts of the object come from in `source`, for messages naming the datafile's field:
   * object field prefix → datafile field, e.g. `{'metadata.labels': 'labels'}`.
   */
  readonly sourceFields?: Readonly<Record<string, string>>;
}

/**
 * One unit of data (a fabric, a virtual machine, …) that could not be built. Its problems fail the
 * run (exit 1) and `kontract validate`, but block only its scope: the engine creates, updates and
 * deletes nothing of this integration there (its live objects never look "not desired anymore"),
 * while everything else still converges. The integration leaves the unit's objects out.
 */
export interface BlockedUnit {
  /** What the unit is, for messages: `fabric fabric-2`, `virtual machine acme-web/vm-1`. */
  readonly unit: string;
  readonly cluster: string;
  /**
   * Namespaces the unit's objects live in (`''` for cluster-scoped objects other than
   * Namespaces); absent: every object of this integration on the cluster.
   */
  readonly namespaces?: readonly string[];
  readonly problems: readonly ValidationProblem[];
}

export interface DesiredState {
  readonly objects: readonly DesiredObject[];
  /** Data problems found while building; any problem aborts the run before a cluster is contacted. */
  readonly problems: readonly ValidationProblem[];
  /** Units that could not be built: reported like problems, but they block only their own scope. */
  readonly blocked?: readonly BlockedUnit[];
  /**
   * Clusters this integration covers even when they have no desired objects (so the engine lists
   * them and can prune). Defaults to every cluster in the data not disabling the integration.
   */
  readonly clusters?: readonly string[];
  /**
   * Namespaces (per cluster) the integration must not touch at all, e.g. `managedByExternal`.
   */
  readonly excludedNamespaces?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Non-fatal findings (e.g. a stripped label, a skipped document, a deprecated field): the run
   * goes on; the engine logs each as a warning and lists them in the plan (`plan.warnings`).
   */
  readonly warnings?: readonly ValidationProblem[];
  /**
   * Kinds (kindKey, e.g. `Namespace`) whose owned objects are deleted only when listed in
   * `objects`; an owned object of such a kind that is neither desired nor listed is `orphaned`
   * (reported in the plan and metrics, left alone). Other kinds: owned and not desired = delete.
   */
  readonly explicitDeletion?: {
    readonly kinds: readonly string[];
    readonly objects: readonly { readonly cluster: string; readonly kind: string; readonly namespace: string; readonly name: string }[];
  };
  /**
   * Kinds the data names for this run (beyond the integration's static `kinds`), per cluster: the
   * engine resolves each through API discovery on that cluster (plural, namespaced, preferred
   * version), LISTs it once per cluster like a static kind, and accepts desired objects of it.
   * A desired object whose kind a cluster does not serve is an error for that cluster only.
   */
  readonly dynamicKinds?: readonly DynamicKind[];
  /**
   * Which owned live objects the integration manages (e.g. only in namespaces whose data lists
   * the kind): others of its kinds are ignored — never updated or deleted. Default: all.
   */
  readonly manages?: (cluster: string, kind: string, obj: KubeObject) => boolean;
}

/** A kind named by the data, resolved per cluster by the engine (DesiredState.dynamicKinds). */
export interface DynamicKind {
  readonly cluster: string;
  /** `Kind` or `Kind.group` (qontract's resource type; `Deployment.apps`, `Route.route.openshift.io`). */
  readonly type: string;
  /** The datafile naming it (errors). */
  readonly source: string;
}

/**
 * What an integration may know about the run besides the data. Integrations read the environment,
 * the working directory and the clock only from here (never `process.env`, `process.cwd()` or
 * `new Date()`), so they stay pure and testable.
 */
export interface DesiredContext {
  readonly data: AppInterfaceData;
  /** The run's environment (CLI: the process environment), e.g. for credentials named in the data. */
  readonly env: NodeJS.ProcessEnv;
  /** Base of relative paths in the data (CLI: the working directory). */
  readonly cwd: string;
  /** Start of the run (expiry dates and the like). */
  readonly now: Date;
  /**
   * Directories the build may read from disk besides the data (CLI: the app-interface directory
   * and every --allow-path); a path the data names elsewhere is a problem, never read. Absent:
   * no restriction (library use).
   */
  readonly allowedPaths?: readonly string[];
  /** For progress of long builds (git fetches); warnings belong in `DesiredState.warnings`. */
  readonly reporter?: Reporter;
  /** The run's secret reader (Vault or a config file), when one is configured. Values never go to output. */
  readonly secrets?: SecretReader;
  /**
   * Readers of what datafiles point at outside the app-interface (a fabric's directory on disk or
   * git repository), filled by the engine (src/reconcile/external-sources.ts) with `env`, `cwd`
   * and `allowedPaths`. Absent: such a source is a problem of its unit (library use).
   */
  readonly sources?: ExternalSources;
}

/** Input of `Integration.observe`: the run's plan and what the integration built for it. */
export interface ObserveContext {
  readonly plan: Plan;
  /** The DesiredState this integration's buildDesired returned in this run. */
  readonly state: DesiredState;
  /** The run's metrics registry (names only in labels, never object contents or secrets). */
  readonly registry: Registry;
}

/** What an OperationsPlanner sees: its integration's desired objects and changes, and live objects. */
export interface OperationsInput {
  readonly desired: readonly DesiredObject[];
  readonly changes: readonly PlannedChange[];
  /** Live objects of one of the planner's `reads` kinds (kindKey) in a namespace, as listed this run. */
  live(cluster: string, namespace: string, kind: string): readonly KubeObject[];
}

/**
 * Imperative operations planned after the diff (Plan.operations). The engine LISTs each `reads`
 * kind (every object, not only owned ones) in each namespace holding a desired object of the
 * integration, on clusters that were read without error, then calls `plan` (pure).
 */
export interface OperationsPlanner {
  readonly reads: readonly ManagedKind[];
  plan(input: OperationsInput): PlannedOperation[];
}

/** An integration; its comparison rules (`ignoreFields`, `immutableFields`, `immutable`) are the planner's ComparisonRules. */
export interface Integration extends ComparisonRules {
  /** CLI name, e.g. `resourcequotas`. Also the value of the ownership label. */
  readonly name: string;
  /** One line for `kontract --help` and the README. */
  readonly summary: string;
  /** Kinds the integration owns: the engine LISTs exactly these, filtered by the ownership label. */
  readonly kinds: readonly ManagedKind[];
  /**
   * True when the data names the kinds (DesiredState.dynamicKinds, resolved per cluster through
   * discovery): `kinds` may then be empty.
   */
  readonly kindsFromData?: boolean;
  buildDesired(ctx: DesiredContext): DesiredState | Promise<DesiredState>;
  /**
   * What it means when a cluster does not serve one of `kinds` (CRD absent), for the per-cluster
   * error, e.g. `KubeVirt is not installed`. The engine checks discovery before listing: a cluster
   * missing a kind gets an error (naming the cluster and this text) only when objects of that kind
   * are desired there; with none desired there is nothing to do (and nothing owned to prune).
   */
  readonly missingApiHint?: string;
  /**
   * Called by `run` after planning (dry or wet, before metrics are exported) to record
   * integration-specific metrics from the plan, e.g. hedgehog-fabric's drift gauge. Must not do
   * IO; replace (reset) its series each call so loop mode shows no stale values.
   */
  observe?(ctx: ObserveContext): void;
  /** Operations (subresource calls) planned after the diff from live state, e.g. VM power. */
  readonly operations?: OperationsPlanner;
}

export function defineIntegration(def: Integration): Integration {
  return def;
}
