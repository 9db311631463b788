/**
 * Desired ResourceQuota objects: one per `quotas[]` entry of the namespace's quota file (qontract)
 * and one named `compute` for Waldur-style `quotaComponents`, both shaped by the namespace's
 * lifecycle `state`. The declared quota is always the source: `active` is exactly the declaration,
 * `paused` and `downscaled` are derived from it, so returning to `active` restores custom values.
 */
import type {
  AppInterfaceData,
  Namespace,
  NamespaceState,
  QuotaComponents,
  QuotaEntry,
} from '../../app-interface/model.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { DesiredState } from '../define-integration.js';
import { externalNamespaces, managedNamespaces, perNamespace } from '../tenant-namespaces.js';
import { compareQuantityValues, formatCores, formatGiB, parseQuantity } from '../../core/quantity.js';

export const RESOURCEQUOTAS_INTEGRATION = 'resourcequotas';

/** Name of the ResourceQuota built from `quotaComponents`. */
export const COMPONENTS_QUOTA_NAME = 'compute';

/** @default burst factor when `quotaComponents.burstFactor` is absent in the raw data */
export const DEFAULT_BURST_FACTOR = 2;

/**
 * `downscaled` caps these keys (only when the declared quota has them) at a floor of 1 core,
 * 1Gi memory, 1Gi storage and 1 pod; requests and limits get the same cap (no burst). A declared
 * value already below the cap is kept: downscaling never raises a quota.
 */
export const DOWNSCALE_CAPS: Readonly<Record<string, string>> = {
  cpu: '1',
  'requests.cpu': '1',
  'limits.cpu': '1',
  memory: '1Gi',
  'requests.memory': '1Gi',
  'limits.memory': '1Gi',
  'requests.storage': '1Gi',
  pods: '1',
};

type Hard = Record<string, string>;

/** `spec.hard` as declared by one `quotas[]` entry (qontract layout, flattened). */
export function declaredHard(entry: QuotaEntry, file: string, field: string, problems: ValidationProblem[]): Hard {
  const r = entry.resources;
  const hard: Hard = {};
  const put = (key: string, value: string | number | undefined): void => {
    if (value !== undefined) hard[key] = String(value);
  };
  put('limits.cpu', r.limits?.cpu);
  put('limits.memory', r.limits?.memory);
  put('requests.cpu', r.requests?.cpu);
  put('requests.memory', r.requests?.memory);
  put('requests.storage', r.requests?.storage);
  put('pods', r.pods);
  for (const [key, value] of Object.entries(r.other ?? {})) {
    if (key in hard) {
      problems.push({ file, field: `${field}.resources.other.${key}`, message: `${key} is already set by the structured field` });
      continue;
    }
    hard[key] = value;
  }
  return hard;
}

/** `spec.hard` from Waldur-style components: limits = burstFactor × requests, GB as GiB. */
export function componentsHard(c: QuotaComponents, file: string, problems: ValidationProblem[]): Hard {
  const hard: Hard = {};
  const burst = c.burstFactor;
  if (!Number.isFinite(burst) || burst < 1) {
    problems.push({ file, field: 'quotaComponents.burstFactor', message: `must be a number >= 1, got ${burst}` });
    return hard;
  }
  for (const key of ['cpu', 'memoryGB', 'storageGB', 'pods'] as const) {
    const v = c[key];
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) {
      problems.push({ file, field: `quotaComponents.${key}`, message: `must be a number >= 0, got ${v}` });
      return {};
    }
  }
  if (c.cpu !== undefined) {
    hard['requests.cpu'] = formatCores(c.cpu);
    hard['limits.cpu'] = formatCores(c.cpu * burst);
  }
  if (c.memoryGB !== undefined) {
    hard['requests.memory'] = formatGiB(c.memoryGB);
    hard['limits.memory'] = formatGiB(c.memoryGB * burst);
  }
  if (c.storageGB !== undefined) hard['requests.storage'] = formatGiB(c.storageGB);
  if (c.pods !== undefined) {
    if (!Number.isInteger(c.pods)) {
      problems.push({ file, field: 'quotaComponents.pods', message: `must be a whole number, got ${c.pods}` });
      return {};
    }
    hard.pods = String(c.pods);
  }
  return hard;
}

/** The declared hard limits shaped by the namespace lifecycle state. Pure; never mutates. */
export function applyState(hard: Readonly<Hard>, state: NamespaceState): Hard {
  switch (state) {
    case 'active':
      return { ...hard };
    case 'paused':
      return Object.fromEntries(Object.keys(hard).map((k) => [k, '0']));
    case 'downscaled':
      return Object.fromEntries(Object.entries(hard).map(([k, v]) => [k, downscale(k, v)]));
  }
}

function downscale(key: string, declared: string): string {
  const cap = DOWNSCALE_CAPS[key];
  if (cap === undefined) return declared;
  const have = parseQuantity(declared);
  const capValue = parseQuantity(cap);
  // An unparsable declared value cannot be compared: the cap applies.
  if (have === undefined || capValue === undefined || compareQuantityValues(have, capValue) > 0) return cap;
  return declared;
}

export function resourceQuotaObject(namespace: string, name: string, hard: Hard, scopes: readonly string[]): KubeObject {
  const spec: Record<string, unknown> = { hard };
  if (scopes.length > 0) spec.scopes = [...scopes];
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace }, spec };
}

function quotasOf(ns: Namespace, problems: ValidationProblem[]): KubeObject[] {
  const out: KubeObject[] = [];
  const names = new Set<string>();
  const add = (name: string, hard: Hard, scopes: readonly string[], field: string): void => {
    if (names.has(name)) {
      problems.push({ file: ns.path, field, message: `ResourceQuota ${name} is declared twice for namespace ${ns.name}` });
      return;
    }
    names.add(name);
    out.push(resourceQuotaObject(ns.name, name, applyState(hard, ns.state), scopes));
  };
  ns.quota?.quotas.forEach((entry, i) => {
    const field = `quotas[${i}]`;
    const file = ns.quota?.path ?? ns.path;
    add(entry.name, declaredHard(entry, file, field, problems), entry.scopes, 'quota');
  });
  if (ns.quotaComponents !== undefined) {
    const hard = componentsHard(ns.quotaComponents, ns.path, problems);
    // Components that declare nothing give no quota (an empty `hard` limits nothing).
    if (Object.keys(hard).length > 0) add(COMPONENTS_QUOTA_NAME, hard, [], 'quotaComponents');
  }
  return out;
}

/** A namespace whose quotas cannot be built is a blocked unit: only its quotas are withheld. */
export function desiredResourceQuotas(data: AppInterfaceData): DesiredState {
  const { objects, blocked } = perNamespace(managedNamespaces(data, RESOURCEQUOTAS_INTEGRATION), quotasOf);
  return { objects, problems: [], blocked, excludedNamespaces: externalNamespaces(data) };
}
