/**
 * Builds the desired state of every integration, before any cluster is contacted. A data problem
 * aborts the run with a ValidationError (nothing is sent to any cluster); a blocked unit (one
 * fabric, one VM, one object the apiserver would reject) withholds only its own scope.
 */
import type { AppInterfaceData, Cluster } from '../app-interface/model.js';
import { ERROR_CODES, KontractError, ValidationError, formatProblem } from '../core/errors.js';
import type { ValidationProblem } from '../core/errors.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import { apiVersionOf } from '../core/k8s-object.js';
import type { BlockedUnit, DesiredContext, DesiredObject, DesiredState, DynamicKind, Integration } from '../integrations/define-integration.js';
import { objectConstraintProblems } from '../resource-inventory/object-constraints.js';
import type { ResourceInventory } from '../resource-inventory/inventory.js';
import type { PlanError } from '../resource-inventory/plan.js';
import { withExternalSources } from './external-sources.js';
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
  /** Units that could not be built, on clusters in scope: their scope is withheld (see BlockedUnit). */
  readonly blocked: readonly BlockedUnit[];
  /** Namespaces (scopeNamespace) of every desired object on an in-scope cluster, before --namespace/shard filtering. */
  readonly namespacesSeen: ReadonlySet<string>;
  /** DesiredState.explicitDeletion. */
  readonly explicitDeletion?: DesiredState['explicitDeletion'];
  /** DesiredState.dynamicKinds (in scope): resolved per cluster once connected (dynamic-kinds.ts). */
  readonly dynamicKinds?: readonly DynamicKind[];
  /** Desired objects of kinds only discovery can resolve (dynamic-kinds.ts turns them into `desired`). */
  readonly pending?: readonly DesiredObject[];
  /** The kinds to LIST per cluster once dynamic kinds are resolved (static `kinds` otherwise). */
  readonly kindsByCluster?: ReadonlyMap<string, readonly ManagedKind[]>;
  /** DesiredState.manages. */
  readonly manages?: (cluster: string, kind: string, obj: KubeObject) => boolean;
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
  // apiVersion → kind → ManagedKind: no key string is built per object.
  const table = new Map<string, Map<string, ManagedKind>>();
  for (const k of integration.kinds) {
    const v = apiVersionOf(k);
    const byKind = table.get(v) ?? new Map<string, ManagedKind>();
    byKind.set(k.kind, k);
    table.set(v, byKind);
  }
  return (obj) => table.get(obj.apiVersion)?.get(obj.kind);
}

/** One integration's desired state, checked (shared by `run` and `validate`). */
export interface CheckedState {
  readonly integration: Integration;
  readonly state: DesiredState;
  /** Problems that abort a run: the integration's own and objects placed on unknown clusters. */
  readonly problems: readonly ValidationProblem[];
  /**
   * Units that block only their scope: the integration's own, plus every desired object breaking
   * an apiserver constraint (object-constraints.ts), which blocks its namespace on its cluster.
   */
  readonly blocked: readonly BlockedUnit[];
  /** Desired objects outside every blocked unit, with their kind. */
  readonly objects: readonly DesiredEntry[];
  /** Desired objects whose kind only discovery can resolve (DesiredState.dynamicKinds), outside every blocked unit. */
  readonly pending: readonly DesiredObject[];
}

function objectLabel(kind: ManagedKind, obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return `${kind.kind} ${ns === undefined || ns === '' ? '' : `${ns}/`}${obj.metadata.name}`;
}

/** The datafile field an object field comes from (DesiredObject.sourceFields), or '' when unknown. */
function sourceField(field: string, fields: Readonly<Record<string, string>> | undefined): string {
  for (const [prefix, to] of Object.entries(fields ?? {})) {
    if (field === prefix) return to;
    if (field.startsWith(`${prefix}.`)) return `${to}${field.slice(prefix.length)}`;
  }
  return '';
}

/** True when the object lies in a blocked unit's scope (its namespace, or the whole cluster). */
function inBlockedScope(units: readonly BlockedUnit[], cluster: string, namespace: string): boolean {
  return units.some((u) => u.cluster === cluster && (u.namespaces === undefined || u.namespaces.includes(namespace)));
}

