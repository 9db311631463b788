/**
 * Generates the GraphQL types of the datafile kinds from their JSON Schemas (schemas/, the one
 * source of each shape) and graphql-mapping.ts (what a JSON Schema cannot say). Build time only:
 * `npm run gen:graphql` (scripts/gen-graphql-types.js) writes graphql-types.generated.ts, which
 * graphql-schema.ts serves; test/unit/app-interface/graphql-types.test.ts fails when the committed
 * file is not what the schemas and the mapping give today. Pure: the caller reads the schemas.
 *
 * Hand-written rather than a JSON Schema → GraphQL package: the most used one on npm,
 * get-graphql-from-jsonschema 8.1.0, tried on schemas/, refuses an object without `properties`
 * (qontract's `labels` maps, which are the JSON scalar here) and an `enum` without `type`, and
 * names every nested type after its property path (its only options are the root name and the
 * direction), while qontract's wire needs qontract's names and interfaces. graphql-js checks the
 * result (every type reference, every interface implementation) and prints it.
 */
import { buildSchema, isTypeDefinitionNode, parse, printType, validateSchema } from 'graphql';
import { ERROR_CODES, KontractError } from '../core/errors.js';
import * as mapping from './graphql-mapping.js';

type Node = Readonly<Record<string, unknown>>;

/** graphql-mapping.ts as one value (tests hand the generator a changed copy). */
export interface GraphqlMapping {
  readonly kindTypes: Readonly<Record<string, string>>;
  readonly inlineKinds: readonly string[];
  readonly objectTypes: Readonly<Record<string, string>>;
  readonly omittedProperties: Readonly<Record<string, readonly string[]>>;
  readonly interfaces: Readonly<Record<string, { readonly field: string; readonly fieldMap: Readonly<Record<string, string>> }>>;
  readonly memberProperties: Readonly<Record<string, readonly string[]>>;
  readonly syntheticFields: Readonly<Record<string, Readonly<Record<string, { readonly schema: string; readonly subAttr: string }>>>>;
  readonly serveOnlyFieldTypes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly explicitSdl: string;
}

export const MAPPING: GraphqlMapping = {
  kindTypes: mapping.KIND_TYPES,
  inlineKinds: mapping.INLINE_KINDS,
  objectTypes: mapping.OBJECT_TYPES,
  omittedProperties: mapping.OMITTED_PROPERTIES,
  interfaces: mapping.INTERFACES,
  memberProperties: mapping.MEMBER_PROPERTIES,
  syntheticFields: mapping.SYNTHETIC_FIELDS,
  serveOnlyFieldTypes: mapping.SERVE_ONLY_FIELD_TYPES,
  explicitSdl: mapping.EXPLICIT_SDL,
};

interface FieldDef { readonly name: string; readonly type: string; readonly description?: string | undefined }
interface TypeDef {
  readonly keyword: 'type' | 'interface';
  readonly name: string;
  readonly implements?: string;
  readonly description?: string | undefined;
  readonly fields: readonly FieldDef[];
  /** `<$schema>#<property path>` it was generated from. */
  readonly origin: string;
}

const SCALARS: Readonly<Record<string, string>> = { string: 'String', integer: 'Int', number: 'Float', boolean: 'Boolean' };

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function propertiesOf(node: Node): Readonly<Record<string, Node>> {
  return isNode(node.properties) ? (node.properties as Readonly<Record<string, Node>>) : {};
}

function requiredOf(node: Node): ReadonlySet<string> {
  return new Set(Array.isArray(node.required) ? node.required.filter((r): r is string => typeof r === 'string') : []);
}

/** A property the JSON Schema only describes (a qontract field kontract accepts without reading) has no GraphQL field. */
function isTyped(p: Node): boolean {
  return Object.keys(p).some((k) => k !== 'description');
}

function isRefObject(p: Node): boolean {
  return propertiesOf(p).$ref !== undefined;
}

function descriptionOf(p: Node): string | undefined {
  return typeof p.description === 'string' ? p.description : undefined;
}

function nonNull(t: string): string {
  return t.endsWith('!') ? t : `${t}!`;
}

