/**
 * The registry of datafile kinds: every `$schema` kontract understands, grouped by family.
 *
 * HOW TO ADD A FAMILY (VMs, fabrics, …)
 *  1. Add the model type in src/app-interface/ (never in an integration: app-interface does not
 *     import integrations) and an optional list field to AppInterfaceData in model.ts
 *     (`readonly fabrics?: readonly Fabric[]`; absent = none).
 *  2. Add the JSON Schema `schemas/<family>/<kind>-1.json` with `$id: /<family>/<kind>-1.yml` (draft-07,
 *     `additionalProperties: false`). It is loaded automatically and checked before `build` runs.
 *     Declare cross-file references as
 *       {"type": "object", "required": ["$ref"], "additionalProperties": false,
 *        "properties": {"$ref": {"type": "string"}},
 *        "x-kontract-ref": {"schemas": ["/<family>/<other>-1.yml"]}}
 *     and the loader checks that the target exists and has one of those `$schema`s, and detects
 *     `$ref` cycles (add `"link": true` for peer links that may be cyclic). A kind without a JSON
 *     Schema is accepted too: then `build` alone validates (as the KubeVirt parsers do).
 *  3. Write a `DatafileKind` with `defineKind({schema, modelKey, graphqlField, build})` (kind.ts;
 *     parsers read fields with field-reader.ts and return its ParseResult), or, for a kind whose
 *     JSON Schema has checked the document, `schemaKind(schema, modelKey, graphqlField,
 *     (raw: RawX, file, ctx) => …)` with the raw shape from datafile-types.generated.ts
 *     (core-kinds.ts, tenancy/kinds.ts):
 *     `build(file, ctx)` turns one datafile (`file.raw`, `$ref`s unresolved, `file.path`) into
 *     one model entry or problems `{file, field, message}`; `ctx.file(path)` / `ctx.entry(kind,
 *     path)` read other datafiles. Pure: no IO.
 *  4. Add it to FAMILIES below. Nothing else: the YAML loader, `kontract validate`, `serve` and
 *     `bundle` (a kind without a GraphQL type, graphql-mapping.ts KIND_TYPES, travels as a qontract resource,
 *     `resources_v1(schema: …)`) and the GraphQL client (which rebuilds the documents and runs the
 *     same `build`) pick it up. Cross-file rules over the assembled model go into rules.ts (RULES).
 *  5. If a datafile points at non-datafile files inside the tree (manifests, templates), declare
 *     `resourceDirs(file)`: their files then reach the model as `AppInterfaceData.resources[path]`
 *     from every source (`serve` answers them as `resources_v1`, the GraphQL client fetches them
 *     pinned to the same sha). Read them from there, not from disk.
 */
import { parseVirtualMachine, parseVmTemplate } from './kubevirt/vm-parse.js';
import { parseClusterInstancetype, parseClusterPreference } from './kubevirt/instancetype-parse.js';
import { FABRIC_SCHEMA, fabricTreeDirectory, parseFabric } from './hedgehog/parse.js';
import { CORE_KINDS, SETTINGS_KINDS, clusterKind, sharedResourcesKind } from './core-kinds.js';
import { TENANCY_KINDS } from './tenancy/kinds.js';
import { vappKind } from './kubevirt/vapp-kind.js';
import { networkKind } from './tenancy/network.js';
import type { DatafileKind, ListKey, ParseResult } from './kind.js';
import { defineKind } from './kind.js';

export interface DatafileFamily {
  readonly name: string;
  /** Core kinds have typed (qontract-shaped) GraphQL types; other families are served as raw documents. */
  readonly core: boolean;
  readonly kinds: readonly DatafileKind[];
}

function viaParser<T>(parse: (path: string, raw: unknown) => ParseResult<T>): (f: { path: string; raw: unknown }) => ParseResult<T> {
  return (f) => parse(f.path, f.raw);
}

export const FAMILIES: readonly DatafileFamily[] = [
  { name: 'core', core: true, kinds: CORE_KINDS },
  { name: 'kontract-settings', core: false, kinds: SETTINGS_KINDS },
  // qontract's shared openshiftResources lists, read by the namespaces that point at them.
  { name: 'openshift-resources', core: false, kinds: [sharedResourcesKind] },
  { name: 'tenancy', core: false, kinds: [...TENANCY_KINDS, networkKind] },
  {
    name: 'kubevirt',
    core: false,
    kinds: [
      defineKind({ schema: '/kontract/kubevirt/vm-template-1.yml', modelKey: 'vmTemplates', graphqlField: 'vm_templates_v1', build: viaParser(parseVmTemplate) }),
      defineKind({ schema: '/kontract/kubevirt/virtual-machine-1.yml', modelKey: 'virtualMachines', graphqlField: 'virtual_machines_v1', build: viaParser(parseVirtualMachine) }),
      defineKind({ schema: '/kontract/kubevirt/cluster-instancetype-1.yml', modelKey: 'instancetypes', graphqlField: 'cluster_instancetypes_v1', build: viaParser(parseClusterInstancetype) }),
      defineKind({ schema: '/kontract/kubevirt/cluster-preference-1.yml', modelKey: 'preferences', graphqlField: 'cluster_preferences_v1', build: viaParser(parseClusterPreference) }),
      vappKind,
    ],
  },
  {
    name: 'hedgehog',
    core: false,
    kinds: [
      defineKind({
        schema: FABRIC_SCHEMA,
        modelKey: 'fabrics',
        graphqlField: 'fabrics_v1',
        build(f, ctx) {
          return parseFabric(f.raw, f.path, { clusterNameByPath: (p) => ctx.entry(clusterKind, p)?.name, ...(ctx.root === undefined ? {} : { root: ctx.root }) });
        },
        // A GitOps directory inside the app-interface travels with the data (qontract resources).
        resourceDirs(f) {
          const dir = fabricTreeDirectory(f.raw);
          return dir === undefined ? [] : [dir];
        },
      }),
    ],
  },
];

export const ALL_KINDS: readonly DatafileKind[] = FAMILIES.flatMap((f) => f.kinds);

const BY_SCHEMA = new Map<string, DatafileKind>(ALL_KINDS.map((k) => [k.schema, k]));

export function kindOfSchema(schema: string): DatafileKind | undefined {
  return BY_SCHEMA.get(schema);
}

/** Model keys every AppInterfaceData has (core) vs. those of optional families. */
export const CORE_MODEL_KEYS: readonly ListKey[] = CORE_KINDS.map((k) => k.modelKey);

export function isCoreKind(kind: DatafileKind): boolean {
  return FAMILIES.some((f) => f.core && f.kinds.includes(kind));
}
