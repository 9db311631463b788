/**
 * The CLI shell: parses arguments, builds the reporter, runs one command, and is the only place
 * that sets process.exitCode.
 */
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { errorMessage, isKontractError, isValidationError, formatProblem } from '../core/errors.js';
import type { CommandContext, CommandEntry, GlobalArgs, KontractCommand } from './command.js';
import { COMMANDS, commandWords } from './commands/index.js';
import { EXIT, exitCodeFor, exitCodeForError } from './exit-codes.js';
import type { ExitCode } from './exit-codes.js';
import { createTerminalReporter } from './terminal-reporter.js';
import { importYargs } from './yargs.js';

/** Runs one parsed command (main: for real; the docs test: its argument checks only). */
export type CommandHandler = (cmd: KontractCommand, args: Readonly<Record<string, unknown>> & GlobalArgs) => Promise<void>;

/**
 * The modules of the commands `argv` names (any word equal to a command's name or alias): the
 * only command modules a run imports. Naming one by accident (an option value) loads it for
 * nothing, never wrongly.
 */
async function loadNamed(argv: readonly string[], entries: readonly CommandEntry[]): Promise<Map<CommandEntry, KontractCommand>> {
  const words = new Set(argv);
  const named = entries.filter((e) => commandWords(e).some((w) => words.has(w)));
  const loaded = await Promise.all(named.map(async (e) => [e, await e.load()] as const));
  return new Map(loaded);
}

/**
 * The yargs parser with every command; `handle` is called with the matched command and its parsed
 * arguments. Parse failures throw (UsageFailure or yargs' own error). Every command is registered
 * with its name and description; the builder (options, positionals, examples) and the handler come
 * from the command's module, loaded here only for the commands `argv` names (src/cli/commands/index.ts),
 * so parse the same `argv` this parser was created for.
 */
export async function createParser(argv: readonly string[], handle: CommandHandler): Promise<Argv<GlobalArgs>> {
  const [loaded, yargs] = await Promise.all([loadNamed(argv, COMMANDS), importYargs()]);
  let y = yargs([...argv])
    .scriptName('kontract')
    .usage('$0 <command> [options]\n\nDeclarative reconcile of Kubernetes/OpenShift clusters from an app-interface.')
    .option('log-level', { choices: ['debug', 'info', 'warn', 'error'] as const, default: 'info' as const, describe: 'Minimum log level (stderr)' })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Log line format (stderr)' })
    .option('detailed-exitcode', { type: 'boolean', default: false, describe: 'Exit 2 when the run found (dry-run) or made changes' })
    .completion('completion', 'Print a bash/zsh completion script (e.g. kontract completion >> ~/.bashrc)')
    .strict()
    .demandCommand(1)
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, err) => {
      throw err ?? new UsageFailure(msg);
    }) as unknown as Argv<GlobalArgs>;
  skipHelpCaching(y);
  for (const entry of COMMANDS) {
    const cmd = loaded.get(entry);
    // yargs runs only the matched command's builder, and a matched command was named, so loaded.
    y = y.command(entry.command as string | string[], entry.describe, (b: Argv<GlobalArgs>) => (cmd === undefined ? b : cmd.builder(b)), async (args: unknown) => {
      await handle(cmd ?? await entry.load(), args as Readonly<Record<string, unknown>> & GlobalArgs);
    });
  }
  return y;
}

/** The part of yargs' internal API (yargs 18, `getInternalMethods`) that skipHelpCaching touches. */
interface YargsUsageInternals { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }

/**
 * yargs renders the whole help text of the matched command right after starting its handler
 * (`cacheHelpMessage`), so that a handler could call `showHelp()` later. kontract's handlers never
 * do, and for `reconcile` (some 40 options) that rendering cost 30–45 ms of CPU in the middle of
 * every run (string widths, word wrapping; docs/benchmarks.md, "Current figures: session 7"). `--help` and usage
 * errors do not use the cache and print as before (test/unit/cli/help-caching.test.ts).
 */
function skipHelpCaching(y: unknown): void {
  const usage = (y as YargsUsageInternals).getInternalMethods?.().getUsageInstance?.();
  if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/**
 * The version in the package.json beside the compiled code (what yargs' `--version` prints), or
 * undefined where there is none (the single-file build: yargs answers there).
 */
function packageVersion(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
    return pkg.name === 'kontract' && typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

export async function main(argv: readonly string[]): Promise<ExitCode> {
  // `kontract --version` alone answers without loading yargs (docs/benchmarks.md, "End to end")
  const version = argv.length === 1 && argv[0] === '--version' ? packageVersion() : undefined;
  if (version !== undefined) {
    process.stdout.write(`${version}\n`);
    return EXIT.OK;
  }
  const controller = new AbortController();
  // The signal name is the abort reason: a run stops sending writes and exits 130/143. A second
  // signal of the same kind finds no handler and ends the process at once.
  const onSignal = (signal: NodeJS.Signals): void => { controller.abort(signal); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let exit: ExitCode = EXIT.OK;
  const y = await createParser(argv, async (cmd, g) => {
    const reporter = createTerminalReporter({ level: g['log-level'], format: g['log-format'], stdout: process.stdout, stderr: process.stderr });
    const ctx: CommandContext = { reporter, env: process.env, cwd: process.cwd(), signal: controller.signal, argv };
    try {
      const outcome = await cmd.run(g, ctx);
      exit = exitCodeFor(outcome, g['detailed-exitcode']);
    } catch (e) {
      exit = exitCodeForError(e);
      if (isValidationError(e)) {
        for (const p of e.problems) reporter.log('error', formatProblem(p));
        reporter.log('error', `${e.problems.length} problem(s) found; nothing was sent to any cluster`, { code: e.code });
      } else if (isKontractError(e)) {
        reporter.log('error', e.message, { code: e.code, cluster: e.cluster });
      } else {
        reporter.log('error', `internal error: ${errorMessage(e)}`, { code: 'E_INTERNAL' });
        if (e instanceof Error && e.stack !== undefined) reporter.log('debug', e.stack);
      }
    }
  });
  try {
    await y.parseAsync();
  } catch (e) {
    process.stderr.write(`${errorMessage(e)}\nRun 'kontract --help' for usage.\n`);
    exit = EXIT.USAGE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return exit;
}

class UsageFailure extends Error {}

export async function runCli(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2));
}