function sdlOf(def: TypeDef): string {
  const head = `${def.keyword} ${def.name}${def.implements === undefined ? '' : ` implements ${def.implements}`}`;
  const body = def.fields.map((f) => `${f.description === undefined ? '' : `${JSON.stringify(f.description)} `}${f.name}: ${f.type}`).join('\n  ');
  return `${def.description === undefined ? '' : `${JSON.stringify(def.description)}\n`}${head} {\n  ${body}\n}`;
}

/** The field lists of two definitions of one type (ResourceValues_v1 comes from several subschemas): equal, descriptions aside. */
function sameShape(a: TypeDef, b: TypeDef): boolean {
  const shape = (d: TypeDef): string => JSON.stringify([d.keyword, d.implements, d.fields.map((f) => [f.name, f.type])]);
  return shape(a) === shape(b);
}

class Generator {
  readonly types = new Map<string, TypeDef>();
  readonly problems: string[] = [];
  private readonly used = new Set<string>();
  private readonly explicitTypes: ReadonlySet<string>;

  constructor(private readonly schemas: ReadonlyMap<string, Node>, private readonly m: GraphqlMapping) {
    this.explicitTypes = new Set(parse(m.explicitSdl).definitions.flatMap((d) => (isTypeDefinitionNode(d) ? [d.name.value] : [])));
  }

  run(): void {
    for (const [schemaId, typeName] of Object.entries(this.m.kindTypes)) {
      const node = this.schemas.get(schemaId);
      if (node === undefined) { this.problems.push(`${schemaId}: no JSON Schema with this $id (graphql-mapping.ts KIND_TYPES)`); continue; }
      this.object(node, typeName, schemaId, '', true);
    }
    this.stale();
  }

  private define(def: TypeDef): void {
    const seen = this.types.get(def.name);
    if (seen === undefined) { this.types.set(def.name, def); return; }
    if (!sameShape(seen, def)) this.problems.push(`${def.origin}: GraphQL type ${def.name} differs from the one generated from ${seen.origin}`);
  }

  private object(node: Node, typeName: string, schemaId: string, path: string, root: boolean): void {
    const key = `${schemaId}#${path}`;
    const fields: FieldDef[] = [];
    if (root) {
      if (!this.m.inlineKinds.includes(schemaId)) fields.push({ name: 'path', type: 'String!' });
      fields.push({ name: 'schema', type: 'String!' });
    }
    const props = propertiesOf(node);
    const required = requiredOf(node);
    const omitted = this.m.omittedProperties[key] ?? [];
    if (this.m.omittedProperties[key] !== undefined) this.used.add(`omit ${key}`);
    for (const name of omitted) {
      if (props[name] === undefined) this.problems.push(`${key}: OMITTED_PROPERTIES names ${name}, which the JSON Schema does not have`);
      // a document rebuilt from GraphQL answers (graphql-client.ts) must still validate
      if (required.has(name)) this.problems.push(`${key}: OMITTED_PROPERTIES names ${name}, which the JSON Schema requires`);
    }
    const serveOnly = this.m.serveOnlyFieldTypes[typeName] ?? {};
    for (const [name, p] of Object.entries(props)) {
      if (name === '$schema' || omitted.includes(name)) continue;
      const served = serveOnly[name];
      if (served !== undefined) {
        if (isTyped(p)) this.problems.push(`${key}: ${name} is typed in the JSON Schema; SERVE_ONLY_FIELD_TYPES may only add untyped or absent properties`);
        fields.push({ name, type: served });
        continue;
      }
      if (!isTyped(p)) continue;
      const t = this.fieldType(p, schemaId, path === '' ? name : `${path}.${name}`);
      fields.push({ name, type: required.has(name) ? nonNull(t) : t, description: descriptionOf(p) });
    }
    for (const [name, type] of Object.entries(serveOnly)) if (props[name] === undefined) fields.push({ name, type });
    for (const [name, s] of Object.entries(this.m.syntheticFields[typeName] ?? {})) {
      const target = this.m.kindTypes[s.schema];
      if (target === undefined) { this.problems.push(`${typeName}.${name}: SYNTHETIC_FIELDS names ${s.schema}, which has no type in KIND_TYPES`); continue; }
      fields.push({ name, type: `[${target}!]!`, description: `qontract's synthetic back-reference: the ${s.schema} datafiles whose \`${s.subAttr}\` list this one.` });
    }
    this.define({ keyword: 'type', name: typeName, description: descriptionOf(node) ?? (typeof node.title === 'string' ? node.title : undefined), fields, origin: key });
  }

