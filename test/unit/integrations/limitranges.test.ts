import { describe, expect, it } from 'vitest';
import type { LimitRangeItem } from '../../../src/app-interface/model.js';
import { desiredLimitRanges } from '../../../src/integrations/limitranges/desired.js';
import { limitRangesIntegration } from '../../../src/integrations/limitranges/integration.js';
import { aData, limitRange, namespace } from './data-builder.js';

const defaults = limitRange('default-limits', [
  {
    type: 'Container',
    default: { cpu: '500m', memory: '512Mi' },
    defaultRequest: { cpu: '100m', memory: '128Mi' },
    max: { cpu: '2', memory: '4Gi' },
  },
  { type: 'Pod', max: { cpu: '4' } },
]);

describe(desiredLimitRanges, () => {
  it('builds one LimitRange per namespace named after the limit-range file', () => {
    const data = aData().namespace(namespace('team-a', 'c1', { limitRanges: defaults }), namespace('team-b', 'c2', { limitRanges: defaults })).build();

    const state = desiredLimitRanges(data);

    expect(state.problems).toEqual([]);
    expect(state.objects).toEqual([
      {
        cluster: 'c1',
        source: '/openshift/c1/namespaces/team-a.yml',
        object: {
          apiVersion: 'v1',
          kind: 'LimitRange',
          metadata: { name: 'default-limits', namespace: 'team-a' },
          spec: {
            limits: [
              {
                type: 'Container',
                default: { cpu: '500m', memory: '512Mi' },
                defaultRequest: { cpu: '100m', memory: '128Mi' },
                max: { cpu: '2', memory: '4Gi' },
              },
              { type: 'Pod', max: { cpu: '4' } },
            ],
          },
        },
      },
      expect.objectContaining({ cluster: 'c2', source: '/openshift/c2/namespaces/team-b.yml' }),
    ]);
  });

  it('drops null, undefined and emptied keys', () => {
    // The loader may hand over nulls from YAML (`min: {cpu: ~}`); the model type forbids them.
    const withNulls = JSON.parse(
      '{"type":"Container","min":{"cpu":null,"memory":"64Mi"},"max":{"cpu":null},"default":null}',
    ) as LimitRangeItem;
    const data = aData().namespace(namespace('n', 'c1', { limitRanges: limitRange('lr', [withNulls]) })).build();

    expect(desiredLimitRanges(data).objects[0]!.object.spec).toEqual({ limits: [{ type: 'Container', min: { memory: '64Mi' } }] });
  });

  it('builds nothing for namespaces without limit ranges, deleted or externally managed', () => {
    const data = aData()
      .namespace(
        namespace('plain', 'c1'),
        namespace('gone', 'c1', { delete: true, limitRanges: defaults }),
        namespace('ext', 'c1', { managedByExternal: true, limitRanges: defaults }),
      )
      .build();

    const state = desiredLimitRanges(data);

    expect(state.objects).toEqual([]);
    expect([...(state.excludedNamespaces?.get('c1') ?? [])]).toEqual(['ext']);
  });
});

describe('limitRangesIntegration', () => {
  it('manages namespaced v1 LimitRanges', () => {
    expect(limitRangesIntegration.name).toBe('limitranges');
    expect(limitRangesIntegration.kinds).toEqual([
      { group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true, order: 50 },
    ]);
  });
});
