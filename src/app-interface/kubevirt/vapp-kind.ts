/**
 * The vApp kind (`/kontract/vapp-1.yml`): a group of VMs in one VDC, each instantiated from a
 * catalog template (the vApp's `template` unless the VM names its own). The vApp's `powerState`,
 * `resetRequested`, `restartOnResize` and `labels` apply to every VM that does not set its own.
 * Its VMs become ordinary virtual machines of the virtual-machines integration (placed in the
 * VDC's namespace, labelled `kontract.io/vapp`); problems name the vApp file and the VM's entry
 * (`vms[1].overrides.cpu`). Its JSON Schema has accepted the document when `build` runs.
 */
import type { RawVapp } from '../datafile-types.generated.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { ParseResult } from '../kind.js';
import { SKIP, ok, schemaKind } from '../kind.js';
import { FieldReader, at } from '../field-reader.js';
import { vdcKind } from '../tenancy/kinds.js';
import type { PowerState, Vapp, VirtualMachineData } from './vm-model.js';
import { VAPP_SCHEMA } from './vm-model.js';
import { POWER_VALUES, templateFields } from './vm-parse.js';

export const vappKind = schemaKind(VAPP_SCHEMA, 'vapps', 'vapps_v1', (r: RawVapp, f, ctx): ParseResult<Vapp> => {
  const vdc = ctx.entry(vdcKind, r.vdc.$ref);
  if (vdc === undefined) return SKIP;
  const problems: ValidationProblem[] = [];
  const seen = new Map<string, number>();
  const vms: VirtualMachineData[] = [];
  const vappPower: PowerState = POWER_VALUES[r.powerState ?? 'on'] ?? 'running';
  r.vms.forEach((v, i) => {
    const field = at('vms', i);
    const first = seen.get(v.name);
    if (first !== undefined) {
      problems.push({ file: f.path, field: at(field, 'name'), message: `VM ${v.name} is already declared by vms[${first}] of this vApp` });
      return;
    }
    seen.set(v.name, i);
    const template = v.template?.$ref ?? r.template?.$ref;
    if (template === undefined) {
      problems.push({ file: f.path, field: at(field, 'template'), message: 'is required: the vApp has no template to instantiate the VM from' });
      return;
    }
    const reader = new FieldReader(f.path);
    const overrides = v.overrides === undefined ? {} : templateFields(reader, v.overrides, at(field, 'overrides'), false);
    problems.push(...reader.problems);
    const resetRequested = v.resetRequested ?? r.resetRequested;
    const restartOnResize = v.restartOnResize ?? r.restartOnResize;
    vms.push({
      path: f.path,
      name: v.name,
      description: v.description ?? '',
      namespace: r.vdc.$ref,
      template,
      overrides,
      power: { powerState: v.powerState === undefined ? vappPower : POWER_VALUES[v.powerState] ?? 'running' },
      disks: [],
      labels: { ...r.labels, ...v.labels },
      annotations: {},
      ...(resetRequested === undefined ? {} : { resetRequested }),
      ...(restartOnResize === undefined ? {} : { restartOnResize }),
      vapp: { name: r.name, field, templateFromVapp: v.template === undefined },
    });
  });
  if (problems.length > 0) return { ok: false, problems };
  return ok({ path: f.path, name: r.name, description: r.description ?? '', vdc: r.vdc.$ref, delete: r.delete ?? false, vms });
});
