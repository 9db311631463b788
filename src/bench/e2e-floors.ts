/**
 * The floors of the end-to-end benchmark (e2e.ts), each run as its own minimal process that loads
 * nothing of kontract's (read-parse-validate: only the validators and their keyword): it prints `INNER <seconds>` (its own work, without node's start) and a
 * JSON line of counts.
 *
 *   node dist/bench/e2e-floors.js read-parse DIR       read every file, YAML-parse the datafiles
 *   node dist/bench/e2e-floors.js read-parse-validate DIR
 *                                                      the same, then each datafile validated against
 *                                                      its `$schema` by the build's precompiled
 *                                                      validators (dist/app-interface/schema-validators.cjs,
 *                                                      generated from schemas/) with kontract's `$ref`
 *                                                      keyword and formats (schema-keywords.ts)
 *   node dist/bench/e2e-floors.js list STATE_DIR PAIRS the paginated, ownership-filtered LISTs
 *                                                      (PAIRS: JSON [{selector, path}] per cluster)
 */
/* eslint-disable no-console -- a benchmark script's report is its output */
import { readFileSync, readdirSync } from 'node:fs';
import * as https from 'node:https';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import * as yaml from 'js-yaml';
import { FORMATS, refKeyword } from '../app-interface/schema-keywords.js';
import type { ValidationContext } from '../app-interface/schema-keywords.js';
import { readState } from '../local-cluster/control-plane.js';
import { rawListAll } from './raw-h1.js';

/** One LIST the run sends on every cluster: label selector and collection path. */
export interface ListRequest { readonly selector: string; readonly path: string }

/** Every file below `dir` (recursive, hidden entries skipped). */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.')) return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.isFile() ? [p] : [];
  });
}

/** Reads every file; YAML-parses the `*.yml`/`*.yaml` outside qontract's resources/ directory (as kontract does). */
function readParse(dir: string): void {
  const t0 = process.hrtime.bigint();
  const docs = parseAll(dir).length;
  console.log(`INNER ${Number(process.hrtime.bigint() - t0) / 1e9}`);
  console.log(JSON.stringify({ docs }));
}

/** The parsed documents of every datafile below `dir`, with the file's path from the root (`/a/b.yml`). */
function parseAll(dir: string): { path: string; doc: unknown }[] {
  const out: { path: string; doc: unknown }[] = [];
  const resources = join(dir, 'resources');
  for (const f of walk(dir)) {
    const text = readFileSync(f, 'utf8');
    if (f.startsWith(resources) || !/\.ya?ml$/.test(f)) continue;
    const path = `/${relative(dir, f).split(sep).join('/')}`;
    for (const doc of yaml.loadAll(text)) out.push({ path, doc });
  }
  return out;
}

type Validator = (this: ValidationContext, doc: unknown) => boolean;

/**
 * readParse, then each datafile validated against its `$schema` with the precompiled validators
 * of the build and kontract's own `$ref` keyword and formats (src/app-interface/schema-keywords.ts,
 * which imports nothing): the least `kontract validate` does per file, without cross-file rules
 * or the integrations' checks.
 */
function readParseValidate(dir: string): void {
  const require = createRequire(import.meta.url);
  const mod = require('../app-interface/schema-validators.cjs') as { load(ref: unknown, formats: unknown): Record<string, Validator> };
  const validators = mod.load(refKeyword, FORMATS);
  const t0 = process.hrtime.bigint();
  const docs = parseAll(dir);
  const schemaOf = new Map<string, string>();
  for (const d of docs) {
    const s = (d.doc as { $schema?: unknown } | null)?.$schema;
    if (typeof s === 'string') schemaOf.set(d.path, s);
  }
  const schemaAt = (p: string): string | undefined => schemaOf.get(p);
  let validated = 0;
  let invalid = 0;
  let refProblems = 0;
  for (const d of docs) {
    const v = validators[schemaOf.get(d.path) ?? ''];
    if (v === undefined) continue;
    validated++;
    const ctx: ValidationContext = { file: d.path, schemaAt, edges: [], refProblems: [] };
    if (!v.call(ctx, d.doc)) invalid++;
    refProblems += ctx.refProblems.length;
  }
  console.log(`INNER ${Number(process.hrtime.bigint() - t0) / 1e9}`);
  console.log(JSON.stringify({ docs: docs.length, validated, invalid, refProblems }));
}

/** The LISTs (limit 500, following `continue`) on every cluster in parallel, one keep-alive agent per cluster. */
async function list(stateDir: string, requests: readonly ListRequest[]): Promise<void> {
  const state = readState(stateDir);
  if (state === undefined) throw new Error(`no local clusters in ${stateDir}`);
  const t0 = process.hrtime.bigint();
  let reads = 0;
  let items = 0;
  await Promise.all(state.clusters.map(async (c) => {
    const agent = new https.Agent({ keepAlive: true, ca: readFileSync(c.caFile) });
    await Promise.all(requests.map(async (r) => {
      const got = await rawListAll({ server: c.server, token: c.adminToken, agent }, r.path, r.selector);
      reads += got.pages;
      items += got.items;
    }));
    agent.destroy();
  }));
  console.log(`INNER ${Number(process.hrtime.bigint() - t0) / 1e9}`);
  console.log(JSON.stringify({ reads, items }));
}

const [what, a, b] = process.argv.slice(2);
if (what === 'read-parse' && a !== undefined) readParse(a);
else if (what === 'read-parse-validate' && a !== undefined) readParseValidate(a);
else if (what === 'list' && a !== undefined && b !== undefined) await list(a, JSON.parse(b) as ListRequest[]);
else if (what !== undefined) throw new Error('usage: e2e-floors.js read-parse DIR | read-parse-validate DIR | list STATE_DIR PAIRS_JSON');
