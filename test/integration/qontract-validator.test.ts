/**
 * qontract-validator (PyPI qontract-validator 0.1.0, installed by scripts/qontract-validator.sh
 * into a cache virtualenv) accepts `kontract bundle`'s bundle of the sample with qontract's JSON
 * Schemas and GraphQL schema: zero errors, every datafile, reference and schema checked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/local-cluster/index.js';
import { sharedQontract } from '../support/shared-data.js';

const SAMPLE = fileURLToPath(new URL('../../app-interface-sample', import.meta.url));
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'kontract-qontract-validator-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Result { readonly filename: string; readonly kind: string; readonly result: { readonly status: string; readonly reason?: string } }

describe('qontract-validator on kontract bundle', () => {
  it('reports zero errors for the sample bundled with qontract\'s schemas', () => {
    const file = join(work, 'bundle.json');
    execFileSync(process.execPath, [join(repoRoot(), 'bin', 'kontract.js'), 'bundle', '--app-interface', SAMPLE,
      '--schemas', sharedQontract('schemas'), '--graphql-schema', sharedQontract('graphql-schemas', 'schema.yml'), '-o', file], { stdio: ['ignore', 'ignore', 'inherit'] });
    const bundle = JSON.parse(readFileSync(file, 'utf8')) as { data: Record<string, unknown>; resources: Record<string, { $schema: string | null }> };
    // every qontract-kind datafile is in `data`; kontract-only kinds travel as resources
    expect(Object.keys(bundle.data)).toContain('/openshift/prod-1/cluster.yml');
    expect(Object.values(bundle.resources).some((r) => r.$schema === '/kontract/tenant-1.yml')).toBe(true);
    let out: string;
    try {
      out = execFileSync(join(repoRoot(), 'scripts', 'qontract-validator.sh'), [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
      const stdout = (e as { stdout?: string }).stdout ?? '';
      const errors = (JSON.parse(stdout === '' ? '[]' : stdout) as Result[]).filter((r) => r.result.status === 'ERROR');
      throw new Error(`qontract-validator failed:\n${JSON.stringify(errors.slice(0, 10), null, 2)}`);
    }
    const results = JSON.parse(out) as Result[];
    expect(results.filter((r) => r.result.status === 'ERROR')).toEqual([]);
    const count = (kind: string): number => results.filter((r) => r.kind === kind).length;
    // datafiles, resources that name a $schema, and the GraphQL schema itself
    expect(count('FILE')).toBe(Object.keys(bundle.data).length + Object.values(bundle.resources).filter((r) => r.$schema !== null).length + 1);
    expect(count('REF')).toBeGreaterThan(50);
    expect(count('SCHEMA')).toBeGreaterThan(100);
  });
});
