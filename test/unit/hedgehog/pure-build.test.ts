/**
 * buildDesired of hedgehog-fabric reads no disk and runs no git: a fabric's documents come from
 * the data (in-tree directories) or from the reader the run hands in (DesiredContext.sources).
 * Here the reader serves documents from memory for fabrics whose directories do not exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FabricSourceReader, LoadedFabricSource, SourceDocument } from '../../../src/app-interface/hedgehog/documents.js';
import { parseDocuments } from '../../../src/app-interface/hedgehog/documents.js';
import type { Fabric } from '../../../src/app-interface/hedgehog/model.js';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { hedgehogFabricIntegration } from '../../../src/integrations/hedgehog-fabric/integration.js';
import type { FabricDesiredState } from '../../../src/integrations/hedgehog-fabric/desired.js';
import { SAMPLE_FABRIC_DIR, fabric } from './support.js';

/** The sample fabric's documents, parsed from text (read once here, not by the build). */
function sampleDocuments(label: string): SourceDocument[] {
  return readdirSync(SAMPLE_FABRIC_DIR).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => parseDocuments(readFileSync(path.join(SAMPLE_FABRIC_DIR, f), 'utf8'), `${label}/${f}`).documents);
}

const git = (name: string, cluster: string): Fabric => fabric('', {
  path: `/hedgehog/${name}.yml`, name, cluster, source: { kind: 'git', url: `https://git.invalid/${name}.git`, ref: 'v1', path: '.' },
});

function data(fabrics: readonly Fabric[], resources?: AppInterfaceData['resources']): AppInterfaceData {
  return { sha: '', clusters: [], namespaces: [], quotas: [], limitRanges: [], roles: [], users: [], bots: [], tenants: [], fabrics, ...(resources === undefined ? {} : { resources }) };
}

/** A reader answering from memory; records which fabrics it was asked for. */
function memoryReader(answers: Readonly<Record<string, LoadedFabricSource | Error>>, asked: string[]): FabricSourceReader {
  return {
    read: (f) => {
      asked.push(f.name);
      const a = answers[f.name];
      if (a === undefined || a instanceof Error) return Promise.reject(a ?? new Error(`no answer for ${f.name}`));
      return Promise.resolve(a);
    },
  };
}

const ctx = { env: {}, cwd: '/nonexistent', now: new Date(0) };

describe('hedgehog-fabric buildDesired with sources handed in (no disk, no git)', () => {
  it('builds a fabric from the reader\'s documents and blocks only the fabric whose source failed', async () => {
    const asked: string[] = [];
    const sources = memoryReader({
      'fabric-1': { label: 'git:https://git.invalid/fabric-1.git@v1', revision: 'abc123', fetchedAt: '2026-01-01T00:00:00.000Z', documents: sampleDocuments('git:https://git.invalid/fabric-1.git@v1'), problems: [] },
      'fabric-2': { label: 'git:https://git.invalid/fabric-2.git@v1', documents: [], problems: [{ file: '/hedgehog/fabric-2.yml', field: 'source.git', message: 'cannot fetch git:https://git.invalid/fabric-2.git@v1: unreachable' }] },
      'fabric-3': new Error('reader broke'),
    }, asked);
    const state = await hedgehogFabricIntegration.buildDesired({ ...ctx, data: data([git('fabric-1', 'dev-1'), git('fabric-2', 'dev-2'), git('fabric-3', 'dev-3')]), sources: { fabric: sources } }) as FabricDesiredState;
    expect(asked).toEqual(['fabric-1', 'fabric-2', 'fabric-3']);
    expect(state.problems).toEqual([]);
    expect(state.objects).toHaveLength(24);
    expect(new Set(state.objects.map((o) => o.cluster))).toEqual(new Set(['dev-1']));
    expect(state.objects.find((o) => o.object.kind === 'VPC')?.source).toBe('git:https://git.invalid/fabric-1.git@v1/50-vpcs.yaml#0');
    expect(state.fabrics[0]).toMatchObject({ sourceLabel: 'git:https://git.invalid/fabric-1.git@v1', revision: 'abc123', fetchedAt: '2026-01-01T00:00:00.000Z' });
    expect(state.blocked).toEqual([
      { unit: 'fabric fabric-2', cluster: 'dev-2', problems: [{ file: '/hedgehog/fabric-2.yml', field: 'source.git', message: 'cannot fetch git:https://git.invalid/fabric-2.git@v1: unreachable' }] },
      { unit: 'fabric fabric-3', cluster: 'dev-3', problems: [{ file: '/hedgehog/fabric-3.yml', field: 'source', message: 'cannot read the fabric\'s source: reader broke' }] },
    ]);
  });

  it('names the document, line and field of a bad document the reader handed in', async () => {
    const label = '/gitops/fabric-1';
    const read = parseDocuments('apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata: {name: v}\n---\nkind: [\n', `${label}/a.yaml`);
    const sources = memoryReader({ 'fabric-1': { label, ...read } }, []);
    const state = await hedgehogFabricIntegration.buildDesired({ ...ctx, data: data([fabric(label)]), sources: { fabric: sources } });
    expect(state.objects).toEqual([]);
    expect(state.blocked?.[0]?.problems).toEqual(expect.arrayContaining([
      { file: `${label}/a.yaml#1`, line: 6, field: '', message: 'invalid YAML: unexpected end of the stream within a flow collection' },
      { file: `${label}/a.yaml#0`, line: 1, field: 'spec.ipv4Namespace', message: 'VPC v: references IPv4Namespace default, which is not defined in this fabric' },
    ]));
  });

  it('without a reader in the run, reads in-tree directories from the data and makes any other source a problem of its fabric', async () => {
    const files = readdirSync(SAMPLE_FABRIC_DIR).filter((f) => f.endsWith('.yaml')).map((f) => ({ path: `/hedgehog/fabric-1/${f}`, content: readFileSync(path.join(SAMPLE_FABRIC_DIR, f), 'utf8') }));
    const inTree = fabric('/ai/hedgehog/fabric-1');
    const state = await hedgehogFabricIntegration.buildDesired({
      ...ctx, data: data([inTree, git('fabric-2', 'dev-2')], { '/hedgehog/fabric-1.yml': [{ directory: '/hedgehog/fabric-1', files }] }),
    });
    expect(state.objects).toHaveLength(24);
    expect(state.blocked).toEqual([{ unit: 'fabric fabric-2', cluster: 'dev-2', problems: [expect.objectContaining({ file: '/hedgehog/fabric-2.yml', field: 'source', message: expect.stringMatching(/DesiredContext\.sources is not set/) as unknown })] }]);
  });
});
