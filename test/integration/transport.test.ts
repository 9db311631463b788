/**
 * kontract's HTTP transports (src/k8s/transport*.ts) against the real local apiservers: LIST, SSA
 * and DELETE over HTTP/2 on one connection per cluster; the ALPN fallback to HTTP/1.1 behind a
 * TLS proxy that offers only HTTP/1.1 (the fault suite's HTTP proxy); the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS and GOAWAY (the test's own HTTP/2 proxy in front of the
 * apiserver); a black-holed connection (toxiproxy); an apiserver restart mid-session (a
 * disposable cluster).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/app-interface/model.js';
import type { ManagedKind } from '../../src/core/k8s-object.js';
import { silentReporter } from '../../src/core/reporter.js';
import { connectCluster } from '../../src/k8s/cluster-connection.js';
import type { ClusterConnection } from '../../src/k8s/cluster-connection.js';
import { TRANSPORT_KINDS } from '../../src/k8s/transport.js';
import { PING_TIMEOUT_MS } from '../../src/k8s/transport-h2.js';
import { WatchAgents, startKindWatch } from '../../src/k8s/watch.js';
import { createClusterClient, KubeApiError } from '../../src/k8s/cluster-client.js';
import type { ClientOptions, ClusterClient } from '../../src/k8s/cluster-client.js';
import { startDisposableClusters } from './faults/support/disposable-clusters.js';
import type { DisposableClusters } from './faults/support/disposable-clusters.js';
import { startHttpFaultProxy } from './faults/support/http-fault-proxy.js';
import { startToxiproxy } from './faults/support/toxiproxy.js';
import { namespaceLines, writeCluster } from './support/app-interface.js';
import { testCluster, uniqueName } from './support/clusters.js';

const CONFIGMAP: ManagedKind = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, order: 50 };
const NAMESPACE: ManagedKind = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, order: 10 };

interface Target { readonly server: string; readonly caFile: string; readonly token: string }

function tokenFile(token: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'kontract-transport-')), 'token');
  writeFileSync(f, token);
  return f;
}

async function clientFor(t: Target, opts: ClientOptions): Promise<ClusterClient> {
  const cluster: Cluster = {
    path: '/t.yml', name: 't', description: '', serverUrl: t.server, ca: { path: t.caFile }, auth: { kind: 'tokenFile', file: tokenFile(t.token) },
    insecureSkipTLSVerify: false, disabledIntegrations: [], labels: {},
  };
  return createClusterClient(await connectCluster(cluster, { env: {}, reporter: silentReporter }), { backoffBaseMs: 20, ...opts });
}

/** The apiserver's self-signed serving certificate (also its CA) and key: a test proxy presents the same. */
const serving = (caFile: string): { cert: string; key: string } => ({ cert: readFileSync(caFile, 'utf8'), key: readFileSync(caFile.replace(/\.crt$/, '.key'), 'utf8') });
const prod1 = (): Target => { const c = testCluster('prod-1'); return { server: c.server, caFile: c.caFile, token: c.adminToken }; };
const portOf = (server: string): number => Number(new URL(server).port);
const via = (t: Target, port: number): Target => ({ ...t, server: `https://127.0.0.1:${port}` });

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error('condition not met within 5 s');
}

/** A TCP pass-through proxy that counts the connections made through it. */
async function countingProxy(upstreamPort: number): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    connections++;
    const up = net.connect(upstreamPort, '127.0.0.1');
    for (const s of [down, up]) { sockets.add(s); s.on('error', () => { down.destroy(); up.destroy(); }); }
    down.pipe(up).pipe(down);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: async () => { for (const s of sockets) s.destroy(); await new Promise<void>((r) => server.close(() => { r(); })); },
  };
}

interface H2Proxy {
  readonly port: number;
  /** Sessions the proxy accepted. */
  sessions(): number;
  /** Most streams the proxy had open at once. */
  maxOpen(): number;
  /** Streams the proxy received so far. */
  received(): number;
  /**
   * Sends GOAWAY on every session: `refuse` names stream 1 the last one processed (every later
   * stream is refused: REFUSED_STREAM at the client), `graceful` lets the open streams finish.
   */
  goaway(mode: 'refuse' | 'graceful'): void;
  close(): Promise<void>;
}

