/**
 * qontract's `jumpHost` reaches the model from both sources (the YAML directory with the line of
 * the field, the GraphQL source through `kontract serve`), so kontract can refuse to connect to
 * such a cluster directly (test/integration/qontract-jumphost.test.ts shows the refusal on a real
 * cluster).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startAppInterfaceServer } from '../../../src/app-interface/server.js';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kontract-jumphost-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('a cluster with a jumpHost', () => {
  cpSync(SAMPLE, dir, { recursive: true });
  mkdirSync(join(dir, 'jumphosts'));
  writeFileSync(join(dir, 'jumphosts/bastion.yml'), '$schema: /openshift/jump-host-1.yml\nhostname: bastion.example.invalid\nknownHosts: /jump-host/known-hosts/bastion\nuser: bastion\nidentity: {path: app-sre/creds/bastion, field: identity}\n');
  const clusterFile = join(dir, 'openshift/prod-2/cluster.yml');
  const text = readFileSync(clusterFile, 'utf8');
  writeFileSync(clusterFile, `${text}jumpHost:\n  $ref: /jumphosts/bastion.yml\n`);
  const line = text.split('\n').length;

  it('is carried by the YAML directory (with the line) and the GraphQL source alike', async () => {
    const fromDir = await loadAppInterface({ kind: 'dir', path: dir });
    expect(fromDir.clusters.find((c) => c.name === 'prod-2')?.jumpHost).toEqual({ path: '/jumphosts/bastion.yml', where: `/openshift/prod-2/cluster.yml:${line} jumpHost` });
    expect(fromDir.clusters.filter((c) => c.jumpHost !== undefined).map((c) => c.name)).toEqual(['prod-2']);
    const server = await startAppInterfaceServer({ source: { kind: 'dir', path: dir }, port: 0, watch: false });
    try {
      const fromGraphql = await loadAppInterface({ kind: 'graphql', url: `${server.url}/graphql` });
      expect(fromGraphql.clusters.find((c) => c.name === 'prod-2')?.jumpHost).toEqual({ path: '/jumphosts/bastion.yml', where: '/openshift/prod-2/cluster.yml jumpHost' });
    } finally {
      await server.close();
    }
  });
});
