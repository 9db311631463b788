import { describe, expect, it } from 'vitest';
import { renderJson, renderMarkdown, renderText } from '../../../src/resource-inventory/render/index.js';
import type { Plan } from '../../../src/resource-inventory/plan.js';
import { QUOTA, SECRET, integration, inventory, ownedLive, quota, secret } from './builders.js';

const SECRET_VALUES = ['hunter2', 'old-password', 'gone-token'];
const forbidden = SECRET_VALUES.flatMap((v) => [v, Buffer.from(v).toString('base64')]);
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

function samplePlan(): Plan {
  return inventory(integration('app'))
    .cluster('c1')
    .desired('app', SECRET, secret('new', 'ns', { password: 'hunter2' }))
    .desired('app', SECRET, secret('changed', 'ns', { password: 'hunter2' }))
    .current(SECRET, ownedLive(secret('changed', 'ns', { password: 'old-password' }), 'app'))
    .current(SECRET, ownedLive(secret('gone', 'ns', { token: 'gone-token' }), 'app'))
    .desired('app', QUOTA, quota('q', 'ns', { pods: '10', 'limits.cpu': '2' }))
    .current(QUOTA, ownedLive(quota('q', 'ns', { pods: '5', 'limits.cpu': '2' }), 'app'))
    .cluster('c2')
    .desired('app', QUOTA, quota('q', 'ns', { pods: '1' }))
    .error({ cluster: 'c2', code: 'E_CLUSTER_ACCESS', message: 'connection refused' })
    .plan({ integrations: ['app'] });
}

describe(renderText, () => {
  it('shows a summary table, the errors and a diff per change', () => {
    const out = renderText(samplePlan(), { color: false });
    expect(out).toMatch(/^Plan: 1 to create, 2 to update, 0 to delete/);
    expect(out).toMatch(/CLUSTER\s+CREATE\s+UPDATE\s+DELETE\s+UNCHANGED\s+WITHHELD\s+ERRORS\s+STATUS/);
    expect(out).toMatch(/c2\s+0\s+0\s+0\s+0\s+0\s+1\s+unreachable/);
    expect(out).toContain('E_CLUSTER_ACCESS [c2] connection refused');
    expect(out).toContain('+ create c1/ns/Secret/new (app): not on the cluster');
    expect(out).toContain('-    pods: \'5\'');
    expect(out).toContain('+    pods: \'10\'');
    expect(out).toContain('Withheld deletions:');
  });

  it('never prints Secret data but shows that it changed', () => {
    const out = renderText(samplePlan(), { color: false });
    for (const v of forbidden) expect(out).not.toContain(v);
    expect(out).toMatch(/-\s+password: <masked sha256:[0-9a-f]{8}>/);
    expect(out).toMatch(/\+\s+password: <masked sha256:[0-9a-f]{8}>/);
  });

  it('emits ANSI colour codes only when color is true', () => {
    expect(renderText(samplePlan(), { color: false })).not.toMatch(ANSI);
    expect(renderText(samplePlan(), { color: true })).toMatch(ANSI);
  });

  it('is deterministic', () => {
    expect(renderText(samplePlan(), { color: false })).toBe(renderText(samplePlan(), { color: false }));
  });
});

describe(renderJson, () => {
  it('parses and carries the documented fields', () => {
    const json = JSON.parse(renderJson(samplePlan())) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['changes', 'clusters', 'dataSha', 'errors', 'integrations', 'orphaned', 'skippedChanges', 'summary', 'version', 'withheldDeletions']);
    expect(json.version).toBe(1);
    expect(json.summary).toEqual({ create: 1, update: 2, delete: 0, unchanged: 0, withheld: 1, skipped: 1, orphaned: 0, namespaceDeletions: 0, notSent: 0, errors: 1 });
    const changes = json.changes as Record<string, unknown>[];
    expect(changes.map((c) => [c.action, c.cluster, c.kind, c.name])).toEqual([
      ['update', 'c1', 'ResourceQuota', 'q'],
      ['update', 'c1', 'Secret', 'changed'],
      ['create', 'c1', 'Secret', 'new'],
    ]);
    expect(changes[0]).toMatchObject({ changes: [{ path: 'spec.hard.pods', op: 'replace', before: '5', after: '10' }] });
    expect(Object.keys(changes[0]!.desired as object).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
  });

  it('masks Secret data in objects and field changes', () => {
    const out = renderJson(samplePlan());
    for (const v of forbidden) expect(out).not.toContain(v);
    expect(out).toContain('<masked sha256:');
  });
});

describe(renderMarkdown, () => {
  it('has a heading with counts, a cluster table and a details block with a diff per object', () => {
    const out = renderMarkdown(samplePlan());
    expect(out).toMatch(/^### kontract plan: 1 to create, 2 to update, 0 to delete/);
    expect(out).toContain('| cluster | create | update | delete | unchanged | withheld | errors | status |');
    expect(out.match(/<details><summary>/g)).toHaveLength(3);
    expect(out).toContain('```diff\n');
    expect(out).toContain('#### Errors');
    expect(out).toContain('#### Withheld deletions');
  });

  it('never contains Secret data', () => {
    const out = renderMarkdown(samplePlan());
    for (const v of forbidden) expect(out).not.toContain(v);
  });
});
