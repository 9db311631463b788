/**
 * `kontract validate --app-interface DIR | --graphql-url URL`: load, resolve and validate the
 * app-interface, run every integration's pure desired-state build on it and check each desired
 * object against the apiserver's constraints (the same code path as `run`: checkDesired), and print
 * a summary. Contacts no cluster (a fabric's git source is fetched). Problems of the loader and of
 * the builds are thrown together as one ValidationError (main.ts prints each and exits 1).
 */
import type { Argv } from 'yargs';
import { allowedPathsOf, inspectAppInterface } from '../../app-interface/source-options.js';
import { ALL_KINDS } from '../../app-interface/families.js';
import type { AppInterfaceData } from '../../app-interface/model.js';
import { ValidationError, formatProblem } from '../../core/errors.js';
import type { ValidationProblem } from '../../core/errors.js';
import { INTEGRATIONS } from '../../integrations/index.js';
import { checkDesired, dataProblems } from '../../reconcile/desired.js';
import type { GlobalArgs, KontractCommand } from '../command.js';
import { allowServerOptions, appInterfaceSourceOptions, checkedSourceArgsFrom } from '../source-flags.js';

/** `41 files, 3 clusters, 13 namespaces, 2 quotas, …: valid (sha 1a2b3c4d5e6f)` (one datafile per entry). */
export function summarise(data: AppInterfaceData): string {
  const counts = [...new Set(ALL_KINDS.map((k) => k.modelKey))].map((key): [string, number] => [key, data[key]?.length ?? 0]);
  const files = counts.reduce((n, [, c]) => n + c, 0);
  const parts = counts.filter(([key, c]) => c > 0 || key === 'clusters' || key === 'namespaces').map(([key, c]) => `${c} ${key}`);
  return `${files} files, ${parts.join(', ')}: valid (sha ${data.sha.slice(0, 12)})`;
}

export const validateCommand: KontractCommand = {
  command: 'validate',
  describe: 'Validate the app-interface (schemas, $refs, cross-file rules, every integration\'s desired objects) without contacting any cluster',
  builder: (y: Argv<GlobalArgs>) => allowServerOptions(appInterfaceSourceOptions(y))
    .example('$0 validate --app-interface app-interface-sample', 'check the sample data'),
  async run(args, ctx) {
    const source = checkedSourceArgsFrom(args, ctx);
    // Invalid datafiles do not stop here: the integrations still run on the valid ones, so one pass reports all.
    const { data, problems: loaded, withLines } = await inspectAppInterface(source);
    const problems: ValidationProblem[] = [...loaded];
    const checked = await checkDesired(INTEGRATIONS, data, { env: ctx.env, cwd: ctx.cwd, now: new Date(), reporter: ctx.reporter, allowedPaths: allowedPathsOf(source) });
    for (const c of checked) for (const w of c.state.warnings ?? []) ctx.reporter.log('warn', `${c.integration.name}: ${formatProblem(w)}`, { integration: c.integration.name });
    problems.push(...withLines(dataProblems(checked)));
    const seen = new Set<string>();
    const unique = problems.filter((p) => { const k = formatProblem(p); if (seen.has(k)) return false; seen.add(k); return true; });
    if (unique.length > 0) throw new ValidationError(unique);
    ctx.reporter.result(summarise(data));
    return { kind: 'ok' };
  },
};