  private fieldType(p: Node, schemaId: string, path: string): string {
    const key = `${schemaId}#${path}`;
    if (p.type === 'array') {
      if (!isNode(p.items)) { this.problems.push(`${key}: an array without one items schema`); return 'JSON'; }
      return `[${nonNull(this.fieldType(p.items, schemaId, `${path}[]`))}]`;
    }
    const mapped = this.m.objectTypes[key];
    if (mapped !== undefined) this.used.add(`object ${key}`);
    if (isRefObject(p)) {
      if (mapped !== undefined) return mapped;
      const ref = p['x-kontract-ref'];
      const targets = isNode(ref) && Array.isArray(ref.schemas) ? ref.schemas : [];
      const target = targets.length === 1 && typeof targets[0] === 'string' ? this.m.kindTypes[targets[0]] : undefined;
      if (target === undefined) this.problems.push(`${key}: a $ref without one x-kontract-ref kind of KIND_TYPES: name its type in OBJECT_TYPES`);
      return target ?? 'JSON';
    }
    if (p.type === 'object' || isNode(p.properties)) {
      if (Object.keys(propertiesOf(p)).length === 0) return 'JSON';
      if (mapped === undefined) { this.problems.push(`${key}: an object with properties and no GraphQL type name: add it to OBJECT_TYPES`); return 'JSON'; }
      if (this.m.interfaces[mapped] !== undefined && !this.explicitTypes.has(mapped)) this.interfaceOf(p, mapped, schemaId, path);
      else if (!this.explicitTypes.has(mapped)) this.object(p, mapped, schemaId, path, false);
      return mapped;
    }
    if (typeof p.type === 'string' && SCALARS[p.type] !== undefined) return SCALARS[p.type] ?? 'JSON';
    if (p.type === undefined && Array.isArray(p.enum) && p.enum.every((v) => typeof v === 'string')) return 'String';
    this.problems.push(`${key}: no GraphQL type for the JSON Schema type ${JSON.stringify(p.type ?? null)}`);
    return 'JSON';
  }

  /** An interface and its members from one object schema: the interface has the required properties, each member those and MEMBER_PROPERTIES'. */
  private interfaceOf(node: Node, name: string, schemaId: string, path: string): void {
    const key = `${schemaId}#${path}`;
    const iface = this.m.interfaces[name];
    if (iface === undefined) return;
    const props = propertiesOf(node);
    const required = requiredOf(node);
    const discriminator = props[iface.field];
    const values: readonly unknown[] | undefined = discriminator !== undefined && Array.isArray(discriminator.enum) ? (discriminator.enum as readonly unknown[]) : undefined;
    if (discriminator === undefined || !required.has(iface.field)) this.problems.push(`${key}: ${name} picks its type by ${iface.field}, which the JSON Schema does not require`);
    else if (values !== undefined && JSON.stringify(values.map(String).sort()) !== JSON.stringify(Object.keys(iface.fieldMap).sort())) {
      this.problems.push(`${key}: the ${iface.field} values of the JSON Schema (${values.map(String).join(', ')}) are not those of INTERFACES.${name} (${Object.keys(iface.fieldMap).join(', ')})`);
    }
    const field = (prop: string): FieldDef | undefined => {
      const p = props[prop];
      if (p === undefined || !isTyped(p)) { this.problems.push(`${key}: ${prop} is not a typed property of the JSON Schema`); return undefined; }
      const t = this.fieldType(p, schemaId, `${path}.${prop}`);
      return { name: prop, type: required.has(prop) ? nonNull(t) : t, description: descriptionOf(p) };
    };
    const common = [...required].filter((r) => r !== '$schema').flatMap((r) => field(r) ?? []);
    this.define({ keyword: 'interface', name, description: descriptionOf(node), fields: common, origin: key });
    for (const member of Object.values(iface.fieldMap)) {
      const own = this.m.memberProperties[member];
      if (own === undefined) { this.problems.push(`${key}: ${member} (a member of ${name}) has no MEMBER_PROPERTIES entry`); continue; }
      this.used.add(`member ${member}`);
      this.define({ keyword: 'type', name: member, implements: name, fields: [...common, ...own.flatMap((p) => field(p) ?? [])], origin: key });
    }
  }

