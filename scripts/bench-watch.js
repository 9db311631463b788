#!/usr/bin/env node
// `npm run bench:watch`: runs the compiled watch-loop benchmark (src/bench/watch-bench.ts →
// dist/bench/watch-bench.js). Build first: npm run build. See docs/benchmarks.md.
await import('../dist/bench/watch-bench.js');
