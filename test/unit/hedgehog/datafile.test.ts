import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { isValidationError } from '../../../src/core/errors.js';
import { createFabricSourceReader } from '../../../src/app-interface/hedgehog/sources.js';
import { desiredFabrics } from '../../../src/integrations/hedgehog-fabric/desired.js';
import { parseFabric } from '../../../src/app-interface/hedgehog/parse.js';
import { FABRIC_KIND_NAMES } from '../../../src/app-interface/hedgehog/model.js';
import { SAMPLE_ROOT, tempDir } from './support.js';

const clusters = (p: string): string | undefined => (p === '/openshift/dev-1/cluster.yml' ? 'dev-1' : undefined);

describe('the sample app-interface', () => {
  it('loads fabric-1 with its cluster and its GitOps directory resolved against the root', async () => {
    const data = await loadAppInterface({ kind: 'dir', path: SAMPLE_ROOT });
    expect(data.fabrics).toEqual([{
      path: '/hedgehog/fabric-1.yml',
      name: 'fabric-1',
      description: expect.stringMatching(/Sample Hedgehog fabric/) as unknown,
      cluster: 'dev-1',
      source: { kind: 'directory', directory: path.join(SAMPLE_ROOT, 'hedgehog/fabric-1') },
      kinds: FABRIC_KIND_NAMES,
      unknownDocuments: 'warn',
    }]);
    const state = await desiredFabrics(data.fabrics ?? [], createFabricSourceReader({ env: {}, cwd: '/' }));
    expect(state.problems).toEqual([]);
    expect(state.objects).toHaveLength(24);
  });
});

describe('parseFabric', () => {
  const base = { $schema: '/kontract/hedgehog/fabric-1.yml', name: 'f1', cluster: { $ref: '/openshift/dev-1/cluster.yml' }, source: { directory: 'hedgehog/f1' } };

  it('requires a cluster: no fallback', () => {
    const noCluster: Record<string, unknown> = { ...base };
    delete noCluster.cluster;
    const r = parseFabric(noCluster, '/hedgehog/f1.yml', { clusterNameByPath: clusters });
    expect(r.ok ? [] : r.problems).toEqual([expect.objectContaining({ file: '/hedgehog/f1.yml', field: 'cluster', message: expect.stringMatching(/is required .*no default cluster/) as unknown })]);
  });

  it('reports a cluster $ref that is not a cluster datafile', () => {
    const r = parseFabric({ ...base, cluster: { $ref: '/openshift/nope/cluster.yml' } }, '/hedgehog/f1.yml', { clusterNameByPath: clusters });
    expect(r.ok ? [] : r.problems).toEqual([expect.objectContaining({ field: 'cluster.$ref' })]);
  });

  it('resolves a relative directory against the root and keeps absolute ones', () => {
    const rel = parseFabric(base, '/hedgehog/f1.yml', { clusterNameByPath: clusters, root: '/srv/ai' });
    expect(rel.ok && rel.value.source).toEqual({ kind: 'directory', directory: '/srv/ai/hedgehog/f1' });
    const abs = parseFabric({ ...base, source: { directory: '/data/f1' } }, '/hedgehog/f1.yml', { clusterNameByPath: clusters, root: '/srv/ai' });
    expect(abs.ok && abs.value.source).toEqual({ kind: 'directory', directory: '/data/f1' });
  });

  it('parses a git source with credentials and defaults', () => {
    const r = parseFabric({ ...base, source: { git: { url: 'https://git.example/fabric.git', ref: 'v1.2.0', path: 'fabrics/f1', credentials: { usernameEnv: 'GIT_USER', tokenEnv: 'GIT_TOKEN' } } } }, '/hedgehog/f1.yml', { clusterNameByPath: clusters });
    expect(r.ok && r.value).toMatchObject({
      source: { kind: 'git', url: 'https://git.example/fabric.git', ref: 'v1.2.0', path: 'fabrics/f1', credentials: { usernameEnv: 'GIT_USER', token: { env: 'GIT_TOKEN' } } },
      kinds: FABRIC_KIND_NAMES, unknownDocuments: 'warn',
    });
  });

  it.each([
    [{ source: { directory: 'a', git: { url: 'u', ref: 'r' } } }, 'source', /exactly one of directory or git/],
    [{ source: { git: { url: 'https://x/y.git', ref: 'main', credentials: { tokenEnv: 'A', tokenFile: '/t' } } } }, 'source.git.credentials', /exactly one of tokenEnv or tokenFile/],
    [{ source: { git: { url: 'https://x/y.git', ref: 'main', path: '../up' } } }, 'source.git.path', /relative path inside the repository/],
    [{ source: { git: { url: 'https://x/y.git', ref: '--upload-pack=evil' } } }, 'source.git.ref', /not a valid git ref/],
    [{ kinds: ['VPC', 'SwitchProfile'] }, 'kinds[1]', /not a fabric kind/],
    [{ unknownDocuments: 'ignore' }, 'unknownDocuments', /must be warn or error/],
  ])('rejects %j at %s', (over, field, message) => {
    const r = parseFabric({ ...base, ...over }, '/hedgehog/f1.yml', { clusterNameByPath: clusters });
    expect(r.ok ? [] : r.problems).toContainEqual(expect.objectContaining({ field, message: expect.stringMatching(message) as unknown }));
  });
});

describe('loading an app-interface with a broken fabric datafile', () => {
  it('fails validation naming the fabric file when the cluster is missing', async () => {
    const root = tempDir({ 'fabric.yml': '$schema: /kontract/hedgehog/fabric-1.yml\nname: f1\nsource:\n  directory: x\n' });
    const err: unknown = await loadAppInterface({ kind: 'dir', path: root }).catch((e: unknown) => e);
    expect(isValidationError(err)).toBe(true);
    expect(isValidationError(err) ? err.problems : []).toContainEqual(expect.objectContaining({ file: '/fabric.yml', field: 'cluster' }));
  });
});
