/**
 * One shape, one source: the TypeScript types of the core datafile kinds are generated from their
 * JSON Schemas (scripts/gen-datafile-types.js, json-schema-to-typescript). This fails when the
 * committed src/app-interface/datafile-types.generated.ts is not what the schemas give today
 * (fix: `npm run gen:types`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OUTPUT, generate } from '../../../scripts/gen-datafile-types.js';

describe('datafile types generated from the JSON Schemas', () => {
  it('are current', async () => {
    const fresh = await generate();
    expect(readFileSync(OUTPUT, 'utf8')).toBe(fresh);
  });
});
