#!/usr/bin/env node
// `npm run bench`: runs the compiled benchmark (src/bench/bench.ts → dist/bench/bench.js).
// Build first: npm run build. See docs/benchmarks.md.
await import('../dist/bench/bench.js');
