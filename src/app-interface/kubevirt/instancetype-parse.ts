/**
 * Parses the catalog datafiles (`/kontract/kubevirt/cluster-instancetype-1.yml`,
 * `/kontract/kubevirt/cluster-preference-1.yml`) into the model, collecting every problem.
 */
import type { ParseResult, RawObject } from '../field-reader.js';
import { DNS_SUBDOMAIN, DNS_SUBDOMAIN_HINT, FieldReader, at, readerResult } from '../field-reader.js';
import type { ClusterInstancetype, ClusterPreference, InstancetypeCpu, InstancetypeMemory } from './instancetype-model.js';

/** Top-level keys of VirtualMachineClusterPreference.spec (instancetype.kubevirt.io/v1beta1). */
export const PREFERENCE_SPEC_KEYS = [
  'annotations', 'clock', 'cpu', 'devices', 'features', 'firmware', 'machine', 'preferSpreadSocketToCoreRatio',
  'preferredArchitecture', 'preferredLaunchSecurity', 'preferredSubdomain', 'preferredTerminationGracePeriodSeconds',
  'requirements', 'volumes',
] as const;

const HUGEPAGE_SIZES = ['2Mi', '1Gi'] as const;

const done = readerResult;

function common(r: FieldReader, o: RawObject): { name?: string; description: string; labels: Record<string, string>; clusters?: string[] } {
  const name = r.string(o, 'name', '', { required: true, pattern: DNS_SUBDOMAIN, hint: DNS_SUBDOMAIN_HINT });
  const description = r.string(o, 'description', '') ?? '';
  const labels = { ...r.labels(o, 'labels', '') };
  const list = r.array(o, 'clusters', '');
  const clusters = list?.map((c, i) => r.refValue(c, at('clusters', i), true)).filter((c): c is string => c !== undefined);
  return { ...(name === undefined ? {} : { name }), description, labels, ...(clusters === undefined ? {} : { clusters }) };
}

function cpu(r: FieldReader, value: unknown): InstancetypeCpu | undefined {
  const o = r.object(value, 'cpu');
  if (o === undefined) return undefined;
  r.onlyKeys(o, ['guest', 'model', 'dedicatedCPUPlacement', 'isolateEmulatorThread'], 'cpu');
  const guest = r.integer(o, 'guest', 'cpu', { required: true, min: 1 });
  const model = r.string(o, 'model', 'cpu');
  const dedicated = r.boolean(o, 'dedicatedCPUPlacement', 'cpu');
  const isolate = r.boolean(o, 'isolateEmulatorThread', 'cpu');
  if (guest === undefined) return undefined;
  return {
    guest,
    ...(model === undefined ? {} : { model }),
    ...(dedicated === undefined ? {} : { dedicatedCPUPlacement: dedicated }),
    ...(isolate === undefined ? {} : { isolateEmulatorThread: isolate }),
  };
}

function memory(r: FieldReader, value: unknown): InstancetypeMemory | undefined {
  const o = r.object(value, 'memory');
  if (o === undefined) return undefined;
  r.onlyKeys(o, ['guest', 'overcommitPercent', 'hugepages'], 'memory');
  const guest = r.quantity(o, 'guest', 'memory', { required: true });
  const overcommit = r.integer(o, 'overcommitPercent', 'memory', { min: 0 });
  if (overcommit !== undefined && overcommit > 100) r.report('memory.overcommitPercent', `must be at most 100, got ${overcommit}`);
  const hp = r.object(o.hugepages, 'memory.hugepages', false);
  let pageSize: string | undefined;
  if (hp !== undefined) {
    r.onlyKeys(hp, ['pageSize'], 'memory.hugepages');
    pageSize = r.oneOf(hp, 'pageSize', 'memory.hugepages', HUGEPAGE_SIZES);
    if (pageSize === undefined && hp.pageSize === undefined) r.report('memory.hugepages.pageSize', 'is required');
  }
  if (guest === undefined) return undefined;
  return {
    guest,
    ...(overcommit === undefined ? {} : { overcommitPercent: overcommit }),
    ...(pageSize === undefined ? {} : { hugepages: { pageSize } }),
  };
}

/** `/kontract/kubevirt/cluster-instancetype-1.yml` */
export function parseClusterInstancetype(path: string, raw: unknown): ParseResult<ClusterInstancetype> {
  const r = new FieldReader(path);
  const o = r.object(raw, '');
  if (o === undefined) return done<ClusterInstancetype>(r, undefined);
  r.onlyKeys(o, ['$schema', 'name', 'description', 'labels', 'clusters', 'cpu', 'memory'], '');
  const c = common(r, o);
  const cp = cpu(r, o.cpu);
  const mem = memory(r, o.memory);
  if (c.name === undefined || cp === undefined || mem === undefined) return done<ClusterInstancetype>(r, undefined);
  return done(r, {
    path, name: c.name, description: c.description, labels: c.labels, cpu: cp, memory: mem,
    ...(c.clusters === undefined ? {} : { clusters: c.clusters }),
  });
}

/** `/kontract/kubevirt/cluster-preference-1.yml` */
export function parseClusterPreference(path: string, raw: unknown): ParseResult<ClusterPreference> {
  const r = new FieldReader(path);
  const o = r.object(raw, '');
  if (o === undefined) return done<ClusterPreference>(r, undefined);
  r.onlyKeys(o, ['$schema', 'name', 'description', 'labels', 'clusters', 'spec'], '');
  const c = common(r, o);
  const spec = r.object(o.spec, 'spec', false) ?? {};
  r.onlyKeys(spec, PREFERENCE_SPEC_KEYS, 'spec');
  if (c.name === undefined) return done<ClusterPreference>(r, undefined);
  return done(r, {
    path, name: c.name, description: c.description, labels: c.labels, spec: structuredClone(spec),
    ...(c.clusters === undefined ? {} : { clusters: c.clusters }),
  });
}
