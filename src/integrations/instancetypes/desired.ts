/**
 * Desired VirtualMachineClusterInstancetypes and VirtualMachineClusterPreferences
 * (instancetype.kubevirt.io/v1beta1 — note the lower-case "t"): one object per catalog datafile on
 * every cluster it lists (all clusters not disabling the integration when it lists none). Pure.
 */
import type { AppInterfaceData } from '../../app-interface/model.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { DesiredObject, DesiredState } from '../define-integration.js';
import { disabledClusters } from '../tenant-namespaces.js';
import { at } from '../../app-interface/field-reader.js';
import type { ClusterInstancetype, ClusterPreference } from '../../app-interface/kubevirt/instancetype-model.js';

export const INSTANCETYPES_INTEGRATION = 'instancetypes';
export const INSTANCETYPE_API_VERSION = 'instancetype.kubevirt.io/v1beta1';
/** Labels common-instancetypes puts on its sizes; kontract sets them too so UIs can filter. */
export const CPU_LABEL = 'instancetype.kubevirt.io/cpu';
export const MEMORY_LABEL = 'instancetype.kubevirt.io/memory';

export function clusterInstancetypeObject(it: ClusterInstancetype): KubeObject {
  return {
    apiVersion: INSTANCETYPE_API_VERSION,
    kind: 'VirtualMachineClusterInstancetype',
    metadata: {
      name: it.name,
      labels: { [CPU_LABEL]: String(it.cpu.guest), [MEMORY_LABEL]: it.memory.guest, ...it.labels },
    },
    spec: { cpu: { ...it.cpu }, memory: { ...it.memory } },
  };
}

export function clusterPreferenceObject(p: ClusterPreference): KubeObject {
  return {
    apiVersion: INSTANCETYPE_API_VERSION,
    kind: 'VirtualMachineClusterPreference',
    metadata: { name: p.name, labels: { ...p.labels } },
    spec: structuredClone(p.spec),
  };
}

type Entry = ClusterInstancetype | ClusterPreference;

export function desiredInstancetypes(data: AppInterfaceData): DesiredState {
  const problems: ValidationProblem[] = [];
  const objects: DesiredObject[] = [];
  const disabled = disabledClusters(data, INSTANCETYPES_INTEGRATION);
  const clusterByPath = new Map(data.clusters.map((c) => [c.path, c.name]));
  const everywhere = data.clusters.map((c) => c.name).filter((c) => !disabled.has(c));

  const place = (entry: Entry, object: KubeObject): void => {
    let targets = everywhere;
    if (entry.clusters !== undefined) {
      targets = [];
      entry.clusters.forEach((p, i) => {
        const name = clusterByPath.get(p);
        if (name === undefined) problems.push({ file: entry.path, field: at('clusters', i), message: `unknown cluster ${p} (no cluster datafile at that path)` });
        else if (!disabled.has(name)) targets.push(name);
      });
    }
    for (const cluster of targets) objects.push({ cluster, object: structuredClone(object), source: entry.path });
  };

  const checkDuplicates = (entries: readonly Entry[], what: string): Set<string> => {
    const first = new Map<string, string>();
    const dup = new Set<string>();
    for (const e of entries) {
      const prev = first.get(e.name);
      if (prev === undefined) {
        first.set(e.name, e.path);
      } else {
        problems.push({ file: e.path, field: 'name', message: `${what} ${e.name} is already declared in ${prev}` });
        dup.add(e.path);
      }
    }
    return dup;
  };

  const its = data.instancetypes ?? [];
  const prefs = data.preferences ?? [];
  const dupIts = checkDuplicates(its, 'cluster instancetype');
  const dupPrefs = checkDuplicates(prefs, 'cluster preference');
  for (const it of its) if (!dupIts.has(it.path)) place(it, clusterInstancetypeObject(it));
  for (const p of prefs) if (!dupPrefs.has(p.path)) place(p, clusterPreferenceObject(p));
  return { objects, problems };
}
