/**
 * Docs that stay true: every `kontract …` command line shown in the Markdown documentation
 * (README.md, docs/, every README in the repository, deploy/) and in the commands' own `--help`
 * examples is parsed by the real CLI parser (src/cli/main.ts createParser) plus the command's
 * argument checks, and every relative repository path it names exists. Synopsis lines (`<name>`,
 * `[options]`, `a|b`) are not command lines and are skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createParser } from '../../../src/cli/main.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', '.git', 'coverage']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : markdownFiles(join(dir, e.name));
    return e.isFile() && e.name.endsWith('.md') ? [join(dir, e.name)] : [];
  });
}

/** Shell words of one line, cut at a comment or a pipe/redirect/`&&`/`;`; quotes removed. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") { quote = c; has = true; continue; }
    if (c === '#' && !has) break;
    if (c === '|' || c === ';' || c === '>' || (c === '&' && line[i + 1] === '&') || (c === '2' && line[i + 1] === '>' && !has)) break;
    if (c === ' ' || c === '\t') {
      if (has) words.push(cur);
      cur = '';
      has = false;
      continue;
    }
    cur += c;
    has = true;
  }
  if (has) words.push(cur);
  return words;
}

const LAUNCHER = /^(?:\$\s+)?(?:[A-Z_][A-Z0-9_]*=\S+\s+)*(?:kontract|node\s+(?:\S+\/)?(?:bin\/kontract\.js|kontract\.mjs)|npx\s+kontract)\s+/;

export interface CommandLine { readonly file: string; readonly line: number; readonly text: string; readonly args: readonly string[]; readonly mention: boolean }

/** Command lines in fenced code blocks and inline code spans of one Markdown text. */
export function commandLines(file: string, markdown: string): CommandLine[] {
  const out: CommandLine[] = [];
  const lines = markdown.split('\n');
  let fenced = false;
  const add = (n: number, text: string, inline = false): void => {
    const m = LAUNCHER.exec(text);
    if (m === null) return;
    const rest = text.slice(m[0].length);
    // a synopsis, not a command line: <arg>, [optional], a|b or `--x A | --y B` alternatives, …
    if (/<[^>]*>|\[[^\]]*\]|\S\|\S|\s\|\s+-|…/.test(rest.replace(/\s+#.*$/, ''))) return;
    // `kontract bundle` in prose names a command: it must exist, its required options may be left out
    out.push({ file, line: n, text, args: shellWords(rest).filter((w) => w !== '...' && w !== '\\'), mention: inline && /^[a-z-]+$/.test(rest.trim()) });
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (/^\s*(```|~~~)/.test(raw)) { fenced = !fenced; continue; }
    if (fenced) {
      let text = raw.trim();
      const start = i;
      while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${(lines[++i] ?? '').trim()}`;
      add(start + 1, text);
    } else {
      for (const m of raw.matchAll(/`([^`]+)`/g)) add(i + 1, (m[1] ?? '').trim(), true);
    }
  }
  return out;
}

async function parse(args: readonly string[]): Promise<string | undefined> {
  let problem: string | undefined;
  const y = await createParser(args, (cmd, parsed) => {
    try {
      cmd.check?.(parsed, args);
    } catch (e) {
      problem = e instanceof Error ? e.message : String(e);
    }
    return Promise.resolve();
  });
  await new Promise<void>((res) => {
    // the callback form captures --help/completion output instead of printing it and never exits
    void y.parse([...args], {}, (err: Error | undefined) => {
      if (err !== undefined && err !== null) problem ??= err.message;
      res();
    });
  }).catch((e: unknown) => { problem = e instanceof Error ? e.message : String(e); });
  return problem;
}

/** Values that name files or directories in the repository (checked to exist). */
const PATH_FLAGS = new Set(['--app-interface', '--crds']);

function missingPaths(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!PATH_FLAGS.has(a)) continue;
    for (let j = i + 1; j < args.length && !(args[j] ?? '').startsWith('-'); j++) {
      const p = args[j] ?? '';
      if (/^[~$/]|^\.\.\.$|^[A-Z][A-Z_]*$/.test(p) || p.includes('$')) continue; // placeholders (DIR) and machine paths
      // `..` leaves the repository: such a path does not exist in a fresh clone
      if (p.startsWith('..') || !existsSync(join(ROOT, p))) out.push(p);
      if (a !== '--crds') break;
    }
  }
  return out;
}

const FILES = markdownFiles(ROOT).sort();
const DOC_LINES = FILES.flatMap((f) => commandLines(relative(ROOT, f), readFileSync(f, 'utf8')));

describe('documented command lines', () => {
  it('finds the command lines of the README, docs/ and the integration READMEs', () => {
    const files = new Set(DOC_LINES.map((l) => l.file));
    expect(files).toContain('README.md');
    expect(files).toContain('docs/cli.md');
    expect(files).toContain('src/integrations/namespaces/README.md');
    expect(DOC_LINES.length).toBeGreaterThan(30);
  });

  it.each(DOC_LINES.map((l) => [`${l.file}:${l.line}`, l] as const))('%s parses', async (_where, l) => {
    const problem = await parse(l.args);
    // a mention names an existing command; a missing required option is fine there
    if (l.mention) expect(problem ?? '', l.text).not.toMatch(/unknown/i);
    else expect(problem, l.text).toBeUndefined();
    expect(missingPaths(l.args), l.text).toEqual([]);
  });

  it('rejects what the parser must reject (the test can fail)', async () => {
    expect(await parse(['run', '--integration', 'namespaces', '--dry-run'])).toMatch(/Unknown argument/);
    expect(await parse(['reconcile', 'namespaces', '--dry-run=foo'])).toMatch(/invalid value for --dry-run: foo/);
    expect(await parse(['reconcile', 'nosuch'])).toMatch(/unknown integration nosuch/);
    expect(missingPaths(['local-clusters', 'up', '--crds', '../shared/crds/hedgehog'])).toEqual(['../shared/crds/hedgehog']);
    expect(missingPaths(['validate', '--app-interface', 'no-such-dir'])).toEqual(['no-such-dir']);
    expect(await parse(['nosuch'])).toMatch(/unknown/i);
    expect(commandLines('x.md', 'Run `kontract bundle` or:\n```sh\nkontract bundle\n```\n').map((l) => l.mention)).toEqual([true, false]);
  });
});

describe('--help examples of every command', () => {
  it('parse, and the paths they name exist in the repository', async () => {
    let help = '';
    const top = await createParser(['--help'], () => Promise.resolve());
    await new Promise<void>((res) => {
      void top.parse(['--help'], {}, (_e: unknown, _a: unknown, out: string) => { help += out; res(); });
    });
    const commands = [...help.matchAll(/^ {2}kontract ([a-z-]+)/gm)].map((m) => m[1] ?? '');
    expect(commands).toContain('local-clusters');
    const examples: string[][] = [];
    for (const c of commands) {
      let out = '';
      const y = await createParser([c, '--help'], () => Promise.resolve());
      await new Promise<void>((res) => {
        void y.parse([c, '--help'], {}, (_e: unknown, _a: unknown, o: string) => { out = o; res(); });
      });
      const section = out.split(/^Examples:$/m)[1] ?? '';
      for (const m of section.matchAll(/^ {2}kontract (.+?)(?: {2,}|$)/gm)) examples.push(shellWords(m[1] ?? ''));
    }
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const args of examples) {
      expect(await parse(args), args.join(' ')).toBeUndefined();
      expect(missingPaths(args), args.join(' ')).toEqual([]);
    }
  });
});
