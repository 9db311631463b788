/**
 * The HTTP layer under a ClusterClient (cluster-client.ts): sends one request to one cluster and
 * answers its status, headers and body text. Retries, backoff, the 401 credential re-read and the
 * give-up live in the client; a transport only connects, sends and times out.
 *
 * - `h1`: HTTP/1.1 over a keep-alive https.Agent (transport-h1.ts), up to `maxConnections` sockets.
 * - `h2`: HTTP/2 over one session per cluster (transport-h2.ts), as client-go talks to apiservers;
 *   falls back to `h1` for a server or proxy whose TLS handshake does not offer `h2` (ALPN), and
 *   for plain `http:` servers (no cleartext HTTP/2).
 */
import type { Transport, TransportKind, TransportOptions } from './transport-base.js';
import { createH1Transport } from './transport-h1.js';
import { createH2Transport } from './transport-h2.js';

export type { Transport, TransportKind, TransportOptions, TransportRequest, TransportResponse, WireProtocol } from './transport-base.js';
export { DEFAULT_TRANSPORT, TRANSPORT_KINDS, networkError } from './transport-base.js';

export function createTransport(kind: TransportKind, opts: TransportOptions = {}): Transport {
  return kind === 'h2' ? createH2Transport(opts) : createH1Transport(opts);
}

