/**
 * Where the shared upstream test data lives (KubeVirt and Hedgehog CRDs and examples). It is not
 * part of the repository (DEVELOPERS.md: read it from `../shared/crds/`, never copy it in).
 * Resolution: $KONTRACT_SHARED_DIR, else `<repo>/../shared` (the normal checkout layout), else
 * `/work/shared` (this workplace's fixed location, for clones made elsewhere, e.g. by CI).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../src/local-cluster/index.js';

function resolveSharedDir(): string {
  const fromEnv = process.env.KONTRACT_SHARED_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  const candidates = [path.resolve(repoRoot(), '..', 'shared'), '/work/shared'];
  return candidates.find((c) => existsSync(path.join(c, 'crds'))) ?? candidates[0] ?? '/work/shared';
}

export const SHARED_DIR = resolveSharedDir();

/** A path under the shared data's `crds/` directory. */
export function sharedCrds(...parts: string[]): string {
  return path.join(SHARED_DIR, 'crds', ...parts);
}

/** A path under the shared data's `qontract/` directory (qontract-schemas, qontract-server, queries). */
export function sharedQontract(...parts: string[]): string {
  return path.join(SHARED_DIR, 'qontract', ...parts);
}
