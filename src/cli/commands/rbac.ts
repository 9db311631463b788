/**
 * `kontract rbac <integration..> | --all`: prints the least-privilege RBAC (YAML) a service account
 * needs to run these integrations — verbs per kind derived from the integrations' declared kinds
 * (src/reconcile/rbac.ts). With an app-interface, `bind` is narrowed to the roles the desired
 * RoleBindings reference. Contacts no cluster.
 */
import { dump } from 'js-yaml';
import type { Argv } from 'yargs';
import { loadAppInterface } from '../../app-interface/source-options.js';
import { ERROR_CODES, KontractError } from '../../core/errors.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { Integration } from '../../integrations/define-integration.js';
import { dataDrivenKindsNote, rbacManifests } from '../../reconcile/rbac.js';
import { withExternalSources } from '../../reconcile/external-sources.js';
import { DEFAULT_LOCK_NAMESPACE } from '../../reconcile/run-lock.js';
import type { CommandContext, GlobalArgs, KontractCommand } from '../command.js';
import { appInterfaceSourceOptions, sourceArgsFrom, strs } from '../options.js';
import { selectIntegrations } from './run.js';

function serviceAccountOf(v: unknown): { namespace: string; name: string } {
  const s = typeof v === 'string' ? v : '';
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(s);
  if (m === null) throw new KontractError(ERROR_CODES.USAGE, `--service-account must be NAMESPACE/NAME (got ${s})`);
  return { namespace: m[1] ?? '', name: m[3] ?? '' };
}

async function desiredObjects(integrations: readonly Integration[], args: Readonly<Record<string, unknown>>, ctx: CommandContext): Promise<KubeObject[] | undefined> {
  if (args['app-interface'] === undefined && args['graphql-url'] === undefined) return undefined;
  const data = await loadAppInterface(sourceArgsFrom(args, ctx));
  const out: KubeObject[] = [];
  for (const i of integrations) {
    const state = await i.buildDesired(withExternalSources({ data, env: ctx.env, cwd: ctx.cwd, now: new Date(), reporter: ctx.reporter }));
    out.push(...state.objects.map((o) => o.object));
  }
  return out;
}

function check(args: Readonly<Record<string, unknown>>): readonly Integration[] {
  const integrations = selectIntegrations(strs(args.integrations), args.all === true);
  serviceAccountOf(args['service-account']);
  return integrations;
}

export const rbacCommand: KontractCommand = {
  command: 'rbac [integrations..]',
  describe: 'Print the least-privilege ClusterRole/Role (YAML) for running these integrations',
  builder: (y: Argv<GlobalArgs>) => appInterfaceSourceOptions(y)
    .positional('integrations', { type: 'string', array: true, describe: 'Integration names' })
    .option('all', { type: 'boolean', default: false, describe: 'Every registered integration' })
    .option('name', { type: 'string', default: 'kontract', describe: 'Name of the roles and bindings' })
    .option('service-account', { type: 'string', default: 'kontract/kontract', describe: 'The ServiceAccount to bind: NAMESPACE/NAME' })
    .option('namespace', { type: 'string', array: true, describe: 'Grant namespaced kinds only in these namespaces (Role per namespace), for runs scoped with --namespace' })
    .option('read-only', { type: 'boolean', default: false, describe: 'Only what a client-side dry-run needs (get, list); no Lease' })
    .option('lock-namespace', { type: 'string', default: DEFAULT_LOCK_NAMESPACE, describe: 'Namespace of the Leases wet runs take (a Role there)' })
    .example('$0 rbac --all --service-account kontract/kontract', 'ClusterRole + ClusterRoleBinding for every integration')
    .example('$0 rbac namespaces resourcequotas --read-only', 'what a merge-request dry-run needs'),
  check: (args) => { check(args); },
  async run(args, ctx) {
    const integrations = check(args);
    const desired = await desiredObjects(integrations, args, ctx);
    const namespaces = strs(args.namespace);
    const manifests = rbacManifests(integrations, {
      name: typeof args.name === 'string' ? args.name : 'kontract',
      serviceAccount: serviceAccountOf(args['service-account']),
      readOnly: args['read-only'] === true,
      lockNamespace: typeof args['lock-namespace'] === 'string' ? args['lock-namespace'] : DEFAULT_LOCK_NAMESPACE,
      ...(namespaces.length === 0 ? {} : { namespaces }),
      ...(desired === undefined ? {} : { desired }),
    });
    const note = dataDrivenKindsNote(integrations);
    if (note !== undefined) ctx.reporter.log('warn', note);
    ctx.reporter.result(manifests.map((m) => dump(m, { noRefs: true, lineWidth: -1 }).trimEnd()).join('\n---\n'));
    return { kind: 'ok' };
  },
};
