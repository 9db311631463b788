/**
 * HTTP-level faults on a disposable cluster: 429/503 storms with Retry-After and 409 conflicts
 * answered by the suite's own fault proxy in front of the real apiserver; a token rotated while a
 * run is in flight (real ServiceAccount tokens: the old one is revoked on the apiserver, the token
 * file the cluster datafile names holds the new one); and a concurrent writer owning fields
 * kontract declares.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { AuthenticationV1TokenRequest, CoreV1Api, KubernetesObjectApi, PatchStrategy, V1TokenRequestSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { namespaceCount } from './support/cluster-state.js';
import { servingCertificate } from './support/disposable-clusters.js';
import { useFaultCase } from './support/fault-case.js';
import { startHttpFaultProxy } from './support/http-fault-proxy.js';
import type { HttpFaultProxy, LoggedRequest } from './support/http-fault-proxy.js';
import { namespaceSet, summary, writeAppInterface } from './support/kontract.js';
import type { CliRun, NamespaceEntry } from './support/kontract.js';
import { waitFor } from './support/net.js';
import { MAX_THROTTLED_RETRIES } from '../../../src/k8s/retry-policy.js';

const CLUSTER = 'fault-http';

/** A plain object for client-node's generic object API (its typed calls want model class instances). */
interface PlainObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}
const isWrite = (r: { method: string }): boolean => r.method === 'PATCH' || r.method === 'DELETE';

