/**
 * What the fault cases check on the cluster afterwards, read straight from the apiserver as admin:
 * kontract-owned namespaces (lost / duplicated / converged), and objects kontract does not own
 * (their uid and resourceVersion must not change: "unowned objects touched").
 */
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LocalClusterInfo } from '../../../../src/local-cluster/index.js';

export const OWNER_LABEL = 'kontract.io/integration';

export function adminKubeConfig(c: LocalClusterInfo): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: c.name, server: c.server, caFile: c.caFile }],
    users: [{ name: 'admin', token: c.adminToken }],
    contexts: [{ name: c.name, cluster: c.name, user: 'admin' }],
    currentContext: c.name,
  });
  return kc;
}

/** Names of the namespaces owned by kontract's `namespaces` integration (the LIST kontract itself makes). */
export async function ownedNamespaces(kc: KubeConfig): Promise<string[]> {
  const list = await kc.makeApiClient(CoreV1Api).listNamespace({ labelSelector: `${OWNER_LABEL}=namespaces` });
  return list.items.map((n) => n.metadata?.name ?? '');
}

/**
 * How many namespaces the cluster has right now: one cheap LIST with limit=1 (the apiserver
 * counts the rest in remainingItemCount, which it leaves out when a label selector is given).
 */
export async function namespaceCount(kc: KubeConfig): Promise<number> {
  const list = await kc.makeApiClient(CoreV1Api).listNamespace({ limit: 1 });
  return list.items.length + (list.metadata?.remainingItemCount ?? 0);
}

export interface Unowned {
  /** name → uid/resourceVersion at creation */
  readonly objects: ReadonlyMap<string, string>;
}

/**
 * Creates `count` namespaces kontract must leave alone: half without any kontract label, half
 * labelled as owned by another integration (`kontract.io/integration=other`).
 */
export async function createUnowned(kc: KubeConfig, prefix: string, count: number): Promise<Unowned> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const objects = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${i}`;
    const labels = i % 2 === 0 ? { team: 'someone-else' } : { 'app.kubernetes.io/managed-by': 'kontract', [OWNER_LABEL]: 'other' };
    const ns: KubernetesObject = await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
    objects.set(name, `${ns.metadata?.uid ?? ''}/${ns.metadata?.resourceVersion ?? ''}`);
  }
  return { objects };
}

/** Unowned namespaces whose uid or resourceVersion changed, or that are gone. */
export async function unownedTouched(kc: KubeConfig, unowned: Unowned): Promise<string[]> {
  const api = kc.makeApiClient(CoreV1Api);
  const all = await api.listNamespace();
  const now = new Map(all.items.map((n) => [n.metadata?.name ?? '', `${n.metadata?.uid ?? ''}/${n.metadata?.resourceVersion ?? ''}`]));
  return [...unowned.objects].filter(([name, id]) => now.get(name) !== id).map(([name]) => name);
}

export interface Convergence {
  /** desired but absent */
  readonly missing: readonly string[];
  /** owned but not desired */
  readonly extra: readonly string[];
  /** listed more than once */
  readonly duplicates: readonly string[];
}

export async function convergence(kc: KubeConfig, desired: readonly string[]): Promise<Convergence> {
  const owned = await ownedNamespaces(kc);
  const seen = new Set<string>();
  const duplicates = owned.filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
  const want = new Set(desired);
  return { missing: desired.filter((n) => !seen.has(n)), extra: [...seen].filter((n) => !want.has(n)), duplicates };
}

/**
 * Convergence once deleted namespaces are finalised: polls (up to `timeoutMs`) until nothing is
 * missing, extra or duplicated, and returns the last state (the caller asserts it).
 */
export async function settledConvergence(kc: KubeConfig, desired: readonly string[], timeoutMs = 30_000): Promise<Convergence> {
  const t0 = Date.now();
  for (;;) {
    const c = await convergence(kc, desired);
    const clean = c.missing.length === 0 && c.extra.length === 0 && c.duplicates.length === 0;
    if (clean || Date.now() - t0 > timeoutMs) return c;
    await new Promise((r) => setTimeout(r, 250));
  }
}
