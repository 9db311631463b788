/**
 * The contract between the reconcile engine and an integration. An integration is pure: given the
 * app-interface data it returns the desired objects per cluster. The engine does all IO (fetch,
 * diff, apply). Register every integration in src/integrations/index.ts.
 */
import type { AppInterfaceData } from '../app-interface/model.js';
import type { ValidationProblem } from '../core/errors.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';

/** One desired object, placed on one cluster. */
export interface DesiredObject {
  readonly cluster: string;
  readonly object: KubeObject;
  /** The datafile the object comes from (for error messages and plan output). */
  readonly source: string;
}

export interface DesiredState {
  readonly objects: readonly DesiredObject[];
  /** Data problems found while building; any problem aborts the run before a cluster is contacted. */
  readonly problems: readonly ValidationProblem[];
  /**
   * Clusters this integration covers even when they have no desired objects (so the engine lists
   * them and can prune). Defaults to every cluster in the data not disabling the integration.
   */
  readonly clusters?: readonly string[];
  /**
   * Namespaces (per cluster) the integration must not touch at all, e.g. `managedByExternal`.
   */
  readonly excludedNamespaces?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface DesiredContext {
  readonly data: AppInterfaceData;
}

export interface Integration {
  /** CLI name, e.g. `resourcequotas`. Also the value of the ownership label. */
  readonly name: string;
  /** One line for `kontract --help` and the README. */
  readonly summary: string;
  /** Kinds the integration owns: the engine LISTs exactly these, filtered by the ownership label. */
  readonly kinds: readonly ManagedKind[];
  buildDesired(ctx: DesiredContext): DesiredState | Promise<DesiredState>;
  /**
   * Paths (dot-separated, under the object root) the engine should ignore when comparing desired
   * with live, beyond the generic canonicalisation (e.g. labels a controller rewrites).
   */
  readonly ignoreFields?: readonly string[];
  /** Fields that cannot change in place: the plan refuses such an update. */
  readonly immutableFields?: readonly string[];
  /**
   * What it means when a cluster does not serve one of `kinds` (CRD absent), for the per-cluster
   * error, e.g. `KubeVirt is not installed`. The engine checks discovery before listing: a cluster
   * missing a kind gets an error (naming the cluster and this text) only when objects of that kind
   * are desired there; with none desired there is nothing to do (and nothing owned to prune).
   */
  readonly missingApiHint?: string;
}

export function defineIntegration(def: Integration): Integration {
  return def;
}
