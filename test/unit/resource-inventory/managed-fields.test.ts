import { describe, expect, it } from 'vitest';
import { takenFields } from '../../../src/resource-inventory/managed-fields.js';

const change = (path: string, op: 'add' | 'replace' | 'remove' = 'replace') => ({ path, op });

describe(takenFields, () => {
  it('reports the changed fields another manager owns, per manager', () => {
    const entries = [
      { manager: 'rival', operation: 'Apply', fieldsV1: { 'f:data': { 'f:mine': {}, 'f:extra': {} } } },
      { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/name': {} } } } },
    ];
    expect(takenFields([change('data.mine'), change('data.other', 'add'), change('metadata.labels.app.kubernetes.io/name')], entries)).toEqual([
      { manager: 'kubectl-edit', operation: 'Update', fields: ['metadata.labels.app.kubernetes.io/name'] },
      { manager: 'rival', operation: 'Apply', fields: ['data.mine'] },
    ]);
  });

  it('reports the list field for a change inside a list the other manager has items in', () => {
    const entries = [{ manager: 'rival', operation: 'Apply', fieldsV1: { 'f:subjects': { 'k:{"kind":"User","name":"bob"}': { '.': {}, 'f:name': {} } } } }];
    expect(takenFields([change('subjects.1.name')], entries)).toEqual([{ manager: 'rival', operation: 'Apply', fields: ['subjects'] }]);
  });

  it('ignores removals and fields nobody else owns', () => {
    const entries = [{ manager: 'rival', operation: 'Apply', fieldsV1: { 'f:data': { 'f:x': {} } } }];
    expect(takenFields([change('data.x', 'remove'), change('data.y')], entries)).toEqual([]);
  });
});
