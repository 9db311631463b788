import { describe, expect, it } from 'vitest';
import { num, sourceArgsFrom, str, strs } from '../../../src/cli/options.js';

describe('flag coercion', () => {
  it('str keeps strings only', () => {
    expect(str('a')).toBe('a');
    expect(str(1)).toBeUndefined();
    expect(str(undefined)).toBeUndefined();
  });

  it('strs keeps the strings of a list, [] otherwise', () => {
    expect(strs(['a', 1, 'b'])).toEqual(['a', 'b']);
    expect(strs('a')).toEqual([]);
    expect(strs(undefined)).toEqual([]);
  });

  it('num passes finite numbers and absence, and rejects anything else naming the flag', () => {
    expect(num(3, 'concurrency')).toBe(3);
    expect(num(undefined, 'concurrency')).toBeUndefined();
    expect(() => num(Number.NaN, 'concurrency')).toThrow('--concurrency must be a number');
    expect(() => num('3', 'concurrency')).toThrow(expect.objectContaining({ code: 'E_USAGE' }) as Error);
  });

  it('sourceArgsFrom reads the data-source flags and the command context', () => {
    const args = sourceArgsFrom({ 'app-interface': 'data', 'graphql-url': 7 }, { cwd: '/w', env: {} });
    expect(args).toEqual({ cwd: '/w', env: {}, dir: 'data' });
  });
});
