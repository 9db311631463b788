/**
 * The architecture rules of kontract, checked by `npm run depcheck` in `npm test`
 * (scripts/test.sh). docs/architecture.md shows the same map as a table (a unit test,
 * test/unit/architecture.test.ts, keeps the two equal). Each rule's `comment` is printed when the
 * rule is broken: it says which rule and why it exists.
 */

/**
 * What each folder of src/ may import of the project (besides itself). Everything not listed is
 * forbidden; node built-ins and npm packages are governed by the IO and yargs rules below.
 */
const LAYERS = [
  { folder: 'core', may: [], why: 'src/core/ holds the shared pure concepts (errors, reporter, object types, quantities, plain-object check); everything imports it, so it imports nothing else of the project.' },
  { folder: 'resource-inventory', may: ['core'], why: 'src/resource-inventory/ is the pure planning core (inventory, diff, plan, renderers): plans stay plain values, testable without clusters, the engine or the CLI.' },
  { folder: 'app-interface', may: ['core'], why: 'src/app-interface/ owns the datafile kinds; integrations and the engine read data downward from it, so an import the other way is an upward import (and a cycle).' },
  { folder: 'integrations', may: ['core', 'app-interface', 'resource-inventory'], why: 'An integration only turns data into desired objects (buildDesired is pure); talking to clusters, running reconciles and parsing the command line belong to src/k8s, src/reconcile and src/cli, which import integrations, never the reverse.' },
  { folder: 'secrets', may: ['core'], why: 'src/secrets/ reads secret references (Vault over HTTP, the secrets config file) for whoever holds one: cluster credentials today, secret providers later; it knows nothing of clusters or runs.' },
  { folder: 'k8s', may: ['core', 'app-interface', 'secrets'], why: 'src/k8s/ is the cluster client and credentials: it knows clusters, not plans, integrations or the run.' },
  { folder: 'reconcile', may: ['core', 'app-interface', 'resource-inventory', 'integrations', 'k8s', 'secrets'], why: 'src/reconcile/ is the engine (gather, plan, apply); metrics and the CLI sit on top of it.' },
  { folder: 'metrics', may: ['core', 'k8s', 'reconcile'], why: 'src/metrics/ records and exports what a run did; the engine does not depend on it.' },
  { folder: 'workload-inventory', may: ['core', 'app-interface', 'k8s'], why: 'src/workload-inventory/ is the read-only workload report: it lists clusters and never plans or applies.' },
  { folder: 'local-cluster', may: ['core'], why: 'src/local-cluster/ is the local control plane harness; it stands alone so tests and the CLI can use it without the engine.' },
  { folder: 'bench', may: ['core', 'app-interface', 'resource-inventory', 'integrations', 'reconcile', 'local-cluster'], why: 'src/bench/ drives the engine like the CLI does, without the CLI.' },
  { folder: 'cli', may: ['core', 'app-interface', 'resource-inventory', 'integrations', 'secrets', 'k8s', 'reconcile', 'metrics', 'workload-inventory', 'local-cluster'], why: 'src/cli/ is the shell on top of everything; nothing imports it.' },
];

/** Node built-ins that do IO (disk, network, processes). */
const IO_MODULES = '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|tls|dns|worker_threads)$';

const src = (folders) => folders.map((f) => `src/${f}/`).join(', ');

const layerRules = LAYERS.map(({ folder, may, why }) => ({
  name: `layer-${folder}`,
  severity: 'error',
  comment: `src/${folder}/ may import ${may.length === 0 ? 'nothing else of src/' : `only ${src(may)}`} (docs/architecture.md). ${why}`,
  from: { path: `^src/${folder}/` },
  to: { path: '^src/', pathNot: `^src/(${[folder, ...may].join('|')})/` },
}));

/**
 * The pure folders reach no IO, directly or through what they import (`reachable`): an
 * integration importing an app-interface loader that reads the disk breaks the rule too.
 */
const ioRules = ['core', 'resource-inventory', 'integrations'].map((folder) => ({
  name: `no-io-${folder}`,
  severity: 'error',
  comment: `src/${folder}/ is pure: no disk, network or process access (node:fs, node:net, node:http, node:child_process, …), not even through the modules it imports; the IO is done by the loaders, src/k8s and src/reconcile, and handed in as values or readers (DesiredContext).`,
  from: { path: `^src/${folder}/` },
  to: { path: IO_MODULES, reachable: true },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make modules impossible to understand, test or move alone; split the shared part into a lower module.',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    ...ioRules,
    {
      name: 'only-cli-uses-yargs',
      severity: 'error',
      comment: 'The command line (yargs options, flag coercion: src/cli/options.ts) is the CLI shell in src/cli/; other modules take typed options so they can be called without a command line.',
      from: { path: '^src/(?!cli/)' },
      to: { path: '(^|/)node_modules/yargs/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(src/|node:|fs|net|http|https|http2|child_process|dgram|tls|dns|worker_threads)|(^|/)node_modules/yargs/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
