import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/resource-inventory/plan.js';
import { withApplyOutcome } from '../../../src/resource-inventory/plan-outcome.js';
import { NAMESPACE, QUOTA, integration, inventory, namespaceObj, ownedLive, quota } from './builders.js';

describe('computePlan: orphaned namespaces, namespace contents, clusters not read', () => {
  const ns = integration('namespaces');
  const quotas = integration('quotas');

  it('deletes a Namespace only when marked; an unmarked undesired one is orphaned', () => {
    const plan = inventory(ns)
      .cluster('c1')
      .with((inv) => { inv.deleteOnlyWhenMarked('namespaces', ['Namespace']); inv.markForDeletion('namespaces', 'Namespace', 'c1', '', 'marked'); })
      .inSync('namespaces', NAMESPACE, namespaceObj('kept'))
      .current(NAMESPACE, ownedLive(namespaceObj('marked'), 'namespaces'))
      .current(NAMESPACE, ownedLive(namespaceObj('gone'), 'namespaces'))
      .plan({ integrations: ['namespaces'] });
    expect(plan.changes.map((c) => `${c.action} ${c.name}`)).toEqual(['delete marked']);
    expect(plan.orphaned.map((o) => o.name)).toEqual(['gone']);
    expect(plan.clusters[0]).toMatchObject({ orphaned: 1, delete: 1 });
    expect(plan.errors).toEqual([]);
  });

  it('counts the objects read in a deleted namespace from the kinds listed on its cluster', () => {
    const plan = inventory(ns, quotas)
      .cluster('c1')
      .with((inv) => { inv.markListed('c1', QUOTA); })
      .inSync('namespaces', NAMESPACE, namespaceObj('keep'))
      .current(NAMESPACE, ownedLive(namespaceObj('doomed'), 'namespaces'))
      .current(QUOTA, ownedLive(quota('q1', 'doomed', { pods: '1' }), 'other'))
      .current(QUOTA, ownedLive(quota('q2', 'doomed', { pods: '1' }), 'other'))
      .plan({ integrations: ['namespaces', 'quotas'] });
    expect(plan.changes.find((c) => c.kind === 'Namespace')?.namespaceContents).toEqual({ objects: 2, kinds: ['ResourceQuota'] });
  });

  it('plans nothing on a cluster that was not read', () => {
    const plan = inventory(quotas)
      .cluster('c1')
      .desired('quotas', QUOTA, quota('q', 'ns', { pods: '1' }))
      .with((inv) => { inv.markNotRead('c1'); })
      .error({ cluster: 'c1', code: 'E_CLUSTER_ACCESS', message: 'refused' })
      .plan({ integrations: ['quotas'] });
    expect(plan.changes).toEqual([]);
    expect(plan.skippedChanges).toEqual([]);
    expect(plan.clusters[0]).toMatchObject({ read: false, desired: 1, create: 0 });
  });
});

describe(withApplyOutcome, () => {
  function planWith(): Plan {
    return inventory(integration('quotas'))
      .cluster('c1')
      .desired('quotas', QUOTA, quota('new', 'ns', { pods: '1' }))
      .desired('quotas', QUOTA, quota('keep', 'ns', { pods: '1' }))
      .current(QUOTA, ownedLive(quota('old', 'ns', { pods: '1' }), 'quotas'))
      .plan({ integrations: ['quotas'] });
  }

  it('moves withheld deletions and unsent changes out of changes, counts them and records errors', () => {
    const plan = planWith();
    const [create, keep, del] = plan.changes;
    if (create === undefined || keep === undefined || del === undefined) throw new Error('expected three changes');
    const out = withApplyOutcome(plan, {
      mode: 'apply',
      outcomes: [
        { change: create, status: 'failed', error: 'create c1/ns/ResourceQuota/new: 422 Invalid' },
        { change: keep, status: 'not-sent', error: 'not sent: run interrupted (SIGTERM)' },
        { change: del, status: 'withheld', error: 'withheld (a write failed in this run: c1/ns/ResourceQuota/new): not desired anymore' },
      ],
      interrupted: 'SIGTERM',
      givenUp: [],
    });
    expect(out.changes).toEqual([create]);
    expect(out.notSent?.map((c) => c.reason)).toEqual(['not sent: run interrupted (SIGTERM)']);
    expect(out.withheldDeletions.map((c) => c.name)).toEqual(['old']);
    expect(out.apply).toEqual({ mode: 'apply', applied: 0, failed: 1, notSent: 1, interrupted: 'SIGTERM', givenUp: [] });
    expect(out.errors.map((e) => e.code)).toEqual(['E_APPLY']);
    expect(out.clusters[0]).toMatchObject({ create: 1, delete: 0, withheld: 1, notSent: 1, errors: 1 });
  });
});
