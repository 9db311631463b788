/**
 * `kontract validate` reports every data error a run can raise. Each case breaks a copy of the
 * sample app-interface so that one integration raises a data error, then compares what `run`
 * meets before contacting a cluster (the loader, then buildWork: problems that abort and blocked
 * units that fail the run) with what `validate` reports: every problem of the run must be among
 * validate's. A registered integration without a case fails the test.
 */
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { isInvalidDataError } from '../../../src/app-interface/validate.js';
import { validateCommand } from '../../../src/cli/commands/validate.js';
import { formatProblem, isValidationError } from '../../../src/core/errors.js';
import type { ValidationProblem } from '../../../src/core/errors.js';
import { silentReporter } from '../../../src/core/reporter.js';
import { INTEGRATIONS } from '../../../src/integrations/index.js';
import { buildWork, checkDesired } from '../../../src/reconcile/desired.js';
import { createScope } from '../../../src/reconcile/scope.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'kontract-parity-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

const NOW = new Date('2026-01-15T00:00:00Z');

/** A problem without its line: validate adds lines from the YAML, a run's build has none. */
const noLine = (p: ValidationProblem): string => formatProblem({ file: p.file, field: p.field, message: p.message });
const ENV = { env: {}, now: NOW };

function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const p = join(dir, file);
  const text = readFileSync(p, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: ${String(from)} not found`);
  writeFileSync(p, next);
}

interface Case {
  readonly integration: string;
  readonly what: string;
  readonly mutate: (dir: string) => void;
  /** Every data error of this integration's data is found by the loader (which run and validate share), none by its build. */
  readonly loaderOnly?: boolean;
}

const CASES: readonly Case[] = [
  { integration: 'namespaces', what: 'a 70-character label value', mutate: (d) => { edit(d, 'openshift/prod-1/namespaces/acme-api.yml', 'team: api', `team: ${'a'.repeat(70)}`); } },
  { integration: 'resourcequotas', what: 'a negative quota', mutate: (d) => { edit(d, 'openshift/quotas/small.yml', 'cpu: "2"', 'cpu: "-2"'); } },
  { integration: 'limitranges', what: 'a negative limit', mutate: (d) => { edit(d, 'openshift/limitranges/default.yml', 'memory: 4Gi', 'memory: -4Gi'); } },
  {
    integration: 'rolebindings', what: 'two roles generating one RoleBinding with different roleRefs',
    mutate: (d) => {
      // role `view` for user `a-bb` and role `view-a` for user `bb` both name their binding view-a-bb
      const roleFile = (name: string, roleName: string): string => ['$schema: /access/role-1.yml', 'labels: {}', `name: ${name}`, 'permissions: []', 'access:',
        '- namespace:', '    $ref: /openshift/prod-1/namespaces/acme-web.yml', `  role: ${roleName}`, ''].join('\n');
      const userFile = (name: string, role: string): string => ['$schema: /access/user-1.yml', 'labels: {}', `name: ${name}`, `org_username: ${name}`, `github_username: ${name}`,
        'roles:', `- $ref: /access/roles/${role}.yml`, ''].join('\n');
      writeFileSync(join(d, 'access/roles/r-view.yml'), roleFile('r-view', 'view'));
      writeFileSync(join(d, 'access/roles/r-view-a.yml'), roleFile('r-view-a', 'view-a'));
      writeFileSync(join(d, 'access/users/a-bb.yml'), userFile('a-bb', 'r-view'));
      writeFileSync(join(d, 'access/users/bb.yml'), userFile('bb', 'r-view-a'));
    },
  },
  { integration: 'networkpolicies', what: 'an allow from another cluster', mutate: (d) => { edit(d, 'openshift/prod-1/namespaces/acme-api.yml', '- $ref: /openshift/prod-1/namespaces/ingress.yml', '- $ref: /openshift/dev-1/namespaces/acme-dev.yml'); } },
  { integration: 'instancetypes', what: 'an instancetype declared twice', mutate: (d) => { cpSync(join(d, 'kubevirt/instancetypes/u1-small.yml'), join(d, 'kubevirt/instancetypes/u1-small-copy.yml')); } },
  { integration: 'virtual-machines', what: 'a VM sized next to its instancetype', mutate: (d) => { appendFileSync(join(d, 'kubevirt/vms/acme-web-1.yml'), 'overrides:\n  cpu:\n    cores: 4\n'); } },
  { integration: 'resources', what: 'a Service outside the namespace\'s managedResourceTypes', mutate: (d) => { edit(d, 'openshift/prod-1/namespaces/acme-web.yml', '- Service\n', ''); } },
  { integration: 'serviceaccounts', what: 'a ServiceAccount name with an empty DNS label', mutate: (d) => { edit(d, 'tenancy/vdcs/wayne-prod.yml', 'serviceAccounts: [deployer]', 'serviceAccounts: [deploy..er]'); } },
  {
    integration: 'networks', what: 'a network gateway outside its subnet', loaderOnly: true,
    mutate: (d) => { edit(d, 'tenancy/networks/wayne-prod-data.yml', 'gateway: 192.168.120.1', 'gateway: 192.168.121.1'); },
  },
  { integration: 'hedgehog-fabric', what: 'a VPC VLAN outside its VLANNamespace', mutate: (d) => { edit(d, 'hedgehog/fabric-1/50-vpcs.yaml', 'vlan: 1001', 'vlan: 3500'); } },
];

/** What a run meets from the data alone: the loader's problems, else buildWork's (aborting and blocked). */
async function runProblems(dir: string): Promise<string[]> {
  let data: AppInterfaceData;
  try {
    data = await loadAppInterface({ kind: 'dir', path: dir });
  } catch (e) {
    if (isValidationError(e)) return e.problems.map(noLine);
    throw e;
  }
  try {
    const work = await buildWork(INTEGRATIONS, data, createScope({}), { ...ENV, cwd: dir });
    return work.flatMap((w) => w.blocked.flatMap((u) => u.problems.map(noLine)));
  } catch (e) {
    if (isValidationError(e)) return e.problems.map(noLine);
    throw e;
  }
}

async function validateProblems(dir: string): Promise<string[] | 'valid'> {
  try {
    await validateCommand.run({ 'app-interface': dir, 'log-level': 'error', 'log-format': 'text', 'detailed-exitcode': false },
      { reporter: silentReporter, env: {}, cwd: dir, signal: new AbortController().signal });
    return 'valid';
  } catch (e) {
    if (isValidationError(e)) return e.problems.map(noLine);
    throw e;
  }
}

/** validate's problems as printed (with lines). */
async function validateText(dir: string): Promise<string> {
  try {
    await validateCommand.run({ 'app-interface': dir, 'log-level': 'error', 'log-format': 'text', 'detailed-exitcode': false },
      { reporter: silentReporter, env: {}, cwd: dir, signal: new AbortController().signal });
    return 'valid';
  } catch (e) {
    if (isValidationError(e)) return e.problems.map(formatProblem).join('\n');
    throw e;
  }
}

/** The integrations whose build reports a problem or a blocked unit on the (possibly partial) data. */
async function raisedBy(dir: string): Promise<string[]> {
  let data: AppInterfaceData;
  try {
    data = await loadAppInterface({ kind: 'dir', path: dir });
  } catch (e) {
    if (!isInvalidDataError(e)) throw e;
    data = e.partial;
  }
  const checked = await checkDesired(INTEGRATIONS, data, { ...ENV, cwd: dir });
  return checked.filter((c) => c.problems.length + c.blocked.length > 0).map((c) => c.integration.name);
}

describe('validate reports every data error a run raises', () => {
  it('the sample is valid for both', async () => {
    const dir = join(work, 'sample');
    cpSync(SAMPLE, dir, { recursive: true });
    expect(await runProblems(dir)).toEqual([]);
    expect(await validateProblems(dir)).toBe('valid');
  });

  it('has a case for every registered integration', () => {
    expect(INTEGRATIONS.map((i) => i.name).filter((n) => !CASES.some((c) => c.integration === n))).toEqual([]);
  });

  it.each(CASES.map((c) => [c.integration, c.what, c] as const))('%s: %s', async (_i, _w, c) => {
    const dir = join(work, c.integration);
    cpSync(SAMPLE, dir, { recursive: true });
    c.mutate(dir);
    if (c.loaderOnly !== true) expect(await raisedBy(dir)).toContain(c.integration);
    const run = await runProblems(dir);
    expect(run.length).toBeGreaterThan(0);
    const validate = await validateProblems(dir);
    expect(validate).not.toBe('valid');
    for (const p of run) expect(validate, `run raised "${p}"`).toContain(p);
  });

  it('reports problems of the loader and of several integrations in one pass', async () => {
    const dir = join(work, 'many');
    cpSync(SAMPLE, dir, { recursive: true });
    for (const c of CASES.filter((x) => x.integration === 'virtual-machines' || x.integration === 'hedgehog-fabric' || x.integration === 'namespaces')) c.mutate(dir);
    edit(dir, 'openshift/quotas/small.yml', 'memory: 8Gi', 'memory: 8 GB');
    edit(dir, 'kubevirt/vms/acme-db-1.yml', 'app: db', `app: ${'d'.repeat(64)}`);
    const text = await validateText(dir);
    expect(text).toMatch(/\/openshift\/quotas\/small\.yml:\d+ quotas\[0\]\.resources\.limits\.memory: "8 GB" is not a Kubernetes quantity/);
    expect(text).toMatch(/\/kubevirt\/vms\/acme-web-1\.yml:\d+ overrides\.cpu: cannot be combined with instancetype/);
    expect(text).toMatch(/VPC vpc-1: .*3500/);
    expect(text).toMatch(/\/kubevirt\/vms\/acme-db-1\.yml:25 labels\.app: VirtualMachine acme-db\/db-1 on cluster prod-1: metadata\.labels\.app: .*got 64/);
    expect(text).toMatch(/\/openshift\/prod-1\/namespaces\/acme-api\.yml:\d+ labels\.team: Namespace acme-api on cluster prod-1: metadata\.labels\.team: the value must be at most 63 characters .*got 70/);
  });
});
