/**
 * `kontract fabric-status`: a client dry-run of the hedgehog-fabric integration, summarised per
 * fabric (reachable, in sync or drifted, counts per kind, per-object diffs, last sync), as text or
 * JSON, optionally with the drift gauge written to a metrics file. Never writes to a cluster.
 * The command of the hedgehog-fabric integration (src/integrations/hedgehog-fabric/README.md,
 * "Drift and status"); it is here because integrations do not import the CLI or the engine.
 */
import { allowedPathsOf, loadAppInterface } from '../../app-interface/source-options.js';
import { ERROR_CODES, KontractError, errorMessage } from '../../core/errors.js';
import { HEDGEHOG_FABRIC_INTEGRATION } from '../../integrations/hedgehog-fabric/desired.js';
import { hedgehogFabricIntegration, isFabricDesiredState } from '../../integrations/hedgehog-fabric/integration.js';
import { FABRIC_MANAGED_KINDS, fabricKindOf } from '../../integrations/hedgehog-fabric/kinds.js';
import { recordFabricDrift } from '../../integrations/hedgehog-fabric/metrics.js';
import type { FabricStatus, LiveFabricObject } from '../../integrations/hedgehog-fabric/status.js';
import { DEFAULT_CRITICAL_DRIFT_SHARE, fabricStatus, lastSyncOf } from '../../integrations/hedgehog-fabric/status.js';
import { writeMetricsFile } from '../../metrics/export.js';
import { RunMetrics } from '../../metrics/run-metrics.js';
import { createConnector } from '../../reconcile/connector.js';
import { readLiveObjects } from '../../reconcile/live-objects.js';
import { runReconcile } from '../../reconcile/run-reconcile.js';
import type { KontractCommand } from '../command.js';
import type { Outcome } from '../exit-codes.js';
import { allowServerOptions, appInterfaceSourceOptions, checkedSourceArgsFrom, num, requestTimeoutMs, requestTimeoutOption, secretOptions, secretReaderFromArgs, str, strs, transportFrom, transportOption } from '../options.js';

function renderText(statuses: readonly FabricStatus[]): string {
  const lines: string[] = [];
  for (const s of statuses) {
    lines.push(`fabric ${s.fabric} (cluster ${s.cluster}, ${s.source}${s.revision === undefined ? '' : ` @ ${s.revision.slice(0, 12)}`}): ${s.state}, ${s.driftCount === null ? 'drift not read' : `${s.driftCount} drifted`}, last sync ${s.lastSync ?? 'unknown'}`);
    for (const [kind, k] of Object.entries(s.kinds)) if (k.desired > 0 || k.drifted > 0) lines.push(`  ${kind.padEnd(20)} desired ${String(k.desired).padStart(4)}  drifted ${s.read ? String(k.drifted).padStart(4) : 'not read'}`);
    for (const d of s.drift) {
      lines.push(`  ${d.blocked ? '!' : '~'} ${d.action} ${d.kind} ${d.name}: ${d.reason}`);
      for (const c of d.changes) lines.push(`      ${c.op} ${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`);
    }
    for (const e of s.errors) lines.push(`  error: ${e}`);
    if (s.counts !== null) lines.push(`  level ${s.level}: ${s.counts.live} live, ${s.counts.drifted} drifted, ${s.counts.missing} missing, ${s.counts.error} error${s.fetchedAt === undefined ? '' : `; fetched ${s.fetchedAt}`}`);
    else lines.push(`  level ${s.level}`);
    if (s.unmanaged !== null && s.unmanaged.count > 0) lines.push(`  unmanaged ${s.unmanaged.count}: ${s.unmanaged.objects.map((o) => `${o.kind} ${o.name}`).join(', ')}`);
  }
  return lines.join('\n');
}

