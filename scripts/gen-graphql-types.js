#!/usr/bin/env node
// Writes src/app-interface/graphql-types.generated.ts: the GraphQL types of the datafile kinds,
// generated from their JSON Schemas in schemas/ and src/app-interface/graphql-mapping.ts by
// src/app-interface/graphql-generate.ts (run from its build: `npm run gen:graphql` builds first).
// test/unit/app-interface/graphql-types.test.ts fails when the committed file is not current.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedGraphqlFile, schemasById } from '../dist/app-interface/graphql-generate.js';
import { readSchemaFiles } from '../dist/app-interface/schema-files.js';

const output = fileURLToPath(new URL('../src/app-interface/graphql-types.generated.ts', import.meta.url));
writeFileSync(output, generatedGraphqlFile(schemasById(readSchemaFiles(fileURLToPath(new URL('../schemas/', import.meta.url))))));
console.error(`wrote ${output}`);
