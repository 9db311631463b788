/**
 * TLS session warm-up of the HTTP/1.1 transport (src/k8s/transport-h1.ts) against a real local
 * apiserver: the requests of a fresh client wait for the first connection's TLS session, so the
 * connections opened beside it resume that session instead of each doing a full handshake. Which
 * sockets resumed is read from the sockets themselves (node's `http.client.request.start`
 * diagnostics channel gives each request; its socket says `isSessionReused()`).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/app-interface/model.js';
import type { ManagedKind } from '../../src/core/k8s-object.js';
import { silentReporter } from '../../src/core/reporter.js';
import { createClusterClient, KubeApiError } from '../../src/k8s/cluster-client.js';
import type { ClusterClient } from '../../src/k8s/cluster-client.js';
import { connectCluster } from '../../src/k8s/cluster-connection.js';
import { testCluster } from './support/clusters.js';

const NAMESPACE: ManagedKind = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, order: 10 };
const CONFIGMAP: ManagedKind = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, order: 50 };

async function h1Client(server: string, caFile: string, token: string): Promise<ClusterClient> {
  const tokenFile = join(mkdtempSync(join(tmpdir(), 'kontract-tls-session-')), 'token');
  writeFileSync(tokenFile, token);
  const cluster: Cluster = {
    path: '/t.yml', name: 't', description: '', serverUrl: server, ca: { path: caFile }, auth: { kind: 'tokenFile', file: tokenFile },
    insecureSkipTLSVerify: false, disabledIntegrations: [], labels: {},
  };
  return createClusterClient(await connectCluster(cluster, { env: {}, reporter: silentReporter }), { transport: 'h1', maxRetries: 0, backoffBaseMs: 10 });
}

/**
 * Counts the TLS connections the process's HTTP requests were answered on: full handshakes and
 * resumed sessions; with `onlyPort`, only connections to that port (not a test proxy's own).
 */
class HandshakeCounter {
  full = 0;
  resumed = 0;
  onlyPort: number | undefined;
  private readonly seen = new WeakSet<object>();
  private readonly onStart = (message: unknown): void => {
    const { request } = message as { request: http.ClientRequest };
    request.once('response', () => {
      const socket = request.socket as TLSSocket | null;
      if (socket === null || this.seen.has(socket) || (this.onlyPort !== undefined && socket.remotePort !== this.onlyPort)) return;
      this.seen.add(socket);
      if (socket.isSessionReused()) this.resumed++;
      else this.full++;
    });
  };
  start(): void {
    subscribe('http.client.request.start', this.onStart);
  }
  stop(): void {
    unsubscribe('http.client.request.start', this.onStart);
  }
}

/**
 * The test's own HTTPS proxy in front of the apiserver (its serving certificate, so the client
 * verifies the CA it was given): holds the answer to its first request until `release()`, forwards
 * every other one at once.
 */
async function holdFirstProxy(upstreamPort: number, caFile: string): Promise<{ port: number; release: () => void; close: () => Promise<void> }> {
  const cert = readFileSync(caFile, 'utf8');
  const key = readFileSync(caFile.replace(/\.crt$/, '.key'), 'utf8');
  const agent = new https.Agent({ keepAlive: true, ca: cert });
  let n = 0;
  let release = (): void => undefined;
  const held = new Promise<void>((r) => { release = r; });
  const server = https.createServer({ cert, key }, (req, res) => {
    const first = n++ === 0;
    const fwd: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') fwd[k] = v;
    const up = https.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: fwd, agent }, (u) => {
      const chunks: Buffer[] = [];
      u.on('data', (c: Buffer) => chunks.push(c));
      u.on('end', () => {
        const answer = (): void => { res.writeHead(u.statusCode ?? 502, { 'content-type': u.headers['content-type'] ?? 'text/plain' }); res.end(Buffer.concat(chunks)); };
        if (first) void held.then(answer);
        else answer();
      });
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    up.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    release,
    close: async () => { release(); server.closeAllConnections(); await new Promise<void>((r) => server.close(() => { r(); })); agent.destroy(); },
  };
}

describe('HTTP/1.1 TLS session warm-up (real apiserver)', () => {
  let counter: HandshakeCounter;
  beforeEach(() => {
    counter = new HandshakeCounter();
    counter.start();
  });
  afterEach(() => { counter.stop(); });

  it('eight concurrent LISTs of a fresh client: one full handshake, the seven other connections resume its session', async () => {
    const c = testCluster('prod-1');
    const client = await h1Client(c.server, c.caFile, c.adminToken);
    try {
      const lists = await Promise.all(Array.from({ length: 8 }, () => client.list(CONFIGMAP, { namespace: 'default' })));
      expect(lists).toHaveLength(8);
      expect(client.stats().byVerb.list).toBe(8);
      expect(counter.full).toBe(1);
      expect(counter.resumed).toBe(7);
    } finally {
      client.close();
    }
  });

  it('connections opened later (a burst after the LISTs, as the applies are) resume the session too', async () => {
    const c = testCluster('prod-1');
    const client = await h1Client(c.server, c.caFile, c.adminToken);
    try {
      await client.get(NAMESPACE, '', 'default');
      const got = await Promise.all(Array.from({ length: 6 }, () => client.get(NAMESPACE, '', 'default')));
      expect(got.map((o) => o?.metadata.name)).toEqual(Array.from({ length: 6 }, () => 'default'));
      expect(counter.full).toBe(1);
      expect(counter.resumed).toBeGreaterThanOrEqual(5);
    } finally {
      client.close();
    }
  });

  it("the other requests wait for the first connection's session, not for its answer", async () => {
    const c = testCluster('prod-1');
    const proxy = await holdFirstProxy(Number(new URL(c.server).port), c.caFile);
    const client = await h1Client(`https://127.0.0.1:${proxy.port}`, c.caFile, c.adminToken);
    counter.onlyPort = proxy.port;
    try {
      const order: string[] = [];
      const first = client.get(NAMESPACE, '', 'default').then(() => { order.push('first'); });
      const others = Promise.all(Array.from({ length: 4 }, () => client.get(NAMESPACE, '', 'default'))).then(() => { order.push('others'); });
      // The first answer is held until the others are answered: were they waiting for it, this would never settle.
      await others;
      proxy.release();
      await first;
      expect(order).toEqual(['others', 'first']);
      expect(counter.full).toBe(1);
      expect(counter.resumed).toBe(4);
    } finally {
      client.close();
      await proxy.close();
    }
  });

  it('a first connection that fails certificate verification ends the warm-up: every waiting request fails too, none hangs, nothing resumes', async () => {
    const c = testCluster('prod-1');
    // Another cluster's CA does not sign prod-1's serving certificate.
    const wrongCa = testCluster('prod-2').caFile;
    const client = await h1Client(c.server, wrongCa, c.adminToken);
    try {
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => client.get(NAMESPACE, '', 'default')));
      expect(results.map((r) => r.status)).toEqual(Array.from({ length: 5 }, () => 'rejected'));
      for (const r of results) {
        if (r.status !== 'rejected') continue;
        expect(r.reason).toBeInstanceOf(KubeApiError);
        expect((r.reason as KubeApiError).status).toBe(0);
      }
      expect(counter.resumed).toBe(0);
    } finally {
      client.close();
    }
  });
});
