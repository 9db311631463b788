/**
 * A fabric's GitOps documents: every `*.yaml` / `*.yml` file of its directory (hidden entries such
 * as `.git` skipped), each split into its YAML documents with the document index and start line,
 * so every later message can name `file#index` and the line. Pure: the files come from the
 * in-tree directories the app-interface carries (readResourceDir) or from a FabricSourceReader,
 * which the engine fills with the disk and git reader of sources.ts.
 */
import * as yaml from 'js-yaml';
import type { ResourceDir } from '../model.js';
import { errorMessage } from '../../core/errors.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { Fabric } from './model.js';

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

/** A fabric's source, read: its documents, or the problems that kept them from being read. */
export interface LoadedFabricSource extends ReadResult {
  /** Where the documents came from, for messages (`git:<url>@<ref>:<path>` or the directory). */
  readonly label: string;
  /** The git commit checked out (git sources). */
  readonly revision?: string;
  /** When that commit was fetched (git sources), ISO time. */
  readonly fetchedAt?: string;
}

/** How messages name a fabric's source: its directory, or `git:<url>@<ref>[:<path>]` (datafile URLs carry no user info). */
export function fabricSourceLabel(fabric: Fabric): string {
  const src = fabric.source;
  return src.kind === 'directory' ? src.directory : `git:${src.url}@${src.ref}${src.path === '.' ? '' : `:${src.path}`}`;
}

/**
 * Reads the source of a fabric whose directory is not carried by the app-interface data: a
 * directory on disk or a git repository (sources.ts does it; tests may hand in documents). A
 * source that cannot be read yields problems of that fabric only, never a rejection.
 */
export interface FabricSourceReader {
  read(fabric: Fabric): Promise<LoadedFabricSource>;
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
 * same rules as the directory walk of sources.ts. Files are named `<directory without leading slash>/<relative path>`.
 */
export function readResourceDir(dir: ResourceDir, origin: { file: string; field: string }): LoadedFabricSource {
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