/**
 * Sends an HTTP/2 stream's method, path and headers to the apiserver over HTTPS (the caller writes
 * the body and ends the request); `answer` gets the whole response: status, content type, body.
 */
function forwardUpstream(headers: http2.IncomingHttpHeaders, upstreamPort: number, agent: https.Agent, answer: (status: number, contentType: string, body: Buffer) => void): http.ClientRequest {
  const fwd: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':') && typeof v === 'string') fwd[k] = v;
  return https.request({ host: '127.0.0.1', port: upstreamPort, method: String(headers[':method']), path: String(headers[':path']), headers: fwd, agent }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => { answer(res.statusCode ?? 502, res.headers['content-type'] ?? 'text/plain', Buffer.concat(chunks)); });
  });
}

/**
 * The test's own HTTP/2 TLS proxy in front of the apiserver (its serving certificate, so the
 * client verifies the CA it was given): advertises `maxStreams`, holds each request `hold` ms
 * (or `hold(n)` for the n-th request, from 0),
 * forwards it over HTTPS and answers what the apiserver answered.
 */
async function h2Proxy(upstreamPort: number, tls: { cert: string; key: string }, maxStreams: number, hold: number | ((n: number) => number)): Promise<H2Proxy> {
  const holdFor = typeof hold === 'number' ? () => hold : hold;
  let streams = 0;
  let sessions = 0;
  let open = 0;
  let maxOpen = 0;
  const live = new Set<http2.ServerHttp2Session>();
  const agent = new https.Agent({ keepAlive: true, ca: tls.cert });
  const server = http2.createSecureServer({ ...tls, settings: { maxConcurrentStreams: maxStreams } });
  server.on('session', (s) => { sessions++; live.add(s); s.on('close', () => live.delete(s)); s.on('error', () => undefined); });
  server.on('stream', (stream, headers) => {
    const holdMs = holdFor(streams++);
    open++;
    maxOpen = Math.max(maxOpen, open);
    stream.on('close', () => { open--; });
    stream.on('error', () => undefined);
    const body: Buffer[] = [];
    stream.on('data', (c: Buffer) => body.push(c));
    stream.on('end', () => {
      setTimeout(() => {
        const up = forwardUpstream(headers, upstreamPort, agent, (status, contentType, answer) => {
          if (stream.closed) return;
          stream.respond({ ':status': status, 'content-type': contentType });
          stream.end(answer);
        });
        up.on('error', () => { if (!stream.closed) { stream.respond({ ':status': 502 }); stream.end(); } });
        up.end(Buffer.concat(body));
      }, holdMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    sessions: () => sessions,
    maxOpen: () => maxOpen,
    received: () => streams,
    goaway(mode) {
      for (const s of live) {
        if (mode === 'refuse') s.goaway(http2.constants.NGHTTP2_NO_ERROR, 1);
        else s.close();
      }
    },
    async close() {
      for (const s of live) s.destroy();
      await new Promise<void>((r) => server.close(() => { r(); }));
      agent.destroy();
    },
  };
}

/**
 * The test's own HTTP/2 TLS proxy in front of the apiserver that forwards every request but cuts
 * its first answer: the status, headers and half the body, then the connection is destroyed (as
 * when the apiserver is killed mid-response).
 */
async function cuttingProxy(upstreamPort: number, tls: { cert: string; key: string }): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  let streams = 0;
  const live = new Set<http2.ServerHttp2Session>();
  const agent = new https.Agent({ keepAlive: true, ca: tls.cert });
  const server = http2.createSecureServer(tls);
  server.on('session', (s) => { live.add(s); s.on('close', () => live.delete(s)); s.on('error', () => undefined); });
  server.on('stream', (stream, headers) => {
    const n = streams++;
    stream.on('error', () => undefined);
    const up = forwardUpstream(headers, upstreamPort, agent, (status, contentType, body) => {
      stream.respond({ ':status': status, 'content-type': contentType });
      if (n > 0) {
        stream.end(body);
        return;
      }
      stream.write(body.subarray(0, Math.floor(body.length / 2)), () => { setTimeout(() => { stream.session?.destroy(); }, 50); });
    });
    up.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => streams,
    async close() {
      for (const s of live) s.destroy();
      await new Promise<void>((r) => server.close(() => { r(); }));
      agent.destroy();
    },
  };
}

/**
 * A namespace on prod-1 for the enclosing describe, created before its tests and deleted after them
 * by an HTTP/1.1 admin client (`admin()` returns it once the namespace exists).
 */
function describeNamespace(prefix: string): { ns: string; admin: () => ClusterClient } {
  const ns = uniqueName(prefix);
  let client: ClusterClient | undefined;
  beforeAll(async () => {
    client = await clientFor(prod1(), { transport: 'h1' });
    await client.apply(NAMESPACE, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { dryRun: false });
  });
  afterAll(async () => {
    await client?.delete(NAMESPACE, '', ns, { dryRun: false });
    client?.close();
  });
  return {
    ns,
    admin: () => {
      if (client === undefined) throw new Error('the namespace is made in beforeAll');
      return client;
    },
  };
}

describe('HTTP/2 transport', () => {
  const { ns, admin } = describeNamespace('transport');

  it('sends LIST, server-side apply and DELETE over HTTP/2 on one connection per cluster (HTTP/1.1 opens several)', async () => {
    const counted = await countingProxy(portOf(prod1().server));
    try {
      const c = await clientFor(via(prod1(), counted.port), { transport: 'h2' });
      const names = Array.from({ length: 30 }, (_, i) => `h2-${i}`);
      await Promise.all(names.map((n) => c.apply(CONFIGMAP, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: ns }, data: { k: n } }, { dryRun: false })));
      const listed = await c.list(CONFIGMAP, { namespace: ns });
      expect(listed.map((o) => o.metadata.name).filter((n) => n.startsWith('h2-')).sort()).toEqual([...names].sort());
      expect(await c.delete(CONFIGMAP, ns, 'h2-0', { dryRun: false })).toBe('deleted');
      expect(await c.get(CONFIGMAP, ns, 'h2-0')).toBeUndefined();
      expect(c.stats().protocol).toBe('h2');
      expect(c.stats().byVerb.apply).toBe(30);
      expect(counted.connections()).toBe(1);
      c.close();

      const before = counted.connections();
      const h1 = await clientFor(via(prod1(), counted.port), { transport: 'h1' });
      await Promise.all(names.slice(1).map((n) => h1.get(CONFIGMAP, ns, n)));
      expect(h1.stats().protocol).toBe('http/1.1');
      expect(counted.connections() - before).toBeGreaterThan(1);
      h1.close();
    } finally {
      await counted.close();
    }
  });

  it('falls back to HTTP/1.1 when the server (a TLS proxy) does not offer h2 in ALPN', async () => {
    const c0 = testCluster('prod-1');
    const proxy = await startHttpFaultProxy({ upstreamPort: portOf(c0.server), ...serving(c0.caFile) });
    try {
      const c = await clientFor(via(prod1(), proxy.port), { transport: 'h2' });
      await c.apply(CONFIGMAP, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'alpn', namespace: ns }, data: { k: 'v' } }, { dryRun: false });
      expect((await c.list(CONFIGMAP, { namespace: ns })).some((o) => o.metadata.name === 'alpn')).toBe(true);
      expect(c.stats().protocol).toBe('http/1.1');
      expect(proxy.log.filter((r) => r.path.includes('/configmaps')).length).toBe(2);
      c.close();
    } finally {
      await proxy.close();
    }
  });

  it("keeps at most the server's SETTINGS_MAX_CONCURRENT_STREAMS streams open, and a request's timeout starts only when it has a stream", async () => {
    const c0 = testCluster('prod-1');
    const proxy = await h2Proxy(portOf(c0.server), serving(c0.caFile), 2, 400);
    try {
      // 12 requests, 2 streams, 400 ms each: the last ones wait ~2 s for a stream, longer than
      // their 1.5 s timeout, and must not time out (no retries allowed).
      const c = await clientFor(via(prod1(), proxy.port), { transport: 'h2', timeoutMs: 1_500, maxRetries: 0 });
      const got = await Promise.all(Array.from({ length: 12 }, () => c.get(NAMESPACE, '', ns)));
      expect(got.every((o) => o?.metadata.name === ns)).toBe(true);
      expect(proxy.maxOpen()).toBe(2);
      expect(proxy.sessions()).toBe(1);
      expect(c.stats().byVerb.get).toBe(12);
      c.close();
    } finally {
      await proxy.close();
    }
  });

  it('after a GOAWAY, finishes the streams the server accepted, retries the ones it refused, and opens a new session', async () => {
    const c0 = testCluster('prod-1');
    const proxy = await h2Proxy(portOf(c0.server), serving(c0.caFile), 100, 2_000);
    try {
      // Requests held 2 s: the GOAWAY lands while all of them are open at the proxy.
      const c = await clientFor(via(prod1(), proxy.port), { transport: 'h2' });
      // graceful: the in-flight streams complete on the old session
      const graceful = Array.from({ length: 4 }, () => c.get(NAMESPACE, '', ns));
      await waitFor(() => proxy.received() === 4);
      proxy.goaway('graceful');
      expect((await Promise.all(graceful)).every((o) => o?.metadata.name === ns)).toBe(true);
      expect(c.stats().byVerb.get).toBe(4);
      // refused (streams 3, 5, 7 of the second session): retried on a third session
      const refused = Array.from({ length: 4 }, () => c.get(NAMESPACE, '', ns));
      await waitFor(() => proxy.received() === 8);
      proxy.goaway('refuse');
      expect((await Promise.all(refused)).every((o) => o?.metadata.name === ns)).toBe(true);
      expect(c.stats().byVerb.get).toBe(4 + 4 + 3);
      expect(proxy.sessions()).toBe(3);
      expect(c.stats().protocol).toBe('h2');
      c.close();
    } finally {
      await proxy.close();
    }
  });

  it('takes an answer cut mid-body by a lost connection for a lost connection (retried), never for a complete one', async () => {
    const c0 = testCluster('prod-1');
    await admin().apply(CONFIGMAP, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cut', namespace: ns }, data: { k: 'v' } }, { dryRun: false });
    const proxy = await cuttingProxy(portOf(c0.server), serving(c0.caFile));
    try {
      const c = await clientFor(via(prod1(), proxy.port), { transport: 'h2', maxRetries: 1, timeoutMs: 20_000 });
      const t0 = Date.now();
      // the first LIST answer ends after half its body: retried, and the retry's answer is the one returned
      const listed = await c.list(CONFIGMAP, { namespace: ns });
      expect(listed.map((o) => o.metadata.name)).toContain('cut');
      expect(c.stats().byVerb.list).toBe(2);
      expect(proxy.received()).toBe(2);
      expect(Date.now() - t0).toBeLessThan(10_000); // retried at the cut, not after the request timeout
      c.close();
    } finally {
      await proxy.close();
    }
  });

  it('retries a request whose stream timed out on a new session', async () => {
    const c0 = testCluster('prod-1');
    // The first request is held 3 s, longer than the 800 ms timeout; the others are not held.
    const proxy = await h2Proxy(portOf(c0.server), serving(c0.caFile), 100, (n) => (n === 0 ? 3_000 : 0));
    try {
      const c = await clientFor(via(prod1(), proxy.port), { transport: 'h2', timeoutMs: 800, maxRetries: 1 });
      expect((await c.get(NAMESPACE, '', ns))?.metadata.name).toBe(ns);
      expect(c.stats().byVerb.get).toBe(2);
      expect(proxy.sessions()).toBe(2);
      c.close();
    } finally {
      await proxy.close();
    }
  });

  it('times out on a black-holed connection (toxiproxy) and reconnects once the path is back', async () => {
    const tp = await startToxiproxy(join(mkdtempSync(join(tmpdir(), 'kontract-transport-tp-')), 'toxiproxy.log'));
    try {
      const port = await tp.createProxy('transport', portOf(prod1().server));
      const c = await clientFor(via(prod1(), port), { transport: 'h2', timeoutMs: 1_000, maxRetries: 1, giveUpAfter: 100 });
      expect((await c.get(NAMESPACE, '', ns))?.metadata.name).toBe(ns);
      await tp.addToxic('transport', { name: 'hole', type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } });
      const err = await c.get(NAMESPACE, '', ns).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).reason).toBe('KONTRACT_TIMEOUT');
      await tp.removeToxic('transport', 'hole');
      expect((await c.get(NAMESPACE, '', ns))?.metadata.name).toBe(ns);
      expect(c.stats().protocol).toBe('h2');
      c.close();
    } finally {
      await tp.stop();
    }
  });
});

