/**
 * vApps (`/kontract/vapp-1.yml`) through the YAML loader, their VMs as the virtual-machines
 * integration builds them, and the VM power operations planned from live VMs/VMIs (power.ts).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAppInterface } from '../../../src/app-interface/source-options.js';
import type { AppInterfaceData } from '../../../src/app-interface/model.js';
import type { KubeObject } from '../../../src/core/k8s-object.js';
import type { DesiredObject } from '../../../src/integrations/define-integration.js';
import {
  desiredVirtualMachines, POWER_STATE_ANNOTATION, RESET_REQUESTED_ANNOTATION, RESTART_ON_RESIZE_ANNOTATION, VAPP_LABEL,
} from '../../../src/integrations/virtual-machines/desired.js';
import { planPowerOperations, RESET_DONE_ANNOTATION } from '../../../src/integrations/virtual-machines/power.js';
import type { FieldChange, PlannedChange, Plan } from '../../../src/resource-inventory/plan.js';
import { renderText } from '../../../src/resource-inventory/render/text.js';
import { renderMarkdown } from '../../../src/resource-inventory/render/markdown.js';
import { renderJson } from '../../../src/resource-inventory/render/json.js';

const SAMPLE = fileURLToPath(new URL('../../../app-interface-sample', import.meta.url));

describe('the sample vApp shop', () => {
  it('instantiates its VMs in the VDC namespace, inheriting power, labels and restartOnResize unless a VM sets its own', async () => {
    const data = await loadAppInterface({ kind: 'dir', path: SAMPLE });
    const shop = data.vapps?.find((a) => a.name === 'shop');
    expect(shop?.vdc).toBe('/tenancy/vdcs/wayne-prod.yml');
    expect(shop?.vms.map((v) => ({ name: v.name, template: v.template, power: v.power, restartOnResize: v.restartOnResize, labels: v.labels, vapp: v.vapp }))).toEqual([
      { name: 'shop-web', template: '/kubevirt/templates/fedora-small.yml', power: { powerState: 'running' }, restartOnResize: true, labels: { app: 'shop' }, vapp: { name: 'shop', field: 'vms[0]', templateFromVapp: true } },
      { name: 'shop-db', template: '/kubevirt/templates/alpine-tiny.yml', power: { powerState: 'stopped' }, restartOnResize: undefined, labels: { app: 'shop' }, vapp: { name: 'shop', field: 'vms[1]', templateFromVapp: false } },
    ]);
    const vms = desiredVirtualMachines(data);
    const web = vms.objects.find((o) => o.object.metadata.name === 'shop-web');
    expect(web?.object.metadata.namespace).toBe('vdc-wayne-prod');
    expect(web?.object.metadata.labels?.[VAPP_LABEL]).toBe('shop');
    expect(web?.object.metadata.annotations?.[RESTART_ON_RESIZE_ANNOTATION]).toBe('true');
  });

  it('leaves the VMs of a vApp with delete: true out (so they are pruned)', async () => {
    const data = await loadAppInterface({ kind: 'dir', path: SAMPLE });
    const deleted: AppInterfaceData = { ...data, vapps: (data.vapps ?? []).map((a) => ({ ...a, delete: true })) };
    const names = desiredVirtualMachines(deleted).objects.map((o) => o.object.metadata.name);
    expect(names).not.toContain('shop-web');
    expect(names).toContain('web-1');
  });

  it('marks a suspended VM and a reset request on the VirtualMachine (runStrategy Always: a paused VMI needs a running VM)', async () => {
    const data = await loadAppInterface({ kind: 'dir', path: SAMPLE });
    const suspended: AppInterfaceData = {
      ...data,
      vapps: (data.vapps ?? []).map((a) => ({ ...a, vms: a.vms.map((v) => ({ ...v, power: { powerState: 'suspended' as const }, resetRequested: '2026-11-29T09:00:00Z' })) })),
    };
    const web = desiredVirtualMachines(suspended).objects.find((o) => o.object.metadata.name === 'shop-web')?.object;
    expect((web?.spec as { runStrategy?: string }).runStrategy).toBe('Always');
    expect(web?.metadata.annotations).toMatchObject({ [POWER_STATE_ANNOTATION]: 'suspended', [RESET_REQUESTED_ANNOTATION]: '2026-11-29T09:00:00Z' });
  });
});

const NS = 'vdc-o-p';
function desiredVm(name: string, runStrategy: string, annotations: Record<string, string> = {}): DesiredObject {
  return { cluster: 'c1', source: '/a.yml', object: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace: NS, annotations }, spec: { runStrategy } } };
}
function vmi(name: string, phase: string, paused = false): KubeObject {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name, namespace: NS }, status: { phase, conditions: paused ? [{ type: 'Paused', status: 'True' }] : [] } };
}
function liveVm(name: string, annotations: Record<string, string> = {}, conditions: { type: string; status: string }[] = []): KubeObject {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace: NS, annotations }, status: { conditions } };
}
function update(name: string, paths: string[]): PlannedChange {
  const changes: FieldChange[] = paths.map((path) => ({ path, op: 'replace' }));
  return { action: 'update', integration: 'virtual-machines', cluster: 'c1', namespace: NS, kind: 'VirtualMachine.kubevirt.io', name, order: 60, changes, reason: 'drift' };
}
function plan(desired: DesiredObject[], live: { vms?: KubeObject[]; vmis?: KubeObject[] }, changes: PlannedChange[] = []): string[] {
  return planPowerOperations({
    desired,
    changes,
    live: (_c, _ns, kind) => (kind === 'VirtualMachine.kubevirt.io' ? live.vms ?? [] : live.vmis ?? []),
  }).map((o) => `${o.operation} ${o.name}${o.request === undefined ? '' : ` PUT ${o.request.plural}/${o.request.subresource}`}${o.record === undefined ? '' : ` record ${JSON.stringify(o.record.annotations)}`}`);
}

describe('VM power operations (pure)', () => {
  const suspended = { [POWER_STATE_ANNOTATION]: 'suspended' };
  it('pauses a suspended VM whose VMI runs, once', () => {
    expect(plan([desiredVm('a', 'Always', suspended)], { vmis: [vmi('a', 'Running')] })).toEqual(['pause a PUT virtualmachineinstances/pause']);
    expect(plan([desiredVm('a', 'Always', suspended)], { vmis: [vmi('a', 'Running', true)] })).toEqual([]);
  });
  it('reports a suspended VM without a running VMI as a notice', () => {
    expect(plan([desiredVm('a', 'Always', suspended)], {})).toEqual(['notice a']);
    expect(plan([desiredVm('a', 'Always', suspended)], { vmis: [vmi('a', 'Scheduling')] })).toEqual(['notice a']);
  });
  it('unpauses a paused VMI of a VM that is on, and leaves an off VM alone', () => {
    expect(plan([desiredVm('a', 'Always')], { vmis: [vmi('a', 'Running', true)] })).toEqual(['unpause a PUT virtualmachineinstances/unpause']);
    expect(plan([desiredVm('a', 'Halted')], { vmis: [vmi('a', 'Running', true)] })).toEqual([]);
    expect(plan([desiredVm('a', 'Always')], { vmis: [vmi('a', 'Running')] })).toEqual([]);
  });
  it('restarts a running VM once per reset request, and only records it for a VM that does not run', () => {
    const reset = { [RESET_REQUESTED_ANNOTATION]: 'T1' };
    expect(plan([desiredVm('a', 'Always', reset)], { vmis: [vmi('a', 'Running')], vms: [liveVm('a')] })).toEqual(['restart a PUT virtualmachines/restart record {"kontract.io/reset-done":"T1"}']);
    expect(plan([desiredVm('a', 'Always', reset)], { vmis: [vmi('a', 'Running')], vms: [liveVm('a', { [RESET_DONE_ANNOTATION]: 'T1' })] })).toEqual([]);
    expect(plan([desiredVm('a', 'Always', reset)], { vms: [liveVm('a')] })).toEqual(['record a record {"kontract.io/reset-done":"T1"}']);
    expect(plan([desiredVm('a', 'Halted', reset)], { vmis: [vmi('a', 'Running')], vms: [liveVm('a')] })).toEqual(['record a record {"kontract.io/reset-done":"T1"}']);
  });
  it('reports a resize of a running VM as restart required; restarts with restartOnResize; one restart for reset + resize', () => {
    const resize = [update('a', ['spec.template.spec.domain.cpu.cores'])];
    expect(plan([desiredVm('a', 'Always')], { vmis: [vmi('a', 'Running')] }, resize)).toEqual(['notice a']);
    expect(plan([desiredVm('a', 'Always')], {}, resize)).toEqual([]);
    expect(plan([desiredVm('a', 'Always')], { vmis: [vmi('a', 'Running')] }, [update('a', ['metadata.labels.x'])])).toEqual([]);
    const allowed = { [RESTART_ON_RESIZE_ANNOTATION]: 'true' };
    expect(plan([desiredVm('a', 'Always', allowed)], { vmis: [vmi('a', 'Running')] }, resize)).toEqual(['restart a PUT virtualmachines/restart']);
    expect(plan([desiredVm('a', 'Always', allowed)], { vmis: [vmi('a', 'Running')], vms: [liveVm('a', {}, [{ type: 'RestartRequired', status: 'True' }])] })).toEqual(['restart a PUT virtualmachines/restart']);
    expect(plan([desiredVm('a', 'Always', { ...allowed, [RESET_REQUESTED_ANNOTATION]: 'T2' })], { vmis: [vmi('a', 'Running')], vms: [liveVm('a')] }, resize))
      .toEqual(['restart a PUT virtualmachines/restart record {"kontract.io/reset-done":"T2"}']);
  });
});

describe('operations in the plan renderers', () => {
  const base: Plan = { version: 1, integrations: ['virtual-machines'], dataSha: 'x', changes: [], clusters: [], errors: [], withheldDeletions: [], skippedChanges: [], orphaned: [] };
  const p: Plan = {
    ...base,
    operations: [
      { integration: 'virtual-machines', cluster: 'c1', namespace: NS, kind: 'VirtualMachineInstance.kubevirt.io', name: 'a', operation: 'pause', reason: 'powerState suspended', request: { group: 'subresources.kubevirt.io', version: 'v1', plural: 'virtualmachineinstances', subresource: 'pause' } },
      { integration: 'virtual-machines', cluster: 'c1', namespace: NS, kind: 'VirtualMachine.kubevirt.io', name: 'b', operation: 'notice', reason: 'restart required: size changed' },
    ],
  };
  it('lists them in text, Markdown and JSON (with the request path)', () => {
    expect(renderText(p, { color: false })).toContain(`c1/${NS}/VirtualMachine.kubevirt.io/b: notice (restart required: size changed)`);
    expect(renderMarkdown(p)).toContain(`\`c1/${NS}/VirtualMachineInstance.kubevirt.io/a: pause (powerState suspended)\``);
    const json = JSON.parse(renderJson(p)) as { operations: { request?: string }[] };
    expect(json.operations[0]?.request).toBe(`PUT /apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/a/pause`);
    expect(json.operations[1]).not.toHaveProperty('request');
  });
});
