/**
 * Safety guarantees of the built CLI (`npm run build` first) against the real local cluster
 * prod-1: filters matching nothing exit 64 naming the valid values; SIGTERM / SIGINT during a wet
 * run stop sending writes, print what was applied and what was not, and exit 143 / 130, and the
 * next run converges; a Lease held by another run fails the wet run (exit 1) but not a dry-run.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEASE_DURATION_SECONDS, microTime } from '../../src/reconcile/run-lock.js';
import { namespaceLines, writeCluster } from './support/app-interface.js';
import { testCluster, testClusters, uniqueName } from './support/clusters.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'kontract.js');

interface CliResult { code: number | null; signal?: string | null; stdout: string; stderr: string }

function kontract(args: readonly string[]): Promise<CliResult> {
  return new Promise((res) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      res({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

/** Runs the CLI and sends `signal` once `when(stderr)` holds. */
function kontractSignalled(args: readonly string[], signal: NodeJS.Signals, when: (stderr: string) => boolean): Promise<CliResult & { signalledAt: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let signalledAt = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (signalledAt === '' && when(stderr)) {
        signalledAt = stderr;
        child.kill(signal);
      }
    });
    child.on('close', (code, sig) => { res({ code, signal: sig, stdout, stderr, signalledAt }); });
  });
}

