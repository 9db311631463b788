/**
 * `kontract inventory [--cluster …] [--kinds …] [--namespace REGEX] [--workloads all|containers|vms]
 * [--output table|json|csv]`: a read-only workload inventory of the app-interface clusters
 * (src/workload-inventory/README.md). Writes nothing to any cluster. Exit 1 when a cluster could not be read
 * or a kind failed with an error other than 403/not served (the rest is still printed).
 */
import { setMaxListeners } from 'node:events';
import type { Argv } from 'yargs';
import { loadAppInterface } from '../../app-interface/source-options.js';
import { ERROR_CODES, KontractError } from '../../core/errors.js';
import { namespaceRegExp, sectionsOf } from '../../workload-inventory/build.js';
import type { InventoryFilter } from '../../workload-inventory/build.js';
import { collectInventory } from '../../workload-inventory/collect.js';
import { SECTIONS, WORKLOAD_FILTERS } from '../../workload-inventory/types.js';
import type { InventoryReport, Section, WorkloadFilter } from '../../workload-inventory/types.js';
import { INVENTORY_FORMATS, renderInventory } from '../../workload-inventory/render.js';
import type { InventoryFormat } from '../../workload-inventory/render.js';
import { createConnector } from '../../reconcile/connector.js';
import type { CommandContext, GlobalArgs, KontractCommand } from '../command.js';
import type { Outcome } from '../exit-codes.js';
import { allowServerOptions, appInterfaceSourceOptions, checkedSourceArgsFrom, requestTimeoutMs, requestTimeoutOption, secretOptions, secretReaderFromArgs, str, strs, transportFrom, transportOption } from '../options.js';

function formatOf(v: unknown): InventoryFormat {
  const f = INVENTORY_FORMATS.find((x) => x === v);
  if (f === undefined) throw new KontractError(ERROR_CODES.USAGE, `--output must be one of ${INVENTORY_FORMATS.join(', ')}`);
  return f;
}

/** `--kinds a,b --kinds c` → sections; `--workloads` drops the other family; `--namespace` must compile. */
export function inventoryFilter(kinds: readonly string[], namespace: string | undefined, workloads: unknown): InventoryFilter {
  const names = kinds.flatMap((k) => k.split(',')).map((k) => k.trim().toLowerCase()).filter((k) => k !== '');
  const unknownKinds = names.filter((k) => !(SECTIONS as readonly string[]).includes(k));
  if (unknownKinds.length > 0) throw new KontractError(ERROR_CODES.USAGE, `--kinds: unknown ${unknownKinds.join(', ')} (known: ${SECTIONS.join(', ')})`);
  const w = WORKLOAD_FILTERS.find((x) => x === (workloads ?? 'all'));
  if (w === undefined) throw new KontractError(ERROR_CODES.USAGE, `--workloads must be one of ${WORKLOAD_FILTERS.join(', ')}`);
  const sections = new Set<Section>(names.length === 0 ? SECTIONS : SECTIONS.filter((s) => names.includes(s)));
  if (sectionsOf({ sections, workloads: w }).size === 0) throw new KontractError(ERROR_CODES.USAGE, `--kinds ${names.join(',')} with --workloads ${w} leaves nothing to list`);
  if (namespace !== undefined) {
    try {
      namespaceRegExp(namespace);
    } catch (e) {
      throw new KontractError(ERROR_CODES.USAGE, `--namespace is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { sections, workloads: w satisfies WorkloadFilter, ...(namespace === undefined ? {} : { namespace }) };
}

/** Failed when a cluster could not be read or a kind failed with an `error`; `forbidden` / `not-served` kinds alone are ok. */
export function inventoryOutcome(report: InventoryReport): Outcome {
  const failed = report.clusters.filter((c) => c.error !== undefined || c.kinds.some((k) => k.state === 'error')).length;
  return failed > 0 ? { kind: 'failed', errors: failed } : { kind: 'ok' };
}

export const inventoryCommand: KontractCommand = {
  command: 'inventory',
  describe: 'Read-only workload inventory per cluster: nodes, namespaces and quota usage, pods and containers (container vs VM launcher), workloads, services, routes, PVCs, VMs, DataVolumes',
  builder(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
    return transportOption(requestTimeoutOption(secretOptions(allowServerOptions(appInterfaceSourceOptions(y)))))
      .option('cluster', { type: 'string', array: true, describe: 'Only these clusters (repeatable)' })
      .option('kinds', { type: 'string', array: true, describe: `Only these sections (comma-separated or repeated): ${SECTIONS.join(', ')}` })
      .option('namespace', { type: 'string', describe: 'Only namespaces whose whole name matches this regular expression' })
      .option('workloads', { choices: WORKLOAD_FILTERS, default: 'all' as const, describe: 'containers: no VM kinds and no launcher pods; vms: no Deployments/StatefulSets/DaemonSets and only launcher pods' })
      .option('output', { choices: INVENTORY_FORMATS, default: 'table' as const, describe: 'Format on stdout' })
      .option('kubeconfig', { type: 'string', describe: 'kubeconfig for clusters whose auth is a context (env KONTRACT_KUBECONFIG)' })
      .option('concurrency', { type: 'number', default: 4, describe: 'Clusters read in parallel' });
  },
  async run(args, ctx: CommandContext): Promise<Outcome> {
    const format = formatOf(args.output ?? 'table');
    const filter = inventoryFilter(strs(args.kinds), str(args.namespace), args.workloads);
    const concurrency = typeof args.concurrency === 'number' && Number.isInteger(args.concurrency) && args.concurrency > 0 ? args.concurrency : 4;
    const data = await loadAppInterface(checkedSourceArgsFrom(args, ctx));
    const wanted = strs(args.cluster);
    const unknown = wanted.filter((w) => !data.clusters.some((c) => c.name === w));
    if (unknown.length > 0) {
      throw new KontractError(ERROR_CODES.USAGE, `unknown cluster(s) ${unknown.join(', ')} (known: ${data.clusters.map((c) => c.name).join(', ')})`);
    }
    const clusters = wanted.length === 0 ? data.clusters : data.clusters.filter((c) => wanted.includes(c.name));
    const kubeconfig = str(args.kubeconfig);
    // Every in-flight request listens on the abort signal: up to 17 parallel LISTs per cluster.
    setMaxListeners(24 * concurrency, ctx.signal);
    const secrets = secretReaderFromArgs(args, ctx, data);
    const connector = createConnector({
      env: ctx.env, cwd: ctx.cwd, reporter: ctx.reporter, client: { signal: ctx.signal, timeoutMs: requestTimeoutMs(args, ctx.env), ...transportFrom(args) }, secrets: () => secrets,
      ...(kubeconfig === undefined ? {} : { kubeconfigPath: kubeconfig }),
    });
    try {
      const report = await collectInventory({ clusters, connect: connector.connect, concurrency, filter, reporter: ctx.reporter });
      ctx.reporter.result(renderInventory(report, format));
      return inventoryOutcome(report);
    } finally {
      connector.closeAll();
    }
  },
};
