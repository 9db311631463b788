/**
 * --request-timeout / KONTRACT_REQUEST_TIMEOUT (src/cli/options.ts): parsed as a duration, the flag
 * before the environment, and a bad value is a usage error on every command that contacts
 * clusters (reconcile, fabric-status, inventory) before any cluster is contacted. That the timeout
 * cuts and retries requests is shown on a real cluster by the etcd-pause fault case
 * (test/integration/faults/control-plane-faults.test.ts).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { KontractCommand } from '../../../src/cli/command.js';
import { fabricStatusCommand } from '../../../src/cli/commands/fabric-status.js';
import { inventoryCommand } from '../../../src/cli/commands/inventory.js';
import { runCommand } from '../../../src/cli/commands/run.js';
import { REQUEST_TIMEOUT_ENV, requestTimeoutMs } from '../../../src/cli/options.js';
import { isKontractError } from '../../../src/core/errors.js';
import { silentReporter } from '../../../src/core/reporter.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../../src/k8s/cluster-client.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));

describe('requestTimeoutMs', () => {
  it('reads the flag, else the environment, else the default', () => {
    expect(requestTimeoutMs({}, {})).toBe(DEFAULT_REQUEST_TIMEOUT_MS);
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(30_000);
    expect(requestTimeoutMs({ 'request-timeout': '3s' }, {})).toBe(3000);
    expect(requestTimeoutMs({ 'request-timeout': '500ms' }, { [REQUEST_TIMEOUT_ENV]: '1m' })).toBe(500);
    expect(requestTimeoutMs({}, { [REQUEST_TIMEOUT_ENV]: '1m' })).toBe(60_000);
    expect(requestTimeoutMs({}, { [REQUEST_TIMEOUT_ENV]: '10' })).toBe(10_000);
  });

  it('refuses what is not a positive duration, naming where it came from', () => {
    expect(() => requestTimeoutMs({ 'request-timeout': '0' }, {})).toThrow(/--request-timeout 0: expected a positive duration/);
    expect(() => requestTimeoutMs({}, { [REQUEST_TIMEOUT_ENV]: 'soon' })).toThrow(/KONTRACT_REQUEST_TIMEOUT soon: expected a positive duration/);
  });
});

describe('a bad --request-timeout is a usage error on every command that contacts clusters', () => {
  const commands: readonly [string, KontractCommand, Readonly<Record<string, unknown>>][] = [
    ['reconcile', runCommand, { integrations: ['namespaces'], all: false, 'lock-namespace': 'kube-system', 'give-up-after': 20, 'grace-period': 10, concurrency: 10, 'max-deletions': 50 }],
    ['fabric-status', fabricStatusCommand, { 'critical-drift-share': 0.05 }],
    ['inventory', inventoryCommand, {}],
  ];
  for (const [name, command, args] of commands) {
    it(name, async () => {
      const run = command.run({ 'log-level': 'error', 'log-format': 'text', 'detailed-exitcode': false, 'app-interface': SAMPLE, ...args, 'request-timeout': 'never' },
        { reporter: silentReporter, env: {}, cwd: SAMPLE, signal: new AbortController().signal });
      await expect(run).rejects.toSatisfy((e: unknown) => isKontractError(e) && e.code === 'E_USAGE' && e.message.includes('--request-timeout never'));
    });
  }
});
