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
