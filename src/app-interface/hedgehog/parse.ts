/**
 * Parses a `/hedgehog/fabric-1.yml` datafile (loaded YAML, `unknown`) into a Fabric, collecting
 * every problem with its file and field. The cluster is a `$ref` to a cluster datafile and is
 * required: a fabric without a cluster is an error, never a default.
 */
import * as path from 'node:path';
import type { ParseResult } from '../field-reader.js';
import { FieldReader, ok } from '../field-reader.js';
import type { Fabric, FabricKindName, FabricSource, GitCredentials, UnknownDocumentPolicy } from './model.js';
import { FABRIC_KIND_NAMES, isFabricKindName } from './model.js';
import type { RawObject } from './raw.js';
import { asArray, asObject, asString, at, describe } from './raw.js';
import { DNS1123_LABEL_RE } from '../../core/k8s-names.js';

export const FABRIC_SCHEMA = '/kontract/hedgehog/fabric-1.yml';

export interface ParseFabricOptions {
  /** Name of the cluster whose datafile is at `path`, or undefined when there is none. */
  readonly clusterNameByPath: (path: string) => string | undefined;
  /** The app-interface root directory (YAML source): relative `source.directory` values resolve against it. */
  readonly root?: string;
}

export type ParseFabricResult = ParseResult<Fabric>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The datafile field reader, with the fabric datafile's string rule (never empty). */
class Reader extends FieldReader {
  /** A non-empty string, optionally matching `pattern`; undefined (reported when required or invalid) otherwise. */
  str(o: RawObject, key: string, base: string, required: boolean, pattern?: RegExp): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.report(at(base, key), 'is required');
      return undefined;
    }
    if (typeof v !== 'string' || v === '') {
      this.report(at(base, key), `must be a non-empty string, got ${describe(v)}`);
      return undefined;
    }
    if (pattern !== undefined && !pattern.test(v)) {
      this.report(at(base, key), `'${v}' is not valid`);
      return undefined;
    }
    return v;
  }
}

function credentials(r: Reader, v: unknown, base: string): GitCredentials | undefined {
  const o = asObject(v);
  if (o === undefined) {
    r.report(base, `must be an object, got ${describe(v)}`);
    return undefined;
  }
  r.onlyKeys(o, ['usernameEnv', 'tokenEnv', 'tokenFile'], base);
  const usernameEnv = r.str(o, 'usernameEnv', base, false, ENV_NAME);
  const tokenEnv = r.str(o, 'tokenEnv', base, false, ENV_NAME);
  const tokenFile = r.str(o, 'tokenFile', base, false);
  if ((tokenEnv === undefined) === (tokenFile === undefined)) {
    r.report(base, 'exactly one of tokenEnv or tokenFile is required');
    return undefined;
  }
  const token = tokenEnv !== undefined ? { env: tokenEnv } : { file: tokenFile ?? '' };
  return usernameEnv === undefined ? { token } : { usernameEnv, token };
}

function gitSource(r: Reader, o: RawObject, base: string): FabricSource | undefined {
  r.onlyKeys(o, ['url', 'ref', 'path', 'credentials'], base);
  const url = r.str(o, 'url', base, true);
  const ref = r.str(o, 'ref', base, true);
  const sub = o.path === undefined ? '.' : r.str(o, 'path', base, false);
  if (url !== undefined && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]+@/i.test(url)) {
    // The URL would end up on git's command line and in .git/config; credentials go in `credentials`.
    r.report(at(base, 'url'), 'must not contain user info (user:token@); use credentials.tokenEnv or credentials.tokenFile');
    return undefined;
  }
  if (ref !== undefined && (ref.startsWith('-') || /\s/.test(ref))) r.report(at(base, 'ref'), `'${ref}' is not a valid git ref`);
  if (sub !== undefined && (path.isAbsolute(sub) || path.normalize(sub).startsWith('..'))) r.report(at(base, 'path'), `'${sub}' must be a relative path inside the repository`);
  const creds = o.credentials === undefined ? undefined : credentials(r, o.credentials, at(base, 'credentials'));
  if (url === undefined || ref === undefined || sub === undefined) return undefined;
  return { kind: 'git', url, ref, path: path.normalize(sub), ...(creds === undefined ? {} : { credentials: creds }) };
}

