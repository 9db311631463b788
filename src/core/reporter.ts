/**
 * The only way the core talks to the user. Results (plans, inventories, tables) go to stdout
 * through `result`; logs go to stderr through `log`. The CLI shell provides the terminal
 * implementation; tests use a recording reporter (test/support/recording-reporter.ts).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LogFields {
  readonly [key: string]: string | number | boolean | undefined;
}

export interface Reporter {
  /** A log line (stderr). Never pass a token or Secret data. */
  log(level: LogLevel, message: string, fields?: LogFields): void;
  /** A result document (stdout): already rendered text. */
  result(text: string): void;
  /** Progress of a long step; shown only on a TTY. */
  progress?(message: string): void;
}

/** A reporter that drops everything (library use). */
export const silentReporter: Reporter = {
  log: () => undefined,
  result: () => undefined,
};
