/**
 * A VDC's limits in the units users write (cores, MB, GB) converted exactly to Kubernetes
 * quantities, and the quota each allocation model means:
 *
 * | allocation model | requests.cpu / requests.memory | limits.cpu / limits.memory |
 * |---|---|---|
 * | pay-as-you-go | not limited (nothing is reserved up front) | the VDC's CPU / memory |
 * | allocation-pool | the VDC's CPU / memory (the pool that can be guaranteed) | not limited (idle capacity may be used above it) |
 * | reservation-pool | the VDC's CPU / memory | the VDC's CPU / memory (all reserved, nothing above) |
 *
 * Storage is the same in every model: `storage` → `requests.storage`, each storage policy →
 * `<class>.storageclass.storage.k8s.io/requests.storage`.
 */
import type { ValidationProblem } from '../../core/errors.js';
import type { Labels, QuotaEntry } from '../model.js';

export type AllocationModel = 'pay-as-you-go' | 'allocation-pool' | 'reservation-pool';

/** The name of the VDC's ResourceQuota. */
export const VDC_QUOTA_NAME = 'vdc';

const EPSILON = 1e-9;

/** Cores as a quantity: whole cores or millicores; undefined when finer than a millicore. */
export function coresQuantity(cores: number): string | undefined {
  const millis = cores * 1000;
  const whole = Math.round(millis);
  if (Math.abs(millis - whole) > EPSILON) return undefined;
  return whole % 1000 === 0 ? String(whole / 1000) : `${whole}m`;
}

/** `512MB` / `1.5GB` (MB = 2^20, GB = 2^30 bytes) as `Mi`/`Gi`; undefined when not a whole number of MB. */
export function bytesQuantity(written: string): string | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(MB|GB)$/.exec(written);
  if (m === null) return undefined;
  const mib = Number(m[1]) * (m[2] === 'GB' ? 1024 : 1);
  const whole = Math.round(mib);
  if (Math.abs(mib - whole) > EPSILON * Math.max(1, mib)) return undefined;
  return whole % 1024 === 0 ? `${whole / 1024}Gi` : `${whole}Mi`;
}

/** Mebibytes of a written size (for comparisons); undefined when unreadable. */
function mebibytes(written: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(MB|GB)$/.exec(written);
  return m === null ? undefined : Number(m[1]) * (m[2] === 'GB' ? 1024 : 1);
}

export function storageClassQuotaKey(storageClass: string): string {
  return `${storageClass}.storageclass.storage.k8s.io/requests.storage`;
}

export interface VdcLimits {
  readonly allocationModel: AllocationModel;
  readonly cpuCores?: number;
  readonly memory?: string;
  readonly storage?: string;
  readonly storagePolicies?: readonly { readonly storageClass: string; readonly limit: string }[];
}

/** The VDC's quota entry, or undefined when it declares no limit at all. Problems name the VDC file's fields. */
export function vdcQuotaEntry(v: VdcLimits, file: string, problems: ValidationProblem[]): QuotaEntry | undefined {
  const before = problems.length;
  const cpu = v.cpuCores === undefined ? undefined : coresQuantity(v.cpuCores);
  if (v.cpuCores !== undefined && cpu === undefined) {
    problems.push({ file, field: 'cpuCores', message: `${v.cpuCores} cores is finer than a millicore (at most 3 decimals)` });
  }
  const memory = v.memory === undefined ? undefined : bytesQuantity(v.memory);
  if (v.memory !== undefined && memory === undefined) problems.push({ file, field: 'memory', message: `${v.memory} is not a whole number of MB` });
  const other: Record<string, string> = {};
  if (v.storage !== undefined) {
    const q = bytesQuantity(v.storage);
    if (q === undefined) problems.push({ file, field: 'storage', message: `${v.storage} is not a whole number of MB` });
    else other['requests.storage'] = q;
  }
  const total = v.storage === undefined ? undefined : mebibytes(v.storage);
  (v.storagePolicies ?? []).forEach((p, i) => {
    const key = storageClassQuotaKey(p.storageClass);
    const q = bytesQuantity(p.limit);
    if (key in other) {
      problems.push({ file, field: `storagePolicies[${i}].storageClass`, message: `storage class ${p.storageClass} is listed twice` });
    } else if (q === undefined) {
      problems.push({ file, field: `storagePolicies[${i}].limit`, message: `${p.limit} is not a whole number of MB` });
    } else if (total !== undefined && (mebibytes(p.limit) ?? 0) > total) {
      problems.push({ file, field: `storagePolicies[${i}].limit`, message: `${p.limit} is more than the VDC's storage ${v.storage ?? ''}` });
    } else {
      other[key] = q;
    }
  });
  if (problems.length > before) return undefined;
  const compute: Labels = { ...(cpu === undefined ? {} : { cpu }), ...(memory === undefined ? {} : { memory }) };
  const requests = v.allocationModel === 'pay-as-you-go' ? undefined : compute;
  const limits = v.allocationModel === 'allocation-pool' ? undefined : compute;
  const hasCompute = Object.keys(compute).length > 0;
  if (!hasCompute && Object.keys(other).length === 0) return undefined;
  return {
    name: VDC_QUOTA_NAME,
    resources: {
      ...(hasCompute && requests !== undefined ? { requests } : {}),
      ...(hasCompute && limits !== undefined ? { limits } : {}),
      ...(Object.keys(other).length > 0 ? { other } : {}),
    },
    scopes: [],
  };
}
