/**
 * The plan after it was sent (wet run or server dry-run): deletions withheld at apply time move to
 * `withheldDeletions`, changes never sent move to `notSent`, failures become errors, and `apply`
 * says what happened. Pure: the apply's results in, a new Plan out.
 */
import { ERROR_CODES } from '../core/errors.js';
import type { ApplyReport, ClusterSummary, Plan, PlanError, PlannedChange } from './plan.js';

/** One change's fate, as the apply reports it (src/reconcile/apply-plan.ts). */
export interface ChangeOutcome {
  readonly change: PlannedChange;
  readonly status: 'applied' | 'failed' | 'skipped' | 'withheld' | 'not-sent';
  readonly error?: string;
}

export interface ApplyFacts {
  readonly mode: ApplyReport['mode'];
  readonly outcomes: readonly ChangeOutcome[];
  /** The signal that stopped the run, if any. */
  readonly interrupted?: string;
  /** Clusters given up during the run, with why. */
  readonly givenUp: readonly { readonly cluster: string; readonly reason: string }[];
  /** Further errors registered while applying (e.g. a Lease lost). */
  readonly errors?: readonly PlanError[];
}

type MutableSummary = { -readonly [K in keyof ClusterSummary]: ClusterSummary[K] };

export function withApplyOutcome(plan: Plan, facts: ApplyFacts): Plan {
  const byChange = new Map<PlannedChange, ChangeOutcome>(facts.outcomes.map((o) => [o.change, o]));
  const summaries = new Map<string, MutableSummary>(plan.clusters.map((c) => [c.cluster, { ...c }]));
  const changes: PlannedChange[] = [];
  const withheld: PlannedChange[] = [];
  const notSent: PlannedChange[] = [];
  const errors: PlanError[] = [];
  let applied = 0;
  let failed = 0;
  for (const c of plan.changes) {
    const o = byChange.get(c);
    const s = summaries.get(c.cluster);
    if (o === undefined || o.status === 'applied') {
      if (o !== undefined) applied++;
      changes.push(c);
      continue;
    }
    if (o.status === 'failed') {
      failed++;
      changes.push(c);
      errors.push({ cluster: c.cluster, code: ERROR_CODES.APPLY, message: o.error ?? 'apply failed',
        object: { integration: c.integration, namespace: c.namespace, kind: c.kind, name: c.name }, objectOnly: true });
      if (s !== undefined) s.errors++;
      continue;
    }
    if (s !== undefined) s[c.action]--;
    const moved = { ...c, reason: o.error ?? c.reason };
    if (o.status === 'withheld') {
      withheld.push(moved);
      if (s !== undefined) s.withheld++;
    } else {
      notSent.push(moved);
      if (s !== undefined) s.notSent++;
    }
  }
  const givenUp = facts.givenUp.map((g) => {
    const n = notSent.filter((c) => c.cluster === g.cluster).length;
    errors.push({ cluster: g.cluster, code: ERROR_CODES.CLUSTER_ACCESS, message: `cluster ${g.cluster} given up (${g.reason}): ${n} change(s) not sent` });
    const s = summaries.get(g.cluster);
    if (s !== undefined) s.errors++;
    return { cluster: g.cluster, reason: g.reason, notSent: n };
  });
  for (const e of facts.errors ?? []) {
    errors.push(e);
    const s = e.cluster === undefined ? undefined : summaries.get(e.cluster);
    if (s !== undefined) s.errors++;
  }
  const apply: ApplyReport = {
    mode: facts.mode, applied, failed, notSent: notSent.length, givenUp,
    ...(facts.interrupted === undefined ? {} : { interrupted: facts.interrupted }),
  };
  return {
    ...plan,
    changes,
    clusters: [...summaries.values()],
    errors: [...plan.errors, ...errors],
    withheldDeletions: [...plan.withheldDeletions, ...withheld],
    notSent,
    apply,
  };
}
