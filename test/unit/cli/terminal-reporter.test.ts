import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTerminalReporter } from '../../../src/cli/terminal-reporter.js';

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream: PassThrough & { isTTY?: boolean } = new PassThrough();
  stream.isTTY = isTTY;
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

describe(createTerminalReporter.name, () => {
  it('writes results to stdout and logs to stderr', () => {
    const out = capture(false);
    const err = capture(false);
    const r = createTerminalReporter({ level: 'info', format: 'text', stdout: out.stream, stderr: err.stream });
    r.result('plan');
    r.log('info', 'hello', { cluster: 'c1' });
    expect(out.text()).toBe('plan\n');
    expect(err.text()).toBe('INFO  hello cluster=c1\n');
  });

  it('drops logs below the level and writes JSON lines in json format', () => {
    const out = capture(false);
    const err = capture(false);
    const r = createTerminalReporter({ level: 'warn', format: 'json', stdout: out.stream, stderr: err.stream });
    r.log('info', 'dropped');
    r.log('error', 'kept', { code: 'E_APPLY' });
    const lines = err.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', msg: 'kept', code: 'E_APPLY' });
  });

  it('shows progress only on a TTY and clears it before the next log line', () => {
    const piped = capture(false);
    createTerminalReporter({ level: 'info', format: 'text', stdout: capture(false).stream, stderr: piped.stream }).progress?.('50%');
    expect(piped.text()).toBe('');

    const tty = capture(true);
    const r = createTerminalReporter({ level: 'info', format: 'text', stdout: capture(false).stream, stderr: tty.stream });
    r.progress?.('reading current state');
    r.log('info', 'done');
    expect(tty.text()).toBe('\r\x1b[2Kreading current state\r\x1b[2KINFO  done\n');
  });
});
