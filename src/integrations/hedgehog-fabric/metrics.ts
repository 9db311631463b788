/**
 * `kontract_fabric_drift_objects{fabric,kind}`: objects of a fabric kind whose live state differs
 * from the GitOps directory (a pending create, update or delete), from the last status. Labels are
 * names only.
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { FabricStatus } from './status.js';
import { driftSamples } from './status.js';

export const FABRIC_DRIFT_METRIC = 'kontract_fabric_drift_objects';

/** Sets the drift gauge on `registry` (created on first use; stale series are reset). */
export function recordFabricDrift(registry: Registry, statuses: readonly FabricStatus[]): void {
  const existing = registry.getSingleMetric(FABRIC_DRIFT_METRIC);
  const gauge = existing instanceof Gauge
    ? existing as Gauge<'fabric' | 'kind'>
    : new Gauge({ name: FABRIC_DRIFT_METRIC, help: 'Fabric objects whose live state differs from the GitOps directory (pending create/update/delete)', labelNames: ['fabric', 'kind'] as const, registers: [registry] });
  gauge.reset();
  for (const s of driftSamples(statuses)) gauge.set({ fabric: s.fabric, kind: s.kind }, s.value);
}
