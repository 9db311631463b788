/**
 * yargs renders the matched command's whole help after starting its handler (cacheHelpMessage);
 * createParser turns that off (src/cli/main.ts skipHelpCaching). These tests count the renders
 * through the same internal API and check that `--help` still prints the command's help.
 */
import { describe, expect, it } from 'vitest';
import { createParser } from '../../../src/cli/main.js';

interface Usage { help: () => string; cacheHelpMessage: () => void }
interface Internals { getInternalMethods: () => { getUsageInstance: () => Usage } }

async function renders(args: readonly string[]): Promise<{ renders: number; handled: number; out: string }> {
  let handled = 0;
  const y = await createParser(args, () => { handled++; return Promise.resolve(); });
  const usage = (y as unknown as Internals).getInternalMethods().getUsageInstance();
  const help = usage.help.bind(usage);
  let count = 0;
  usage.help = () => { count++; return help(); };
  const out = await new Promise<string>((res) => {
    void y.parse([...args], {}, (_e: unknown, _a: unknown, o: string) => { res(o); });
  });
  return { renders: count, handled, out };
}

describe('createParser: the help text is rendered only when it is shown', () => {
  it('running a command renders no help', async () => {
    const r = await renders(['reconcile', '--all', '--app-interface', 'app-interface-sample', '--dry-run']);
    expect(r.handled).toBe(1);
    expect(r.renders).toBe(0);
  });

  it('--help still renders and prints the command\'s help', async () => {
    const r = await renders(['reconcile', '--help']);
    expect(r.handled).toBe(0);
    expect(r.renders).toBeGreaterThan(0);
    expect(r.out).toContain('kontract reconcile [integrations..]');
    expect(r.out).toContain('--dry-run');
  });

  it('the parser\'s cacheHelpMessage renders nothing', async () => {
    const y = await createParser(['validate'], () => Promise.resolve());
    const usage = (y as unknown as Internals).getInternalMethods().getUsageInstance();
    // The override is a no-op: calling it renders nothing and caches nothing.
    let count = 0;
    const help = usage.help.bind(usage);
    usage.help = () => { count++; return help(); };
    usage.cacheHelpMessage();
    expect(count).toBe(0);
  });
});
