/**
 * Fabric gauges, from the last status (labels are names only):
 * - `kontract_fabric_drift_objects{fabric,kind}`: objects of a fabric kind whose live state differs
 *   from the GitOps directory (a pending create, update or delete);
 * - `kontract_fabric_objects{fabric,state}`: desired objects by state (live, drifted, missing,
 *   error) and `unmanaged` objects (when the live objects were read, i.e. by fabric-status);
 * - `kontract_fabric_critical{fabric}`: 1 when the fabric's level is `critical`, else 0.
 * A fabric that was not read gets no drift or object series.
 */
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Gauge, Registry } from 'prom-client';
import type { FabricStatus } from './status.js';
import { driftSamples, objectSamples } from './status.js';

export const FABRIC_DRIFT_METRIC = 'kontract_fabric_drift_objects';
export const FABRIC_OBJECTS_METRIC = 'kontract_fabric_objects';
export const FABRIC_CRITICAL_METRIC = 'kontract_fabric_critical';

const require = createRequire(import.meta.url);

/**
 * prom-client's Gauge, required on first use rather than imported: the integration registry
 * imports this module, and `kontract validate` (which records no metric) would otherwise load
 * prom-client for nothing (about 35 ms of its start; docs/benchmarks.md, "validate: data loading
 * and validation"). The same CommonJS module instance an ESM import of prom-client gets.
 */
function gaugeClass(): typeof Gauge {
  return (require('prom-client') as typeof PromClient).Gauge;
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  const G = gaugeClass();
  const existing = registry.getSingleMetric(name);
  return existing instanceof G ? existing : new G({ name, help, labelNames, registers: [registry] });
}

/** Sets the fabric gauges on `registry` (created on first use; stale series are reset). */
export function recordFabricDrift(registry: Registry, statuses: readonly FabricStatus[]): void {
  const drift = gauge(registry, FABRIC_DRIFT_METRIC, 'Fabric objects whose live state differs from the GitOps directory (pending create/update/delete)', ['fabric', 'kind'] as const);
  drift.reset();
  for (const s of driftSamples(statuses)) drift.set({ fabric: s.fabric, kind: s.kind }, s.value);
  const objects = gauge(registry, FABRIC_OBJECTS_METRIC, 'Desired fabric objects by state (live, drifted, missing, error) and unmanaged objects of the fabric kinds', ['fabric', 'state'] as const);
  objects.reset();
  for (const s of objectSamples(statuses)) objects.set({ fabric: s.fabric, state: s.state }, s.value);
  const critical = gauge(registry, FABRIC_CRITICAL_METRIC, 'Whether the fabric status level is critical (1) or not (0)', ['fabric'] as const);
  critical.reset();
  for (const s of statuses) critical.set({ fabric: s.fabric }, s.level === 'critical' ? 1 : 0);
}
