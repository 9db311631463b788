/**
 * A snapshot is the raw app-interface: every datafile by its path (`/openshift/prod-1/cluster.yml`,
 * relative to the root, leading slash), as written (`$ref`s unresolved), plus the snapshot's sha.
 * Sources: a YAML directory (with line positions), a qontract-server bundle, or documents rebuilt
 * from GraphQL answers. Validation (validate.ts) turns a snapshot into AppInterfaceData.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { ValidationProblem } from '../core/errors.js';
import * as yaml from 'js-yaml';
import { ValidationError, errorMessage } from '../core/errors.js';
import type { PositionIndex } from './yaml-positions.js';
import { lazyPositionIndex } from './yaml-positions.js';
import { confinedRealPath, realPath } from './confined-paths.js';

export interface Datafile {
  /** `/openshift/prod-1/cluster.yml` */
  readonly path: string;
  /** The parsed document, `$ref`s unresolved. */
  readonly raw: unknown;
  /** Present for YAML sources: maps a field path to its line. */
  readonly positions?: PositionIndex;
}

export interface Snapshot {
  readonly sha: string;
  readonly files: ReadonlyMap<string, Datafile>;
  /** Problems found while reading (YAML syntax errors); validation adds its own. */
  readonly readProblems: readonly ValidationProblem[];
  /**
   * Non-datafile YAML (Kubernetes manifests without `$schema`, multi-document streams), by path,
   * as text: e.g. a fabric's GitOps directory. Not validated as datafiles. `serve` answers them as
   * qontract `resources_v1`; the model carries those a kind declares (`resourceDirs`).
   */
  readonly resources: ReadonlyMap<string, string>;
  /** The directory, for a YAML directory source (families may resolve relative paths against it). */
  readonly root?: string;
  /** Every file's text by path, for a YAML directory source (`kontract bundle` hashes it: `$file_sha256sum`). */
  readonly texts?: ReadonlyMap<string, string>;
}

const YAML_FILE = /\.ya?ml$/;

/**
 * Every `*.yml`/`*.yaml` below `dir`, hidden entries skipped. A symbolic link is followed only when
 * its target lies inside `allowed` (the root and --allow-path directories); one leaving them is a
 * problem of its path, and its target is never read.
 */
function listYamlFiles(root: string, dir: string, allowed: readonly string[], problems: ValidationProblem[], seen: Set<string>): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = nodePath.join(dir, e.name);
    if (p === nodePath.join(root, RESOURCES_DIR)) continue; // qontract's resources directory: not datafiles
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const target = confinedRealPath(p, allowed);
      if (target === undefined) {
        problems.push({ file: dataPath(root, p), field: '', message: 'is a symbolic link that leaves the app-interface (or dangles): not read; an operator may allow its target with --allow-path DIR' });
        continue;
      }
      const st = statSync(target);
      isDir = st.isDirectory();
      isFile = st.isFile();
      if (isDir) {
        if (seen.has(target)) continue; // a link cycle
        seen.add(target);
      }
    }
    if (isDir) out.push(...listYamlFiles(root, p, allowed, problems, seen));
    else if (isFile && YAML_FILE.test(e.name)) out.push(p);
  }
  return out;
}

/**
 * qontract's resources directory: `<root>/resources/` holds the files `openshiftResources` name
 * by `path` (manifests and templates, any extension). As in qontract (`resources_v1`), a file
 * `<root>/resources/app/deploy.yml` is the resource `/app/deploy.yml`. Its files are never datafiles.
 */
export const RESOURCES_DIR = 'resources';

function listAllFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = nodePath.join(dir, e.name);
    if (e.isDirectory()) out.push(...listAllFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** `/a/b.yml`: a file's path from the root, the identity of a datafile. */
function dataPath(root: string, abs: string): string {
  // The listing joins every path onto the root: cut the prefix instead of path.relative (which
  // resolves both paths; ~10 ms over the e2e bench's 4,385 files, docs/benchmarks.md).
  const rel = abs.startsWith(root + nodePath.sep) ? abs.slice(root.length + 1) : nodePath.relative(root, abs);
  return `/${nodePath.sep === '/' ? rel : rel.split(nodePath.sep).join('/')}`;
}

/** sha256 over the files sorted by path: `path NUL content NUL` each. Same value for `serve DIR`. */
export function contentSha(contents: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  for (const p of [...contents.keys()].sort()) {
    h.update(p).update('\0').update(contents.get(p) ?? '').update('\0');
  }
  return h.digest('hex');
}

/** A Kubernetes manifest (`apiVersion` + `kind`, no `$schema`): a resource, not a datafile. */
function isManifest(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return o.$schema === undefined && typeof o.apiVersion === 'string' && typeof o.kind === 'string';
}

/** A multi-document stream of manifests (or empty documents). */
function isManifestStream(text: string): boolean {
  try {
    const docs = yaml.loadAll(text);
    return docs.length > 1 && docs.every((d) => d === null || d === undefined || isManifest(d));
  } catch {
    return false;
  }
}

export interface ReadDirOptions {
  /** Directories outside `root` that symbolic links in the tree may point into (--allow-path). */
  readonly allowPaths?: readonly string[];
}

/**
 * Reads every `*.yml`/`*.yaml` under `root` (hidden entries skipped; symbolic links only within
 * the root or `allowPaths`). Throws ValidationError if `root` is unreadable.
 */
export function readDirSnapshot(root: string, opts: ReadDirOptions = {}): Promise<Snapshot> {
  // A promise (a throw becomes a rejection) over synchronous IO: see the comment on the reads.
  return new Promise((resolve) => { resolve(readDirNow(root, opts)); });
}

function readDirNow(root: string, opts: ReadDirOptions): Snapshot {
  let paths: string[];
  const problems: ValidationProblem[] = [];
  try {
    // The root counts as visited: a link back to it (or above a visited directory) is not walked twice.
    paths = (listYamlFiles(root, root, [root, ...(opts.allowPaths ?? [])], problems, new Set([realPath(root) ?? root]))).sort();
  } catch (e) {
    throw new ValidationError([{ file: root, field: '', message: `cannot read the app-interface directory: ${errorMessage(e)}` }]);
  }
  const contents = new Map<string, string>();
  const files = new Map<string, Datafile>();
  const resources = new Map<string, string>();
  for (const abs of paths) {
    const path = dataPath(root, abs);
    // Synchronous listing and reads: thousands of small files, and the thread-pool round trips of
    // async reads (open, stat, read, close each) made loading wait (docs/benchmarks.md, "End to end").
    const text = readFileSync(abs, 'utf8');
    contents.set(path, text);
    try {
      const value: unknown = yaml.load(text, { filename: path });
      // Line positions are computed on demand, for the files a problem names (yaml-positions.ts).
      if (isManifest(value)) resources.set(path, text);
      else files.set(path, { path, raw: value, positions: lazyPositionIndex(text, path) });
    } catch (e) {
      if (isManifestStream(text)) {
        resources.set(path, text);
        continue;
      }
      const mark = (e as { mark?: { line?: number } }).mark;
      const reason = (e as { reason?: string }).reason ?? errorMessage(e);
      problems.push({ file: path, ...(mark?.line === undefined ? {} : { line: mark.line + 1 }), field: '', message: `YAML syntax error: ${reason}` });
    }
  }
  const resourcesRoot = nodePath.join(root, RESOURCES_DIR);
  for (const abs of listAllFiles(resourcesRoot).sort()) {
    const path = `/${nodePath.relative(resourcesRoot, abs).split(nodePath.sep).join('/')}`;
    const text = readFileSync(abs, 'utf8');
    contents.set(`/${RESOURCES_DIR}${path}`, text);
    resources.set(path, text);
  }
  return { sha: contentSha(contents), files, readProblems: problems, resources, root, texts: contents };
}

/** A qontract-server bundle: `{data: {"<path>.yml": {...}}, graphql, resources, ...}`. */
export function bundleSnapshot(bundleText: string, source: string): Snapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bundleText);
  } catch (e) {
    throw new ValidationError([{ file: source, field: '', message: `bundle is not JSON: ${errorMessage(e)}` }]);
  }
  const data = typeof parsed === 'object' && parsed !== null ? (parsed as { data?: unknown }).data : undefined;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ValidationError([{ file: source, field: 'data', message: 'a bundle must have a `data` object mapping datafile paths to documents' }]);
  }
  const files = new Map<string, Datafile>();
  for (const [key, raw] of Object.entries(data as Record<string, unknown>)) {
    const path = key.startsWith('/') ? key : `/${key}`;
    files.set(path, { path, raw });
  }
  const sha = createHash('sha256').update(bundleText).digest('hex');
  const resources = new Map<string, string>();
  const res = (parsed as { resources?: unknown }).resources;
  if (typeof res === 'object' && res !== null) {
    for (const [k, v] of Object.entries(res as Record<string, unknown>)) {
      const content = typeof v === 'object' && v !== null ? (v as { content?: unknown }).content : undefined;
      if (typeof content === 'string') resources.set(k.startsWith('/') ? k : `/${k}`, content);
    }
  }
  return { sha, files: new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), readProblems: [], resources };
}

/** Snapshot from in-memory documents (the GraphQL client's rebuilt datafiles and fetched resources). */
export function documentsSnapshot(sha: string, docs: Iterable<Datafile>, resources: ReadonlyMap<string, string> = new Map()): Snapshot {
  const files = new Map<string, Datafile>();
  for (const d of [...docs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) files.set(d.path, d);
  return { sha, files, readProblems: [], resources };
}

/** The `$schema` of a document, if it has a string one. */
export function schemaOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const s = (raw as Record<string, unknown>).$schema;
  return typeof s === 'string' ? s : undefined;
}
