/** Loopback helpers of the fault suite: free ports, polling, and a black-holed TCP port. */
import { spawn } from 'node:child_process';
import * as net from 'node:net';

/** A free port on 127.0.0.1: the local control plane's own helper. */
export { freePort } from '../../../../src/local-cluster/processes.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until true; throws after `timeoutMs` (with `detail()` when given). */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean, detail?: () => string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail === undefined ? '' : `\n${detail()}`}`);
    await sleep(100);
  }
}

export interface BlackHole {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A loopback port whose TCP connects time out: a child process listens with a backlog of 1 and is
 * then stopped (SIGSTOP), so it never accepts; once the accept queue is full the kernel drops
 * further SYNs, and a client's connect hangs exactly as towards a black-holed host.
 */
export async function blackHole(): Promise<BlackHole> {
  const script = "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{process.stdout.write(String(s.address().port)+'\\n')})";
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((res, rej) => {
    child.stdout.once('data', (d: Buffer) => { res(Number(d.toString().trim())); });
    child.once('exit', (code) => { rej(new Error(`black-hole listener exited (${String(code)})`)); });
  });
  child.kill('SIGSTOP');
  // fill the accept queue (backlog + 1 on Linux); these sockets stay open until close()
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 8; i++) {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.on('error', () => undefined);
    fillers.push(s);
  }
  await sleep(300);
  const exited = new Promise<void>((r) => child.once('exit', () => { r(); }));
  const onExit = (): void => { child.kill('SIGKILL'); };
  process.once('exit', onExit);
  return {
    port,
    async close() {
      process.off('exit', onExit);
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** What a TCP connect to `port` did within `ms`: connected, failed (refused, reset) or still pending. */
export function connectOutcome(port: number, ms: number): Promise<'connected' | 'failed' | 'pending'> {
  return new Promise((res) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => { s.destroy(); res('pending'); }, ms);
    s.once('connect', () => { clearTimeout(timer); s.destroy(); res('connected'); });
    s.once('error', () => { clearTimeout(timer); res('failed'); });
  });
}
