#!/usr/bin/env node
// Writes dist/vendor/yargs.js: the yargs package and its dependencies bundled by esbuild into one
// ES module, which src/cli/yargs.ts imports instead of the package when it is there. Importing the
// package resolves, reads and compiles ~40 ES modules on every command; the bundle imported and
// parsed a command line in 38–57 ms against 64–72 ms (6 alternating runs, docs/benchmarks.md,
// "e2estart (session 6)"). Run by `npm run build` after tsc.
//
// yargs' platform shim finds its locale files and the program's package.json (`--version`, the
// package.json `yargs` key) from its own location (`import.meta.url`); in the bundle that location
// is replaced by where Node resolves the installed package's shim, so both are found as before.
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'dist', 'vendor', 'yargs.js');
mkdirSync(path.dirname(outfile), { recursive: true });

const SHIM = /[\\/]node_modules[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/;
const shimAtInstalledPath = {
  name: 'yargs-shim-location',
  setup(b) {
    b.onLoad({ filter: SHIM }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) throw new Error(`${args.path}: no import.meta.url to replace (yargs changed; update scripts/build-vendor-yargs.js)`);
      return {
        loader: 'js',
        contents: text.replaceAll('import.meta.url', "new URL('lib/platform-shims/esm.mjs', import.meta.resolve('yargs/package.json')).href"),
      };
    });
  },
};

await build({
  entryPoints: ['yargs'],
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  plugins: [shimAtInstalledPath],
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  banner: { js: "import { createRequire as __kontractRequire } from 'node:module';\nconst require = __kontractRequire(import.meta.url);" },
});
