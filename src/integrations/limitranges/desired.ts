/**
 * Desired LimitRange objects: one per namespace that references a limit-range file, named after
 * the file's `name`. Absent, null and empty keys are dropped so the object matches what the API
 * server stores.
 */
import type { AppInterfaceData, LimitRange, LimitRangeItem } from '../../app-interface/model.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { DesiredObject, DesiredState } from '../define-integration.js';
import { externalNamespaces, managedNamespaces } from '../tenant-namespaces.js';

export const LIMITRANGES_INTEGRATION = 'limitranges';

const VALUE_KEYS = ['default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio'] as const;

/** A resource map without null/undefined values; undefined when nothing is left. */
function compact(values: Readonly<Record<string, string | null | undefined>> | null | undefined): Record<string, string> | undefined {
  if (values === undefined || values === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v !== undefined && v !== null) out[k] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function limitRangeItem(item: LimitRangeItem): Record<string, unknown> {
  const out: Record<string, unknown> = { type: item.type };
  for (const key of VALUE_KEYS) {
    const values = compact(item[key]);
    if (values !== undefined) out[key] = values;
  }
  return out;
}

export function limitRangeObject(namespace: string, lr: LimitRange): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: lr.name, namespace },
    spec: { limits: lr.limits.map(limitRangeItem) },
  };
}

export function desiredLimitRanges(data: AppInterfaceData): DesiredState {
  const objects: DesiredObject[] = [];
  for (const ns of managedNamespaces(data, LIMITRANGES_INTEGRATION)) {
    if (ns.limitRanges === undefined) continue;
    objects.push({ cluster: ns.cluster, object: limitRangeObject(ns.name, ns.limitRanges), source: ns.path });
  }
  return { objects, problems: [], excludedNamespaces: externalNamespaces(data) };
}
