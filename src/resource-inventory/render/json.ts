/**
 * The machine-readable plan (`--output json`), schema version 1, documented in docs/plan-json.md.
 * Keys are sorted at every level (Kubernetes objects start with apiVersion, kind, metadata);
 * Secret data is masked.
 */
import type { Plan, PlannedChange, PlannedOperation } from '../plan.js';
import { operationPath } from '../plan.js';
import { stableStringify } from '../stable-json.js';
import { maskChange } from './mask.js';
import { totals } from './summary.js';

function jsonChange(change: PlannedChange): Record<string, unknown> {
  const c = maskChange(change);
  return {
    action: c.action,
    integration: c.integration,
    cluster: c.cluster,
    namespace: c.namespace,
    kind: c.kind,
    name: c.name,
    order: c.order,
    reason: c.reason,
    changes: c.changes,
    desired: c.desired,
    current: c.current,
    ...(c.namespaceContents === undefined ? {} : { namespaceContents: c.namespaceContents }),
    ...(c.takenFields === undefined || c.takenFields.length === 0 ? {} : { takenFields: c.takenFields }),
  };
}

function jsonOperation(o: PlannedOperation): Record<string, unknown> {
  return {
    integration: o.integration, cluster: o.cluster, namespace: o.namespace, kind: o.kind, name: o.name, operation: o.operation, reason: o.reason,
    ...(o.request === undefined ? {} : { request: `PUT ${operationPath(o)}` }),
    ...(o.record === undefined ? {} : { record: o.record.annotations }),
  };
}

/** The plan as a plain JSON value (masked), before serialisation. */
export function planToJson(plan: Plan): Record<string, unknown> {
  return {
    version: plan.version,
    integrations: plan.integrations,
    dataSha: plan.dataSha,
    summary: totals(plan),
    clusters: plan.clusters,
    changes: plan.changes.map(jsonChange),
    withheldDeletions: plan.withheldDeletions.map(jsonChange),
    skippedChanges: plan.skippedChanges.map(jsonChange),
    orphaned: plan.orphaned,
    ...(plan.notSent === undefined ? {} : { notSent: plan.notSent.map(jsonChange) }),
    ...(plan.apply === undefined ? {} : { apply: plan.apply }),
    errors: plan.errors,
    ...(plan.recycles === undefined || plan.recycles.length === 0 ? {} : { recycles: plan.recycles }),
    ...(plan.operations === undefined || plan.operations.length === 0 ? {} : { operations: plan.operations.map(jsonOperation) }),
    ...(plan.warnings === undefined || plan.warnings.length === 0 ? {} : { warnings: plan.warnings }),
  };
}

export function renderJson(plan: Plan): string {
  return `${stableStringify(planToJson(plan), 2)}\n`;
}