export const fabricStatusCommand: KontractCommand = {
  command: 'fabric-status',
  describe: 'Per Hedgehog fabric: cluster reachable, in sync or drifted (per kind and object), last sync (read-only)',
  builder: (y) => transportOption(requestTimeoutOption(secretOptions(allowServerOptions(appInterfaceSourceOptions(y)))))
    .option('fabric', { type: 'string', array: true, describe: 'Only these fabrics (repeatable)' })
    .option('kubeconfig', { type: 'string', describe: 'kubeconfig for clusters whose auth is a context' })
    .option('output', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Status format on stdout' })
    .option('metrics-file', { type: 'string', describe: 'Write kontract_fabric_drift_objects, kontract_fabric_objects and kontract_fabric_critical (textfile format)' })
    .option('critical-drift-share', { type: 'number', default: DEFAULT_CRITICAL_DRIFT_SHARE, describe: 'Level critical when drifted + missing objects exceed this share (0-1) of the desired ones' }),
  async run(args, ctx): Promise<Outcome> {
    const share = num(args['critical-drift-share'], 'critical-drift-share') ?? DEFAULT_CRITICAL_DRIFT_SHARE;
    if (share < 0 || share > 1) throw new KontractError(ERROR_CODES.USAGE, '--critical-drift-share must be a number from 0 to 1');
    const source = checkedSourceArgsFrom(args, ctx);
    const data = await loadAppInterface(source);
    const wanted = strs(args.fabric);
    const all = data.fabrics ?? [];
    const unknown = wanted.filter((w) => !all.some((f) => f.name === w));
    if (unknown.length > 0) throw new KontractError(ERROR_CODES.USAGE, `unknown fabric(s) ${unknown.join(', ')} (known: ${all.map((f) => f.name).join(', ')})`);
    const fabrics = wanted.length === 0 ? all : all.filter((f) => wanted.includes(f.name));
    const kubeconfig = str(args.kubeconfig);
    const secrets = secretReaderFromArgs(args, ctx, data);
    const connector = createConnector({ env: ctx.env, cwd: ctx.cwd, reporter: ctx.reporter, client: { signal: ctx.signal, timeoutMs: requestTimeoutMs(args, ctx.env), ...transportFrom(args) }, secrets: () => secrets, ...(kubeconfig === undefined ? {} : { kubeconfigPath: kubeconfig }) });
    let statuses: FabricStatus[];
    try {
      // The registered integration on the selected fabrics; the engine logs its warnings.
      const result = await runReconcile({
        integrations: [hedgehogFabricIntegration], data: { ...data, fabrics }, connect: connector.connect, dryRun: 'client',
        reporter: ctx.reporter, env: ctx.env, cwd: ctx.cwd, allowedPaths: allowedPathsOf(source),
      });
      const desired = result.states?.get(HEDGEHOG_FABRIC_INTEGRATION);
      const lastSync = new Map<string, string>();
      const live = new Map<string, readonly LiveFabricObject[]>();
      for (const f of fabrics) {
        const client = connector.clients.get(f.cluster);
        if (client === undefined || !result.clusters.some((c) => c.cluster === f.cluster && c.reachable)) continue;
        try {
          const objects = (await readLiveObjects(client, FABRIC_MANAGED_KINDS, 'default')).flatMap((o): LiveFabricObject[] => {
            const kind = fabricKindOf(`${o.kind.group}/${o.kind.version}`, o.kind.kind);
            return kind === undefined ? [] : [{ ...o, kind, managed: o.owner === HEDGEHOG_FABRIC_INTEGRATION }];
          });
          live.set(f.name, objects);
          const t = lastSyncOf(objects);
          if (t !== undefined) lastSync.set(f.name, t);
        } catch (e) {
          ctx.reporter.log('warn', `cannot read the live objects of fabric ${f.name}: ${errorMessage(e)}`, { cluster: f.cluster });
        }
      }
      statuses = fabricStatus({ plan: result.plan, fabrics: desired !== undefined && isFabricDesiredState(desired) ? desired.fabrics : [], lastSync, live, criticalDriftShare: share });
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
    const drift = statuses.reduce((n, s) => n + (s.driftCount ?? 0), 0);
    return drift > 0 ? { kind: 'changes', count: drift } : { kind: 'ok' };
  },
};