describe('watches over the selected transport', () => {
  const { ns, admin } = describeNamespace('watch-transport');
  const selector = 'kontract.io/watch-transport=yes';
  const SECRET: ManagedKind = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, order: 50 };
  const SERVICE_ACCOUNT: ManagedKind = { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, order: 50 };

  const connectionTo = async (t: Target): Promise<ClusterConnection> => connectCluster({
    path: '/t.yml', name: 't', description: '', serverUrl: t.server, ca: { path: t.caFile }, auth: { kind: 'tokenFile', file: tokenFile(t.token) },
    insecureSkipTLSVerify: false, disabledIntegrations: [], labels: {},
  }, { env: {}, reporter: silentReporter });

  it.each(TRANSPORT_KINDS)('three watches of a cluster over %s: events of each arrive; over h2 they share one connection, over h1 each has its own', async (transport) => {
    const counted = await countingProxy(portOf(prod1().server));
    const agents = new WatchAgents(transport);
    const stop = new AbortController();
    try {
      const conn = await connectionTo(via(prod1(), counted.port));
      const seen: string[] = [];
      const watches = [CONFIGMAP, SECRET, SERVICE_ACCOUNT].map((kind) => startKindWatch({
        connection: conn, kind, labelSelector: selector, signal: stop.signal, agents,
        onEvent: (e) => { if (e.object.metadata.namespace === ns) seen.push(`${e.type} ${kind.kind} ${e.object.metadata.name}`); },
        onRelist: () => undefined,
      }));
      await Promise.all(watches.map((w) => w.ready));
      const labels = { 'kontract.io/watch-transport': 'yes' };
      const name = `w-${transport}`;
      await admin().apply(CONFIGMAP, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { k: 'v' } }, { dryRun: false });
      await admin().apply(SECRET, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns, labels }, stringData: { k: 'v' } }, { dryRun: false });
      await admin().apply(SERVICE_ACCOUNT, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns, labels } }, { dryRun: false });
      await waitFor(() => seen.length === 3);
      expect([...seen].sort()).toEqual([`ADDED ConfigMap ${name}`, `ADDED Secret ${name}`, `ADDED ServiceAccount ${name}`]);
      expect(agents.transportOf('t').protocol()).toBe(transport === 'h2' ? 'h2' : 'http/1.1');
      // h1: one connection per watch, plus the resourceVersion probes' (LISTs) on kept-alive ones
      if (transport === 'h2') expect(counted.connections()).toBe(1);
      else expect(counted.connections()).toBeGreaterThanOrEqual(3);
      stop.abort();
      await Promise.all(watches.map((w) => w.done));
    } finally {
      stop.abort();
      agents.close();
      await counted.close();
    }
  });

  it('over h2, a watch whose connection goes silent (toxiproxy black hole) is found dead by the keepalive PING and reconnects once the path is back', async () => {
    const tp = await startToxiproxy(join(mkdtempSync(join(tmpdir(), 'kontract-transport-tp-')), 'toxiproxy.log'));
    // keepalive after 1 s without traffic; the watch's own idle limit is 60 + 30 s
    const agents = new WatchAgents('h2', { keepaliveMs: 1_000 });
    const stop = new AbortController();
    try {
      const port = await tp.createProxy('watch-keepalive', portOf(prod1().server));
      const conn = await connectionTo(via(prod1(), port));
      const health: string[] = [];
      const watch = startKindWatch({
        connection: conn, kind: CONFIGMAP, labelSelector: selector, signal: stop.signal, agents, timeoutSeconds: 60, backoffBaseMs: 100, maxBackoffMs: 500,
        onEvent: () => undefined, onRelist: () => undefined,
        onHealth: (h) => { health.push(h.kind === 'reconnect' ? `reconnect ${h.reason}` : h.kind); },
      });
      await watch.ready;
      const t0 = Date.now();
      await tp.addToxic('watch-keepalive', { name: 'hole', type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } });
      for (let i = 0; i < 300 && !health.some((h) => h.startsWith('reconnect')); i++) await new Promise((r) => setTimeout(r, 50));
      // found within keepaliveMs + PING_TIMEOUT_MS (6 s), well before the watch's own 90 s idle limit
      expect(Date.now() - t0).toBeLessThan(PING_TIMEOUT_MS + 5_000);
      expect(health.find((h) => h.startsWith('reconnect'))).toBe('reconnect ECONNRESET');
      await tp.removeToxic('watch-keepalive', 'hole');
      const connected = (): number => health.filter((h) => h === 'connected').length;
      for (let i = 0; i < 400 && connected() < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(connected()).toBe(2);
      stop.abort();
      await watch.done;
    } finally {
      stop.abort();
      agents.close();
      await tp.stop();
    }
  });
});