/**
 * Runs every integration's pure build on the data and checks what it built: the one code path of
 * both `kontract run` (buildWork) and `kontract validate` (dataProblems), so validate reports every
 * data error a run can raise before contacting a cluster.
 */
export async function checkDesired(integrations: readonly Integration[], data: AppInterfaceData, run: RunEnvironment = processEnvironment()): Promise<CheckedState[]> {
  const known = new Set(data.clusters.map((c) => c.name));
  const out: CheckedState[] = [];
  // Sources outside the data (a fabric's directory or git repository) are read by the engine's readers.
  const ctx = withExternalSources(run);
  for (const integration of integrations) {
    const state = await integration.buildDesired({ ...ctx, data });
    const problems: ValidationProblem[] = [...state.problems];
    const blocked: BlockedUnit[] = [...(state.blocked ?? [])];
    const lookup = kindLookup(integration);
    const placed: DesiredEntry[] = [];
    const pending: DesiredObject[] = [];
    for (const d of state.objects) {
      if (!known.has(d.cluster)) {
        problems.push({ file: d.source, field: '', message: `${integration.name}: object ${d.object.kind} ${d.object.metadata.name} targets unknown cluster ${d.cluster}` });
        continue;
      }
      const kind = lookup(d.object);
      if (kind === undefined && state.dynamicKinds !== undefined) {
        // Resolved through discovery once the cluster is connected (dynamic-kinds.ts); checked
        // here as namespaced when it carries a namespace.
        const namespaced = d.object.metadata.namespace !== undefined;
        const broken = objectConstraintProblems(d.object, namespaced);
        if (broken.length > 0) {
          const label = `${d.object.kind} ${namespaced ? `${d.object.metadata.namespace ?? ''}/` : ''}${d.object.metadata.name}`;
          blocked.push({
            unit: label, cluster: d.cluster, namespaces: [d.object.metadata.namespace ?? ''],
            problems: broken.map((b) => ({ file: d.source, field: sourceField(b.field, d.sourceFields), message: `${label} on cluster ${d.cluster}: ${b.field}: ${b.message} (the apiserver would reject it)` })),
          });
          continue;
        }
        pending.push(d);
        continue;
      }
      if (kind === undefined) {
        throw new KontractError(ERROR_CODES.DESIRED_STATE, `integration ${integration.name} produced ${d.object.apiVersion} ${d.object.kind} ${d.object.metadata.name}, which is not among its kinds`);
      }
      const broken = objectConstraintProblems(d.object, kind.namespaced);
      if (broken.length > 0) {
        const label = objectLabel(kind, d.object);
        blocked.push({
          unit: label, cluster: d.cluster, namespaces: [scopeNamespace(kind, d.object)],
          problems: broken.map((b) => ({ file: d.source, field: sourceField(b.field, d.sourceFields), message: `${label} on cluster ${d.cluster}: ${b.field}: ${b.message} (the apiserver would reject it)` })),
        });
        continue;
      }
      placed.push({ cluster: d.cluster, kind, object: d.object, source: d.source });
    }
    const objects = blocked.length === 0 ? placed : placed.filter((d) => !inBlockedScope(blocked, d.cluster, scopeNamespace(d.kind, d.object)));
    const unblocked = blocked.length === 0 ? pending : pending.filter((d) => !inBlockedScope(blocked, d.cluster, d.object.metadata.namespace ?? ''));
    out.push({ integration, state, problems, blocked, objects, pending: unblocked });
  }
  return out;
}

/** Every data problem of the checked states: what aborts a run and what blocks a unit, in one list. */
export function dataProblems(checked: readonly CheckedState[]): ValidationProblem[] {
  return checked.flatMap((c) => [...c.problems, ...c.blocked.flatMap((u) => u.problems)]);
}

/**
 * Builds every integration's desired state and scopes it. Warnings are logged (reporter of `run`)
 * even when problems abort the run; problems of all integrations are thrown together. Blocked
 * units do not abort: their scope is withheld (a whole cluster is not even read for the
 * integration; namespaces are excluded like `excludedNamespaces`) and each is returned in
 * `IntegrationWork.blocked` for the run to register as an error.
 */
