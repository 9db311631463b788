import { defineIntegration } from '../define-integration.js';
import type { DesiredContext, DesiredState, Integration } from '../define-integration.js';
import type { FabricBuildOptions, FabricDesiredState } from './desired.js';
import { desiredFabrics, HEDGEHOG_FABRIC_INTEGRATION } from './desired.js';
import { recordFabricDrift } from './metrics.js';
import { fabricStatus } from './status.js';
import { CONNECTION_TYPES } from './connection.js';
import { FABRIC_MANAGED_KINDS } from './kinds.js';

/**
 * A Connection's type (the one key set under `spec`) is immutable. The diff compares only what
 * kontract sets, so a type change shows as a change of the whole `spec.<newType>` object, while
 * an edit inside the same type shows deeper paths (`spec.unbundled.link.switch.port`). The planner
 * refuses a change at, under or *above* an immutable path; `spec.<type>.(type)` names a path
 * that no object has, so only a change of `spec.<type>` as a whole (or of `spec`) matches it:
 * exactly a type change. (ExternalAttachment's `spec.external` reference shares a type name and
 * is refused too: change it by recreating the attachment.)
 */
export const CONNECTION_TYPE_IMMUTABLE_FIELDS: readonly string[] = CONNECTION_TYPES.map((t) => `spec.${t}.(type)`);

/** Whether a DesiredState is this integration's (it carries the per-fabric results). */
export function isFabricDesiredState(state: DesiredState): state is FabricDesiredState {
  return 'fabrics' in state && Array.isArray((state as { fabrics?: unknown }).fabrics);
}

/** By default the run's environment and working directory (DesiredContext), nothing else. */
const fromContext = (ctx: DesiredContext): FabricBuildOptions => ({ env: ctx.env, cwd: ctx.cwd });

/**
 * The integration, by default taking the environment (git credentials `tokenEnv`/`usernameEnv`,
 * the git cache location) and the base of relative paths from the run's DesiredContext. `options`
 * replaces that (tests, library use); it is called once per buildDesired.
 */
export function createHedgehogFabricIntegration(options: (ctx: DesiredContext) => FabricBuildOptions = fromContext): Integration {
  return defineIntegration({
    name: HEDGEHOG_FABRIC_INTEGRATION,
    summary: 'Hedgehog fabric CRs (VPCs, wiring) from each fabric\'s GitOps directory or git ref to its cluster, validated like the fabric webhooks, applied in dependency order',
    kinds: FABRIC_MANAGED_KINDS,
    missingApiHint: 'the Hedgehog fabric CRDs (vpc.githedgehog.com, wiring.githedgehog.com) are not installed',
    immutableFields: CONNECTION_TYPE_IMMUTABLE_FIELDS,
    buildDesired: (ctx) => desiredFabrics(ctx.data.fabrics ?? [], options(ctx), ctx.data.resources),
    // Every run (dry or wet) sets kontract_fabric_drift_objects{fabric,kind} from its plan.
    observe: ({ plan, state, registry }) => {
      if (isFabricDesiredState(state)) recordFabricDrift(registry, fabricStatus({ plan, fabrics: state.fabrics }));
    },
  });
}

/** The registered instance: environment and working directory come from the run (DesiredContext). */
export const hedgehogFabricIntegration = createHedgehogFabricIntegration();
