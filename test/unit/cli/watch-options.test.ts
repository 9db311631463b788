/**
 * The command-line checks of `reconcile --watch` (src/cli/commands/run.ts checkReconcileArgs,
 * docs/cli.md and docs/watch.md): what --watch combines with and how --resync-period is read.
 */
import { describe, expect, it } from 'vitest';
import { checkReconcileArgs } from '../../../src/cli/commands/run.js';
import type { GlobalArgs } from '../../../src/cli/command.js';

const base: GlobalArgs = { 'log-level': 'info', 'log-format': 'text', 'detailed-exitcode': false };
const check = (args: Record<string, unknown>) => checkReconcileArgs(['namespaces'], { ...base, ...args }, []);

describe('reconcile --watch arguments', () => {
  it('defaults the resync period to 10 minutes and reads a duration', () => {
    expect(check({ watch: true }).resyncMs).toBe(600_000);
    expect(check({ watch: true, 'resync-period': '90s' }).resyncMs).toBe(90_000);
    expect(check({ watch: true, 'resync-period': '5m', 'metrics-port': 9090 }).resyncMs).toBe(300_000);
    expect(check({}).resyncMs).toBeUndefined();
  });

  it('refuses --watch with --interval, --changed-since or --plan-file, and --resync-period without --watch', () => {
    expect(() => check({ watch: true, interval: 60 })).toThrow(/--watch and --interval are exclusive/);
    expect(() => check({ watch: true, 'changed-since': 'main' })).toThrow(/--watch and --changed-since are exclusive/);
    expect(() => check({ watch: true, 'plan-file': 'p.json' })).toThrow(/--watch and --plan-file are exclusive/);
    expect(() => check({ 'resync-period': '5m' })).toThrow(/--resync-period needs --watch/);
    expect(() => check({ watch: true, 'resync-period': 'soon' })).toThrow(/--resync-period soon: expected a positive duration/);
    expect(() => check({ 'metrics-port': 9090 })).toThrow(/--metrics-port needs --interval or --watch/);
  });
});
