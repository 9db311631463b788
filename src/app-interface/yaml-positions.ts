/**
 * YAML parsing that remembers where each node starts, so a validation problem can name the line
 * of the offending key. Uses js-yaml's `listener` (open/close events per composed node): inside a
 * mapping the composed children alternate key, value; inside a sequence they are the items.
 */
import * as yaml from 'js-yaml';

interface Frame {
  /** 0-based line where the node (for a value: its key) starts. */
  readonly line: number;
  kind: string | null;
  result: unknown;
  readonly children: Frame[];
}

/** Line lookup for one parsed document. */
export interface PositionIndex {
  /** 1-based line of the key (or item) at `path`, or of its nearest ancestor found. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export interface ParsedYaml {
  readonly value: unknown;
  readonly positions: PositionIndex;
}

/** A mapping/sequence frame whose only child is the same collection (flow collections). */
function unwrap(f: Frame): Frame {
  let cur = f;
  while (cur.children.length === 1 && cur.children[0] !== undefined && cur.children[0].kind === cur.kind) cur = cur.children[0];
  return cur;
}

function child(f: Frame, seg: string | number): { keyLine: number; value: Frame } | undefined {
  const node = unwrap(f);
  if (node.kind === 'mapping' && typeof seg === 'string') {
    for (let i = 0; i + 1 < node.children.length; i += 2) {
      const k = node.children[i];
      const v = node.children[i + 1];
      if (k !== undefined && v !== undefined && String(k.result) === seg) return { keyLine: k.line, value: v };
    }
    return undefined;
  }
  if (node.kind === 'sequence' && typeof seg === 'number') {
    const item = node.children[seg];
    return item === undefined ? undefined : { keyLine: item.line, value: item };
  }
  return undefined;
}

function indexOf(root: Frame | undefined): PositionIndex {
  return {
    lineOf(path) {
      if (root === undefined) return undefined;
      let line = root.line;
      let cur = root;
      for (const seg of path) {
        const next = child(cur, seg);
        if (next === undefined) break;
        line = next.keyLine;
        cur = next.value;
      }
      return line + 1;
    },
  };
}

/** Parses one YAML document (js-yaml default schema). Throws js-yaml's YAMLException on syntax errors. */
export function parseYamlWithPositions(text: string, filename: string): ParsedYaml {
  const stack: Frame[] = [{ line: 0, kind: null, result: undefined, children: [] }];
  const value: unknown = yaml.load(text, {
    filename,
    listener(event: yaml.EventType, state: yaml.State) {
      if (event === 'open') {
        stack.push({ line: state.line, kind: null, result: undefined, children: [] });
        return;
      }
      const f = stack.pop();
      if (f === undefined) return;
      f.kind = state.kind;
      f.result = state.result;
      stack[stack.length - 1]?.children.push(f);
    },
  });
  return { value, positions: indexOf(stack[0]?.children[0]) };
}

/**
 * The PositionIndex of `text` (already parsed once without positions), built on the first
 * `lineOf` call by parsing it again with positions: only files with a problem pay for positions.
 */
export function lazyPositionIndex(text: string, filename: string): PositionIndex {
  let index: PositionIndex | undefined;
  return {
    lineOf(path) {
      index ??= parseYamlWithPositions(text, filename).positions;
      return index.lineOf(path);
    },
  };
}

/** `a.b[0].c` → ['a', 'b', 0, 'c']. */
export function splitField(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[1] !== undefined) out.push(m[1]);
  }
  return out;
}

/** ajv's `/a/b/0/c` → `a.b[0].c`. */
export function pointerToField(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}
