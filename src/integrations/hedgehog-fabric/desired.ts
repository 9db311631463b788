/**
 * Desired state of the hedgehog-fabric integration: for every fabric datafile, take its GitOps
 * documents (in-tree files carried by the app-interface data, or what the injected
 * FabricSourceReader read from a local directory or a git checkout), keep the documents of the
 * enabled fabric kinds, validate them as the fabric webhooks would, and place them on the
 * fabric's cluster. No disk, git or clock: the reader does that (src/app-interface/hedgehog/sources.ts).
 */
import type { AppInterfaceData } from '../../app-interface/model.js';
import { errorMessage } from '../../core/errors.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { BlockedUnit, DesiredObject, DesiredState } from '../define-integration.js';
import type { FabricObject } from './checker.js';
import type { FabricSourceReader, LoadedFabricSource } from '../../app-interface/hedgehog/documents.js';
import { documentRef, fabricSourceLabel, readResourceDir } from '../../app-interface/hedgehog/documents.js';
import { classifyDocuments } from './fabric-objects.js';
import type { Fabric, FabricKindName } from '../../app-interface/hedgehog/model.js';
import { FABRIC_KIND_NAMES } from '../../app-interface/hedgehog/model.js';
import { validateFabric } from './validate.js';

export const HEDGEHOG_FABRIC_INTEGRATION = 'hedgehog-fabric';

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

/**
 * A fabric's documents: a directory inside the app-interface comes with the data (any source:
 * YAML directory, bundle or GraphQL); any other directory or a git repository from `sources`.
 */
function readSource(fabric: Fabric, sources: FabricSourceReader, resources: FabricResources): Promise<LoadedFabricSource> {
  const tree = fabric.source.kind === 'directory' ? resources?.[fabric.path]?.[0] : undefined;
  if (tree !== undefined) return Promise.resolve(readResourceDir(tree, { file: fabric.path, field: 'source.directory' }));
  // A reader that fails anyway still fails only this fabric.
  return sources.read(fabric).catch((e: unknown) => ({
    documents: [], label: fabricSourceLabel(fabric),
    problems: [{ file: fabric.path, field: 'source', message: `cannot read the fabric's source: ${errorMessage(e)}` }],
  }));
}

/**
 * One fabric: read, classify, validate. `resources` (AppInterfaceData.resources) supplies the files
 * of a directory inside the app-interface; without it a directory source is read by `sources`.
 */
export async function desiredFabric(fabric: Fabric, sources: FabricSourceReader, resources?: FabricResources): Promise<FabricDesired> {
  const read = await readSource(fabric, sources, resources);
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
 * directories are read from the data rather than by `sources`.
 */
export async function desiredFabrics(fabrics: readonly Fabric[], sources: FabricSourceReader, resources?: FabricResources): Promise<FabricDesiredState> {
  const problems = crossFabricProblems(fabrics);
  const results: FabricDesired[] = [];
  // One fabric at a time: git fetches are heavy and a run has few fabrics.
  for (const f of fabrics) results.push(await desiredFabric(f, sources, resources));
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