describe('HTTP/2 transport across an apiserver restart (disposable cluster)', () => {
  let clusters: DisposableClusters;
  beforeAll(async () => { clusters = await startDisposableClusters(['h2-restart']); });
  afterAll(async () => { await clusters?.stop(); });

  it('reconnects after the apiserver restarted mid-session', async () => {
    const info = clusters.cluster('h2-restart');
    const c = await clientFor({ server: info.server, caFile: info.caFile, token: info.adminToken }, { transport: 'h2' });
    const before = await c.list(NAMESPACE);
    expect(before.some((o) => o.metadata.name === 'default')).toBe(true);
    await clusters.restartApiserver('h2-restart');
    const after = await c.list(NAMESPACE);
    expect(after.some((o) => o.metadata.name === 'default')).toBe(true);
    await c.apply(CONFIGMAP, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restart', namespace: 'default' }, data: { k: 'v' } }, { dryRun: false });
    expect(c.stats().protocol).toBe('h2');
    c.close();
  });
});

describe('kontract reconcile --transport', () => {
  const ROOT = resolve(import.meta.dirname, '..', '..');
  const kontract = (args: readonly string[]): Promise<{ code: number; stderr: string }> => new Promise((res) => {
    execFile(process.execPath, [join(ROOT, 'bin', 'kontract.js'), ...args], { env: { PATH: process.env.PATH, NO_COLOR: '1' } }, (err, _stdout, stderr) => {
      res({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr });
    });
  });

  it('h2 reads a cluster over one connection, h1 over several; another value is a flag error', async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ missing: run npm run build first');
    const counted = await countingProxy(portOf(prod1().server));
    try {
      const dir = mkdtempSync(join(tmpdir(), 'kontract-transport-ai-'));
      mkdirSync(join(dir, 'namespaces'));
      const token = tokenFile(prod1().token);
      writeCluster(dir, 'prod-1', `https://127.0.0.1:${counted.port}`, [`tokenFile: ${token}`], { caPath: prod1().caFile });
      const ns = uniqueName('transport-cli');
      writeFileSync(join(dir, 'namespaces', `${ns}.yml`), [...namespaceLines(ns, 'prod-1'), ''].join('\n'));
      // The token and CA files live outside the app-interface: allowed explicitly (docs/app-interface.md).
      const common = ['reconcile', '--all', '--dry-run', '--app-interface', dir, '--allow-path', dirname(token), '--allow-path', dirname(prod1().caFile)];
      const h2 = await kontract([...common, '--transport', 'h2']);
      expect(h2.stderr).not.toContain('E_');
      expect(h2.code).toBe(0);
      expect(counted.connections()).toBe(1);
      const h1 = await kontract([...common, '--transport', 'h1']);
      expect(h1.code).toBe(0);
      expect(counted.connections() - 1).toBeGreaterThan(1);
      expect((await kontract([...common, '--transport', 'h3'])).code).toBe(64);
    } finally {
      await counted.close();
    }
  });
});
