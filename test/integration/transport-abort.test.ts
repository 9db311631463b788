/**
 * The transports' abort signals against a real apiserver (src/k8s/abort-listeners.ts, used by
 * transport-h1.ts and transport-h2.ts): requests sharing one signal (as a ClusterClient's do,
 * src/k8s/cluster-client.ts) hold one 'abort' listener on it, not one each; aborting it ends every
 * request in flight with the signal's reason, and the connection (HTTP/1.1: the agent's other
 * sockets; HTTP/2: the session) goes on for the next requests. The requests kept in flight are watches sent as plain
 * requests (`send`), which the apiserver answers only when they time out.
 */
import { getEventListeners, setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConnectionCredentials } from '../../src/k8s/cluster-connection.js';
import { createH1Transport } from '../../src/k8s/transport-h1.js';
import { createH2Transport } from '../../src/k8s/transport-h2.js';
import type { Transport } from '../../src/k8s/transport-base.js';
import type { TransportRequest } from '../../src/k8s/transport.js';
import { testCluster } from './support/clusters.js';

function prod1(): ConnectionCredentials {
  const c = testCluster('prod-1');
  return { server: new URL(c.server), ca: readFileSync(c.caFile), rejectUnauthorized: true, headers: { Authorization: `Bearer ${c.adminToken}` } };
}

/** The request as a ClusterClient sends it: the credentials' auth headers on every request. */
const get = (path: string, signal: AbortSignal): TransportRequest => ({ method: 'GET', path, headers: { Accept: 'application/json', ...prod1().headers }, timeoutMs: 30_000, signal });
/** A request the apiserver answers only after 60 s. */
const slow = (signal: AbortSignal): TransportRequest => get('/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=60', signal);

const TRANSPORTS: readonly (readonly [string, () => Transport, string])[] = [['HTTP/1.1', createH1Transport, 'http/1.1'], ['HTTP/2', createH2Transport, 'h2']];

describe.each(TRANSPORTS)('%s transport: shared abort signals', (_name, createTransport, protocol) => {
  it('requests sharing a signal hold one abort listener; aborting it ends each with its reason and the session goes on', async () => {
    const creds = prod1();
    const t = createTransport();
    try {
      const run = new AbortController();
      setMaxListeners(0, run.signal);
      // Answered requests leave nothing on the signal that fires.
      for (let i = 0; i < 5; i++) expect((await t.send(creds, get('/api/v1/namespaces/default', run.signal))).status).toBe(200);
      expect(t.protocol()).toBe(protocol);
      const inFlight = Array.from({ length: 20 }, () => t.send(creds, slow(run.signal)).then(() => 'answered', (e: unknown) => e));
      await new Promise((r) => setTimeout(r, 500));
      expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
      const reason = new Error('run ended');
      run.abort(reason);
      const outcomes = await Promise.all(inFlight);
      expect(outcomes.every((o) => o === reason)).toBe(true);
      // The connection was not torn down: the next requests answer.
      const next = new AbortController();
      expect((await t.send(creds, get('/api/v1/namespaces/default', next.signal))).status).toBe(200);
      expect(t.protocol()).toBe(protocol);
    } finally {
      t.close();
    }
  });

  it('requests with signals of their own: aborting one ends only that request', async () => {
    const creds = prod1();
    const t = createTransport();
    try {
      const a = new AbortController();
      const b = new AbortController();
      const pa = t.send(creds, slow(a.signal)).then(() => 'answered', (e: unknown) => e);
      const pb = t.send(creds, get('/api/v1/namespaces/default?x=1', b.signal));
      await new Promise((r) => setTimeout(r, 300));
      const reason = new Error('only a');
      a.abort(reason);
      expect(await pa).toBe(reason);
      expect((await pb).status).toBe(200);
      // Aborting a signal whose requests all answered ends nothing and throws nothing.
      b.abort(new Error('after the answer'));
      expect((await t.send(creds, get('/api/v1/namespaces/default', new AbortController().signal))).status).toBe(200);
    } finally {
      t.close();
    }
  });
});
