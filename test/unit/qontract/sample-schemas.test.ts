/**
 * The sample app-interface is a valid qontract app-interface: every datafile of a kind qontract
 * has validates under qontract's own JSON Schemas (../shared/qontract/schemas, compiled against
 * qontract's metaschema, with qontract-validator's `$schemaRef` cross-reference check), and every
 * other datafile is one of kontract's own kinds, under `/kontract/…`, so it never collides with a
 * qontract schema.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { qontractValidator } from '../../support/qontract-schemas.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));

function datafiles(dir: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      // resources/ holds manifests and templates (qontract's resources directory), not datafiles.
      if (e.isDirectory() && p !== path.join(dir, 'resources')) walk(p);
      else if (/\.ya?ml$/.test(e.name)) {
        const docs = yaml.loadAll(readFileSync(p, 'utf8'));
        const doc = docs[0];
        if (docs.length === 1 && typeof doc === 'object' && doc !== null && '$schema' in doc) out.set(`/${path.relative(dir, p)}`, doc);
      }
    }
  };
  walk(dir);
  return out;
}

describe('app-interface-sample under qontract schemas', () => {
  const files = datafiles(SAMPLE);
  const q = qontractValidator();

  it('has datafiles of the qontract kinds kontract reads', () => {
    const schemas = new Set([...files.values()].map((d) => (d as { $schema: string }).$schema));
    for (const s of ['/openshift/cluster-1.yml', '/openshift/namespace-1.yml', '/openshift/quota-1.yml', '/openshift/limitrange-1.yml',
      '/access/role-1.yml', '/access/user-1.yml', '/access/bot-1.yml']) expect(schemas).toContain(s);
  });

  it('validates every qontract-kind datafile with zero errors', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [file, doc] of files) {
      const schema = (doc as { $schema: string }).$schema;
      if (!q.ids.has(schema)) continue;
      checked += 1;
      problems.push(...q.validate(file, doc, files));
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(30);
  });

  it('keeps every other datafile under /kontract/ schemas', () => {
    const foreign = [...files.entries()]
      .map(([file, doc]) => [file, (doc as { $schema: string }).$schema] as const)
      .filter(([, s]) => !q.ids.has(s) && !s.startsWith('/kontract/'));
    expect(foreign).toEqual([]);
  });
});
