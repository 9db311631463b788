/**
 * Desired state of the hedgehog-fabric integration: for every fabric datafile, read its GitOps
 * directory (in-tree files carried by the app-interface data, a local directory or a git
 * checkout), keep the documents of the enabled fabric kinds, validate them as the fabric webhooks
 * would, and place them on the fabric's cluster.
 */
import * as path from 'node:path';
import type { AppInterfaceData } from '../../app-interface/model.js';
import { errorMessage } from '../../core/errors.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { BlockedUnit, DesiredObject, DesiredState } from '../define-integration.js';
import type { FabricObject } from './checker.js';
import type { ReadResult } from './documents.js';
import { documentRef, readDirectory, readResourceDir } from './documents.js';
import { classifyDocuments } from './fabric-objects.js';
import type { GitCheckout, GitFetchOptions, GitSourceSpec } from './git-source.js';
import { defaultGitCacheDir, displayUrl, fetchGitSource, scrubSecrets } from './git-source.js';
import type { Fabric, FabricKindName } from '../../app-interface/hedgehog/model.js';
import { FABRIC_KIND_NAMES } from '../../app-interface/hedgehog/model.js';
import { validateFabric } from './validate.js';
import { confinedRealPath } from '../../app-interface/confined-paths.js';

export const HEDGEHOG_FABRIC_INTEGRATION = 'hedgehog-fabric';

export interface FabricBuildOptions {
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

/** What one fabric contributes. */
export interface FabricDesired {
  readonly fabric: Fabric;
  /** Where its documents came from, for messages (`git:<url>@<ref>:<path>` or the directory). */
  readonly sourceLabel: string;
  /** The git commit checked out (git sources). */
  readonly revision?: string;
  /** When that commit was fetched (git sources), ISO time. */
  readonly fetchedAt?: string;
  readonly objects: readonly FabricObject[];
  /** Desired objects per kind (every kind present, 0 when none). */
  readonly counts: Readonly<Record<FabricKindName, number>>;
  readonly problems: readonly ValidationProblem[];
  readonly warnings: readonly ValidationProblem[];
}

export interface FabricDesiredState extends DesiredState {
  readonly fabrics: readonly FabricDesired[];
  /** Non-fatal findings (stripped labels, skipped documents, deprecated fields). */
  readonly warnings: readonly ValidationProblem[];
}

export function emptyKindCounts(): Record<FabricKindName, number> {
  return Object.fromEntries(FABRIC_KIND_NAMES.map((k) => [k, 0])) as Record<FabricKindName, number>;
}

/** AppInterfaceData.resources: in-tree files by datafile path. */
export type FabricResources = AppInterfaceData['resources'];

async function readSource(fabric: Fabric, opts: FabricBuildOptions, resources: FabricResources): Promise<ReadResult & { label: string; revision?: string; fetchedAt?: string }> {
  const src = fabric.source;
  const origin = { file: fabric.path, field: 'source' };
  // A directory inside the app-interface comes with the data (any source); others from disk.
  const tree = src.kind === 'directory' ? resources?.[fabric.path]?.[0] : undefined;
  if (tree !== undefined) return readResourceDir(tree, { file: fabric.path, field: 'source.directory' });
  if (src.kind === 'directory') {
    const dir = path.resolve(opts.cwd, src.directory);
    const allowed = opts.allowedPaths ?? [dir];
    if (opts.allowedPaths !== undefined && confinedRealPath(dir, allowed) === undefined) {
      return { documents: [], problems: [{ file: fabric.path, field: 'source.directory', message: `${src.directory} is outside the app-interface (or does not exist): not read; an operator may allow it with --allow-path DIR` }], label: src.directory };
    }
    return { ...readDirectory(dir, src.directory, origin, allowed), label: src.directory };
  }
  const label = `git:${displayUrl(src.url)}@${src.ref}${src.path === '.' ? '' : `:${src.path}`}`;
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

/**
 * One fabric: read, classify, validate. `resources` (AppInterfaceData.resources) supplies the files
 * of a directory inside the app-interface; without it a directory source is read from disk.
 */
export async function desiredFabric(fabric: Fabric, opts: FabricBuildOptions, resources?: FabricResources): Promise<FabricDesired> {
  const read = await readSource(fabric, opts, resources);
  const classified = classifyDocuments(fabric, read.documents);
  const validation = validateFabric(classified.objects);
  const counts = emptyKindCounts();
  for (const o of classified.objects) counts[o.kind]++;
  return {
    fabric,
    sourceLabel: read.label,
    ...(read.revision === undefined ? {} : { revision: read.revision }),
    ...(read.fetchedAt === undefined ? {} : { fetchedAt: read.fetchedAt }),
    objects: classified.objects,
    counts,
    problems: [...read.problems, ...classified.problems, ...validation.problems],
    warnings: [...classified.warnings, ...validation.warnings],
  };
}

function crossFabricProblems(fabrics: readonly Fabric[]): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const names = new Map<string, string>();
  const clusters = new Map<string, string>();
  for (const f of fabrics) {
    const n = names.get(f.name);
    if (n !== undefined) problems.push({ file: f.path, field: 'name', message: `fabric ${f.name} is already declared in ${n}` });
    else names.set(f.name, f.path);
    // One fabric controller per cluster: two fabrics would fight over the same `default` objects.
    const c = clusters.get(f.cluster);
    if (c !== undefined) problems.push({ file: f.path, field: 'cluster', message: `cluster ${f.cluster} already runs fabric ${c}` });
    else clusters.set(f.cluster, f.name);
  }
  return problems;
}

/**
 * The desired state of every fabric. A fabric with a problem (unreadable source, bad document,
 * webhook-rule violation) is a blocked unit: none of its objects is returned and the engine leaves
 * its cluster alone for this integration, while the other fabrics converge. Problems between
 * fabrics (a duplicate name or cluster) abort the run. Pass the data's `resources` so in-tree
 * directories are read from the data rather than from disk.
 */
export async function desiredFabrics(fabrics: readonly Fabric[], opts: FabricBuildOptions, resources?: FabricResources): Promise<FabricDesiredState> {
  const problems = crossFabricProblems(fabrics);
  const results: FabricDesired[] = [];
  // One fabric at a time: git fetches are heavy and a run has few fabrics.
  for (const f of fabrics) results.push(await desiredFabric(f, opts, resources));
  const blocked: BlockedUnit[] = results.filter((r) => r.problems.length > 0)
    .map((r) => ({ unit: `fabric ${r.fabric.name}`, cluster: r.fabric.cluster, problems: r.problems }));
  const objects: DesiredObject[] = problems.length > 0 ? [] : results.filter((r) => r.problems.length === 0).flatMap((r) => r.objects.map((o) => ({
    cluster: r.fabric.cluster, object: o.object, source: documentRef(o.doc),
  })));
  return {
    objects,
    problems,
    blocked,
    clusters: [...new Set(fabrics.map((f) => f.cluster))],
    fabrics: results,
    warnings: results.flatMap((r) => r.warnings),
  };
}
