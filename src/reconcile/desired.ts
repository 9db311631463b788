/**
 * Builds the desired state of every integration, before any cluster is contacted. Any data
 * problem aborts the run with a ValidationError (nothing is sent to any cluster).
 */
import type { AppInterfaceData, Cluster } from '../app-interface/model.js';
import { ERROR_CODES, KontractError, ValidationError, formatProblem } from '../core/errors.js';
import type { ValidationProblem } from '../core/errors.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { apiVersionOf } from '../core/k8s-object.js';
import type { DesiredContext, DesiredState, Integration } from '../integrations/define-integration.js';
import { scopeNamespace } from './scope.js';
import type { Scope } from './scope.js';

export interface DesiredEntry {
  readonly cluster: string;
  readonly kind: ManagedKind;
  readonly object: KubeObject;
  readonly source: string;
}

/** One integration's work after scoping. */
export interface IntegrationWork {
  readonly integration: Integration;
  /** Clusters the integration covers (and is not disabled on), in scope. */
  readonly clusters: readonly Cluster[];
  readonly desired: readonly DesiredEntry[];
  /** cluster → excluded namespaces. */
  readonly excludedNamespaces: ReadonlyMap<string, ReadonlySet<string>>;
  /** What buildDesired returned, kept only for integrations with an `observe` hook (memory). */
  readonly state?: DesiredState;
  /** Non-fatal findings of buildDesired (already logged). */
  readonly warnings: readonly ValidationProblem[];
  /** Namespaces (scopeNamespace) of every desired object on an in-scope cluster, before --namespace/shard filtering. */
  readonly namespacesSeen: ReadonlySet<string>;
  /** DesiredState.explicitDeletion. */
  readonly explicitDeletion?: DesiredState['explicitDeletion'];
}

/** The run's environment handed to every buildDesired (DesiredContext without the data). */
export type RunEnvironment = Omit<DesiredContext, 'data'>;

/** For library callers and tests that pass no environment: the process's, read at the IO edge. */
export function processEnvironment(): RunEnvironment {
  return { env: process.env, cwd: process.cwd(), now: new Date() };
}

export function kindOf(integration: Integration, obj: KubeObject): ManagedKind | undefined {
  return integration.kinds.find((k) => k.kind === obj.kind && apiVersionOf(k) === obj.apiVersion);
}

/** kindOf with a per-integration lookup table (called once per desired object). */
function kindLookup(integration: Integration): (obj: KubeObject) => ManagedKind | undefined {
  const table = new Map(integration.kinds.map((k) => [`${apiVersionOf(k)}|${k.kind}`, k]));
  return (obj) => table.get(`${obj.apiVersion}|${obj.kind}`);
}

/**
 * Builds every integration's desired state and scopes it. Warnings are logged (reporter of `run`)
 * even when problems abort the run; problems of all integrations are thrown together.
 */
export async function buildWork(integrations: readonly Integration[], data: AppInterfaceData, scope: Scope, run: RunEnvironment = processEnvironment()): Promise<IntegrationWork[]> {
  const byName = new Map(data.clusters.map((c) => [c.name, c]));
  const problems: ValidationProblem[] = [];
  const work: IntegrationWork[] = [];
  for (const integration of integrations) {
    const state = await integration.buildDesired({ ...run, data });
    problems.push(...state.problems);
    for (const w of state.warnings ?? []) run.reporter?.log('warn', `${integration.name}: ${formatProblem(w)}`, { integration: integration.name });
    const enabled = (c: Cluster): boolean => !c.disabledIntegrations.includes(integration.name);
    const covered = (state.clusters ?? data.clusters.map((c) => c.name))
      .map((name) => byName.get(name))
      .filter((c): c is Cluster => c !== undefined && enabled(c) && scope.clusterInScope(c.name));
    const coveredNames = new Set(covered.map((c) => c.name));
    const desired: DesiredEntry[] = [];
    const lookup = kindLookup(integration);
    const namespacesSeen = new Set<string>();
    for (const d of state.objects) {
      const cluster = byName.get(d.cluster);
      if (cluster === undefined) {
        problems.push({ file: d.source, field: '', message: `${integration.name}: object ${d.object.kind} ${d.object.metadata.name} targets unknown cluster ${d.cluster}` });
        continue;
      }
      if (!enabled(cluster) || !scope.clusterInScope(cluster.name)) continue;
      const kind = lookup(d.object);
      if (kind === undefined) {
        throw new KontractError(ERROR_CODES.DESIRED_STATE, `integration ${integration.name} produced ${d.object.apiVersion} ${d.object.kind} ${d.object.metadata.name}, which is not among its kinds`);
      }
      namespacesSeen.add(scopeNamespace(kind, d.object));
      if (!scope.objectInScope(d.cluster, kind, d.object)) continue;
      const excluded = state.excludedNamespaces?.get(d.cluster);
      if (excluded !== undefined && excluded.has(scopeNamespace(kind, d.object))) continue;
      coveredNames.add(d.cluster);
      desired.push({ cluster: d.cluster, kind, object: d.object, source: d.source });
    }
    const clusters = [...coveredNames].map((n) => byName.get(n)).filter((c): c is Cluster => c !== undefined);
    const explicit = state.explicitDeletion;
    work.push({ integration, clusters, desired, excludedNamespaces: state.excludedNamespaces ?? new Map<string, ReadonlySet<string>>(),
      warnings: state.warnings ?? [], namespacesSeen, ...(integration.observe === undefined ? {} : { state }),
      ...(explicit === undefined ? {} : { explicitDeletion: explicit }) });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return work;
}
