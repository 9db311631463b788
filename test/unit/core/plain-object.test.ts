import { describe, expect, it } from 'vitest';
import { isPlainObject } from '../../../src/core/plain-object.js';

describe(isPlainObject, () => {
  it.each<[unknown, boolean]>([
    [{}, true],
    [{ a: 1 }, true],
    [null, false],
    [[], false],
    ['x', false],
    [1, false],
    [undefined, false],
  ])('%j → %s', (v, want) => {
    expect(isPlainObject(v)).toBe(want);
  });
});
