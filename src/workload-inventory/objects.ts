/**
 * Nodes, namespaces (with quota usage), workload controllers, services, routes and PVCs as
 * inventory records. Pure.
 */
import type { KubeObject } from '../core/k8s-object.js';
import { parseQuantity } from '../core/quantity.js';
import {
  arr, labelsOf, managedBy, num, opt, quantity, quantityString, rec, resourceList, selectorString, str, strings, stringMap,
} from './fields.js';
import type {
  DaemonSetInfo, DeploymentInfo, NodeInfo, PvcInfo, QuotaUsage, RouteInfo, ServiceInfo, ServicePort, StatefulSetInfo,
} from './types.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';
export const DISPLAY_NAME = 'openshift.io/display-name';
export const DESCRIPTION = 'openshift.io/description';

export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labelsOf(node))) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    if (k === LEGACY_ROLE_LABEL && v !== '') roles.add(v);
  }
  return [...roles].sort();
}

export function nodeInfo(node: KubeObject): NodeInfo {
  const status = rec(node.status);
  const conditions = arr(status.conditions).map(rec).map((c) => ({ type: str(c.type) ?? '', status: str(c.status) ?? 'Unknown', ...opt('reason', str(c.reason)) }));
  const ready = conditions.find((c) => c.type === 'Ready');
  const addresses = arr(status.addresses).map(rec);
  const addr = (type: string): string[] => strings(addresses.filter((a) => a.type === type).map((a) => a.address));
  const info = rec(status.nodeInfo);
  return {
    name: node.metadata.name,
    roles: nodeRoles(node),
    ready: ready === undefined ? undefined : ready.status === 'True',
    conditions,
    internalIPs: addr('InternalIP'),
    externalIPs: addr('ExternalIP'),
    ...opt('hostname', addr('Hostname')[0]),
    ...opt('osImage', str(info.osImage)),
    ...opt('kernelVersion', str(info.kernelVersion)),
    ...opt('containerRuntimeVersion', str(info.containerRuntimeVersion)),
    ...opt('kubeletVersion', str(info.kubeletVersion)),
    unschedulable: rec(node.spec).unschedulable === true,
    capacity: resourceList(status.capacity),
    allocatable: resourceList(status.allocatable),
  };
}

/** used / hard as a number, exact up to 1e-4. */
export function usageRatio(used: string, hard: string): number | undefined {
  const u = parseQuantity(used);
  const h = parseQuantity(hard);
  if (u === undefined || h === undefined || h.num === 0n) return undefined;
  return Number((u.num * h.den * 10_000n) / (u.den * h.num)) / 10_000;
}

export function quotaUsage(rq: KubeObject): QuotaUsage {
  const status = rec(rq.status);
  const hard = rec(status.hard);
  const used = rec(status.used);
  const resources = Object.keys(hard).sort().map((resource) => {
    const h = quantityString(hard[resource]) ?? '';
    const u = quantityString(used[resource]) ?? '0';
    return { resource, used: u, hard: h, ...opt('ratio', usageRatio(u, h)) };
  });
  return { name: rq.metadata.name, resources };
}

export function namespaceMeta(ns: KubeObject): { displayName?: string; description?: string; labels: Record<string, string>; annotations: Record<string, string>; phase?: string; managedBy?: string } {
  const annotations = stringMap(ns.metadata.annotations);
  return {
    ...opt('displayName', annotations[DISPLAY_NAME]),
    ...opt('description', annotations[DESCRIPTION]),
    labels: stringMap(ns.metadata.labels),
    annotations,
    ...opt('phase', str(rec(ns.status).phase)),
    ...opt('managedBy', managedBy(ns)),
  };
}

const nsName = (o: KubeObject): { namespace: string; name: string } => ({ namespace: o.metadata.namespace ?? '', name: o.metadata.name });

export function deploymentInfo(d: KubeObject): DeploymentInfo {
  const spec = rec(d.spec);
  const status = rec(d.status);
  return {
    ...nsName(d),
    replicas: num(spec.replicas, 1),
    ready: num(status.readyReplicas),
    available: num(status.availableReplicas),
    updated: num(status.updatedReplicas),
    ...opt('strategy', str(rec(spec.strategy).type)),
    selector: selectorString(spec.selector),
    ...opt('managedBy', managedBy(d)),
  };
}

export function statefulSetInfo(s: KubeObject): StatefulSetInfo {
  const spec = rec(s.spec);
  return {
    ...nsName(s),
    replicas: num(spec.replicas, 1),
    ready: num(rec(s.status).readyReplicas),
    ...opt('serviceName', str(spec.serviceName)),
    selector: selectorString(spec.selector),
  };
}

export function daemonSetInfo(d: KubeObject): DaemonSetInfo {
  const status = rec(d.status);
  return {
    ...nsName(d),
    desired: num(status.desiredNumberScheduled),
    ready: num(status.numberReady),
    available: num(status.numberAvailable),
    selector: selectorString(rec(d.spec).selector),
  };
}

export function serviceInfo(s: KubeObject): ServiceInfo {
  const spec = rec(s.spec);
  const ingress = arr(rec(rec(s.status).loadBalancer).ingress).map(rec);
  const ports: ServicePort[] = arr(spec.ports).map(rec).map((p) => ({
    ...opt('name', str(p.name)),
    port: num(p.port),
    protocol: str(p.protocol) ?? 'TCP',
    ...opt('targetPort', quantityString(p.targetPort)),
    ...opt('nodePort', typeof p.nodePort === 'number' ? p.nodePort : undefined),
  }));
  return {
    ...nsName(s),
    type: str(spec.type) ?? 'ClusterIP',
    ...opt('clusterIP', str(spec.clusterIP)),
    externalIPs: [...strings(spec.externalIPs), ...strings(ingress.map((i) => i.ip ?? i.hostname))],
    ports,
    selector: selectorString(spec.selector),
  };
}

/** An OpenShift Route: never reads `spec.tls.key`, `certificate`, `caCertificate` or `destinationCACertificate`. */
export function routeInfo(r: KubeObject): RouteInfo {
  const spec = rec(r.spec);
  const tls = rec(spec.tls);
  const termination = str(tls.termination);
  const to = rec(spec.to);
  const admitted = arr(rec(r.status).ingress).map(rec).flatMap((i) => arr(i.conditions).map(rec)).filter((c) => c.type === 'Admitted');
  return {
    ...nsName(r),
    ...opt('host', str(spec.host)),
    ...opt('path', str(spec.path)),
    ...(termination === undefined ? {} : { tls: { termination, ...opt('insecureEdgeTerminationPolicy', str(tls.insecureEdgeTerminationPolicy)) } }),
    to: { kind: str(to.kind) ?? 'Service', name: str(to.name) ?? '' },
    ...opt('targetPort', quantityString(rec(spec.port).targetPort)),
    ...opt('admitted', admitted.length === 0 ? undefined : admitted.some((c) => c.status === 'True')),
  };
}

export function pvcInfo(p: KubeObject): PvcInfo {
  const spec = rec(p.spec);
  const status = rec(p.status);
  return {
    ...nsName(p),
    ...opt('storageClass', str(spec.storageClassName)),
    ...opt('requested', quantity(rec(rec(spec.resources).requests).storage)),
    ...opt('capacity', quantity(rec(status.capacity).storage)),
    accessModes: strings(spec.accessModes),
    ...opt('volumeMode', str(spec.volumeMode)),
    ...opt('phase', str(status.phase)),
    ...opt('volume', str(spec.volumeName)),
  };
}
