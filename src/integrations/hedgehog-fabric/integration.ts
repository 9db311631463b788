import { defineIntegration } from '../define-integration.js';
import type { DesiredContext, DesiredState, Integration } from '../define-integration.js';
import type { FabricSourceReader } from '../../app-interface/hedgehog/documents.js';
import { fabricSourceLabel } from '../../app-interface/hedgehog/documents.js';
import type { FabricDesiredState } from './desired.js';
import { desiredFabrics, HEDGEHOG_FABRIC_INTEGRATION } from './desired.js';
import { recordFabricDrift } from './metrics.js';
import { fabricStatus } from './status.js';
import type { KubeObject } from '../../core/k8s-object.js';
import { connectionType } from './connection.js';
import { FABRIC_MANAGED_KINDS } from './kinds.js';

/**
 * A Connection's type (the one key set under `spec`) is immutable, as the fabric webhook enforces:
 * an update that changes it is refused by the plan (delete and recreate the Connection). Edits
 * within the same type (ports, links) are ordinary updates. Other kinds are not affected.
 */
export function connectionTypeChange(current: KubeObject, desired: KubeObject): readonly string[] {
  if (desired.kind !== 'Connection') return [];
  const before = connectionType(current);
  const after = connectionType(desired);
  return before !== undefined && after !== undefined && before !== after ? [`spec.${after}`] : [];
}

/** Whether a DesiredState is this integration's (it carries the per-fabric results). */
export function isFabricDesiredState(state: DesiredState): state is FabricDesiredState {
  return 'fabrics' in state && Array.isArray((state as { fabrics?: unknown }).fabrics);
}

/** Without a reader in the run, a source outside the data is a problem of its fabric. */
const NO_READER: FabricSourceReader = {
  read: (fabric) => Promise.resolve({
    documents: [], label: fabricSourceLabel(fabric),
    problems: [{ file: fabric.path, field: 'source', message: 'this run reads no fabric source outside the app-interface data (DesiredContext.sources is not set)' }],
  }),
};

/** By default the run's reader (DesiredContext.sources, filled by the engine: disk and git, confined to the allowed paths). */
const fromContext = (ctx: DesiredContext): FabricSourceReader => ctx.sources?.fabric ?? NO_READER;

/**
 * The integration, by default reading fabric sources outside the data with the run's reader
 * (DesiredContext.sources). `sources` replaces that (tests, library use); it is called once per
 * buildDesired.
 */
export function createHedgehogFabricIntegration(sources: (ctx: DesiredContext) => FabricSourceReader = fromContext): Integration {
  return defineIntegration({
    name: HEDGEHOG_FABRIC_INTEGRATION,
    summary: 'Hedgehog fabric CRs (VPCs, wiring) from each fabric\'s GitOps directory or git ref to its cluster, validated like the fabric webhooks, applied in dependency order',
    kinds: FABRIC_MANAGED_KINDS,
    missingApiHint: 'the Hedgehog fabric CRDs (vpc.githedgehog.com, wiring.githedgehog.com) are not installed',
    immutable: connectionTypeChange,
    buildDesired: (ctx) => desiredFabrics(ctx.data.fabrics ?? [], sources(ctx), ctx.data.resources),
    // Every run (dry or wet) sets kontract_fabric_drift_objects{fabric,kind} from its plan.
    observe: ({ plan, state, registry }) => {
      if (isFabricDesiredState(state)) recordFabricDrift(registry, fabricStatus({ plan, fabrics: state.fabrics }));
    },
  });
}

/** The registered instance: fabric sources outside the data come from the run's reader (DesiredContext.sources). */
export const hedgehogFabricIntegration = createHedgehogFabricIntegration();
