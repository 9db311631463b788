/**
 * The contract of one datafile kind (one `$schema`): how a validated datafile becomes a model
 * entry. The list of kinds is in families.ts.
 */
import type { ParseResult } from './field-reader.js';
import type { AppInterfaceData } from './model.js';
import type { Datafile } from './snapshot.js';

/** Keys of AppInterfaceData holding a list of entries (`clusters`, `namespaces`, `virtualMachines`, …). */
export type ListKey = {
  [K in keyof AppInterfaceData]-?: NonNullable<AppInterfaceData[K]> extends readonly unknown[] ? K : never;
}[keyof AppInterfaceData];

/** The entry type of a list key: EntryOf<'clusters'> = Cluster. */
export type EntryOf<K extends ListKey> = NonNullable<AppInterfaceData[K]> extends readonly (infer E)[] ? E : never;

export type { ParseResult } from './field-reader.js';
export { ok } from './field-reader.js';

export interface BuildContext {
  /** The app-interface directory for a YAML directory source; undefined for GraphQL/bundle sources. */
  readonly root: string | undefined;
  /** A non-datafile YAML file (manifest stream) by path, as text. */
  resource(path: string): string | undefined;
  /** The datafile at `path` (as written), if the snapshot has it. */
  file(path: string): Datafile | undefined;
  /**
   * The datafiles (valid or not) of `$schema` `schema` whose top-level `field` is `{$ref: target}` or a list
   * holding it, sorted by path: reverse references (qontract users and bots point at roles, and
   * kontract's settings files point at the qontract objects they extend).
   */
  referrers(schema: string, field: string, target: string): readonly Datafile[];
  /** The built entry of `kind` at `path` (memoised); undefined when missing or invalid (already reported). */
  entry<K extends ListKey>(kind: DatafileKind<K>, path: string): EntryOf<K> | undefined;
}

export interface DatafileKind<K extends ListKey = ListKey> {
  /** The `$schema` id, e.g. `/openshift/namespace-1.yml`; its JSON Schema is `schemas/openshift/namespace-1.json` (optional for non-core kinds). */
  readonly schema: string;
  /** Where the entries go in AppInterfaceData. Entries are sorted by `path`. */
  readonly modelKey: K;
  /** The qontract-style GraphQL query field, e.g. `namespaces_v1`. */
  readonly graphqlField: string;
  /**
   * Top-level fields whose `$ref`s are links between peers (may legitimately form cycles, e.g.
   * two namespaces allowing each other). Every other `$ref` declared with `x-kontract-ref` in the
   * JSON Schema takes part in cycle detection.
   */
  readonly linkFields?: readonly string[];
  /**
   * Builds the model entry from one datafile. Runs only when the file passed its JSON Schema (if
   * the kind has one); returns problems for anything the schema cannot express. `ok: false` with
   * no problems means "skip silently" (the cause was already reported, e.g. a broken `$ref`).
   */
  build(file: Datafile, ctx: BuildContext): ParseResult<EntryOf<K>>;
  /**
   * In-tree directories (app-interface paths, `/hedgehog/fabric-1`) whose non-datafile files
   * (resources, e.g. Kubernetes manifests) this datafile reads. Pure, from `file.raw`. The GraphQL
   * client also calls it on documents not validated yet, so it must return `[]` for anything it
   * cannot read rather than throw. The model carries those files in `AppInterfaceData.resources`
   * under `file.path`, and the GraphQL client fetches them (`resources_v1(pathPrefix:)`, pinned to
   * the same sha) so both sources yield the same data.
   */
  resourceDirs?(file: Datafile): readonly string[];
}

/** Helper keeping `K` inferred: `defineKind({ schema, modelKey: 'clusters', … })`. */
export function defineKind<K extends ListKey>(kind: DatafileKind<K>): DatafileKind<K> {
  return kind;
}

/**
 * A kind whose JSON Schema (schemas/) has accepted the document when `build` runs, so `build`
 * gets the raw document as its generated shape (datafile-types.generated.ts), e.g.
 * `schemaKind('/kontract/tenant-1.yml', 'tenants', 'tenants_v1', (r: RawTenant, f) => ok({…}))`.
 */
export function schemaKind<Raw, K extends ListKey>(
  schema: string,
  modelKey: K,
  graphqlField: string,
  build: (raw: Raw, file: Datafile & { readonly raw: Raw }, ctx: BuildContext) => ParseResult<EntryOf<K>>,
  more: Pick<DatafileKind<K>, 'linkFields' | 'resourceDirs'> = {},
): DatafileKind<K> {
  return { schema, modelKey, graphqlField, ...more, build: (f, ctx) => build(f.raw as Raw, f as Datafile & { readonly raw: Raw }, ctx) };
}

export const SKIP: ParseResult<never> = { ok: false, problems: [] };
