/**
 * A real Prometheus Pushgateway for the metrics tests, on a free loopback port, in memory only
 * (`--persistence.file=`: Debian's build defaults to a shared file under /var/lib).
 * scripts/install-pushgateway.sh installs the binary.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';

export interface Pushgateway {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly stop: () => void;
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => { r(); }));
  return port;
}

/** Resolves once GET `url` answers 2xx (20 s at most). */
export async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

/** Starts a Pushgateway and waits until it is ready; `stop()` it in afterAll. */
export async function startPushgateway(): Promise<Pushgateway> {
  if (!existsSync(PUSHGATEWAY)) throw new Error(`${PUSHGATEWAY} missing: run scripts/install-pushgateway.sh`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(PUSHGATEWAY, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='], { stdio: 'ignore' });
  const stop = (): void => { child.kill('SIGTERM'); };
  try {
    await waitReady(`${url}/-/ready`);
  } catch (e) {
    stop();
    throw e;
  }
  return { url, stop };
}
