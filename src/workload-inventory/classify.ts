/**
 * Pods: containers, the owner chain up to the top workload, and VM-launcher classification.
 * Pure. The launcher rule follows the pod template KubeVirt itself renders
 * (pkg/virt-controller/services/template.go, see README.md):
 *
 * - `vm-launcher`: a `kubevirt.io` `VirtualMachineInstance` ownerReference with `controller: true`;
 * - weaker signals other tools use are collected as evidence: labels `kubevirt.io=virt-launcher`,
 *   `kubevirt.io/created-by`, `kubevirt.io/domain`, `vm.kubevirt.io/name`, annotation
 *   `kubevirt.io/domain`, a `compute` container running virt-launcher. A pod with any of them but no
 *   controlling VMI is a `suspected-vm-launcher` with the reason, never silently counted either way.
 */
import type { KubeObject } from '../core/k8s-object.js';
import {
  arr, controllerOf, labelsOf, num, opt, rec, resourceList, str, strings,
} from './fields.js';
import type { ContainerInfo, ContainerState, OwnerRef, PodInfo, PodWorkload } from './types.js';

export const LAUNCHER_LABEL = 'kubevirt.io';
export const LAUNCHER_LABEL_VALUE = 'virt-launcher';
export const CREATED_BY_LABEL = 'kubevirt.io/created-by';
export const VM_NAME_LABEL = 'vm.kubevirt.io/name';
export const DOMAIN_KEY = 'kubevirt.io/domain';

export interface PodClassification {
  readonly workload: PodWorkload;
  readonly vmEvidence: readonly string[];
  readonly suspectReason?: string;
  readonly vmi?: string;
  readonly vm?: string;
}

function computeRunsLauncher(pod: KubeObject): boolean {
  return arr(rec(pod.spec).containers).map(rec).some((c) => c.name === 'compute'
    && [str(c.image) ?? '', ...strings(c.command)].some((s) => s.includes('virt-launcher')));
}

/** container / vm-launcher / suspected-vm-launcher, with the evidence and the VMI and VM names. */
export function classifyPod(pod: KubeObject): PodClassification {
  const controller = controllerOf(pod);
  const vmiOwner = controller !== undefined && controller.controller === true && controller.kind === 'VirtualMachineInstance'
    && (controller.apiVersion ?? '').startsWith('kubevirt.io/') ? controller : undefined;
  const l = labelsOf(pod);
  const evidence: string[] = [];
  if (vmiOwner !== undefined) evidence.push(`ownerReference VirtualMachineInstance/${vmiOwner.name ?? ''}`);
  if (l[LAUNCHER_LABEL] === LAUNCHER_LABEL_VALUE) evidence.push(`label ${LAUNCHER_LABEL}=${LAUNCHER_LABEL_VALUE}`);
  if (l[CREATED_BY_LABEL] !== undefined) evidence.push(`label ${CREATED_BY_LABEL}`);
  if (l[DOMAIN_KEY] !== undefined) evidence.push(`label ${DOMAIN_KEY}=${l[DOMAIN_KEY]}`);
  if (l[VM_NAME_LABEL] !== undefined) evidence.push(`label ${VM_NAME_LABEL}=${l[VM_NAME_LABEL]}`);
  const domainAnnotation = pod.metadata.annotations?.[DOMAIN_KEY];
  if (domainAnnotation !== undefined) evidence.push(`annotation ${DOMAIN_KEY}=${domainAnnotation}`);
  if (computeRunsLauncher(pod)) evidence.push('container compute runs virt-launcher');
  if (evidence.length === 0) return { workload: 'container', vmEvidence: [] };
  const vmi = vmiOwner?.name ?? l[DOMAIN_KEY] ?? domainAnnotation ?? l[VM_NAME_LABEL];
  // A VM's VMI has the VM's name; the label is the hint when no owner reference names it.
  const vm = l[VM_NAME_LABEL] ?? vmi;
  const names = { ...opt('vmi', vmi), ...opt('vm', vm) };
  if (vmiOwner !== undefined) return { workload: 'vm-launcher', vmEvidence: evidence, ...names };
  return { workload: 'suspected-vm-launcher', vmEvidence: evidence, suspectReason: `no controlling VirtualMachineInstance ownerReference; seen: ${evidence.join(', ')}`, ...names };
}

function portStrings(v: unknown): string[] {
  return arr(v).map(rec).map((p) => `${typeof p.containerPort === 'number' ? p.containerPort : '?'}/${str(p.protocol) ?? 'TCP'}`);
}

