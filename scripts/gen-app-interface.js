#!/usr/bin/env node
// `node scripts/gen-app-interface.js --out DIR [--namespaces 3000] [--roles 300] [--users 1000] [--seed 1]`:
// the sample plus a generated large app-interface (src/bench/large-app-interface.ts). Build first: npm run build.
const { SAMPLE_DIR, generatorOptions, writeLargeAppInterface } = await import('../dist/bench/large-app-interface.js');

const argv = process.argv.slice(2);
const i = argv.indexOf('--out');
if (i < 0 || argv[i + 1] === undefined) {
  process.stderr.write('usage: node scripts/gen-app-interface.js --out DIR [--namespaces 3000] [--roles 300] [--users 1000] [--seed 1]\n');
  process.exitCode = 64;
} else {
  const opts = generatorOptions(argv);
  const n = writeLargeAppInterface(argv[i + 1], SAMPLE_DIR, opts);
  process.stdout.write(`${argv[i + 1]}: the sample plus ${n} generated datafiles (${JSON.stringify(opts)})\n`);
}
