/** Helpers for the hedgehog-fabric unit tests: the sample fabric, temp GitOps directories. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as yaml from 'js-yaml';
import type { ValidationProblem } from '../../../src/core/errors.js';
import type { Fabric } from '../../../src/app-interface/hedgehog/model.js';
import { FABRIC_KIND_NAMES } from '../../../src/app-interface/hedgehog/model.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SAMPLE_ROOT = path.join(REPO_ROOT, 'app-interface-sample');
export const SAMPLE_FABRIC_DIR = path.join(SAMPLE_ROOT, 'hedgehog/fabric-1');

export function fabric(directory: string, over: Partial<Fabric> = {}): Fabric {
  return {
    path: '/hedgehog/fabric-1.yml',
    name: 'fabric-1',
    description: '',
    cluster: 'dev-1',
    source: { kind: 'directory', directory },
    kinds: FABRIC_KIND_NAMES,
    unknownDocuments: 'warn',
    ...over,
  };
}

const dirs: string[] = [];

/** A temporary directory holding `files` (relative path → content); removed by cleanupDirs(). */
export function tempDir(files: Readonly<Record<string, string>>, prefix = 'kontract-hh-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) writeFileSync(path.join(dir, rel), content);
  return dir;
}

export function cleanupDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export type Doc = Record<string, unknown> & { kind: string; metadata: Record<string, unknown>; spec?: Record<string, unknown> };

/** Every document of the sample fabric, in file order (fresh copies). */
export function sampleDocs(): Doc[] {
  return readdirSync(SAMPLE_FABRIC_DIR).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => yaml.loadAll(readFileSync(path.join(SAMPLE_FABRIC_DIR, f), 'utf8')) as Doc[]);
}

/** One file `fabric.yaml` with the documents, in order (document i = index i). */
export function docsDir(docs: readonly unknown[]): string {
  return tempDir({ 'fabric.yaml': docs.map((d) => yaml.dump(d)).join('---\n') });
}

export function find(docs: readonly Doc[], kind: string, name: string): Doc {
  const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
  if (d === undefined) throw new Error(`sample has no ${kind} ${name}`);
  return d;
}

export function indexOf(docs: readonly Doc[], kind: string, name: string): number {
  return docs.findIndex((x) => x.kind === kind && x.metadata.name === name);
}

/** Every problem of a fabric build: between fabrics (abort the run) and per fabric (blocked units). */
export function fabricProblems(state: { problems: readonly ValidationProblem[]; blocked?: readonly { problems: readonly ValidationProblem[] }[] }): ValidationProblem[] {
  return [...state.problems, ...(state.blocked ?? []).flatMap((u) => u.problems)];
}