function source(r: Reader, v: unknown, opts: ParseFabricOptions): FabricSource | undefined {
  const o = asObject(v);
  if (o === undefined) {
    r.report('source', v === undefined ? 'is required ({directory} or {git})' : `must be an object, got ${describe(v)}`);
    return undefined;
  }
  r.onlyKeys(o, ['directory', 'git'], 'source');
  if ((o.directory === undefined) === (o.git === undefined)) {
    r.report('source', 'exactly one of directory or git is required');
    return undefined;
  }
  if (o.directory !== undefined) {
    const dir = r.str(o, 'directory', 'source', true);
    if (dir === undefined) return undefined;
    const resolved = path.isAbsolute(dir) || opts.root === undefined ? dir : path.resolve(opts.root, dir.replace(/^\/+/, ''));
    return { kind: 'directory', directory: resolved };
  }
  const g = asObject(o.git);
  if (g === undefined) {
    r.report('source.git', `must be an object, got ${describe(o.git)}`);
    return undefined;
  }
  return gitSource(r, g, 'source.git');
}

function kinds(r: Reader, v: unknown): readonly FabricKindName[] {
  if (v === undefined) return FABRIC_KIND_NAMES;
  const list = asArray(v);
  if (list === undefined || list.length === 0) {
    r.report('kinds', `must be a non-empty list of fabric kinds, got ${describe(v)}`);
    return [];
  }
  const out: FabricKindName[] = [];
  list.forEach((k, i) => {
    if (typeof k === 'string' && isFabricKindName(k)) out.push(k);
    else r.report(at('kinds', i), `${describe(k)} is not a fabric kind (one of ${FABRIC_KIND_NAMES.join(', ')})`);
  });
  return out;
}

function cluster(r: Reader, v: unknown, opts: ParseFabricOptions): string | undefined {
  const o = asObject(v);
  const ref = o === undefined ? undefined : asString(o.$ref);
  if (o === undefined || ref === undefined) {
    r.report('cluster', v === undefined ? 'is required (a $ref to a cluster datafile); a fabric has no default cluster' : `must be {$ref: <cluster datafile>}, got ${describe(v)}`);
    return undefined;
  }
  r.onlyKeys(o, ['$ref'], 'cluster');
  const name = opts.clusterNameByPath(ref);
  if (name === undefined) r.report('cluster.$ref', `${ref} is not a cluster datafile`);
  return name;
}

/**
 * The in-tree GitOps directory of a fabric datafile (`/hedgehog/fabric-1` for `source.directory:
 * hedgehog/fabric-1`): a relative directory that stays inside the app-interface. Its files are
 * resources the loader carries with the data (AppInterfaceData.resources), so every source yields
 * them. Absolute directories and ones leaving the tree (`../x`) are read from disk instead; git
 * sources have none. Tolerates any input (also called on documents not validated yet).
 */
export function fabricTreeDirectory(raw: unknown): string | undefined {
  const src = asObject(asObject(raw)?.source);
  const dir = src === undefined ? undefined : asString(src.directory);
  if (dir === undefined || dir === '' || path.isAbsolute(dir)) return undefined;
  const norm = path.posix.normalize(dir.split(path.sep).join('/')).replace(/\/+$/, '');
  if (norm === '..' || norm.startsWith('../')) return undefined;
  return norm === '.' || norm === '' ? '/' : `/${norm}`;
}

export function parseFabric(raw: unknown, file: string, opts: ParseFabricOptions): ParseFabricResult {
  const r = new Reader(file);
  const o = asObject(raw);
  if (o === undefined) {
    r.report('', `a fabric datafile must be an object, got ${describe(raw)}`);
    return { ok: false, problems: r.problems };
  }
  r.onlyKeys(o, ['$schema', 'name', 'description', 'cluster', 'source', 'kinds', 'unknownDocuments'], '');
  const name = r.str(o, 'name', '', true, DNS1123_LABEL_RE);
  const description = o.description === undefined ? '' : (r.str(o, 'description', '', false) ?? '');
  const clusterName = cluster(r, o.cluster, opts);
  const src = source(r, o.source, opts);
  const enabled = kinds(r, o.kinds);
  let policy: UnknownDocumentPolicy = 'warn';
  if (o.unknownDocuments !== undefined) {
    if (o.unknownDocuments === 'warn' || o.unknownDocuments === 'error') policy = o.unknownDocuments;
    else r.report('unknownDocuments', `must be warn or error, got ${describe(o.unknownDocuments)}`);
  }
  if (r.problems.length > 0 || name === undefined || clusterName === undefined || src === undefined) {
    if (r.problems.length === 0) r.report('', 'cannot be read');
    return { ok: false, problems: r.problems };
  }
  return ok({ path: file, name, description, cluster: clusterName, source: src, kinds: enabled, unknownDocuments: policy });
}
