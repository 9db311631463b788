#!/usr/bin/env node
// `npm run bench`: runs the compiled benchmark (src/bench/bench.ts → dist/bench/bench.js);
// `npm run bench -- --case e2e` the end-to-end case (src/bench/e2e.ts → dist/bench/e2e.js).
// Build first: npm run build. See docs/benchmarks.md.
const argv = process.argv.slice(2);
const e2e = argv.some((a, i) => (a === '--case' && argv[i + 1] === 'e2e') || a === '--case=e2e');
await import(e2e ? '../dist/bench/e2e.js' : '../dist/bench/bench.js');
