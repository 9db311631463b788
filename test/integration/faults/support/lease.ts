/**
 * kontract's run Lease (one per integration and cluster, held for a wet run): a run that could not
 * release it (its cluster was given up, or it was killed) leaves it held until it expires. The
 * operator's way out, used by the fault cases: delete the Lease, then run again.
 */
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { CliRun } from './kontract.js';

export interface HeldLease {
  readonly namespace: string;
  readonly name: string;
  /** seconds of validity left, as kontract reported it */
  readonly validSeconds: number;
}

/** The Lease a run was refused for (E_LOCKED), from its log. */
export function refusedLease(run: CliRun): HeldLease | undefined {
  const msg = run.logs.find((l) => l.code === 'E_LOCKED')?.msg ?? '';
  const m = /Lease (\S+)\/(\S+) on cluster \S+ is held by another run \(.*valid for (\d+) s more\)/.exec(msg);
  return m === null ? undefined : { namespace: m[1] ?? '', name: m[2] ?? '', validSeconds: Number(m[3]) };
}

export async function deleteLease(kc: KubeConfig, lease: HeldLease): Promise<void> {
  await kc.makeApiClient(CoordinationV1Api).deleteNamespacedLease({ namespace: lease.namespace, name: lease.name });
}
