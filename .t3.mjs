import { Ajv } from 'ajv';
import { readSchemaFiles } from './dist/app-interface/schema-files.js';
const opt = process.argv[2] === 'noopt' ? { optimize: false } : {}; const vs = process.argv[3] !== 'novs';
const t0 = performance.now();
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, passContext: true, verbose: true, code: opt, validateSchema: vs });
ajv.addFormat('date', { type: 'string', validate: () => true });
ajv.addKeyword({ keyword: 'x-kontract-ref', schemaType: 'object', validate: () => true });
const ids = [];
for (const { text } of readSchemaFiles()) { const s = JSON.parse(text); ids.push(s.$id); ajv.addSchema(s); }
const t1 = performance.now();
for (const id of ids) ajv.getSchema(id);
console.log(process.argv[2] ?? 'default', 'add', (t1 - t0).toFixed(0), 'compile all', (performance.now() - t1).toFixed(0));