export async function buildWork(integrations: readonly Integration[], data: AppInterfaceData, scope: Scope, run: RunEnvironment = processEnvironment()): Promise<IntegrationWork[]> {
  const checked = await checkDesired(integrations, data, run);
  const byName = new Map(data.clusters.map((c) => [c.name, c]));
  const problems: ValidationProblem[] = [];
  const work: IntegrationWork[] = [];
  for (const { integration, state, problems: own, blocked: units, objects, pending } of checked) {
    problems.push(...own);
    for (const w of state.warnings ?? []) run.reporter?.log('warn', `${integration.name}: ${formatProblem(w)}`, { integration: integration.name });
    const enabled = (c: Cluster): boolean => !c.disabledIntegrations.includes(integration.name);
    const inScope = (name: string): boolean => { const c = byName.get(name); return c !== undefined && enabled(c) && scope.clusterInScope(name); };
    const blocked = units.filter((u) => inScope(u.cluster));
    const wholeCluster = new Set(blocked.filter((u) => u.namespaces === undefined).map((u) => u.cluster));
    const excludedNamespaces = new Map<string, Set<string>>();
    for (const [c, set] of state.excludedNamespaces ?? []) excludedNamespaces.set(c, new Set(set));
    for (const u of blocked) {
      if (u.namespaces === undefined) continue;
      const set = excludedNamespaces.get(u.cluster) ?? new Set<string>();
      for (const n of u.namespaces) set.add(n);
      excludedNamespaces.set(u.cluster, set);
    }
    const covered = (state.clusters ?? data.clusters.map((c) => c.name)).filter((name) => inScope(name) && !wholeCluster.has(name));
    const coveredNames = new Set(covered);
    const desired: DesiredEntry[] = [];
    // Blocked namespaces still exist in the data (a --namespace naming one matches something).
    const namespacesSeen = new Set<string>(blocked.flatMap((u) => u.namespaces ?? []));
    for (const d of objects) {
      if (!inScope(d.cluster)) continue;
      namespacesSeen.add(scopeNamespace(d.kind, d.object));
      if (wholeCluster.has(d.cluster)) continue;
      if (!scope.objectInScope(d.cluster, d.kind, d.object)) continue;
      const excluded = excludedNamespaces.get(d.cluster);
      if (excluded !== undefined && excluded.has(scopeNamespace(d.kind, d.object))) continue;
      coveredNames.add(d.cluster);
      desired.push(d);
    }
    const waiting: DesiredObject[] = [];
    for (const d of pending) {
      if (!inScope(d.cluster) || wholeCluster.has(d.cluster)) continue;
      // Scope and exclusions need the kind: applied again once it is resolved (dynamic-kinds.ts).
      coveredNames.add(d.cluster);
      waiting.push(d);
    }
    const clusters = [...coveredNames].map((n) => byName.get(n)).filter((c): c is Cluster => c !== undefined);
    const explicit = state.explicitDeletion;
    work.push({ integration, clusters, desired, excludedNamespaces, blocked,
      warnings: state.warnings ?? [], namespacesSeen, ...(integration.observe === undefined ? {} : { state }),
      ...(explicit === undefined ? {} : { explicitDeletion: explicit }),
      ...(state.dynamicKinds === undefined ? {} : { pending: waiting, dynamicKinds: state.dynamicKinds.filter((k) => coveredNames.has(k.cluster)) }),
      ...(state.manages === undefined ? {} : { manages: state.manages }) });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return work;
}

/** Records a work's explicit deletions (DesiredState.explicitDeletion) in an inventory: its kinds are deleted only when marked. */
export function markExplicitDeletions(inventory: ResourceInventory, w: IntegrationWork): void {
  if (w.explicitDeletion === undefined) return;
  inventory.deleteOnlyWhenMarked(w.integration.name, w.explicitDeletion.kinds);
  for (const o of w.explicitDeletion.objects) inventory.markForDeletion(w.integration.name, o.kind, o.cluster, o.namespace, o.name);
}

/** The run error of a blocked unit: counted in the exit code, refusing nothing outside the unit. */
export function blockedUnitError(integration: string, unit: BlockedUnit): PlanError {
  const reasons = unit.problems.map(formatProblem).join('; ');
  return {
    cluster: unit.cluster, code: ERROR_CODES.VALIDATION, objectOnly: true,
    message: `${integration}: ${unit.unit} withheld (nothing of it is created, updated or deleted): ${reasons}`,
  };
}
