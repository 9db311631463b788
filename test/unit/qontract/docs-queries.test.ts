/** The GraphQL examples in docs/app-interface.md are valid queries against `kontract serve`'s schema. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { kontractGraphqlConfs } from '../../../src/app-interface/graphql-confs.js';
import { buildQontractSchema } from '../../../src/app-interface/qontract-schema.js';

const DOC = readFileSync(fileURLToPath(new URL('../../../docs/app-interface.md', import.meta.url)), 'utf8');

describe('docs/app-interface.md GraphQL examples', () => {
  const blocks = [...DOC.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap((m) => (m[1] ?? '').split('\n').join('\n').split(/\n(?=\{)/));
  it('has examples', () => { expect(blocks.length).toBeGreaterThanOrEqual(3); });
  it.each(blocks.map((b) => [b.slice(0, 40), b]))('%s… validates', (_t, q) => {
    const served = buildQontractSchema(kontractGraphqlConfs(), { datafiles: new Map(), resources: new Map() });
    expect(validate(served, parse(q)).map((e) => e.message)).toEqual([]);
  });
});
