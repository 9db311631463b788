/**
 * Architecture rules (docs/architecture.md, "Module map"), checked by `npm run depcheck` in
 * `npm test` (scripts/test.sh). Each rule's `comment` is printed when it is broken.
 */
/**
 * Known violations, to be removed in stage 2 of issue 12 (the data kinds of these three
 * integrations move into src/app-interface/, so that it owns every datafile kind): today
 * src/app-interface/model.ts imports their models and src/app-interface/families.ts their parsers.
 * Exactly these imports are exempt from `app-interface-below-integrations` and reported as
 * warnings by `known-violation-stage-2`; any other upward import still fails.
 */
const KNOWN_APP_INTERFACE_FROM = '^src/app-interface/(model|families)[.]ts$';
const KNOWN_APP_INTERFACE_TO = '^src/integrations/(virtual-machines|instancetypes|hedgehog-fabric)/(model|parse)[.]ts$';

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
    {
      name: 'resource-inventory-is-pure',
      severity: 'error',
      comment: 'src/resource-inventory/ (inventory, diff, plan, renderers) is the pure planning core: it must not do IO (disk, network, processes) nor import the engine, the cluster client, the CLI or integrations, so plans stay testable as plain values.',
      from: { path: '^src/resource-inventory/' },
      to: {
        path: [
          '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|tls|dns|worker_threads|process)$',
          '^src/(k8s|reconcile|cli|integrations|app-interface|metrics|local-cluster|workload-inventory|bench)/',
        ],
      },
    },
    {
      name: 'integrations-are-pure',
      severity: 'error',
      comment: 'An integration only turns data into desired objects (buildDesired is pure); talking to clusters, running reconciles and parsing the command line belong to src/k8s, src/reconcile and src/cli, which import integrations, never the reverse.',
      from: { path: '^src/integrations/' },
      to: { path: '^src/(k8s|reconcile|cli|metrics|local-cluster|bench)/' },
    },
    {
      name: 'app-interface-below-integrations',
      severity: 'error',
      comment: 'src/app-interface/ owns every datafile kind; integrations read data downward from it. An import the other way makes adding a data family an upward import (and a cycle).',
      from: { path: '^src/app-interface/', pathNot: KNOWN_APP_INTERFACE_FROM },
      to: { path: '^src/(integrations|reconcile|cli|k8s|workload-inventory|metrics|bench)/' },
    },
    {
      name: 'app-interface-below-integrations-known',
      severity: 'error',
      comment: 'src/app-interface/model.ts and families.ts may import only the data-kind modules (model.ts, parse.ts) of virtual-machines, instancetypes and hedgehog-fabric, a known violation until stage 2 of issue 12; anything else upward is forbidden as for the rest of src/app-interface/.',
      from: { path: KNOWN_APP_INTERFACE_FROM },
      to: { path: '^src/(integrations|reconcile|cli|k8s|workload-inventory|metrics|bench)/', pathNot: KNOWN_APP_INTERFACE_TO },
    },
    {
      name: 'known-violation-stage-2',
      severity: 'warn',
      comment: 'Temporary exception (issue 12, stage 2): src/app-interface/ should own this data kind; move the model and parser into src/app-interface/ and delete this rule and its exemption.',
      from: { path: KNOWN_APP_INTERFACE_FROM },
      to: { path: KNOWN_APP_INTERFACE_TO },
    },
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      comment: 'src/core/ holds the shared pure concepts (errors, reporter, object types, quantities, plain-object check); everything imports it, so it imports nothing else of the project and does no IO.',
      from: { path: '^src/core/' },
      to: {
        path: [
          '^src/(?!core/)',
          '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|tls|dns|worker_threads)$',
        ],
      },
    },
    {
      name: 'only-cli-uses-yargs',
      severity: 'error',
      comment: 'The command line (yargs options, argument coercion) is the CLI shell in src/cli/; other modules take typed options so they can be called without a command line.',
      from: { path: '^src/(?!cli/)' },
      to: { path: '^node_modules/yargs/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(src/|node:|fs|net|http|https|http2|child_process|dgram|tls|dns|worker_threads|node_modules/yargs/)',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
