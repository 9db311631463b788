/**
 * What the datafile JSON Schemas add to JSON Schema, shared by the validators ajv compiles at run
 * time and the ones precompiled at build time (src/app-interface/schema-standalone.ts): the
 * `x-kontract-ref` keyword (a `{$ref: /path.yml}` object whose target must exist and have one of
 * the listed `$schema`s; it reports into the context passed to each validation, ajv
 * `passContext`) and the `date` format.
 */

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

/** An empty, `.` or `..` segment of a path starting with `/`. */
const BAD_SEGMENT = /\/(?:\.{0,2})(?:\/|$)/;

/** `/a/b.yml`: absolute from the root, no empty, `.` or `..` segment, no backslash. */
function isDataPath(p: string): boolean {
  // Checked on every `$ref` of every file: a regular expression instead of splitting the path.
  return p.startsWith('/') && !p.includes('\\') && !BAD_SEGMENT.test(p);
}

/** The `x-kontract-ref` check; always passes (problems go to the context, with their pointer). */
export function refKeyword(this: ValidationContext, schema: RefKeyword, data: unknown, _parent?: unknown, cxt?: { readonly instancePath: string }): boolean {
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

/** The formats the schemas use beyond ajv's own (`format: date`). */
export const FORMATS = { date: { type: 'string', validate: isDate } } as const;
