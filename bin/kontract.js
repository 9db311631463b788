#!/usr/bin/env node
// The kontract executable: loads the compiled CLI (npm run build writes dist/).
import { runCli } from '../dist/cli/main.js';

await runCli();
