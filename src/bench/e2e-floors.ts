/**
 * The floors of the end-to-end benchmark (e2e.ts), each run as its own minimal process that loads
 * nothing of kontract's: it prints `INNER <seconds>` (its own work, without node's start) and a
 * JSON line of counts.
 *
 *   node dist/bench/e2e-floors.js read-parse DIR       read every file, YAML-parse the datafiles
 *   node dist/bench/e2e-floors.js list STATE_DIR PAIRS the paginated, ownership-filtered LISTs
 *                                                      (PAIRS: JSON [{selector, path}] per cluster)
 */
/* eslint-disable no-console -- a benchmark script's report is its output */
import { readFileSync, readdirSync } from 'node:fs';
import * as https from 'node:https';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
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
  let docs = 0;
  const resources = join(dir, 'resources');
  for (const f of walk(dir)) {
    const text = readFileSync(f, 'utf8');
    if (f.startsWith(resources) || !/\.ya?ml$/.test(f)) continue;
    docs += yaml.loadAll(text).length;
  }
  console.log(`INNER ${Number(process.hrtime.bigint() - t0) / 1e9}`);
  console.log(JSON.stringify({ docs }));
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
else if (what === 'list' && a !== undefined && b !== undefined) await list(a, JSON.parse(b) as ListRequest[]);
else if (what !== undefined) throw new Error('usage: e2e-floors.js read-parse DIR | list STATE_DIR PAIRS_JSON');
