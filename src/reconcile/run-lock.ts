/**
 * The lock of a wet run: one coordination.k8s.io/v1 Lease per (integration, cluster), named
 * `kontract-<integration>` in the lock namespace (default kube-system), held for the duration of
 * the run and renewed every third of its duration. Another run's Lease that is still valid
 * (renewTime + leaseDurationSeconds in the future) blocks the cluster (E_LOCKED) unless the holder
 * lets go within --wait-for-lock; an expired one is taken over. Creates and take-overs are
 * conditional (POST, then PUT with the resourceVersion read), so two runs never both win.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import type { KubeObject, ManagedKind } from '../core/k8s-object.js';
import type { Reporter } from '../core/reporter.js';
import type { ClusterClient } from '../k8s/cluster-client.js';
import { KubeApiError } from '../k8s/cluster-client.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../resource-inventory/marks.js';

export const LEASE_KIND: ManagedKind = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true, order: 0 };
/** Default of --lock-namespace. */
export const DEFAULT_LOCK_NAMESPACE = 'kube-system';
/** spec.leaseDurationSeconds of kontract's Leases: a crashed run blocks the next one at most this long. */
export const LEASE_DURATION_SECONDS = 60;

export interface LockOptions {
  /** Namespace of the Leases (--lock-namespace). */
  readonly namespace: string;
  /** How long to wait for another holder to let go (--wait-for-lock), in ms; 0 = fail at once. */
  readonly waitMs: number;
  /** @default LEASE_DURATION_SECONDS */
  readonly durationSeconds?: number;
  /** @default a fresh `<host>/<pid>/<random>` per lock taken */
  readonly holder?: string;
}

export interface HeldLock {
  readonly cluster: string;
  readonly integration: string;
  /** Stops renewing and frees the Lease (best effort). */
  release(): Promise<void>;
}

/** A holder identity per lock taken: two runs in one process are two holders too. */
function newHolder(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

/** A Lease MicroTime: RFC 3339 with six fractional digits. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function leaseName(integration: string): string {
  return `kontract-${integration}`;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

function rv(lease: KubeObject): string | undefined {
  const v = lease.metadata.resourceVersion;
  return typeof v === 'string' ? v : undefined;
}

function specOf(lease: KubeObject): LeaseSpec {
  return (lease.spec ?? {});
}

/** When a Lease stops being valid (ms since epoch); 0 when it has no holder. */
export function leaseExpiry(lease: KubeObject): number {
  const s = specOf(lease);
  if (s.holderIdentity === undefined || s.holderIdentity === '') return 0;
  const renewed = Date.parse(s.renewTime ?? s.acquireTime ?? '');
  if (Number.isNaN(renewed)) return 0;
  return renewed + (s.leaseDurationSeconds ?? 0) * 1000;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function is409(e: unknown): boolean {
  return e instanceof KubeApiError && e.status === 409;
}

/**
 * Takes the Lease of (integration, client.cluster). Throws E_LOCKED naming the holder when another
 * run holds it past `waitMs`; any other failure (403, unreachable) is thrown as it is.
 */
export async function acquireLock(client: ClusterClient, integration: string, opts: LockOptions, reporter: Reporter): Promise<HeldLock> {
  const holder = opts.holder ?? newHolder();
  const duration = opts.durationSeconds ?? LEASE_DURATION_SECONDS;
  const name = leaseName(integration);
  const where = `Lease ${opts.namespace}/${name} on cluster ${client.cluster}`;
  const started = Date.now();
  const body = (version: string | undefined, spec: LeaseSpec): KubeObject => ({
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: { name, namespace: opts.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, ...(version === undefined ? {} : { resourceVersion: version }) },
    spec,
  });
  let current: KubeObject | undefined;
  let waitingLogged = false;
  for (;;) {
    const now = new Date();
    const fresh: LeaseSpec = { holderIdentity: holder, leaseDurationSeconds: duration, acquireTime: microTime(now), renewTime: microTime(now) };
    try {
      current = await client.create(LEASE_KIND, body(undefined, { ...fresh, leaseTransitions: 0 }), { lock: true });
      break;
    } catch (e) {
      if (!is409(e)) throw e;
    }
    const live = await client.get(LEASE_KIND, opts.namespace, name, { lock: true });
    if (live === undefined) continue;
    const s = specOf(live);
    const expiry = leaseExpiry(live);
    if (s.holderIdentity === holder || expiry <= Date.now()) {
      try {
        const transitions = (s.leaseTransitions ?? 0) + (s.holderIdentity === holder ? 0 : 1);
        current = await client.replace(LEASE_KIND, body(rv(live), { ...fresh, leaseTransitions: transitions }), { lock: true });
        if (expiry > 0 && s.holderIdentity !== holder) reporter.log('warn', `${where}: took over the expired lock of ${s.holderIdentity ?? '?'}`, { cluster: client.cluster });
        break;
      } catch (e) {
        if (is409(e)) continue;
        throw e;
      }
    }
    const waited = Date.now() - started;
    if (waited >= opts.waitMs) {
      throw new KontractError(ERROR_CODES.LOCKED,
        `${where} is held by another run (${s.holderIdentity ?? '?'}, renewed ${s.renewTime ?? '?'}, expires ${new Date(expiry).toISOString()} unless renewed, valid for ${Math.ceil((expiry - Date.now()) / 1000)} s more): `
        + `integration ${integration} was not run there${opts.waitMs > 0 ? ` (waited ${Math.round(waited / 1000)} s)` : ''}; retry later or pass --wait-for-lock DURATION`,
        { cluster: client.cluster });
    }
    if (!waitingLogged) {
      reporter.log('info', `${where} is held by ${s.holderIdentity ?? '?'} (renewed ${s.renewTime ?? '?'}, expires ${new Date(expiry).toISOString()} unless renewed); waiting up to ${Math.round(opts.waitMs / 1000)} s`, { cluster: client.cluster });
      waitingLogged = true;
    }
    await sleep(Math.min(1000, opts.waitMs - waited, Math.max(50, expiry - Date.now())));
  }

  let lease = current;
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = (async () => {
      try {
        lease = await client.replace(LEASE_KIND, body(rv(lease), { ...specOf(lease), renewTime: microTime(new Date()) }), { lock: true });
      } catch (e) {
        reporter.log('warn', `${where}: renewing the lock failed: ${errorMessage(e)}`, { cluster: client.cluster, code: ERROR_CODES.LOCKED });
      }
    })();
  }, (duration * 1000) / 3);
  timer.unref();
  return {
    cluster: client.cluster,
    integration,
    async release() {
      clearInterval(timer);
      await renewing;
      const s = specOf(lease);
      try {
        // Sent even when the cluster was given up during the run (it may answer again), once, with the
        // Lease request timeout: the next run is then not refused by a Lease nobody holds.
        await client.replace(LEASE_KIND, body(rv(lease), { leaseDurationSeconds: s.leaseDurationSeconds ?? duration, leaseTransitions: s.leaseTransitions ?? 0 }), { lock: true, release: true });
      } catch (e) {
        // Not fatal: the Lease expires on its own after leaseDurationSeconds.
        reporter.log('warn', `${where}: releasing the lock failed (it expires by itself in ${duration} s): ${errorMessage(e)}`, { cluster: client.cluster });
      }
    },
  };
}

/** Parses --wait-for-lock: `90`, `90s`, `5m`, `1h` → ms. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return n * factor;
}
