/**
 * `kontract validate --app-interface DIR | --graphql-url URL`: load, resolve and validate the
 * app-interface and print a summary. Contacts no cluster. Problems are thrown as one
 * ValidationError (main.ts prints each and exits 1).
 */
import type { Argv } from 'yargs';
import { appInterfaceSourceOptions, loadAppInterface, sourceArgsFrom } from '../../app-interface/source-options.js';
import type { AppInterfaceData } from '../../app-interface/model.js';
import type { GlobalArgs, KontractCommand } from '../command.js';

/** `32 files, 3 clusters, 13 namespaces, … : valid (sha 1a2b3c4d5e6f)` */
export function summarise(data: AppInterfaceData): string {
  const counts: [string, number][] = [
    ['clusters', data.clusters.length], ['namespaces', data.namespaces.length], ['quotas', data.quotas.length],
    ['limit ranges', data.limitRanges.length], ['roles', data.roles.length], ['users', data.users.length],
    ['bots', data.bots.length], ['tenants', data.tenants.length],
    ['VM templates', data.vmTemplates?.length ?? 0], ['virtual machines', data.virtualMachines?.length ?? 0],
    ['instancetypes', data.instancetypes?.length ?? 0], ['preferences', data.preferences?.length ?? 0],
  ];
  const files = counts.reduce((n, [, c]) => n + c, 0);
  const parts = counts.filter(([name, c]) => c > 0 || ['clusters', 'namespaces'].includes(name)).map(([name, c]) => `${c} ${name}`);
  return `${files} files, ${parts.join(', ')}: valid (sha ${data.sha.slice(0, 12)})`;
}

export const validateCommand: KontractCommand = {
  command: 'validate',
  describe: 'Validate the app-interface (schemas, $refs, cross-file rules) without contacting any cluster',
  builder: (y: Argv<GlobalArgs>) => appInterfaceSourceOptions(y)
    .example('$0 validate --app-interface app-interface-sample', 'check the sample data'),
  async run(args, ctx) {
    const data = await loadAppInterface(sourceArgsFrom(args, ctx));
    ctx.reporter.result(summarise(data));
    return { kind: 'ok' };
  },
};
