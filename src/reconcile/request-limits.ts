/**
 * How many API requests a run keeps in flight: at most `perCluster` per cluster (`--concurrency`,
 * what protects each apiserver) and at most MAX_REQUESTS_IN_FLIGHT over all clusters (what bounds
 * the client's memory: each in-flight LIST page is up to 500 objects). Clusters do not queue behind
 * one another: three clusters with four kinds each have all twelve LISTs on the wire at once.
 */
import pLimit from 'p-limit';

/** Runs `fn` when a slot is free. */
export type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

/** The per-cluster limiter of a run. */
export type RequestLimits = (cluster: string) => Limit;

/** Requests in flight over all clusters, whatever `--concurrency` says. */
export const MAX_REQUESTS_IN_FLIGHT = 64;

export function requestLimits(perCluster: number, total: number = Math.max(perCluster, MAX_REQUESTS_IN_FLIGHT)): RequestLimits {
  const overall = pLimit(total);
  const byCluster = new Map<string, Limit>();
  return (cluster) => {
    let limit = byCluster.get(cluster);
    if (limit === undefined) {
      const own = pLimit(perCluster);
      limit = <T>(fn: () => Promise<T>): Promise<T> => own(() => overall(fn));
      byCluster.set(cluster, limit);
    }
    return limit;
  };
}
