/**
 * The datafile JSON Schemas (schemas/) are valid draft-07 schemas and all compile. The registry
 * (src/app-interface/schema-registry.ts) skips ajv's meta-schema check at start-up for speed, so
 * this test is where a malformed schema is caught.
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { readSchemaFiles } from '../../../src/app-interface/schema-files.js';
import { schemaRegistry } from '../../../src/app-interface/schema-registry.js';

describe('datafile JSON Schemas', () => {
  const files = readSchemaFiles();
  const meta = new Ajv({ strict: false });

  it('there are schemas to check', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [f.path, f.text] as const))('%s is a valid draft-07 schema', (_path, text) => {
    const ok = meta.validateSchema(JSON.parse(text) as object);
    expect(meta.errors ?? [], meta.errorsText(meta.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the meta-schema check catches a malformed schema (the test can fail)', () => {
    expect(meta.validateSchema({ type: 'strin' })).toBe(false);
    expect(meta.validateSchema({ properties: { a: { required: 'yes' } } })).toBe(false);
  });

  it('every schema compiles in the registry', () => {
    const registry = schemaRegistry();
    expect(registry.ids.length).toBe(files.length);
    for (const id of registry.ids) expect(registry.validator(id), id).toBeTypeOf('function');
  });
});
