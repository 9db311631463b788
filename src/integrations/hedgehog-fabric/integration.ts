import { defineIntegration } from '../define-integration.js';
import type { Integration } from '../define-integration.js';
import type { FabricBuildOptions } from './desired.js';
import { desiredFabrics, HEDGEHOG_FABRIC_INTEGRATION } from './desired.js';
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

/**
 * The integration with explicit options (tests, library use). `options` is called once per
 * buildDesired so the environment is read when the run starts, not at import time.
 */
export function createHedgehogFabricIntegration(options: () => FabricBuildOptions): Integration {
  return defineIntegration({
    name: HEDGEHOG_FABRIC_INTEGRATION,
    summary: 'Hedgehog fabric CRs (VPCs, wiring) from each fabric\'s GitOps directory or git ref to its cluster, validated like the fabric webhooks, applied in dependency order',
    kinds: FABRIC_MANAGED_KINDS,
    missingApiHint: 'the Hedgehog fabric CRDs (vpc.githedgehog.com, wiring.githedgehog.com) are not installed',
    immutableFields: CONNECTION_TYPE_IMMUTABLE_FIELDS,
    buildDesired: (ctx) => desiredFabrics(ctx.data.fabrics ?? [], options()),
  });
}

/**
 * The registered instance. DesiredContext carries no environment, so git credentials
 * (`tokenEnv`/`usernameEnv`), the git cache location and relative paths come from the process
 * environment and working directory of the run.
 */
export const hedgehogFabricIntegration = createHedgehogFabricIntegration(() => ({ env: process.env, cwd: process.cwd() }));
