/**
 * Where the datafile JSON Schemas come from: `<package>/schemas/**\/*.json` on disk (from
 * src/app-interface or dist/app-interface). The single-file build (scripts/build-single-file.js)
 * replaces this module with one that embeds the same files, so the bundle needs no schemas/ dir.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<package>/schemas` */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

export interface SchemaFile {
  /** Path relative to the schemas dir, `/`-separated (`openshift/namespace-1.json`). */
  readonly path: string;
  readonly text: string;
}

function listJson(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = nodePath.join(dir, e.name);
    if (e.isDirectory()) return listJson(p);
    return e.isFile() && e.name.endsWith('.json') ? [p] : [];
  });
}

/** Every `*.json` under `dir`, sorted by path. */
export function readSchemaFiles(dir: string = SCHEMAS_DIR): SchemaFile[] {
  return listJson(dir).sort().map((file) => ({
    path: nodePath.relative(dir, file).split(nodePath.sep).join('/'),
    text: readFileSync(file, 'utf8'),
  }));
}
