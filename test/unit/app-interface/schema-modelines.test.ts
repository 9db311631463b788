/**
 * Editors can check the sample's datafiles: every datafile of app-interface-sample/ starts with a
 * yaml-language-server modeline whose relative path reaches the JSON Schema its `$schema` names,
 * and every JSON Schema in schemas/ has an `$id` equal to the `$schema` value of its datafiles
 * and to its own path (`/openshift/namespace-1.yml` ↔ `schemas/openshift/namespace-1.json`).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SAMPLE = join(ROOT, 'app-interface-sample');
const SCHEMAS = join(ROOT, 'schemas');
const MODELINE = /^# yaml-language-server: \$schema=(\S+)$/;

function walk(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return walk(p, ext);
    return ext.test(e.name) ? [p] : [];
  }).sort();
}

/** Every schema file with its `$id` (undefined when it has none). */
const schemas = walk(SCHEMAS, /\.json$/).map((file) => ({ file, id: (JSON.parse(readFileSync(file, 'utf8')) as { $id?: unknown }).$id }));

/** Every YAML file of the sample that is a datafile (a mapping with a `$schema`); resources are not. */
const datafiles = walk(SAMPLE, /\.ya?ml$/).flatMap((file) => {
  const text = readFileSync(file, 'utf8');
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch {
    return []; // multi-document resources (a fabric's GitOps files)
  }
  const schema = typeof doc === 'object' && doc !== null ? (doc as { $schema?: unknown }).$schema : undefined;
  return typeof schema === 'string' ? [{ file, text, schema }] : [];
});

describe('JSON Schemas in schemas/', () => {
  it.each(schemas.map((s) => [relative(ROOT, s.file), s] as const))('%s has an $id naming its own path', (_name, s) => {
    expect(typeof s.id, `${s.file}: add "$id"`).toBe('string');
    expect(join(SCHEMAS, `${String(s.id).replace(/\.yml$/, '')}.json`)).toBe(s.file);
  });

  it('have distinct $ids', () => {
    expect(new Set(schemas.map((s) => s.id)).size).toBe(schemas.length);
  });
});

describe('datafiles of app-interface-sample/', () => {
  it('are found', () => {
    expect(datafiles.length).toBeGreaterThan(70);
  });

  it.each(datafiles.map((d) => [relative(SAMPLE, d.file), d] as const))('%s starts with a modeline reaching the schema its $schema names', (_name, d) => {
    const schema = schemas.find((s) => s.id === d.schema);
    expect(schema, `${d.file}: no schema in schemas/ has $id ${d.schema}`).toBeDefined();
    const want = `# yaml-language-server: $schema=${relative(dirname(d.file), schema?.file ?? '')}`;
    const first = d.text.split('\n', 1)[0] ?? '';
    expect(first, `${d.file}: line 1 should be ${want}`).toMatch(MODELINE);
    const target = resolve(dirname(d.file), MODELINE.exec(first)?.[1] ?? '');
    expect(existsSync(target), `${d.file}: ${target} does not exist`).toBe(true);
    expect(target, `${d.file}: line 1 should be ${want}`).toBe(schema?.file);
  });
});
