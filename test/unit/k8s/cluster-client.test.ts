import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../../src/app-interface/model.js';
import type { ManagedKind } from '../../../src/core/k8s-object.js';
import type { LogLevel, Reporter } from '../../../src/core/reporter.js';
import { connectCluster } from '../../../src/k8s/cluster-connection.js';
import { createClusterClient, KubeApiError, kontractApplyTime } from '../../../src/k8s/cluster-client.js';
import { MAX_THROTTLED_RETRIES } from '../../../src/k8s/retry-policy.js';

// Adapter tests against a loopback HTTP server the test starts itself (plain http with the
// cluster's explicit insecureSkipTLSVerify). Real apiserver behaviour is covered by
// test/integration/engine*.test.ts.

const CONFIGMAP: ManagedKind = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, order: 50 };
const WIDGET: ManagedKind = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true, order: 50 };

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: string }
type Handler = (req: Seen, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(() => { for (const s of servers.splice(0)) s.close(); });

async function fakeServer(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      handler(s, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function recorder(): Reporter & { lines: { level: LogLevel; message: string }[] } {
  const lines: { level: LogLevel; message: string }[] = [];
  return { lines, log: (level, message) => { lines.push({ level, message }); }, result: () => undefined };
}

function tokenFile(content: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'kontract-tok-')), 'token');
  writeFileSync(f, content);
  return f;
}

function cluster(url: string, file: string): Cluster {
  return {
    path: '/c.yml', name: 'c1', description: '', serverUrl: url, auth: { kind: 'tokenFile', file },
    insecureSkipTLSVerify: true, disabledIntegrations: [], labels: {},
  };
}

async function client(url: string, file: string, reporter: Reporter = recorder()) {
  const conn = await connectCluster(cluster(url, file), { env: {}, reporter });
  return createClusterClient(conn, { backoffBaseMs: 1 });
}

