/**
 * Reads a fabric's GitOps directory: every `*.yaml` / `*.yml` file below it (hidden entries such
 * as `.git` skipped), from disk or from the in-tree files the app-interface carries, each split into its YAML documents with the document index and start line,
 * so every later message can name `file#index` and the line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import type { ResourceDir } from '../../app-interface/model.js';
import { confinedRealPath, realPath } from '../../app-interface/confined-paths.js';
import { errorMessage } from '../../core/errors.js';
import type { ValidationProblem } from '../../core/errors.js';

/** One YAML document of the GitOps directory. */
export interface SourceDocument {
  /** Display name of the file: `<source label>/<path relative to the directory>`. */
  readonly file: string;
  /** 0-based index of the document in its file (empty documents count too). */
  readonly index: number;
  /** 1-based line where the document starts. */
  readonly line: number;
  readonly value: unknown;
}

export interface ReadResult {
  readonly documents: readonly SourceDocument[];
  readonly problems: readonly ValidationProblem[];
}

const SEPARATOR = /^---(?:\s|$)/;
const END = /^\.\.\.\s*$/;

/** `file#index`, the way every message names a document. */
export function documentRef(doc: Pick<SourceDocument, 'file' | 'index'>): string {
  return `${doc.file}#${doc.index}`;
}

/**
 * Splits a multi-document YAML text on `---` lines (a `---` at column 0 cannot occur inside a
 * block scalar, which must be indented) and parses each part on its own, so a syntax error in one
 * document names that document.
 */
export function parseDocuments(text: string, file: string): ReadResult {
  const lines = text.split(/\r?\n/);
  const parts: { line: number; text: string[] }[] = [];
  let current: { line: number; text: string[] } = { line: 1, text: [] };
  let sawContent = false;
  lines.forEach((l, i) => {
    if (SEPARATOR.test(l)) {
      // A leading `---` opens the first document rather than closing an empty one.
      if (sawContent || parts.length > 0) parts.push(current);
      current = { line: i + 1, text: [l.replace(/^---/, '')] };
      sawContent = true;
      return;
    }
    if (END.test(l)) return;
    if (l.trim() !== '' && !l.trimStart().startsWith('#')) sawContent = true;
    current.text.push(l);
  });
  parts.push(current);
  const documents: SourceDocument[] = [];
  const problems: ValidationProblem[] = [];
  parts.forEach((p, index) => {
    try {
      const value: unknown = yaml.load(p.text.join('\n'), { filename: file });
      documents.push({ file, index, line: p.line, value });
    } catch (e) {
      const reason = e instanceof yaml.YAMLException ? e.reason : errorMessage(e);
      const mark = e instanceof yaml.YAMLException ? (e.mark as { line?: number } | undefined) : undefined;
      const line = mark?.line === undefined ? p.line : p.line + mark.line;
      problems.push({ file: `${file}#${index}`, line, field: '', message: `invalid YAML: ${reason}` });
    }
  });
  return { documents, problems };
}

function yamlFiles(dir: string, rel: string, allowed: readonly string[], out: string[], refused: string[], seen: Set<string>): void {
  const entries = readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const target = confinedRealPath(path.join(dir, r), allowed);
      if (target === undefined) {
        refused.push(r);
        continue;
      }
      const st = statSync(target);
      isDir = st.isDirectory();
      isFile = st.isFile();
      if (isDir) {
        if (seen.has(target)) continue;
        seen.add(target);
      }
    }
    if (isDir) yamlFiles(dir, r, allowed, out, refused, seen);
    else if (isFile && /\.ya?ml$/.test(e.name)) out.push(r);
  }
}

/**
 * Every document under `dir`, files in sorted order. `label` prefixes the file names in messages
 * (a directory path or a scrubbed `git:` location). A missing directory is a problem of `origin`.
 * The directory and its symbolic links are followed only into `allowed` (default: the directory
 * itself); a link leaving them is a problem and its target is not read.
 */
export function readDirectory(dir: string, label: string, origin: { file: string; field: string }, allowed: readonly string[] = [dir]): ReadResult {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) return { documents: [], problems: [{ ...origin, message: `fabric directory ${label} does not exist or is not a directory` }] };
  if (confinedRealPath(dir, allowed) === undefined) {
    return { documents: [], problems: [{ ...origin, message: `fabric directory ${label} is a symbolic link leaving its source: not read` }] };
  }
  const files: string[] = [];
  const refused: string[] = [];
  yamlFiles(dir, '', allowed, files, refused, new Set([realPath(dir) ?? dir]));
  const documents: SourceDocument[] = [];
  const problems: ValidationProblem[] = refused.map((r) => ({ ...origin, message: `${label}/${r} is a symbolic link leaving its source (or dangling): not read` }));
  for (const rel of files) {
    const r = parseDocuments(readFileSync(path.join(dir, rel), 'utf8'), `${label}/${rel}`);
    documents.push(...r.documents);
    problems.push(...r.problems);
  }
  if (files.length === 0 && refused.length === 0) problems.push({ ...origin, message: `fabric directory ${label} holds no *.yaml or *.yml file` });
  return { documents, problems };
}

/** Orders relative paths as the directory walk does: name by name, each level with localeCompare. */
function compareWalkOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = (x[i] ?? '').localeCompare(y[i] ?? '');
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

/**
 * Every document of an in-tree directory the app-interface carries (AppInterfaceData.resources:
 * the same files from the YAML directory, a bundle or GraphQL), in the same order and with the
 * same rules as readDirectory. Files are named `<directory without leading slash>/<relative path>`.
 */
export function readResourceDir(dir: ResourceDir, origin: { file: string; field: string }): ReadResult & { label: string } {
  const label = dir.directory === '/' ? '.' : dir.directory.replace(/^\/+/, '');
  const prefix = dir.directory.endsWith('/') ? dir.directory : `${dir.directory}/`;
  const files = dir.files
    .filter((f) => f.path.startsWith(prefix))
    .map((f) => ({ rel: f.path.slice(prefix.length), content: f.content }))
    .filter((f) => /\.ya?ml$/.test(f.rel) && !f.rel.split('/').some((seg) => seg === '' || seg.startsWith('.')))
    .sort((a, b) => compareWalkOrder(a.rel, b.rel));
  if (files.length === 0) {
    return { documents: [], problems: [{ ...origin, message: `fabric directory ${label} does not exist in the app-interface or holds no *.yaml or *.yml file` }], label };
  }
  const documents: SourceDocument[] = [];
  const problems: ValidationProblem[] = [];
  for (const f of files) {
    const r = parseDocuments(f.content, `${label}/${f.rel}`);
    documents.push(...r.documents);
    problems.push(...r.problems);
  }
  return { documents, problems, label };
}
