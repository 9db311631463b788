/**
 * `kontract inventory [--cluster …] [--output table|json|csv]`: a read-only workload inventory of
 * the app-interface clusters — nodes, namespaces with quota usage, deployments, services, pods
 * (containers vs KubeVirt virt-launcher pods), VMs and VM instances. Writes nothing to any cluster.
 * Exit 1 when any cluster could not be read (the others are still printed).
 */
import { setMaxListeners } from 'node:events';
import type { Argv } from 'yargs';
import { loadAppInterface } from '../../app-interface/source-options.js';
import { ERROR_CODES, KontractError } from '../../core/errors.js';
import { collectInventory } from '../../workload-inventory/collect.js';
import { INVENTORY_FORMATS, renderInventory } from '../../workload-inventory/render.js';
import type { InventoryFormat } from '../../workload-inventory/render.js';
import { createConnector } from '../../reconcile/connector.js';
import type { CommandContext, GlobalArgs, KontractCommand } from '../command.js';
import type { Outcome } from '../exit-codes.js';
import { appInterfaceSourceOptions, sourceArgsFrom, str, strs } from '../options.js';

function formatOf(v: unknown): InventoryFormat {
  const f = INVENTORY_FORMATS.find((x) => x === v);
  if (f === undefined) throw new KontractError(ERROR_CODES.USAGE, `--output must be one of ${INVENTORY_FORMATS.join(', ')}`);
  return f;
}

export const inventoryCommand: KontractCommand = {
  command: 'inventory',
  describe: 'Read-only workload inventory per cluster: nodes, quota usage, deployments, services, pods (container vs VM launcher), VMs',
  builder(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
    return appInterfaceSourceOptions(y)
      .option('cluster', { type: 'string', array: true, describe: 'Only these clusters (repeatable)' })
      .option('output', { choices: INVENTORY_FORMATS, default: 'table' as const, describe: 'Format on stdout' })
      .option('kubeconfig', { type: 'string', describe: 'kubeconfig for clusters whose auth is a context (env KONTRACT_KUBECONFIG)' })
      .option('concurrency', { type: 'number', default: 4, describe: 'Clusters read in parallel' });
  },
  async run(args, ctx: CommandContext): Promise<Outcome> {
    const format = formatOf(args.output ?? 'table');
    const concurrency = typeof args.concurrency === 'number' && Number.isInteger(args.concurrency) && args.concurrency > 0 ? args.concurrency : 4;
    const data = await loadAppInterface(sourceArgsFrom(args, ctx));
    const wanted = strs(args.cluster);
    const unknown = wanted.filter((w) => !data.clusters.some((c) => c.name === w));
    if (unknown.length > 0) {
      throw new KontractError(ERROR_CODES.USAGE, `unknown cluster(s) ${unknown.join(', ')} (known: ${data.clusters.map((c) => c.name).join(', ')})`);
    }
    const clusters = wanted.length === 0 ? data.clusters : data.clusters.filter((c) => wanted.includes(c.name));
    const kubeconfig = str(args.kubeconfig);
    // Every in-flight request listens on the abort signal: ~10 parallel LISTs per cluster.
    setMaxListeners(16 * concurrency, ctx.signal);
    const connector = createConnector({
      env: ctx.env, cwd: ctx.cwd, reporter: ctx.reporter, client: { signal: ctx.signal },
      ...(kubeconfig === undefined ? {} : { kubeconfigPath: kubeconfig }),
    });
    try {
      const report = await collectInventory({ clusters, connect: connector.connect, concurrency, reporter: ctx.reporter });
      ctx.reporter.result(renderInventory(report, format));
      const failed = report.clusters.filter((c) => c.error !== undefined).length;
      return failed > 0 ? { kind: 'failed', errors: failed } : { kind: 'ok' };
    } finally {
      connector.closeAll();
    }
  },
};