function containerState(s: unknown): { state: ContainerState; reason?: string } {
  const st = rec(s);
  if ('running' in st) return { state: 'running' };
  if ('waiting' in st) return { state: 'waiting', ...opt('reason', str(rec(st.waiting).reason)) };
  if ('terminated' in st) return { state: 'terminated', ...opt('reason', str(rec(st.terminated).reason)) };
  return { state: 'unknown' };
}

export function containers(pod: KubeObject): ContainerInfo[] {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const statuses = new Map<string, Record<string, unknown>>();
  for (const s of [...arr(status.containerStatuses), ...arr(status.initContainerStatuses)].map(rec)) {
    const name = str(s.name);
    if (name !== undefined) statuses.set(name, s);
  }
  const one = (c: Record<string, unknown>, init: boolean): ContainerInfo => {
    const name = str(c.name) ?? '';
    const s = statuses.get(name);
    const { state, reason } = containerState(s?.state);
    const resources = rec(c.resources);
    return {
      name, image: str(c.image) ?? '', init,
      requests: resourceList(resources.requests), limits: resourceList(resources.limits),
      ports: portStrings(c.ports),
      ...opt('ready', typeof s?.ready === 'boolean' ? s.ready : undefined),
      restarts: num(s?.restartCount), state, ...opt('stateReason', reason),
    };
  };
  return [...arr(spec.initContainers).map(rec).map((c) => one(c, true)), ...arr(spec.containers).map(rec).map((c) => one(c, false))];
}

/** Listed owners an owner chain is resolved through, by kind then `namespace/name`. */
export type OwnerIndex = ReadonlyMap<string, ReadonlyMap<string, KubeObject>>;

export function ownerIndex(byKind: Readonly<Record<string, readonly KubeObject[]>>): OwnerIndex {
  const out = new Map<string, Map<string, KubeObject>>();
  for (const [kind, objs] of Object.entries(byKind)) out.set(kind, new Map(objs.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o])));
  return out;
}

/**
 * The controller chain from a pod up: Pod → ReplicaSet → Deployment, Pod → Job → CronJob,
 * Pod → StatefulSet/DaemonSet, Pod → VirtualMachineInstance → VirtualMachine. An owner not in the
 * index ends the chain (its own owner is unknown). A VMI without an ownerReference belongs to the
 * VM of the same name when one is listed.
 */
export function ownerChain(obj: KubeObject, index: OwnerIndex): OwnerRef[] {
  const chain: OwnerRef[] = [];
  const ns = obj.metadata.namespace ?? '';
  let current: KubeObject | undefined = obj;
  while (current !== undefined && chain.length < 8) {
    const ref = controllerOf(current);
    let next: OwnerRef | undefined = ref?.kind !== undefined && ref.name !== undefined ? { kind: ref.kind, name: ref.name } : undefined;
    if (next === undefined && current.kind === 'VirtualMachineInstance' && index.get('VirtualMachine')?.has(`${ns}/${current.metadata.name}`) === true) {
      next = { kind: 'VirtualMachine', name: current.metadata.name };
    }
    if (next === undefined) break;
    chain.push(next);
    current = index.get(next.kind)?.get(`${ns}/${next.name}`);
  }
  return chain;
}

export function podInfo(pod: KubeObject, index: OwnerIndex): PodInfo {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const cs = containers(pod);
  const chain = ownerChain(pod, index);
  const top = chain.at(-1);
  const cls = classifyPod(pod);
  // The VM behind a launcher: the VMI's owner when the chain resolved it.
  const vmFromChain = chain.find((o) => o.kind === 'VirtualMachine')?.name;
  const podIPs = strings(arr(status.podIPs).map((p) => rec(p).ip));
  const podIP = str(status.podIP);
  return {
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name,
    ...opt('uid', str(pod.metadata.uid)),
    ...opt('phase', str(status.phase)),
    ...opt('node', str(spec.nodeName)),
    podIPs: podIPs.length > 0 ? podIPs : podIP === undefined ? [] : [podIP],
    ...opt('hostIP', str(status.hostIP)),
    restarts: cs.reduce((n, c) => n + c.restarts, 0),
    ownerChain: chain,
    ...opt('topOwner', top),
    ...cls,
    ...(cls.workload === 'vm-launcher' && vmFromChain !== undefined ? { vm: vmFromChain } : {}),
    containers: cs,
  };
}
