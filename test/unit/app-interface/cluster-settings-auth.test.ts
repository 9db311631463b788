/** `auth: {inCluster: true}` in a /kontract/cluster-1.yml (docs/app-interface.md, docs/deploy.md#in-cluster-credentials). */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { isValidationError } from '../../../src/core/errors.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kontract-incluster-'));
cpSync(SAMPLE, dir, { recursive: true });
const SETTINGS = join(dir, 'kontract/clusters/prod-1.yml');
const settings = (auth: string): string => ['$schema: /kontract/cluster-1.yml', 'cluster:', '  $ref: /openshift/prod-1/cluster.yml', 'auth:', `  ${auth}`, ''].join('\n');

afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('/kontract/cluster-1.yml auth inCluster', () => {
  it('is the cluster\'s auth, next to the other clusters\' kubeconfig contexts', async () => {
    writeFileSync(SETTINGS, settings('inCluster: true'));
    const data = await loadAppInterface({ kind: 'dir', path: dir });
    expect(data.clusters.find((c) => c.name === 'prod-1')?.auth).toEqual({ kind: 'inCluster' });
    expect(data.clusters.find((c) => c.name === 'prod-2')?.auth).toEqual({ kind: 'kubeconfig', context: 'prod-2' });
  });

  it('accepts only true', async () => {
    writeFileSync(SETTINGS, settings('inCluster: false'));
    const e = await loadAppInterface({ kind: 'dir', path: dir }).then(() => undefined, (err: unknown) => err);
    expect(isValidationError(e) && e.problems.some((p) => p.file === '/kontract/clusters/prod-1.yml')).toBe(true);
  });
});
