/**
 * Desired Namespace objects: one per namespace datafile that is neither `delete: true` nor
 * `managedByExternal: true` (see ../tenant-namespaces.ts). Only `delete: true` namespaces may be
 * deleted (DesiredState.explicitDeletion).
 */
import type { AppInterfaceData, Namespace } from '../../app-interface/model.js';
import type { ValidationProblem } from '../../core/errors.js';
import type { KubeObject } from '../../core/k8s-object.js';
import type { DesiredState } from '../define-integration.js';
import { disabledClusters, externalNamespaces, managedNamespaces, METADATA_SOURCE_FIELDS, namespaceKey, perNamespace } from '../tenant-namespaces.js';
import { isLabelValue } from '../../core/k8s-names.js';

export const NAMESPACES_INTEGRATION = 'namespaces';

/** Label carrying the namespace's tenant (organisation). */
export const TENANT_LABEL = 'kontract.io/tenant';
export const DISPLAY_NAME_ANNOTATION = 'openshift.io/display-name';
export const DESCRIPTION_ANNOTATION = 'openshift.io/description';

/** A valid label value: at most 63 characters, alphanumeric at both ends, `-_.` inside. */

export function namespaceObject(ns: Namespace): KubeObject {
  const labels: Record<string, string> = { ...ns.labels };
  // The datafile's `tenant` wins over a hand-written label of the same key.
  if (ns.tenant !== undefined) labels[TENANT_LABEL] = ns.tenant;
  const annotations: Record<string, string> = {
    [DISPLAY_NAME_ANNOTATION]: ns.name,
    [DESCRIPTION_ANNOTATION]: ns.description,
    // Explicit annotations (including the two OpenShift ones) win over the derived defaults.
    ...ns.annotations,
  };
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns.name, labels, annotations },
  };
}

export function desiredNamespaces(data: AppInterfaceData): DesiredState {
  const problems: ValidationProblem[] = [];
  const seen = new Map<string, string>();
  // Duplicates are checked over every datafile (also deleted/external ones): two files claiming
  // one namespace is always a data error.
  for (const ns of data.namespaces) {
    const key = namespaceKey(ns);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        file: ns.path,
        field: 'name',
        message: `namespace ${ns.name} on cluster ${ns.cluster} is already declared in ${first}`,
      });
    } else {
      seen.set(key, ns.path);
    }
  }
  const duplicated = new Set(problems.map((p) => p.file));
  // A namespace that cannot be built is a blocked unit (only it is withheld); duplicates abort.
  const { objects, blocked } = perNamespace(managedNamespaces(data, NAMESPACES_INTEGRATION).filter((ns) => !duplicated.has(ns.path)), (ns, own) => {
    if (ns.tenant !== undefined && !isLabelValue(ns.tenant)) {
      own.push({ file: ns.path, field: 'tenant', message: `${ns.tenant} is not a valid label value for ${TENANT_LABEL}` });
      return [];
    }
    return [namespaceObject(ns)];
  }, METADATA_SOURCE_FIELDS);
  // qontract's semantics: a Namespace is deleted only when its datafile says `delete: true`; an
  // owned namespace whose datafile disappeared is orphaned (reported, left alone).
  const disabled = disabledClusters(data, NAMESPACES_INTEGRATION);
  const marked = data.namespaces
    .filter((ns) => ns.delete && !ns.managedByExternal && !disabled.has(ns.cluster))
    .map((ns) => ({ cluster: ns.cluster, kind: 'Namespace', namespace: '', name: ns.name }));
  return { objects, problems, blocked, excludedNamespaces: externalNamespaces(data), explicitDeletion: { kinds: ['Namespace'], objects: marked } };
}
