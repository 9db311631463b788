#!/usr/bin/env node
// Writes dist/app-interface/schema-validators.cjs: the datafile JSON Schemas (schemas/) compiled
// by ajv into standalone code at build time (src/app-interface/schema-standalone.ts), so a run
// does not compile them. Run by `npm run build` after tsc; the registry uses the file only when
// its schemas have the sha256 recorded in it (src/app-interface/schema-registry.ts).
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { validatorsModule } = await import(path.join(root, 'dist', 'app-interface', 'schema-standalone.js'));
const { readSchemaFiles } = await import(path.join(root, 'dist', 'app-interface', 'schema-files.js'));
const out = path.join(root, 'dist', 'app-interface', 'schema-validators.cjs');
writeFileSync(out, validatorsModule(readSchemaFiles()));
