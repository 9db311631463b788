/**
 * Turns app-interface clusters into ClusterClients (cluster-connection + cluster-client), keeping
 * every client it made so the run can report request counts and close sockets.
 */
import { setMaxListeners } from 'node:events';
import type { Cluster } from '../app-interface/model.js';
import type { Reporter } from '../core/reporter.js';
import { connectCluster } from '../k8s/cluster-connection.js';
import { createClusterClient } from '../k8s/cluster-client.js';
import type { ClientOptions, ClusterClient, RequestVerb } from '../k8s/cluster-client.js';
import type { SecretReader } from '../secrets/index.js';

export type Connect = (cluster: Cluster) => Promise<ClusterClient>;

export interface ConnectorOptions {
  /** --kubeconfig */
  readonly kubeconfigPath?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly reporter: Reporter;
  readonly client?: Omit<ClientOptions, 'onRequest'>;
  /** The secret reader for qontract `automationToken`s, asked when a cluster is connected (the data may load later). */
  readonly secrets?: () => SecretReader | undefined;
  /** Per request sent (metrics). */
  readonly onRequest?: (cluster: string, verb: RequestVerb, status: number) => void;
}

export interface Connector {
  readonly connect: Connect;
  /** Every client made so far, by cluster name. */
  readonly clients: ReadonlyMap<string, ClusterClient>;
  closeAll(): void;
}

export function createConnector(opts: ConnectorOptions): Connector {
  const clients = new Map<string, ClusterClient>();
  // One listener on the caller's signal per connector (per run), however many clusters and
  // parallel requests: the clients listen on this run's own signal (one listener each, removed
  // on close), so a run over many clusters never trips Node's MaxListenersExceededWarning.
  const parent = opts.client?.signal;
  const run = new AbortController();
  setMaxListeners(0, run.signal);
  const onParentAbort = (): void => { run.abort(parent?.reason); };
  if (parent?.aborted === true) run.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    clients,
    async connect(cluster) {
      const existing = clients.get(cluster.name);
      if (existing !== undefined) return existing;
      const secrets = opts.secrets?.();
      const conn = await connectCluster(cluster, {
        env: opts.env,
        reporter: opts.reporter,
        ...(secrets === undefined ? {} : { secrets }),
        ...(opts.kubeconfigPath === undefined ? {} : { kubeconfigPath: opts.kubeconfigPath }),
        ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      });
      const onRequest = opts.onRequest;
      const client = createClusterClient(conn, {
        ...opts.client,
        ...(parent === undefined ? {} : { signal: run.signal }),
        ...(onRequest === undefined ? {} : { onRequest: (verb: RequestVerb, status: number) => { onRequest(cluster.name, verb, status); } }),
      });
      clients.set(cluster.name, client);
      return client;
    },
    closeAll() {
      for (const c of clients.values()) c.close();
      clients.clear();
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
