/**
 * The datafile field reader and the one parse-result shape of datafile kinds. Values arrive as
 * `unknown`: every accessor reports a ValidationProblem (file + field path + message) instead of
 * throwing, so one pass collects every problem of a file. Used by the datafile parsers of the
 * KubeVirt kinds (virtual machines, templates, instancetypes, preferences).
 */
import type { ValidationProblem } from '../core/errors.js';
import { DNS1123_LABEL_RE, DNS1123_SUBDOMAIN_RE } from '../core/k8s-names.js';
import type { Labels } from '../core/k8s-object.js';
import { isPlainObject } from '../core/plain-object.js';
import { isPositiveQuantity, parseQuantity } from '../core/quantity.js';

export type RawObject = Readonly<Record<string, unknown>>;

/** What parsing one datafile gives: its model entry, or every problem found. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T; readonly problems: readonly [] }
  | { readonly ok: false; readonly problems: readonly ValidationProblem[] };

export function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value, problems: [] };
}

/**
 * The result of a reader's pass: `value` when nothing was reported, else the problems. A pass that
 * gave up (`value` undefined) without reporting gets a `cannot be read` problem, so no failure is silent.
 */
export function readerResult<T>(r: FieldReader, value: T | undefined): ParseResult<T> {
  if (r.problems.length === 0 && value !== undefined) return ok(value);
  if (r.problems.length === 0) r.report('', 'cannot be read');
  return { ok: false, problems: r.problems };
}

export class FieldReader {
  readonly file: string;
  readonly problems: ValidationProblem[] = [];

  constructor(file: string) {
    this.file = file;
  }

  report(field: string, message: string): void {
    this.problems.push({ file: this.file, field, message });
  }

  /** The value as a plain object, or undefined (reported when required or of the wrong type). */
  object(value: unknown, field: string, required = true): RawObject | undefined {
    if (value === undefined || value === null) {
      if (required) this.report(field, 'is required');
      return undefined;
    }
    if (!isPlainObject(value)) {
      this.report(field, `must be an object, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  /** Reports keys of `obj` not in `allowed` (the schemas are `additionalProperties: false`). */
  onlyKeys(obj: RawObject, allowed: readonly string[], base: string): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.report(at(base, key), `unknown field (allowed: ${allowed.filter((k) => k !== '$schema').join(', ')})`);
    }
  }

  string(obj: RawObject, key: string, base: string, opts: { required?: boolean; pattern?: RegExp; hint?: string } = {}): string | undefined {
    const v = obj[key];
    const field = at(base, key);
    if (v === undefined || v === null) {
      if (opts.required === true) this.report(field, 'is required');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.report(field, `must be a string, got ${describe(v)}`);
      return undefined;
    }
    if (opts.pattern !== undefined && !opts.pattern.test(v)) {
      this.report(field, `'${v}' is not valid${opts.hint === undefined ? '' : `: ${opts.hint}`}`);
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(obj: RawObject, key: string, base: string, values: readonly T[]): T | undefined {
    const s = this.string(obj, key, base);
    if (s === undefined) return undefined;
    if (!(values as readonly string[]).includes(s)) {
      this.report(at(base, key), `'${s}' is not one of ${values.join(', ')}`);
      return undefined;
    }
    return s as T;
  }

  integer(obj: RawObject, key: string, base: string, opts: { required?: boolean; min?: number } = {}): number | undefined {
    const v = obj[key];
    const field = at(base, key);
    if (v === undefined || v === null) {
      if (opts.required === true) this.report(field, 'is required');
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.report(field, `must be an integer, got ${describe(v)}`);
      return undefined;
    }
    if (opts.min !== undefined && v < opts.min) {
      this.report(field, `must be at least ${opts.min}, got ${v}`);
      return undefined;
    }
    return v;
  }

  boolean(obj: RawObject, key: string, base: string): boolean | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.report(at(base, key), `must be true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  /** A Kubernetes resource quantity (`2Gi`, `512Mi`, `1.5G`). */
  quantity(obj: RawObject, key: string, base: string, opts: { required?: boolean } = {}): string | undefined {
    const v = obj[key];
    const field = at(base, key);
    if (v === undefined || v === null) {
      if (opts.required === true) this.report(field, 'is required');
      return undefined;
    }
    const s = typeof v === 'number' ? String(v) : v;
    const q = typeof s === 'string' ? parseQuantity(s) : undefined;
    if (typeof s !== 'string' || q === undefined) {
      this.report(field, `${describe(v)} is not a valid Kubernetes quantity (e.g. 512Mi, 2Gi)`);
      return undefined;
    }
    if (!isPositiveQuantity(q)) {
      this.report(field, `'${s}' must be greater than zero`);
      return undefined;
    }
    return s;
  }

  array(obj: RawObject, key: string, base: string): readonly unknown[] | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.report(at(base, key), `must be a list, got ${describe(v)}`);
      return undefined;
    }
    return v as readonly unknown[];
  }

  /** A string → string map (labels, annotations). */
  labels(obj: RawObject, key: string, base: string): Labels {
    const o = this.object(obj[key], at(base, key), false);
    if (o === undefined) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) {
      if (typeof v !== 'string') {
        this.report(at(at(base, key), k), `must be a string, got ${describe(v)}`);
        continue;
      }
      out[k] = v;
    }
    return out;
  }

  /**
   * A cross-file reference: `{$ref: /path.yml}` as written, or an already resolved object
   * carrying its datafile `path` (qontract-server style). Returns the datafile path.
   */
  ref(obj: RawObject, key: string, base: string, opts: { required?: boolean } = {}): string | undefined {
    return this.refValue(obj[key], at(base, key), opts.required ?? false);
  }

  refValue(value: unknown, field: string, required: boolean): string | undefined {
    const o = this.object(value, field, required);
    if (o === undefined) return undefined;
    const ref = o.$ref ?? o.path;
    if (typeof ref !== 'string' || ref === '') {
      this.report(field, 'must be a reference {$ref: /path/to/datafile.yml}');
      return undefined;
    }
    return ref;
  }
}

/** `base.key`, `base[3]`, or `key` at the root. */
export function at(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  return typeof v;
}

/** RFC 1123 label: the names of VMs, disks, networks and interfaces. */
export const DNS_LABEL = DNS1123_LABEL_RE;
export const DNS_LABEL_HINT = 'lower-case letters, digits and "-", at most 63 characters, starting and ending alphanumeric';
/** RFC 1123 subdomain: instancetype/preference and Secret names. */
export const DNS_SUBDOMAIN = DNS1123_SUBDOMAIN_RE;
export const DNS_SUBDOMAIN_HINT = 'a DNS subdomain: lower-case letters, digits, "-" and "."';