describe('HTTP faults (disposable cluster, fault proxy)', () => {
  let proxy: HttpFaultProxy;
  let tokenFile = '';
  const fc = useFaultCase({
    name: 'http', clusters: [CLUSTER],
    async setup(f) {
      const c = f.clusters.cluster(CLUSTER);
      proxy = await startHttpFaultProxy({ upstreamPort: c.port, ...servingCertificate(c) });
      tokenFile = f.tokenFile(c);
    },
    teardown: async () => { await proxy?.close(); },
  });
  let desired: NamespaceEntry[] = [];

  const setToken = (token: string): void => {
    writeFileSync(tokenFile, `${token}\n`);
    chmodSync(tokenFile, 0o600);
  };
  const write = (ns: readonly NamespaceEntry[]): void => {
    const c = fc.clusters.cluster(CLUSTER);
    writeAppInterface(fc.dir, [{ name: CLUSTER, server: `https://127.0.0.1:${proxy.port}`, caFile: c.caFile, tokenFile }], ns);
    desired = [...ns];
  };
  const add = (prefix: string, count: number): void => { write([...desired, ...namespaceSet(CLUSTER, prefix, count)]); };
  const checkConverged = (): Promise<{ lost: number; touched: number }> => fc.checkConverged(desired.map((n) => n.name));

  /** After the fault (proxy rule removed): a clean run converges, then a dry-run has nothing to do. */
  const converge = async (): Promise<{ seconds: number; lost: number; touched: number }> => {
    proxy.setRule(undefined);
    proxy.setDelay(0);
    const next = await fc.run();
    expect(next.code, summary(next)).toBe(0);
    return { seconds: next.seconds, ...await checkConverged() };
  };
  const since = (t: number): LoggedRequest[] => proxy.log.filter((r) => r.at >= t);
  const now = (): number => proxy.log.at(-1)?.at ?? 0;

  it('429/503 storm with Retry-After: 1 for 2.5 s from the first write: Retry-After is honoured and the run converges', async () => {
    add('storm', 200);
    const t0 = now();
    let stormStart: number | undefined;
    let n = 0;
    proxy.setRule((r) => {
      if (stormStart === undefined && isWrite(r)) stormStart = r.at;
      if (stormStart === undefined || r.at - stormStart > 2500) return undefined;
      n++;
      return n % 2 === 0
        ? { status: 429, reason: 'TooManyRequests', message: 'storm (fault proxy)', headers: { 'Retry-After': '1' } }
        : { status: 503, reason: 'ServiceUnavailable', message: 'storm (fault proxy)', headers: { 'Retry-After': '1' } };
    });
    const faulted = await fc.run();
    proxy.setRule(undefined);
    expect(faulted.code, summary(faulted)).toBe(0);
    const log = since(t0);
    const injected = log.filter((r) => r.injected);
    expect(injected.length).toBeGreaterThanOrEqual(10);
    // every answered 429/503 was followed by the same request no sooner than Retry-After
    const gaps = injected.map((r) => (log.find((x) => x.path === r.path && x.method === r.method && x.at > r.at)?.at ?? Infinity) - r.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(950);
    expect(Math.max(...gaps)).toBeLessThan(Infinity);
    const conv = await checkConverged();
    fc.report.add({
      fault: '429/503 storm, Retry-After: 1, 2.5 s from the first write of a 200-namespace wet run (own proxy)',
      kontract: `${summary(faulted)}; ${injected.length} requests answered 429/503, each retried after ≥ ${(Math.min(...gaps) / 1000).toFixed(2)} s`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds,
    });
  }, 300_000);

  it('a server that takes 3 writes at a time and answers 429 beyond them: at --concurrency 10 kontract lowers its writes in flight, every write lands, few 429s', async () => {
    add('seats', 100);
    const t0 = now();
    // As an API Priority and Fairness level with 3 seats and Reject: a write arriving while 3 are
    // in flight is answered 429 at once; each forwarded request is held 30 ms.
    proxy.setDelay(30);
    proxy.setRule((r) => (isWrite(r) && proxy.inFlight >= 3 ? { status: 429, reason: 'TooManyRequests', message: 'seats taken (fault proxy)', headers: { 'Retry-After': '1' } } : undefined));
    const faulted = await fc.run(['--concurrency', '10']);
    proxy.setRule(undefined);
    proxy.setDelay(0);
    expect(faulted.code, summary(faulted)).toBe(0);
    const writes = since(t0).filter(isWrite);
    const rejected = writes.filter((r) => r.status === 429);
    const created = writes.filter((r) => r.status === 201).length;
    expect(created).toBe(100);
    // far from a retry storm: few rejections for 100 writes (each probe above the seats costs about one)
    expect(rejected.length).toBeLessThan(50);
    const perWrite = new Map<string, number>();
    for (const r of writes) perWrite.set(r.path, (perWrite.get(r.path) ?? 0) + 1);
    expect(Math.max(...perWrite.values())).toBeLessThanOrEqual(1 + MAX_THROTTLED_RETRIES);
    const warning = faulted.logs.find((l) => /answered 429 Too Many Requests/.test(l.msg));
    expect(warning?.msg).toMatch(new RegExp(`^cluster ${CLUSTER}: ${rejected.length} request\\(s\\) answered 429 Too Many Requests \\(retried after Retry-After\\); requests in flight lowered to [123] at the lowest$`));
    const conv = await checkConverged();
    fc.report.add({
      fault: 'a server taking 3 writes at a time, 429 (Retry-After: 1) beyond them, each write held 30 ms; 100-namespace wet run at --concurrency 10 (own proxy)',
      kontract: `${summary(faulted)}; ${rejected.length} writes answered 429 for 100 creates, at most ${Math.max(...perWrite.values())} attempts per write; ${warning?.msg ?? ''}`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds,
    });
  }, 300_000);

  it('every write answered 429 and nothing gets through: each write spends its 4 retries, the run exits 1, the next run converges', async () => {
    add('flood', 10);
    const t0 = now();
    proxy.setRule((r) => (isWrite(r) ? { status: 429, reason: 'TooManyRequests', message: 'flood (fault proxy)', headers: { 'Retry-After': '1' } } : undefined));
    const faulted = await fc.run();
    proxy.setRule(undefined);
    expect(faulted.code).toBe(1);
    const attempts = new Map<string, number>();
    for (const r of since(t0).filter(isWrite)) attempts.set(r.path, (attempts.get(r.path) ?? 0) + 1);
    // No write got through between a write's attempts, so each 429 spent a retry: 1 + 4 sends,
    // however low the adaptive concurrency went (retry-policy.ts retryThrottled).
    expect(new Set(attempts.values())).toEqual(new Set([5]));
    expect(faulted.logs.filter((l) => l.code === 'E_APPLY')).toHaveLength(10);
    const conv = await converge();
    fc.report.add({
      fault: 'every write answered 429 (Retry-After: 1) for a whole 10-namespace wet run (own proxy)',
      kontract: `${summary(faulted)}; nothing got through, so every write was sent 5 times (4 retries), then reported failed`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds, convergeSeconds: conv.seconds,
    });
  }, 300_000);

  it('409 Conflict: kontract re-reads the object and retries up to 3 times; a lasting conflict fails that object (exit 1), a passing one is applied', async () => {
    add('conflict', 100);
    const names = desired.filter((n) => n.name.startsWith('conflict-')).map((n) => n.name);
    const lasting = names.slice(0, 3).map((n) => `/api/v1/namespaces/${n}?`);
    const passing = names.slice(3, 8).map((n) => `/api/v1/namespaces/${n}?`);
    const answered = new Set<string>();
    const conflict = { status: 409, reason: 'Conflict', message: 'Operation cannot be fulfilled: the object has been modified (fault proxy)' };
    const t0 = now();
    proxy.setRule((r) => {
      if (r.method !== 'PATCH') return undefined;
      if (lasting.some((p) => r.path.startsWith(p))) return conflict;
      const once = passing.find((p) => r.path.startsWith(p));
      if (once === undefined || answered.has(once)) return undefined;
      answered.add(once);
      return conflict;
    });
    const faulted = await fc.run();
    proxy.setRule(undefined);
    expect(faulted.code).toBe(1);
    const log = since(t0);
    for (const p of lasting) {
      const patches = log.filter((r) => r.method === 'PATCH' && r.path.startsWith(p));
      expect(patches.map((r) => r.status)).toEqual([409, 409, 409, 409]);
      // one GET of the object after each of the first three conflicts
      expect(log.filter((r) => r.method === 'GET' && `${r.path}?`.startsWith(p) && r.at >= (patches[0]?.at ?? 0))).toHaveLength(3);
    }
    for (const p of passing) expect(log.filter((r) => r.method === 'PATCH' && r.path.startsWith(p)).map((r) => r.status)).toEqual([409, 201]);
    expect(faulted.logs.filter((l) => l.code === 'E_APPLY')).toHaveLength(3);
    const conv = await converge();
    fc.report.add({
      fault: '409 Conflict answered to creates of a 100-namespace wet run: 3 objects always, 5 once (own proxy)',
      kontract: `${summary(faulted)}; each 409 followed by a GET of the object and a retry (at most 3): the 5 passing conflicts applied, the 3 lasting ones reported after 4 attempts`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds, convergeSeconds: conv.seconds,
    });
  }, 300_000);

  it('a concurrent writer owning a field kontract declares: kontract applies with force and takes it back, leaving the writer\'s own fields', async () => {
    const name = desired[0]?.name ?? '';
    const objects = KubernetesObjectApi.makeApiClient(fc.kc);
    const hijack: PlainObject = {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name, labels: { 'other.example/team': 'blue' }, annotations: { 'openshift.io/display-name': 'hijacked' } },
    };
    await objects.patch(hijack, undefined, undefined, 'other-writer', true, PatchStrategy.ServerSideApply);
    const t0 = now();
    const run = await fc.run();
    expect(run.code, summary(run)).toBe(0);
    expect(since(t0).filter((r) => r.status === 409 && r.method === 'PATCH')).toEqual([]);
    expect(run.stdout).toMatch(/fields taken from manager other-writer \(Apply\): .*display-name/);
    const ns = await fc.kc.makeApiClient(CoreV1Api).readNamespace({ name });
    expect(ns.metadata?.annotations?.['openshift.io/display-name']).toBe(name);
    expect(ns.metadata?.labels?.['other.example/team']).toBe('blue');
    const conv = await checkConverged();
    fc.report.add({
      fault: 'a second field manager (SSA, force) takes the display-name annotation kontract declares and adds its own label',
      kontract: `${summary(run)}; no 409 (server-side apply with force): the annotation is kontract's value again and the plan names the field taken from other-writer; the other manager's label stays`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(run.code), faultRunSeconds: run.seconds,
    });
  }, 300_000);

  it('401 after a token rotation mid-run: kontract re-reads the token file and carries on', async () => {
    const objects = KubernetesObjectApi.makeApiClient(fc.kc);
    const core = fc.kc.makeApiClient(CoreV1Api);
    const tokenFor = async (sa: string): Promise<string> => {
      await objects.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: 'kube-system' } });
      await objects.create({
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: sa },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: sa, namespace: 'kube-system' }],
      } satisfies PlainObject);
      const spec = new V1TokenRequestSpec();
      spec.audiences = [];
      spec.expirationSeconds = 3600;
      const body = new AuthenticationV1TokenRequest();
      body.spec = spec;
      const tr = await core.createNamespacedServiceAccountToken({ name: sa, namespace: 'kube-system', body });
      return tr.status?.token ?? '';
    };
    const oldToken = await tokenFor('kontract-old');
    const newToken = await tokenFor('kontract-new');
    setToken(oldToken);
    add('rotate', 130);
    // 1 s per request: the run lasts ~13 s, longer than the apiserver's 10 s cache of successful
    // token authentications, so the revoked token is refused while the run is still going
    proxy.setDelay(1000);
    const t0 = now();
    const before = await namespaceCount(fc.kc);
    const running = fc.start();
    await waitFor('the first namespace created with the old token', 60_000, async () => { running.assertRunning(); return (await namespaceCount(fc.kc)) >= before + 1; });
    // rotation: the new token is in the file first, then the old one is revoked
    setToken(newToken);
    await core.deleteNamespacedServiceAccount({ name: 'kontract-old', namespace: 'kube-system' });
    const faulted: CliRun = await running.done;
    proxy.setDelay(0);
    expect(faulted.code, summary(faulted)).toBe(0);
    expect(since(t0).filter((r) => r.status === 401).length).toBeGreaterThan(0);
    expect(faulted.logs.some((l) => l.msg.includes('401 Unauthorized; credentials re-read (changed)'))).toBe(true);
    expect(faulted.stdout + faulted.stderr).not.toContain(oldToken);
    expect(faulted.stdout + faulted.stderr).not.toContain(newToken);
    const conv = await checkConverged();
    fc.report.add({
      fault: 'ServiceAccount token rotated during a 130-namespace wet run (new token written to the token file, old ServiceAccount deleted)',
      kontract: `${summary(faulted)}; ${since(t0).filter((r) => r.status === 401).length} request(s) answered 401, then the token file was re-read and the request retried with the new token`,
      lost: conv.lost, unownedTouched: conv.touched, exit: String(faulted.code), faultRunSeconds: faulted.seconds,
    });
    setToken(fc.clusters.cluster(CLUSTER).adminToken);
  }, 300_000);
});
