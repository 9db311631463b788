/**
 * qontract's own datafile JSON Schemas (`<shared>/qontract/schemas`, app-sre/qontract-schemas; see
 * its SOURCES.md), compiled with ajv as qontract-validator does: every schema is YAML or JSON,
 * declares `$schema: /metaschema-1.json` (qontract's metaschema, itself draft-06), and is checked
 * against that metaschema before use. Read-only test data: never copied into the project.
 *
 * `validate(doc)` validates one datafile against the schema its `$schema` names, and also checks
 * qontract's cross references the way qontract-validator does: every `{$ref}` a schema declares
 * with `$schemaRef: /x/y-1.yml` must point at an existing datafile with that `$schema`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import type { AnySchemaObject, ErrorObject } from 'ajv';
import addFormatsImport from 'ajv-formats';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import yaml from 'js-yaml';
import { SHARED_DIR } from './shared-data.js';

export const QONTRACT_DIR = path.join(SHARED_DIR, 'qontract');
export const QONTRACT_SCHEMAS_DIR = path.join(QONTRACT_DIR, 'schemas');

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return /\.(ya?ml|json)$/.test(e.name) ? [p] : [];
  });
}

export interface QontractValidator {
  /** Schema ids qontract has (`/openshift/namespace-1.yml`, `/common-1.json`, …). */
  readonly ids: ReadonlySet<string>;
  /** Problems of one datafile (empty = valid); `files` maps datafile paths to documents for `$schemaRef` checks. */
  validate(file: string, doc: unknown, files: ReadonlyMap<string, unknown>): string[];
}

/** Every `$schemaRef` a schema declares, with the JSON pointer of the crossref in a document (`*` = any array index). */
function schemaRefs(node: unknown, at: string[], out: { pointer: string[]; schema: string }[]): void {
  if (typeof node !== 'object' || node === null) return;
  const n = node as Record<string, unknown>;
  if (typeof n.$schemaRef === 'string') out.push({ pointer: at, schema: n.$schemaRef });
  if (typeof n.properties === 'object' && n.properties !== null) {
    for (const [k, v] of Object.entries(n.properties)) schemaRefs(v, [...at, k], out);
  }
  if (n.items !== undefined) schemaRefs(n.items, [...at, '*'], out);
}

function at(doc: unknown, pointer: readonly string[]): { value: unknown; where: string }[] {
  let cur: { value: unknown; where: string }[] = [{ value: doc, where: '' }];
  for (const seg of pointer) {
    const next: { value: unknown; where: string }[] = [];
    for (const c of cur) {
      if (seg === '*') {
        if (Array.isArray(c.value)) c.value.forEach((v: unknown, i) => next.push({ value: v, where: `${c.where}[${i}]` }));
      } else if (typeof c.value === 'object' && c.value !== null && !Array.isArray(c.value)) {
        const v = (c.value as Record<string, unknown>)[seg];
        if (v !== undefined) next.push({ value: v, where: c.where === '' ? seg : `${c.where}.${seg}` });
      }
    }
    cur = next;
  }
  return cur;
}

export function qontractValidator(): QontractValidator {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, meta: false });
  ajv.addMetaSchema(draft06);
  addFormats(ajv);
  const schemas = new Map<string, AnySchemaObject>();
  for (const file of walk(QONTRACT_SCHEMAS_DIR)) {
    const rel = `/${path.relative(QONTRACT_SCHEMAS_DIR, file)}`;
    const doc = (file.endsWith('.json') ? JSON.parse(readFileSync(file, 'utf8')) : yaml.load(readFileSync(file, 'utf8'))) as AnySchemaObject;
    schemas.set(rel, doc);
  }
  const meta = schemas.get('/metaschema-1.json');
  if (meta === undefined) throw new Error(`no metaschema-1.json in ${QONTRACT_SCHEMAS_DIR}`);
  const common = schemas.get('/common-1.json');
  if (common === undefined) throw new Error(`no common-1.json in ${QONTRACT_SCHEMAS_DIR}`);
  // common-1.json holds the shared definitions (draft-06); qontract's metaschema (draft-06) uses
  // them, and every datafile schema names the metaschema as its `$schema`.
  ajv.addSchema({ ...common, $id: '/common-1.json', $schema: 'http://json-schema.org/draft-06/schema#' }, '/common-1.json');
  ajv.addMetaSchema({ ...meta, $id: '/metaschema-1.json', $schema: 'http://json-schema.org/draft-06/schema#' });
  for (const [id, s] of schemas) {
    if (id === '/metaschema-1.json' || id === '/common-1.json') continue;
    ajv.addSchema({ ...s, $id: id }, id);
  }
  const refs = new Map<string, { pointer: string[]; schema: string }[]>();
  return {
    ids: new Set(schemas.keys()),
    validate(file, doc, files) {
      const id = (doc as { $schema?: unknown }).$schema;
      if (typeof id !== 'string' || !schemas.has(id)) return [`${file}: $schema ${String(id)} is not a qontract schema`];
      const v = ajv.getSchema(id);
      if (v === undefined) return [`${file}: cannot compile ${id}`];
      const out: string[] = [];
      if (v(doc) !== true) out.push(...(v.errors ?? []).map((e: ErrorObject) => `${file}: ${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`));
      let declared = refs.get(id);
      if (declared === undefined) {
        declared = [];
        schemaRefs(schemas.get(id), [], declared);
        refs.set(id, declared);
      }
      for (const r of declared) {
        for (const { value, where } of at(doc, r.pointer)) {
          const target = (value as { $ref?: unknown } | null)?.$ref;
          if (typeof target !== 'string') continue;
          const t = files.get(target);
          const actual = (t as { $schema?: unknown } | undefined)?.$schema;
          if (t === undefined) out.push(`${file}: ${where} $ref ${target}: no such datafile`);
          else if (actual !== r.schema) out.push(`${file}: ${where} $ref ${target} must be a ${r.schema}, is ${String(actual)}`);
        }
      }
      return out;
    },
  };
}
