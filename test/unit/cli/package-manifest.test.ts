import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; bundleDependencies: string[]; files: string[] };

describe('package.json', () => {
  it('bundles every runtime dependency (the tarball installs offline: test/integration/package.test.ts)', () => {
    expect([...pkg.bundleDependencies].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it('ships the compiled CLI and the schemas', () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['bin/', 'dist/', 'schemas/']));
  });
});
