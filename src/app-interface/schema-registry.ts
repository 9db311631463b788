/**
 * The JSON Schemas of the datafiles (schemas/**\/*.json, keyed by `$id` = the `$schema` a datafile
 * names) compiled with ajv, plus the `x-kontract-ref` keyword: a `{$ref: /path.yml}` object whose
 * target must exist and have one of the listed `$schema`s. The keyword reports into the context
 * passed to each validation (ajv `passContext`), so one compiled validator serves every snapshot.
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import { SCHEMAS_DIR, readSchemaFiles } from './schema-files.js';

export { SCHEMAS_DIR };

export interface RefKeyword {
  readonly schemas: readonly string[];
  /** A peer link (may form cycles). */
  readonly link?: boolean;
}

/** One `$ref` seen while validating a file. */
export interface RefEdge {
  readonly from: string;
  readonly to: string;
  /** ajv instance path of the `{$ref}` object, e.g. `/networkPoliciesAllow/0`. */
  readonly pointer: string;
  readonly link: boolean;
}

export interface RefProblem {
  readonly pointer: string;
  readonly message: string;
}

/** Passed as `this` to validation; the keyword reads the snapshot and records edges/problems. */
export interface ValidationContext {
  readonly file: string;
  /** `$schema` of the datafile at `path`, or undefined when there is no such datafile. */
  readonly schemaAt: (path: string) => string | undefined;
  readonly edges: RefEdge[];
  readonly refProblems: RefProblem[];
}

/** `/a/b.yml`: absolute from the root, no empty, `.` or `..` segment, no backslash. */
function isDataPath(p: string): boolean {
  return p.startsWith('/') && !p.includes('\\') && p.slice(1).split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

function refKeyword(this: ValidationContext, schema: RefKeyword, data: unknown, _parent?: unknown, cxt?: { readonly instancePath: string }): boolean {
  const target = typeof data === 'object' && data !== null ? (data as { $ref?: unknown }).$ref : undefined;
  if (typeof target !== 'string') return true; // the object's own schema reports the shape
  const pointer = cxt?.instancePath ?? '';
  if (!isDataPath(target)) {
    this.refProblems.push({ pointer, message: `$ref ${target}: must be a datafile path from the app-interface root (leading '/', no '.' or '..' segments)` });
    return true;
  }
  const actual = this.schemaAt(target);
  if (actual === undefined) {
    this.refProblems.push({ pointer, message: `$ref ${target}: no such datafile` });
    return true;
  }
  this.edges.push({ from: this.file, to: target, pointer, link: schema.link === true });
  if (!schema.schemas.includes(actual)) {
    this.refProblems.push({ pointer, message: `$ref ${target} must point at a ${schema.schemas.join(' or ')} datafile, but it is a ${actual}` });
  }
  return true;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (m === null) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

export interface SchemaRegistry {
  /** Schema ids (`/openshift/namespace-1.yml`) that have a JSON Schema. */
  readonly ids: readonly string[];
  validator(id: string): ValidateFunction | undefined;
  /** The raw JSON Schema (for messages: `description` of a oneOf). */
  schema(id: string): unknown;
}

let cached: SchemaRegistry | undefined;

/** Loads and compiles every JSON Schema once per process. */
export function schemaRegistry(dir: string = SCHEMAS_DIR): SchemaRegistry {
  if (cached !== undefined && dir === SCHEMAS_DIR) return cached;
  // strictRequired off: qontract's alternatives are `oneOf: [{required: [a, b]}, …]` over properties declared once beside them.
  // Start-up cost (docs/benchmarks.md, "End to end"): the schemas are the package's own, checked
  // against the draft-07 meta-schema by test/unit/app-interface/schema-registry.test.ts rather than
  // on every start (validateSchema), and compiled without ajv's code optimisation pass (same
  // checks, ~40 % less compile time).
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, passContext: true, verbose: true, validateSchema: false, code: { optimize: false } });
  ajv.addFormat('date', { type: 'string', validate: isDate });
  ajv.addKeyword({ keyword: 'x-kontract-ref', schemaType: 'object', validate: refKeyword });
  const raw = new Map<string, unknown>();
  for (const { path: file, text } of readSchemaFiles(dir)) {
    try {
      const s = JSON.parse(text) as { $id?: unknown };
      if (typeof s.$id !== 'string') throw new Error('has no string $id');
      raw.set(s.$id, s);
      ajv.addSchema(s as object);
    } catch (e) {
      throw new KontractError(ERROR_CODES.INTERNAL, `JSON Schema ${file}: ${errorMessage(e)}`);
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  const reg: SchemaRegistry = {
    ids: [...raw.keys()].sort(),
    validator(id) {
      if (!raw.has(id)) return undefined;
      let v = compiled.get(id);
      if (v === undefined) {
        try {
          v = ajv.getSchema(id);
        } catch (e) {
          throw new KontractError(ERROR_CODES.INTERNAL, `JSON Schema ${id} does not compile: ${errorMessage(e)}`);
        }
        if (v === undefined) return undefined;
        compiled.set(id, v);
      }
      return v;
    },
    schema: (id) => raw.get(id),
  };
  if (dir === SCHEMAS_DIR) cached = reg;
  return reg;
}

export type { ErrorObject };
