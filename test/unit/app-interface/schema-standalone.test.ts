/**
 * The validators `npm run build` precompiles (src/app-interface/schema-standalone.ts, ajv
 * standalone code) check exactly what ajv's run-time compilation checks: on the sample, the valid
 * base tree and every case of the bad-input corpus (test/fixtures/app-interface/bad), the same
 * problems with the same file, line, field and message, and the same `$ref` edges and problems from
 * the `x-kontract-ref` keyword. The registry uses a generated module only when its schemas match.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ValidatorsModule } from '../../../src/app-interface/schema-ajv.js';
import { readSchemaFiles } from '../../../src/app-interface/schema-files.js';
import { registryOf } from '../../../src/app-interface/schema-registry.js';
import type { SchemaRegistry, ValidationContext } from '../../../src/app-interface/schema-registry.js';
import { validatorsModule } from '../../../src/app-interface/schema-standalone.js';
import { readDirSnapshot } from '../../../src/app-interface/snapshot.js';
import { validateSnapshot } from '../../../src/app-interface/validate.js';
import { isValidationError } from '../../../src/core/errors.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(ROOT, 'test', 'fixtures', 'app-interface');

const files = readSchemaFiles();
// next to node_modules, so the generated code's require('ajv/dist/runtime/…') resolves
const cacheDir = join(ROOT, 'node_modules', '.cache');
mkdirSync(cacheDir, { recursive: true });
const work = mkdtempSync(join(cacheDir, 'kontract-standalone-'));
const moduleFile = join(work, 'schema-validators.cjs');
writeFileSync(moduleFile, validatorsModule(files));
const generated = createRequire(import.meta.url)(moduleFile) as ValidatorsModule;
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

const compiled = registryOf(files);
const precompiled = registryOf(files, generated);

async function outcome(dir: string, registry: SchemaRegistry): Promise<unknown> {
  const snap = await readDirSnapshot(dir);
  try {
    validateSnapshot(snap, { registry });
    return 'valid';
  } catch (e) {
    if (isValidationError(e)) return e.problems;
    throw e;
  }
}

describe('precompiled datafile validators', () => {
  it('are used only for the schemas they were generated from', () => {
    expect(precompiled.validator('/openshift/namespace-1.yml')).not.toBe(compiled.validator('/openshift/namespace-1.yml'));
    const edited = files.map((f, i) => (i === 0 ? { ...f, text: f.text.replace('{', '{"description": "edited",') } : f));
    const stale = registryOf(edited, generated);
    const id = stale.ids[0] ?? '';
    // a stale module is ignored: the validator is ajv's (it has ajv's `schema` property), not the generated function
    expect((stale.validator(id) as unknown as { schema?: unknown }).schema).toBeDefined();
    expect((precompiled.validator(id) as unknown as { schema?: unknown }).schema).toBeUndefined();
  });

  it('cover every schema', () => {
    expect(precompiled.ids).toEqual(compiled.ids);
    for (const id of precompiled.ids) expect(precompiled.validator(id), id).toBeTypeOf('function');
  });

  it('report the same problems as run-time compilation on the sample and the base tree', async () => {
    for (const dir of [join(ROOT, 'app-interface-sample'), join(FIXTURES, 'base')]) {
      expect(await outcome(dir, precompiled)).toEqual(await outcome(dir, compiled));
    }
    expect(await outcome(join(ROOT, 'app-interface-sample'), precompiled)).toBe('valid');
  });

  it.each(readdirSync(join(FIXTURES, 'bad')).sort())('report the same problems (file, line, field, message) on bad input %s', async (name) => {
    const dir = join(work, name);
    cpSync(join(FIXTURES, 'base'), dir, { recursive: true });
    cpSync(join(FIXTURES, 'bad', name, 'tree'), dir, { recursive: true });
    const want = await outcome(dir, compiled);
    expect(await outcome(dir, precompiled)).toEqual(want);
  });

  it('call the x-kontract-ref keyword with the instance path of each $ref', () => {
    const ctx = (): ValidationContext => ({ file: '/ns.yml', schemaAt: (p) => (p === '/c.yml' ? '/openshift/cluster-1.yml' : undefined), edges: [], refProblems: [] });
    const data = { $schema: '/openshift/namespace-1.yml', name: 'n', cluster: { $ref: '/c.yml' }, networkPoliciesAllow: [{ $ref: '/nope.yml' }, { $ref: '../x.yml' }] };
    const results = [compiled, precompiled].map((r) => {
      const c = ctx();
      r.validator('/openshift/namespace-1.yml')?.call(c, data);
      return { edges: c.edges, refProblems: c.refProblems };
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[1]?.edges.map((e) => e.pointer)).toEqual(['/cluster']);
    expect(results[1]?.refProblems.map((p) => p.pointer)).toEqual(['/networkPoliciesAllow/0', '/networkPoliciesAllow/1']);
  });
});