describe('createClusterClient', () => {
  it('paginates a LIST with limit and continue, adds type meta and drops managedFields', async () => {
    const { url, seen } = await fakeServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      const page = u.searchParams.get('continue');
      const item = (n: string) => ({ metadata: { name: n, namespace: 'ns', managedFields: [{ manager: 'x' }] }, data: { a: '1' } });
      if (page === null) json(res, 200, { kind: 'WidgetList', metadata: { continue: 'p2' }, items: [item('a'), item('b')] });
      else json(res, 200, { kind: 'WidgetList', metadata: { continue: '' }, items: [item('c')] });
    });
    const c = await client(url, tokenFile('tok-1\n'));
    const items = await c.list(WIDGET, { labelSelector: 'kontract.io/integration=test' });
    expect(items.map((i) => i.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(items[0]).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Widget' });
    expect(items[0]!.metadata.managedFields).toBeUndefined();
    expect(seen).toHaveLength(2);
    const first = new URL(seen[0]!.url, 'http://x');
    expect(first.pathname).toBe('/apis/example.com/v1/widgets');
    expect(first.searchParams.get('limit')).toBe('500');
    expect(first.searchParams.get('labelSelector')).toBe('kontract.io/integration=test');
    expect(new URL(seen[1]!.url, 'http://x').searchParams.get('continue')).toBe('p2');
    expect(seen[0]!.headers.authorization).toBe('Bearer tok-1');
    expect(c.stats()).toMatchObject({ reads: 2, writes: 0 });
    c.close();
  });

  it('starts over when a continue token expired (410), telling keep through onRestart', async () => {
    let p2 = 0;
    const { url, seen } = await fakeServer((req, res) => {
      const page = new URL(req.url, 'http://x').searchParams.get('continue');
      const item = (n: string) => ({ metadata: { name: n, namespace: 'ns' } });
      if (page === null) json(res, 200, { kind: 'ConfigMapList', metadata: { continue: 'p2' }, items: [item('a'), item('b')] });
      else if (p2++ === 0) json(res, 410, { kind: 'Status', reason: 'Expired', message: 'continue token expired' });
      else json(res, 200, { kind: 'ConfigMapList', metadata: {}, items: [item('c')] });
    });
    const c = await client(url, tokenFile('tok'));
    const kept: string[] = [];
    let restarts = 0;
    const items = await c.list(CONFIGMAP, {
      keep: (o) => { kept.push(o.metadata.name); return o.metadata.name !== 'b'; },
      onRestart: () => { restarts++; kept.length = 0; },
    });
    expect(items.map((i) => i.metadata.name)).toEqual(['a', 'c']);
    expect(kept).toEqual(['a', 'b', 'c']);
    expect(restarts).toBe(1);
    expect(seen.map((r) => new URL(r.url, 'http://x').searchParams.get('continue'))).toEqual([null, 'p2', null, 'p2']);
    c.close();
  });

  it('requests the next page before handling the current one, one request in flight per LIST', async () => {
    const { url } = await fakeServer((req, res) => {
      const page = new URL(req.url, 'http://x').searchParams.get('continue');
      const next = page === null ? 'p2' : page === 'p2' ? 'p3' : '';
      json(res, 200, { kind: 'ConfigMapList', metadata: { continue: next }, items: [{ metadata: { name: page ?? 'first', namespace: 'ns' } }] });
    });
    const c = await client(url, tokenFile('tok'));
    // LIST requests sent by the time each page's items are handled
    const sentWhenHandled: Record<string, number> = {};
    const items = await c.list(CONFIGMAP, { keep: (o) => { sentWhenHandled[o.metadata.name] = c.stats().byVerb.list; return true; } });
    expect(items.map((i) => i.metadata.name)).toEqual(['first', 'p2', 'p3']);
    expect(sentWhenHandled).toEqual({ first: 2, p2: 3, p3: 3 });
    expect(c.stats().byVerb.list).toBe(3);
    c.close();
  });

  it('reports a failing prefetched page as the LIST error, without an unhandled rejection', async () => {
    const { url } = await fakeServer((req, res) => {
      const page = new URL(req.url, 'http://x').searchParams.get('continue');
      if (page === null) json(res, 200, { kind: 'ConfigMapList', metadata: { continue: 'p2' }, items: [{ metadata: { name: 'a', namespace: 'ns' } }] });
      else json(res, 403, { kind: 'Status', reason: 'Forbidden', message: 'no' });
    });
    const c = await client(url, tokenFile('tok'));
    await expect(c.list(CONFIGMAP)).rejects.toThrow(/403|Forbidden/);
    await expect(c.list(CONFIGMAP, { keep: () => { throw new Error('keep failed'); } })).rejects.toThrow('keep failed');
    c.close();
  });

  it('keeps only the time of kontract\'s own Apply from managedFields when asked (side channel, not on the object)', async () => {
    const { url } = await fakeServer((_req, res) => {
      json(res, 200, { kind: 'ConfigMapList', metadata: {}, items: [
        { metadata: { name: 'a', namespace: 'ns', managedFields: [
          { manager: 'kontract', operation: 'Apply', time: '2026-01-02T03:04:05Z', fieldsV1: { 'f:data': {} } },
          { manager: 'kontract', operation: 'Update', time: '2026-05-01T00:00:00Z' },
          { manager: 'kubectl', operation: 'Apply', time: '2026-06-01T00:00:00Z' },
        ] } },
        { metadata: { name: 'b', namespace: 'ns', managedFields: [{ manager: 'kubectl', operation: 'Apply', time: '2026-06-01T00:00:00Z' }] } },
      ] });
    });
    const c = await client(url, tokenFile('tok'));
    const [plain] = await c.list(CONFIGMAP);
    expect(kontractApplyTime(plain!)).toBeUndefined();
    const [a, b] = await c.list(CONFIGMAP, { keepApplyTime: true });
    expect(kontractApplyTime(a!)).toBe('2026-01-02T03:04:05Z');
    expect(kontractApplyTime(b!)).toBeUndefined();
    expect(a!.metadata.managedFields).toBeUndefined();
    expect(JSON.stringify(a)).not.toContain('2026-01-02');
    c.close();
  });

  it('reads kontract\'s Apply time from an object\'s own managedFields, ignoring its Update entries and other managers', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', managedFields: [
      { manager: 'kontract', operation: 'Apply', time: '2026-01-02T03:04:05Z' },
      { manager: 'kontract', operation: 'Update', time: '2026-05-01T00:00:00Z' },
      { manager: 'kubectl', operation: 'Apply', time: '2026-06-01T00:00:00Z' },
    ] } };
    expect(kontractApplyTime(obj)).toBe('2026-01-02T03:04:05Z');
    expect(kontractApplyTime({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y', managedFields: [{ manager: 'kontract', operation: 'Update', time: '2026-05-01T00:00:00Z' }] } })).toBeUndefined();
    expect(kontractApplyTime({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'z' } })).toBeUndefined();
  });

  it('keeps only the items a LIST filter accepts, page by page', async () => {
    const { url } = await fakeServer((req, res) => {
      const page = new URL(req.url, 'http://x').searchParams.get('continue');
      const items = page === null ? [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }] : [{ metadata: { name: 'c' } }];
      json(res, 200, { metadata: { continue: page === null ? 'p2' : '' }, items });
    });
    const c = await client(url, tokenFile('t'));
    const items = await c.list(CONFIGMAP, { keep: (o) => o.metadata.name !== 'b' });
    expect(items.map((i) => i.metadata.name)).toEqual(['a', 'c']);
    c.close();
  });

  it('retries 429 and 503, honouring Retry-After, and counts every request', async () => {
    let n = 0;
    const { url } = await fakeServer((_req, res) => {
      n++;
      if (n === 1) json(res, 429, { reason: 'TooManyRequests' }, { 'Retry-After': '0' });
      else if (n === 2) json(res, 503, { reason: 'ServiceUnavailable' });
      else json(res, 200, { metadata: { name: 'x', namespace: 'ns' } });
    });
    const c = await client(url, tokenFile('t'));
    const obj = await c.get(CONFIGMAP, 'ns', 'x');
    expect(obj?.metadata.name).toBe('x');
    expect(c.stats().byVerb.get).toBe(3);
    c.close();
  });

  it('lowers its requests in flight to what a server with 3 seats takes: every request answered, few 429s', async () => {
    // Answers 429 beyond 3 requests in flight, as an API Priority and Fairness level with 3 seats
    // and Reject does (without Retry-After, so the client's own backoff applies: 5 ms, doubling);
    // each accepted request takes 15 ms.
    let inFlight = 0;
    let rejected = 0;
    const { url } = await fakeServer((_req, res) => {
      if (inFlight >= 3) {
        rejected++;
        json(res, 429, { reason: 'TooManyRequests' });
        return;
      }
      inFlight++;
      setTimeout(() => { inFlight--; json(res, 200, { metadata: { name: 'x', namespace: 'ns' } }); }, 15);
    });
    const conn = await connectCluster(cluster(url, tokenFile('t')), { env: {}, reporter: recorder() });
    const c = createClusterClient(conn, { backoffBaseMs: 5, maxRetries: 4 });
    // 10 requests handed to the client at a time, as --concurrency 10 does (request-limits.ts)
    const ten = pLimit(10);
    const got = await Promise.all(Array.from({ length: 200 }, (_, i) => ten(() => c.get(CONFIGMAP, 'ns', `x-${i}`))));
    expect(got.every((o) => o?.metadata.name === 'x')).toBe(true);
    const stats = c.stats();
    expect(stats.throttled).toBe(rejected);
    expect(stats.lowestConcurrency).toBeLessThanOrEqual(3);
    // bounded: ~1 rejection per probe above 3 seats, not 7 of every 10 attempts
    expect(rejected).toBeLessThan(60);
    expect(stats.byVerb.get).toBe(200 + rejected);
    c.close();
  });

  it('a request rejected (429) while others get through spends no retry; one rejected while nothing does fails after maxRetries', async () => {
    // "stuck" is always rejected; the others are answered.
    const { url, seen } = await fakeServer((req, res) => {
      if (req.url.includes('stuck')) json(res, 429, { reason: 'TooManyRequests', message: 'throttled' }, { 'Retry-After': '0' });
      else setTimeout(() => { json(res, 200, { metadata: { name: 'ok', namespace: 'ns' } }); }, 5);
    });
    const conn = await connectCluster(cluster(url, tokenFile('t')), { env: {}, reporter: recorder() });
    const c = createClusterClient(conn, { backoffBaseMs: 1, maxRetries: 2 });
    // alone: 1 + maxRetries attempts, then the 429 is the answer
    await expect(c.get(CONFIGMAP, 'ns', 'stuck-1')).rejects.toMatchObject({ status: 429 });
    expect(seen.filter((r) => r.url.includes('stuck-1'))).toHaveLength(3);
    // with others answered meanwhile: retried past maxRetries, at most 1 + MAX_THROTTLED_RETRIES times
    let stop = false;
    const others = (async () => { for (let i = 0; !stop; i++) await c.get(CONFIGMAP, 'ns', `ok-${i}`); })();
    await expect(c.get(CONFIGMAP, 'ns', 'stuck-2')).rejects.toMatchObject({ status: 429 });
    stop = true;
    await others;
    const sent = seen.filter((r) => r.url.includes('stuck-2')).length;
    expect(sent).toBeGreaterThan(3);
    expect(sent).toBeLessThanOrEqual(1 + MAX_THROTTLED_RETRIES);
    c.close();
  });

  it('re-reads a rotated token file after a 401 and retries once', async () => {
    const file = tokenFile('old-token');
    const { url, seen } = await fakeServer((req, res) => {
      if (req.headers.authorization === 'Bearer new-token') json(res, 200, { metadata: { name: 'x' } });
      else json(res, 401, { reason: 'Unauthorized', message: 'Unauthorized' });
    });
    const c = await client(url, file);
    writeFileSync(file, 'new-token\n');
    await expect(c.get(CONFIGMAP, 'ns', 'x')).resolves.toMatchObject({ metadata: { name: 'x' } });
    expect(seen.map((s) => s.headers.authorization)).toEqual(['Bearer old-token', 'Bearer new-token']);
    c.close();
  });

  it('fails with E_CLUSTER_ACCESS after one retry when the token stays invalid, without the token in the message', async () => {
    const { url, seen } = await fakeServer((_req, res) => { json(res, 401, { reason: 'Unauthorized', message: 'Unauthorized' }); });
    const c = await client(url, tokenFile('secret-token-value'));
    const err = await c.list(CONFIGMAP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).code).toBe('E_CLUSTER_ACCESS');
    expect((err as KubeApiError).status).toBe(401);
    expect((err as Error).message).not.toContain('secret-token-value');
    expect(seen).toHaveLength(2);
    c.close();
  });

  it('applies with SSA: PATCH apply-patch+yaml, fieldManager=kontract, force, dryRun=All on request', async () => {
    const { url, seen } = await fakeServer((req, res) => { json(res, 200, JSON.parse(req.body) as unknown); });
    const c = await client(url, tokenFile('t'));
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' }, data: { a: '1' } };
    await c.apply(CONFIGMAP, obj, { dryRun: true });
    await c.apply(CONFIGMAP, obj, { dryRun: false });
    const u = new URL(seen[0]!.url, 'http://x');
    expect(seen[0]!.method).toBe('PATCH');
    expect(u.pathname).toBe('/api/v1/namespaces/ns/configmaps/x');
    expect(Object.fromEntries(u.searchParams)).toEqual({ fieldManager: 'kontract', force: 'true', dryRun: 'All' });
    expect(seen[0]!.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(JSON.parse(seen[0]!.body)).toEqual(obj);
    expect(new URL(seen[1]!.url, 'http://x').searchParams.has('dryRun')).toBe(false);
    expect(c.stats()).toMatchObject({ reads: 0, writes: 2 });
    c.close();
  });

  it('re-reads and retries an apply that answers 409', async () => {
    let patches = 0;
    const { url, seen } = await fakeServer((req, res) => {
      if (req.method === 'GET') { json(res, 200, { metadata: { name: 'x', namespace: 'ns' } }); return; }
      patches++;
      if (patches === 1) json(res, 409, { reason: 'Conflict', message: 'the object has been modified' });
      else json(res, 200, JSON.parse(req.body) as unknown);
    });
    const c = await client(url, tokenFile('t'));
    await c.apply(CONFIGMAP, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } }, { dryRun: false });
    expect(seen.map((s) => s.method)).toEqual(['PATCH', 'GET', 'PATCH']);
    c.close();
  });

  it('maps 404 to undefined (get), absent (delete) and not served (discovery)', async () => {
    const { url, seen } = await fakeServer((_req, res) => { json(res, 404, { reason: 'NotFound' }); });
    const c = await client(url, tokenFile('t'));
    await expect(c.get(CONFIGMAP, 'ns', 'x')).resolves.toBeUndefined();
    await expect(c.delete(CONFIGMAP, 'ns', 'x', { dryRun: false })).resolves.toBe('absent');
    await expect(c.discover('kubevirt.io', 'v1')).resolves.toBeUndefined();
    expect(seen.map((s) => `${s.method} ${new URL(s.url, 'http://x').pathname}`)).toEqual([
      'GET /api/v1/namespaces/ns/configmaps/x', 'DELETE /api/v1/namespaces/ns/configmaps/x', 'GET /apis/kubevirt.io/v1',
    ]);
    c.close();
  });

  it('turns an apply rejection into E_APPLY with the apiserver reason', async () => {
    const { url } = await fakeServer((_req, res) => { json(res, 422, { reason: 'Invalid', message: 'ConfigMap "x" is invalid: data: Invalid value' }); });
    const c = await client(url, tokenFile('t'));
    const err = await c.apply(CONFIGMAP, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns' } }, { dryRun: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_APPLY', status: 422, cluster: 'c1' });
    expect((err as Error).message).toContain('422 Invalid');
    c.close();
  });

  it('reports a closed port as E_CLUSTER_ACCESS after retrying', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => { r(); }));
    const c = await client(`http://127.0.0.1:${port}`, tokenFile('t'));
    const err = await c.list(CONFIGMAP).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_CLUSTER_ACCESS', cluster: 'c1', status: 0 });
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(c.stats().byVerb.list).toBe(5);
    c.close();
  });

  it('gives the cluster up after N consecutive requests failed after their retries (an answer resets the count), then sends nothing', async () => {
    // Every request whose path contains "drop" has its connection destroyed; the others answer.
    const { url, seen } = await fakeServer((req, res) => {
      if (req.url.includes('drop')) res.socket?.destroy();
      else json(res, 200, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'ok', namespace: 'ns' } });
    });
    const conn = await connectCluster(cluster(url, tokenFile('t')), { env: {}, reporter: recorder() });
    const c = createClusterClient(conn, { backoffBaseMs: 1, maxRetries: 2, giveUpAfter: 2 });
    // 3 failed attempts (1 + 2 retries) are one failed request; then an answer: the count starts over.
    await expect(c.get(CONFIGMAP, 'ns', 'drop-1')).rejects.toMatchObject({ status: 0 });
    await expect(c.get(CONFIGMAP, 'ns', 'ok')).resolves.toMatchObject({ metadata: { name: 'ok' } });
    expect(c.givenUp()).toBeUndefined();
    await expect(c.get(CONFIGMAP, 'ns', 'drop-2')).rejects.toMatchObject({ status: 0 });
    expect(c.givenUp()).toBeUndefined();
    // the second failed request in a row: given up.
    await expect(c.get(CONFIGMAP, 'ns', 'drop-3')).rejects.toMatchObject({ status: 0 });
    expect(c.givenUp()).toMatch(/^2 consecutive failed requests \(no answer after their retries\), last (ECONNRESET|socket hang up|network error)/);
    const sent = seen.length;
    const err = await c.get(CONFIGMAP, 'ns', 'ok').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_CLUSTER_ACCESS', reason: 'GivenUp' });
    expect(seen.length).toBe(sent);
    c.close();
  });

  it('does not give the cluster up for a blip its retries absorb, however many requests were in flight', async () => {
    // The first 30 connections are reset, then every request is answered.
    let resets = 0;
    const { url } = await fakeServer((_req, res) => {
      if (resets++ < 30) res.socket?.destroy();
      else json(res, 200, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'ok', namespace: 'ns' } });
    });
    const conn = await connectCluster(cluster(url, tokenFile('t')), { env: {}, reporter: recorder() });
    const c = createClusterClient(conn, { backoffBaseMs: 20, maxRetries: 4, giveUpAfter: 3 });
    const got = await Promise.all(Array.from({ length: 10 }, (_, i) => c.get(CONFIGMAP, 'ns', `x-${i}`)));
    expect(got).toHaveLength(10);
    expect(resets).toBeGreaterThanOrEqual(30);
    expect(c.givenUp()).toBeUndefined();
    c.close();
  });

  it('does not retry a Lease request that timed out, and sends the Lease release even after a give-up', async () => {
    let lockPuts = 0;
    const { url, seen } = await fakeServer((req, res) => {
      if (req.url.includes('black-hole')) return; // never answers
      if (req.url.includes('/leases/')) lockPuts++;
      json(res, 200, { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', metadata: { name: 'l', namespace: 'ns' } });
    });
    const LEASE: ManagedKind = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true, order: 0 };
    const conn = await connectCluster(cluster(url, tokenFile('t')), { env: {}, reporter: recorder() });
    const c = createClusterClient(conn, { backoffBaseMs: 1, lockTimeoutMs: 200, giveUpAfter: 1 });
    const t0 = Date.now();
    await expect(c.get(LEASE, 'ns', 'black-hole', { lock: true })).rejects.toMatchObject({ status: 0 });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(seen.filter((s) => s.url.includes('black-hole'))).toHaveLength(1);
    expect(c.givenUp()).toMatch(/KONTRACT_TIMEOUT/);
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'ns' }, spec: {} };
    await expect(c.replace(LEASE, lease, { lock: true })).rejects.toMatchObject({ reason: 'GivenUp' });
    await expect(c.replace(LEASE, lease, { release: true })).resolves.toMatchObject({ kind: 'Lease' });
    expect(lockPuts).toBe(1);
    expect(c.stats().byVerb.lock).toBe(2);
    c.close();
  });

  it('times an attempt out after timeoutMs without an answer and retries it (--request-timeout)', async () => {
    let n = 0;
    const { url, seen } = await fakeServer((_req, res) => {
      n++;
      if (n <= 2) return; // the first two attempts get no answer
      json(res, 200, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x', namespace: 'ns' } });
    });
    const conn = await connectCluster(cluster(url, tokenFile('t')), { env: {}, reporter: recorder() });
    const c = createClusterClient(conn, { backoffBaseMs: 1, timeoutMs: 200 });
    await expect(c.get(CONFIGMAP, 'ns', 'x')).resolves.toMatchObject({ metadata: { name: 'x' } });
    expect(seen).toHaveLength(3);
    c.close();
  });

  it('ends a request still waiting when the client is closed, without further attempts', async () => {
    const { url, seen } = await fakeServer(() => { /* never answers */ });
    const conn = await connectCluster(cluster(url, tokenFile('t')), { env: {}, reporter: recorder() });
    const c = createClusterClient(conn, { backoffBaseMs: 1 });
    const pending = c.get(CONFIGMAP, 'ns', 'x').catch((e: unknown) => e);
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    c.close();
    expect(await pending).toMatchObject({ code: 'E_CLUSTER_ACCESS', reason: 'Closed' });
    expect(Date.now() - t0).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toHaveLength(1);
  });

  it('gives the cluster up at its deadline, aborting a request waiting for an answer', async () => {
    const { url } = await fakeServer(() => { /* never answers */ });
    const conn = await connectCluster(cluster(url, tokenFile('t')), { env: {}, reporter: recorder() });
    const c = createClusterClient(conn, { backoffBaseMs: 1, deadlineMs: 300 });
    const t0 = Date.now();
    const err = await c.get(CONFIGMAP, 'ns', 'x').catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err).toMatchObject({ code: 'E_CLUSTER_ACCESS' });
    expect(c.givenUp()).toBe('its deadline of 300 ms (--cluster-timeout) passed');
    c.close();
  });

  it('carries 30 requests in flight on one cluster with a deadline without a listener-leak warning', async () => {
    const { url } = await fakeServer((_req, res) => { setTimeout(() => { json(res, 404, { kind: 'Status' }); }, 50); });
    const conn = await connectCluster(cluster(url, tokenFile('t')), { env: {}, reporter: recorder() });
    const c = createClusterClient(conn, { backoffBaseMs: 1, deadlineMs: 60_000 });
    const warnings: string[] = [];
    const onWarning = (w: Error): void => { warnings.push(w.name); };
    process.on('warning', onWarning);
    try {
      const got = await Promise.all(Array.from({ length: 30 }, (_, i) => c.get(CONFIGMAP, 'ns', `x${i}`)));
      expect(got.every((o) => o === undefined)).toBe(true);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
      c.close();
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('lets a Lease release in flight at the deadline finish, while the other requests in flight are cut', async () => {
    // The server answers the release PUT 500 ms after it arrived, never the GET.
    const { url, seen } = await fakeServer((req, res) => {
      if (req.method === 'PUT') setTimeout(() => { json(res, 200, { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', metadata: { name: 'l', namespace: 'ns' } }); }, 500);
    });
    const LEASE: ManagedKind = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true, order: 0 };
    const conn = await connectCluster(cluster(url, tokenFile('t')), { env: {}, reporter: recorder() });
    const c = createClusterClient(conn, { backoffBaseMs: 1, deadlineMs: 200 });
    const cut = c.get(CONFIGMAP, 'ns', 'x').catch((e: unknown) => e);
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'ns' }, spec: {} };
    const release = c.replace(LEASE, lease, { release: true });
    await expect(release).resolves.toMatchObject({ kind: 'Lease' });
    expect(c.givenUp()).toBe('its deadline of 200 ms (--cluster-timeout) passed');
    expect(await cut).toMatchObject({ code: 'E_CLUSTER_ACCESS', reason: 'Deadline', message: expect.stringContaining('aborted in flight: cluster given up (its deadline of 200 ms') as string });
    expect(seen.map((r) => r.method).sort()).toEqual(['GET', 'PUT']);
    c.close();
  });
});
