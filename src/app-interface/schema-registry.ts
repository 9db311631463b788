/**
 * The JSON Schemas of the datafiles (schemas/**\/*.json, keyed by `$id` = the `$schema` a datafile
 * names) as validators, plus the `x-kontract-ref` keyword (src/app-interface/schema-keywords.ts).
 * The keyword reports into the context passed to each validation (ajv `passContext`), so one
 * validator serves every snapshot.
 *
 * Validators come precompiled from the build when its schemas are the ones read here (same
 * sha256; src/app-interface/schema-ajv.ts), else ajv compiles each on first use. Both are made by
 * `newSchemaAjv` below, so they check the same (test/unit/app-interface/schema-standalone.test.ts).
 */
import { createHash } from 'node:crypto';
import type { Ajv, ErrorObject, KeywordCxt, ValidateFunction } from 'ajv';
import { ERROR_CODES, KontractError, errorMessage } from '../core/errors.js';
import { ajvRuntime, precompiledModule } from './schema-ajv.js';
import type { ValidatorsModule } from './schema-ajv.js';
import { FORMATS, refKeyword } from './schema-keywords.js';
import { SCHEMAS_DIR, readSchemaFiles } from './schema-files.js';
import type { SchemaFile } from './schema-files.js';

export { SCHEMAS_DIR };
export type { RefEdge, RefKeyword, RefProblem, ValidationContext } from './schema-keywords.js';

export interface SchemaRegistry {
  /** Schema ids (`/openshift/namespace-1.yml`) that have a JSON Schema. */
  readonly ids: readonly string[];
  validator(id: string): ValidateFunction | undefined;
  /** The raw JSON Schema (for messages: `description` of a oneOf). */
  schema(id: string): unknown;
}

/** sha256 of the schema files (paths and texts): what precompiled validators were made from. */
export function schemasSha256(files: readonly SchemaFile[]): string {
  return createHash('sha256').update(JSON.stringify(files.map((f) => [f.path, f.text]))).digest('hex');
}

/** Free names the generated code uses for the keyword function and the formats (schema-standalone.ts binds them). */
export const STANDALONE_NAMES = { refKeyword: 'kontractRefKeyword', formats: 'kontractFormats' } as const;

/** The parsed schemas by `$id`; throws naming the file of one that cannot be read. */
function parseSchemas(files: readonly SchemaFile[]): Map<string, object> {
  const raw = new Map<string, object>();
  for (const { path: file, text } of files) {
    try {
      const s = JSON.parse(text) as { $id?: unknown };
      if (typeof s.$id !== 'string') throw new Error('has no string $id');
      raw.set(s.$id, s);
    } catch (e) {
      throw new KontractError(ERROR_CODES.INTERNAL, `JSON Schema ${file}: ${errorMessage(e)}`);
    }
  }
  return raw;
}

/**
 * The ajv instance with every schema added, as the registry compiles them (`source: false`) or
 * the build generates standalone code from them (`source: true`).
 */
export function newSchemaAjv(files: readonly SchemaFile[], opts: { readonly source: boolean }): { readonly ajv: Ajv; readonly raw: ReadonlyMap<string, object> } {
  const { Ajv: AjvClass, _, Name, callValidateCode } = ajvRuntime();
  // strictRequired off: qontract's alternatives are `oneOf: [{required: [a, b]}, …]` over properties declared once beside them.
  // Start-up cost (docs/benchmarks.md, "End to end"): the schemas are the package's own, checked
  // against the draft-07 meta-schema by test/unit/app-interface/schema-registry.test.ts rather than
  // on every start (validateSchema), and compiled at run time without ajv's code optimisation pass
  // (same checks, ~40 % less compile time).
  const ajv = new AjvClass({
    allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, passContext: true, verbose: true, validateSchema: false,
    code: { optimize: opts.source, source: opts.source, formats: new Name(STANDALONE_NAMES.formats) },
  });
  for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format);
  const refName = new Name(STANDALONE_NAMES.refKeyword);
  ajv.addKeyword({
    keyword: 'x-kontract-ref',
    schemaType: 'object',
    // A code-generating keyword (a `validate` function cannot be written out as standalone code):
    // the generated code calls refKeyword with the same arguments ajv gives a `validate` keyword.
    code(cxt: KeywordCxt) {
      const fn = cxt.gen.scopeValue('keyword', { ref: refKeyword, code: _`${refName}` });
      cxt.gen.code(callValidateCode(cxt, fn, new Name('this'), true));
    },
  });
  const raw = parseSchemas(files);
  for (const s of raw.values()) ajv.addSchema(s);
  return { ajv, raw };
}

let cached: SchemaRegistry | undefined;

/** Loads the JSON Schemas once per process; validators precompiled by the build or compiled on first use. */
export function schemaRegistry(dir: string = SCHEMAS_DIR): SchemaRegistry {
  if (cached !== undefined && dir === SCHEMAS_DIR) return cached;
  const reg = registryOf(readSchemaFiles(dir), precompiledModule());
  if (dir === SCHEMAS_DIR) cached = reg;
  return reg;
}

/** A registry over `files`: the validators of `mod` (a generated validators module) when it was made from these files, else compiled by ajv. */
export function registryOf(files: readonly SchemaFile[], mod?: ValidatorsModule): SchemaRegistry {
  return mod !== undefined && mod.SCHEMAS_SHA256 === schemasSha256(files) ? precompiledRegistry(files, mod.load(refKeyword, FORMATS)) : compilingRegistry(files);
}

function precompiledRegistry(files: readonly SchemaFile[], validators: Readonly<Record<string, unknown>>): SchemaRegistry {
  const raw = parseSchemas(files);
  return {
    ids: [...raw.keys()].sort(),
    validator: (id) => (raw.has(id) ? (validators[id] as ValidateFunction | undefined) : undefined),
    schema: (id) => raw.get(id),
  };
}

function compilingRegistry(files: readonly SchemaFile[]): SchemaRegistry {
  const { ajv, raw } = newSchemaAjv(files, { source: false });
  const compiled = new Map<string, ValidateFunction>();
  return {
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
}

export type { ErrorObject };
