#!/usr/bin/env node
// Single-file build: bundles the CLI and its dependencies with esbuild into one ESM file that
// runs with just `node` (CI runners, container images). The datafile JSON Schemas are embedded
// (src/app-interface/schema-files.ts is replaced at bundle time), so no schemas/ dir is needed.
// `local-clusters` still needs a repository checkout (it builds Kubernetes from tools/k8s-bins).
//   node scripts/build-single-file.js [OUTFILE]     (default build/kontract.mjs)
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.resolve(process.argv[2] ?? path.join(root, 'build', 'kontract.mjs'));
const schemasDir = path.join(root, 'schemas');

function listJson(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listJson(p);
    return e.isFile() && e.name.endsWith('.json') ? [p] : [];
  });
}

const embedded = listJson(schemasDir).sort().map((f) => ({
  path: path.relative(schemasDir, f).split(path.sep).join('/'),
  text: readFileSync(f, 'utf8'),
}));

const embedSchemas = {
  name: 'embed-schemas',
  setup(b) {
    b.onLoad({ filter: /[\\/]app-interface[\\/]schema-files\.ts$/ }, () => ({
      loader: 'ts',
      contents: [
        "export const SCHEMAS_DIR = '<embedded>';",
        `const EMBEDDED = ${JSON.stringify(embedded)};`,
        'export function readSchemaFiles(dir = SCHEMAS_DIR) {',
        "  if (dir !== SCHEMAS_DIR) throw new Error('the single-file build reads only its embedded schemas');",
        '  return EMBEDDED;',
        '}',
      ].join('\n'),
    }));
    // ajv through static imports (the sources load it with require, which a bundle cannot resolve);
    // no precompiled validators in the bundle: it compiles the schemas it uses at run time.
    b.onLoad({ filter: /[\\/]app-interface[\\/]schema-ajv\.ts$/ }, () => ({
      loader: 'ts',
      contents: [
        "import { Ajv, _, Name } from 'ajv';",
        "import { callValidateCode } from 'ajv/dist/vocabularies/code.js';",
        'export function ajvRuntime() { return { Ajv, _, Name, callValidateCode }; }',
        'export function precompiledModule() { return undefined; }',
      ].join('\n'),
    }));
  },
};

await build({
  stdin: {
    contents: "import { runCli } from './src/cli/main.ts';\nawait runCli();\n",
    resolveDir: root,
    sourcefile: 'kontract-single-file-entry.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  plugins: [embedSchemas],
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __kontractRequire } from 'node:module';\nconst require = __kontractRequire(import.meta.url);" },
});
chmodSync(outfile, 0o755);
process.stdout.write(`${outfile}\n`);
