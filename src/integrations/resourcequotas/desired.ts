/**
 * Desired ResourceQuota objects: one per `quotas[]` entry of the namespace's quota file (qontract)
 * and one named `compute` for Waldur-style `quotaComponents`, both shaped by the namespace's
 * lifecycle `state`, plus one named `lifecycle` while the namespace is paused or downscaled that
 * limits CPU, memory, storage and pods whether or not they were declared. The declared quota is
 * always the source: `active` is exactly the declaration, `paused` and `downscaled` are derived
 * from it, so returning to `active` restores custom values.
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

/** Name of the ResourceQuota kontract adds while a namespace is `paused` or `downscaled`. */
export const LIFECYCLE_QUOTA_NAME = 'lifecycle';

/**
 * The documented minimum of `downscaled`, as requests: 1 core, 1 GiB memory, 1 GiB storage,
 * 1 pod. Limits follow the same rule as `active`: burstFactor × the request.
 */
export const DOWNSCALED_MINIMUM = { cores: 1, memoryGiB: 1, storageGiB: 1, pods: 1 } as const;

/** The keys of the four lifecycle components (CPU, memory, storage, pods), requests and limits. */
export const LIFECYCLE_KEYS = ['requests.cpu', 'limits.cpu', 'requests.memory', 'limits.memory', 'requests.storage', 'pods'] as const;

/** Caps of `downscaled` per `spec.hard` key (plain `cpu`/`memory` are requests). */
function downscaleCaps(burstFactor: number): Readonly<Record<string, string>> {
  const m = DOWNSCALED_MINIMUM;
  return {
    cpu: formatCores(m.cores),
    'requests.cpu': formatCores(m.cores),
    'limits.cpu': formatCores(m.cores * burstFactor),
    memory: formatGiB(m.memoryGiB),
    'requests.memory': formatGiB(m.memoryGiB),
    'limits.memory': formatGiB(m.memoryGiB * burstFactor),
    'requests.storage': formatGiB(m.storageGiB),
    pods: String(m.pods),
  };
}

/**
 * `spec.hard` of the `lifecycle` quota, which limits all four components whether or not a quota
 * declares them: every key `0` when paused, the downscaled minimum when downscaled (so an
 * undeclared key is no longer unlimited). None when active: the declared quota alone applies.
 */
export function lifecycleHard(state: NamespaceState, burstFactor = DEFAULT_BURST_FACTOR): Hard | undefined {
  switch (state) {
    case 'active':
      return undefined;
    case 'paused':
      return Object.fromEntries(LIFECYCLE_KEYS.map((k) => [k, '0']));
    case 'downscaled': {
      const caps = downscaleCaps(burstFactor);
      return Object.fromEntries(LIFECYCLE_KEYS.map((k) => [k, caps[k] ?? '0']));
    }
  }
}

type Hard = Record<string, string>;

/** `spec.hard` as declared by one `quotas[]` entry (qontract layout, flattened). */
export function declaredHard(entry: QuotaEntry): Hard {
  const r = entry.resources;
  const hard: Hard = {};
  const put = (key: string, value: string | number | undefined): void => {
    if (value !== undefined) hard[key] = String(value);
  };
  put('limits.cpu', r.limits?.cpu);
  put('limits.memory', r.limits?.memory);
  put('requests.cpu', r.requests?.cpu);
  put('requests.memory', r.requests?.memory);
  put('pods', r.pods);
  // Keys kontract derives itself (a VDC's storage and per-StorageClass keys).
  for (const [key, value] of Object.entries(r.other ?? {})) put(key, value);
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

/**
 * The declared hard limits shaped by the namespace lifecycle state. Pure; never mutates.
 * `paused`: every key `0`. `downscaled`: the lifecycle keys capped at the downscaled minimum
 * (limits at burstFactor × it); a declared value already below its cap is kept.
 */
export function applyState(hard: Readonly<Hard>, state: NamespaceState, burstFactor = DEFAULT_BURST_FACTOR): Hard {
  switch (state) {
    case 'active':
      return { ...hard };
    case 'paused':
      return Object.fromEntries(Object.keys(hard).map((k) => [k, '0']));
    case 'downscaled': {
      const caps = downscaleCaps(burstFactor);
      return Object.fromEntries(Object.entries(hard).map(([k, v]) => [k, downscale(caps[k], v)]));
    }
  }
}

function downscale(cap: string | undefined, declared: string): string {
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
    out.push(resourceQuotaObject(ns.name, name, applyState(hard, ns.state, burst), scopes));
  };
  const declaredBurst = ns.quotaComponents?.burstFactor ?? DEFAULT_BURST_FACTOR;
  // An invalid burst factor is reported by componentsHard; the lifecycle quota then uses the default.
  const burst = Number.isFinite(declaredBurst) && declaredBurst >= 1 ? declaredBurst : DEFAULT_BURST_FACTOR;
  for (const entry of ns.quota?.quotas ?? []) {
    if (entry.name === LIFECYCLE_QUOTA_NAME) {
      problems.push({ file: ns.path, field: 'quota', message: `ResourceQuota name ${LIFECYCLE_QUOTA_NAME} is reserved for the quota kontract adds while a namespace is paused or downscaled` });
      continue;
    }
    add(entry.name, declaredHard(entry), entry.scopes, 'quota');
  }
  if (ns.quotaComponents !== undefined) {
    const hard = componentsHard(ns.quotaComponents, ns.path, problems);
    // Components that declare nothing give no quota (an empty `hard` limits nothing).
    if (Object.keys(hard).length > 0) add(COMPONENTS_QUOTA_NAME, hard, [], 'quotaComponents');
  }
  const lifecycle = lifecycleHard(ns.state, burst);
  if (lifecycle !== undefined) out.push(resourceQuotaObject(ns.name, LIFECYCLE_QUOTA_NAME, lifecycle, []));
  return out;
}

/** A namespace whose quotas cannot be built is a blocked unit: only its quotas are withheld. */
export function desiredResourceQuotas(data: AppInterfaceData): DesiredState {
  const { objects, blocked } = perNamespace(managedNamespaces(data, RESOURCEQUOTAS_INTEGRATION), quotasOf);
  return { objects, problems: [], blocked, excludedNamespaces: externalNamespaces(data) };
}
