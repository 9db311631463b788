import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICE_PORT_MIN, ephemeralPortRange, freePort, isRunning, servicePort, startProcess, stopProcess, waitUntilListenable } from '../../../src/local-cluster/processes.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kontract-proc-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe(stopProcess, () => {
  it('terminates a recorded process with SIGTERM', async () => {
    const { record } = startProcess('/bin/sleep', ['30'], path.join(dir, 'sleep.log'));
    expect(isRunning(record)).toBe(true);

    expect(await stopProcess(record, 5000)).toBe('terminated');
    expect(isRunning(record)).toBe(false);
    expect(await stopProcess(record, 5000)).toBe('gone');
  });

  it('falls back to SIGKILL when SIGTERM is ignored', async () => {
    const { record } = startProcess('/bin/sh', ['-c', 'trap "" TERM; while :; do sleep 0.1; done'], path.join(dir, 'sh.log'));
    await new Promise((r) => setTimeout(r, 200));
    expect(await stopProcess(record, 300)).toBe('killed');
    expect(isRunning(record)).toBe(false);
  });

  it('leaves alone a PID whose command line is not the recorded binary', async () => {
    const { record } = startProcess('/bin/sleep', ['30'], path.join(dir, 'other.log'));
    const impostor = { ...record, binary: '/opt/bin/kube-apiserver' };
    expect(isRunning(impostor)).toBe(false);
    expect(await stopProcess(impostor, 100)).toBe('gone');
    expect(isRunning(record)).toBe(true);
    await stopProcess(record, 5000);
  });
});

describe(freePort, () => {
  it('returns a bindable loopback port', async () => {
    const p = await freePort();
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(65536);
  });
});

describe('servicePort: ports for local clusters below the ephemeral range', () => {
  it('reads the ephemeral range from a file like /proc/sys/net/ipv4/ip_local_port_range', () => {
    const ports = mkdtempSync(path.join(os.tmpdir(), 'kontract-ports-'));
    const file = path.join(ports, 'range');
    writeFileSync(file, '32768\t60999\n');
    expect(ephemeralPortRange(file)).toEqual({ lo: 32768, hi: 60999 });
    writeFileSync(file, 'garbage\n');
    expect(ephemeralPortRange(file)).toBeUndefined();
    expect(ephemeralPortRange(path.join(ports, 'missing'))).toBeUndefined();
    rmSync(ports, { recursive: true, force: true });
  });

  it('picks a free port in [SERVICE_PORT_MIN, the range start), one a listener can take', async () => {
    const range = { lo: 32768, hi: 60999 };
    for (let i = 0; i < 20; i++) {
      const p = await servicePort(range);
      expect(p).toBeGreaterThanOrEqual(SERVICE_PORT_MIN);
      expect(p).toBeLessThan(range.lo);
      await new Promise<void>((res, rej) => {
        const srv = net.createServer();
        srv.once('error', rej);
        srv.listen(p, '127.0.0.1', () => { srv.close(() => { res(); }); });
      });
    }
  });

  it('without room below the range (or no range), any free port', async () => {
    const p = await servicePort({ lo: SERVICE_PORT_MIN + 10, hi: 60999 });
    expect(p).toBeGreaterThan(0);
    expect(await servicePort(undefined)).toBeGreaterThan(0);
  });
});

describe('waitUntilListenable: a restart waits for the old listener to be gone', () => {
  const listenOn = (port: number): Promise<net.Server> => new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once('error', rej);
    srv.listen(port, '127.0.0.1', () => { res(srv); });
  });

  it('resolves true once the port is released, false while it stays taken', async () => {
    const port = await servicePort();
    const held = await listenOn(port);
    expect(await waitUntilListenable(port, 300)).toBe(false);
    setTimeout(() => { held.close(); }, 300);
    expect(await waitUntilListenable(port, 5000)).toBe(true);
    // and the port can then really be listened on
    (await listenOn(port)).close();
  });
});
