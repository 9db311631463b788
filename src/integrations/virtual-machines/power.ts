/**
 * VM power operations beyond `spec.runStrategy`, planned after the diff from the live VMs and
 * VMIs (pure; the engine reads them and sends the calls, src/reconcile/operations.ts). The
 * subresources are KubeVirt virt-api's (`subresources.kubevirt.io/v1`, PUT):
 *
 * - `suspended` (annotation `kontract.io/power-state: suspended`, runStrategy Always): `pause` the
 *   VMI when it is Running and has no `Paused` condition; a VMI not running yet is a notice (it
 *   is paused on a later run).
 * - `on` (runStrategy Always, no suspended annotation): `unpause` a Running VMI whose `Paused`
 *   condition is True.
 * - `resetRequested` (annotation `kontract.io/reset-requested`): when the live VM's
 *   `kontract.io/reset-done` differs, `restart` the VM if its VMI is Running, then record
 *   `kontract.io/reset-done: <the request>` on the VM; a VM not running only gets the record
 *   (nothing to reset), so a later start does not reset it.
 * - a sizing change (an update of `spec.instancetype`, `spec.template.spec.domain.cpu|memory|resources`)
 *   of a VM whose VMI is Running, or a live `RestartRequired` condition (set by KubeVirt when a
 *   change cannot reach the running VMI): `restart` when the datafile says `restartOnResize: true`
 *   (annotation `kontract.io/restart-on-resize`), else a notice "restart required".
 */
import type { KubeObject, ManagedKind } from '../../core/k8s-object.js';
import { kindKey } from '../../core/k8s-object.js';
import type { PlannedChange, PlannedOperation } from '../../resource-inventory/plan.js';
import type { OperationsInput } from '../define-integration.js';
import { POWER_STATE_ANNOTATION, RESET_REQUESTED_ANNOTATION, RESTART_ON_RESIZE_ANNOTATION, VIRTUAL_MACHINES_INTEGRATION } from './desired.js';

/** Annotation recording the last `resetRequested` performed (written only after the restart). */
export const RESET_DONE_ANNOTATION = 'kontract.io/reset-done';

