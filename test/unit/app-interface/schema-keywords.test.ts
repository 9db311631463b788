/**
 * The `x-kontract-ref` keyword (src/app-interface/schema-keywords.ts): which `$ref` paths are
 * datafile paths, and what it records for a good, a missing and a wrong-kind target.
 */
import { describe, expect, it } from 'vitest';
import type { ValidationContext } from '../../../src/app-interface/schema-keywords.js';
import { refKeyword } from '../../../src/app-interface/schema-keywords.js';

const SCHEMAS: Readonly<Record<string, string>> = { '/a/b.yml': '/openshift/namespace-1.yml', '/a/...yml': '/openshift/namespace-1.yml', '/q.yml': '/openshift/quota-1.yml' };

function check(target: string): { edges: string[]; problems: string[] } {
  const ctx: ValidationContext = { file: '/from.yml', schemaAt: (p) => SCHEMAS[p], edges: [], refProblems: [] };
  expect(refKeyword.call(ctx, { schemas: ['/openshift/namespace-1.yml'] }, { $ref: target }, undefined, { instancePath: '/x' })).toBe(true);
  return { edges: ctx.edges.map((e) => `${e.from}→${e.to}@${e.pointer}`), problems: ctx.refProblems.map((p) => `${p.pointer} ${p.message}`) };
}

describe('x-kontract-ref', () => {
  it('refuses paths that are not datafile paths (no leading slash, empty, . or .. segments, backslashes)', () => {
    for (const bad of ['a/b.yml', '/', '/a//b.yml', '/a/./b.yml', '/a/../b.yml', '/a/..', '/a/.', '/a/b/', '\\a\\b.yml', '/a\\b.yml']) {
      expect(check(bad).problems, bad).toEqual([`/x $ref ${bad}: must be a datafile path from the app-interface root (leading '/', no '.' or '..' segments)`]);
    }
  });

  it('accepts dots inside a segment, and records the edge of an existing target', () => {
    expect(check('/a/b.yml')).toEqual({ edges: ['/from.yml→/a/b.yml@/x'], problems: [] });
    expect(check('/a/...yml')).toEqual({ edges: ['/from.yml→/a/...yml@/x'], problems: [] });
  });

  it('names a missing target and a target of the wrong kind', () => {
    expect(check('/a/c.yml').problems).toEqual(['/x $ref /a/c.yml: no such datafile']);
    expect(check('/q.yml')).toEqual({ edges: ['/from.yml→/q.yml@/x'], problems: ['/x $ref /q.yml must point at a /openshift/namespace-1.yml datafile, but it is a /openshift/quota-1.yml'] });
  });
});
