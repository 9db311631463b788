/**
 * `kontract validate --app-interface DIR | --graphql-url URL`: load, resolve and validate the
 * app-interface and print a summary. Contacts no cluster. Problems are thrown as one
 * ValidationError (main.ts prints each and exits 1).
 */
import type { Argv } from 'yargs';
import { loadAppInterface } from '../../app-interface/source-options.js';
import { ALL_KINDS } from '../../app-interface/families.js';
import type { AppInterfaceData } from '../../app-interface/model.js';
import type { GlobalArgs, KontractCommand } from '../command.js';
import { appInterfaceSourceOptions, sourceArgsFrom } from '../options.js';

/** `41 files, 3 clusters, 13 namespaces, 2 quotas, …: valid (sha 1a2b3c4d5e6f)` (one datafile per entry). */
export function summarise(data: AppInterfaceData): string {
  const counts = ALL_KINDS.map((k): [string, number] => [k.modelKey, data[k.modelKey]?.length ?? 0]);
  const files = counts.reduce((n, [, c]) => n + c, 0);
  const parts = counts.filter(([key, c]) => c > 0 || key === 'clusters' || key === 'namespaces').map(([key, c]) => `${c} ${key}`);
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
