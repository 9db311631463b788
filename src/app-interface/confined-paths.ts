/**
 * Data cannot reach outside the app-interface: a path the data names (a symbolic link in the
 * tree, a fabric's directory) is read only when its real location (symbolic links resolved) lies
 * inside one of the allowed directories: the app-interface directory itself and whatever the
 * operator allowed on the command line (`--allow-path DIR`). Messages about refused paths never
 * say what the target holds.
 */
import { realpathSync } from 'node:fs';
import * as nodePath from 'node:path';

/** The real path, or undefined when it does not exist (a dangling link, a missing directory). */
export function realPath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/** True when `p` is `dir` or lies below it (both absolute, already real paths). */
export function isWithin(p: string, dir: string): boolean {
  const rel = nodePath.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !nodePath.isAbsolute(rel));
}

/**
 * Where `p` really is, when that lies inside one of `allowed` (each resolved to its real path);
 * undefined when it does not exist or lies outside all of them.
 */
export function confinedRealPath(p: string, allowed: readonly string[]): string | undefined {
  const real = realPath(p);
  if (real === undefined) return undefined;
  const roots = allowed.map((a) => realPath(a)).filter((a): a is string => a !== undefined);
  return roots.some((r) => isWithin(real, r)) ? real : undefined;
}
