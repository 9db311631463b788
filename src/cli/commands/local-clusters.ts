/**
 * `kontract local-clusters up|down|status`: the local control plane (one etcd, N
 * kube-apiservers, one kube-controller-manager each) for tests and demos. See
 * docs/local-control-plane.md.
 */
import * as path from 'node:path';
import type { Argv } from 'yargs';
import { ERROR_CODES, KontractError } from '../../core/errors.js';
import {
  DEFAULT_CLUSTER_NAMES, clusterStatuses, defaultStateDir, ensureLocalClusters, expandCrdPaths, installCrds, readState,
  resolveBinDir, stopLocalClusters,
} from '../../local-cluster/index.js';
import type { ClusterStatus, LocalClustersState } from '../../local-cluster/index.js';
import type { CommandContext, GlobalArgs, KontractCommand } from '../command.js';
import type { Outcome } from '../exit-codes.js';
import { str, strs } from '../options.js';

type Action = 'up' | 'down' | 'status';

/** Cluster names from --names, or the first --count of prod-1, prod-2, dev-1, dev-2, dev-3… */
export function clusterNames(names: string | undefined, count: number | undefined): string[] {
  if (names !== undefined && names.trim() !== '') {
    const list = names.split(',').map((n) => n.trim()).filter((n) => n !== '');
    if (count !== undefined && count !== list.length) {
      throw new KontractError(ERROR_CODES.USAGE, `--count ${count} disagrees with ${list.length} name(s) in --names`);
    }
    return list;
  }
  const n = count ?? DEFAULT_CLUSTER_NAMES.length;
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new KontractError(ERROR_CODES.USAGE, '--count must be an integer between 1 and 20');
  const out = DEFAULT_CLUSTER_NAMES.slice(0, n);
  for (let i = 2; out.length < n; i++) out.push(`dev-${i}`);
  return out;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

function renderStatuses(state: LocalClustersState, statuses: readonly ClusterStatus[]): string {
  const rows: string[][] = [['NAME', 'CONTEXT', 'RESTRICTED CONTEXT', 'SERVER', 'RUNNING', 'VERSION', 'NAMESPACES']];
  for (const s of statuses) {
    const c = state.clusters.find((x) => x.name === s.name);
    rows.push([s.name, s.context, c?.restrictedContext ?? '', s.server, s.running ? 'yes' : 'no', s.version ?? 'error',
      s.namespaces === undefined ? `error: ${s.error ?? ''}` : String(s.namespaces)]);
  }
  return table(rows);
}

export const localClustersCommand: KontractCommand = {
  command: 'local-clusters <action>',
  describe: 'Start, stop or inspect local Kubernetes control planes (etcd + kube-apiserver + controller manager) for tests and demos',
  builder(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
    return y
      .positional('action', { choices: ['up', 'down', 'status'] as const, describe: 'up: start (or reuse) the clusters; down: stop them and remove the state dir; status: show them' })
      .option('count', { type: 'number', describe: 'Number of clusters (names prod-1, prod-2, dev-1, dev-2, …)', defaultDescription: '3' })
      .option('names', { type: 'string', describe: 'Comma-separated cluster names (also the kubeconfig context names)' })
      .option('dir', { type: 'string', describe: 'State directory', defaultDescription: '${XDG_STATE_HOME:-~/.local/state}/kontract/local-clusters' })
      .option('crds', { type: 'string', array: true, describe: 'CRD files or directories to install into every cluster (up only)' })
      .example('$0 local-clusters up', 'start prod-1, prod-2 and dev-1; prints the kubeconfig path')
      .example('$0 local-clusters up --crds deploy/crds/kubevirt deploy/crds/hedgehog', 'also install the demo CRDs (paths in a repository checkout or the installed package)');
  },
  async run(args, ctx: CommandContext): Promise<Outcome> {
    const action = args.action as Action;
    const dirArg = str(args.dir);
    const dir = dirArg === undefined ? defaultStateDir(ctx.env) : path.resolve(ctx.cwd, dirArg);
    switch (action) {
      case 'up':
        return up(args, dir, ctx);
      case 'down': {
        const res = await stopLocalClusters(dir, ctx.reporter);
        ctx.reporter.result(res.removed ? `stopped ${res.stopped} process(es) and removed ${dir}` : `no local clusters in ${dir}`);
        return { kind: 'ok' };
      }
      case 'status': {
        const state = readState(dir);
        if (state === undefined) {
          ctx.reporter.result(`no local clusters in ${dir}`);
          return { kind: 'ok' };
        }
        const statuses = await clusterStatuses(state);
        ctx.reporter.result(`kubeconfig: ${state.kubeconfig}\n${renderStatuses(state, statuses)}`);
        const bad = statuses.filter((s) => !s.running || s.error !== undefined).length;
        return bad === 0 ? { kind: 'ok' } : { kind: 'failed', errors: bad };
      }
    }
  },
};

async function up(args: Readonly<Record<string, unknown>>, dir: string, ctx: CommandContext): Promise<Outcome> {
  const names = clusterNames(str(args.names), typeof args.count === 'number' ? args.count : undefined);
  const crdArgs = strs(args.crds);
  const crdFiles = expandCrdPaths(crdArgs.map((p) => path.resolve(ctx.cwd, p)));
  const binDir = await resolveBinDir({ reporter: ctx.reporter, binDir: ctx.env.K8S_BIN_DIR, env: ctx.env });
  const t0 = Date.now();
  const { state, reused } = await ensureLocalClusters({ dir, names, binDir, reporter: ctx.reporter, signal: ctx.signal });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  for (const c of state.clusters) {
    if (crdFiles.length > 0) await installCrds(state.kubeconfig, c.context, crdFiles, { reporter: ctx.reporter });
  }
  const statuses = await clusterStatuses(state);
  const failing = statuses.filter((s) => s.error !== undefined);
  if (failing.length > 0) {
    throw new KontractError(ERROR_CODES.CLUSTER_ACCESS, `local cluster(s) not answering: ${failing.map((s) => `${s.name}: ${s.error ?? ''}`).join('; ')}`);
  }
  ctx.reporter.result([
    `${state.clusters.length} local cluster(s) ${reused ? 'already running (reused)' : `started in ${seconds}s`}${crdFiles.length > 0 ? `, ${crdFiles.length} CRD file(s) installed` : ''}`,
    `kubeconfig: ${state.kubeconfig}`,
    `  export KUBECONFIG=${state.kubeconfig}`,
    renderStatuses(state, statuses),
  ].join('\n'));
  return { kind: 'ok' };
}
