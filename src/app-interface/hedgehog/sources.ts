/**
 * The fabric sources that live outside the app-interface data: a directory on disk (confined to
 * the app-interface root and every --allow-path) or a git repository at a ref (git-source.ts).
 * The engine hands createFabricSourceReader's reader to the hedgehog-fabric integration
 * (DesiredContext.sources, src/reconcile/external-sources.ts), so building the desired state
 * reads no disk and runs no git itself.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { confinedRealPath, realPath } from '../confined-paths.js';
import { errorMessage } from '../../core/errors.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { FabricSourceReader, LoadedFabricSource, ReadResult, SourceDocument } from './documents.js';
import { fabricSourceLabel, parseDocuments } from './documents.js';
import type { GitCheckout, GitFetchOptions, GitSourceSpec } from './git-source.js';
import { defaultGitCacheDir, fetchGitSource, scrubSecrets } from './git-source.js';
import type { Fabric } from './model.js';

export interface FabricSourceOptions {
  /** Environment for git credentials (`tokenEnv`, `usernameEnv`) and git itself. */
  readonly env: NodeJS.ProcessEnv;
  /** Base of relative directories and token files. */
  readonly cwd: string;
  /**
   * Directories a directory source may be read from (CLI: the app-interface directory and every
   * --allow-path); one elsewhere is a problem and is not read. Absent: no restriction.
   */
  readonly allowedPaths?: readonly string[];
  /** @default defaultGitCacheDir(env) */
  readonly gitCacheDir?: string;
  /** Replaceable for tests of the surrounding logic; the default runs the `git` binary. */
  readonly fetchGit?: (spec: GitSourceSpec, opts: GitFetchOptions) => Promise<GitCheckout>;
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

/** A fabric's source from disk or git (a directory the app-interface carries is read from the data instead). */
export async function readFabricSource(fabric: Fabric, opts: FabricSourceOptions): Promise<LoadedFabricSource> {
  const src = fabric.source;
  const origin = { file: fabric.path, field: 'source' };
  if (src.kind === 'directory') {
    const dir = path.resolve(opts.cwd, src.directory);
    const allowed = opts.allowedPaths ?? [dir];
    if (opts.allowedPaths !== undefined && confinedRealPath(dir, allowed) === undefined) {
      return { documents: [], problems: [{ file: fabric.path, field: 'source.directory', message: `${src.directory} is outside the app-interface (or does not exist): not read; an operator may allow it with --allow-path DIR` }], label: src.directory };
    }
    return { ...readDirectory(dir, src.directory, origin, allowed), label: src.directory };
  }
  const label = scrubSecrets(fabricSourceLabel(fabric));
  const fetch = opts.fetchGit ?? fetchGitSource;
  let checkout: GitCheckout;
  try {
    checkout = await fetch(src, { cacheDir: opts.gitCacheDir ?? defaultGitCacheDir(opts.env), env: opts.env, cwd: opts.cwd });
  } catch (e) {
    return { documents: [], problems: [{ file: fabric.path, field: 'source.git', message: `cannot fetch ${label}: ${scrubSecrets(errorMessage(e))}` }], label };
  }
  // Symbolic links in the repository may not leave the checkout.
  const read = readDirectory(path.join(checkout.dir, src.path), label, { file: fabric.path, field: 'source.git.path' }, [checkout.dir]);
  return { ...read, label, revision: checkout.commit, fetchedAt: new Date().toISOString() };
}

/** The reader the engine hands to the hedgehog-fabric integration (DesiredContext.sources). */
export function createFabricSourceReader(opts: FabricSourceOptions): FabricSourceReader {
  return { read: (fabric) => readFabricSource(fabric, opts) };
}