export const VIRTUAL_MACHINE_KIND: ManagedKind = { group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine', plural: 'virtualmachines', namespaced: true, order: 60 };
export const VIRTUAL_MACHINE_INSTANCE_KIND: ManagedKind = { group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachineInstance', plural: 'virtualmachineinstances', namespaced: true, order: 60 };

const VM = kindKey(VIRTUAL_MACHINE_KIND);
const VMI = kindKey(VIRTUAL_MACHINE_INSTANCE_KIND);
const SUBRESOURCES = { group: 'subresources.kubevirt.io', version: 'v1' } as const;

/** Fields whose change resizes a VM (KubeVirt cannot apply them to a running VMI without a restart or hotplug). */
const SIZING_PATHS = ['spec.instancetype', 'spec.template.spec.domain.cpu', 'spec.template.spec.domain.memory', 'spec.template.spec.domain.resources'];

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Status of condition `type` (`True`, `False`, …) of an object's `status.conditions`. */
export function conditionStatus(obj: KubeObject | undefined, type: string): string | undefined {
  const status = obj?.status;
  const conditions = isObj(status) && Array.isArray(status.conditions) ? status.conditions : [];
  for (const c of conditions) {
    if (isObj(c) && c.type === type && typeof c.status === 'string') return c.status;
  }
  return undefined;
}

function phase(vmi: KubeObject | undefined): string | undefined {
  const status = vmi?.status;
  return isObj(status) && typeof status.phase === 'string' ? status.phase : undefined;
}

function sizingChanges(change: PlannedChange | undefined): string[] {
  if (change?.action !== 'update') return [];
  return change.changes.map((c) => c.path).filter((p) => SIZING_PATHS.some((s) => p === s || p.startsWith(`${s}.`)));
}

export function planPowerOperations(input: OperationsInput): PlannedOperation[] {
  const out: PlannedOperation[] = [];
  const changes = new Map(input.changes.filter((c) => c.kind === VM).map((c) => [`${c.cluster}/${c.namespace}/${c.name}`, c]));
  for (const d of input.desired) {
    const vm = d.object;
    if (vm.kind !== 'VirtualMachine') continue;
    const namespace = vm.metadata.namespace ?? '';
    const name = vm.metadata.name;
    const at = { integration: VIRTUAL_MACHINES_INTEGRATION, cluster: d.cluster, namespace, name };
    const vmOp = { ...at, kind: VM };
    const annotations = vm.metadata.annotations ?? {};
    const liveVm = input.live(d.cluster, namespace, VM).find((o) => o.metadata.name === name);
    const vmi = input.live(d.cluster, namespace, VMI).find((o) => o.metadata.name === name);
    const running = phase(vmi) === 'Running';
    const paused = conditionStatus(vmi, 'Paused') === 'True';
    const spec = isObj(vm.spec) ? vm.spec : {};
    const halted = spec.runStrategy === 'Halted';
    const suspended = annotations[POWER_STATE_ANNOTATION] === 'suspended';

    // Reset and resize both end in one restart.
    const requested = annotations[RESET_REQUESTED_ANNOTATION];
    const done = liveVm?.metadata.annotations?.[RESET_DONE_ANNOTATION];
    const resetDue = requested !== undefined && requested !== done;
    const resized = sizingChanges(changes.get(`${d.cluster}/${namespace}/${name}`));
    const restartRequired = running && (resized.length > 0 || conditionStatus(liveVm, 'RestartRequired') === 'True');
    const restartAllowed = annotations[RESTART_ON_RESIZE_ANNOTATION] === 'true' && !halted;
    const restartWhy = resized.length > 0 ? `size changed: ${resized.join(', ')}` : 'KubeVirt reports RestartRequired';
    const record = resetDue ? { record: { kind: VIRTUAL_MACHINE_KIND, annotations: { [RESET_DONE_ANNOTATION]: requested } } } : {};
    const restart = { request: { ...SUBRESOURCES, plural: 'virtualmachines', subresource: 'restart' } };
    if (resetDue && running && !halted) {
      out.push({ ...vmOp, operation: 'restart', reason: `reset requested at ${requested}${restartRequired && restartAllowed ? `; ${restartWhy}` : ''}`, ...restart, ...record });
    } else {
      if (resetDue) {
        out.push({ ...vmOp, operation: 'record', reason: `reset requested at ${requested}: the VM is not running, nothing to reset`, ...record });
      }
      if (restartRequired && restartAllowed) {
        out.push({ ...vmOp, operation: 'restart', reason: `${restartWhy} (restartOnResize)`, ...restart });
      } else if (restartRequired) {
        out.push({ ...vmOp, operation: 'notice', reason: `restart required: ${restartWhy}; not restarted (set restartOnResize: true to let kontract restart it)` });
      }
    }

    const vmiOp = { ...at, kind: VMI };
    const vmiRequest = (subresource: string): NonNullable<PlannedOperation['request']> => ({ ...SUBRESOURCES, plural: 'virtualmachineinstances', subresource });
    if (suspended && running && !paused) {
      out.push({ ...vmiOp, operation: 'pause', reason: 'powerState suspended', request: vmiRequest('pause') });
    } else if (suspended && !running) {
      out.push({ ...vmiOp, operation: 'notice', reason: `powerState suspended: the VMI is ${vmi === undefined ? 'absent' : `in phase ${phase(vmi) ?? 'unknown'}`}; it is paused once Running` });
    } else if (!suspended && !halted && running && paused) {
      out.push({ ...vmiOp, operation: 'unpause', reason: 'powerState on: the VMI is paused', request: vmiRequest('unpause') });
    }
  }
  return out;
}
