/**
 * The yargs factory: from dist/vendor/yargs.js, the bundle `npm run build` writes
 * (scripts/build-vendor-yargs.js; ~25 ms less start-up per command, docs/benchmarks.md
 * "e2estart (session 6)"), or from the package where there is no bundle (the sources under test,
 * the single-file build). test/unit/cli/vendor-yargs.test.ts checks the two answer alike.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Yargs from 'yargs';

const BUNDLE = new URL('../vendor/yargs.js', import.meta.url);

export async function importYargs(): Promise<typeof Yargs> {
  if (BUNDLE.protocol === 'file:' && existsSync(fileURLToPath(BUNDLE))) {
    return ((await import(BUNDLE.href)) as { default: typeof Yargs }).default;
  }
  return (await import('yargs')).default;
}
