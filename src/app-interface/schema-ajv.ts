/**
 * ajv and the precompiled validators, loaded on demand (synchronously, through `require`: ajv is
 * CommonJS). `npm run build` writes dist/app-interface/schema-validators.cjs
 * (scripts/build-validators.js, src/app-interface/schema-standalone.ts): the datafile validators
 * as ajv standalone code, so a run whose schemas match it neither loads ajv's compiler nor
 * compiles a schema (docs/benchmarks.md, "End to end"). From the sources (tests) there is no such
 * file and the registry compiles with ajv. The single-file build (scripts/build-single-file.js)
 * replaces this module with static imports of the same names.
 */
import { createRequire } from 'node:module';
import type * as AjvModule from 'ajv';
import type * as AjvCode from 'ajv/dist/vocabularies/code.js';

const require = createRequire(import.meta.url);

export interface AjvRuntime {
  readonly Ajv: typeof AjvModule.Ajv;
  readonly _: typeof AjvModule._;
  readonly Name: typeof AjvModule.Name;
  readonly callValidateCode: typeof AjvCode.callValidateCode;
}

/** ajv's compiler (loaded on the first call). */
export function ajvRuntime(): AjvRuntime {
  const ajv = require('ajv') as typeof AjvModule;
  const code = require('ajv/dist/vocabularies/code') as typeof AjvCode;
  return { Ajv: ajv.Ajv, _: ajv._, Name: ajv.Name, callValidateCode: code.callValidateCode };
}

/** The shape of a generated validators module (src/app-interface/schema-standalone.ts). */
export interface ValidatorsModule {
  /** sha256 of the schema files it was generated from (`schemasSha256`). */
  readonly SCHEMAS_SHA256: string;
  /** The validators by schema `$id`, given the `x-kontract-ref` function and the formats. */
  load(refKeyword: unknown, formats: unknown): Readonly<Record<string, unknown>>;
}

/** The build's precompiled validators module next to this file, or undefined when there is none. */
export function precompiledModule(): ValidatorsModule | undefined {
  try {
    return require('./schema-validators.cjs') as ValidatorsModule;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}
