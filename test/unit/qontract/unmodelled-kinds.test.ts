/**
 * A real app-interface holds many qontract kinds kontract does not model (saas files, pipelines
 * providers, …). Loading skips them: never an error, counted at info and listed by `$schema` at
 * debug. The datafiles used here are of qontract kinds from ../shared/qontract/schemas
 * (`/app-sre/saas-file-2.yml`, `/app-sre/pipelines-provider-1.yml`,
 * `/app-sre/tekton-provider-defaults-1.yml`) and pass qontract's own
 * validator, so they are shaped as in a real app-interface. A datafile of a kind kontract models
 * stays strictly validated next to them.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { makeBundle } from '../../../src/app-interface/bundle.js';
import { readDirSnapshot } from '../../../src/app-interface/snapshot.js';
import { unmodelledDatafiles } from '../../../src/app-interface/validate.js';
import type { LogLevel } from '../../../src/core/reporter.js';
import { isValidationError } from '../../../src/core/errors.js';
import { qontractValidator } from '../../support/qontract-schemas.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));

const PROVIDER = `$schema: /app-sre/pipelines-provider-1.yml
labels: {}
name: tekton-app-sre-pipelines
description: tekton pipelines in the acme-api namespace
provider: tekton
namespace:
  $ref: /openshift/prod-1/namespaces/acme-api.yml
defaults:
  $ref: /app-sre/pipelines-providers/tekton-defaults.yml
`;

const DEFAULTS = `$schema: /app-sre/tekton-provider-defaults-1.yml
labels: {}
name: tekton-defaults
description: default tekton task and pipeline templates
taskTemplates:
- name: openshift-saas-deploy
  type: onePerSaasFile
  path: /app-sre/tekton/openshift-saas-deploy.task.yaml.j2
pipelineTemplates:
  openshiftSaasDeploy:
    name: saas-deploy
    type: onePerNamespace
    path: /app-sre/tekton/openshift-saas-deploy.pipeline.yaml.j2
`;

const SAAS = `$schema: /app-sre/saas-file-2.yml
labels: {}
name: saas-acme-api
displayName: acme api
description: deploys acme's api
app:
  $ref: /app-sre/apps/acme.yml
pipelinesProvider:
  $ref: /app-sre/pipelines-providers/tekton.yml
managedResourceTypes:
- Deployment
- Service
imagePatterns:
- quay.io/acme/api
resourceTemplates:
- name: acme-api
  url: https://github.com/acme/api
  path: /openshift/api.yaml
  targets:
  - namespace:
      $ref: /openshift/prod-1/namespaces/acme-api.yml
    ref: main
    parameters:
      REPLICAS: 2
`;

const SAAS_PATH = '/app-sre/saas-files/acme-api.yml';
const PROVIDER_PATH = '/app-sre/pipelines-providers/tekton.yml';
const DEFAULTS_PATH = '/app-sre/pipelines-providers/tekton-defaults.yml';
const UNMODELLED = { [SAAS_PATH]: SAAS, [PROVIDER_PATH]: PROVIDER, [DEFAULTS_PATH]: DEFAULTS };

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function sampleWith(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kontract-unmodelled-'));
  dirs.push(dir);
  cpSync(SAMPLE, dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('datafiles of qontract kinds kontract does not model', () => {
  it('are real qontract datafiles: qontract\'s validator accepts them', async () => {
    const snap = await readDirSnapshot(sampleWith(UNMODELLED));
    const files = new Map([...snap.files.values()].map((f) => [f.path, f.raw]));
    const q = qontractValidator();
    expect(q.ids.has('/app-sre/saas-file-2.yml')).toBe(true);
    expect(Object.entries(UNMODELLED).flatMap(([p, text]) => q.validate(p, yaml.load(text), files))).toEqual([]);
  });

  it('are skipped by loading: the same data as without them, their count logged at info, each kind at debug', async () => {
    const logs: { level: LogLevel; message: string; fields: unknown }[] = [];
    const reporter = { log: (level: LogLevel, message: string, fields?: unknown) => { logs.push({ level, message, fields }); }, result: () => undefined };
    const dir = sampleWith(UNMODELLED);
    expect([...unmodelledDatafiles(await readDirSnapshot(dir)).keys()]).toEqual(['/app-sre/pipelines-provider-1.yml', '/app-sre/saas-file-2.yml', '/app-sre/tekton-provider-defaults-1.yml']);
    const withThem = await loadAppInterface({ kind: 'dir', path: dir }, { reporter });
    for (const p of Object.keys(UNMODELLED)) rmSync(join(dir, p));
    const without = await loadAppInterface({ kind: 'dir', path: dir });
    expect({ ...withThem, sha: '' }).toEqual({ ...without, sha: '' });
    expect(logs.filter((l) => l.level === 'info' && l.message.includes('kontract does not model'))).toEqual([
      { level: 'info', message: 'skipped 3 datafile(s) of 3 kind(s) kontract does not model', fields: { datafiles: 3, kinds: 3 } },
    ]);
    expect(logs.filter((l) => l.level === 'debug' && l.message.includes('kontract does not model')).map((l) => l.fields)).toEqual([
      { schema: '/app-sre/pipelines-provider-1.yml', datafiles: 1, first: PROVIDER_PATH },
      { schema: '/app-sre/saas-file-2.yml', datafiles: 1, first: SAAS_PATH },
      { schema: '/app-sre/tekton-provider-defaults-1.yml', datafiles: 1, first: DEFAULTS_PATH },
    ]);
  });

  it('do not relax the validation of the kinds kontract models', async () => {
    const ns = '/openshift/prod-1/namespaces/acme-api.yml';
    const dir = sampleWith({ ...UNMODELLED, [ns]: `${readFileSync(join(SAMPLE, ns), 'utf8')}nosuchfield: 1\n` });
    const err: unknown = await loadAppInterface({ kind: 'dir', path: dir }).then(() => undefined, (e: unknown) => e);
    expect(isValidationError(err)).toBe(true);
    const problems = isValidationError(err) ? err.problems : [];
    expect(problems.map((p) => `${p.file} ${p.field}`)).toEqual(['/openshift/prod-1/namespaces/acme-api.yml nosuchfield']);
  });

  it('go to the bundle\'s resources, where qontract-server answers them with resources_v1(schema:)', async () => {
    const snap = await readDirSnapshot(sampleWith(UNMODELLED));
    const bundle = makeBundle(snap, { schemas: {}, gitCommit: 'a'.repeat(40), gitCommitTimestamp: '0' });
    expect(bundle.resources[SAAS_PATH]?.$schema).toBe('/app-sre/saas-file-2.yml');
    expect(SAAS_PATH in bundle.data).toBe(false);
  });
});
