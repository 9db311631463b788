import { describe, expect, it } from 'vitest';
import { isDns1123Label, isDns1123Subdomain, isLabelValue } from '../../../src/core/k8s-names.js';

describe('Kubernetes name rules', () => {
  it.each([
    ['team-a', true, true, true],
    ['a', true, true, true],
    ['a'.repeat(63), true, true, true],
    ['a'.repeat(64), false, true, false],
    ['api.example.com', false, true, true],
    [`${'a'.repeat(63)}.${'b'.repeat(189)}`, false, true, false],
    ['a'.repeat(254), false, false, false],
    ['Team', false, false, true],
    ['-a', false, false, false],
    ['a-', false, false, false],
    ['a_b', false, false, true],
    ['a..b', false, false, true],
    ['', false, false, true],
  ])('%s: label %s, subdomain %s, label value %s', (s, label, subdomain, labelValue) => {
    expect(isDns1123Label(s)).toBe(label);
    expect(isDns1123Subdomain(s)).toBe(subdomain);
    expect(isLabelValue(s)).toBe(labelValue);
  });
});
