/**
 * The app-interface model of the KubeVirt size catalog: cluster-wide instancetypes
 * (`/kontract/kubevirt/cluster-instancetype-1.yml`) and preferences (`/kontract/kubevirt/cluster-preference-1.yml`).
 */
import type { Labels } from '../../core/k8s-object.js';

export const CLUSTER_INSTANCETYPE_SCHEMA = '/kontract/kubevirt/cluster-instancetype-1.yml';
export const CLUSTER_PREFERENCE_SCHEMA = '/kontract/kubevirt/cluster-preference-1.yml';

export interface InstancetypeCpu {
  /** vCPUs the guest sees. Required by the CRD. */
  readonly guest: number;
  readonly model?: string;
  readonly dedicatedCPUPlacement?: boolean;
  readonly isolateEmulatorThread?: boolean;
}

export interface InstancetypeMemory {
  /** Quantity, e.g. `2Gi`. Required by the CRD. */
  readonly guest: string;
  /** 0–100. */
  readonly overcommitPercent?: number;
  readonly hugepages?: { readonly pageSize: string };
}

interface CatalogEntry {
  readonly path: string;
  /** Object name, e.g. `u1.small`. */
  readonly name: string;
  readonly description: string;
  readonly labels: Labels;
  /**
   * Paths of the cluster datafiles to publish to; undefined means every cluster not disabling
   * the `instancetypes` integration.
   */
  readonly clusters?: readonly string[];
}

/** `/kontract/kubevirt/cluster-instancetype-1.yml` → VirtualMachineClusterInstancetype. */
export interface ClusterInstancetype extends CatalogEntry {
  readonly cpu: InstancetypeCpu;
  readonly memory: InstancetypeMemory;
}

/**
 * `/kontract/kubevirt/cluster-preference-1.yml` → VirtualMachineClusterPreference. Preferences have only
 * optional, deeply nested fields; kontract checks the top-level keys and passes the sections
 * through (the apiserver validates them against the CRD schema).
 */
export interface ClusterPreference extends CatalogEntry {
  readonly spec: Readonly<Record<string, unknown>>;
}
