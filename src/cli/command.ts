/**
 * The shape of one CLI command. Commands parse nothing themselves beyond their yargs builder,
 * return an Outcome or throw a KontractError; main.ts turns that into the exit code.
 */
import type { Argv } from 'yargs';
import type { Reporter } from '../core/reporter.js';
import type { Outcome } from './exit-codes.js';

export interface CommandContext {
  readonly reporter: Reporter;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM (loop mode, serve, long runs). */
  readonly signal: AbortSignal;
  /** The raw command line (after the executable), for checks yargs cannot express. */
  readonly argv?: readonly string[];
}

export interface GlobalArgs {
  readonly 'log-level': 'debug' | 'info' | 'warn' | 'error';
  readonly 'log-format': 'text' | 'json';
  readonly 'detailed-exitcode': boolean;
}

/**
 * What the parser knows of a command before its module is loaded (src/cli/commands/index.ts):
 * its yargs command string and description (all that the top-level `--help` and completion of
 * command names need), and how to load the rest. main.ts loads only the modules of the commands a
 * command line names, so `--help`, `--version` and light commands never import the heavy ones.
 */
export interface CommandEntry {
  readonly command: string | readonly string[];
  readonly describe: string;
  /** Imports the command's module; its `command` and `describe` equal the entry's (a unit test checks). */
  load(): Promise<KontractCommand>;
}

export interface KontractCommand {
  readonly command: string | readonly string[];
  readonly describe: string;
  builder(y: Argv<GlobalArgs>): Argv<GlobalArgs>;
  run(args: Readonly<Record<string, unknown>> & GlobalArgs, ctx: CommandContext): Promise<Outcome>;
  /**
   * The argument checks `run` starts with, without side effects (throws E_USAGE). The docs test
   * runs it on every command line the documentation shows.
   */
  check?(args: Readonly<Record<string, unknown>> & GlobalArgs, argv: readonly string[]): void;
}
