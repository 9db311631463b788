import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MARKDOWN_MAX_BYTES, renderMarkdown } from '../../../src/resource-inventory/render/index.js';
import type { Plan } from '../../../src/resource-inventory/plan.js';
import { QUOTA, integration, inventory, quota } from './builders.js';

/** `n` quota creations on each of `clusters` clusters. */
function bigPlan(clusters: number, n: number): Plan {
  let b = inventory(integration('app'));
  for (let c = 0; c < clusters; c++) {
    b = b.cluster(`cluster-${c}`);
    for (let i = 0; i < n; i++) b = b.desired('app', QUOTA, quota(`quota-${i}`, `namespace-${i}`, { pods: String(i), 'limits.cpu': `${i}m`, 'requests.memory': `${i}Mi` }));
  }
  return b.plan({ integrations: ['app'] });
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
/** Every fence opened is closed: an even number of fence lines. */
const fences = (s: string): number => s.split('\n').filter((l) => /^```/.test(l)).length;

describe('renderMarkdown with a size budget', () => {
  it('returns the full plan when it fits', () => {
    const plan = bigPlan(1, 3);
    expect(renderMarkdown(plan, { maxBytes: DEFAULT_MARKDOWN_MAX_BYTES })).toBe(renderMarkdown(plan));
  });

  it('keeps summary and tables, drops diffs whole and says where the full plan is', () => {
    const plan = bigPlan(3, 80);
    const full = renderMarkdown(plan);
    expect(bytes(full)).toBeGreaterThan(30_000);
    const out = renderMarkdown(plan, { maxBytes: 30_000, fullPlan: 'plan.json' });
    expect(bytes(out)).toBeLessThanOrEqual(30_000);
    expect(out).toMatch(/^### kontract plan: 240 to create/);
    for (let c = 0; c < 3; c++) expect(out).toContain(`| cluster-${c} | 80 | 0 | 0 |`);
    // every change row is still listed
    expect(out.split('\n').filter((l) => l.startsWith('| create | ResourceQuota |'))).toHaveLength(240);
    const kept = (out.match(/<details>/g) ?? []).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(240);
    expect((out.match(/<\/details>/g) ?? []).length).toBe(kept);
    expect(fences(out) % 2).toBe(0);
    expect(out).toContain(`> **Plan shortened to 30000 bytes:** the diffs of ${240 - kept} object(s) left out; the full plan is in \`plan.json\`.`);
  });

  it('with a budget below the tables, lists rows while they fit and keeps the cluster table', () => {
    const out = renderMarkdown(bigPlan(2, 100), { maxBytes: 3_000 });
    expect(bytes(out)).toBeLessThanOrEqual(3_000);
    expect(out).toContain('| cluster-1 | 100 |');
    expect(out).not.toContain('<details>');
    expect(out).toMatch(/the diffs of 200 object\(s\) and \d+ change table row\(s\) left out; the full plan is in the JSON plan file \(`--plan-file`\)\.$/m);
  });

  it('never exceeds the budget and never cuts a code block (property)', () => {
    const plan = bigPlan(2, 40);
    const size = bytes(renderMarkdown(plan));
    fc.assert(fc.property(fc.integer({ min: 2_500, max: size + 100 }), (max) => {
      const out = renderMarkdown(plan, { maxBytes: max });
      expect(bytes(out)).toBeLessThanOrEqual(max);
      expect(fences(out) % 2).toBe(0);
      expect((out.match(/<details>/g) ?? []).length).toBe((out.match(/<\/details>/g) ?? []).length);
    }), { numRuns: 60 });
  });
});
