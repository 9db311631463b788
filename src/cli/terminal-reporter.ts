/**
 * Reporter for the terminal: results to stdout, logs to stderr (plain text, or JSON lines with
 * --log-format json), progress only on a TTY. Respects NO_COLOR.
 */
import type { LogFields, LogLevel, Reporter } from '../core/reporter.js';
import { LOG_LEVELS } from '../core/reporter.js';

export interface TerminalReporterOptions {
  readonly level: LogLevel;
  readonly format: 'text' | 'json';
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createTerminalReporter(opts: TerminalReporterOptions): Reporter {
  const min = LOG_LEVELS.indexOf(opts.level);
  const tty = opts.stderr.isTTY === true;
  // A progress line is redrawn in place; clear it before anything else is written to stderr.
  let progressShown = false;
  const clearProgress = (): void => {
    if (progressShown) opts.stderr.write('\r\x1b[2K');
    progressShown = false;
  };
  return {
    log(level: LogLevel, message: string, fields?: LogFields) {
      if (LOG_LEVELS.indexOf(level) < min) return;
      clearProgress();
      if (opts.format === 'json') {
        opts.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
        return;
      }
      const extra = fields === undefined ? '' : Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => ` ${k}=${String(v)}`)
        .join('');
      opts.stderr.write(`${level.toUpperCase().padEnd(5)} ${message}${extra}\n`);
    },
    result(text: string) {
      clearProgress();
      opts.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    progress(message: string) {
      if (!tty) return;
      opts.stderr.write(`\r\x1b[2K${message}`);
      progressShown = true;
    },
  };
}
