import { describe, expect, it } from 'vitest';
import { parseYamlWithPositions, pointerToField, splitField } from '../../../src/app-interface/yaml-positions.js';

const TEXT = `$schema: /openshift/namespace-1.yml
name: a
labels:
  team: web
networkPoliciesAllow:
- $ref: /x.yml
- $ref: /y.yml
quotaComponents: {cpu: 1,
  memoryGB: 2}
access:
- namespace:
    $ref: /n.yml
  role: view
`;

describe('parseYamlWithPositions', () => {
  const { value, positions } = parseYamlWithPositions(TEXT, 'f.yml');
  it('parses like js-yaml', () => {
    expect(value).toMatchObject({ name: 'a', labels: { team: 'web' }, quotaComponents: { cpu: 1, memoryGB: 2 } });
  });
  it.each([
    ['name', 2], ['labels.team', 4], ['networkPoliciesAllow[1]', 7], ['networkPoliciesAllow[1].$ref', 7],
    ['quotaComponents.memoryGB', 9], ['access[0].namespace.$ref', 12], ['access[0].role', 13],
    ['labels.missing', 3], ['', 1],
  ])('%s is on line %i', (field, line) => {
    expect(positions.lineOf(splitField(field))).toBe(line);
  });
  it('converts ajv pointers to fields', () => {
    expect(pointerToField('/access/0/namespace')).toBe('access[0].namespace');
    expect(pointerToField('/labels/a~1b')).toBe('labels.a/b');
    expect(pointerToField('')).toBe('');
  });
});
