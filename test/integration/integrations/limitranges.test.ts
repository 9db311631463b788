/**
 * limitranges against a real kube-apiserver: converge (with the server defaulting Container
 * items), no-op, targeted update, pruning only owned objects, ownership conflicts and take-over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitRange } from '../../../src/app-interface/model.js';
import { limitRangesIntegration } from '../../../src/integrations/limitranges/integration.js';
import { DataBuilder, limitRange, namespace } from '../../unit/integrations/data-builder.js';
import { uniqueName } from '../support/clusters.js';
import { clusterFor, createNamespace, createUnowned, deleteNamespaces, labelsOf, readLive, reconcile, rvOf } from './tenant-harness.js';

const C = 'prod-1';
const ns1 = uniqueName('it-lr-a');
const ns2 = uniqueName('it-lr-b');
const lr = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name, namespace } });

// `max` only: the API server defaults `default` and `defaultRequest` from it.
const small = limitRange('small', [{ type: 'Container', max: { cpu: '2', memory: '1Gi' } }, { type: 'Pod', max: { cpu: '4' } }]);

function run(ranges: Partial<Record<string, LimitRange>>, takeOver = false) {
  const data = new DataBuilder()
    .cluster(clusterFor(C))
    .namespace(
      ...[ns1, ns2].map((n) => {
        const r = ranges[n];
        return r === undefined ? namespace(n, C) : namespace(n, C, { limitRanges: r });
      }),
    )
    .build();
  return reconcile(limitRangesIntegration, data, { namespaces: [ns1, ns2], takeOver });
}

describe('limitranges on a real cluster', () => {
  beforeAll(async () => {
    await createNamespace(C, ns1);
    await createNamespace(C, ns2);
  });
  afterAll(async () => {
    await deleteNamespaces(C, [ns1, ns2]);
  });

  it('converges from empty: one LimitRange per namespace named after the file', async () => {
    const r = await run({ [ns1]: small, [ns2]: small });

    expect(r.result.errors).toEqual([]);
    expect(r.changes).toEqual([`create ${C}/${ns1}/LimitRange/small`, `create ${C}/${ns2}/LimitRange/small`].sort());
    const live = await readLive(C, lr(ns1, 'small'));
    expect(labelsOf(live)).toMatchObject({ 'kontract.io/integration': 'limitranges' });
    expect(live?.spec).toMatchObject({ limits: [{ type: 'Container', max: { cpu: '2', memory: '1Gi' } }, { type: 'Pod', max: { cpu: '4' } }] });
  });

  it('sends no write on a second run although the server filled in defaults', async () => {
    const live = await readLive(C, lr(ns1, 'small'));
    expect(live?.spec).toMatchObject({ limits: [{ default: { cpu: '2', memory: '1Gi' }, defaultRequest: { cpu: '2', memory: '1Gi' } }, {}] });

    const r = await run({ [ns1]: small, [ns2]: small });

    expect(r.result.outcome).toBe('ok');
    expect(r.changes).toEqual([]);
    expect(r.writes).toBe(0);
  });

  it('updates only the LimitRange whose file changed', async () => {
    const before = rvOf(await readLive(C, lr(ns2, 'small')));
    const bigger = limitRange('small', [{ type: 'Container', max: { cpu: '3', memory: '1Gi' } }, { type: 'Pod', max: { cpu: '4' } }]);

    const r = await run({ [ns1]: bigger, [ns2]: small });

    expect(r.changes).toEqual([`update ${C}/${ns1}/LimitRange/small`]);
    expect(r.writes).toBe(1);
    expect((await readLive(C, lr(ns1, 'small')))?.spec).toMatchObject({ limits: [{ max: { cpu: '3' } }, {}] });
    expect(rvOf(await readLive(C, lr(ns2, 'small')))).toBe(before);
  });

  it('prunes a LimitRange no longer referenced, but not an unowned one', async () => {
    await createUnowned(C, { ...lr(ns2, 'hand-made'), spec: { limits: [{ type: 'Pod', max: { cpu: '8' } }] } });

    const r = await run({ [ns1]: small });

    expect(r.changes).toEqual([`delete ${C}/${ns2}/LimitRange/small`, `update ${C}/${ns1}/LimitRange/small`].sort());
    expect(await readLive(C, lr(ns2, 'small'))).toBeUndefined();
    expect(await readLive(C, lr(ns2, 'hand-made'))).toBeDefined();
  });

  it('refuses an unowned LimitRange of the same name, and adopts it with take-over', async () => {
    const handMade = limitRange('hand-made', [{ type: 'Pod', max: { cpu: '6' } }]);

    const refused = await run({ [ns1]: small, [ns2]: handMade });
    expect(refused.result.outcome).toBe('failed');
    expect(refused.result.errors.map((e) => e.code)).toContain('E_OWNERSHIP_CONFLICT');
    expect((await readLive(C, lr(ns2, 'hand-made')))?.spec).toEqual({ limits: [{ type: 'Pod', max: { cpu: '8' } }] });

    const adopted = await run({ [ns1]: small, [ns2]: handMade }, true);
    expect(adopted.result.errors).toEqual([]);
    expect(adopted.changes).toEqual([`update ${C}/${ns2}/LimitRange/hand-made`]);
    const live = await readLive(C, lr(ns2, 'hand-made'));
    expect(labelsOf(live)).toMatchObject({ 'kontract.io/integration': 'limitranges' });
    expect(live?.spec).toEqual({ limits: [{ type: 'Pod', max: { cpu: '6' } }] });

    const again = await run({ [ns1]: small, [ns2]: handMade });
    expect(again.changes).toEqual([]);
    expect(again.writes).toBe(0);
  });
});
