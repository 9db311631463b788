/**
 * A fabric whose GitOps directory lies inside the app-interface yields the same desired objects
 * through the YAML directory source and the GraphQL source (`serve` in-process, no cluster): its
 * files travel with the data as resources, so nothing is read from disk relative to the run.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppInterfaceServer } from '../../../src/app-interface/server.js';
import { startAppInterfaceServer } from '../../../src/app-interface/server.js';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { createFabricSourceReader } from '../../../src/app-interface/hedgehog/sources.js';
import { desiredFabrics } from '../../../src/integrations/hedgehog-fabric/desired.js';
import { readResourceDir } from '../../../src/app-interface/hedgehog/documents.js';
import { fabricTreeDirectory } from '../../../src/app-interface/hedgehog/parse.js';
import { createHedgehogFabricIntegration } from '../../../src/integrations/hedgehog-fabric/integration.js';
import { SAMPLE_FABRIC_DIR, SAMPLE_ROOT, cleanupDirs, fabric } from './support.js';

let work: string;
let dir: string;
let server: AppInterfaceServer;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kontract-hh-src-'));
  dir = path.join(work, 'ai');
  cpSync(SAMPLE_ROOT, dir, { recursive: true });
  server = await startAppInterfaceServer({ source: { kind: 'dir', path: dir }, port: 0, watch: false });
});

afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

afterEach(cleanupDirs);

// A working directory unrelated to the app-interface: relative paths must not matter.
const opts = { env: {}, cwd: os.tmpdir() };
const sources = createFabricSourceReader(opts);

describe('hedgehog desired state through both app-interface sources', () => {
  it('builds equal desired objects from the GraphQL-loaded and the directory-loaded data', async () => {
    const fromDir = await loadAppInterface({ kind: 'dir', path: dir });
    const fromGraphql = await loadAppInterface({ kind: 'graphql', url: `${server.url}/graphql` });
    const integration = createHedgehogFabricIntegration(() => sources);
    const a = await integration.buildDesired({ data: fromDir, env: {}, cwd: opts.cwd, now: new Date() });
    const b = await integration.buildDesired({ data: fromGraphql, env: {}, cwd: opts.cwd, now: new Date() });
    expect(a.problems).toEqual([]);
    expect(a.objects).toHaveLength(24);
    expect(b.objects).toEqual(a.objects);
    expect(b.problems).toEqual(a.problems);
    expect(b.warnings).toEqual(a.warnings);
    expect(b.clusters).toEqual(a.clusters);
    // documents are named by their app-interface path, the same from both sources
    expect(b.objects.find((o) => o.object.kind === 'VPC')?.source).toBe('hedgehog/fabric-1/50-vpcs.yaml#0');
    // and they are the objects the disk reader finds in the same directory
    const disk = await desiredFabrics([fabric(SAMPLE_FABRIC_DIR)], sources);
    expect(b.objects.map((o) => o.object)).toEqual(disk.objects.map((o) => o.object));
    expect(b.objects.map((o) => o.source)).toEqual(disk.objects.map((o) => (o.source ?? '').replace(`${SAMPLE_ROOT}/`, '')));
  });

  it('reads the in-tree files from the data, not from disk', async () => {
    const data = await loadAppInterface({ kind: 'graphql', url: `${server.url}/graphql` });
    const moved = path.join(work, 'moved');
    cpSync(path.join(dir, 'hedgehog/fabric-1'), moved, { recursive: true });
    rmSync(path.join(dir, 'hedgehog/fabric-1'), { recursive: true });
    try {
      const state = await desiredFabrics(data.fabrics ?? [], sources, data.resources);
      expect(state.problems).toEqual([]);
      expect(state.objects).toHaveLength(24);
    } finally {
      cpSync(moved, path.join(dir, 'hedgehog/fabric-1'), { recursive: true });
    }
  });

  it('names file#document and the fabric field in problems of in-tree files', () => {
    const bad = readResourceDir({
      directory: '/hedgehog/f1',
      files: [
        { path: '/hedgehog/f1/a.yaml', content: 'apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata: {name: v}\n---\nkind: [\n' },
        { path: '/hedgehog/f1/.hidden/x.yaml', content: 'not: read\n' },
        { path: '/hedgehog/f1/notes.md', content: 'not yaml' },
      ],
    }, { file: '/hedgehog/f1.yml', field: 'source.directory' });
    expect(bad.documents.map((d) => `${d.file}#${d.index}`)).toEqual(['hedgehog/f1/a.yaml#0']);
    expect(bad.problems).toEqual([expect.objectContaining({ file: 'hedgehog/f1/a.yaml#1', message: expect.stringMatching(/invalid YAML/) as unknown })]);
    const empty = readResourceDir({ directory: '/hedgehog/f2', files: [] }, { file: '/hedgehog/f2.yml', field: 'source.directory' });
    expect(empty.problems).toEqual([{ file: '/hedgehog/f2.yml', field: 'source.directory', message: expect.stringMatching(/fabric directory hedgehog\/f2 does not exist in the app-interface/) as unknown }]);
  });

  it('keeps the walk order of the disk reader (name by name, nested directories in place)', () => {
    const r = readResourceDir({
      directory: '/f',
      files: ['/f/b.yaml', '/f/a/z.yaml', '/f/a.yaml', '/f/A-1.yml'].map((p) => ({ path: p, content: `apiVersion: v1\nkind: X\nmetadata: {name: "${p}"}\n` })),
    }, { file: '/f.yml', field: 'source.directory' });
    expect(r.documents.map((d) => d.file)).toEqual(['f/a/z.yaml', 'f/A-1.yml', 'f/a.yaml', 'f/b.yaml']);
  });

  it('treats only relative directories inside the tree as in-tree', () => {
    const raw = (directory: unknown): unknown => ({ source: { directory } });
    expect(fabricTreeDirectory(raw('hedgehog/fabric-1/'))).toBe('/hedgehog/fabric-1');
    expect(fabricTreeDirectory(raw('./a/../b'))).toBe('/b');
    expect(fabricTreeDirectory(raw('/srv/fabric'))).toBeUndefined();
    expect(fabricTreeDirectory(raw('../outside'))).toBeUndefined();
    expect(fabricTreeDirectory(raw(3))).toBeUndefined();
    expect(fabricTreeDirectory({ source: { git: { url: 'u', ref: 'r' } } })).toBeUndefined();
    expect(fabricTreeDirectory(null)).toBeUndefined();
  });
});
