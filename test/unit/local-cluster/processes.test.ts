import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, isRunning, startProcess, stopProcess } from '../../../src/local-cluster/processes.js';

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
