/**
 * The unified diff of one planned change: YAML of the canonical live object (projected onto what
 * kontract sets, so server defaults do not show up) against the canonical desired object, both
 * with Secret data masked. Creates show the whole object, deletes its removal.
 */
import { createTwoFilesPatch } from 'diff';
import yaml from 'js-yaml';
import { resourceIdString } from '../../core/k8s-object.js';
import { canonicalize, DESIRED_CANONICAL } from '../canonicalize.js';
import { projectOnto } from '../diff.js';
import type { PlannedChange } from '../plan.js';
import { orderKeys } from '../stable-json.js';
import { maskObject } from './mask.js';

/** YAML with stable key order (apiVersion, kind, metadata first; the rest sorted). */
export function toYaml(value: unknown): string {
  return yaml.dump(orderKeys(value), { sortKeys: false, lineWidth: -1, noRefs: true });
}

export function changeId(c: Pick<PlannedChange, 'cluster' | 'namespace' | 'kind' | 'name'>): string {
  return resourceIdString(c);
}

/** The YAML pair [before, after] the diff of a change is made of. */
export function diffSides(c: PlannedChange): [string, string] {
  const desired = c.desired === undefined ? undefined : maskObject(canonicalize(c.desired, DESIRED_CANONICAL));
  const current = c.current === undefined ? undefined : maskObject(c.current);
  switch (c.action) {
    case 'create':
      return ['', desired === undefined ? '' : toYaml(desired)];
    case 'delete':
      return [current === undefined ? '' : toYaml(current), ''];
    case 'update':
      return [
        current === undefined ? '' : toYaml(desired === undefined ? current : projectOnto(current, desired)),
        desired === undefined ? '' : toYaml(desired),
      ];
  }
}

/** Unified diff lines (`---`, `+++`, `@@`, ` `, `+`, `-`) of one change; '' when nothing differs. */
export function unifiedDiff(c: PlannedChange): string {
  const [before, after] = diffSides(c);
  if (before === after) return '';
  const id = changeId(c);
  const patch = createTwoFilesPatch(
    c.action === 'create' ? '/dev/null' : `live/${id}`,
    c.action === 'delete' ? '/dev/null' : `desired/${id}`,
    before,
    after,
    undefined,
    undefined,
    { context: 3 },
  );
  // Drop the `Index:`/`====` preamble jsdiff puts first; keep from `---` on.
  const start = patch.indexOf('--- ');
  return start === -1 ? patch : patch.slice(start);
}
