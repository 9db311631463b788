/**
 * Child processes of the harness: detached spawn with logs to a file, liveness and kill by
 * recorded PID only (the PID's command line is checked first, so a recycled PID is never hit).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ERROR_CODES, KontractError } from '../core/errors.js';
import { sleep } from './http.js';
import type { ProcessRecord } from './types.js';

export interface Started {
  readonly record: ProcessRecord;
  /** Resolves with the exit code (or signal name) if the process ends while we still run. */
  readonly exited: Promise<string>;
}

/**
 * Starts `binary args` detached (own process group, survives the CLI), stdout+stderr appended to
 * `log`. The caller records the PID and kills it later with `stopProcess`.
 */
export function startProcess(binary: string, args: readonly string[], log: string): Started {
  const fd = openSync(log, 'a', 0o600);
  try {
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd] });
    const pid = child.pid;
    if (pid === undefined) {
      throw new KontractError(ERROR_CODES.LOCAL_CLUSTER, `could not start ${path.basename(binary)} (see ${log})`);
    }
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => { resolve(signal ?? `exit code ${String(code)}`); });
      child.once('error', (e) => { resolve(e.message); });
    });
    child.unref();
    return { record: { pid, binary, log }, exited };
  } finally {
    closeSync(fd);
  }
}

function procState(pid: number): string | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." — comm may contain spaces/parens, so split at the last ')'
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

function cmdlineMatches(rec: ProcessRecord): boolean {
  try {
    const argv0 = readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return argv0 === rec.binary || path.basename(argv0) === path.basename(rec.binary);
  } catch {
    // no /proc (not Linux): trust signal 0 alone
    return true;
  }
}

/** True when the recorded process still runs (not a zombie) and is still our binary. */
export function isRunning(rec: ProcessRecord): boolean {
  try {
    process.kill(rec.pid, 0);
  } catch {
    return false;
  }
  if (procState(rec.pid) === 'Z') return false;
  return cmdlineMatches(rec);
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. No-op for a process that is gone or not ours. */
export async function stopProcess(rec: ProcessRecord, graceMs = 10_000): Promise<'gone' | 'terminated' | 'killed'> {
  if (!isRunning(rec)) return 'gone';
  signal(rec.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(rec)) return 'terminated';
    await sleep(100);
  }
  signal(rec.pid, 'SIGKILL');
  for (let i = 0; i < 50 && isRunning(rec); i++) await sleep(100);
  return 'killed';
}

/** Synchronous SIGKILL, for `process.on('exit')` hooks where nothing can be awaited. */
export function killNow(rec: ProcessRecord): void {
  if (isRunning(rec)) signal(rec.pid, 'SIGKILL');
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Opens and closes a loopback TCP listener on `port` (0: one the OS picks); the port it got, or undefined when the port is taken. */
function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => { resolve(undefined); });
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr !== null ? addr.port : undefined;
      srv.close(() => { resolve(got); });
    });
  });
}

/** A free loopback TCP port (the OS picks it; a tiny race with other processes is accepted). */
export async function freePort(): Promise<number> {
  const port = await listenOnce(0);
  if (port === undefined) throw new KontractError(ERROR_CODES.LOCAL_CLUSTER, 'no free loopback port: listening on 127.0.0.1:0 failed');
  return port;
}

/** The OS's range of ephemeral (outgoing connections' local) ports, or undefined where it cannot be read (not Linux). */
export function ephemeralPortRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): { readonly lo: number; readonly hi: number } | undefined {
  try {
    const [lo, hi] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return lo !== undefined && hi !== undefined && Number.isInteger(lo) && Number.isInteger(hi) && lo > 0 && lo <= hi ? { lo, hi } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a loopback TCP listener can be opened on `port` now. */
async function canListen(port: number): Promise<boolean> {
  return (await listenOnce(port)) !== undefined;
}

/** Lowest port servicePort picks from. */
export const SERVICE_PORT_MIN = 10_000;

/**
 * A free loopback port for a local cluster's etcd or kube-apiserver, below the OS's ephemeral
 * range where it can be read (Linux): a port in that range can be handed out as some outgoing
 * connection's local port while its apiserver is down, and the apiserver restarted on its
 * recorded port (restartApiserver) would then fail with "bind: address already in use". Picked at
 * random in [SERVICE_PORT_MIN, the range's start) and checked by listening on it; freePort where
 * there is no such room.
 */
export async function servicePort(range = ephemeralPortRange()): Promise<number> {
  if (range !== undefined && range.lo - SERVICE_PORT_MIN >= 1000) {
    for (let i = 0; i < 100; i++) {
      const p = SERVICE_PORT_MIN + Math.floor(Math.random() * (range.lo - SERVICE_PORT_MIN));
      if (await canListen(p)) return p;
    }
  }
  return freePort();
}

/**
 * Waits until a listener can be opened on `port` (polling every 100 ms), at most `timeoutMs`;
 * true when it can. A killed process's listening socket is closed only when the kernel has
 * finished its exit, which can come after its PID already looks gone.
 */
export async function waitUntilListenable(port: number, timeoutMs: number): Promise<boolean> {
  const t0 = Date.now();
  for (;;) {
    if (await canListen(port)) return true;
    if (Date.now() - t0 >= timeoutMs) return false;
    await sleep(100);
  }
}

/** Last lines of a log file, for error messages when a process dies at start-up. */
export function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
