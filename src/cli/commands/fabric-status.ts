/**
 * `kontract fabric-status`: a client dry-run of the hedgehog-fabric integration, summarised per
 * fabric (reachable, in sync or drifted, counts per kind, per-object diffs, last sync), as text or
 * JSON, optionally with the drift gauge written to a metrics file. Never writes to a cluster.
 * The command of the hedgehog-fabric integration (src/integrations/hedgehog-fabric/README.md,
 * "Drift and status"); it is here because integrations do not import the CLI or the engine.
 */
import { loadAppInterface } from '../../app-interface/source-options.js';
import { ERROR_CODES, KontractError, errorMessage } from '../../core/errors.js';
import { HEDGEHOG_FABRIC_INTEGRATION } from '../../integrations/hedgehog-fabric/desired.js';
import { hedgehogFabricIntegration, isFabricDesiredState } from '../../integrations/hedgehog-fabric/integration.js';
import { FABRIC_MANAGED_KINDS } from '../../integrations/hedgehog-fabric/kinds.js';
import { recordFabricDrift } from '../../integrations/hedgehog-fabric/metrics.js';
import type { FabricStatus } from '../../integrations/hedgehog-fabric/status.js';
import { fabricStatus } from '../../integrations/hedgehog-fabric/status.js';
import { writeMetricsFile } from '../../metrics/export.js';
import { RunMetrics } from '../../metrics/run-metrics.js';
import { createConnector } from '../../reconcile/connector.js';
import { lastApplyTime } from '../../reconcile/last-apply.js';
import { runReconcile } from '../../reconcile/run-reconcile.js';
import type { KontractCommand } from '../command.js';
import type { Outcome } from '../exit-codes.js';
import { appInterfaceSourceOptions, sourceArgsFrom, str, strs } from '../options.js';

function renderText(statuses: readonly FabricStatus[]): string {
  const lines: string[] = [];
  for (const s of statuses) {
    lines.push(`fabric ${s.fabric} (cluster ${s.cluster}, ${s.source}${s.revision === undefined ? '' : ` @ ${s.revision.slice(0, 12)}`}): ${s.state}, ${s.driftCount} drifted, last sync ${s.lastSync ?? 'unknown'}`);
    for (const [kind, k] of Object.entries(s.kinds)) if (k.desired > 0 || k.drifted > 0) lines.push(`  ${kind.padEnd(20)} desired ${String(k.desired).padStart(4)}  drifted ${String(k.drifted).padStart(4)}`);
    for (const d of s.drift) {
      lines.push(`  ${d.blocked ? '!' : '~'} ${d.action} ${d.kind} ${d.name}: ${d.reason}`);
      for (const c of d.changes) lines.push(`      ${c.op} ${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`);
    }
    for (const e of s.errors) lines.push(`  error: ${e}`);
  }
  return lines.join('\n');
}

export const fabricStatusCommand: KontractCommand = {
  command: 'fabric-status',
  describe: 'Per Hedgehog fabric: cluster reachable, in sync or drifted (per kind and object), last sync (read-only)',
  builder: (y) => appInterfaceSourceOptions(y)
    .option('fabric', { type: 'string', array: true, describe: 'Only these fabrics (repeatable)' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig for clusters whose auth is a context' })
    .option('output', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Status format on stdout' })
    .option('metrics-file', { type: 'string', describe: 'Write kontract_fabric_drift_objects (textfile format)' }),
  async run(args, ctx): Promise<Outcome> {
    const data = await loadAppInterface(sourceArgsFrom(args, ctx));
    const wanted = strs(args.fabric);
    const all = data.fabrics ?? [];
    const unknown = wanted.filter((w) => !all.some((f) => f.name === w));
    if (unknown.length > 0) throw new KontractError(ERROR_CODES.USAGE, `unknown fabric(s) ${unknown.join(', ')} (known: ${all.map((f) => f.name).join(', ')})`);
    const fabrics = wanted.length === 0 ? all : all.filter((f) => wanted.includes(f.name));
    const kubeconfig = str(args.kubeconfig);
    const connector = createConnector({ env: ctx.env, cwd: ctx.cwd, reporter: ctx.reporter, client: { signal: ctx.signal }, ...(kubeconfig === undefined ? {} : { kubeconfigPath: kubeconfig }) });
    let statuses: FabricStatus[];
    try {
      // The registered integration on the selected fabrics; the engine logs its warnings.
      const result = await runReconcile({
        integrations: [hedgehogFabricIntegration], data: { ...data, fabrics }, connect: connector.connect, dryRun: 'client',
        reporter: ctx.reporter, env: ctx.env, cwd: ctx.cwd,
      });
      const desired = result.states?.get(HEDGEHOG_FABRIC_INTEGRATION);
      const lastSync = new Map<string, string>();
      for (const f of fabrics) {
        const client = connector.clients.get(f.cluster);
        if (client === undefined || !result.clusters.some((c) => c.cluster === f.cluster && c.reachable)) continue;
        try {
          const t = await lastApplyTime(client, HEDGEHOG_FABRIC_INTEGRATION, FABRIC_MANAGED_KINDS, 'default');
          if (t !== undefined) lastSync.set(f.name, t);
        } catch (e) {
          ctx.reporter.log('warn', `cannot read the last sync of fabric ${f.name}: ${errorMessage(e)}`, { cluster: f.cluster });
        }
      }
      statuses = fabricStatus({ plan: result.plan, fabrics: desired !== undefined && isFabricDesiredState(desired) ? desired.fabrics : [], lastSync });
    } finally {
      connector.closeAll();
    }
    ctx.reporter.result(args.output === 'json' ? JSON.stringify({ fabrics: statuses }, null, 2) : renderText(statuses));
    const metricsFile = str(args['metrics-file']);
    if (metricsFile !== undefined) {
      const metrics = new RunMetrics();
      recordFabricDrift(metrics.registry, statuses);
      await writeMetricsFile(metrics, metricsFile);
    }
    const failed = statuses.filter((s) => s.state === 'error' || s.state === 'unreachable').length;
    if (failed > 0) return { kind: 'failed', errors: failed };
    const drift = statuses.reduce((n, s) => n + s.driftCount, 0);
    return drift > 0 ? { kind: 'changes', count: drift } : { kind: 'ok' };
  },
};