  /** Mapping entries no JSON Schema reaches any more (a property renamed or removed). */
  private stale(): void {
    for (const key of Object.keys(this.m.objectTypes)) if (!this.used.has(`object ${key}`)) this.problems.push(`OBJECT_TYPES ${key}: no such object in the JSON Schemas`);
    for (const key of Object.keys(this.m.omittedProperties)) if (!this.used.has(`omit ${key}`)) this.problems.push(`OMITTED_PROPERTIES ${key}: no such object in the JSON Schemas`);
    for (const member of Object.keys(this.m.memberProperties)) if (!this.used.has(`member ${member}`)) this.problems.push(`MEMBER_PROPERTIES ${member}: not a member of a generated interface`);
    for (const type of [...Object.keys(this.m.serveOnlyFieldTypes), ...Object.keys(this.m.syntheticFields)]) {
      if (!this.types.has(type)) this.problems.push(`${type}: has serve-only or synthetic fields but is not a generated type`);
    }
    for (const id of this.m.inlineKinds) if (this.m.kindTypes[id] === undefined) this.problems.push(`INLINE_KINDS ${id}: not in KIND_TYPES`);
    for (const name of this.types.keys()) if (this.explicitTypes.has(name)) this.problems.push(`${name}: generated and also in EXPLICIT_SDL`);
  }
}

/**
 * The SDL of every generated type (graphql-js's printing), in the order the kinds and their
 * properties come. `schemas`: the JSON Schemas by `$id`. Throws on a mapping that does not fit the
 * schemas, naming the schema and property.
 */
export function generateGraphqlSdl(schemas: ReadonlyMap<string, Node>, m: GraphqlMapping = MAPPING): string {
  const g = new Generator(schemas, m);
  g.run();
  if (g.problems.length > 0) throw new KontractError(ERROR_CODES.INTERNAL, `GraphQL types from the JSON Schemas:\n  ${g.problems.join('\n  ')}`);
  const text = [...g.types.values()].map(sdlOf).join('\n\n');
  // a Query only for the check: the real one lists the kinds (graphql-schema.ts)
  const schema = buildSchema(`${text}\n${m.explicitSdl}\ntype Query { check: JSON }\n`);
  const errors = validateSchema(schema);
  if (errors.length > 0) throw new KontractError(ERROR_CODES.INTERNAL, `GraphQL types from the JSON Schemas:\n  ${errors.map((e) => e.message).join('\n  ')}`);
  return [...g.types.keys()].map((name) => {
    const type = schema.getType(name);
    if (type === undefined) throw new KontractError(ERROR_CODES.INTERNAL, `generated GraphQL type ${name} is missing`);
    return printType(type);
  }).join('\n\n');
}

function templateText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

/** The text of graphql-types.generated.ts. */
export function generatedGraphqlFile(schemas: ReadonlyMap<string, Node>, m: GraphqlMapping = MAPPING): string {
  return [
    '// GENERATED by scripts/gen-graphql-types.js (src/app-interface/graphql-generate.ts) from the JSON Schemas in',
    '// schemas/ and src/app-interface/graphql-mapping.ts. Do not edit: change those and run `npm run gen:graphql`.',
    '',
    '/** The GraphQL types of the datafile kinds of graphql-mapping.ts KIND_TYPES (SDL). */',
    `export const GENERATED_SDL = \`\n${templateText(generateGraphqlSdl(schemas, m))}\n\`;`,
    '',
  ].join('\n');
}

/** JSON Schema texts (schema-files.ts) → the schemas by `$id`. */
export function schemasById(files: readonly { readonly text: string }[]): ReadonlyMap<string, Node> {
  const out = new Map<string, Node>();
  for (const f of files) {
    const doc: unknown = JSON.parse(f.text);
    if (isNode(doc) && typeof doc.$id === 'string') out.set(doc.$id, doc);
  }
  return out;
}