function api(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  const c = testCluster('prod-1');
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(new URL(path, c.server), {
      method, ca: readFileSync(c.caFile),
      headers: { Authorization: `Bearer ${c.adminToken}`, Accept: 'application/json', ...(payload === undefined ? {} : { 'Content-Type': contentType }) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolvePromise({ status: res.statusCode ?? 0, json: text.startsWith('{') ? JSON.parse(text) as Record<string, unknown> : {} });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function ownedNamespaces(prefix: string): Promise<string[]> {
  const r = await api('GET', '/api/v1/namespaces?labelSelector=kontract.io%2Fintegration%3Dnamespaces');
  return ((r.json.items ?? []) as { metadata: { name: string } }[]).map((i) => i.metadata.name).filter((n) => n.startsWith(prefix));
}

describe('kontract CLI safety on a real cluster', () => {
  const prefix = uniqueName('sig');
  const N = 120;
  const names = Array.from({ length: N }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  let dir = '';
  let common: string[] = [];

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ missing: run npm run build first');
    dir = mkdtempSync(join(tmpdir(), 'kontract-safety-cli-'));
    mkdirSync(join(dir, 'clusters'));
    mkdirSync(join(dir, 'namespaces'));
    writeCluster(dir, 'prod-1', testCluster('prod-1').server, ['kubeconfigContext: prod-1']);
    for (const n of names) {
      writeFileSync(join(dir, 'namespaces', `${n}.yml`), [...namespaceLines(n, 'prod-1'), ''].join('\n'));
    }
    common = ['namespaces', '--app-interface', dir, '--kubeconfig', testClusters().kubeconfig, ...names.flatMap((n) => ['--namespace', n])];
  });

  afterAll(async () => {
    for (const n of await ownedNamespaces(prefix)) await api('DELETE', `/api/v1/namespaces/${n}`);
    await api('DELETE', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kontract-namespaces');
  });

  it('exits 64 on --cluster / --namespace values that match nothing, naming the valid values', async () => {
    const c = await kontract(['namespaces', '--app-interface', dir, '--kubeconfig', testClusters().kubeconfig, '--dry-run', '--cluster', 'nosuch']);
    expect(c.code).toBe(64);
    expect(c.stderr).toContain('--cluster nosuch: no such cluster in the app-interface (valid: prod-1)');
    const n = await kontract(['namespaces', '--app-interface', dir, '--kubeconfig', testClusters().kubeconfig, '--dry-run', '--namespace', 'nosuch']);
    expect(n.code).toBe(64);
    expect(n.stderr).toMatch(new RegExp(`--namespace nosuch: no such namespace in the app-interface for this run \\(valid: ${names[0] ?? ''}, `));
    expect(n.stdout).toBe('');
  });

  it('SIGTERM during a wet run: stops sending, reports applied and not sent, exits 143; SIGINT exits 130; the next run converges', async () => {
    const applied = (s: string): number => (s.match(/applied create /g) ?? []).length;
    const planFile = join(dir, 'plan-sigterm.json');
    const term = await kontractSignalled([...common, '--concurrency', '1', '--log-level', 'debug', '--plan-file', planFile], 'SIGTERM', (s) => applied(s) >= 10);
    expect(term.signal).toBeNull();
    expect(term.code).toBe(143);
    const line = /Apply: applied (\d+), failed 0, not sent (\d+), interrupted by SIGTERM/.exec(term.stdout);
    expect(line).not.toBeNull();
    const [sent, notSent] = [Number(line?.[1]), Number(line?.[2])];
    expect(sent).toBeGreaterThanOrEqual(10);
    expect(sent + notSent).toBe(N);
    expect(notSent).toBeGreaterThan(0);
    expect(term.stdout).toContain('Not sent:');
    expect(term.stdout).toMatch(/\+ create prod-1\/-\/Namespace\/\S+ \(namespaces\): not sent: run interrupted \(SIGTERM\)/);
    expect(term.stderr).toMatch(new RegExp(`${sent} change\\(s\\) applied, ${notSent} not sent \\(interrupted by SIGTERM\\)`));
    // The plan file was rewritten after the apply.
    const written = JSON.parse(readFileSync(planFile, 'utf8')) as { apply?: { applied: number; notSent: number; interrupted?: string }; notSent?: unknown[] };
    expect(written.apply).toMatchObject({ applied: sent, notSent, interrupted: 'SIGTERM' });
    expect(written.notSent).toHaveLength(notSent);
    // Exactly what the report says was applied exists; nothing else was sent.
    expect((await ownedNamespaces(prefix)).length).toBe(sent);

    const int = await kontractSignalled([...common, '--concurrency', '1', '--log-level', 'debug'], 'SIGINT', (s) => applied(s) >= 5);
    expect(int.code).toBe(130);
    const second = /Apply: applied (\d+), failed 0, not sent (\d+), interrupted by SIGINT/.exec(int.stdout);
    expect(Number(second?.[1]) + Number(second?.[2])).toBe(N - sent);

    const last = await kontract([...common, '--detailed-exitcode']);
    expect(last.code).toBe(2);
    expect((await ownedNamespaces(prefix)).length).toBe(N);
    expect((await kontract([...common, '--detailed-exitcode'])).code).toBe(0);
  });

  it('a Lease held by another run fails the wet run (exit 1, E_LOCKED), not the dry-run; --wait-for-lock needs a duration', async () => {
    const now = new Date();
    const put = await api('PATCH', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kontract-namespaces?fieldManager=test-lease&force=true', {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kontract-namespaces', namespace: 'kube-system' },
      spec: { holderIdentity: 'cron-elsewhere', leaseDurationSeconds: LEASE_DURATION_SECONDS, acquireTime: microTime(now), renewTime: microTime(now) },
    }, 'application/apply-patch+yaml');
    expect(put.status).toBeLessThan(300);
    const dry = await kontract([...common, '--dry-run']);
    expect(dry.code).toBe(0);
    const prom = join(dir, 'locked.prom');
    const wet = await kontract([...common, '--metrics-file', prom]);
    expect(wet.code).toBe(1);
    expect(readFileSync(prom, 'utf8')).toMatch(/kontract_api_requests_total\{cluster="prod-1",verb="lock"[^}]*\} [1-9]/);
    expect(wet.stderr).toContain('E_LOCKED');
    // the holder and when its Lease expires (renewTime + leaseDurationSeconds) unless it is renewed
    const expires = new Date(now.getTime() + LEASE_DURATION_SECONDS * 1000).toISOString();
    expect(wet.stderr).toContain(`Lease kube-system/kontract-namespaces on cluster prod-1 is held by another run (cron-elsewhere, renewed ${microTime(now)}, expires ${expires} unless renewed, valid for `);
    const waited = await kontract([...common, '--wait-for-lock', '2s']);
    expect(waited.code).toBe(1);
    expect(waited.stderr).toContain(`Lease kube-system/kontract-namespaces on cluster prod-1 is held by cron-elsewhere (renewed ${microTime(now)}, expires ${expires} unless renewed); waiting up to 2 s`);
    expect(waited.stderr).toMatch(/\(waited 2 s\); retry later or pass --wait-for-lock DURATION/);
    expect((await kontract([...common, '--wait-for-lock', 'soon'])).code).toBe(64);
  });

  it.each(['h1', 'h2'])('on SIGTERM, requests in flight get --grace-period seconds, then are aborted (--transport %s)', async (transport) => {
    // A black hole: accepts connections and never answers (TLS handshakes hang until the request timeout, 30 s).
    const sockets: Socket[] = [];
    const hole = createServer((s) => { sockets.push(s); });
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    const port = (hole.address() as AddressInfo).port;
    const bh = mkdtempSync(join(tmpdir(), 'kontract-blackhole-'));
    mkdirSync(join(bh, 'clusters'));
    mkdirSync(join(bh, 'namespaces'));
    writeCluster(bh, 'hole-1', `https://127.0.0.1:${port}`, ['tokenEnv: HOLE_TOKEN']);
    writeFileSync(join(bh, 'namespaces', 'x.yml'), [...namespaceLines(`${prefix}-hole`, 'hole-1'), ''].join('\n'));
    try {
      const t0 = Date.now();
      let sentAt = 0;
      const r = await new Promise<CliResult>((res) => {
        const child = spawn(process.execPath, [BIN, 'namespaces', '--app-interface', bh, '--grace-period', '1', '--transport', transport], { env: { PATH: process.env.PATH, NO_COLOR: '1', HOLE_TOKEN: 'x' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
        child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        const poll = setInterval(() => {
          if (sockets.length > 0 && sentAt === 0) { sentAt = Date.now(); child.kill('SIGTERM'); clearInterval(poll); }
        }, 50);
        child.on('close', (code) => { clearInterval(poll); res({ code, stdout, stderr }); });
      });
      expect(r.code).toBe(143);
      const afterSignal = (Date.now() - sentAt) / 1000;
      expect(afterSignal).toBeGreaterThanOrEqual(1);
      // Well before the 5 s Lease request timeout: a connect still pending must end with the abort.
      expect(afterSignal).toBeLessThan(4);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(r.stderr).toContain('hole-1');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => hole.close(() => { r(); }));
    }
  });
});
