/**
 * The end-to-end benchmark's generated app-interface (src/bench/large-app-interface.ts): the same
 * seed gives the same files, a different seed different ones, and the sample plus the generated
 * files validate like any app-interface and reach the integrations as namespaces with quotas,
 * limit ranges, network policies and role bindings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { ROLE_ACCESS, SAMPLE_DIR, generateDatafiles, generatorOptions, writeLargeAppInterface } from '../../../src/bench/large-app-interface.js';
import { checkDesired } from '../../../src/reconcile/desired.js';
import { INTEGRATIONS } from '../../../src/integrations/index.js';

const SMALL = { namespaces: 60, roles: 8, users: 20, seed: 7 };

describe('large app-interface generator', () => {
  const dirs: string[] = [];
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('is deterministic: the same options give the same files; another seed other files', () => {
    const a = generateDatafiles(SMALL);
    expect(generateDatafiles(SMALL)).toEqual(a);
    expect(a.size).toBe(SMALL.namespaces + SMALL.roles + SMALL.users);
    expect(generateDatafiles({ ...SMALL, seed: 8 })).not.toEqual(a);
  });

  it('defaults to the issue\'s case (3,000 namespaces, 300 roles, 1,000 users) and reads flags', () => {
    expect(generatorOptions([])).toEqual({ namespaces: 3000, roles: 300, users: 1000, seed: 1 });
    expect(generatorOptions(['--namespaces', '9', '--seed', '2'])).toEqual({ namespaces: 9, roles: 300, users: 1000, seed: 2 });
    expect(() => generatorOptions(['--users', 'x'])).toThrow(/--users/);
  });

  it('writes the sample plus the generated files, which validate and build desired objects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kontract-large-ai-'));
    dirs.push(dir);
    expect(writeLargeAppInterface(dir, SAMPLE_DIR, SMALL)).toBe(88);
    const sample = await loadAppInterface({ kind: 'dir', path: SAMPLE_DIR });
    const data = await loadAppInterface({ kind: 'dir', path: dir });
    expect(data.namespaces.length - sample.namespaces.length).toBe(SMALL.namespaces);
    expect(data.roles.length - sample.roles.length).toBe(SMALL.roles);
    expect(data.users.length - sample.users.length).toBe(SMALL.users);
    const generated = data.namespaces.filter((n) => n.path.includes('-svc-'));
    expect(generated.every((n) => n.quota !== undefined && n.limitRanges !== undefined)).toBe(true);
    expect(new Set(generated.map((n) => n.cluster))).toEqual(new Set(['prod-1', 'prod-2', 'dev-1']));
    const checked = await checkDesired(INTEGRATIONS, data, { env: {}, cwd: dir, now: new Date('2026-01-01T00:00:00Z') });
    const count = (name: string): number => checked.find((c) => c.integration.name === name)?.objects.filter((o) => o.source.includes('-svc-') || o.source.includes('/gen-')).length ?? 0;
    expect(count('namespaces')).toBe(SMALL.namespaces);
    expect(count('limitranges')).toBe(SMALL.namespaces);
    expect(count('resourcequotas')).toBeGreaterThanOrEqual(SMALL.namespaces);
    expect(count('networkpolicies')).toBeGreaterThan(0);
    // every generated role gives access to ROLE_ACCESS namespaces; its users get one binding each there
    expect(count('rolebindings')).toBeGreaterThan(0);
    expect(data.roles.filter((r) => r.name.startsWith('gen-role-')).every((r) => r.access.length === ROLE_ACCESS)).toBe(true);
    expect(checked.flatMap((c) => c.problems)).toEqual([]);
  });
});
