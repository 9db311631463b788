/**
 * Line numbers computed on demand (src/app-interface/yaml-positions.ts lazyPositionIndex, used by
 * the directory loader): the same lines as a parse with positions, and a problem found in a
 * directory still names its file, line and field.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import { lazyPositionIndex, parseYamlWithPositions, splitField } from '../../../src/app-interface/yaml-positions.js';
import { ValidationError } from '../../../src/core/errors.js';

const TEXT = `$schema: /openshift/namespace-1.yml
name: a
labels:
  team: web
networkPoliciesAllow:
- $ref: /x.yml
- $ref: /y.yml
access:
- namespace:
    $ref: /n.yml
  role: view
`;

describe('lazyPositionIndex', () => {
  it.each(['name', 'labels.team', 'networkPoliciesAllow[1].$ref', 'access[0].role', 'labels.missing', ''])('%s: the same line as parseYamlWithPositions', (field) => {
    expect(lazyPositionIndex(TEXT, 'f.yml').lineOf(splitField(field))).toBe(parseYamlWithPositions(TEXT, 'f.yml').positions.lineOf(splitField(field)));
  });
});

describe('a directory source', () => {
  const dirs: string[] = [];
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('names the file, line and field of a bad value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kontract-lines-'));
    dirs.push(dir);
    cpSync(resolve(import.meta.dirname, '..', '..', '..', 'app-interface-sample'), dir, { recursive: true });
    writeFileSync(join(dir, 'openshift', 'quotas', 'small.yml'), '$schema: /openshift/quota-1.yml\nlabels: {}\nname: small\ndescription: d\nquotas:\n- name: compute\n  resources:\n    limits:\n      cpu: 4\n      memory: 8Gi\n    bogus: 1\n');
    const err = await loadAppInterface({ kind: 'dir', path: dir }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const problems = (err as ValidationError).problems.filter((p) => p.file === '/openshift/quotas/small.yml');
    expect(problems).toContainEqual(expect.objectContaining({ field: 'quotas[0].resources.bogus', line: 11 }));
  });
});
