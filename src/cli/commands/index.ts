/**
 * The explicit list of CLI commands. Each command lives in its own file and is added here with its
 * yargs command string and description; the file itself is imported only when a command line
 * names the command (src/cli/main.ts), so that `kontract --help` / `--version` and light commands
 * do not load what the heavy ones need (@kubernetes/client-node, GraphQL, prom-client, …).
 * test/unit/cli/lazy-commands.test.ts checks every entry against its module and the integration
 * list against src/integrations/index.ts.
 */
import type { CommandEntry, KontractCommand } from '../command.js';

/**
 * Name and summary of every registered integration (src/integrations/index.ts, same order), for
 * the per-integration commands `kontract <name>`: written out so that listing them loads no
 * integration.
 */
export const INTEGRATION_SUMMARIES: readonly { readonly name: string; readonly summary: string }[] = [
  { name: 'namespaces', summary: 'Namespaces from namespace datafiles: labels, tenant label, OpenShift display name and description; prunes `delete: true`' },
  { name: 'resourcequotas', summary: 'ResourceQuotas from quota files and Waldur-style quotaComponents, shaped by the namespace state (active/paused/downscaled)' },
  { name: 'limitranges', summary: 'One LimitRange per namespace, named after its limit-range file (null keys dropped)' },
  { name: 'rolebindings', summary: 'RoleBindings from role files (users and bots that point at them) in namespaces with managedRoles: true; role/clusterRole X → ClusterRole X' },
  { name: 'networkpolicies', summary: 'NetworkPolicies: allow-from-<src>-namespace per networkPoliciesAllow; default-deny plus same-namespace/tenant allows for isolated namespaces' },
  { name: 'serviceaccounts', summary: 'ServiceAccounts a VDC declares, in its namespace' },
  { name: 'instancetypes', summary: 'KubeVirt size catalog: VirtualMachineClusterInstancetypes and VirtualMachineClusterPreferences (instancetype.kubevirt.io/v1beta1)' },
  { name: 'networks', summary: "A VDC's networks: Multus NetworkAttachmentDefinitions and OVN-Kubernetes UserDefinedNetworks in its namespace" },
  { name: 'virtual-machines', summary: 'KubeVirt VirtualMachines from VM templates plus overrides and from vApps: power on/off as runStrategy, suspend/unpause, one-time reset, restartOnResize, instancetype/preference or explicit size, disks, networks, cloud-init from a Secret' },
  { name: 'hedgehog-fabric', summary: 'Hedgehog fabric CRs (VPCs, wiring) from each fabric\'s GitOps directory or git ref to its cluster, validated like the fabric webhooks, applied in dependency order' },
  { name: 'resources', summary: "Any kind from namespaces' openshiftResources (qontract's openshift-resources): manifests, Jinja2 templates, vault-secrets, routes" },
];

async function integrationCommandOf(name: string): Promise<KontractCommand> {
  const { integrationCommands } = await import('./run.js');
  const cmd = integrationCommands.find((c) => c.command === `${name} [integrations..]`);
  if (cmd === undefined) throw new Error(`no command for integration ${name}`);
  return cmd;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    command: ['reconcile [integrations..]', 'run'],
    describe: 'Reconcile the named integrations (or --all) against their clusters',
    load: async () => (await import('./run.js')).runCommand,
  },
  ...INTEGRATION_SUMMARIES.map((i): CommandEntry => ({ command: `${i.name} [integrations..]`, describe: i.summary, load: () => integrationCommandOf(i.name) })),
  {
    command: 'local-clusters <action>',
    describe: 'Start, stop or inspect local Kubernetes control planes (etcd + kube-apiserver + controller manager) for tests and demos',
    load: async () => (await import('./local-clusters.js')).localClustersCommand,
  },
  {
    command: 'inventory',
    describe: 'Read-only workload inventory per cluster: nodes, namespaces and quota usage, pods and containers (container vs VM launcher), workloads, services, routes, PVCs, VMs, DataVolumes',
    load: async () => (await import('./inventory.js')).inventoryCommand,
  },
  {
    command: 'validate',
    describe: 'Validate the app-interface (schemas, $refs, cross-file rules, every integration\'s desired objects) without contacting any cluster',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    command: 'serve',
    describe: 'Serve the app-interface over GraphQL like qontract-server (for --graphql-url clients)',
    load: async () => (await import('./serve.js')).serveCommand,
  },
  {
    command: 'bundle',
    describe: 'Write a qontract-server bundle (JSON) of an app-interface directory',
    load: async () => (await import('./bundle.js')).bundleCommand,
  },
  {
    command: 'fabric-status',
    describe: 'Per Hedgehog fabric: cluster reachable, in sync or drifted (per kind and object), last sync (read-only)',
    load: async () => (await import('./fabric-status.js')).fabricStatusCommand,
  },
  {
    command: 'rbac [integrations..]',
    describe: 'Print the least-privilege ClusterRole/Role (YAML) for running these integrations',
    load: async () => (await import('./rbac.js')).rbacCommand,
  },
];

/** The words a command line may use to name an entry's command: its first word and its aliases. */
export function commandWords(entry: Pick<CommandEntry, 'command'>): string[] {
  const all = typeof entry.command === 'string' ? [entry.command] : [...entry.command];
  return all.map((c) => c.split(' ')[0] ?? c);
}
