/**
 * The merge-request pipelines in deploy/ci, run for real: the commands are extracted from the
 * GitHub Actions workflow (the `run:` of each step) and the GitLab CI job (`script:`), and run with
 * bash in a temporary checkout holding an app-interface that targets the local clusters. What a CI
 * runner would provide is stood in for: `${{ … }}` expressions and CI variables get test values,
 * kontract is installed from an `npm pack` tarball into a temporary prefix, and the GitHub/GitLab
 * API is a local HTTP server that records the posted comment.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, run, writeTree } from './support/cli.js';
import { testCluster, testClusters, uniqueName } from './support/clusters.js';
import { clusterFiles, namespaceFile } from './support/app-interface.js';

interface Posted { readonly path: string; readonly auth: string; readonly body: string; readonly contentType: string }
interface GhStep { readonly name?: string; readonly run?: string; readonly env?: Record<string, string>; readonly uses?: string }
interface GhWorkflow { readonly jobs: { readonly plan: { readonly env: Record<string, string>; readonly steps: readonly GhStep[] } } }
interface GlJob { readonly variables: Record<string, string>; readonly script: readonly string[] }

function bash(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      res({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

/** Replaces `${{ expr }}` with test values; an unknown expression fails the test. */
function expand(value: string, values: Readonly<Record<string, string>>): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
    const v = values[expr];
    if (v === undefined) throw new Error(`no test value for \${{ ${expr} }}`);
    return v;
  });
}

describe('merge-request pipelines (deploy/ci)', () => {
  const work = mkdtempSync(join(tmpdir(), 'kontract-ci-'));
  const ns = uniqueName('ci');
  const posted: Posted[] = [];
  let server: Server | undefined;
  let api = '';
  let tarball = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      req.on('end', () => {
        const token = req.headers['private-token'];
        posted.push({ path: req.url ?? '', auth: req.headers.authorization ?? (Array.isArray(token) ? token.join(',') : token ?? ''), body, contentType: req.headers['content-type'] ?? '' });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const packDir = join(work, 'pack');
    mkdirSync(packDir);
    const pack = await run(['npm', 'pack', '--pack-destination', packDir], []);
    expect(pack.code, pack.stderr).toBe(0);
    tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz')) ?? '');
  });

  afterAll(async () => {
    await new Promise<void>((r) => { if (server === undefined) r(); else server.close(() => { r(); }); });
  });

  /** A checkout of an app-interface repository: `app-interface/` with prod-1 and one new namespace. */
  function checkout(name: string): string {
    const dir = join(work, name);
    writeTree(join(dir, 'app-interface'), {
      ...clusterFiles('prod-1', testCluster('prod-1').server, ['kubeconfigContext: prod-1']),
      [`namespaces/${ns}.yml`]: namespaceFile(ns, 'prod-1'),
    });
    return dir;
  }

  function baseEnv(prefix: string): NodeJS.ProcessEnv {
    // npm_config_prefix: `npm install --global` goes to a temporary prefix; offline: the tarball bundles its dependencies
    return { PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`, HOME: process.env.HOME, NO_COLOR: '1', npm_config_prefix: prefix, npm_config_offline: 'true' };
  }

  it('GitHub Actions: install, validate, plan (exit code 2 = changes pending), post the plan as a comment', async () => {
    const wf = load(readFileSync(join(ROOT, 'deploy', 'ci', 'github-actions.yml'), 'utf8')) as GhWorkflow;
    const dir = checkout('github');
    const values: Record<string, string> = {
      'vars.KONTRACT_PACKAGE': tarball,
      'secrets.KONTRACT_KUBECONFIG': readFileSync(testClusters().kubeconfig, 'utf8'),
      'github.token': 'gh-test-token',
      'github.event.pull_request.number': '7',
    };
    const output = join(work, 'github-output');
    const runner = join(work, 'runner-temp');
    mkdirSync(runner);
    const env: NodeJS.ProcessEnv = {
      ...baseEnv(join(work, 'gh-prefix')), GITHUB_OUTPUT: output, RUNNER_TEMP: runner, GITHUB_API_URL: api, GITHUB_REPOSITORY: 'acme/app-interface',
      ...Object.fromEntries(Object.entries(wf.jobs.plan.env).map(([k, v]) => [k, expand(v, values)])),
    };
    const steps = wf.jobs.plan.steps.filter((s) => s.run !== undefined);
    expect(steps.map((s) => s.name)).toEqual(['Install kontract', 'Validate', 'Plan', 'Post the plan']);
    for (const step of steps) {
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, values)]));
      const r = await bash(expand(step.run ?? '', values), { ...env, ...stepEnv }, dir);
      expect(r.code, `${step.name ?? ''}: ${r.stderr}`).toBe(0);
    }
    expect(readFileSync(output, 'utf8')).toContain('exit-code=2');
    const plan = readFileSync(join(dir, 'plan.md'), 'utf8');
    expect(plan).toMatch(/^### kontract plan: 1 to create/);
    expect(plan).toContain(`create | Namespace | - | ${ns}`);
    expect(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'))).toMatchObject({ version: 1 });
    const comment = posted.find((p) => p.path === '/repos/acme/app-interface/issues/7/comments');
    expect(comment?.auth).toBe('Bearer gh-test-token');
    expect((JSON.parse(comment?.body ?? '{}') as { body?: string }).body).toBe(plan);
  });

  it('GitLab CI: the job script validates, plans and posts the plan as a merge-request note', async () => {
    const job = (load(readFileSync(join(ROOT, 'deploy', 'ci', 'gitlab-ci.yml'), 'utf8')) as Record<string, GlJob>)['kontract-plan'];
    expect(job).toBeDefined();
    const dir = checkout('gitlab');
    const env: NodeJS.ProcessEnv = {
      ...baseEnv(join(work, 'gl-prefix')), ...job?.variables,
      KONTRACT_PACKAGE: tarball, KONTRACT_KUBECONFIG: testClusters().kubeconfig, KONTRACT_GITLAB_TOKEN: 'gl-test-token',
      CI_API_V4_URL: `${api}/api/v4`, CI_PROJECT_ID: '42', CI_MERGE_REQUEST_IID: '7',
    };
    const r = await bash((job?.script ?? []).join('\n'), env, dir);
    expect(r.code, r.stderr).toBe(0);
    const plan = readFileSync(join(dir, 'plan.md'), 'utf8');
    expect(plan).toContain(`create | Namespace | - | ${ns}`);
    const note = posted.find((p) => p.path === '/api/v4/projects/42/merge_requests/7/notes');
    expect(note?.auth).toBe('gl-test-token');
    expect(new URLSearchParams(note?.body ?? '').get('body')).toBe(plan);
  });
});
