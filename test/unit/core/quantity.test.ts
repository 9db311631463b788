import { describe, expect, it } from 'vitest';
import { quantityEquals } from '../../../src/resource-inventory/canonicalize.js';
import { canonicalQuantity, compareQuantityValues, isPositiveQuantity, isQuantity, parseQuantity } from '../../../src/core/quantity.js';

describe(quantityEquals, () => {
  it.each([
    ['1000m', '1', true],
    ['1', 1, true],
    ['0.5', '500m', true],
    ['.5', '500m', true],
    ['1Gi', '1024Mi', true],
    ['1Gi', '1073741824', true],
    ['1e3', '1k', true],
    ['1E3', '1000', true],
    ['1e-3', '1m', true],
    ['1.5Gi', '1536Mi', true],
    ['100Mi', '104857600', true],
    ['1Ki', '1024', true],
    ['1M', '1000k', true],
    ['2', '2.0', true],
    ['+2', '2', true],
    ['1E', '1000P', true],
    ['1n', '0.000000001', true],
    ['1u', '1000n', true],
    ['0', '0m', true],
    [80, '80', true],
    ['1G', '1Gi', false],
    ['1m', '1M', false],
    ['500m', '0.499', false],
    ['0.1', '100.000001m', false],
    ['-1', '1', false],
    ['1KB', '1024', false],
    ['1 Gi', '1Gi', false],
    ['Gi', 'Gi', false],
    ['', '', false],
    ['1.2.3', '1.2.3', false],
    ['abc', 'abc', false],
    ['1e', '1', false],
    [Number.NaN, Number.NaN, false],
  ] as const)('quantityEquals(%j, %j) is %s', (a, b, expected) => {
    expect(quantityEquals(a, b)).toBe(expected);
    expect(quantityEquals(b, a)).toBe(expected);
  });

  it('is exact where floating point is not', () => {
    expect(quantityEquals('0.1', '100m')).toBe(true);
    expect(quantityEquals('0.3', '0.1')).toBe(false);
    expect(quantityEquals('9007199254740993', '9007199254740992')).toBe(false);
  });
});

describe(canonicalQuantity, () => {
  it.each([
    ['1000m', '1'],
    ['0.5', '500m'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['512Mi', '512Mi'],
    ['0.5Gi', '512Mi'],
    ['1000', '1k'],
    ['100', '100'],
    ['1500m', '1500m'],
    ['1e3', '1e3'],
    ['0', '0'],
    [2, '2'],
    ['0.1m', '100u'],
    ['1.0000000001', '1000000001n'],
  ] as const)('writes %j as the API server does: %j', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  it('returns undefined for input that is not a quantity', () => {
    expect(canonicalQuantity('ten')).toBeUndefined();
    expect(parseQuantity('1.')).toEqual({ num: 1n, den: 1n, format: 'DecimalSI' });
  });
});

describe(compareQuantityValues, () => {
  const q = (s: string) => parseQuantity(s)!;
  it.each<[string, string, -1 | 0 | 1]>([
    ['1', '1000m', 0],
    ['1Gi', '1073741824', 0],
    ['999m', '1', -1],
    ['1Gi', '1G', 1],
    // Beyond double precision: a float comparison would call these equal.
    ['1073741824.000000001', '1Gi', 1],
    ['-1', '0', -1],
  ])('compares %s with %s exactly', (a, b, want) => {
    expect(compareQuantityValues(q(a), q(b))).toBe(want);
  });
});

describe(isQuantity, () => {
  it.each<[string | number, boolean]>([['2Gi', true], [2, true], ['1e3', true], ['2Xi', false], ['1 Gi', false], ['', false]])('%s → %s', (v, want) => {
    expect(isQuantity(v)).toBe(want);
  });
});

describe(isPositiveQuantity, () => {
  it.each<[string, boolean]>([['1m', true], ['0.001n', true], ['0', false], ['0Gi', false], ['-1', false]])('%s → %s', (v, want) => {
    expect(isPositiveQuantity(parseQuantity(v)!)).toBe(want);
  });
});
