/**
 * The shipped artefacts, as a user gets them: `npm pack` → `npm install -g --prefix TMP` of the
 * tarball with `--offline` (dependencies are bundled in the tarball, so no registry is needed),
 * then the installed `kontract` runs --help, validate and a dry-run against a real local cluster.
 * Also the single-file build (scripts/build-single-file.js), run with just `node` from a directory
 * that has no node_modules and no schemas/.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, run } from './support/cli.js';
import { testClusters } from './support/clusters.js';

const SAMPLE = join(ROOT, 'app-interface-sample');

interface Plan { readonly clusters: readonly { readonly cluster: string }[]; readonly changes: readonly unknown[] }

function checks(name: string, command: () => readonly string[]): void {
  describe(name, () => {
    it('prints help naming the reconcile command', async () => {
      const r = await run(command(), ['--help'], {}, tmpdir());
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/kontract reconcile/);
    });

    it('validates the sample app-interface', async () => {
      const r = await run(command(), ['validate', '--app-interface', SAMPLE], {}, tmpdir());
      // the sample's resources need a secret reader; validate only warns about that
      expect(r.stderr).not.toMatch(/^ERROR/m);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/: valid \(sha [0-9a-f]+\)/);
    });

    it('dry-runs the sample against the local clusters', async () => {
      const r = await run(command(), ['reconcile', 'namespaces', '--dry-run', '--output', 'json', '--app-interface', SAMPLE, '--kubeconfig', testClusters().kubeconfig], {}, tmpdir());
      expect(r.stderr).not.toMatch(/E_INTERNAL|ERR_MODULE_NOT_FOUND/);
      expect(r.code).toBe(0);
      const plan = JSON.parse(r.stdout) as Plan;
      expect(plan.clusters.map((c) => c.cluster).sort()).toEqual(['dev-1', 'prod-1', 'prod-2']);
    });
  });
}

describe('npm pack + global install from the tarball (offline)', () => {
  const work = mkdtempSync(join(tmpdir(), 'kontract-pack-'));
  const prefix = join(work, 'prefix');

  beforeAll(async () => {
    const pack = await run(['npm', 'pack', '--pack-destination', work], []);
    expect(pack.code, pack.stderr).toBe(0);
    const tgz = readdirSync(work).filter((f) => f.endsWith('.tgz'));
    expect(tgz).toHaveLength(1);
    // --offline: every dependency must come from the tarball itself
    const install = await run(['npm', 'install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(work, tgz[0] ?? '')], [], {}, work);
    expect(install.code, install.stderr).toBe(0);
    expect(existsSync(join(prefix, 'bin', 'kontract'))).toBe(true);
  });

  checks('the installed kontract', () => [join(prefix, 'bin', 'kontract')]);
});

describe('single-file build', () => {
  const work = mkdtempSync(join(tmpdir(), 'kontract-single-'));
  const file = join(work, 'kontract.mjs');

  beforeAll(async () => {
    const b = await run([process.execPath, join(ROOT, 'scripts', 'build-single-file.js'), file], []);
    expect(b.code, b.stderr).toBe(0);
  });

  checks('node kontract.mjs', () => [process.execPath, file]);
});
