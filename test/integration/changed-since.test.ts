/**
 * `--changed-since DIR|SHA` against the real local clusters: an app-interface in a git repository
 * with namespaces, quotas and limit ranges on prod-1 and prod-2; one quota (used by one namespace on
 * prod-2) changes in the working tree. The dry-run with `--changed-since HEAD` (and with the base as
 * a directory) plans and reads only prod-2 and only ResourceQuotas: counted from the run's
 * kontract_api_requests_total (one LIST, on prod-2 only) against a full dry-run.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kontract, writeTree } from './support/cli.js';
import { testCluster, testClusters, uniqueName } from './support/clusters.js';
import { clusterFiles, namespaceFile } from './support/app-interface.js';

interface Plan { readonly clusters: readonly { readonly cluster: string }[]; readonly changes: readonly { readonly cluster: string; readonly kind: string; readonly name: string; readonly namespace: string }[] }

/** `cluster verb` → requests, from a metrics textfile. */
function requests(prom: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of prom.matchAll(/^kontract_api_requests_total\{cluster="([^"]+)",verb="([^"]+)"[^}]*\} (\d+)$/gm)) out.set(`${m[1] ?? ''} ${m[2] ?? ''}`, Number(m[3]));
  return out;
}

describe('--changed-since', () => {
  const work = mkdtempSync(join(tmpdir(), 'kontract-changed-'));
  const repo = join(work, 'repo');
  const ai = join(repo, 'app-interface');
  const names = Array.from({ length: 6 }, (_, i) => uniqueName(`chg${i}`));
  let baseCopy = '';

  beforeAll(() => {
    const files: Record<string, string> = {
      'quotas/shared.yml': ['$schema: /openshift/quota-1.yml', 'labels: {}', 'description: test', 'name: shared', 'quotas:', '- name: compute', '  resources:', '    pods: 10', ''].join('\n'),
      'quotas/special.yml': ['$schema: /openshift/quota-1.yml', 'labels: {}', 'description: test', 'name: special', 'quotas:', '- name: compute', '  resources:', '    pods: 20', ''].join('\n'),
      'limitranges/default.yml': ['$schema: /openshift/limitrange-1.yml', 'labels: {}', 'description: test', 'name: default', 'limits:', '- type: Container', '  default:', '    cpu: 500m', ''].join('\n'),
    };
    for (const c of ['prod-1', 'prod-2']) {
      Object.assign(files, clusterFiles(c, testCluster(c).server, [`kubeconfigContext: ${c}`]));
    }
    names.forEach((n, i) => {
      const quota = i === 5 ? 'special' : 'shared'; // names[5] (prod-2) alone uses `special`
      files[`namespaces/${n}.yml`] = namespaceFile(n, i % 2 === 0 ? 'prod-1' : 'prod-2',
        ['quota:', `  $ref: /quotas/${quota}.yml`, 'limitRanges:', '  $ref: /limitranges/default.yml']);
    });
    writeTree(ai, files);
    const git = (...a: string[]): void => { execFileSync('git', a, { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }); };
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    baseCopy = join(work, 'base-copy');
    cpSync(ai, baseCopy, { recursive: true });
    // the merge request: one quota changes
    const f = join(ai, 'quotas', 'special.yml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('pods: 20', 'pods: 25'));
  });

  const dryRun = async (extra: string[]): Promise<{ plan: Plan; reqs: Map<string, number>; stderr: string }> => {
    const out = mkdtempSync(join(work, 'out-'));
    const r = await kontract(['reconcile', 'namespaces', 'resourcequotas', 'limitranges', '--dry-run', '--output', 'json', '--app-interface', ai,
      '--kubeconfig', testClusters().kubeconfig, '--metrics-file', join(out, 'm.prom'), ...extra]);
    expect(r.code, r.stderr).toBe(0);
    return { plan: JSON.parse(r.stdout) as Plan, reqs: requests(readFileSync(join(out, 'm.prom'), 'utf8')), stderr: r.stderr };
  };

  it('a one-quota change reads one cluster and one kind (base as a git revision)', async () => {
    const full = await dryRun([]);
    expect(full.plan.clusters.map((c) => c.cluster).sort()).toEqual(['prod-1', 'prod-2']);
    expect(full.reqs.get('prod-1 list')).toBeGreaterThanOrEqual(3);
    expect(full.reqs.get('prod-2 list')).toBeGreaterThanOrEqual(3);

    const changed = await dryRun(['--changed-since', 'HEAD']);
    expect(changed.stderr).toContain(`changed: resourcequotas prod-2 ResourceQuota`);
    expect(changed.plan.clusters.map((c) => c.cluster)).toEqual(['prod-2']);
    expect([...changed.reqs.keys()].every((k) => k.startsWith('prod-2 '))).toBe(true);
    expect(changed.reqs.get('prod-2 list')).toBe(1);
    expect(new Set(changed.plan.changes.map((c) => c.kind))).toEqual(new Set(['ResourceQuota']));
    // the plan of the kept pair is the full run's plan for it
    const ofPair = (p: Plan): string[] => p.changes.filter((c) => c.cluster === 'prod-2' && c.kind === 'ResourceQuota').map((c) => `${c.namespace}/${c.name}`).sort();
    expect(ofPair(changed.plan)).toEqual(ofPair(full.plan));
  });

  it('takes the base as a directory too, and plans nothing when nothing differs', async () => {
    const changed = await dryRun(['--changed-since', baseCopy]);
    expect(changed.plan.clusters.map((c) => c.cluster)).toEqual(['prod-2']);
    expect(changed.reqs.get('prod-2 list')).toBe(1);
    const r = await kontract(['reconcile', 'namespaces', '--dry-run', '--app-interface', ai, '--kubeconfig', testClusters().kubeconfig, '--changed-since', 'HEAD']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No desired object differs from --changed-since HEAD: nothing to plan, no cluster contacted.');
  });
});
