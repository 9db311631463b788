/**
 * The bad-input corpus: each test/fixtures/app-interface/bad/<case>/ holds `tree/` (files laid
 * over the valid base tree) and `expect.json` (every problem the loader must report, no more).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isValidationError } from '../../../src/core/errors.js';
import type { ValidationProblem } from '../../../src/core/errors.js';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/app-interface', import.meta.url));
const BASE = join(FIXTURES, 'base');
const BAD = join(FIXTURES, 'bad');

interface Expected { file: string; field: string; message: string; line?: number }

const work = mkdtempSync(join(tmpdir(), 'kontract-ai-bad-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

async function problemsOf(dir: string): Promise<readonly ValidationProblem[]> {
  try {
    await loadAppInterface({ kind: 'dir', path: dir });
  } catch (e) {
    if (isValidationError(e)) return e.problems;
    throw e;
  }
  return [];
}

describe('the base tree', () => {
  it('is valid', async () => {
    const data = await loadAppInterface({ kind: 'dir', path: BASE });
    expect(data.namespaces.map((n) => `${n.cluster}/${n.name}`)).toEqual(['c1/ns-a', 'c1/ns-b', 'c2/ns-c']);
  });

  it('accepts a declared 0 quota component', async () => {
    const data = await loadAppInterface({ kind: 'dir', path: BASE });
    expect(data.namespaces.find((n) => n.name === 'ns-c')?.quotaComponents).toMatchObject({ cpu: 2, memoryGB: 4, pods: 0 });
  });
});

const cases = readdirSync(BAD).sort();

describe('bad inputs', () => {
  it('has at least 30 cases', () => { expect(cases.length).toBeGreaterThanOrEqual(30); });

  it.each(cases)('%s', async (name) => {
    const dir = join(work, name);
    cpSync(BASE, dir, { recursive: true });
    cpSync(join(BAD, name, 'tree'), dir, { recursive: true });
    const expected = (JSON.parse(readFileSync(join(BAD, name, 'expect.json'), 'utf8')) as { problems: Expected[] }).problems;
    const got = await problemsOf(dir);
    for (const want of expected) {
      const match = got.find((p) => p.file === want.file && p.field === want.field && p.message.includes(want.message)
        && (want.line === undefined || p.line === want.line));
      expect(match, `expected ${JSON.stringify(want)} among ${JSON.stringify(got, null, 1)}`).toBeDefined();
    }
    expect(got.length, JSON.stringify(got, null, 1)).toBe(expected.length);
  });
});
